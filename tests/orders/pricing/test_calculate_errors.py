"""What the engine refuses, and how it says so."""

from decimal import Decimal

import pytest

from orders.pricing import PricingError, calculate

from .builders import entry, order


def test_calculate_rejects_a_float_amount_naming_its_path():
    # given
    document = order(entry("a", unit_price="10", quantity=1))
    document["entries"][0]["price"]["effectiveAmount"] = 10.0
    # when
    with pytest.raises(PricingError) as raised:
        calculate(document)
    # then
    assert raised.value.field == "entries[0].price.effectiveAmount"
    assert "float" in raised.value.message


def test_calculate_rejects_a_float_anywhere_even_outside_prices():
    # given
    document = order(entry("a", unit_price="10", quantity=1), mixins={"delivery": {"costs": [35.0]}})
    # when / then
    with pytest.raises(PricingError, match=r"mixins\.delivery\.costs\[0\] is a float"):
        calculate(document)


def test_calculate_rejects_float_tax_rates():
    # given
    document = order(entry("a", unit_price="10", quantity=1))
    # when / then
    with pytest.raises(PricingError, match="float"):
        calculate(document, tax_rates={"SERVICE": 20.0})


def test_pricing_error_is_a_value_error():
    assert issubclass(PricingError, ValueError)


def test_calculate_rejects_an_entry_without_tax_rate_naming_the_entry():
    # given
    line = entry("BC10033--BC10033-43", unit_price="100", quantity=1)
    del line["calculatedUnitPrice"]["taxRate"]
    # when
    with pytest.raises(PricingError) as raised:
        calculate(order(line))
    # then
    assert "BC10033--BC10033-43" in raised.value.message
    assert raised.value.field == "entries[0].calculatedUnitPrice.taxRate"


def test_calculate_rejects_a_fee_tax_code_without_a_known_rate():
    # given
    fee = {"id": "f", "feeType": "ABSOLUTE", "feeAbsolute": {"amount": Decimal(1)}, "taxCode": "SERVICE"}
    # when / then
    with pytest.raises(PricingError, match="SERVICE"):
        calculate(order(entry("a", unit_price="10", quantity=1, externalFees=[fee])))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda line: line.update(amount=-1), "entries[0].amount"),
        (lambda line: line.update(amount="3"), "entries[0].amount"),
        (lambda line: line.update(amount=True), "entries[0].amount"),
        (lambda line: line.update(amount=None), "entries[0].amount"),
        (lambda line: line["price"].update(effectiveAmount=Decimal("NaN")), "entries[0].price.effectiveAmount"),
        (
            lambda line: line.update(externalDiscounts=[{"id": "d", "discountType": "PERCENT", "value": 101}]),
            "entries[0].externalDiscounts[0].value",
        ),
        (
            lambda line: line.update(externalDiscounts=[{"id": "d", "discountType": "FREE", "value": 1}]),
            "entries[0].externalDiscounts[0].discountType",
        ),
    ],
)
def test_calculate_rejects_malformed_entries(change, field):
    # given
    line = entry("a", unit_price="10", quantity=1)
    change(line)
    # when
    with pytest.raises(PricingError) as raised:
        calculate(order(line))
    # then
    assert raised.value.field == field


def test_calculate_rejects_unsupported_order_discount_type():
    # given
    free_shipping = {"code": "S", "currency": "EUR", "discountType": "FREE_SHIPPING"}
    document = order(entry("a", unit_price="10", quantity=1), discounts=[free_shipping])
    # when / then
    with pytest.raises(PricingError, match=r"discounts\[0\]\.discountType"):
        calculate(document)


def test_calculate_rejects_amounts_too_large_to_price():
    # given
    document = order(entry("a", unit_price="1E+30", quantity=10**9))
    # when / then
    with pytest.raises(PricingError, match="too large"):
        calculate(document)
