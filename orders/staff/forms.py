"""Forms of the staff order pages: they validate what a staff user sends; the services decide what it does."""

import json
from decimal import Decimal

from django import forms
from django.forms import BaseFormSet, formset_factory

from ..deliveries import Delivery
from ..models import Order
from ..split import SPLIT_BY_VENDOR, SPLIT_CRITERIA
from ..statuses import OrderStatus
from .presenters import EntryRow, entry_rows

# The order detail page's POST actions; anything else is refused. Delivered amounts and the split post to their
# own pages, which show the preview again when a save is refused.
ORDER_ACTIONS = ("transition", "note")
# What a POST to the delivered amounts page does; anything but "save" only previews.
SAVE = "save"


class OrderActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(action, action) for action in ORDER_ACTIONS])


class TransitionForm(forms.Form):
    """Any known status; whether the order may move there is the status machine's call."""

    status = forms.ChoiceField(label="New status", choices=OrderStatus.choices)
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in the order's timeline.",
    )


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", max_length=2000, strip=True, widget=forms.Textarea(attrs={"rows": 3}))


def amount_field(**kwargs) -> forms.DecimalField:
    """A delivered amount in its entry's unit: not negative, at most 3 decimals (the money columns' scale)."""
    return forms.DecimalField(min_value=Decimal(0), max_digits=20, decimal_places=3, **kwargs)


class DeliveryForm(forms.Form):
    entry_id = forms.CharField(widget=forms.HiddenInput, max_length=255)
    # data-previewed-field: staff.js compares it with the preview that Save would save.
    delivered_amount = amount_field(
        required=False, widget=forms.NumberInput(attrs={"step": "any", "data-previewed-field": ""})
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
    """The order version a preview showed; saving refuses an order that changed since."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class PreviewedDeliveriesForm(PreviewedVersionForm):
    """What a delivered-amounts preview showed, carried by its Save button beside the fields themselves.

    `amounts` are the deliveries previewed, `delivered` the entries' delivered amounts before them (to show what
    changed meanwhile when the order moved on). Both are JSON lists of [entry id, amount or null] pairs.
    """

    amounts = forms.CharField(widget=forms.HiddenInput, max_length=100_000)
    delivered = forms.CharField(widget=forms.HiddenInput, max_length=100_000)

    @classmethod
    def of(cls, order: Order, deliveries: list[Delivery]) -> "PreviewedDeliveriesForm":
        """The hidden fields of a preview of these deliveries on the order as it is now."""
        amounts = [[delivery.entry_id, str(delivery.amount)] for delivery in deliveries]
        delivered = [
            [entry.entry_id, None if entry.delivered is None else str(entry.delivered)]
            for entry in entry_rows(order.document)
        ]
        initial = {"version": order.version, "amounts": json.dumps(amounts), "delivered": json.dumps(delivered)}
        return cls(initial=initial)

    def clean_amounts(self) -> list[Delivery]:
        return [Delivery(entry_id, amount) for entry_id, amount in amount_pairs(self.cleaned_data["amounts"])]

    def clean_delivered(self) -> dict[str, Decimal | None]:
        return dict(amount_pairs(self.cleaned_data["delivered"], nullable=True))


def amount_pairs(text: str, *, nullable: bool = False) -> list[tuple[str, Decimal | None]]:
    """[entry id, amount] pairs from their JSON text; amounts are checked like the amount fields."""
    try:
        pairs = json.loads(text)
    except ValueError as error:
        raise forms.ValidationError("Not a list of amounts.") from error
    field = amount_field()
    if not isinstance(pairs, list) or not all(
        isinstance(pair, list)
        and len(pair) == 2
        and isinstance(pair[0], str)
        and (isinstance(pair[1], str) or (nullable and pair[1] is None))
        for pair in pairs
    ):
        raise forms.ValidationError("Not a list of amounts.")
    return [(entry_id, None if amount is None else field.clean(amount)) for entry_id, amount in pairs]


def same_deliveries(first: list[Delivery], second: list[Delivery]) -> bool:
    """Whether two lists set the same entries to the same amounts, in the same order (2 and 2.000 are the same)."""
    return [(d.entry_id, d.amount, d.unit) for d in first] == [(d.entry_id, d.amount, d.unit) for d in second]


def typed_amounts(data) -> dict[str, str]:
    """What was typed in each delivered-amount field of a posted formset, by entry id, as typed."""
    typed = {}
    for key, entry_id in data.items():
        if key.startswith("entries-") and key.endswith("-entry_id"):
            typed[entry_id] = data.get(key.removesuffix("entry_id") + "delivered_amount", "")
    return typed


def retyped_formset(order: Order, typed: dict[str, str]) -> BaseDeliveryFormSet:
    """The order's fields as they are now, each filled with what was typed for its entry (matched by entry id)."""
    entries = entry_rows(order.document)
    data = {
        "entries-TOTAL_FORMS": str(len(entries)),
        "entries-INITIAL_FORMS": str(len(entries)),
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": str(len(entries)),
    }
    for index, entry in enumerate(entries):
        data[f"entries-{index}-entry_id"] = entry.entry_id
        data[f"entries-{index}-delivered_amount"] = typed.get(entry.entry_id, "")
    return delivery_formset(order, data)


class SplitForm(forms.Form):
    split_by = forms.ChoiceField(
        choices=[(criterion, criterion) for criterion in SPLIT_CRITERIA], initial=SPLIT_BY_VENDOR
    )
