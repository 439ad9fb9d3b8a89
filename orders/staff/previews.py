"""What a change would do to an order, computed from the stored document with the pure pieces; nothing is saved.

The services run the same pieces inside their transaction when the change is saved
(`services.record_deliveries`, `services.split_order`).
"""

from dataclasses import dataclass
from decimal import Decimal

from .. import split
from ..deliveries import Delivery, apply_deliveries
from ..errors import ValidationFailed
from ..models import Order
from ..services import priced
from .presenters import DiffRow, EntryRow, Price, entries_diff, entry_rows, order_totals_diff


@dataclass(frozen=True)
class DeliveryPreview:
    entries: list[DiffRow]
    totals: list[DiffRow]

    @property
    def changes(self) -> int:
        return sum(row.changed for row in self.entries + self.totals)


@dataclass(frozen=True)
class SuborderPreview:
    vendor: str
    entries: list[EntryRow]
    total: Price


@dataclass(frozen=True)
class SplitPreview:
    suborders: list[SuborderPreview]

    @property
    def master_total(self) -> Price:
        """What the master's total becomes: the sum of its suborders' (see split.master_after_split)."""
        return Price(
            *(sum(getattr(suborder.total, part) for suborder in self.suborders) for part in ("net", "tax", "gross"))
        )


def preview_deliveries(order: Order, deliveries: list[Delivery]) -> DeliveryPreview:
    """The order's entries and totals before and after these delivered amounts; raises DomainError when invalid."""
    after = priced(apply_deliveries(order.document, deliveries))
    return DeliveryPreview(entries_diff(order.document, after), order_totals_diff(order.document, after))


@dataclass(frozen=True)
class EntrySincePreview:
    name: str
    unit: str
    known_then: bool  # False: the entry was added after the preview
    delivered_then: Decimal | None
    delivered_now: Decimal | None
    typed: str  # what the staff user typed for it, as typed ("" leaves the entry as it is)

    @property
    def changed(self) -> bool:
        return not self.known_then or self.delivered_then != self.delivered_now


@dataclass(frozen=True)
class ChangedSincePreview:
    """What happened to an order between a delivered-amounts preview and its save, beside what was typed."""

    previewed_version: int
    current_version: int
    entries: list[EntrySincePreview]
    gone: list[str]  # entries typed for that the order no longer holds


def changed_since_preview(
    order: Order, *, previewed_version: int, delivered_then: dict[str, Decimal | None], typed: dict[str, str]
) -> ChangedSincePreview:
    """The order as it is now against what its preview showed: its version and each entry's delivered amount."""
    rows = entry_rows(order.document)
    entries = [
        EntrySincePreview(
            name=row.name,
            unit=row.unit,
            known_then=row.entry_id in delivered_then,
            delivered_then=delivered_then.get(row.entry_id),
            delivered_now=row.delivered,
            typed=typed.get(row.entry_id, ""),
        )
        for row in rows
    ]
    held = {row.entry_id for row in rows}
    gone = [entry_id for entry_id, amount in typed.items() if amount and entry_id not in held]
    return ChangedSincePreview(previewed_version, order.version, entries, gone)


def preview_split(order: Order) -> SplitPreview:
    """The suborders a split by vendor would create; raises DomainError when the order cannot be split."""
    split.check_splittable(order.document, split.SPLIT_BY_VENDOR)
    suborders = split.suborder_documents(priced(order.document))
    previews = []
    for vendor, document in suborders.items():
        suborder = priced(document)
        previews.append(
            SuborderPreview(vendor, entry_rows(suborder), Price.of(suborder["calculatedPrice"]["finalPrice"]))
        )
    return SplitPreview(previews)


def splittable(order: Order) -> bool:
    """Whether the split rules allow splitting this order by vendor (so the page offers it)."""
    try:
        split.check_splittable(order.document, split.SPLIT_BY_VENDOR)
    except ValidationFailed:
        return False
    return True
