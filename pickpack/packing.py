"""From packing events to delivered amounts: which entry an event belongs to and how amounts add up.

The rule (docs/decisions.md, "Pick-pack"):
- an event belongs to the entry whose `product.id` is the event's `productId`; events of products the order
  no longer holds are ignored;
- amounts are increments: an entry's delivered amount is the sum of its events' packed amounts;
- canceled amounts are never delivered, but they settle an entry: an entry whose events carry packed or
  canceled amounts gets a delivered amount (0 when all was canceled); picked-only events settle nothing yet;
- an entry whose events all share one unit is delivered in that unit (orders converts it to the entry's unit);
  events in several units are converted to the entry's unit here and summed;
- a delivered amount set by hand after the entry's last packing event arrived stands: the events set it again
  only once a newer event arrives (docs/decisions.md, "Delivered amounts: which source wins").
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from orders.deliveries import Delivery
from orders.errors import ErrorDetail, ValidationFailed
from orders.units import PIECE, UnitError, convert

ZERO = Decimal(0)


@dataclass(frozen=True)
class EntryRef:
    entry_id: str
    product_id: str
    unit: str = PIECE


@dataclass(frozen=True)
class PackedAmounts:
    """What one packing event says about one product; amounts are None when the event did not give them."""

    product_id: str
    unit: str
    packed: Decimal | None = None
    canceled: Decimal | None = None
    received: datetime | None = None  # when the back office recorded the event


def delivered_amounts(
    entries: Iterable[EntryRef],
    events: Iterable[PackedAmounts],
    set_by_hand: Mapping[str, datetime] | None = None,
) -> list[Delivery]:
    """One Delivery per entry settled by packing events, in the entries' order.

    `set_by_hand`: when each entry's delivered amount was last set by hand, by entry id; such an amount stands
    unless one of the entry's events was received after it.
    """
    entry_by_product = _entries_by_product(entries)
    settling = _settling_events_by_product(events)
    deliveries = []
    for product_id, entry in entry_by_product.items():
        product_events = settling.get(product_id)
        if product_events and not _hand_amount_stands(entry, product_events, set_by_hand or {}):
            deliveries.append(_delivery(entry, product_events))
    return deliveries


def _hand_amount_stands(entry: EntryRef, events: list[PackedAmounts], set_by_hand: Mapping[str, datetime]) -> bool:
    by_hand = set_by_hand.get(entry.entry_id)
    if by_hand is None:
        return False
    return all(event.received is not None and event.received <= by_hand for event in events)


def _entries_by_product(entries: Iterable[EntryRef]) -> dict[str, EntryRef]:
    entry_by_product: dict[str, EntryRef] = {}
    for entry in entries:
        if entry.product_id in entry_by_product:
            # Which entry a packed piece belongs to would be a guess, and a wrong guess a wrong price.
            raise ValidationFailed(
                f"The order holds several entries of product {entry.product_id}; "
                "its packing events cannot be assigned to one of them.",
                [ErrorDetail("entries", f"several entries of product {entry.product_id}")],
            )
        entry_by_product[entry.product_id] = entry
    return entry_by_product


def _settling_events_by_product(events: Iterable[PackedAmounts]) -> dict[str, list[PackedAmounts]]:
    by_product: dict[str, list[PackedAmounts]] = defaultdict(list)
    for event in events:
        by_product[event.product_id].append(event)
    return {
        product_id: product_events
        for product_id, product_events in by_product.items()
        if any((event.packed or ZERO) > 0 or (event.canceled or ZERO) > 0 for event in product_events)
    }


def _delivery(entry: EntryRef, events: list[PackedAmounts]) -> Delivery:
    units = {event.unit for event in events}
    if len(units) == 1:
        return Delivery(entry.entry_id, sum((event.packed or ZERO for event in events), ZERO), units.pop())
    try:
        total = sum((convert(event.packed or ZERO, event.unit, entry.unit) for event in events), ZERO)
    except UnitError as error:
        raise ValidationFailed(
            f"The packing events of product {entry.product_id} cannot be added up: {error}",
            [ErrorDetail("unit", str(error))],
        ) from error
    return Delivery(entry.entry_id, total, entry.unit)
