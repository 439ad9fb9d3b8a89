"""Staff pages of the order desk (server-rendered; business rules stay in services and selectors)."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from .. import documents, services
from ..counts import status_counts
from ..documents import get_path
from ..errors import Conflict, DomainError, ErrorDetail, ValidationFailed
from ..models import Order, OrderEvent, OrderEventType, Tenant
from ..paging import CappedPaginator
from ..selectors import delivery_sources, staff_tenant, staff_tenants, visible_orders
from ..statuses import OrderStatus, allowed_next_statuses, check_transition
from .access import (
    MANAGE_ORDERS,
    VIEW_ORDERS,
    error_message,
    page_context,
    require,
    staff_actor,
    staff_order,
    staff_page,
    wants_partial,
)
from .bulk import selection_context, take_outcome
from .dashboard import bar_chart, orders_per_day
from .export_views import start_background_export
from .exports import export_in_background, streamed_csv
from .filters import DEFAULT_SORT, OrderFilterSet
from .forms import (
    SAVE,
    BaseDeliveryFormSet,
    NoteForm,
    OrderActionForm,
    PreviewedDeliveriesForm,
    PreviewedVersionForm,
    SplitForm,
    TransitionForm,
    delivery_formset,
    retyped_formset,
    same_deliveries,
    typed_amounts,
)
from .navigation import filter_chips, remember_list_query
from .presenters import (
    EntryRow,
    HistoryRow,
    actor_names,
    entry_rows,
    history_row,
    note_row,
    price_breakdown,
    rounded_money,
    status_label,
    tax_lines,
)
from .previews import ChangedSincePreview, changed_since_preview, preview_deliveries, preview_split, splittable

LATEST_ORDERS = 10
# What the button for a move to each status says.
TRANSITION_LABELS = {
    OrderStatus.CREATED: "Mark created",
    OrderStatus.CONFIRMED: "Confirm",
    OrderStatus.DECLINED: "Decline",
    OrderStatus.SHIPPED: "Mark shipped",
    OrderStatus.COMPLETED: "Complete",
}
ORDERS_PER_PAGE = 25
# An order page lists this many entries at a time, and shows the raw document up to this size: a page of a huge
# order stays small.
ENTRIES_PER_PAGE = 100
# The newest change records an order page shows (the API's …/changes pages through all of them).
HISTORY_RECORDS = 100
MAX_DOCUMENT_SHOWN = 200_000
# Sections a tenant switch may land on: the same page of the other tenant.
SWITCH_SECTIONS = ("staff:dashboard", "staff:order_list", "jobs:job_list", "jobs:event_list", "webhooks:endpoint_list")
# The list's sortable columns: (heading, sort key, whether a first click sorts descending).
ORDER_COLUMNS = (
    ("Order", "id", False),
    ("Status", "status", False),
    ("Created", "created", True),
    ("Site", "site", False),
    ("Customer", "customer", False),
    ("Total", "total", True),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in user to the dashboard of their first tenant."""
    tenants = staff_tenants(request.user)
    if not tenants:
        return render(request, "orders/no_tenant.html", status=403)
    return redirect("staff:dashboard", tenant=tenants[0].name)


@require_GET
@login_required
def switch_tenant(request: HttpRequest) -> HttpResponse:
    """The tenant switcher's target: the same section of the chosen tenant (404 if not a member)."""
    tenant = staff_tenant(request.user, request.GET.get("tenant", ""))
    section = request.GET.get("section")
    return redirect(section if section in SWITCH_SECTIONS else "staff:dashboard", tenant=tenant.name)


@require_GET
@staff_page(VIEW_ORDERS)
def dashboard(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    context = page_context(
        request,
        tenant,
        "dashboard",
        status_counts=status_counts(tenant),
        chart=bar_chart(orders_per_day(tenant)),
        latest_orders=tenant.orders.defer("document").order_by("-created", "-order_id")[:LATEST_ORDERS],
    )
    return render(request, "orders/dashboard.html", context)


# --- order list ---------------------------------------------------------------------------------------------------


def order_filterset(request: HttpRequest, tenant: Tenant) -> OrderFilterSet:
    return OrderFilterSet(request.GET, queryset=visible_orders(tenant, staff_actor(request.user)).defer("document"))


def sort_columns(current: str) -> list[dict]:
    """Each column's heading with the sort a click asks for and, for the sorted column, its aria-sort."""
    columns = []
    for heading, key, descending_first in ORDER_COLUMNS:
        direction = {key: "ascending", f"-{key}": "descending"}.get(current, "")
        if direction:
            next_sort = f"-{key}" if direction == "ascending" else key
        else:
            next_sort = f"-{key}" if descending_first else key
        columns.append({"heading": heading, "key": key, "sort": next_sort, "aria_sort": direction})
    return columns


@require_GET
@staff_page(VIEW_ORDERS)
def order_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """Search box, filters, q box, sortable columns and paging; an htmx request gets the results region only.

    Filters that need fixing answer 400 with what to fix instead of results (none ran), and the list's query is
    remembered for the breadcrumbs of the orders it leads to.
    """
    filterset = order_filterset(request, tenant)
    valid_filters = filterset.is_valid()
    orders = filterset.ordered_qs() if valid_filters else Order.objects.none()
    pager = CappedPaginator(orders, ORDERS_PER_PAGE, known_count=filterset.counted_total(tenant))
    page = pager.get_page(request.GET.get("page"))
    remember_list_query(request, tenant)
    partial = wants_partial(request)
    context = page_context(
        request,
        tenant,
        "orders",
        filterset=filterset,
        page=page,
        columns=sort_columns(filterset.sort_key),
        sort=filterset.sort_key if filterset.sort_key != DEFAULT_SORT else "",
        partial=partial,
        chips=filter_chips(filterset),
        selection=selection_context(request),
        bulk_outcome=None if partial else take_outcome(request),
    )
    template = "orders/_order_results.html" if partial else "orders/order_list.html"
    return render(request, template, context, status=200 if valid_filters else 400)


@require_GET
@staff_page(VIEW_ORDERS)
def order_export(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The filtered orders as CSV, streamed; too many for a request, an export a worker writes to a file."""
    filterset = order_filterset(request, tenant)
    if not filterset.is_valid():
        messages.error(request, "Fix the filters before exporting.")
        return redirect(reverse("staff:order_list", args=[tenant.name]) + "?" + request.GET.urlencode())
    if export_in_background(filterset, tenant):
        return start_background_export(request, tenant)
    response = StreamingHttpResponse(streamed_csv(filterset.ordered_qs()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{tenant.name}-orders.csv"'
    return response


# --- order detail and its actions ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_page(VIEW_ORDERS)
def order_detail(request: HttpRequest, tenant: Tenant, order_id: str) -> HttpResponse:
    order = staff_order(tenant, order_id, request.user)
    if request.method == "POST":
        return run_order_action(request, tenant, order)
    document = order.document
    raw_document = documents.dumps_pretty(document)
    events = list(order.events.order_by("timestamp", "pk"))
    names = actor_names(event.actor for event in events)
    for event in events:
        event.actor_name = names[event.actor]
    rows = entry_rows(document, delivery_sources(order), names)
    history_filter = request.GET.get("history", "")
    context = page_context(
        request,
        tenant,
        "orders",
        order=order,
        document=document,
        entries=Paginator(rows, ENTRIES_PER_PAGE).get_page(request.GET.get("page")),
        over_delivered=[row for row in rows if row.over_delivered],
        entries_round_apart=entries_round_apart(rows, document, order.currency),
        breakdown=price_breakdown(document),
        tax_lines=tax_lines(document),
        timeline=events,
        has_history=order.changes.exists(),
        history=history_rows(order, events, names, history_filter),
        history_filter=history_filter,
        next_statuses=[
            (status, TRANSITION_LABELS.get(status, status)) for status in allowed_next_statuses(order.status)
        ],
        can_manage=request.user.has_perm(MANAGE_ORDERS),
        can_split=splittable(order),
        suborders=document.get("subOrders") or [],
        raw_document=raw_document if len(raw_document) <= MAX_DOCUMENT_SHOWN else None,
        document_size=len(raw_document),
        note_form=NoteForm(),
    )
    return render(request, "orders/order_detail.html", context)


def history_rows(order: Order, events: list[OrderEvent], names: dict[str, str], path_prefix: str) -> list[HistoryRow]:
    """The order's change records and staff notes for its timeline, newest first; with a path prefix, only the
    records changing such paths. A status change shows the reason given for it."""
    records = order.changes.order_by("-timestamp", "-id")[:HISTORY_RECORDS]
    reasons = {
        event.timestamp: event.parameters["reason"]
        for event in events
        if event.type == OrderEventType.STATUS_CHANGED and event.parameters.get("reason")
    }
    rows = [history_row(record, reasons.get(record.timestamp, "")) for record in records]
    if path_prefix:
        return [row for row in rows if row.touches(path_prefix.strip())]
    notes = [note_row(event, names) for event in events if event.type == OrderEventType.NOTE]
    return sorted(rows + notes, key=lambda row: row.timestamp, reverse=True)[:HISTORY_RECORDS]


def entries_round_apart(rows: list[EntryRow], document: dict, currency: str) -> bool:
    """Whether the entries' gross amounts, each shown rounded to the currency, add up to other than the goods total
    shown: each entry is rounded on its own (docs/calculation.md, "Rounding"), so the page says why."""
    goods = get_path(document, "calculatedPrice.price.grossValue")
    if goods is None or any(row.price.gross is None for row in rows):
        return False
    shown = sum(rounded_money(row.price.gross, currency) for row in rows)
    return shown != rounded_money(goods, currency)


def run_order_action(request: HttpRequest, tenant: Tenant, order: Order) -> HttpResponse:
    """Run one whitelisted action, flash how it went, and redirect (POST/redirect/GET)."""
    require(request.user, MANAGE_ORDERS)
    detail_url = reverse("staff:order_detail", args=[tenant.name, order.order_id])
    action = OrderActionForm(request.POST)
    if not action.is_valid():
        messages.error(request, "Unknown action.")
        return redirect(detail_url)
    try:
        success = ORDER_ACTIONS[action.cleaned_data["action"]](request, tenant, order)
    except DomainError as error:
        messages.error(request, error_message(error))
        return redirect(detail_url)
    messages.success(request, success)
    return redirect(detail_url)


def change_status(request: HttpRequest, tenant: Tenant, order: Order) -> str:
    form = valid(TransitionForm(request.POST))
    status = form.cleaned_data["status"]
    services.transition_order(
        tenant=tenant,
        order_id=order.order_id,
        status=status,
        actor=staff_actor(request.user),
        reason=form.cleaned_data["reason"],
    )
    return f"Order {order.order_id} is now {status_label(status)}."


def add_note(request: HttpRequest, tenant: Tenant, order: Order) -> str:
    text = valid(NoteForm(request.POST)).cleaned_data["text"]
    services.add_note(tenant=tenant, order_id=order.order_id, text=text, actor=staff_actor(request.user))
    return "Note added to the timeline."


ORDER_ACTIONS: dict[str, Callable[[HttpRequest, Tenant, Order], str]] = {
    "transition": change_status,
    "note": add_note,
}


def valid(form: forms.Form) -> forms.Form:
    """The form, if valid; otherwise a ValidationFailed naming its errors."""
    if not form.is_valid():
        details = [ErrorDetail(field, " ".join(errors)) for field, errors in form.errors.items()]
        raise ValidationFailed("The request is invalid.", details)
    return form


def formset_errors(formset: BaseDeliveryFormSet) -> str:
    problems = [str(error) for error in formset.non_form_errors()]
    for form in formset.forms:
        problems += [
            f"{form.entry.name if form.entry else field}: {' '.join(errors)}" for field, errors in form.errors.items()
        ]
    return "; ".join(problems)


@require_GET
@staff_page(MANAGE_ORDERS)
def order_transition(request: HttpRequest, tenant: Tenant, order_id: str) -> HttpResponse:
    """The confirmation step of a status change; the change itself is a POST to the order."""
    order = staff_order(tenant, order_id, request.user)
    form = TransitionForm(request.GET)
    try:
        status = valid(form).cleaned_data["status"]
        check_transition(order.status, status, order.document)
    except DomainError as error:
        messages.error(request, error_message(error))
        return redirect("staff:order_detail", tenant=tenant.name, order_id=order.order_id)
    context = page_context(
        request,
        tenant,
        "orders",
        order=order,
        status=status,
        label=TRANSITION_LABELS.get(status, status),
        form=TransitionForm(initial={"status": status}),
    )
    return render(request, "orders/transition_confirm.html", context)


# --- delivered amounts and split: a preview, and a save of exactly what it showed ---------------------------------


@dataclass(frozen=True)
class PreviewPage:
    """An order's page previewing an action before it is saved: its template, and what it shows (the preview, or
    under `error` the rule that stops the action, and what changed since an earlier preview)."""

    template: str
    context: dict


def preview_response(
    request: HttpRequest, tenant: Tenant, order: Order, page: PreviewPage, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    """The page, saying why the last save was refused, if it was (answered with the refusal's status)."""
    context = page_context(request, tenant, "orders", order=order, refusal=refusal, **page.context)
    return render(request, page.template, context, status=status)


STALE_PREVIEW = (
    "Nothing was saved: the amounts in the fields are not the ones you previewed. "
    "Here is the preview of the amounts in the fields; save again if they are right."
)
NO_PREVIEW_OF_SPLIT = "Nothing was split: preview the split first."


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_ORDERS)
def order_deliveries(request: HttpRequest, tenant: Tenant, order_id: str) -> HttpResponse:
    """Delivered amounts to edit; once entered, a before/after preview with the button that saves them.

    Preview and save are POSTs of the one form holding the fields, so a save carries the fields as they are and
    the preview it was made from; a GET with the fields (an older link) previews too.
    """
    order = staff_order(tenant, order_id, request.user)
    if request.method == "POST" and request.POST.get("action") == SAVE:
        return save_deliveries(request, tenant, order)
    data = request.POST if request.method == "POST" else request.GET if "entries-TOTAL_FORMS" in request.GET else None
    return preview_response(request, tenant, order, deliveries_preview(request, order, delivery_formset(order, data)))


def save_deliveries(request: HttpRequest, tenant: Tenant, order: Order) -> HttpResponse:
    """Save the amounts in the fields if they are the ones previewed, on the version previewed.

    Refused, nothing is saved and the page comes back with what was typed: previewed afresh when the fields differ
    from the preview; beside what changed meanwhile, previewed on the current version, when the order moved on.
    """
    shown = PreviewedDeliveriesForm(request.POST)
    typed = typed_amounts(request.POST)
    # Checked first: the fields are those of the version previewed, which may no longer fit the order's entries.
    if shown.is_valid() and shown.cleaned_data["version"] != order.version:
        return deliveries_changed_meanwhile(request, tenant, order, shown, typed)
    formset = delivery_formset(order, request.POST)
    if not formset.is_valid():
        return preview_response(request, tenant, order, deliveries_preview(request, order, formset), status=400)
    if not shown.is_valid() or not same_deliveries(formset.deliveries(), shown.cleaned_data["amounts"]):
        retyped = deliveries_preview(request, order, retyped_formset(order, typed))
        return preview_response(request, tenant, order, retyped, refusal=STALE_PREVIEW, status=409)
    try:
        saved = services.record_deliveries(
            tenant=tenant,
            order_id=order.order_id,
            deliveries=formset.deliveries(),
            actor=staff_actor(request.user),
            expected_version=shown.cleaned_data["version"],
        )
    except Conflict:  # the order changed since this request read it
        current = staff_order(tenant, order.order_id, request.user)
        return deliveries_changed_meanwhile(request, tenant, current, shown, typed)
    except DomainError as error:
        page = deliveries_preview(request, order, formset)
        return preview_response(request, tenant, order, page, refusal=error_message(error), status=400)
    messages.success(
        request, f"Delivered amounts of {order.order_id} saved; new total {saved.total_gross} {saved.currency}."
    )
    return redirect("staff:order_detail", tenant=tenant.name, order_id=order.order_id)


def deliveries_changed_meanwhile(
    request: HttpRequest, tenant: Tenant, order: Order, shown: PreviewedDeliveriesForm, typed: dict[str, str]
) -> HttpResponse:
    """The typed amounts beside what changed since their preview, previewed on the order as it is now."""
    changes = changed_since_preview(
        order,
        previewed_version=shown.cleaned_data["version"],
        delivered_then=shown.cleaned_data["delivered"],
        typed=typed,
    )
    page = deliveries_preview(request, order, retyped_formset(order, typed), changed_since=changes)
    return preview_response(request, tenant, order, page, status=409)


def deliveries_preview(
    request: HttpRequest,
    order: Order,
    formset: BaseDeliveryFormSet,
    *,
    changed_since: ChangedSincePreview | None = None,
) -> PreviewPage:
    """The page (over htmx, its preview region) with a preview of the amounts in the fields, if there are any."""
    preview, previewed, error = None, None, ""
    if formset.is_bound and formset.is_valid():
        try:
            preview = preview_deliveries(order, formset.deliveries())
            previewed = PreviewedDeliveriesForm.of(order, formset.deliveries())
        except DomainError as domain_error:
            error = error_message(domain_error)
    elif formset.is_bound:
        error = "Check the delivered amounts: " + formset_errors(formset)
    template = "orders/_delivery_preview.html" if wants_partial(request) else "orders/deliveries.html"
    context = {
        "formset": formset,
        "preview": preview,
        "previewed": previewed,
        "error": error,
        "changed_since": changed_since,
    }
    return PreviewPage(template, context)


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_ORDERS)
def order_split(request: HttpRequest, tenant: Tenant, order_id: str) -> HttpResponse:
    """The suborders a split by vendor would create, with the button that splits the order as previewed."""
    order = staff_order(tenant, order_id, request.user)
    if request.method == "POST":
        return split(request, tenant, order)
    return preview_response(request, tenant, order, split_preview(order))


def split(request: HttpRequest, tenant: Tenant, order: Order) -> HttpResponse:
    """Split the order if it is still the version previewed; else the preview of the order as it is now."""
    shown = PreviewedVersionForm(request.POST)
    if not shown.is_valid():
        return preview_response(request, tenant, order, split_preview(order), refusal=NO_PREVIEW_OF_SPLIT, status=409)
    try:
        split_by = valid(SplitForm(request.POST)).cleaned_data["split_by"]
        result = services.split_order(
            tenant=tenant,
            order_id=order.order_id,
            split_by=split_by,
            actor=staff_actor(request.user),
            expected_version=shown.cleaned_data["version"],
        )
    except Conflict:
        current = staff_order(tenant, order.order_id, request.user)
        page = split_preview(current, previewed_version=shown.cleaned_data["version"])
        return preview_response(request, tenant, current, page, status=409)
    except DomainError as error:
        messages.error(request, error_message(error))
        return redirect("staff:order_detail", tenant=tenant.name, order_id=order.order_id)
    parts = ", ".join(f"{suborder} ({vendor})" for suborder, vendor in result.suborders)
    messages.success(request, f"Order {order.order_id} was split into {parts}.")
    return redirect("staff:order_detail", tenant=tenant.name, order_id=order.order_id)


def split_preview(order: Order, *, previewed_version: int | None = None) -> PreviewPage:
    """The split's page with the suborders it would create, or the rule that stops it; with the version previewed
    before, when the order changed since."""
    try:
        preview, error = preview_split(order), ""
    except DomainError as domain_error:
        preview, error = None, error_message(domain_error)
    return PreviewPage(
        "orders/split.html", {"preview": preview, "error": error, "previewed_version": previewed_version}
    )
