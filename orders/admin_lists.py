"""Admin changelists that stay fast on tables of millions of rows.

No filter lists its values with SELECT DISTINCT over the table (choices, or the values of the newest rows), no
list counts past a cap, and searches look up indexed columns only.
"""

from django.contrib import admin

from .models import Order, Tenant
from .paging import CappedPaginator

# The values a filter offers are those of this many newest rows (one index scan), plus the one selected.
RECENT_VALUES_SAMPLE = 1_000


class CappedCountAdmin(admin.ModelAdmin):
    """A changelist counted up to the cap ("10,000+"), never twice, never in full; 25 rows a page, as the staff list
    (the admin renders each row's cells one by one through templates: a page of 100 cost more than its queries)."""

    show_full_result_count = False
    list_per_page = 25

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return CappedPaginator(queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page)


def recent_values_filter(field: str, title: str) -> type[admin.SimpleListFilter]:
    """A list filter on `field` offering the values of the newest rows (by primary key) and the one selected."""

    class RecentValuesFilter(admin.SimpleListFilter):
        parameter_name = f"{field}__exact"

        def lookups(self, request, model_admin):
            newest = model_admin.get_queryset(request).order_by("-pk").values_list(field, flat=True)
            values = set(newest[:RECENT_VALUES_SAMPLE])
            if self.value() is not None:
                values.add(self.value())
            return [(value, value or "(none)") for value in sorted(values)]

        def queryset(self, request, queryset):
            return queryset if self.value() is None else queryset.filter(**{field: self.value()})

    RecentValuesFilter.title = title
    return RecentValuesFilter


def order_pks_with_id(term: str) -> list[int]:
    """Primary keys of the orders of any tenant whose id is `term` (as typed or upper-cased), looked up on the
    (tenant, id) index. A list, not a subquery: beside an ORDER BY … LIMIT, PostgreSQL would rather walk the sort's
    index testing each row against the subquery, which is a scan of the table when nothing matches."""
    tenants = list(Tenant.objects.values_list("pk", flat=True))
    return list(
        Order.objects.filter(tenant__in=tenants, order_id__in={term, term.upper()}).values_list("pk", flat=True)
    )
