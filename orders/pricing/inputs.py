"""Reads what the engine needs from an order document (the API's camelCase JSON) into plain values.

Where each input comes from is part of the contract (DESIGN.md, "Pricing"); docs/calculation.md lists it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orders.pricing.errors import PricingError
from orders.pricing.money import HUNDRED, UNTAXED, Price, TaxedPrice, TaxKey

PERCENT = "PERCENT"
ABSOLUTE = "ABSOLUTE"
ABSOLUTE_PER_ITEM = "ABSOLUTE_MULTIPLY_ITEMQUANTITY"
FEE_TYPES = (PERCENT, ABSOLUTE, ABSOLUTE_PER_ITEM)
DISCOUNT_TYPES = (PERCENT, ABSOLUTE)
EXTERNAL = "EXTERNAL"  # the entry's own externalDiscounts
INTERNAL = "INTERNAL"  # the order's discounts (coupons)


@dataclass(frozen=True)
class Discount:
    id: str | None
    type: str
    value: Decimal  # a percent, or an amount in the entry's price model
    origin: str


@dataclass(frozen=True)
class Fee:
    """A fee quoted net: a percent, an amount, or an amount per item."""

    type: str
    value: Decimal
    key: TaxKey
    id: str | None = None
    name: Any = None


@dataclass(frozen=True)
class Entry:
    quantity: Decimal
    unit_price: Decimal
    key: TaxKey
    gross: bool
    discounts: tuple[Discount, ...]
    fees: tuple[Fee, ...]


@dataclass(frozen=True)
class ShippingLine:
    amount: Decimal
    key: TaxKey
    gross: bool


@dataclass(frozen=True)
class PaymentFee:
    """A fee with a `value` is recalculated; one without keeps its stored price."""

    fee: Fee | None
    stored: TaxedPrice | None


@dataclass(frozen=True)
class OrderInputs:
    entries: tuple[Entry, ...]
    discounts: tuple[Discount, ...]
    shipping_lines: tuple[ShippingLine, ...]
    stored_shipping: TaxedPrice | None
    payment_fees: tuple[PaymentFee, ...]


def read_order(order: Mapping[str, Any], tax_rates: Mapping[str, Decimal | int]) -> OrderInputs:
    """Read the pricing inputs of `order`; tax codes without a rate are looked up in the order, then `tax_rates`."""
    rates = _known_tax_rates(order, tax_rates)
    calculated = _object(order.get("calculatedPrice"), "calculatedPrice")
    shipping_lines = _list(_object(order.get("shipping"), "shipping").get("lines"), "shipping.lines")
    return OrderInputs(
        entries=tuple(
            _read_entry(entry, f"entries[{index}]", rates)
            for index, entry in enumerate(_list(order.get("entries"), "entries"))
        ),
        discounts=_read_order_discounts(order),
        shipping_lines=tuple(
            _read_shipping_line(line, f"shipping.lines[{index}]", rates) for index, line in enumerate(shipping_lines)
        ),
        stored_shipping=None
        if shipping_lines
        else _read_stored_price(calculated.get("totalShipping"), "calculatedPrice.totalShipping", rates),
        payment_fees=tuple(
            _read_payment_fee(fee, f"calculatedPrice.paymentFees[{index}]", rates)
            for index, fee in enumerate(_list(calculated.get("paymentFees"), "calculatedPrice.paymentFees"))
        ),
    )


# --- entries ------------------------------------------------------------------------------------------------------


def _read_entry(entry: Any, field: str, rates: Mapping[str, Any]) -> Entry:
    entry = _object(entry, field, required=True)
    label = f"{entry['id']} ({field})" if isinstance(entry.get("id"), str) else field
    gross = _is_gross_priced(entry, field)
    unit = _object(entry.get("calculatedUnitPrice"), f"{field}.calculatedUnitPrice")
    return Entry(
        quantity=_quantity(entry, field),
        unit_price=_unit_price(entry, unit, field, gross=gross),
        key=_entry_tax_key(unit, label, field),
        gross=gross,
        discounts=_read_external_discounts(entry, field),
        fees=tuple(
            _read_external_fee(fee, f"{field}.externalFees[{index}]", rates)
            for index, fee in enumerate(_list(entry.get("externalFees"), f"{field}.externalFees"))
        ),
    )


def _quantity(entry: Mapping[str, Any], field: str) -> Decimal:
    if entry.get("deliveredAmount") is not None:
        return _number(entry["deliveredAmount"], f"{field}.deliveredAmount")
    return _number(entry.get("amount"), f"{field}.amount")


def _unit_price(entry: Mapping[str, Any], unit: Mapping[str, Any], field: str, *, gross: bool) -> Decimal:
    price = _object(entry.get("price"), f"{field}.price")
    quoted = "grossValue" if gross else "netValue"
    candidates = (
        (price.get("effectiveAmount"), f"{field}.price.effectiveAmount"),
        (entry.get("unitPrice"), f"{field}.unitPrice"),
        (unit.get(quoted), f"{field}.calculatedUnitPrice.{quoted}"),
    )
    for value, source in candidates:
        if value is not None:
            return _number(value, source)
    raise PricingError(f"{field} has no unit price: set price.effectiveAmount", field=f"{field}.price.effectiveAmount")


def _entry_tax_key(unit: Mapping[str, Any], label: str, field: str) -> TaxKey:
    if unit.get("taxRate") is None:
        raise PricingError(
            f"Entry {label} has no tax rate: set calculatedUnitPrice.taxRate",
            field=f"{field}.calculatedUnitPrice.taxRate",
        )
    code = _code(unit.get("taxCode"), f"{field}.calculatedUnitPrice.taxCode")
    return TaxKey(code, _rate(unit["taxRate"], f"{field}.calculatedUnitPrice.taxRate"))


def _is_gross_priced(entry: Mapping[str, Any], field: str) -> bool:
    tax = _object(entry.get("tax"), f"{field}.tax")
    lines = _list(tax.get("lines"), f"{field}.tax.lines")
    return any(isinstance(line, Mapping) and line.get("inclusive") is True for line in lines)


def _read_external_discounts(entry: Mapping[str, Any], field: str) -> tuple[Discount, ...]:
    discounts = []
    for index, discount in enumerate(_list(entry.get("externalDiscounts"), f"{field}.externalDiscounts")):
        path = f"{field}.externalDiscounts[{index}]"
        discount = _object(discount, path, required=True)
        kind = _choice(discount.get("discountType"), DISCOUNT_TYPES, f"{path}.discountType")
        sequence = _optional_number(discount.get("sequence"), f"{path}.sequence")
        value = _discount_value(discount.get("value"), kind, f"{path}.value")
        discounts.append((_sequence_order(sequence, index), Discount(discount.get("id"), kind, value, EXTERNAL)))
    return tuple(discount for _, discount in sorted(discounts, key=lambda pair: pair[0]))


def _read_external_fee(fee: Any, field: str, rates: Mapping[str, Any]) -> Fee:
    fee = _object(fee, field, required=True)
    kind = _choice(fee.get("feeType"), FEE_TYPES, f"{field}.feeType")
    if kind == PERCENT:
        value = _percent(fee.get("feePercentage"), f"{field}.feePercentage")
    else:
        value = _number(_object(fee.get("feeAbsolute"), f"{field}.feeAbsolute").get("amount"), f"{field}.feeAbsolute")
    code = _code(fee.get("taxCode"), f"{field}.taxCode")
    taxable = fee.get("taxable", code is not None)
    if taxable is True and code is None:
        raise PricingError(f"{field} is taxable but has no taxCode", field=f"{field}.taxCode")
    key = _lookup_key(code, rates, f"{field}.taxCode") if taxable is True else UNTAXED
    return Fee(kind, value, key, fee.get("id"), fee.get("name"))


# --- order level ----------------------------------------------------------------------------------------------------


def _read_order_discounts(order: Mapping[str, Any]) -> tuple[Discount, ...]:
    discounts = []
    for index, discount in enumerate(_list(order.get("discounts"), "discounts")):
        field = f"discounts[{index}]"
        discount = _object(discount, field, required=True)
        # Emporix writes coupons of a fixed amount without a discountType
        kind = _choice(discount.get("discountType", ABSOLUTE), DISCOUNT_TYPES, f"{field}.discountType")
        raw_value = discount.get("discountRate") if kind == PERCENT else discount.get("amount")
        value = _discount_value(raw_value, kind, f"{field}.{'discountRate' if kind == PERCENT else 'amount'}")
        sequence = _optional_number(discount.get("sequenceId"), f"{field}.sequenceId")
        discounts.append((_sequence_order(sequence, index), Discount(discount.get("code"), kind, value, INTERNAL)))
    return tuple(discount for _, discount in sorted(discounts, key=lambda pair: pair[0]))


def _read_shipping_line(line: Any, field: str, rates: Mapping[str, Any]) -> ShippingLine:
    line = _object(line, field, required=True)
    tax = _object(line.get("tax"), f"{field}.tax")
    code = _code(line.get("shippingTaxCode"), f"{field}.shippingTaxCode")
    if tax.get("rate") is not None:
        key = TaxKey(code, _rate(tax["rate"], f"{field}.tax.rate"))
    else:
        key = _lookup_key(code, rates, f"{field}.shippingTaxCode") if code is not None else UNTAXED
    inclusive = _object(tax.get("total"), f"{field}.tax.total").get("inclusive") is True
    return ShippingLine(_number(line.get("amount", 0), f"{field}.amount"), key, inclusive)


def _read_payment_fee(fee: Any, field: str, rates: Mapping[str, Any]) -> PaymentFee:
    fee = _object(fee, field, required=True)
    stored = _read_stored_price(fee.get("price"), f"{field}.price", rates)
    if fee.get("value") is None:
        if stored is None:
            raise PricingError(f"{field} has neither a value nor a price", field=f"{field}.value")
        return PaymentFee(None, stored)
    kind = _choice(fee.get("type"), FEE_TYPES, f"{field}.type")
    value = _percent(fee["value"], f"{field}.value") if kind == PERCENT else _number(fee["value"], f"{field}.value")
    key = stored.key if stored is not None else UNTAXED
    return PaymentFee(Fee(kind, value, key, fee.get("id"), fee.get("name")), stored)


def _read_stored_price(price: Any, field: str, rates: Mapping[str, Any]) -> TaxedPrice | None:
    """A price the engine does not recalculate (a payment fee without value, shipping without lines)."""
    price = _object(price, field)
    if not price:
        return None
    code = _code(price.get("taxCode"), f"{field}.taxCode")
    if price.get("taxRate") is not None:
        key = TaxKey(code, _rate(price["taxRate"], f"{field}.taxRate"))
    else:
        key = _lookup_key(code, rates, f"{field}.taxCode") if code is not None else UNTAXED
    net = _number(price.get("netValue"), f"{field}.netValue")
    tax = _number(price.get("taxValue", 0), f"{field}.taxValue")
    return TaxedPrice(key, Price.from_net_and_tax(net, tax))


# --- tax rates --------------------------------------------------------------------------------------------------------


def _known_tax_rates(order: Mapping[str, Any], overrides: Mapping[str, Decimal | int]) -> dict[str, Any]:
    """Rates for tax codes, learnt from the prices in the order (first one wins); `overrides` win over all."""
    known: dict[str, Any] = {}

    def learn(code: Any, rate: Any) -> None:
        if isinstance(code, str) and _is_number(rate):
            known.setdefault(code, rate)

    entries = [entry for entry in _safe_list(order.get("entries")) if isinstance(entry, Mapping)]
    for entry in entries:
        unit = _safe_object(entry.get("calculatedUnitPrice"))
        learn(unit.get("taxCode"), unit.get("taxRate"))
    for line in _safe_list(_safe_object(order.get("shipping")).get("lines")):
        line = _safe_object(line)
        learn(line.get("shippingTaxCode"), _safe_object(line.get("tax")).get("rate"))
    calculated = _safe_object(order.get("calculatedPrice"))
    stored_prices = [_safe_object(fee).get("price") for fee in _safe_list(calculated.get("paymentFees"))]
    stored_prices.append(calculated.get("totalShipping"))
    for entry in entries:
        fees = _safe_list(_safe_object(entry.get("calculatedPrice")).get("fees"))
        stored_prices.extend(_safe_object(fee).get("price") for fee in fees)
    for price in map(_safe_object, stored_prices):
        learn(price.get("taxCode"), price.get("taxRate"))
    for code, rate in overrides.items():
        known[code] = _rate(rate, f"tax_rates[{code!r}]")
    return known


def _lookup_key(code: str | None, rates: Mapping[str, Any], field: str) -> TaxKey:
    if code is None:
        return UNTAXED
    if code not in rates:
        raise PricingError(f"No tax rate is known for tax code {code!r} ({field})", field=field)
    return TaxKey(code, rates[code])


# --- plain values -----------------------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | Decimal)


def _number(value: Any, field: str) -> Decimal:
    """A finite, non-negative JSON number (int or Decimal)."""
    if value is None:
        raise PricingError(f"{field} is required", field=field)
    if not _is_number(value):
        raise PricingError(f"{field} must be a number, not {type(value).__name__}", field=field)
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        raise PricingError(f"{field} must be a finite number of zero or more, not {value}", field=field)
    return number


def _optional_number(value: Any, field: str) -> Decimal | None:
    return None if value is None else _number(value, field)


def _percent(value: Any, field: str) -> Decimal:
    number = _number(value, field)
    if number > HUNDRED:
        raise PricingError(f"{field} is a percentage and cannot exceed 100, not {value}", field=field)
    return number


def _discount_value(value: Any, kind: str, field: str) -> Decimal:
    return _percent(value, field) if kind == PERCENT else _number(value, field)


def _rate(value: Any, field: str) -> Decimal | int:
    _number(value, field)
    return value


def _code(value: Any, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise PricingError(f"{field} must be a string", field=field)
    return value


def _choice(value: Any, choices: tuple[str, ...], field: str) -> str:
    if value not in choices:
        raise PricingError(f"{field} must be one of {', '.join(choices)}, not {value!r}", field=field)
    return value


def _sequence_order(sequence: Decimal | None, index: int) -> tuple:
    """Lowest sequence first; without a sequence, after the others, in document order."""
    return (sequence is None, sequence or 0, index)


def _object(value: Any, field: str, *, required: bool = False) -> Mapping[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise PricingError(f"{field} must be an object", field=field)
    return value


def _list(value: Any, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PricingError(f"{field} must be a list", field=field)
    return value


def _safe_object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _safe_list(value: Any) -> list:
    return value if isinstance(value, list) else []
