"""How the order list's filters travel: as chips that remove one each, and back to the list from an order."""

from dataclasses import dataclass

from django.http import HttpRequest, QueryDict
from django.urls import reverse

from ..models import Tenant
from .filters import OrderFilterSet

# Parameters that are no filter of their own: the page shown and the sort stay when a chip is removed.
NOT_FILTERS = ("page", "sort")
# The list's query is kept per tenant in the session; a longer one (a q query pasted from a script) is not.
REMEMBERED_QUERY_KEY = "order_list_query"
MAX_REMEMBERED_QUERY = 2000


@dataclass(frozen=True)
class FilterChip:
    label: str
    value: str
    remove_query: str  # the list's query string without this filter (and on its first page)


def filter_chips(filterset: OrderFilterSet) -> list[FilterChip]:
    """One chip per filter in effect, in the form's order; nothing for filters that are empty."""
    data = filterset.data
    chips = []
    for field in filterset.form:
        values = [value for value in data.getlist(field.name) if value.strip()] if field.name in data else []
        if field.name in NOT_FILTERS or not values:
            continue
        chips.append(FilterChip(str(field.label), shown_value(field, values[-1]), without(data, field.name)))
    return chips


def shown_value(field, value: str) -> str:
    """A choice's label (the status "In checkout") rather than its code; anything else as typed."""
    choices = dict(getattr(field.field, "choices", ()) or ())
    return str(choices.get(value, value))


def without(query: QueryDict, name: str) -> str:
    kept = query.copy()
    for removed in (name, "page"):
        kept.pop(removed, None)
    return kept.urlencode()


def remember_list_query(request: HttpRequest, tenant: Tenant) -> None:
    """Keep the list's filters, sort and page, so an order's breadcrumb leads back to the same list."""
    query = request.GET.urlencode()
    remembered = request.session.get(REMEMBERED_QUERY_KEY, {})
    if len(query) > MAX_REMEMBERED_QUERY or remembered.get(tenant.name, "") == query:
        return
    request.session[REMEMBERED_QUERY_KEY] = {**remembered, tenant.name: query}


def order_list_url(request: HttpRequest, tenant: Tenant) -> str:
    """The order list as last shown in this session: always this site's own list, only the query remembered."""
    query = request.session.get(REMEMBERED_QUERY_KEY, {}).get(tenant.name, "")
    url = reverse("staff:order_list", args=[tenant.name])
    return f"{url}?{query}" if query else url
