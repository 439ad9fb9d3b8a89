"""Properties of `calculate` over random orders (net, gross and mixed; discounts, fees, shipping, payment fees)."""

import copy
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.pricing import PricingError, calculate

from .strategies import TAX_RATES, amounts, orders

CENT = Decimal("0.01")
THOUSANDTH = Decimal("0.001")
ZERO_PRICE = (Decimal(0), Decimal(0), Decimal(0))

# Timing varies on shared CI machines; the examples themselves are small.
properties = settings(deadline=None)


def price_of(document: dict[str, Any] | None) -> tuple[Decimal, Decimal, Decimal]:
    if document is None:
        return ZERO_PRICE
    return document["netValue"], document["taxValue"], document["grossValue"]


def add(*prices: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    return tuple(sum(values, Decimal(0)) for values in zip(*prices, strict=True))


def subtract(left: tuple[Decimal, ...], right: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    return tuple(a - b for a, b in zip(left, right, strict=True))


def within(left: tuple[Decimal, ...], right: tuple[Decimal, ...], tolerance: Decimal) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(left, right, strict=True))


def prices_in(document: Any) -> Iterator[dict[str, Any]]:
    """Every object in the document that carries netValue, taxValue and grossValue."""
    if isinstance(document, dict):
        if {"netValue", "taxValue", "grossValue"} <= document.keys():
            yield document
        for value in document.values():
            yield from prices_in(value)
    elif isinstance(document, list):
        for value in document:
            yield from prices_in(value)


def number_paths(document: Any, path: str = "") -> Iterator[str]:
    """The dotted path of every number in the document."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield from number_paths(value, f"{path}.{key}" if path else key)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from number_paths(value, f"{path}[{index}]")
    elif isinstance(document, int | Decimal) and not isinstance(document, bool):
        yield path


def set_path(document: Any, path: str, value: Any) -> None:
    parts = path.replace("[", ".[").split(".")
    *parents, last = [int(part[1:-1]) if part.startswith("[") else part for part in parts]
    for part in parents:
        document = document[part]
    document[last] = value


def scaled(order: dict[str, Any], factor: int) -> dict[str, Any]:
    result = copy.deepcopy(order)
    for entry in result["entries"]:
        for field in ("amount", "deliveredAmount"):
            if entry.get(field) is not None:
                entry[field] *= factor
    return result


def test_set_path_reaches_nested_lists():
    # given
    document = {"entries": [{"price": {"effectiveAmount": 1}}]}
    # when
    set_path(document, "entries[0].price.effectiveAmount", 2)
    # then
    assert document == {"entries": [{"price": {"effectiveAmount": 2}}]}


@properties
@given(orders())
def test_calculate_net_plus_tax_is_gross_on_every_price(order):
    # when
    result = calculate(order, tax_rates=TAX_RATES)
    # then
    for price in prices_in(result):
        assert price["netValue"] + price["taxValue"] == price["grossValue"], price


@properties
@given(orders())
def test_calculate_entry_totals_are_the_sum_of_their_parts(order):
    # when
    result = calculate(order, tax_rates=TAX_RATES)
    # then: exactly, on the component grid
    for entry in result["entries"]:
        calculated = entry["calculatedPrice"]
        price = price_of(calculated["price"])
        discounted = price_of(calculated.get("discountedPrice", calculated["price"]))
        applied = calculated.get("discountedPrice", {}).get("appliedDiscounts", [])
        discounts = [price_of(discount["price"]) for discount in applied]
        fees = [price_of(fee["price"]) for fee in calculated.get("fees", [])]
        assert subtract(price, add(ZERO_PRICE, *discounts)) == discounted
        assert price_of(calculated.get("totalFee")) == add(ZERO_PRICE, *fees)
        assert price_of(calculated["finalPrice"]) == add(discounted, price_of(calculated.get("totalFee")))
        if "totalDiscount" in calculated:
            assert price_of(calculated["totalDiscount"]["price"]) == subtract(price, discounted)


@properties
@given(orders())
def test_calculate_order_totals_are_the_sum_of_their_parts_to_the_cent(order):
    # when
    result = calculate(order, tax_rates=TAX_RATES)
    calculated = result["calculatedPrice"]
    # then: the order's totals add up exactly, in cents
    final = price_of(calculated["finalPrice"])
    goods = price_of(calculated.get("discountedPrice", calculated["price"]))
    fees, shipping = price_of(calculated.get("totalFee")), price_of(calculated.get("totalShipping"))
    assert final == add(goods, fees, shipping)
    assert final == add(ZERO_PRICE, *(price_of(line) for line in calculated["finalPrice"]["taxAggregate"]["lines"]))
    if "totalDiscount" in calculated:
        assert subtract(price_of(calculated["price"]), price_of(calculated["totalDiscount"]["price"])) == goods
    assert all(value == value.quantize(CENT) for value in final)
    assert result["totalPrice"] == final[2]
    assert result["tax"]["total"]["amount"] == final[1]
    assert sum((line["amount"] for line in result["tax"]["lines"]), Decimal(0)) == final[1]
    # and each is within a cent of the exact sum of the entries' prices (3 decimals), the final within three
    entries = [entry["calculatedPrice"] for entry in result["entries"]]
    entry_prices = add(ZERO_PRICE, *(price_of(entry["price"]) for entry in entries))
    entry_goods = add(ZERO_PRICE, *(price_of(entry.get("discountedPrice", entry["price"])) for entry in entries))
    payment_fees = [price_of(fee["price"]) for fee in calculated["paymentFees"]]
    entry_fees = add(ZERO_PRICE, *(price_of(entry.get("totalFee")) for entry in entries), *payment_fees)
    assert within(price_of(calculated["price"]), entry_prices, CENT)
    assert within(goods, entry_goods, CENT)
    assert within(fees, entry_fees, CENT)
    assert within(final, add(entry_goods, entry_fees, shipping), 3 * CENT)


@properties
@given(orders())
def test_calculate_twice_changes_nothing(order):
    # given
    once = calculate(order, tax_rates=TAX_RATES)
    # when
    twice = calculate(once, tax_rates=TAX_RATES)
    # then
    assert twice == once


@properties
@given(orders(), st.integers(min_value=2, max_value=10))
def test_calculate_scaling_quantities_scales_the_price_before_discounts(order, factor):
    """Tolerance: (k + 1) * (1 cent + 2 thousandths per entry).

    An entry's price is rounded to 3 decimals once for the amount and once for the tax, on both sides of the
    comparison (k roundings of 0.0005 scaled up, one fresh), and the order's total once more to cents.
    """
    # when
    single = price_of(calculate(order, tax_rates=TAX_RATES)["calculatedPrice"]["price"])
    multiple = price_of(calculate(scaled(order, factor), tax_rates=TAX_RATES)["calculatedPrice"]["price"])
    # then
    tolerance = (factor + 1) * (CENT + Decimal("0.002") * len(order["entries"]))
    assert within(multiple, tuple(factor * value for value in single), tolerance)


@properties
@given(orders(proportional=True), st.integers(min_value=2, max_value=10))
def test_calculate_scaling_quantities_scales_proportional_orders(order, factor):
    """Only percentages and per-item amounts: the whole order scales.

    Tolerance: (k + 1) * (3 cents + 2 thousandths per rounded component). Every component (an entry's amount,
    each discount step, each fee, each payment fee) is rounded to 3 decimals, its tax too; the order's three
    parts (goods, fees, shipping) are rounded to cents.
    """
    # given
    components = sum(
        1 + len(entry["externalDiscounts"]) + len(entry["externalFees"]) + len(order["discounts"])
        for entry in order["entries"]
    ) + len(order["calculatedPrice"]["paymentFees"])
    # when
    single = price_of(calculate(order, tax_rates=TAX_RATES)["calculatedPrice"]["finalPrice"])
    multiple = price_of(calculate(scaled(order, factor), tax_rates=TAX_RATES)["calculatedPrice"]["finalPrice"])
    # then
    tolerance = (factor + 1) * (3 * CENT + Decimal("0.002") * components)
    assert within(multiple, tuple(factor * value for value in single), tolerance)


@properties
@given(orders(), st.data())
def test_calculate_rejects_a_float_in_place_of_any_number(order, data):
    # given
    path = data.draw(st.sampled_from(sorted(number_paths(order))))
    set_path(order, path, float(1))
    # when
    with pytest.raises(PricingError) as raised:
        calculate(order, tax_rates=TAX_RATES)
    # then
    assert raised.value.field == path


@properties
@given(orders(), st.floats(allow_nan=True, allow_infinity=True))
def test_calculate_rejects_a_float_in_an_unknown_field(order, value):
    # given
    order.setdefault("mixins", {})["anything"] = [value]
    # when / then
    with pytest.raises(PricingError, match="float"):
        calculate(order, tax_rates=TAX_RATES)


@properties
@given(orders(), st.data())
def test_calculate_writes_the_unit_price_over_stale_stored_values(order, data):
    # given: every entry's stored unit price holds values of some earlier price, and a key of its own
    for entry in order["entries"]:
        net, tax = data.draw(amounts(500)), data.draw(amounts(100))
        entry["calculatedUnitPrice"].update(netValue=net, grossValue=net + tax, taxValue=tax, priceId="earlier")
    # when
    result = calculate(order, tax_rates=TAX_RATES)
    # then: the unit price in the entry's price model, taxed at its rate (docs/calculation.md, step 2); the key kept
    for given_entry, entry in zip(order["entries"], result["entries"], strict=True):
        unit, rate = given_entry["price"]["effectiveAmount"], Decimal(given_entry["calculatedUnitPrice"]["taxRate"])
        if any(line.get("inclusive") is True for line in given_entry.get("tax", {}).get("lines", [])):
            tax = (unit * rate / (100 + rate)).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)
            expected = (unit - tax, tax, unit)
        else:
            tax = (unit * rate / 100).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)
            expected = (unit, tax, unit + tax)
        assert price_of(entry["calculatedUnitPrice"]) == expected
        assert entry["calculatedUnitPrice"]["priceId"] == "earlier"
