"""Cancelling a job while workers hold batches of its orders: no worker takes another order of it."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from orders.actors import Actor
from orders.models import Order
from pickpack import services
from pickpack.models import FailureReason, JobOrderStatus, JobStatus, RecalculationJobOrder

from .conftest import create_demo_orders, new_job

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks that others skip need PostgreSQL"),
]


def cancel_in_thread(job):
    try:
        return services.cancel_recalculation_job(tenant=job.tenant, job_id=job.job_id, actor=Actor(label="user:anna"))
    finally:
        connection.close()


def wait_until_a_session_waits_for_a_row_lock(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no session waited for a row lock")


def test_cancel_waiting_for_a_held_batch_leaves_no_order_for_another_worker(tenant, not_queued):
    # given: a worker holds the job's first row (its batch is being recalculated)
    orders = create_demo_orders(tenant, 6)
    job = new_job(orders)
    first_row = job.order_rows.order_by("pk").first()
    held, release = threading.Event(), threading.Event()

    def worker_holding_a_batch():
        try:
            with transaction.atomic():
                list(RecalculationJobOrder.objects.select_for_update().filter(pk=first_row.pk))
                held.set()
                release.wait(10)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        holder = pool.submit(worker_holding_a_batch)
        held.wait(10)
        # when: the job is cancelled meanwhile (it waits for that row), and another worker looks for orders
        cancelling = pool.submit(cancel_in_thread, job)
        wait_until_a_session_waits_for_a_row_lock()
        waiting = not cancelling.done()
        taken = services.recalculate_next_orders(job, first=0, actor=services.job_actor(job), limit=20)
        release.set()
        holder.result(10)
        cancelling.result(10)
    # then: the other worker found nothing to take, and every order is left as it was
    assert waiting
    assert taken is None
    job.refresh_from_db()
    assert job.job_status == JobStatus.FAILURE
    rows = list(job.order_rows.values_list("status", "reason"))
    assert rows == [(JobOrderStatus.FAILURE, FailureReason.CANCELLED)] * 6
    assert set(Order.objects.filter(pk__in=[order.pk for order in orders]).values_list("version", flat=True)) == {1}
