"""Celery tasks of pick-pack: thin, they take ids and call services."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError, connection

from . import services

logger = logging.getLogger(__name__)

# Backoff 2, 4, 8 … seconds, at most 5 minutes apart: about half an hour of database trouble before giving up.
MAX_RETRIES = 10
RETRY_BACKOFF_MAX = 300


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
