"""Delivered amounts: what the warehouse really handed over, set on an order's entries."""

from dataclasses import dataclass
from decimal import Decimal

from .documents import get_path
from .errors import ErrorDetail, ValidationFailed
from .units import PIECE, UnitError, convert


class DeliverySource:
    """Who set a delivered amount: a person or an integration by hand (API, staff pages), or packing events.

    An amount set by hand after the entry's last packing event stands until a newer packing event arrives
    (docs/decisions.md, "Delivered amounts: which source wins").
    """

    BY_HAND = "by_hand"
    PACKING_EVENTS = "packing_events"
    LABELS = {BY_HAND: "by hand", PACKING_EVENTS: "from packing events"}


@dataclass(frozen=True)
class Delivery:
    entry_id: str
    amount: Decimal
    unit: str | None = None  # None: the entry's own unit


def delivered_amount_changes(before: dict, after: dict) -> list[dict]:
    """[{entryId, before, after}] for each entry of `after` whose delivered amount differs from `before`'s."""
    previous = {entry.get("id"): entry.get("deliveredAmount") for entry in before.get("entries") or []}
    return [
        {"entryId": entry.get("id"), "before": previous.get(entry.get("id")), "after": entry.get("deliveredAmount")}
        for entry in after.get("entries") or []
        if entry.get("deliveredAmount") != previous.get(entry.get("id"))
    ]


def entry_unit(entry: dict) -> str:
    return get_path(entry, "measurementUnit.unit") or PIECE


def apply_deliveries(document: dict, deliveries: list[Delivery]) -> dict:
    """Return a copy of the document with each delivery's amount, in the entry's unit, as `deliveredAmount`.

    Every delivery is checked before anything is set: one bad delivery and none is applied.
    """
    entries = {entry["id"]: index for index, entry in enumerate(document["entries"])}
    updated = [dict(entry) for entry in document["entries"]]
    errors = []
    for position, delivery in enumerate(deliveries):
        field = f"entries[{position}]"
        if delivery.entry_id not in entries:
            errors.append(ErrorDetail(f"{field}.entryId", f"the order has no entry {delivery.entry_id!r}"))
            continue
        if delivery.amount < 0:
            errors.append(ErrorDetail(f"{field}.deliveredAmount", "must not be negative"))
            continue
        entry = updated[entries[delivery.entry_id]]
        try:
            amount = convert(delivery.amount, delivery.unit or entry_unit(entry), entry_unit(entry))
        except UnitError as error:
            errors.append(ErrorDetail(f"{field}.unit", str(error)))
            continue
        entry["deliveredAmount"] = amount
    if errors:
        raise ValidationFailed("The delivered amounts cannot be applied, see details.", errors)
    return {**document, "entries": updated}
