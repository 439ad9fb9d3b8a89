"""Discounts: percent ones in sequence, then absolute ones; the order's spread pro rata."""

from decimal import Decimal

from orders.pricing import calculate

from .builders import absolute_discount, amounts, coupon, decimals, entry, order, percent_discount


def applied(result: dict, index: int = 0) -> list[tuple]:
    discounts = result["entries"][index]["calculatedPrice"]["discountedPrice"]["appliedDiscounts"]
    return [(discount.get("id"), discount["value"], discount["origin"]) for discount in discounts]


def test_calculate_percent_discounts_compound_in_sequence_order():
    # given: listed out of order; 20 % first (sequence 1), then 10 % of what is left
    discounts = [percent_discount("second", "10", sequence=2), percent_discount("first", "20", sequence=1)]
    document = order(entry("a", unit_price="100", quantity=1, externalDiscounts=discounts))
    # when
    result = calculate(document)
    # then: 100 - 20 = 80, 80 - 8 = 72
    assert applied(result) == [("first", Decimal(20), "EXTERNAL"), ("second", Decimal(8), "EXTERNAL")]
    assert amounts(result["entries"][0]["calculatedPrice"]["finalPrice"]) == decimals("72", "13.68", "85.68")


def test_calculate_absolute_discounts_apply_after_percent_discounts():
    # given: the absolute discount comes first in sequence, but percent discounts always go first
    discounts = [absolute_discount("ten-off", "10", sequence=1), percent_discount("half", "50", sequence=2)]
    document = order(entry("a", unit_price="100", quantity=1, externalDiscounts=discounts))
    # when
    result = calculate(document)
    # then: 100 - 50 % = 50, then 10 off = 40
    assert applied(result) == [("half", Decimal(50), "EXTERNAL"), ("ten-off", Decimal(10), "EXTERNAL")]


def test_calculate_absolute_discount_never_takes_an_entry_below_zero():
    # given
    document = order(entry("a", unit_price="5", quantity=1, externalDiscounts=[absolute_discount("big", "8")]))
    # when
    result = calculate(document)
    # then
    assert applied(result) == [("big", Decimal(5), "EXTERNAL")]
    assert amounts(result["entries"][0]["calculatedPrice"]["finalPrice"]) == decimals("0", "0", "0")


def test_calculate_order_percent_discount_applies_after_entry_percent_discounts():
    # given
    document = order(
        entry("a", unit_price="100", quantity=1, externalDiscounts=[percent_discount("own", "50")]),
        discounts=[{"code": "PCT10", "currency": "EUR", "discountType": "PERCENT", "discountRate": Decimal(10)}],
    )
    # when
    result = calculate(document)
    # then: 50 % then 10 % of the remaining 50
    assert applied(result) == [("own", Decimal(50), "EXTERNAL"), ("PCT10", Decimal(5), "INTERNAL")]


def test_calculate_order_absolute_discount_spreads_pro_rata_with_rounding_on_the_largest_line():
    # given: 10 over 10 + 10 + 10.002: every share rounds to 3.333, 0.001 short; the largest line takes it
    document = order(
        entry("a", unit_price="10", quantity=1),
        entry("b", unit_price="10", quantity=1),
        entry("c", unit_price="10.002", quantity=1),
        discounts=[coupon("TENOFF", "10")],
    )
    # when
    result = calculate(document)
    # then: 10 * 10/30.002 = 3.3331…, 10 * 10.002/30.002 = 3.3337… → 3.333 + 0.001
    shares = [applied(result, index)[0][1] for index in range(3)]
    assert shares == list(decimals("3.333", "3.333", "3.334"))
    assert sum(shares) == Decimal(10)


def test_calculate_order_discount_without_type_is_an_amount():
    # given: Emporix writes fixed-amount coupons without discountType
    document = order(
        entry("a", unit_price="100", quantity=1),
        discounts=[{"code": "TOTAL", "amount": Decimal(100), "currency": "EUR", "sequenceId": 1}],
    )
    # when
    result = calculate(document)
    # then
    assert amounts(result["calculatedPrice"]["finalPrice"]) == decimals("0", "0", "0")


def test_calculate_discounted_order_reports_total_discount():
    # given
    document = order(entry("a", unit_price="100", quantity=2), discounts=[coupon("FIFTY", "50")])
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then
    assert amounts(calculated["price"]) == decimals("200", "38", "238")
    assert amounts(calculated["discountedPrice"]) == decimals("150", "28.50", "178.50")
    assert calculated["totalDiscount"] == {
        "calculationType": "ApplyDiscountBeforeTax",
        "value": Decimal(50),
        "price": {
            "netValue": Decimal(50),
            "grossValue": Decimal("59.50"),
            "taxValue": Decimal("9.50"),
            "taxCode": "STANDARD",
            "taxRate": 19,
        },
    }


def test_calculate_discounted_gross_order_reports_its_discount_as_taken_after_tax():
    # given: gross prices (119.00 with 19 % in it), a 50.00 coupon
    document = order(entry("a", unit_price="119", quantity=2, gross=True), discounts=[coupon("FIFTY", "50")])
    # when
    total_discount = calculate(document)["calculatedPrice"]["totalDiscount"]
    # then: the discount is taken from the gross amount
    assert (total_discount["calculationType"], total_discount["value"]) == ("ApplyDiscountAfterTax", Decimal(50))
