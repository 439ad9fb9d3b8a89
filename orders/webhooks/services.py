"""Every operation on webhook endpoints and deliveries: one function each.

A delivery is sent at least once: it stays PENDING until an endpoint answered 2xx (DELIVERED) or its retries ran out
(FAILED). Deliveries of the same endpoint and subject (an order, a job) go one after the other, in the order their
events happened: a delivery waits while an earlier one of its line is PENDING.
"""

import random
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .. import documents
from ..errors import ErrorDetail, NotFound, ValidationFailed
from ..models import Tenant
from . import outbox, sending
from .addresses import UrlRefused, check_url
from .event_types import ALL_EVENT_TYPES, unknown_event_types
from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .signing import SecretUnreadable, decrypt_secret, encrypt_secret, new_secret, sign

# Retry delays are shortened by up to this fraction at random, so that an endpoint back from an outage is not hit by
# every waiting delivery at the same second.
RETRY_JITTER = 0.1
# What a lease adds to the longest attempt: the time to record its outcome.
LEASE_MARGIN_SECONDS = 10
# Deliveries the sweep queues again at a time; the next sweep takes the rest.
SWEEP_BATCH_SIZE = 500
# Events deleted per transaction by prune_events (with their deliveries and attempts).
PRUNE_BATCH_SIZE = 1000


# --- endpoints --------------------------------------------------------------------------------------------------


def create_endpoint(
    *, tenant: Tenant, url: str, events: list[str] | tuple = (), description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the tenant, with its secret (`whsec_…`), which is shown this once."""
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        tenant=tenant,
        url=checked_url(url),
        events=checked_events(events),
        description=description,
        encrypted_secret=encrypt_secret(secret),
    )
    return endpoint, secret


def checked_url(url: str) -> str:
    """The URL, stripped, or ValidationFailed when events may not go there (see addresses.check_url)."""
    url = (url or "").strip()
    if len(url) > WebhookEndpoint._meta.get_field("url").max_length:
        raise ValidationFailed("The URL is too long.", [ErrorDetail("url", "at most 2000 characters")])
    try:
        check_url(url)
    except UrlRefused as error:
        raise ValidationFailed(f"The URL is refused: {error}", [ErrorDetail("url", str(error))]) from error
    return url


def checked_events(events: list[str] | tuple) -> list[str]:
    """The event types in the order of ALL_EVENT_TYPES, without repeats; ValidationFailed for an unknown one."""
    names = [name.strip() for name in events if name.strip()]
    unknown = unknown_event_types(names)
    if unknown:
        message = f"Unknown event types: {', '.join(unknown)}. Known: {', '.join(ALL_EVENT_TYPES)}."
        raise ValidationFailed(message, [ErrorDetail("events", message)])
    return [name for name in ALL_EVENT_TYPES if name in names]


def update_endpoint(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """Change what an endpoint receives where; None leaves a field as it is."""
    if url is not None:
        endpoint.url = checked_url(url)
    if events is not None:
        endpoint.events = checked_events(events)
    if description is not None:
        endpoint.description = description
    endpoint.save(update_fields=["url", "events", "description"])
    return endpoint


def set_endpoint_active(*, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """Disable an endpoint (no new events; its pending deliveries wait) or enable it again (they are sent)."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=active)
        endpoint.is_active = active
        if active:
            heads = list(_line_heads(WebhookDelivery.objects.filter(endpoint=endpoint)).values_list("pk", flat=True))
            transaction.on_commit(lambda: _enqueue(heads), robust=True)
    return endpoint


def rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """A new secret for the endpoint, shown this once; deliveries sign with it from now on, retries included."""
    secret = new_secret()
    endpoint.encrypted_secret = encrypt_secret(secret)
    endpoint.secret_rotated_at = timezone.now()
    endpoint.save(update_fields=["encrypted_secret", "secret_rotated_at"])
    return secret


def tenant_endpoint(tenant: Tenant, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(tenant=tenant, pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {endpoint_id} in tenant {tenant.name}.")
    return endpoint


# --- deliveries -------------------------------------------------------------------------------------------------


def deliver(delivery_id: int) -> sending.Answer | None:
    """Send the delivery once, if it is due, first in its line and nobody else is sending it; record how it went.

    Returns the endpoint's answer, or None when there was nothing for this call to send.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    try:
        secret = decrypt_secret(delivery.endpoint.encrypted_secret)
    except SecretUnreadable as error:
        answer = sending.Answer(None, 0, str(error))
    else:
        answer = _send(delivery, secret)
    _record_attempt(delivery, answer)
    return answer


def signed_request(delivery: WebhookDelivery, secret: str, *, timestamp: int) -> tuple[bytes, dict[str, str]]:
    """The body and headers of an attempt: the same body and `webhook-id` every time, signed at `timestamp`."""
    event = delivery.event
    body = documents.dumps(outbox.body(event)).encode()
    headers = {
        "Content-Type": "application/json",
        "webhook-id": event.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, event.message_id, timestamp, body),
    }
    return body, headers


def redeliver(*, tenant: Tenant, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again, with the same `webhook-id`: a finished one is queued anew (its retries start over), a
    PENDING one waiting for its next retry is tried now."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=delivery_id, endpoint__tenant=tenant)
            .select_related("event")
            .first()
        )
        if delivery is None:
            raise NotFound(f"No webhook delivery {delivery_id} in tenant {tenant.name}.")
        now = timezone.now()
        if delivery.status != DeliveryStatus.PENDING:
            delivery.status, delivery.attempts, delivery.queued_at = DeliveryStatus.PENDING, 0, now
            delivery.finished_at = None
        delivery.next_attempt_at = now
        delivery.save(update_fields=["status", "attempts", "queued_at", "finished_at", "next_attempt_at"])
        transaction.on_commit(lambda: _enqueue([delivery.pk]), robust=True)
    return delivery


def retry_delay(attempts: int, *, queued_at: datetime, now: datetime) -> timedelta | None:
    """How long to wait after the `attempts`-th failed attempt: growing exponentially from
    WEBHOOKS_RETRY_FIRST_DELAY_SECONDS up to WEBHOOKS_RETRY_MAX_DELAY_SECONDS; None (give up) once the next attempt
    would come later than WEBHOOKS_RETRY_FOR_SECONDS after the delivery was queued."""
    seconds = min(
        settings.WEBHOOKS_RETRY_FIRST_DELAY_SECONDS * settings.WEBHOOKS_RETRY_BACKOFF_FACTOR ** (attempts - 1),
        settings.WEBHOOKS_RETRY_MAX_DELAY_SECONDS,
    )
    delay = timedelta(seconds=seconds * random.uniform(1 - RETRY_JITTER, 1))
    if now + delay - queued_at > timedelta(seconds=settings.WEBHOOKS_RETRY_FOR_SECONDS):
        return None
    return delay


def requeue_due_deliveries(*, stale_for: timedelta) -> list[int]:
    """Queue again the PENDING deliveries due for `stale_for` that no one is sending; returns their ids.

    Their task was lost (a worker killed, the broker unreachable when the change committed) or never scheduled (a
    retry hours away). Only the first of each line: the others follow it. Each one found is marked due now, so it is
    queued again only after another `stale_for`; an extra task is harmless (see _claim).
    """
    now = timezone.now()
    due = (
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now - stale_for)
        .filter(endpoint__is_active=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    )
    delivery_ids = list(_line_heads(due).order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH_SIZE])
    if delivery_ids:
        WebhookDelivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.PENDING).update(next_attempt_at=now)
        _enqueue(delivery_ids)
    return delivery_ids


def prune_events(*, older_than: timedelta) -> int:
    """Delete the events older than `older_than` that no delivery waits to send, with their deliveries and attempts;
    returns how many. In batches, so that memory and each transaction stay small."""
    cutoff = timezone.now() - older_than
    waiting = WebhookDelivery.objects.filter(event=OuterRef("pk"), status=DeliveryStatus.PENDING)
    old = WebhookEvent.objects.filter(timestamp__lt=cutoff).exclude(Exists(waiting)).order_by("pk")
    deleted = 0
    while batch := list(old.values_list("pk", flat=True)[:PRUNE_BATCH_SIZE]):
        with transaction.atomic():
            WebhookAttempt.objects.filter(delivery__event__in=batch).delete()
            WebhookDelivery.objects.filter(event__in=batch).delete()
            WebhookEvent.objects.filter(pk__in=batch).delete()
        deleted += len(batch)
    return deleted


def _line_heads(deliveries: QuerySet) -> QuerySet:
    """The PENDING deliveries among `deliveries` with no earlier PENDING delivery in their line."""
    earlier = WebhookDelivery.objects.filter(
        endpoint=OuterRef("endpoint"), subject=OuterRef("subject"), status=DeliveryStatus.PENDING, pk__lt=OuterRef("pk")
    )
    return deliveries.filter(status=DeliveryStatus.PENDING).exclude(Exists(earlier))


def _lease() -> timedelta:
    # An attempt is cut off after MAX_STEPS timeouts; a delivery held longer than that was its worker's last.
    return timedelta(seconds=sending.MAX_STEPS * settings.WEBHOOKS_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """The delivery, leased to this call, if it is PENDING, due, not leased, of an active endpoint and first in line."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("event", "endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None or not delivery.endpoint.is_active or delivery.next_attempt_at > now:
            return None
        if delivery.lease_until is not None and delivery.lease_until > now:
            return None
        if _earlier_in_line(delivery).exists():
            return None  # sent when the earlier one is done
        delivery.lease_until = now + _lease()
        delivery.save(update_fields=["lease_until"])
    return delivery


def _earlier_in_line(delivery: WebhookDelivery) -> QuerySet:
    return WebhookDelivery.objects.filter(
        endpoint_id=delivery.endpoint_id, subject=delivery.subject, status=DeliveryStatus.PENDING, pk__lt=delivery.pk
    )


def _send(delivery: WebhookDelivery, secret: str) -> sending.Answer:
    body, headers = signed_request(delivery, secret, timestamp=int(time.time()))
    return sending.post(
        delivery.endpoint.url,
        body,
        headers,
        timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_URLS,
    )


def _record_attempt(delivery: WebhookDelivery, answer: sending.Answer) -> None:
    """Log the attempt; mark the delivery DELIVERED, FAILED, or due again after its backoff; queue what follows."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    changes = {
        "attempts": attempts,
        "lease_until": None,
        "last_attempt_at": now,
        "last_status_code": answer.status_code,
        "last_duration_ms": answer.duration_ms,
        "last_error": answer.error,
    }
    delay = None if answer.ok else retry_delay(attempts, queued_at=delivery.queued_at, now=now)
    if answer.ok:
        changes.update(status=DeliveryStatus.DELIVERED, finished_at=now)
    elif delay is None:
        changes.update(status=DeliveryStatus.FAILED, finished_at=now)
    else:
        changes.update(next_attempt_at=now + delay)
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=answer.status_code,
            duration_ms=answer.duration_ms,
            error=answer.error,
            response_excerpt=answer.excerpt,
        )
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(**changes)
        if delay is not None:
            transaction.on_commit(lambda: _enqueue([delivery.pk], after=delay), robust=True)
        else:
            following = _line_heads(
                WebhookDelivery.objects.filter(endpoint_id=delivery.endpoint_id, subject=delivery.subject)
            )
            following_ids = list(following.values_list("pk", flat=True)[:1])
            transaction.on_commit(lambda: _enqueue(following_ids), robust=True)


def _enqueue(delivery_ids: list[int], *, after: timedelta | None = None) -> None:
    from .tasks import enqueue_delivery  # tasks import this module

    for delivery_id in delivery_ids:
        enqueue_delivery(delivery_id, after=after)
