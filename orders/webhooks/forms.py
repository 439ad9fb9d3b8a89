"""Staff forms of webhook endpoints; the rules (allowed URLs, event names) stay in services."""

from django import forms

from .event_types import EventType
from .models import DeliveryStatus


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="https://… on a public address. Every event is signed with the endpoint's secret.",
        widget=forms.URLInput(attrs={"placeholder": "https://erp.example.com/hooks/orders", "autocomplete": "off"}),
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=EventType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event, including those added later.",
    )
    description = forms.CharField(label="Description", max_length=255, required=False)


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *DeliveryStatus.choices], required=False)
