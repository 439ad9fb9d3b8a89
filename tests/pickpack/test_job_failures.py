"""How a recalculation job's transaction of orders fails: claim errors, bugs, refusals, and the rows' outcomes."""

import logging
from decimal import Decimal
from unittest import mock

import pytest
from django.db import ProgrammingError
from django.utils import timezone

from orders.actors import Actor
from orders.models import Order
from orders.services import transition_order
from pickpack import services
from pickpack.inputs import NewPackingEvent
from pickpack.models import FailureReason, JobOrderStatus, JobStatus, JobType, RecalculationJob, RecalculationJobOrder

from .conftest import new_job

ACTOR = Actor(label="test")


def rows(job: RecalculationJob) -> list[tuple[str, str, str]]:
    """(status, reason, message) of each of the job's rows, in row order."""
    return list(job.order_rows.order_by("pk").values_list("status", "reason", "message"))


def packed(order: Order, *, event_id: str) -> None:
    """A packing event of 1 of the order's first entry, in the entry's unit."""
    entry = order.document["entries"][0]
    services.record_packing_event(
        tenant=order.tenant,
        event=NewPackingEvent(
            event_id=event_id,
            order_number=order.order_id,
            product_id=entry["product"]["id"],
            unit=entry["measurementUnit"]["unit"],
            timestamp=timezone.now(),
            site="main",
            packed_amount=Decimal(1),
        ),
        actor=ACTOR,
    )


@pytest.mark.usefixtures("not_queued")
def test_a_claim_that_fails_comes_out_of_the_run_and_leaves_every_order_pending(orders):
    # given: a job of two orders whose claim of rows the database refuses, before any row is taken
    job = new_job(orders[:2])
    refused = ProgrammingError("relation pickpack_recalculationjoborder is not there")
    # when
    with (
        mock.patch.object(services, "_claim_next_rows", side_effect=refused),
        pytest.raises(ProgrammingError, match="is not there"),
    ):
        services.run_recalculation_job(job.job_id)
    # then: the error is the task's, not taken for "no order left"; nothing was recorded of either order
    job.refresh_from_db()
    waiting = ("PENDING", "", "Order waiting for recalculation")
    assert rows(job) == [waiting, waiting]
    assert (job.job_status, job.finished_at) == ("IN_PROGRESS", None)
    assert [Order.objects.get(pk=order.pk).version for order in orders[:2]] == [1, 1]


@pytest.mark.usefixtures("not_queued")
def test_a_failure_recorded_after_the_rollback_leaves_alone_an_order_another_worker_did_meanwhile(orders):
    # given: a bug in one order's recalculation, and another worker that takes the order's row as soon as this
    # worker's transaction is rolled back (its lock gone) and records it done before this worker records the failure
    job = new_job(orders[:1])
    row = job.order_rows.get()
    real_failure = services._failure

    def done_meanwhile(error, claimed, job):
        RecalculationJobOrder.objects.filter(pk=row.pk).update(
            status="SUCCESS", message="Order recalculated successfully", updated=timezone.now()
        )
        return real_failure(error, claimed, job)

    # when
    with (
        mock.patch.object(services, "recalculate_locked_order", side_effect=RuntimeError("bug")),
        mock.patch.object(services, "_failure", done_meanwhile),
    ):
        taken = services.recalculate_next_orders(job, first=row.pk, last=row.pk, actor=ACTOR, limit=1)
    # then: the other worker's outcome stands
    assert taken == row.pk
    assert rows(job) == [("SUCCESS", "", "Order recalculated successfully")]


@pytest.mark.usefixtures("not_queued")
def test_an_unexpected_error_is_logged_with_the_order_and_the_job(orders, caplog):
    # given: a bug in the recalculation of the job's one order
    job = new_job(orders[:1])
    bug = RuntimeError("bug in the rules")
    # when
    with (
        mock.patch.object(services, "recalculate_locked_order", side_effect=bug),
        caplog.at_level(logging.ERROR, logger="pickpack.services"),
    ):
        services.run_recalculation_job(job.job_id)
    # then: staff read "internal error, see the worker's log", and the log says which order of which job, and why
    assert rows(job) == [
        (
            "FAILURE",
            "INTERNAL",
            "The order could not be recalculated because of an internal error; see the worker's log.",
        )
    ]
    [record] = [record for record in caplog.records if record.name == "pickpack.services"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == f"Recalculating order {orders[0].order_id} in job {job.job_id} failed"
    assert record.exc_info[1] is bug


@pytest.mark.usefixtures("not_queued")
def test_a_completed_order_a_job_may_change_fails_as_refused_when_its_events_do_not_apply(orders):
    # given: a COMPLETED order with a packing event in a unit its entries, now sold by the hour, cannot take, and a job
    # started with the right to change COMPLETED orders
    order = orders[0]
    packed(order, event_id="p1")
    transition_order(tenant=order.tenant, order_id=order.order_id, status="CONFIRMED", actor=ACTOR)
    transition_order(tenant=order.tenant, order_id=order.order_id, status="COMPLETED", actor=ACTOR)
    stored = Order.objects.get(pk=order.pk)
    hours = [{**entry, "measurementUnit": {"unit": "HUR"}} for entry in stored.document["entries"]]
    Order.objects.filter(pk=order.pk).update(document={**stored.document, "entries": hours})
    job = services.create_recalculation_job(
        tenant=order.tenant,
        job_type=JobType.MANUAL,
        order_ids=[order.order_id],
        actor=Actor(label="user:anna", may_change_completed=True),
    )
    # when
    services.run_recalculation_job(job.job_id)
    # then: refused by the rules, not for being COMPLETED (this job may change COMPLETED orders)
    [(status, reason, message)] = rows(job)
    assert (status, reason) == (JobOrderStatus.FAILURE, FailureReason.REFUSED)
    assert "Cannot convert" in message
    job.refresh_from_db()
    assert job.job_status == JobStatus.FAILURE


@pytest.mark.usefixtures("not_queued")
def test_a_bug_in_one_order_of_a_transaction_leaves_every_order_of_it_done_when_the_call_returns(orders):
    # given: three orders taken in one transaction, and a bug in the recalculation of the middle one
    job = new_job(orders[:3])
    first, _, last = job.order_rows.order_by("pk").values_list("pk", flat=True)
    real = services.recalculate_locked_order

    def failing_for_the_second(order, **kwargs):
        if order.pk == orders[1].pk:
            raise RuntimeError("bug")
        return real(order, **kwargs)

    # when
    with mock.patch.object(services, "recalculate_locked_order", failing_for_the_second):
        taken = services.recalculate_next_orders(job, first=first, last=last, actor=ACTOR, limit=3)
    # then: the transaction was rolled back and its orders done again one by one before the call returned, not left
    # PENDING for a later pass
    assert taken == last
    internal = "The order could not be recalculated because of an internal error; see the worker's log."
    assert rows(job) == [
        ("SUCCESS", "", "Order recalculated successfully"),
        ("FAILURE", "INTERNAL", internal),
        ("SUCCESS", "", "Order recalculated successfully"),
    ]
    assert [Order.objects.get(pk=order.pk).version for order in orders[:3]] == [2, 1, 2]


@pytest.mark.usefixtures("not_queued")
def test_an_order_deleted_after_its_packing_events_arrived_fails_as_not_found_and_alone(orders):
    # given: a job of two orders with packing events, the first one deleted since its events arrived
    packed(orders[0], event_id="p-gone")
    packed(orders[1], event_id="p-kept")
    job = new_job(orders[:2])
    Order.objects.filter(pk=orders[0].pk).delete()
    # when
    services.run_recalculation_job(job.job_id)
    # then: the deleted order's events are no concern of the job; the other order is recalculated with its event
    assert rows(job) == [
        ("FAILURE", "NOT_FOUND", f"Order with id {orders[0].order_id} not found."),
        ("SUCCESS", "", "Order recalculated successfully"),
    ]
    assert Order.objects.get(pk=orders[1].pk).document["entries"][0]["deliveredAmount"] == 1


@pytest.mark.usefixtures("not_queued")
def test_a_transaction_reads_the_amounts_set_by_hand_of_only_the_orders_with_packing_events(orders):
    # given: three orders taken in one transaction, only the first with a packing event
    packed(orders[0], event_id="p-first")
    job = new_job(orders[:3])
    first, _, last = job.order_rows.order_by("pk").values_list("pk", flat=True)
    # when
    with mock.patch.object(services, "delivered_by_hand_at", wraps=services.delivered_by_hand_at) as by_hand:
        services.recalculate_next_orders(job, first=first, last=last, actor=ACTOR, limit=3)
    # then: one read, of that order alone (the others' deliveries come from no event, so nothing set by hand matters)
    assert by_hand.call_args_list == [mock.call([orders[0].pk])]
    assert [status for status, _, _ in rows(job)] == ["SUCCESS"] * 3
