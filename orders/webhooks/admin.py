"""Admin of webhook endpoints (created with their secret shown once) and a read-only view of events and deliveries."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..errors import ValidationFailed
from ..staff.access import MANAGE_WEBHOOKS
from . import services
from .event_types import EventType
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .signing import encrypt_secret, new_secret


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=EventType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["tenant", "url", "events", "description", "is_active"]

    def clean_url(self) -> str:
        return _checked(services.checked_url, self.cleaned_data["url"])

    def clean_events(self) -> list[str]:
        return _checked(services.checked_events, self.cleaned_data["events"])


def _checked(check, value):
    try:
        return check(value)
    except ValidationFailed as error:
        raise ValidationError(error.message) from error


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "tenant", "is_active", "events", "created", "secret_rotated_at"]
    list_filter = ["tenant", "is_active"]
    search_fields = ["url", "description"]
    actions = ["rotate_secret", "disable", "enable"]

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change: bool) -> None:
        if not change:
            secret = new_secret()
            obj.encrypted_secret = encrypt_secret(secret)
            request.webhook_secret = secret  # shown by response_add, this once
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue=None) -> HttpResponse:
        return self._secret_page(request, obj, request.webhook_secret, created=True)

    @admin.action(description="Rotate the secret of the selected endpoint (one at a time)", permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one endpoint: its new secret is shown once.", messages.ERROR)
            return None
        endpoint = queryset.get()
        return self._secret_page(request, endpoint, services.rotate_secret(endpoint=endpoint), created=False)

    @admin.action(description="Disable the selected endpoints", permissions=["change"])
    def disable(self, request: HttpRequest, queryset) -> None:
        for endpoint in queryset:
            services.set_endpoint_active(endpoint=endpoint, active=False)

    @admin.action(
        description="Enable the selected endpoints (their waiting deliveries are sent)", permissions=["change"]
    )
    def enable(self, request: HttpRequest, queryset) -> None:
        for endpoint in queryset:
            services.set_endpoint_active(endpoint=endpoint, active=True)

    def _secret_page(self, request: HttpRequest, endpoint: WebhookEndpoint, secret: str, *, created: bool):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "endpoint": endpoint,
            "secret": secret,
            "created": created,
            "title": "Webhook endpoint secret",
        }
        response = TemplateResponse(request, "admin/orders/webhookendpoint/secret.html", context)
        response["Cache-Control"] = "no-store"
        return response


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["at", "status_code", "duration_ms", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-pk"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "event_type",
        "subject",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_duration_ms",
        "last_attempt_at",
    ]
    list_filter = ["status", "event__type", "endpoint__tenant"]
    search_fields = ["subject", "event__message_id"]
    list_select_related = ["event", "endpoint"]
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]

    @admin.display(description="Event", ordering="event__type")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.type

    def has_manage_webhooks_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE_WEBHOOKS)

    @admin.action(description="Redeliver the selected deliveries (same webhook-id)", permissions=["manage_webhooks"])
    def redeliver(self, request: HttpRequest, queryset) -> None:
        for delivery in queryset.select_related("endpoint__tenant"):
            services.redeliver(tenant=delivery.endpoint.tenant, delivery_id=delivery.pk)
        self.message_user(request, f"{queryset.count()} deliveries queued again.")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["message_id", "type", "subject", "tenant", "timestamp"]
    list_filter = ["type", "tenant"]
    search_fields = ["subject", "message_id"]
