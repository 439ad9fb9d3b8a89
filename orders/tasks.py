"""Celery tasks of orders: thin, they call the module that does the work."""

from celery import shared_task

from .api.idempotency import prune_expired_keys
from .webhooks.tasks import deliver_webhook  # noqa: F401  (found by the worker's task discovery here)


@shared_task(name="orders.prune_idempotency_keys")
def prune_idempotency_keys() -> int:
    """Delete the Idempotency-Keys past their retention; run every hour by the beat schedule."""
    return prune_expired_keys()
