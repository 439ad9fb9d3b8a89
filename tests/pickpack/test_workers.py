"""Jobs run by real `celery -A config worker` processes, on the test database and a real broker.

The broker is CELERY_BROKER_URL when set (Redis in CI), else the embedded SQLAlchemy transport on a file of the
test's own. Data is committed (transactional tests) so that the worker processes see it.
"""

import os
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from config.celery import app as celery_app
from orders.actors import Actor
from orders.models import Order, OrderEvent, OrderEventType
from pickpack import services, tasks
from pickpack.inputs import NewPackingEvent
from pickpack.models import JobOrderStatus, JobStatus, JobType, RecalculationJob
from pickpack.services import record_packing_event

from .conftest import create_demo_orders
from .workers import CeleryWorker, database_activity, database_url_for_workers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

JOB_TIMEOUT = 120
# "Thousands of orders": one worker here recalculates a few hundred a second, so the kill lands mid-job.
CRASH_ORDERS = 3000
# A killed worker's task is handed out again after this many seconds (Redis); production waits an hour.
VISIBILITY_TIMEOUT = 3
# What production waits: within a test, the broker never hands a dead worker's task to another worker.
PRODUCTION_VISIBILITY_TIMEOUT = 3600
JOB_TASK = tasks.run_recalculation_job.name
BROKER_KEEPS_TASKS = {"CELERY_VISIBILITY_TIMEOUT": str(PRODUCTION_VISIBILITY_TIMEOUT)}
# A live worker finishes a job whose other worker died within this many seconds, without the broker's help. The four
# fifths of TAKEOVER_ORDERS left took one worker 17 to 40 s on a 2-core machine at a load average of 3 to 7.
TAKEOVER_TIMEOUT = 60
TAKEOVER_ORDERS = 2000
# A worker queues again a job in which nothing happened for this long (production: 20 s).
STALL_SECONDS = 3
# Enough orders that a cancel lands mid-job; how long the test watches the workers after it.
CANCEL_ORDERS = 1500
AUTOMATIC_ORDERS = 200
AFTER_CANCEL_SECONDS = 3


@pytest.fixture
def broker_url(settings, tmp_path) -> str:
    url = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Celery keeps the connection pool of the broker it first published to; this test publishes to its own.
    celery_app._after_fork()
    yield url
    celery_app._after_fork()


@pytest.fixture
def started_workers() -> list[CeleryWorker]:
    return []


@pytest.fixture
def start_worker(broker_url, tmp_path, started_workers) -> Callable[..., CeleryWorker]:
    """Starts workers on the test database and broker, with settings given as environment variables; every one is
    killed when the test ends."""
    workers = started_workers
    defaults = {
        "DATABASE_URL": database_url_for_workers(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }

    def start(name: str, *, concurrency: int = 2, ready: bool = True, **environment: str) -> CeleryWorker:
        worker = CeleryWorker(name, tmp_path / f"{name}.log", defaults | environment, concurrency)
        workers.append(worker)
        return worker.wait_ready() if ready else worker

    yield start
    for worker in workers:
        worker.kill()


def start_manual_job(orders: list[Order]) -> RecalculationJob:
    """As POST /jobs/recalculations does it: created in one transaction, queued once committed."""
    return services.create_recalculation_job(
        tenant=orders[0].tenant,
        job_type=JobType.MANUAL,
        order_ids=[order.order_id for order in orders],
        actor=Actor(label="test"),
    )


def rows_done(job: RecalculationJob) -> int:
    return job.order_rows.exclude(status=JobOrderStatus.PENDING).count()


def wait_until(condition: Callable[[], bool], timeout: float, what: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what()}")
        time.sleep(0.05)


def wait_for_end(job: RecalculationJob, workers: list[CeleryWorker], timeout: float = JOB_TIMEOUT) -> RecalculationJob:
    def ended() -> bool:
        job.refresh_from_db()
        return job.job_status != JobStatus.IN_PROGRESS

    def what() -> str:
        logs = "\n".join(f"--- {worker.log.name}\n{worker.log_tail()}" for worker in workers)
        return f"job {job.job_id} ends ({rows_done(job)} orders done)\n{logs}\n--- database\n{database_activity()}"

    wait_until(ended, timeout, what)
    return job


def assert_each_order_recalculated_once(orders: list[Order], job: RecalculationJob) -> None:
    stored = Order.objects.filter(pk__in=[order.pk for order in orders]).annotate(
        recalculations=Count("events", filter=Q(events__type=OrderEventType.RECALCULATED))
    )
    assert {(order.version, order.recalculations) for order in stored} == {(2, 1)}
    assert OrderEvent.objects.filter(actor=f"recalculation-job:{job.job_id}").count() == len(orders)
    assert set(job.order_rows.values_list("status", flat=True)) == {JobOrderStatus.SUCCESS}


def test_run_recalculation_job_on_a_real_worker(tenant, start_worker, started_workers):
    # given
    orders = create_demo_orders(tenant, 300)
    start_worker("integration")
    # when
    job = start_manual_job(orders)
    # then
    job = wait_for_end(job, started_workers)
    assert job.job_status == JobStatus.SUCCESS
    assert job.finished_at >= job.started_at
    assert_each_order_recalculated_once(orders, job)


def test_run_recalculation_job_survives_a_killed_worker(tenant, start_worker, started_workers):
    # given
    orders = create_demo_orders(tenant, CRASH_ORDERS)
    first = start_worker("doomed")
    job = start_manual_job(orders)
    wait_until(lambda: rows_done(job) >= CRASH_ORDERS // 10, JOB_TIMEOUT, lambda: "a tenth of the orders are done")
    # when
    first.kill()
    done_when_killed = rows_done(job)
    start_worker("rescuer")
    # then
    assert 0 < done_when_killed < CRASH_ORDERS
    job = wait_for_end(job, started_workers)
    assert job.job_status == JobStatus.SUCCESS
    assert_each_order_recalculated_once(orders, job)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a dead session's row locks are released by PostgreSQL")
def test_run_recalculation_job_finishes_on_the_surviving_worker_when_the_other_is_killed(
    tenant, start_worker, started_workers, record_property
):
    # given
    environment = BROKER_KEEPS_TASKS | {"RECALCULATION_STALL_SECONDS": "0"}  # no help from the stalled job watch
    doomed = start_worker("doomed", ready=False, **environment)
    survivor = start_worker("survivor", ready=False, **environment)
    orders = create_demo_orders(tenant, TAKEOVER_ORDERS)
    doomed.wait_ready()
    survivor.wait_ready()
    job = start_manual_job(orders)
    wait_until(lambda: rows_done(job) >= TAKEOVER_ORDERS // 5, JOB_TIMEOUT, lambda: "a fifth of the orders are done")
    # when
    doomed.kill()
    killed, done_when_killed = time.monotonic(), rows_done(job)
    # then
    assert doomed.tasks_received(JOB_TASK) > 0, "the killed worker ran none of the job"
    assert done_when_killed < TAKEOVER_ORDERS
    job = wait_for_end(job, [survivor], timeout=TAKEOVER_TIMEOUT)
    record_property("seconds_from_kill_to_end", round(time.monotonic() - killed, 1))
    assert job.job_status == JobStatus.SUCCESS
    assert_each_order_recalculated_once(orders, job)


@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"), reason="remote control: Redis")
def test_run_recalculation_job_is_queued_again_by_an_idle_worker_when_its_only_worker_is_killed(
    tenant, start_worker, started_workers, record_property
):
    # given
    environment = BROKER_KEEPS_TASKS | {"RECALCULATION_STALL_SECONDS": str(STALL_SECONDS)}
    idle = start_worker("idle", ready=False, **environment)
    doomed = start_worker("doomed", concurrency=services.TASKS_PER_JOB, ready=False, **environment)
    orders = create_demo_orders(tenant, TAKEOVER_ORDERS)
    idle.wait_ready()
    doomed.wait_ready()
    # every task of the job goes to the doomed worker
    celery_app.control.cancel_consumer("celery", destination=[idle.hostname], reply=True)
    job = start_manual_job(orders)
    wait_until(lambda: rows_done(job) >= TAKEOVER_ORDERS // 5, JOB_TIMEOUT, lambda: "a fifth of the orders are done")
    celery_app.control.add_consumer("celery", destination=[idle.hostname], reply=True)
    # when
    doomed.kill()
    killed = time.monotonic()
    # then
    assert idle.tasks_received(JOB_TASK) == 0, "the job's tasks went to both workers"
    job = wait_for_end(job, [idle], timeout=TAKEOVER_TIMEOUT)
    record_property("seconds_from_kill_to_end", round(time.monotonic() - killed, 1))
    assert job.job_status == JobStatus.SUCCESS
    assert_each_order_recalculated_once(orders, job)
    assert f"Queued recalculation job {job.job_id} again" in idle.log.read_text()


def test_cancelled_job_is_left_by_its_workers_between_orders(tenant, start_worker, started_workers):
    # given: a job being worked on
    orders = create_demo_orders(tenant, CANCEL_ORDERS)
    start_worker("cancelled")
    job = start_manual_job(orders)
    wait_until(lambda: rows_done(job) >= CANCEL_ORDERS // 20, JOB_TIMEOUT, lambda: "some orders are done")
    # when
    services.cancel_recalculation_job(tenant=tenant, job_id=job.job_id, actor=Actor(label="user:anna"))
    recalculated_when_cancelled = set(job.order_rows.filter(status=JobOrderStatus.SUCCESS).values_list("order_id"))
    time.sleep(AFTER_CANCEL_SECONDS)  # the workers' tasks go on looking for rows meanwhile
    # then: nothing was recalculated after the cancel, and every order's row tells what happened to it
    job.refresh_from_db()
    assert (job.job_status, job.cancelled_by) == (JobStatus.FAILURE, "user:anna")
    rows = dict(job.order_rows.values_list("order_id", "status"))
    recalculated = {pk for pk, status in rows.items() if status == JobOrderStatus.SUCCESS}
    assert {(pk,) for pk in recalculated} == recalculated_when_cancelled
    assert 0 < len(recalculated) < CANCEL_ORDERS
    versions = dict(Order.objects.filter(pk__in=rows).values_list("pk", "version"))
    assert {pk for pk, version in versions.items() if version == 2} == recalculated
    assert {version for pk, version in versions.items() if pk not in recalculated} == {1}


def test_automatic_job_selects_its_orders_in_the_worker(tenant, start_worker, started_workers):
    # given: packing events for every other order
    orders = create_demo_orders(tenant, AUTOMATIC_ORDERS)
    packed = orders[::2]
    for order in packed:
        entry = order.document["entries"][0]
        record_packing_event(
            tenant=tenant,
            event=NewPackingEvent(
                event_id=f"auto-{order.order_id}",
                order_number=order.order_id,
                product_id=entry["product"]["id"],
                unit=entry["measurementUnit"]["unit"],
                timestamp=timezone.now(),
                site="main",
                packed_amount=Decimal(1),
            ),
            actor=Actor(label="warehouse"),
        )
    start_worker("automatic")
    # when: the job is created without its orders; the worker's tasks select them and share them
    job = services.create_recalculation_job(tenant=tenant, job_type=JobType.AUTOMATIC, actor=Actor(label="test"))
    assert (job.orders_selected, job.order_rows.count()) == (False, 0)
    # then
    job = wait_for_end(job, started_workers)
    assert job.job_status == JobStatus.SUCCESS
    assert sorted(job.order_rows.values_list("order_number", flat=True)) == sorted(o.order_id for o in packed)
    recalculated = Order.objects.filter(tenant=tenant).annotate(
        recalculations=Count("events", filter=Q(events__type=OrderEventType.RECALCULATED))
    )
    assert {(order.pk, order.version, order.recalculations) for order in recalculated} == {
        (order.pk, 2, 1) if order in packed else (order.pk, 1, 0) for order in orders
    }
