"""What the staff pages show of an order document: rows for entries, prices and before/after diffs.

Read-only views of the stored `calculatedPrice` (the pricing engine's output); nothing here computes a price.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model

from ..currencies import minor_unit
from ..deliveries import DeliverySource, entry_unit
from ..documents import get_path
from ..statuses import OrderStatus
from ..units import UNIT_NAMES


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
    delivered_source: str = ""  # who set the delivered amount last, e.g. "by hand (Anna Meyer)"

    @property
    def over_delivered(self) -> bool:
        """More delivered than ordered: worth a second look (a typo, a wrong unit), never refused."""
        return self.delivered is not None and self.ordered is not None and self.delivered > self.ordered


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


def status_label(code: Any) -> str:
    """The label people see for a status code ("In checkout" for IN_CHECKOUT); an unknown code as it is."""
    return OrderStatus(code).label if code in OrderStatus.values else str(code or "")


def unit_label(code: str) -> str:
    """A unit as people read it, with its code: "kg (KGM)", "piece (H87)"; an unknown code as it is."""
    name = UNIT_NAMES.get(code)
    return f"{name} ({code})" if name else code


def money_text(value: Any, currency: str | None) -> str:
    """An amount at the currency's precision (half-up, thousands grouped): 1234.5 EUR → "1,234.50", JPY → "1,235".

    Stored components keep 3 decimals and totals 2 (docs/calculation.md); the page shows what the currency pays.
    """
    if value is None or isinstance(value, bool) or not isinstance(value, Decimal | int):
        return ""
    return f"{rounded_money(value, currency):,.{minor_unit(currency)}f}"


def rounded_money(value: Decimal | int, currency: str | None) -> Decimal:
    """An amount rounded half-up to the currency's minor unit, as the staff pages show it."""
    return Decimal(value).quantize(Decimal(1).scaleb(-minor_unit(currency)), rounding=ROUND_HALF_UP)


ACTOR_KINDS = {"client": "API client", "recalculation-job": "Recalculation job", "packer": "Packer"}
ACTORS_WITHOUT_ID = {"system": "System", "seed_demo": "Demo data", "generate_orders": "Order generator"}


def actor_names(labels: Iterable[str]) -> dict[str, str]:
    """How people read each actor label: "user:anna" → the user's full name, "client:erp" → "API client erp",
    "recalculation-job:AB12" → "Recalculation job AB12", "system" → "System". One query for all the users."""
    labels = set(labels)
    usernames = {label.partition(":")[2] for label in labels if label.startswith("user:")}
    full_names = {
        user.get_username(): user.get_full_name() for user in get_user_model().objects.filter(username__in=usernames)
    }
    return {label: _actor_name(label, full_names) for label in labels}


def _actor_name(label: str, full_names: dict[str, str]) -> str:
    kind, _, identifier = label.partition(":")
    if not identifier:
        return ACTORS_WITHOUT_ID.get(label, label)
    if kind == "user":
        return full_names.get(identifier) or identifier
    return f"{ACTOR_KINDS[kind]} {identifier}" if kind in ACTOR_KINDS else label


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


def entry_rows(
    document: dict, delivered_by: dict[str, Any] | None = None, names: dict[str, str] | None = None
) -> list[EntryRow]:
    """The entries as rows; `delivered_by` maps entry ids to the event that last set their delivered amount,
    `names` actor labels to how people read them (see actor_names)."""
    delivered_by, names = delivered_by or {}, names or {}
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
            delivered_source=delivery_source_label(delivered_by.get(entry.get("id")), names),
        )
        for entry in document.get("entries") or []
    ]


def delivery_source_label(event: Any, names: dict[str, str]) -> str:
    """ "by hand (Anna Meyer)" or "from packing events" for the event that set a delivered amount; "" for none."""
    if event is None:
        return ""
    source = DeliverySource.LABELS.get(event.parameters.get("source"), "")
    if event.parameters.get("source") != DeliverySource.BY_HAND:
        return source
    return f"{source} ({names.get(event.actor, event.actor)})"


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
    """One change record, or one staff note, as the order page's timeline shows it."""

    timestamp: Any
    label: str
    actor: str
    version: int | None
    changes: list[dict]
    text: str = ""  # a note, or the reason given for a status change

    @property
    def shown_changes(self) -> list[dict]:
        return self.changes[:CHANGES_SHOWN]

    @property
    def more_changes(self) -> int:
        return max(len(self.changes) - CHANGES_SHOWN, 0)

    def touches(self, path_prefix: str) -> bool:
        return any(change["path"].startswith(path_prefix) for change in self.changes)


def history_row(record: Any, reason: str = "") -> HistoryRow:
    actor = record.actor or {}
    return HistoryRow(
        timestamp=record.timestamp,
        label=OPERATION_LABELS.get(record.operation, record.operation),
        actor=actor.get("name") or actor.get("id") or "",
        version=record.version,
        changes=record.changes,
        text=reason,
    )


def note_row(event: Any, names: dict[str, str]) -> HistoryRow:
    return HistoryRow(
        timestamp=event.timestamp,
        label="Note",
        actor=names.get(event.actor, event.actor),
        version=None,
        changes=[],
        text=event.parameters.get("text", ""),
    )
