"""What a change would do to an order, computed from the stored document with the pure pieces; nothing is saved.

The services run the same pieces inside their transaction when the change is saved
(`services.record_deliveries`, `services.split_order`).
"""

from dataclasses import dataclass

from . import split
from .deliveries import Delivery, apply_deliveries
from .errors import ValidationFailed
from .models import Order
from .presenters import DiffRow, EntryRow, Price, entries_diff, entry_rows, order_totals_diff
from .services import priced


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
