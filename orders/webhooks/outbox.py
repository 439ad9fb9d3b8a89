"""The transactional outbox: events written in the transaction of the change they report, sent once it commits.

Called by orders.events (one function per kind of order event) and by pick-pack when a job ends. With no endpoint
subscribed, recording an event costs one indexed query and writes nothing.
"""

import json
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.db import connection, transaction

from .. import write_batches
from ..documents import format_timestamp
from ..statuses import OrderStatus
from . import payloads
from .event_types import EventType
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent, subscribes


def record(
    *, tenant_id: int, event_type: str, subject: str, payload: Callable[[], dict], at: datetime
) -> WebhookEvent | None:
    """Write the event and one pending delivery per active endpoint subscribed to it; queue them after commit.

    Must run inside the change's transaction: the event then exists exactly when the change does. `payload` is
    called only when an endpoint listens, so a large order's document is not copied for nothing.
    """
    endpoint_ids = subscribed_endpoint_ids(tenant_id, event_type)
    if not endpoint_ids:
        return None
    event = WebhookEvent.objects.create(
        tenant_id=tenant_id,
        type=event_type,
        message_id=new_message_id(),
        timestamp=at,
        subject=subject,
        payload=payload(),
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint_id=endpoint_id, subject=subject, queued_at=at, next_attempt_at=at)
        for endpoint_id in endpoint_ids
    )
    transaction.on_commit(partial(_enqueue, [delivery.pk for delivery in deliveries]), robust=True)
    return event


def subscribed_endpoint_ids(tenant_id: int, event_type: str) -> list[int]:
    """The tenant's active endpoints that take this type of event.

    Written as SQL because every order write asks, for every tenant: the ORM costs about 0.6 ms of CPU more per query
    (measured on PostgreSQL, docs/performance.md), which is most of what webhooks cost a tenant without endpoints.
    """
    rows = write_batches.read_once(("active webhook endpoints", tenant_id), partial(_active_endpoints, tenant_id))
    return [
        endpoint_id
        for endpoint_id, events in rows
        if subscribes(json.loads(events) if isinstance(events, str) else events, event_type)
    ]


def _active_endpoints(tenant_id: int) -> list[tuple]:
    """(id, events) of the tenant's active endpoints."""
    quote, meta = connection.ops.quote_name, WebhookEndpoint._meta
    sql = (
        f"SELECT {quote('id')}, {quote(meta.get_field('events').column)} FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.get_field('tenant').column)} = %s AND {quote(meta.get_field('is_active').column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant_id])
        return cursor.fetchall()


def new_message_id() -> str:
    return f"msg_{secrets.token_urlsafe(24)}"


def body(event: WebhookEvent) -> dict:
    """What every delivery of the event sends: its type, when it happened, and its data."""
    return {"type": event.type, "timestamp": format_timestamp(event.timestamp), "data": event.payload}


def _enqueue(delivery_ids: list[int]) -> None:
    from .tasks import enqueue_delivery  # tasks import the services, which import this module

    for delivery_id in delivery_ids:
        enqueue_delivery(delivery_id)


# --- the events, one function each -----------------------------------------------------------------------------


def order_created(order, *, at: datetime) -> None:
    _order_event(order, EventType.ORDER_CREATED, at=at)


def order_updated(order, *, at: datetime) -> None:
    _order_event(order, EventType.ORDER_UPDATED, at=at)


def _order_event(order, event_type: str, *, at: datetime) -> None:
    _record_order_event(
        order,
        event_type,
        at=at,
        payload=lambda: payloads.order_payload(
            order.document, version=order.version, created=order.created, modified=at
        ),
    )


def status_changed(order, *, previous: str, at: datetime) -> None:
    """The order's status moved from `previous` to `order.status` (also order.cancelled when it became DECLINED).

    Called while the write is under way: the row holds the new status and version, the document not yet.
    """
    _record_order_event(
        order,
        EventType.ORDER_STATUS_CHANGED,
        at=at,
        payload=lambda: payloads.status_changed_payload(
            order_id=order.order_id,
            status=order.status,
            previous=previous,
            site_code=order.site_code,
            version=order.version,
            changed=at,
        ),
    )
    if order.status == OrderStatus.DECLINED:
        _record_order_event(
            order,
            EventType.ORDER_CANCELLED,
            at=at,
            payload=lambda: payloads.cancelled_payload(
                order_id=order.order_id,
                status=order.status,
                document=order.document,
                version=order.version,
                created=order.created,
                modified=at,
            ),
        )


def order_deleted(order, *, at: datetime) -> None:
    _record_order_event(
        order,
        EventType.ORDER_DELETED,
        at=at,
        payload=lambda: payloads.deleted_payload(
            order_id=order.order_id, site_code=order.site_code, status=order.status
        ),
    )


def recalculation_job_finished(job, *, counts: Callable[[], dict[str, int]]) -> None:
    """The job ended; `counts` gives its orders counted by outcome (called only when an endpoint listens)."""

    def payload() -> dict:
        return payloads.job_finished_payload(
            job_id=job.job_id,
            job_type=job.job_type,
            job_status=job.job_status,
            started=job.started_at,
            finished=job.finished_at,
            counts=counts(),
        )

    record(
        tenant_id=job.tenant_id,
        event_type=EventType.RECALCULATION_JOB_FINISHED,
        subject=f"job:{job.job_id}",
        payload=payload,
        at=job.finished_at,
    )


def _record_order_event(order, event_type: str, *, at: datetime, payload: Callable[[], dict]) -> None:
    record(tenant_id=order.tenant_id, event_type=event_type, subject=f"order:{order.order_id}", payload=payload, at=at)
