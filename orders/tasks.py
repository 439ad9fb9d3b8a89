"""Celery tasks of orders: thin, they call the module that does the work."""

from celery import shared_task

from .api.idempotency import prune_expired_keys
from .staff import exports
from .webhooks.tasks import deliver_webhook  # noqa: F401  (found by the worker's task discovery here)


@shared_task(name="orders.prune_idempotency_keys")
def prune_idempotency_keys() -> int:
    """Delete the Idempotency-Keys past their retention; run every hour by the beat schedule."""
    return prune_expired_keys()


@shared_task(name="orders.export_orders")
def export_orders(export_id: int) -> None:
    """Write a large export's CSV file (orders/staff/exports.py)."""
    exports.write_export(export_id)


@shared_task(name="orders.prune_exports")
def prune_exports() -> int:
    """Delete exports past their retention, with their files; run every hour by the beat schedule."""
    return exports.prune_exports()
