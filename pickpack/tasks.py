"""Celery tasks of pick-pack: thin, they take ids and call services."""

import logging
import threading
import time
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from celery.worker import state
from django.conf import settings
from django.db import DatabaseError, connection

from . import services

logger = logging.getLogger(__name__)

# Backoff 2, 4, 8 … seconds, at most 5 minutes apart: about half an hour of database trouble before giving up.
MAX_RETRIES = 10
RETRY_BACKOFF_MAX = 300
# How many times within RECALCULATION_STALL_SECONDS a worker looks for stalled jobs.
STALL_CHECKS_PER_PERIOD = 4


@shared_task(
    name="pickpack.run_recalculation_job",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=services.TRANSIENT_DATABASE_ERRORS,
    retry_backoff=2,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def run_recalculation_job(job_id: str) -> None:
    """Recalculate the job's pending orders; acknowledged only once done, so a dead worker's job is re-delivered."""
    services.run_recalculation_job(job_id)


@worker_ready.connect
def resume_unfinished_jobs(**kwargs) -> None:
    """A starting worker queues the jobs left IN_PROGRESS: a broker may have lost a dead worker's task."""
    try:
        job_ids = services.resume_unfinished_jobs()
    except DatabaseError:
        logger.warning("Could not look for unfinished recalculation jobs", exc_info=True)
        return
    finally:
        connection.close()  # opened in the worker's main process; its pool processes use their own
    if job_ids:
        logger.info("Resumed recalculation jobs %s", ", ".join(job_ids))


@worker_ready.connect
def watch_for_stalled_jobs(sender, **kwargs) -> None:
    """A running worker queues again the jobs whose every task died with another worker (see StalledJobWatch)."""
    if settings.RECALCULATION_STALL_SECONDS <= 0:
        return
    watch = StalledJobWatch(
        pool_size=getattr(sender.controller, "concurrency", None) or 1,
        quiet_for=timedelta(seconds=settings.RECALCULATION_STALL_SECONDS),
    )
    threading.Thread(target=watch.run, name="stalled-job-watch", daemon=True).start()


class StalledJobWatch:
    """Queues again a job IN_PROGRESS in which no order was done for a while, when this worker could run it.

    Such a job's tasks were all taken by a worker that died since: Redis hands them out again only after its
    visibility timeout (an hour), the embedded transport never. The worker looks only while it has a free pool
    process, so the queue is empty (the process would have taken a queued task), and no retry is waiting (a
    database in trouble stalls every job, and more tasks would not help). A job is queued again at most once in
    each quiet period, so one slower than that is not flooded; an extra task is harmless anyway.
    """

    def __init__(self, *, pool_size: int, quiet_for: timedelta):
        self.pool_size = pool_size
        self.quiet_for = quiet_for
        self.queued_at: dict[str, float] = {}

    def run(self) -> None:
        while True:
            time.sleep(self.quiet_for.total_seconds() / STALL_CHECKS_PER_PERIOD)
            try:
                if self.has_room():
                    self.check()
            except Exception:  # the broker unreachable, say: the watch goes on
                logger.exception("Looking for stalled recalculation jobs failed")

    def has_room(self) -> bool:
        return len(state.reserved_requests) < self.pool_size and not state.scheduled_requests

    def check(self) -> None:
        try:
            stalled = services.stalled_job_ids(quiet_for=self.quiet_for)
        except DatabaseError:
            logger.warning("Could not look for stalled recalculation jobs", exc_info=True)
            return
        finally:
            connection.close()  # this thread's own; no connection is kept between checks
        now = time.monotonic()
        self.queued_at = {job_id: at for job_id, at in self.queued_at.items() if job_id in stalled}
        for job_id in stalled:
            if now - self.queued_at.get(job_id, -float("inf")) >= self.quiet_for.total_seconds():
                services.enqueue_job(job_id)
                self.queued_at[job_id] = now
                logger.warning("Queued recalculation job %s again: no order was done in it for a while", job_id)
