"""Staff pages of webhook endpoints: list and create, disable and enable, rotate the secret, the delivery log."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ..errors import DomainError, NotFound
from ..models import Tenant
from ..staff.access import (
    MANAGE_WEBHOOKS,
    VIEW_WEBHOOKS,
    error_message,
    page_context,
    require,
    staff_page,
    wants_partial,
)
from . import services
from .forms import DeliveryFilterForm, EndpointForm
from .models import DeliveryStatus, WebhookAttempt, WebhookEndpoint

DELIVERIES_PER_PAGE = 50


def staff_endpoint(tenant: Tenant, endpoint_id: int) -> WebhookEndpoint:
    try:
        return services.tenant_endpoint(tenant, endpoint_id)
    except NotFound as error:
        raise Http404(error.message) from error


@require_http_methods(["GET", "POST"])
@staff_page(VIEW_WEBHOOKS)
def endpoint_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The tenant's endpoints with their waiting and failed deliveries; a POST creates one and shows its secret."""
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(request.user, MANAGE_WEBHOOKS)
        if form.is_valid():
            try:
                endpoint, secret = services.create_endpoint(
                    tenant=tenant,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                    description=form.cleaned_data["description"],
                )
            except DomainError as error:
                form.add_error("url", error_message(error))
            else:
                return secret_page(request, tenant, endpoint, secret, created=True)
    endpoints = WebhookEndpoint.objects.filter(tenant=tenant).annotate(
        pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    )
    context = page_context(request, tenant, "webhooks", endpoints=endpoints.order_by("pk"), form=form)
    return render(request, "orders/webhooks/endpoint_list.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
@staff_page(VIEW_WEBHOOKS)
def endpoint_detail(request: HttpRequest, tenant: Tenant, endpoint_id: int) -> HttpResponse:
    """An endpoint and its delivery log, newest first: status, attempts, status codes and response times."""
    endpoint = staff_endpoint(tenant, endpoint_id)
    filter_form = DeliveryFilterForm(request.GET)
    deliveries = (
        endpoint.deliveries.select_related("event")
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-pk")))
        .order_by("-pk")
    )
    if filter_form.is_valid() and filter_form.cleaned_data["status"]:
        deliveries = deliveries.filter(status=filter_form.cleaned_data["status"])
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = page_context(
        request,
        tenant,
        "webhooks",
        endpoint=endpoint,
        page=page,
        filter_form=filter_form,
        partial=wants_partial(request),
    )
    template = "orders/webhooks/_delivery_log.html" if context["partial"] else "orders/webhooks/endpoint_detail.html"
    return render(request, template, context)


@require_POST
@staff_page(MANAGE_WEBHOOKS)
def endpoint_active(request: HttpRequest, tenant: Tenant, endpoint_id: int, active: bool) -> HttpResponse:
    endpoint = staff_endpoint(tenant, endpoint_id)
    services.set_endpoint_active(endpoint=endpoint, active=active)
    if active:
        messages.success(request, "The endpoint is enabled: it gets new events, and its waiting deliveries are sent.")
    else:
        messages.success(request, "The endpoint is disabled: it gets no new events; waiting deliveries are kept.")
    return redirect("webhooks:endpoint_detail", tenant=tenant.name, endpoint_id=endpoint.pk)


@require_POST
@staff_page(MANAGE_WEBHOOKS)
def rotate_secret(request: HttpRequest, tenant: Tenant, endpoint_id: int) -> HttpResponse:
    endpoint = staff_endpoint(tenant, endpoint_id)
    secret = services.rotate_secret(endpoint=endpoint)
    return secret_page(request, tenant, endpoint, secret, created=False)


@require_POST
@staff_page(MANAGE_WEBHOOKS)
def redeliver(request: HttpRequest, tenant: Tenant, endpoint_id: int, delivery_id: int) -> HttpResponse:
    endpoint = staff_endpoint(tenant, endpoint_id)
    if not endpoint.deliveries.filter(pk=delivery_id).exists():
        raise Http404(f"No delivery {delivery_id} of this endpoint.")
    services.redeliver(tenant=tenant, delivery_id=delivery_id)
    messages.success(request, f"Delivery {delivery_id} is queued again, with the same webhook-id.")
    return redirect("webhooks:endpoint_detail", tenant=tenant.name, endpoint_id=endpoint.pk)


def secret_page(
    request: HttpRequest, tenant: Tenant, endpoint: WebhookEndpoint, secret: str, *, created: bool
) -> HttpResponse:
    """The secret, shown this once: rendered in the answer to the POST (never put in a session, cookie or message)."""
    context = page_context(request, tenant, "webhooks", endpoint=endpoint, secret=secret, created=created)
    response = render(request, "orders/webhooks/secret.html", context)
    response["Cache-Control"] = "no-store"
    return response
