"""Where each field of an order lives: hot fields in indexed columns, everything else in the JSON document.

Pure Python: the q parser, the compiler and the tests' reference matcher all read these tables.
"""

from dataclasses import dataclass
from enum import Enum

MAX_PATH_DEPTH = 8


class ColumnKind(Enum):
    TEXT = "text"
    DATETIME = "date-time"
    DECIMAL = "number"


@dataclass(frozen=True)
class HotField:
    column: str
    kind: ColumnKind


HOT_FIELDS: dict[str, HotField] = {
    "id": HotField("order_id", ColumnKind.TEXT),
    "status": HotField("status", ColumnKind.TEXT),
    "created": HotField("created", ColumnKind.DATETIME),
    "lastStatusChange": HotField("last_status_change", ColumnKind.DATETIME),
    "siteCode": HotField("site_code", ColumnKind.TEXT),
    "currency": HotField("currency", ColumnKind.TEXT),
    "customer.id": HotField("customer_id", ColumnKind.TEXT),
    "customer.email": HotField("customer_email", ColumnKind.TEXT),
    "calculatedPrice.finalPrice.netValue": HotField("total_net", ColumnKind.DECIMAL),
    "calculatedPrice.finalPrice.taxValue": HotField("total_tax", ColumnKind.DECIMAL),
    "calculatedPrice.finalPrice.grossValue": HotField("total_gross", ColumnKind.DECIMAL),
    "totalPrice": HotField("total_gross", ColumnKind.DECIMAL),
    "orderType": HotField("order_type", ColumnKind.TEXT),
    "masterOrder": HotField("master_order", ColumnKind.TEXT),
}

# Entry paths every entry row also holds (services.entry_rows), indexed: text equality on them is an EXISTS over the
# entry rows, which PostgreSQL can count and estimate, instead of a containment test of every candidate document.
# Exact because the order schema makes both values strings (orders/schema.py); an empty text stays on the document,
# since a row holds "" for an entry without the value too.
ENTRY_ROW_COLUMNS: dict[str, str] = {
    "entries.product.vendor.id": "vendor_id",
    "entries.product.id": "product_id",
}

# Every property the Emporix order schema (order-service.openapi.yml) declares as an array. A path through one
# of these matches when any element matches; every other step of a path is an object key.
ARRAY_PATHS = frozenset(
    {
        "assistedBuying.entries",
        "calculatedPrice.discountedPrice.appliedDiscounts",
        "calculatedPrice.finalPrice.taxAggregate.lines",
        "calculatedPrice.paymentFees",
        "calculatedPrice.totalDiscount.appliedDiscounts",
        "calculatedPrice.totalFee.appliedDiscounts",
        "calculatedPrice.totalShipping.appliedDiscounts",
        "discounts",
        "discounts.restrictions.excludedCategories",
        "discounts.restrictions.includedCategories",
        "entries",
        "entries.calculatedPrice.discountedPrice.appliedDiscounts",
        "entries.calculatedPrice.fees",
        "entries.calculatedPrice.fees.discountedPrice.appliedDiscounts",
        "entries.calculatedPrice.totalDiscount.appliedDiscounts",
        "entries.calculatedPrice.totalFee.appliedDiscounts",
        "entries.externalDiscounts",
        "entries.externalFees",
        "entries.fees.elements",
        "entries.fees.elements.taxValues",
        "entries.product.bundledProducts",
        "entries.product.images",
        "entries.product.parentVariantPath",
        "entries.tax.lines",
        "feeYrnAggregate.elements",
        "feeYrnAggregate.elements.taxValues",
        "payments",
        "shipments",
        "shipping.lines",
        "shipping.lines.discounts",
        "shipping.lines.discounts.restrictions.excludedCategories",
        "shipping.lines.discounts.restrictions.includedCategories",
        "shipping.lines.tax.lines",
        "subOrders",
        "tax.lines",
    }
)


@dataclass(frozen=True)
class JsonPath:
    """A document path cut at its arrays.

    `hops` are runs of object keys; every run but the last ends at an array whose elements the next run starts
    from. `entries.product.vendor.id` is `(("entries",), ("product", "vendor", "id"))`; `subOrders` is
    `(("subOrders",), ())`: the leaf is the array's element itself.
    """

    hops: tuple[tuple[str, ...], ...]

    @property
    def through_arrays(self) -> bool:
        return len(self.hops) > 1


def json_path(segments: tuple[str, ...]) -> JsonPath:
    hops: list[tuple[str, ...]] = []
    run: list[str] = []
    for depth, segment in enumerate(segments, start=1):
        run.append(segment)
        if ".".join(segments[:depth]) in ARRAY_PATHS:
            hops.append(tuple(run))
            run = []
    hops.append(tuple(run))
    return JsonPath(tuple(hops))
