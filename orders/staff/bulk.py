"""Bulk actions of the order list: on the orders ticked, or on all orders matching the list's filters.

Each order goes through the same service as on its own page (its own transaction, change record and webhooks), so
one refused order stops no other; the outcome names each refused order with the reason, worded for staff.
"""

from dataclasses import dataclass, field

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import services
from ..errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from ..models import Order, Tenant
from ..selectors import visible_orders
from ..statuses import OrderStatus, allowed_next_statuses
from .access import MANAGE_ORDERS, VIEW_ORDERS, error_message, require, staff_actor, staff_page
from .exports import streamed_csv
from .filters import DEFAULT_SORT, ORDER_SORTS, OrderFilterSet
from .navigation import order_list_url

# Each order changes in a transaction of its own, with its change record and webhooks: a few hundred keep the
# request within seconds. More are a job for narrower filters.
MAX_BULK_TRANSITIONS = 500
# A ticked order's checkbox says which order and which version of it was on screen: "EON1042:3".
VERSION_SEPARATOR = ":"
MAX_FILTER_QUERY = 8000
OUTCOME_KEY = "order_bulk_outcome"
NOT_FOUND = "It was not found: deleted since the list was shown, or not an order you may see."
# Refused orders listed one by one; beyond this the outcome counts them.
MAX_REFUSALS_SHOWN = 200
# How the outcome says an order moved to each status: "12 confirmed".
DONE_WORDS = {
    OrderStatus.CREATED: "marked created",
    OrderStatus.CONFIRMED: "confirmed",
    OrderStatus.DECLINED: "declined",
    OrderStatus.SHIPPED: "marked shipped",
    OrderStatus.COMPLETED: "completed",
}


class BulkSelectionError(Exception):
    """The selection itself is wrong (nothing ticked, filters to fix, too many orders): nothing was done."""


@dataclass(frozen=True)
class Selection:
    orders: QuerySet[Order]  # in the list's order
    seen_versions: dict[str, int]  # the version of each ticked order on screen; empty for all matching orders
    missing: tuple[str, ...] = ()  # ticked ids of no order the person may see (deleted since, or never theirs)
    filters: str | None = None  # the list's query string, when all orders matching it are selected

    def first_order_ids(self, limit: int) -> list[str]:
        """The ids of the orders found, then of those missing (a job reports each of these as not found)."""
        return [*self.orders.values_list("order_id", flat=True)[:limit], *self.missing][:limit]


@dataclass
class Outcome:
    """What a bulk action did, for the list to show once: "12 confirmed, 3 refused" with each refusal's reason."""

    done: int = 0
    done_word: str = ""
    refused: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""

    @property
    def summary(self) -> str:
        if self.error:
            return self.error
        parts = [f"{self.done} {self.done_word}"]
        if self.refused:
            parts.append(f"{len(self.refused)} refused")
        return ", ".join(parts) + "."

    def as_session_data(self) -> dict:
        return {
            "summary": self.summary,
            "failed": bool(self.error or self.refused),
            "refused": self.refused[:MAX_REFUSALS_SHOWN],
            "more_refused": max(len(self.refused) - MAX_REFUSALS_SHOWN, 0),
        }


class BulkSelectionForm(forms.Form):
    order = forms.CharField(required=False)  # read with getlist: one per ticked order
    all_matching = forms.BooleanField(required=False)
    filters = forms.CharField(required=False, max_length=MAX_FILTER_QUERY)


class BulkTransitionForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(status, OrderStatus(status).label) for status in DONE_WORDS],
        error_messages={"required": "Choose the new status.", "invalid_choice": "Choose one of the statuses listed."},
    )


def selection_context(request: HttpRequest) -> dict:
    """What the list's bulk action bar needs: the filters (to act on all matching orders) and the statuses."""
    filters = request.GET.copy()
    filters.pop("page", None)
    return {"filters": filters.urlencode(), "statuses": BulkTransitionForm.base_fields["status"].choices}


@require_POST
@staff_page(VIEW_ORDERS)
def order_bulk(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """A bulk action of the list (POST only): a status change, or a CSV of the selection."""
    action = request.POST.get("action")
    if action not in BULK_ACTIONS:
        return back_to_list(request, tenant, Outcome(error="Nothing was done: choose an action for the selection."))
    try:
        selection = selected_orders(request, tenant)
    except BulkSelectionError as error:
        return back_to_list(request, tenant, Outcome(error=f"Nothing was done: {error}"))
    return BULK_ACTIONS[action](request, tenant, selection)


def change_status(request: HttpRequest, tenant: Tenant, selection: Selection) -> HttpResponse:
    require(request.user, MANAGE_ORDERS)
    form = BulkTransitionForm(request.POST)
    if not form.is_valid():
        return back_to_list(request, tenant, Outcome(error=f"Nothing was changed: {form.errors['status'][0]}"))
    return back_to_list(request, tenant, transition_selection(request, tenant, selection, form.cleaned_data["status"]))


def export_selection(request: HttpRequest, tenant: Tenant, selection: Selection) -> HttpResponse:
    """The ticked orders' CSV; all matching orders are the list's own export (in the background when many)."""
    if selection.filters is not None:
        return redirect(f"{reverse('staff:order_export', args=[tenant.name])}?{selection.filters}")
    response = StreamingHttpResponse(streamed_csv(selection.orders), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{tenant.name}-selected-orders.csv"'
    return response


BULK_ACTIONS = {"transition": change_status, "export": export_selection}


def selected_orders(request: HttpRequest, tenant: Tenant) -> Selection:
    """The orders a bulk action acts on, as its form names them; BulkSelectionError when that is not clear.

    Every bulk action reads its orders here, whatever else it needs: the selection is the order list's, searched
    and filtered, so reading it needs seeing orders (a job's flash message would count the matches otherwise).
    """
    require(request.user, VIEW_ORDERS)
    form = BulkSelectionForm(request.POST)
    if not form.is_valid():
        raise BulkSelectionError("The selection could not be read; reload the list and select again.")
    visible = visible_orders(tenant, staff_actor(request.user)).defer("document")
    if form.cleaned_data["all_matching"]:
        filters = form.cleaned_data["filters"]
        return Selection(matching_orders(visible, filters), {}, filters=filters)
    seen_versions = ticked_versions(request.POST.getlist("order"))
    if not seen_versions:
        raise BulkSelectionError("Select at least one order, or all orders matching the filters.")
    orders = visible.filter(order_id__in=seen_versions).order_by(*ORDER_SORTS[DEFAULT_SORT])
    found = set(orders.values_list("order_id", flat=True))
    return Selection(orders, seen_versions, tuple(order_id for order_id in seen_versions if order_id not in found))


def matching_orders(visible: QuerySet[Order], filters: str) -> QuerySet[Order]:
    filterset = OrderFilterSet(QueryDict(filters), queryset=visible)
    if not filterset.is_valid():
        raise BulkSelectionError("The filters need fixing before acting on all matching orders.")
    return filterset.ordered_qs()


def ticked_versions(values: list[str]) -> dict[str, int]:
    """{order id: version on screen} of the ticked checkboxes ("EON1042:3"; ids may hold colons, versions not)."""
    versions = {}
    for value in values:
        order_id, _, version = value.rpartition(VERSION_SEPARATOR)
        if not order_id or not version.isdigit():
            raise BulkSelectionError("The selection could not be read; reload the list and select again.")
        versions[order_id] = int(version)
    return versions


def transition_selection(request: HttpRequest, tenant: Tenant, selection: Selection, status: str) -> Outcome:
    """Move each selected order to `status`, each on its own; refusals are collected, not raised."""
    current = dict(selection.orders.values_list("order_id", "status")[: MAX_BULK_TRANSITIONS + 1])
    if len(current) > MAX_BULK_TRANSITIONS:
        return Outcome(
            error=f"Nothing was changed: at most {MAX_BULK_TRANSITIONS} orders change status at once. "
            "Narrow the filters or tick fewer orders."
        )
    outcome = Outcome(done_word=DONE_WORDS[status], refused=[(order_id, NOT_FOUND) for order_id in selection.missing])
    actor = staff_actor(request.user)
    for order_id, status_before in current.items():
        try:
            services.transition_order(
                tenant=tenant,
                order_id=order_id,
                status=status,
                actor=actor,
                expected_version=selection.seen_versions.get(order_id),
            )
        except DomainError as error:
            outcome.refused.append((order_id, refusal_reason(error, status_before, status)))
        else:
            outcome.done += 1
    return outcome


def refusal_reason(error: DomainError, status_before: str, status: str) -> str:
    """Why one order was refused, as staff would say it."""
    target = OrderStatus(status).label
    if isinstance(error, Conflict):
        return "It was changed by someone else after the list was shown; open it to see what changed."
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, PermissionDenied):
        return f"You may not change it: {error.message}"
    if isinstance(error, ValidationFailed) and any(detail.type == "invalid_transition" for detail in error.details):
        allowed = [OrderStatus(next_status).label for next_status in allowed_next_statuses(status_before)]
        if not allowed:
            return f"It is {OrderStatus(status_before).label}, which no status follows."
        return f"It is {OrderStatus(status_before).label}, which can become {' or '.join(allowed)}, not {target}."
    if isinstance(error, ValidationFailed) and any(detail.field == "shipments" for detail in error.details):
        return "It has no shipment data yet (carrier and shipped date); add it on the order first."
    return error_message(error)


def keep_outcome(request: HttpRequest, outcome: Outcome) -> None:
    request.session[OUTCOME_KEY] = outcome.as_session_data()


def take_outcome(request: HttpRequest) -> dict | None:
    """The outcome of the last bulk action, shown once."""
    return request.session.pop(OUTCOME_KEY, None)


def back_to_list(request: HttpRequest, tenant: Tenant, outcome: Outcome):
    """Back to the list as it was filtered, which shows the outcome."""
    keep_outcome(request, outcome)
    return redirect(order_list_url(request, tenant))
