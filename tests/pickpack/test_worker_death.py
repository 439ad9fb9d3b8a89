"""A worker that dies mid-job: the order it held is taken over by a live task, and a job whose every task died is
queued again by a worker with room for it."""

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone

from orders.actors import Actor
from orders.models import Order
from pickpack import services, tasks
from pickpack.models import JobOrderStatus, JobStatus, RecalculationJob, RecalculationJobOrder

from .conftest import create_demo_orders, new_job

ACTOR = Actor(label="test")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and sessions of PostgreSQL")


def versions(orders: list[Order]) -> list[int]:
    return [Order.objects.get(pk=order.pk).version for order in orders]


class OtherWorker(threading.Thread):
    """Holds one job row under its lock, in a transaction of its own, until another session waits for the row; then
    ends its transaction with `finish`."""

    def __init__(self, row_id: int, finish: Callable[[int], None]):
        super().__init__()
        self.row_id, self.finish = row_id, finish
        self.holding = threading.Event()

    def run(self) -> None:
        try:
            with transaction.atomic():
                list(RecalculationJobOrder.objects.select_for_update().filter(pk=self.row_id))
                self.holding.set()
                wait_until_a_session_waits_for_this_one()
                self.finish(self.row_id)
        finally:
            connection.close()

    def __enter__(self) -> "OtherWorker":
        self.start()
        assert self.holding.wait(10)
        return self

    def __exit__(self, *exc_info) -> None:
        self.join()


def wait_until_a_session_waits_for_this_one(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no session waited for the row")


def dies(row_id: int) -> None:
    transaction.set_rollback(True)  # as when its connection closes: PostgreSQL rolls the transaction back


def marks_done(row_id: int) -> None:
    RecalculationJobOrder.objects.filter(pk=row_id).update(status=JobOrderStatus.SUCCESS)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_run_recalculation_job_takes_over_the_order_of_a_worker_that_dies_holding_it(tenant, not_queued):
    # given
    orders = create_demo_orders(tenant, 3)
    job = new_job(orders)
    held = job.order_rows.order_by("pk").values_list("pk", flat=True)[1]
    with OtherWorker(held, dies):
        # when
        services.run_recalculation_job(job.job_id)
    # then
    job.refresh_from_db()
    assert job.job_status == JobStatus.SUCCESS
    assert versions(orders) == [2, 2, 2]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_run_recalculation_job_passes_over_an_order_another_worker_finished_while_it_waited(tenant, not_queued):
    # given
    orders = create_demo_orders(tenant, 3)
    job = new_job(orders)
    held = job.order_rows.order_by("pk").values_list("pk", flat=True)[1]
    with OtherWorker(held, marks_done):
        # when
        services.run_recalculation_job(job.job_id)
    # then
    job.refresh_from_db()
    assert job.job_status == JobStatus.SUCCESS
    assert versions(orders) == [2, 1, 2]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_run_recalculation_job_loses_its_order_when_idle_in_its_transaction_past_the_limit(
    tenant, not_queued, settings
):
    # given
    settings.RECALCULATION_IDLE_TRANSACTION_SECONDS = 1
    orders = create_demo_orders(tenant, 1)
    job = new_job(orders)
    real = services.recalculate_locked_order

    def frozen_worker(*args, **kwargs):
        time.sleep(1.5)
        return real(*args, **kwargs)

    # when
    with (
        mock.patch.object(services, "recalculate_locked_order", frozen_worker),
        pytest.raises(services.TRANSIENT_DATABASE_ERRORS),
    ):
        services.run_recalculation_job(job.job_id)
    # then
    connection.close()
    assert job.order_rows.get().status == JobOrderStatus.PENDING
    assert versions(orders) == [1]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_run_recalculation_job_leaves_the_session_without_idle_limit(tenant, not_queued):
    # given
    job = new_job(create_demo_orders(tenant, 1))
    # when
    services.run_recalculation_job(job.job_id)
    # then
    with connection.cursor() as cursor:
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone() == ("0",)


@pytest.mark.django_db
def test_stalled_job_ids_are_the_jobs_in_progress_without_a_recent_order(tenant, not_queued):
    # given
    quiet, working, _just_started, finished = (new_job(create_demo_orders(tenant, 1, seed=seed)) for seed in range(4))
    long_ago = timezone.now() - timedelta(minutes=5)
    RecalculationJob.objects.filter(pk__in=[quiet.pk, working.pk, finished.pk]).update(started_at=long_ago)
    RecalculationJobOrder.objects.filter(job__in=[quiet, finished]).update(updated=long_ago)
    RecalculationJob.objects.filter(pk=finished.pk).update(job_status=JobStatus.SUCCESS)
    # when
    stalled = services.stalled_job_ids(quiet_for=timedelta(minutes=1))
    # then
    assert stalled == [quiet.job_id]


def test_stalled_job_watch_queues_a_stalled_job_again_once_per_quiet_period():
    # given
    watch = tasks.StalledJobWatch(pool_size=2, quiet_for=timedelta(minutes=1))
    # when
    with (
        mock.patch.object(services, "stalled_job_ids", return_value=["stuck"]),
        mock.patch.object(services, "enqueue_job") as enqueue,
        mock.patch.object(tasks, "connection"),
    ):
        watch.check()
        watch.check()
    # then
    enqueue.assert_called_once_with("stuck")


@pytest.mark.parametrize(
    ("reserved", "scheduled", "room"),
    [(0, 0, True), (1, 0, True), (2, 0, False), (0, 1, False)],
    ids=["idle", "a free process", "every process busy", "a retry waiting"],
)
def test_stalled_job_watch_looks_only_with_a_free_process_and_no_retry_waiting(reserved, scheduled, room):
    # given
    watch = tasks.StalledJobWatch(pool_size=2, quiet_for=timedelta(minutes=1))
    # when
    with (
        mock.patch.object(tasks.state, "reserved_requests", {object() for _ in range(reserved)}),
        mock.patch.object(tasks.state, "scheduled_requests", {object() for _ in range(scheduled)}),
    ):
        has_room = watch.has_room()
    # then
    assert has_room is room
