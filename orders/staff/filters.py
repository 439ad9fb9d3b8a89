"""The staff order list's filters: a django-filter FilterSet with the API's q language as one of its fields."""

from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from .. import counts
from ..errors import ValidationFailed
from ..models import Order, OrderEntry, Tenant
from ..query import compile_query
from ..search import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS, search_orders, search_words
from ..statuses import OrderStatus

# Column sort keys of the list, each with a tiebreaker so that paging is stable.
ORDER_SORTS: dict[str, tuple[str, ...]] = {
    "created": ("created", "order_id"),
    "-created": ("-created", "-order_id"),
    "id": ("order_id",),
    "-id": ("-order_id",),
    "status": ("status", "-created", "-order_id"),
    "-status": ("-status", "-created", "-order_id"),
    "site": ("site_code", "-created", "-order_id"),
    "-site": ("-site_code", "-created", "-order_id"),
    "customer": ("customer_email", "-created", "-order_id"),
    "-customer": ("-customer_email", "-created", "-order_id"),
    "total": ("total_gross", "-created", "-order_id"),
    "-total": ("-total_gross", "-created", "-order_id"),
}
DEFAULT_SORT = "-created"
# Filters whose matches the status counters count (orders/counts.py): the status; the sort changes no count.
COUNTED_FILTERS = {"status", "sort"}


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class OrderFilterForm(forms.Form):
    def clean_search(self) -> str:
        search = self.cleaned_data.get("search") or ""
        if len(search_words(search)) > MAX_SEARCH_WORDS:
            raise forms.ValidationError(f"Search for at most {MAX_SEARCH_WORDS} words at once.")
        return search

    def clean_q(self) -> str:
        q = self.cleaned_data.get("q") or ""
        try:
            compile_query(q)
        except ValidationFailed as error:
            raise forms.ValidationError(error.message) from error
        return q

    def clean(self) -> dict:
        cleaned = super().clean()
        low, high = cleaned.get("total_min"), cleaned.get("total_max")
        if low is not None and high is not None and low > high:
            self.add_error("total_max", "must not be less than the minimum")
        first, last = cleaned.get("created_from"), cleaned.get("created_until")
        if first and last and first > last:
            self.add_error("created_until", "must not be before the start date")
        return cleaned


class OrderFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        max_length=MAX_SEARCH_LENGTH,
        help_text="Part of an order id, customer email, name or company; every word must match",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "EON1042, anna@, Müller GmbH", "aria-describedby": "search-help"}
        ),
    )
    q = django_filters.CharFilter(
        method="filter_q",
        label="Query",
        help_text='The API\'s q language, e.g. status:CREATED customer.email:"anna.1@example.com"',
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "status:CREATED siteCode:DE", "aria-describedby": "q-help"}
        ),
    )
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, empty_label="Any status")
    site = django_filters.CharFilter(field_name="site_code", label="Site code")
    customer = django_filters.CharFilter(
        method="filter_customer", label="Customer", help_text="Exact email or customer id"
    )
    vendor = django_filters.CharFilter(method="filter_vendor", label="Vendor id")
    created_from = django_filters.DateFilter(
        method="filter_created_from", label="Created from", widget=forms.DateInput(attrs={"type": "date"})
    )
    created_until = django_filters.DateFilter(
        method="filter_created_until", label="Created until", widget=forms.DateInput(attrs={"type": "date"})
    )
    total_min = django_filters.NumberFilter(
        field_name="total_gross",
        lookup_expr="gte",
        label="Total from",
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    total_max = django_filters.NumberFilter(
        field_name="total_gross", lookup_expr="lte", label="Total to", widget=forms.NumberInput(attrs={"step": "0.01"})
    )
    sort = django_filters.ChoiceFilter(
        method="sort_orders", choices=[(key, key) for key in ORDER_SORTS], empty_label=None, label="Sort"
    )

    class Meta:
        model = Order
        fields: list[str] = []
        form = OrderFilterForm

    def filter_search(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        return search_orders(queryset, value)

    def filter_q(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        return queryset.filter(compile_query(value))

    def filter_customer(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        # Exact matches only, so both lookups use their (tenant, column) index.
        return queryset.filter(Q(customer_email=value) | Q(customer_id=value))

    def filter_vendor(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        return queryset.filter(Exists(OrderEntry.objects.filter(order=OuterRef("pk"), vendor_id=value)))

    def filter_created_from(self, queryset: QuerySet[Order], name: str, value: date) -> QuerySet[Order]:
        return queryset.filter(created__gte=day_start(value))

    def filter_created_until(self, queryset: QuerySet[Order], name: str, value: date) -> QuerySet[Order]:
        return queryset.filter(created__lt=day_start(value + timedelta(days=1)))

    def sort_orders(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        return queryset.order_by(*ORDER_SORTS[value])

    @property
    def sort_key(self) -> str:
        """The sort in effect (the default when none or an invalid one was asked for)."""
        value = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return value or DEFAULT_SORT

    def ordered_qs(self) -> QuerySet[Order]:
        """The filtered orders; sorted by the default when no sort was asked for."""
        orders = self.qs
        return orders if self.form.cleaned_data.get("sort") else orders.order_by(*ORDER_SORTS[DEFAULT_SORT])

    def counted_total(self, tenant: Tenant) -> int | None:
        """The number of matches from the status counters when at most the status filters, else None."""
        if not self.is_valid():
            return None
        given = {name for name, value in self.form.cleaned_data.items() if value not in (None, "")}
        if not given <= COUNTED_FILTERS:
            return None
        return counts.order_count(tenant, status=self.form.cleaned_data.get("status") or None)
