"""Celery side of webhooks: the delivery task, and the sweep that queues again deliveries whose task was lost.

No beat is needed: every worker sweeps when it starts and then every WEBHOOKS_SWEEP_SECONDS.
"""

import logging
import threading
import time
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from . import services

logger = logging.getLogger(__name__)

# Longer waits are left to the sweep rather than given to the broker as a countdown: a worker would hold such a task
# for hours, and Redis would hand it to another worker after its visibility timeout.
MAX_COUNTDOWN_SECONDS = 600
# A due delivery not taken for two sweeps (a minute by default) is taken for lost and queued again.
SWEEPS_BEFORE_LOST = 2
DEFAULT_LOST_AFTER_SECONDS = 60


@shared_task(
    name="orders.webhooks.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def deliver_webhook(delivery_id: int) -> None:
    """One attempt of a delivery, when it is its turn; a failed attempt queues the next one after its backoff."""
    services.deliver(delivery_id)


def enqueue_delivery(delivery_id: int, *, after: timedelta | None = None) -> None:
    seconds = after.total_seconds() if after else 0
    if seconds > MAX_COUNTDOWN_SECONDS:
        return  # the sweep queues it when it is due
    deliver_webhook.apply_async((delivery_id,), countdown=seconds or None)


@worker_ready.connect
def sweep_on_start(sender, **kwargs) -> None:
    """A starting worker queues the deliveries left behind, then keeps looking every WEBHOOKS_SWEEP_SECONDS."""
    _sweep_and_disconnect()
    if settings.WEBHOOKS_SWEEP_SECONDS > 0:
        threading.Thread(target=_sweep_forever, name="webhook-sweep", daemon=True).start()


def sweep() -> list[int]:
    """Queue again the deliveries that look lost; returns their ids. Never raises: the next sweep tries again."""
    try:
        delivery_ids = services.requeue_due_deliveries(stale_for=lost_after())
    except DatabaseError:
        logger.warning("Could not look for pending webhook deliveries", exc_info=True)
        return []
    except Exception:  # the broker unreachable, say
        logger.exception("Queuing pending webhook deliveries failed")
        return []
    if delivery_ids:
        logger.info("Queued %d pending webhook deliveries again", len(delivery_ids))
    return delivery_ids


def lost_after() -> timedelta:
    period = settings.WEBHOOKS_SWEEP_SECONDS
    return timedelta(seconds=SWEEPS_BEFORE_LOST * period if period > 0 else DEFAULT_LOST_AFTER_SECONDS)


def _sweep_forever() -> None:
    while True:
        time.sleep(settings.WEBHOOKS_SWEEP_SECONDS)
        _sweep_and_disconnect()


def _sweep_and_disconnect() -> None:
    try:
        sweep()
    finally:
        # Opened in the worker's main process or this thread; pool processes use their own, none is kept between sweeps.
        connection.close()
