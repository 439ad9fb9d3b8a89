"""A recalculation job's cheap path: few statements per order, no savepoints, and nothing else changed by it."""

import threading
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orders import events
from orders.actors import Actor
from orders.models import ChangeRecord, Order, OrderEvent, OrderEventType
from orders.services import patch_order
from pickpack import services
from pickpack.inputs import packing_event_from
from pickpack.models import FailureReason, JobOrderStatus, JobStatus, JobType, RecalculationJob

from .conftest import create_demo_orders, event_body

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
# Per order: the row and its order's lock (two statements on SQLite), the packing events, the amounts set by hand,
# the order, its entry rows, its change record, the webhook subscriptions, its events (one INSERT), the job row.
STATEMENTS_PER_ORDER = 9 if connection.vendor == "postgresql" else 10
TRANSACTION_CONTROL = ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")  # SQLite's are logged, PostgreSQL's not
ACTOR = Actor(label="test")


@pytest.fixture(autouse=True)
def not_queued():
    """Jobs are created but no task is queued: the tests run them themselves."""
    with mock.patch.object(services, "enqueue_job"):
        yield


def stored(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def packed_job(orders: list[Order]) -> RecalculationJob:
    """A MANUAL job over the orders, each with a packing event of its first entry, its rows added."""
    for order in orders:
        services.record_packing_event(
            tenant=order.tenant,
            event=packing_event_from(event_body(order, event_id=f"e-{order.order_id}")),
            actor=ACTOR,
        )
    job = services.create_recalculation_job(
        tenant=orders[0].tenant, job_type=JobType.MANUAL, order_ids=[order.order_id for order in orders], actor=ACTOR
    )
    services.select_job_orders(job)
    return job


@pytest.mark.django_db(transaction=True)  # each order's transaction is then its own, not a savepoint in the test's
def test_run_recalculation_job_sends_few_statements_per_order_and_no_savepoint(tenant):
    # given
    orders = create_demo_orders(tenant, 4)
    job = packed_job(orders)
    # when
    with CaptureQueriesContext(connection) as queries:
        services.run_recalculation_job(job.job_id)
    # then
    statements = [query["sql"] for query in queries.captured_queries if query["sql"] not in TRANSACTION_CONTROL]
    per_order = [sql for sql in statements if "pickpack_packingevent" in sql]
    assert len(per_order) == len(orders)
    assert not [sql for sql in statements if "SAVEPOINT" in sql]
    fixed = 14  # the job's own reads, its batches, its end, the session's settings
    assert len(statements) <= STATEMENTS_PER_ORDER * len(orders) + fixed
    assert all(stored(order).version == 2 for order in orders)


@pytest.mark.django_db
def test_run_recalculation_job_writes_an_order_as_the_write_path_does(tenant):
    # given
    order = create_demo_orders(tenant, 1)[0]
    job = packed_job([order])
    # when
    services.run_recalculation_job(job.job_id)
    # then: one change record, DELIVERED then RECALCULATED, the columns that changed written
    stored_order = stored(order)
    assert stored_order.version == 2
    assert stored_order.document["metadata"]["version"] == 2
    assert stored_order.document["entries"][0]["deliveredAmount"] == 1
    assert stored_order.total_gross == stored_order.document["calculatedPrice"]["finalPrice"]["grossValue"]
    assert ChangeRecord.objects.filter(order=stored_order, operation="recalculation").count() == 1
    written = list(OrderEvent.objects.filter(order=stored_order).order_by("pk").values_list("type", flat=True))
    assert written[-2:] == [OrderEventType.DELIVERED, OrderEventType.RECALCULATED]


@pytest.mark.django_db
def test_run_recalculation_job_leaves_nothing_of_an_order_that_failed_after_its_write(tenant):
    # given: a bug that strikes the first order after the order itself was written
    orders = create_demo_orders(tenant, 2)
    job = packed_job(orders)
    real = events.order_recalculated
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("bug")
        return real(*args, **kwargs)

    # when
    with mock.patch.object(events, "order_recalculated", failing_once):
        services.run_recalculation_job(job.job_id)
    # then: the first order is as it was, its failure recorded; the second one is done
    job.refresh_from_db()
    first, second = job.order_rows.order_by("pk")
    assert (first.status, first.reason, first.message) == (
        JobOrderStatus.FAILURE,
        FailureReason.INTERNAL,
        services.INTERNAL_ERROR_MESSAGE,
    )
    assert second.status == JobOrderStatus.SUCCESS
    assert [stored(order).version for order in orders] == [1, 2]
    assert not OrderEvent.objects.filter(order=orders[0], type=OrderEventType.DELIVERED).exists()
    assert not ChangeRecord.objects.filter(order=orders[0], operation="recalculation").exists()
    assert job.job_status == JobStatus.FAILURE


@pytest.mark.django_db
def test_run_recalculation_job_fails_an_order_its_vendor_no_longer_sees(tenant):
    # given: a vendor's job over an order that no longer holds the vendor's entries when the job runs
    order = create_demo_orders(tenant, 1)[0]
    vendor = order.document["entries"][0]["product"]["vendor"]["id"]
    job = packed_job([order])
    RecalculationJob.objects.filter(pk=job.pk).update(vendor_id=vendor)
    entries = [
        {**entry, "product": {**entry["product"], "vendor": {"id": "other"}}} for entry in order.document["entries"]
    ]
    patch_order(tenant=tenant, order_id=order.order_id, patch={"entries": entries}, actor=Actor(label="clerk"))
    # when
    services.run_recalculation_job(job.job_id)
    # then
    row = job.order_rows.get()
    assert (row.status, row.reason) == (JobOrderStatus.FAILURE, FailureReason.NOT_FOUND)
    assert row.message == f"Order with id {order.order_id} not found."
    assert stored(order).version == 2


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_job_recalculate_every_order_once(tenant):
    # given
    orders = create_demo_orders(tenant, 12)
    job = packed_job(orders)

    def worker():
        try:
            services.run_recalculation_job(job.job_id)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # then
    job.refresh_from_db()
    assert job.job_status == JobStatus.SUCCESS
    assert [stored(order).version for order in orders] == [2] * len(orders)
    recalculated = OrderEvent.objects.filter(order__in=orders, type=OrderEventType.RECALCULATED)
    assert recalculated.count() == len(orders)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_job_waits_for_a_client_writing_the_order_and_recalculates_its_write(tenant):
    # given: an API client holds the order's lock while it writes it
    order = create_demo_orders(tenant, 1)[0]
    job = packed_job([order])
    locked, release = threading.Event(), threading.Event()

    def client():
        try:
            with transaction.atomic():
                Order.objects.select_for_update().get(pk=order.pk)
                locked.set()
                release.wait(10)
                patch_order(tenant=tenant, order_id=order.order_id, patch={"siteCode": "B"}, actor=ACTOR)
        finally:
            connection.close()

    thread = threading.Thread(target=client)
    thread.start()
    locked.wait(10)
    # when: the job claims the order's row meanwhile
    timer = threading.Timer(0.5, release.set)
    timer.start()
    services.run_recalculation_job(job.job_id)
    thread.join(10)
    # then: it waited for the client and recalculated the order as the client left it
    stored_order = stored(order)
    assert stored_order.version == 3
    assert stored_order.document["siteCode"] == "B"
    assert stored_order.document["entries"][0]["deliveredAmount"] == 1
    assert job.order_rows.get().status == JobOrderStatus.SUCCESS
