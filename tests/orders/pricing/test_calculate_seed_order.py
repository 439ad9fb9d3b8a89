"""Acceptance: the seed's order EON2076 (3 * 100.00 net at 19 %, shipping 35 net at 12 %, a 10 % payment fee)."""

import copy
from decimal import Decimal

import pytest

from orders.pricing import calculate

from .builders import amounts, decimals, shipping, shipping_line


@pytest.fixture
def eon2076(seed_order) -> dict:
    """The seed order with its shipping as a line and its payment fee's percentage as `value`."""
    seed_order["shipping"] = shipping(shipping_line("35", tax_code="REDUCED", tax_rate=12))
    seed_order["calculatedPrice"]["paymentFees"][0]["value"] = 10
    return seed_order


def test_calculate_seed_order_matches_acceptance_totals(eon2076):
    # when
    result = calculate(eon2076)
    # then
    assert amounts(result["calculatedPrice"]["finalPrice"]) == decimals("368.50", "65.22", "433.72")
    assert amounts(result["entries"][0]["calculatedPrice"]["finalPrice"]) == decimals("300", "57", "357")
    assert amounts(result["calculatedPrice"]["paymentFees"][0]["price"]) == decimals("33.50", "4.02", "37.52")
    assert amounts(result["calculatedPrice"]["totalShipping"]) == decimals("35", "4.20", "39.20")


def test_calculate_seed_order_aggregates_tax_per_code_and_rate(eon2076):
    # when
    result = calculate(eon2076)
    # then: the fee and the shipping share REDUCED 12 %, so they share a line
    lines = result["calculatedPrice"]["finalPrice"]["taxAggregate"]["lines"]
    assert [(line["taxCode"], line["taxRate"], *amounts(line)) for line in lines] == [
        ("REDUCED", 12, *decimals("68.50", "8.22", "76.72")),
        ("STANDARD", 19, *decimals("300", "57", "357")),
    ]


def test_calculate_seed_order_sets_legacy_fields(eon2076):
    # when
    result = calculate(eon2076)
    # then
    assert result["subTotalPrice"] == Decimal("300.00")
    assert result["totalPrice"] == Decimal("433.72")
    assert result["tax"]["total"] == {"amount": Decimal("65.22"), "currency": "EUR", "inclusive": False}
    assert result["entries"][0]["totalPrice"] == Decimal("300")
    assert result["entries"][0]["tax"]["lines"] == [
        {
            "amount": Decimal("57"),
            "currency": "EUR",
            "code": "STANDARD",
            "name": "STANDARD",
            "rate": 19,
            "sequenceId": 0,
            "inclusive": False,
        }
    ]


def test_calculate_seed_order_with_delivered_amount_reprices_entry_and_fee(eon2076):
    # given
    eon2076["entries"][0]["deliveredAmount"] = 2
    # when
    result = calculate(eon2076)
    # then
    assert amounts(result["entries"][0]["calculatedPrice"]["finalPrice"]) == decimals("200", "38", "238")
    # 10 % of (200 goods + 35 shipping)
    assert amounts(result["calculatedPrice"]["paymentFees"][0]["price"]) == decimals("23.50", "2.82", "26.32")
    assert amounts(result["calculatedPrice"]["finalPrice"]) == decimals("258.50", "45.02", "303.52")


def test_calculate_seed_order_as_posted_keeps_stored_shipping_and_fee(seed_order):
    # given: no shipping lines and a fee without value, as the seed posts it
    stored = copy.deepcopy(seed_order["calculatedPrice"])
    # when
    result = calculate(seed_order)
    # then
    assert result["calculatedPrice"]["totalShipping"] == stored["totalShipping"]
    assert amounts(result["calculatedPrice"]["paymentFees"][0]["price"]) == amounts(stored["paymentFees"][0]["price"])
    assert amounts(result["calculatedPrice"]["finalPrice"]) == decimals("368.50", "65.22", "433.72")


def test_calculate_seed_order_leaves_input_untouched(eon2076):
    # given
    before = copy.deepcopy(eon2076)
    # when
    result = calculate(eon2076)
    # then
    assert eon2076 == before
    assert result is not eon2076
    assert result["entries"][0] is not eon2076["entries"][0]
    assert result["customer"] == before["customer"] and result["customer"] is not eon2076["customer"]
