"""One small function per kind of order event, written in the same transaction as the change."""

from datetime import datetime

from . import write_batches
from .actors import Actor
from .models import Order, OrderEvent, OrderEventType
from .webhooks import outbox

STATUS_EVENT_TYPES = (OrderEventType.PLACED, OrderEventType.STATUS_CHANGED)


def _record(order: Order, event_type: str, *, actor: Actor, at: datetime, **parameters) -> OrderEvent:
    event = OrderEvent(order=order, type=event_type, timestamp=at, actor=actor.label, parameters=parameters)
    write_batches.insert(event)
    return event


def order_placed(order: Order, *, actor: Actor, at: datetime) -> OrderEvent:
    outbox.order_created(order, at=at)
    return _record(order, OrderEventType.PLACED, actor=actor, at=at, status=order.status)


def order_updated(order: Order, *, actor: Actor, at: datetime, version: int) -> OrderEvent:
    outbox.order_updated(order, at=at)
    return _record(order, OrderEventType.UPDATED, actor=actor, at=at, version=version)


def order_recalculated(order: Order, *, actor: Actor, at: datetime, version: int) -> OrderEvent:
    outbox.order_updated(order, at=at)
    return _record(order, OrderEventType.RECALCULATED, actor=actor, at=at, version=version)


def status_changed(order: Order, *, previous: str, actor: Actor, at: datetime, reason: str = "") -> OrderEvent:
    """`reason`: why, in the words of whoever changed it (a decline's reason); left out when none was given."""
    outbox.status_changed(order, previous=previous, at=at)
    extra = {"reason": reason} if reason else {}
    return _record(
        order, OrderEventType.STATUS_CHANGED, actor=actor, at=at, previous=previous, status=order.status, **extra
    )


def order_split(order: Order, *, suborders: list[str], actor: Actor, at: datetime) -> OrderEvent:
    outbox.order_updated(order, at=at)
    return _record(order, OrderEventType.SPLIT, actor=actor, at=at, suborders=suborders)


def delivered_amounts_set(order: Order, *, changes: list[dict], source: str, actor: Actor, at: datetime) -> OrderEvent:
    """`changes`: [{entryId, before, after}]; `source`: a DeliverySource."""
    return _record(order, OrderEventType.DELIVERED, actor=actor, at=at, source=source, changes=changes)


def note_added(order: Order, *, text: str, actor: Actor, at: datetime) -> OrderEvent:
    """A staff note: it changes nothing on the order, so it has no version, no change record and no webhook."""
    return _record(order, OrderEventType.NOTE, actor=actor, at=at, text=text)


def order_deleted(order: Order, *, actor: Actor, at: datetime) -> None:
    """Only for webhooks: the order's timeline is deleted with it."""
    outbox.order_deleted(order, at=at)
