"""Orders whose every value a test can recognise in a response: for leak checks and for runs that need real data."""

import copy
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Line:
    entry_id: str
    product_id: str
    vendor: str
    unit_price: str


@dataclass(frozen=True)
class OrderSpec:
    """An order whose every value a leak check can recognise in a response."""

    order_id: str
    email: str
    lines: tuple[Line, ...]

    @property
    def markers(self) -> list[str]:
        values = [self.order_id, self.email]
        for line in self.lines:
            values += [line.entry_id, line.product_id, line.unit_price]
        return values


def order_document(seed_order: dict, spec: OrderSpec) -> dict:
    document = copy.deepcopy(seed_order)
    template = document["entries"][0]
    document.update(id=spec.order_id, status="CREATED", entries=[entry_document(template, line) for line in spec.lines])
    document["customer"]["email"] = spec.email
    return document


def entry_document(template: dict, line: Line) -> dict:
    entry = copy.deepcopy(template)
    price = Decimal(line.unit_price)
    tax = (price * Decimal("0.19")).quantize(Decimal("0.01"))
    entry.update(
        id=line.entry_id,
        itemYrn=f"urn:yaas:saasag:caasproduct:product:test;{line.product_id}",
        measurementUnit={"unit": "H87", "value": 1},
        calculatedUnitPrice={
            "netValue": price,
            "grossValue": price + tax,
            "taxValue": tax,
            "taxCode": "STANDARD",
            "taxRate": 19,
        },
    )
    entry.pop("priceMatchDetails", None)
    entry["product"].update(id=line.product_id, vendor={"id": line.vendor})
    entry["price"].update(originalAmount=price, effectiveAmount=price)
    return entry
