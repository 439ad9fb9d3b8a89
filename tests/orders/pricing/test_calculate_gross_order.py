"""A gross-priced order worked out by hand: a percent and an absolute discount, fees, shipping, 19 % and 7 %.

The order:
  jacket  3 * 59.99 gross, STANDARD 19 %, 15 % off (its own discount), an absolute fee of 2.50 net at REDUCED 7 %
  tea     7 *  4.49 gross, REDUCED 7 %
  coupon  TENOFF, 10.00 off the order
  shipping 5.95 gross at STANDARD 19 %; payment fee 1.5 % at REDUCED 7 %

Gross price: tax = amount * rate / (100 + rate), net = gross - tax; every component rounded half-up to 3 decimals.
"""

from decimal import Decimal

import pytest

from orders.pricing import calculate

from .builders import (
    absolute_fee,
    amounts,
    coupon,
    decimals,
    entry,
    order,
    payment_fee,
    percent_discount,
    shipping,
    shipping_line,
)


@pytest.fixture
def gross_order() -> dict:
    jacket = entry(
        "jacket",
        unit_price="59.99",
        quantity=3,
        gross=True,
        externalDiscounts=[percent_discount("winter-sale", "15")],
        externalFees=[absolute_fee("packing", "2.50", tax_code="REDUCED")],
    )
    tea = entry("tea", unit_price="4.49", quantity=7, tax_code="REDUCED", tax_rate=7, gross=True)
    return order(
        jacket,
        tea,
        discounts=[coupon("TENOFF", "10")],
        shipping=shipping(shipping_line("5.95", tax_code="STANDARD", tax_rate=19, inclusive=True)),
        calculatedPrice={"paymentFees": [payment_fee("PERCENT", "1.5", tax_code="REDUCED", tax_rate=7)]},
    )


def test_calculate_gross_order_jacket(gross_order):
    # when
    jacket = calculate(gross_order)["entries"][0]["calculatedPrice"]
    # then
    # price: 3 * 59.99 = 179.970 gross; tax 179.97 * 19/119 = 28.7347… → 28.735; net 151.235
    assert amounts(jacket["price"]) == decimals("151.235", "28.735", "179.970")
    # 15 % off: 179.970 * 0.15 = 26.9955 → 26.996; left 152.974 (tax 24.4244… → 24.424, net 128.550)
    # coupon share: 10 * 152.974 / (152.974 + 31.430) = 8.2955… → 8.296; left 144.678
    # discounted: tax 144.678 * 19/119 = 23.0998… → 23.100; net 121.578
    assert amounts(jacket["discountedPrice"]) == decimals("121.578", "23.100", "144.678")
    # each discount's price is the drop it causes: 179.970 → 152.974 → 144.678
    percent, share = jacket["discountedPrice"]["appliedDiscounts"]
    assert (percent["id"], percent["value"], amounts(percent["price"])) == (
        "winter-sale",
        Decimal("26.996"),
        decimals("22.685", "4.311", "26.996"),  # 151.235 - 128.550, 28.735 - 24.424
    )
    assert (share["id"], share["value"], amounts(share["price"])) == (
        "TENOFF",
        Decimal("8.296"),
        decimals("6.972", "1.324", "8.296"),  # 128.550 - 121.578, 24.424 - 23.100
    )
    # fee: 2.50 net, tax 2.50 * 7 % = 0.175, gross 2.675
    assert amounts(jacket["totalFee"]) == decimals("2.500", "0.175", "2.675")
    # final: 121.578 + 2.500, 23.100 + 0.175, 144.678 + 2.675; no common tax code, so none is given
    assert amounts(jacket["finalPrice"]) == decimals("124.078", "23.275", "147.353")
    assert "taxCode" not in jacket["finalPrice"]


def test_calculate_gross_order_tea(gross_order):
    # when
    tea = calculate(gross_order)["entries"][1]["calculatedPrice"]
    # then
    # price: 7 * 4.49 = 31.430 gross; tax 31.43 * 7/107 = 2.0561… → 2.056; net 29.374
    assert amounts(tea["price"]) == decimals("29.374", "2.056", "31.430")
    # coupon share: 10 * 31.430 / 184.404 = 1.7044… → 1.704 (8.296 + 1.704 = 10.000, nothing to adjust)
    # discounted 29.726 gross: tax 29.726 * 7/107 = 1.9446… → 1.945; net 27.781
    assert amounts(tea["finalPrice"]) == decimals("27.781", "1.945", "29.726")
    assert tea["totalDiscount"]["value"] == Decimal("1.704")


def test_calculate_gross_order_fees_and_shipping(gross_order):
    # when
    calculated = calculate(gross_order)["calculatedPrice"]
    # then
    # shipping 5.95 gross: tax 5.95 * 19/119 = 0.95; net 5.00
    assert amounts(calculated["totalShipping"]) == decimals("5.00", "0.95", "5.95")
    # payment fee: 1.5 % of net (entries' final 124.078 + 27.781, shipping 5.000) = 1.5 % of 156.859
    #   = 2.352885 → 2.353; tax 7 % = 0.16471 → 0.165; gross 2.518
    assert amounts(calculated["paymentFees"][0]["price"]) == decimals("2.353", "0.165", "2.518")
    # every entry is priced gross, so totals round gross and tax to cents and net follows
    # fees: 2.675 + 2.518 = 5.193 → 5.19 gross; tax 0.175 + 0.165 = 0.340 → 0.34; net 4.85
    assert amounts(calculated["totalFee"]) == decimals("4.85", "0.34", "5.19")


def test_calculate_gross_order_totals(gross_order):
    # when
    result = calculate(gross_order)
    calculated = result["calculatedPrice"]
    # then
    # before discounts: 179.970 + 31.430 = 211.40 gross; tax 28.735 + 2.056 = 30.791 → 30.79; net 180.61
    assert amounts(calculated["price"]) == decimals("180.61", "30.79", "211.40")
    # after: 144.678 + 29.726 = 174.404 → 174.40 gross; tax 23.100 + 1.945 = 25.045 → 25.05 (half-up); net 149.35
    assert amounts(calculated["discountedPrice"]) == decimals("149.35", "25.05", "174.40")
    # discount: 211.40 - 174.40 gross, 30.79 - 25.05 tax
    assert calculated["totalDiscount"]["value"] == Decimal("37.00")
    assert amounts(calculated["totalDiscount"]["price"]) == decimals("31.26", "5.74", "37.00")
    # final = goods + fees + shipping: 174.40 + 5.19 + 5.95 = 185.54 gross; 25.05 + 0.34 + 0.95 = 26.34 tax
    assert amounts(calculated["finalPrice"]) == decimals("159.20", "26.34", "185.54")
    assert result["totalPrice"] == Decimal("185.54")
    assert result["subTotalPrice"] == Decimal("211.40")


def test_calculate_gross_order_tax_aggregate_puts_rounding_on_largest_line(gross_order):
    # when
    lines = calculate(gross_order)["calculatedPrice"]["finalPrice"]["taxAggregate"]["lines"]
    # then
    # REDUCED 7 %: tea 29.726 + fee 2.675 + payment fee 2.518 = 34.919 → 34.92 gross;
    #   tax 1.945 + 0.175 + 0.165 = 2.285 → 2.29
    # STANDARD 19 %: jacket 144.678 + shipping 5.950 = 150.628 → 150.63 gross; tax 23.100 + 0.950 = 24.05
    # 34.92 + 150.63 = 185.55, a cent over the total 185.54: the largest line (STANDARD) gives it back
    assert [(line["taxCode"], line["taxRate"], *amounts(line)) for line in lines] == [
        ("REDUCED", 7, *decimals("32.63", "2.29", "34.92")),
        ("STANDARD", 19, *decimals("126.57", "24.05", "150.62")),
    ]
