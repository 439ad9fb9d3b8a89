"""Small order documents for pricing tests, in the API's shape (camelCase, Decimal numbers)."""

from decimal import Decimal
from typing import Any


def entry(
    entry_id: str,
    *,
    unit_price: str | Decimal,
    quantity: int | str,
    tax_code: str = "STANDARD",
    tax_rate: int | str = 19,
    gross: bool = False,
    **fields: Any,
) -> dict[str, Any]:
    """An entry priced net, or gross when `gross` (its tax lines then say `inclusive`)."""
    rate = Decimal(tax_rate) if isinstance(tax_rate, str) else tax_rate
    document = {
        "id": entry_id,
        "amount": Decimal(quantity) if isinstance(quantity, str) else quantity,
        "price": {"currency": "EUR", "effectiveAmount": Decimal(unit_price)},
        "calculatedUnitPrice": {"taxCode": tax_code, "taxRate": rate},
    }
    if gross:
        document["tax"] = {"lines": [{"code": tax_code, "rate": rate, "inclusive": True}], "total": {"inclusive": True}}
    document.update(fields)
    return document


def order(*entries: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"currency": "EUR", "entries": list(entries), "discounts": [], **fields}


def percent_discount(discount_id: str, percent: str, sequence: int = 1) -> dict[str, Any]:
    return {"id": discount_id, "discountType": "PERCENT", "value": Decimal(percent), "sequence": sequence}


def absolute_discount(discount_id: str, amount: str, sequence: int = 1) -> dict[str, Any]:
    return {"id": discount_id, "discountType": "ABSOLUTE", "value": Decimal(amount), "sequence": sequence}


def coupon(code: str, amount: str) -> dict[str, Any]:
    return {"code": code, "amount": Decimal(amount), "currency": "EUR", "discountType": "ABSOLUTE"}


def absolute_fee(fee_id: str, amount: str, tax_code: str | None = None) -> dict[str, Any]:
    fee = {"id": fee_id, "feeType": "ABSOLUTE", "feeAbsolute": {"currency": "EUR", "amount": Decimal(amount)}}
    return {**fee, "taxable": True, "taxCode": tax_code} if tax_code else {**fee, "taxable": False}


def shipping(*lines: dict[str, Any]) -> dict[str, Any]:
    return {"total": {"currency": "EUR"}, "lines": list(lines)}


def shipping_line(amount: str, *, tax_code: str, tax_rate: int, inclusive: bool = False) -> dict[str, Any]:
    """A line in the shape of the spec's `shippingLine` (code required; tax in `shippingTax`)."""
    return {
        "code": "standard",
        "amount": Decimal(amount),
        "currency": "EUR",
        "tax": {"total": {"currency": "EUR", "inclusive": inclusive}, "rate": tax_rate},
        "shippingTaxCode": tax_code,
    }


def payment_fee(fee_type: str, value: str, *, tax_code: str, tax_rate: int) -> dict[str, Any]:
    """A payment fee in `calculatedPrice.paymentFees`, with our `value` extension."""
    zero = Decimal(0)
    price = {"netValue": zero, "grossValue": zero, "taxValue": zero, "taxCode": tax_code, "taxRate": tax_rate}
    return {"id": "payment-fee", "type": fee_type, "value": Decimal(value), "price": price}


def amounts(price: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
    """(net, tax, gross) of a calculatedPrice object."""
    return price["netValue"], price["taxValue"], price["grossValue"]


def decimals(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)
