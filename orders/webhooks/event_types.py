"""The event types an endpoint may subscribe to."""

from django.db import models


class EventType(models.TextChoices):
    # Emporix's order events (events-order): same names, same payloads.
    ORDER_CREATED = "order.created", "order.created: an order was created"
    ORDER_UPDATED = "order.updated", "order.updated: an order's content changed"
    ORDER_CANCELLED = "order.cancelled", "order.cancelled: an order's status became DECLINED"
    ORDER_DELETED = "order.deleted", "order.deleted: an order was deleted"
    # Ours.
    ORDER_STATUS_CHANGED = "order.status_changed", "order.status_changed: an order moved to another status"
    RECALCULATION_JOB_FINISHED = "recalculation_job.finished", "recalculation_job.finished: a job ended"


ALL_EVENT_TYPES = tuple(EventType.values)


def unknown_event_types(names: list[str]) -> list[str]:
    return [name for name in names if name not in ALL_EVENT_TYPES]
