"""Forms and filters of the staff job and packing event pages."""

import re
from datetime import date, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet

from orders.errors import ValidationFailed
from orders.staff.filters import day_start

from ..inputs import JobRequest, job_request_from
from ..models import JobOrderStatus, JobStatus, JobType, PackingEvent, RecalculationJob

# The form field of each field of the API's job request, for its error messages.
API_FIELDS = {"jobType": "job_type", "orderIds": "order_ids"}
# Pasted order ids may be separated by new lines, commas, semicolons or spaces.
ORDER_ID_SEPARATORS = re.compile(r"[\s,;]+")


class NewJobForm(forms.Form):
    job_type = forms.ChoiceField(
        label="Type", choices=JobType.choices, initial=JobType.MANUAL, widget=forms.RadioSelect
    )
    order_ids = forms.CharField(
        label="Order ids",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "EON1001\nEON1002", "aria-describedby": "order-ids-help"}
        ),
        help_text="For a manual job: one id per line, or separated by commas or spaces. Duplicates count once.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        pasted = [order_id for order_id in ORDER_ID_SEPARATORS.split(cleaned.get("order_ids") or "") if order_id]
        try:
            # The API's own rules for a job request: one place decides what a valid job is.
            cleaned["job_request"] = job_request_from({"jobType": cleaned["job_type"], "orderIds": pasted or None})
        except ValidationFailed as error:
            for detail in error.details or [None]:
                field = API_FIELDS.get(detail.field.split("[")[0]) if detail else None
                self.add_error(field, detail.message if field else error.message)
        return cleaned

    @property
    def job_request(self) -> JobRequest:
        return self.cleaned_data["job_request"]


class JobFilterSet(django_filters.FilterSet):
    job_status = django_filters.ChoiceFilter(label="Status", choices=JobStatus.choices, empty_label="Any status")
    job_type = django_filters.ChoiceFilter(label="Type", choices=JobType.choices, empty_label="Any type")

    class Meta:
        model = RecalculationJob
        fields: list[str] = []


class JobOrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show orders",
        required=False,
        choices=[("", "All orders"), *JobOrderStatus.choices],
    )


class PackingEventFilterSet(django_filters.FilterSet):
    order_number = django_filters.CharFilter(label="Order id")
    product_id = django_filters.CharFilter(label="Product id")
    site = django_filters.CharFilter(label="Site")
    packed_from = django_filters.DateFilter(
        method="filter_packed_from", label="Packed from", widget=forms.DateInput(attrs={"type": "date"})
    )
    packed_until = django_filters.DateFilter(
        method="filter_packed_until", label="Packed until", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = PackingEvent
        fields: list[str] = []

    def filter_packed_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(timestamp__gte=day_start(value))

    def filter_packed_until(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(timestamp__lt=day_start(value + timedelta(days=1)))
