"""Webhook endpoints, the outbox of events written with each change, and every delivery and its attempts.

Imported by `orders.models`, so that Django finds these models in the `orders` app.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..documents import DecimalJSONDecoder, DecimalJSONEncoder


class WebhookEndpoint(models.Model):
    """A URL of a tenant's integration that receives the events it subscribed to, signed with its secret."""

    tenant = models.ForeignKey("orders.Tenant", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    # Event type names (see event_types); empty: every event.
    events = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True, help_text="Disabled: no new events; the pending ones wait.")
    # Fernet token of the secret's `whsec_…` text, keyed from SECRET_KEY (see signing): deliveries must sign with it.
    encrypted_secret = models.TextField(editable=False)
    secret_rotated_at = models.DateTimeField(default=timezone.now, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant", "pk"]
        indexes = [models.Index(fields=["tenant", "is_active"], name="webhook_endpoint_tenant")]
        permissions = [("manage_webhooks", "Can manage webhook endpoints")]

    def __str__(self) -> str:
        return f"{self.url} ({self.tenant_id})"

    def subscribes_to(self, event_type: str) -> bool:
        return subscribes(self.events, event_type)


def subscribes(events: list[str], event_type: str) -> bool:
    """Whether an endpoint subscribed to `events` takes an event of this type: no list means every event."""
    return not events or event_type in events


class WebhookEvent(models.Model):
    """One event as it happened: its payload is written once, whatever the number of endpoints."""

    tenant = models.ForeignKey("orders.Tenant", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=64)
    # Sent as `webhook-id`: the same for every attempt and every endpoint of this event.
    message_id = models.CharField(max_length=40, unique=True)
    timestamp = models.DateTimeField()
    # What deliveries of the same subject keep in order, e.g. "order:EON1001" or "job:abc".
    subject = models.CharField(max_length=300)
    payload = models.JSONField(encoder=DecimalJSONEncoder, decoder=DecimalJSONDecoder)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.subject}"


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    DELIVERED = "DELIVERED", "Delivered"
    FAILED = "FAILED", "Failed"


class WebhookDelivery(models.Model):
    """An event on its way to one endpoint; deliveries of the same endpoint and subject are sent in order of id."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    subject = models.CharField(max_length=300)  # the event's, copied for the ordering index
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    # Attempts since the delivery was queued (again, for a redelivery); the backoff counts from them.
    attempts = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Set while a worker sends it; a worker killed mid-send leaves it to expire, and the delivery is sent again.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # The head of each (endpoint, subject) line, and whether an earlier delivery still waits.
            models.Index(
                fields=["endpoint", "subject", "id"], name="webhook_delivery_line", condition=Q(status="PENDING")
            ),
            # The sweep: pending deliveries whose time has come.
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due", condition=Q(status="PENDING")),
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and how the endpoint answered: the delivery log."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"
