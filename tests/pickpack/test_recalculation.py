"""Running recalculation jobs: one order per transaction, exactly once, failures recorded, jobs finished."""

import threading
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from orders.actors import Actor
from orders.models import Order, OrderEvent, OrderEventType
from orders.services import transition_order
from pickpack import services, tasks
from pickpack.inputs import NewPackingEvent
from pickpack.models import JobOrderStatus, JobStatus, RecalculationJob, RecalculationJobOrder
from pickpack.selectors import orders_needing_recalculation

from .conftest import create_demo_orders, new_job

ACTOR = Actor(label="test")


def packed(order: Order, *, event_id: str, amount: str, unit: str, entry: int = 0, canceled: str = "0") -> None:
    product = order.document["entries"][entry]["product"]["id"]
    services.record_packing_event(
        tenant=order.tenant,
        event=NewPackingEvent(
            event_id=event_id,
            order_number=order.order_id,
            product_id=product,
            unit=unit,
            timestamp=timezone.now(),
            site="main",
            packed_amount=Decimal(amount),
            canceled_amount=Decimal(canceled),
        ),
        actor=ACTOR,
    )


@pytest.fixture
def claims(monkeypatch) -> list[tuple]:
    """Every call of recalculate_next_orders, as (first, last, wait, the row id it returned)."""
    recorded = []
    claim = services.recalculate_next_orders

    def recording(job, *, first, last=None, actor, wait=False, limit):
        row_id = claim(job, first=first, last=last, actor=actor, wait=wait, limit=limit)
        recorded.append((first, last, wait, row_id))
        return row_id

    monkeypatch.setattr(services, "recalculate_next_orders", recording)
    return recorded


def statuses(job: RecalculationJob) -> list[str]:
    return list(job.order_rows.order_by("pk").values_list("status", flat=True))


def stored(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def weighed_order(tenant) -> Order:
    """A demo order whose first entry is sold per kilogram."""
    return next(
        order
        for order in create_demo_orders(tenant, 20, seed=9)
        if order.document["entries"][0]["measurementUnit"]["unit"] == "KGM"
    )


def test_run_recalculation_job_converts_packed_grams_to_delivered_kilograms(weighed_order, not_queued):
    # given
    packed(weighed_order, event_id="g1", amount="600", unit="GRM")
    packed(weighed_order, event_id="g2", amount="350", unit="GRM")
    job = new_job([weighed_order])
    # when
    services.run_recalculation_job(job.job_id)
    # then
    entry = stored(weighed_order).document["entries"][0]
    assert entry["deliveredAmount"] == Decimal("0.950")
    unit_price = entry["calculatedUnitPrice"]["netValue"]
    assert entry["calculatedPrice"]["finalPrice"]["netValue"] == unit_price * Decimal("0.95")


def test_run_recalculation_job_twice_recalculates_each_order_once(orders, not_queued):
    # given
    job = new_job(orders)
    services.run_recalculation_job(job.job_id)
    RecalculationJob.objects.filter(pk=job.pk).update(job_status=JobStatus.IN_PROGRESS, finished_at=None)
    # when
    services.run_recalculation_job(job.job_id)
    # then
    assert [stored(order).version for order in orders] == [2] * len(orders)
    assert OrderEvent.objects.filter(type=OrderEventType.RECALCULATED).count() == len(orders)


def test_recalculate_next_orders_takes_pending_rows_in_order_then_none(orders, not_queued):
    # given
    job = new_job(orders[:3])
    first, *_, last = job.order_rows.order_by("pk").values_list("pk", flat=True)
    # when
    taken = [services.recalculate_next_orders(job, first=first, last=last, actor=ACTOR, limit=1) for _ in range(4)]
    # then
    assert taken == [first, first + 1, last, None]
    assert [stored(order).version for order in orders[:3]] == [2, 2, 2]


def test_recalculate_next_orders_takes_up_to_its_limit_in_one_call(orders, not_queued):
    # given
    job = new_job(orders[:5])
    first, _, third, *_, last = job.order_rows.order_by("pk").values_list("pk", flat=True)
    # when
    taken = [services.recalculate_next_orders(job, first=first, last=last, actor=ACTOR, limit=3) for _ in range(3)]
    # then: the first three rows, then the two left, then none
    assert taken == [third, last, None]
    assert statuses(job) == ["SUCCESS"] * 5
    assert [stored(order).version for order in orders[:5]] == [2] * 5


def test_recalculate_next_orders_skips_a_row_already_done(order, not_queued):
    # given
    job = new_job([order])
    row = job.order_rows.get()
    services.recalculate_next_orders(job, first=row.pk, last=row.pk, actor=ACTOR, limit=1)
    # when
    taken = services.recalculate_next_orders(job, first=row.pk, last=row.pk, actor=ACTOR, limit=1)
    # then
    assert taken is None
    assert stored(order).version == 2


def test_run_recalculation_job_records_a_refused_order_as_failure(orders, not_queued):
    # given
    transition_order(tenant=orders[1].tenant, order_id=orders[1].order_id, status="CONFIRMED", actor=ACTOR)
    transition_order(tenant=orders[1].tenant, order_id=orders[1].order_id, status="COMPLETED", actor=ACTOR)
    job = new_job(orders[:3])
    # when
    services.run_recalculation_job(job.job_id)
    # then
    job.refresh_from_db()
    assert statuses(job) == ["SUCCESS", "FAILURE", "SUCCESS"]
    assert "COMPLETED" in job.order_rows.get(order=orders[1]).message
    assert (job.job_status, stored(orders[1]).version) == (JobStatus.FAILURE, 3)


def test_run_recalculation_job_records_unappliable_events_as_failure(order, not_queued):
    # given
    packed(order, event_id="ok", amount="1", unit=order.document["entries"][0]["measurementUnit"]["unit"])
    hours = [{**entry, "measurementUnit": {"unit": "HUR"}} for entry in order.document["entries"]]
    Order.objects.filter(pk=order.pk).update(document={**order.document, "entries": hours})
    job = new_job([order])
    # when
    services.run_recalculation_job(job.job_id)
    # then
    row = job.order_rows.get()
    assert row.status == JobOrderStatus.FAILURE
    assert "Cannot convert" in row.message


def test_run_recalculation_job_records_an_unexpected_error_and_goes_on(orders, not_queued):
    # given
    job = new_job(orders[:2])
    real = services.recalculate_locked_order

    def failing_for_the_first(order, **kwargs):
        if order.pk == orders[0].pk:
            raise RuntimeError("bug")
        return real(order, **kwargs)

    # when
    with mock.patch.object(services, "recalculate_locked_order", failing_for_the_first):
        services.run_recalculation_job(job.job_id)
    # then
    job.refresh_from_db()
    assert statuses(job) == ["FAILURE", "SUCCESS"]
    assert job.order_rows.first().message == services.INTERNAL_ERROR_MESSAGE
    assert job.job_status == JobStatus.FAILURE


def test_run_recalculation_job_leaves_the_order_pending_on_a_transient_database_error(orders, not_queued):
    # given
    job = new_job(orders[:2])
    # when
    with (
        mock.patch.object(services, "recalculate_locked_order", side_effect=OperationalError("connection lost")),
        pytest.raises(OperationalError),
    ):
        services.run_recalculation_job(job.job_id)
    # then
    job.refresh_from_db()
    assert statuses(job) == ["PENDING", "PENDING"]
    assert job.job_status == JobStatus.IN_PROGRESS


def test_run_recalculation_job_task_retries_transient_database_errors(orders, not_queued, settings):
    # given
    settings.CELERY_TASK_ALWAYS_EAGER = True
    job = new_job(orders[:1])
    real = services.run_recalculation_job
    calls = []

    def once_flaky(job_id):
        calls.append(job_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection")
        real(job_id)

    # when
    with mock.patch.object(services, "run_recalculation_job", once_flaky):
        result = tasks.run_recalculation_job.apply(args=[job.job_id], throw=False)
    # then
    job.refresh_from_db()
    assert result.successful()
    assert len(calls) == 2
    assert job.job_status == JobStatus.SUCCESS


def test_run_recalculation_job_task_is_acknowledged_late():
    # then
    task = tasks.run_recalculation_job
    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
    assert OperationalError in task.autoretry_for


def test_run_recalculation_job_fails_an_order_deleted_since(orders, not_queued):
    # given
    job = new_job(orders[:2])
    Order.objects.filter(pk=orders[0].pk).delete()
    # when
    services.run_recalculation_job(job.job_id)
    # then
    row = job.order_rows.first()
    assert (row.status, row.message) == (JobOrderStatus.FAILURE, f"Order with id {orders[0].order_id} not found.")


def test_run_recalculation_job_of_an_unknown_or_finished_job_does_nothing(orders, not_queued):
    # given
    job = new_job(orders[:1])
    RecalculationJob.objects.filter(pk=job.pk).update(job_status=JobStatus.FAILURE)
    # when
    services.run_recalculation_job("nosuchjob")
    services.run_recalculation_job(job.job_id)
    # then
    assert statuses(job) == ["PENDING"]


def test_run_recalculation_job_walks_every_batch(tenant, not_queued, monkeypatch, claims):
    # given windows of 2 rows, transactions of one order, and every claim recorded
    monkeypatch.setattr(services, "JOB_BATCH_SIZE", 2)
    monkeypatch.setattr(services, "_orders_per_transaction", lambda: 1)
    orders = create_demo_orders(tenant, 5)
    job = new_job(orders)
    # when
    services.run_recalculation_job(job.job_id)
    # then
    job.refresh_from_db()
    assert statuses(job) == ["SUCCESS"] * 5
    assert job.job_status == JobStatus.SUCCESS
    # each window of PENDING rows is walked without waiting, from just after the row last taken, until it is empty;
    # then one waiting pass over the whole job finds nothing left that another worker held
    one, two, three, four, five = job.order_rows.order_by("pk").values_list("pk", flat=True)
    assert claims == [
        (one, two, False, one),
        (one + 1, two, False, two),
        (two + 1, two, False, None),
        (three, four, False, three),
        (three + 1, four, False, four),
        (four + 1, four, False, None),
        (five, five, False, five),
        (five + 1, five, False, None),
        (0, None, True, None),
    ]


def test_take_over_waits_for_each_row_left_pending_from_the_start(orders, not_queued, claims):
    # given a job whose three rows a first pass left PENDING (as when other workers held them)
    job = new_job(orders[:3])
    # when
    services._take_over_held_orders(job, actor=ACTOR)
    # then: from the first row on, waiting for each, each next wait just above the row taken
    one, two, three = job.order_rows.order_by("pk").values_list("pk", flat=True)
    assert claims == [
        (0, None, True, one),
        (one + 1, None, True, two),
        (two + 1, None, True, three),
        (three + 1, None, True, None),
    ]
    assert statuses(job) == ["SUCCESS"] * 3


def test_finish_job_if_done_waits_for_pending_orders(orders, not_queued):
    # given
    job = new_job(orders[:2])
    row_id = job.order_rows.first().pk
    services.recalculate_next_orders(job, first=row_id, last=row_id, actor=ACTOR, limit=1)
    # when
    services.finish_job_if_done(job)
    # then
    job.refresh_from_db()
    assert (job.job_status, job.finished_at) == (JobStatus.IN_PROGRESS, None)


def test_create_recalculation_job_queues_tasks_once_committed(orders, django_capture_on_commit_callbacks):
    # when
    with (
        mock.patch.object(tasks.run_recalculation_job, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = new_job(orders[:1])
        assert delay.call_count == 0
    # then
    assert delay.call_args_list == [mock.call(job.job_id)] * services.TASKS_PER_JOB


def test_resume_unfinished_jobs_queues_jobs_in_progress(orders, not_queued):
    # given
    running = new_job(orders[:1])
    finished = new_job(orders[1:2])
    RecalculationJob.objects.filter(pk=finished.pk).update(job_status=JobStatus.SUCCESS)
    not_queued.reset_mock()
    # when
    resumed = services.resume_unfinished_jobs()
    # then
    assert resumed == [running.job_id]
    not_queued.assert_called_once_with(running.job_id)


def test_orders_needing_recalculation_go_by_when_events_arrived(orders, not_queued):
    # given
    services.run_recalculation_job(new_job(orders[:1]).job_id)
    old_timestamp = timezone.now() - timedelta(days=400)
    services.record_packing_event(
        tenant=orders[0].tenant,
        event=NewPackingEvent(
            event_id="late",
            order_number=orders[0].order_id,
            product_id=orders[0].document["entries"][0]["product"]["id"],
            unit=orders[0].document["entries"][0]["measurementUnit"]["unit"],
            timestamp=old_timestamp,
            site="main",
            packed_amount=Decimal(1),
        ),
        actor=ACTOR,
    )
    # when
    needing = list(orders_needing_recalculation(orders[0].tenant, Actor.system()))
    # then
    assert needing == [orders[0]]


def test_orders_needing_recalculation_ignore_other_tenants_events(orders, other_tenant):
    # given
    foreign = create_demo_orders(other_tenant, 1)[0]
    assert foreign.order_id == orders[0].order_id
    packed(foreign, event_id="foreign", amount="1", unit=foreign.document["entries"][0]["measurementUnit"]["unit"])
    # when
    needing = list(orders_needing_recalculation(orders[0].tenant, Actor.system()))
    # then
    assert needing == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks that others skip need PostgreSQL")
def test_recalculate_next_orders_passes_over_a_row_another_worker_holds(tenant, not_queued):
    # given
    orders = create_demo_orders(tenant, 2)
    job = new_job(orders)
    held, free = job.order_rows.order_by("pk").values_list("pk", flat=True)
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            list(RecalculationJobOrder.objects.select_for_update().filter(pk=held))
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    locked.wait(10)
    # when
    try:
        taken = services.recalculate_next_orders(job, first=held, last=free, actor=ACTOR, limit=2)
    finally:
        release.set()
        thread.join()
    # then
    assert taken == free
    assert [stored(order).version for order in orders] == [1, 2]
