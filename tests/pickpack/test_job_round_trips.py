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
from orders.statuses import OrderStatus
from pickpack import services
from pickpack.inputs import packing_event_from
from pickpack.models import FailureReason, JobOrderStatus, JobStatus, JobType, RecalculationJob

from .conftest import create_demo_orders, event_body

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
# Per order: the order and its entry rows. Per transaction of orders: the rows and their orders' locks (two statements
# on SQLite), the packing events, the amounts set by hand, the change records, the webhook subscriptions, the events
# and the rows' outcome.
STATEMENTS_PER_ORDER = 2
STATEMENTS_PER_TRANSACTION = 7 if connection.vendor == "postgresql" else 8
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
def test_run_recalculation_job_sends_few_statements_per_order_and_no_savepoint(tenant, monkeypatch):
    # given: seven orders, done three to a transaction
    monkeypatch.setattr(services, "_orders_per_transaction", lambda: 3)
    orders = create_demo_orders(tenant, 7)
    job = packed_job(orders)
    # when
    with CaptureQueriesContext(connection) as queries:
        services.run_recalculation_job(job.job_id)
    # then
    statements = [query["sql"] for query in queries.captured_queries if query["sql"] not in TRANSACTION_CONTROL]
    packing_event_reads = [sql for sql in statements if "pickpack_packingevent" in sql]
    assert len(packing_event_reads) == 3
    assert not [sql for sql in statements if "SAVEPOINT" in sql]
    fixed = 14  # the job's own reads, its windows, its end, the session's settings
    assert len(statements) <= STATEMENTS_PER_ORDER * len(orders) + STATEMENTS_PER_TRANSACTION * 3 + fixed
    assert all(stored(order).version == 2 for order in orders)
    assert OrderEvent.objects.filter(order__in=orders, type=OrderEventType.RECALCULATED).count() == len(orders)


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
@pytest.mark.parametrize("faulty", [0, 1, 2])
def test_run_recalculation_job_leaves_nothing_of_an_order_that_failed_after_its_write(tenant, faulty):
    # given: a bug that strikes one order of a transaction's three after the order itself was written
    orders = create_demo_orders(tenant, 3)
    job = packed_job(orders)
    real = events.order_recalculated

    def failing_for_one(order, **kwargs):
        if order.pk == orders[faulty].pk:
            raise RuntimeError("bug")
        return real(order, **kwargs)

    # when
    with mock.patch.object(events, "order_recalculated", failing_for_one):
        services.run_recalculation_job(job.job_id)
    # then: that order is as it was, its failure recorded; the others are done, once
    job.refresh_from_db()
    rows = list(job.order_rows.order_by("pk"))
    assert (rows[faulty].status, rows[faulty].reason, rows[faulty].message) == (
        JobOrderStatus.FAILURE,
        FailureReason.INTERNAL,
        services.INTERNAL_ERROR_MESSAGE,
    )
    assert [row.status for row in rows if row != rows[faulty]] == [JobOrderStatus.SUCCESS] * 2
    assert [stored(order).version for order in orders] == [1 if index == faulty else 2 for index in range(3)]
    delivered = OrderEvent.objects.filter(order__in=orders, type=OrderEventType.DELIVERED)
    assert sorted(delivered.values_list("order_id", flat=True)) == sorted(
        order.pk for index, order in enumerate(orders) if index != faulty
    )
    recorded = ChangeRecord.objects.filter(order__in=orders, operation="recalculation")
    assert sorted(recorded.values_list("order_id", flat=True)) == sorted(
        order.pk for index, order in enumerate(orders) if index != faulty
    )
    assert job.job_status == JobStatus.FAILURE


@pytest.mark.django_db
def test_run_recalculation_job_fails_a_refused_order_alone_and_leaves_nothing_of_it(tenant):
    # given: the middle order of three is COMPLETED, which the job may not change
    orders = create_demo_orders(tenant, 3)
    job = packed_job(orders)
    Order.objects.filter(pk=orders[1].pk).update(status=OrderStatus.COMPLETED)
    # when
    services.run_recalculation_job(job.job_id)
    # then
    rows = list(job.order_rows.order_by("pk"))
    assert [(row.status, row.reason) for row in rows] == [
        (JobOrderStatus.SUCCESS, ""),
        (JobOrderStatus.FAILURE, FailureReason.COMPLETED),
        (JobOrderStatus.SUCCESS, ""),
    ]
    assert [stored(order).version for order in orders] == [2, 1, 2]
    assert not OrderEvent.objects.filter(order=orders[1], type__in=["DELIVERED", "RECALCULATED"]).exists()
    assert not ChangeRecord.objects.filter(order=orders[1], operation="recalculation").exists()


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
