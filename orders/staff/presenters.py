"""What the staff pages show of an order document: rows for entries, prices and before/after diffs.

Read-only views of the stored `calculatedPrice` (the pricing engine's output); nothing here computes a price.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..deliveries import DeliverySource, entry_unit
from ..documents import get_path


@dataclass(frozen=True)
class Price:
    net: Decimal | None
    tax: Decimal | None
    gross: Decimal | None

    @classmethod
    def of(cls, price: Any) -> "Price":
        price = price if isinstance(price, dict) else {}
        return cls(price.get("netValue"), price.get("taxValue"), price.get("grossValue"))


@dataclass(frozen=True)
class PriceRow:
    label: str
    price: Price
    kind: str = ""  # "total", "deduction" or "detail": how the row is styled


@dataclass(frozen=True)
class TaxLine:
    tax_code: str
    tax_rate: Decimal | None
    price: Price


@dataclass(frozen=True)
class EntryRow:
    entry_id: str
    product_id: str
    name: str
    vendor: str
    unit: str
    ordered: Decimal | None
    delivered: Decimal | None
    unit_price: Decimal | None
    price: Price
    delivered_source: str = ""  # who set the delivered amount last, e.g. "by hand (user:anna)"


# How diff values are shown (Django's floatformat): quantities as they are (no format), component prices with
# their 3 decimals, currency totals with 2.
QUANTITY, COMPONENT, TOTAL = "", "3g", "2g"


@dataclass(frozen=True)
class DiffRow:
    label: str
    before: Any
    after: Any
    places: str = TOTAL

    @property
    def changed(self) -> bool:
        return self.before != self.after


def plain_quantity(value: Any) -> Any:
    """A quantity without trailing zeros (2.310 shows as 2.31, 3.000 as 3); anything else as it is."""
    if not isinstance(value, Decimal):
        return value
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def product_name(entry: dict) -> str:
    """The entry's product name: a plain name, else the English or first localized one, else its id."""
    product = entry.get("product") or {}
    for name in (product.get("name"), product.get("localizedName")):
        if isinstance(name, str) and name:
            return name
        if isinstance(name, dict) and name:
            return str(name.get("en") or next(iter(name.values())))
    return str(product.get("id") or entry.get("id") or "")


def entry_rows(document: dict, delivered_by: dict[str, Any] | None = None) -> list[EntryRow]:
    """The entries as rows; `delivered_by` maps entry ids to the event that last set their delivered amount."""
    delivered_by = delivered_by or {}
    return [
        EntryRow(
            entry_id=str(entry.get("id", "")),
            product_id=str(get_path(entry, "product.id") or ""),
            name=product_name(entry),
            vendor=str(get_path(entry, "product.vendor.id") or ""),
            unit=entry_unit(entry),
            ordered=entry.get("amount"),
            delivered=entry.get("deliveredAmount"),
            unit_price=get_path(entry, "price.effectiveAmount", entry.get("unitPrice")),
            price=Price.of(get_path(entry, "calculatedPrice.finalPrice")),
            delivered_source=delivery_source_label(delivered_by.get(entry.get("id"))),
        )
        for entry in document.get("entries") or []
    ]


def delivery_source_label(event: Any) -> str:
    """ "by hand (user:anna)" or "from packing events" for the event that set a delivered amount; "" for none."""
    if event is None:
        return ""
    source = DeliverySource.LABELS.get(event.parameters.get("source"), "")
    return f"{source} ({event.actor})" if event.parameters.get("source") == DeliverySource.BY_HAND else source


def price_breakdown(document: dict) -> list[PriceRow]:
    """Goods, discounts, fees (each payment fee), shipping and the total, as the order's calculatedPrice holds them."""
    calculated = document.get("calculatedPrice") or {}
    rows = [PriceRow("Goods", Price.of(calculated.get("price")))]
    if calculated.get("totalDiscount"):
        rows.append(PriceRow("Discounts", Price.of(get_path(calculated, "totalDiscount.price")), "deduction"))
    if calculated.get("totalFee"):
        rows.append(PriceRow("Fees", Price.of(calculated["totalFee"])))
    rows += [
        PriceRow(
            f"Payment fee: {_localized(fee.get('name')) or fee.get('type', '')}", Price.of(fee.get("price")), "detail"
        )
        for fee in calculated.get("paymentFees") or []
    ]
    if calculated.get("totalShipping"):
        rows.append(PriceRow("Shipping", Price.of(calculated["totalShipping"])))
    rows.append(PriceRow("Total", Price.of(calculated.get("finalPrice")), "total"))
    return rows


def tax_lines(document: dict) -> list[TaxLine]:
    return [
        TaxLine(str(line.get("taxCode") or ""), line.get("taxRate"), Price.of(line))
        for line in get_path(document, "calculatedPrice.finalPrice.taxAggregate.lines") or []
    ]


def order_totals_diff(before: dict, after: dict) -> list[DiffRow]:
    """Each price of the breakdown, before and after."""
    after_rows = {row.label: row.price for row in price_breakdown(after)}
    rows = []
    for row in price_breakdown(before):
        after_price = after_rows.get(row.label, Price(None, None, None))
        rows += [
            DiffRow(f"{row.label} (net)", row.price.net, after_price.net),
            DiffRow(f"{row.label} (tax)", row.price.tax, after_price.tax),
            DiffRow(f"{row.label} (gross)", row.price.gross, after_price.gross),
        ]
    return rows


def entries_diff(before: dict, after: dict) -> list[DiffRow]:
    """Each entry's delivered amount and final gross price, before and after."""
    after_entries = {row.entry_id: row for row in entry_rows(after)}
    rows = []
    for row in entry_rows(before):
        changed = after_entries.get(row.entry_id, row)
        rows += [
            DiffRow(f"{row.name}: delivered ({row.unit})", row.delivered, changed.delivered, QUANTITY),
            DiffRow(f"{row.name}: gross", row.price.gross, changed.price.gross, COMPONENT),
        ]
    return rows


def _localized(name: Any) -> str:
    if isinstance(name, dict):
        return str(name.get("en") or next(iter(name.values()), ""))
    return str(name or "")


OPERATION_LABELS = {
    "create": "Created",
    "replace": "Replaced through the API (PUT)",
    "patch": "Updated through the API (PATCH)",
    "transition": "Status changed",
    "deliveries": "Delivered amounts set by hand",
    "recalculation": "Recalculated from packing events",
    "entries": "Entries changed",
    "split": "Split",
    "delete": "Deleted",
}
# Changes a timeline item lists before it says "and N more".
CHANGES_SHOWN = 12


@dataclass(frozen=True)
class HistoryRow:
    """One change record as the order page's timeline shows it."""

    timestamp: Any
    label: str
    actor: str
    version: int
    changes: list[dict]

    @property
    def shown_changes(self) -> list[dict]:
        return self.changes[:CHANGES_SHOWN]

    @property
    def more_changes(self) -> int:
        return max(len(self.changes) - CHANGES_SHOWN, 0)

    def touches(self, path_prefix: str) -> bool:
        return any(change["path"].startswith(path_prefix) for change in self.changes)


def history_row(record: Any) -> HistoryRow:
    actor = record.actor or {}
    return HistoryRow(
        timestamp=record.timestamp,
        label=OPERATION_LABELS.get(record.operation, record.operation),
        actor=actor.get("name") or actor.get("id") or "",
        version=record.version,
        changes=record.changes,
    )
