"""Forms of the staff order pages: they validate what a staff user sends; the services decide what it does."""

from decimal import Decimal

from django import forms
from django.forms import BaseFormSet, formset_factory

from .deliveries import Delivery
from .models import Order
from .presenters import EntryRow, entry_rows
from .split import SPLIT_BY_VENDOR, SPLIT_CRITERIA
from .statuses import OrderStatus

# The order detail page's POST actions; anything else is refused.
ORDER_ACTIONS = ("transition", "record_deliveries", "split")


class OrderActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(action, action) for action in ORDER_ACTIONS])


class TransitionForm(forms.Form):
    """Any known status; whether the order may move there is the status machine's call."""

    status = forms.ChoiceField(label="New status", choices=OrderStatus.choices)


class DeliveryForm(forms.Form):
    entry_id = forms.CharField(widget=forms.HiddenInput, max_length=255)
    delivered_amount = forms.DecimalField(
        required=False,
        min_value=Decimal(0),
        max_digits=20,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )

    def __init__(self, *args, entry: EntryRow | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry
        if entry is not None:
            self.fields["delivered_amount"].label = f"Delivered amount of {entry.name} in {entry.unit}"


class BaseDeliveryFormSet(BaseFormSet):
    def __init__(self, *args, entries: list[EntryRow], **kwargs):
        self.entries = entries
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(self.entries):
            kwargs["entry"] = self.entries[index]
        return kwargs

    def clean(self) -> None:
        super().clean()
        if not any(errors for errors in self.errors) and not self.deliveries():
            raise forms.ValidationError("Enter at least one delivered amount.")

    def deliveries(self) -> list[Delivery]:
        """The amounts given, in each entry's own unit; an empty field leaves its entry as it is."""
        return [
            Delivery(entry_id=form.cleaned_data["entry_id"], amount=form.cleaned_data["delivered_amount"])
            for form in self.forms
            if form.cleaned_data.get("delivered_amount") is not None
        ]


def delivery_formset(order: Order, data=None) -> BaseDeliveryFormSet:
    """One delivered-amount field per entry, filled with the amounts delivered so far."""
    entries = entry_rows(order.document)
    formset_class = formset_factory(
        DeliveryForm,
        formset=BaseDeliveryFormSet,
        extra=0,
        max_num=len(entries),
        validate_max=True,
        absolute_max=len(entries),
    )
    initial = [{"entry_id": entry.entry_id, "delivered_amount": entry.delivered} for entry in entries]
    return formset_class(data, initial=initial, entries=entries, prefix="entries")


class PreviewedVersionForm(forms.Form):
    """The order version a preview showed; saving refuses an order that changed since (optional for old pages)."""

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class SplitForm(forms.Form):
    split_by = forms.ChoiceField(
        choices=[(criterion, criterion) for criterion in SPLIT_CRITERIA], initial=SPLIT_BY_VENDOR
    )
