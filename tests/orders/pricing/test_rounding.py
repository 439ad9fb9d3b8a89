"""The rounding helper: half-up, and differences on the largest line."""

from decimal import Decimal

import pytest

from orders.pricing.discounts import spread
from orders.pricing.rounding import COMPONENT_PLACES, CURRENCY_PLACES, allocate, quantize

from .builders import decimals


def test_quantize_rounds_half_up():
    # when / then: half-up, not banker's rounding
    assert quantize(Decimal("2.675"), CURRENCY_PLACES) == Decimal("2.68")
    assert quantize(Decimal("2.665"), CURRENCY_PLACES) == Decimal("2.67")
    assert quantize(Decimal("0.0005")) == Decimal("0.001")
    assert quantize(Decimal("0.00049")) == Decimal("0.000")


def test_quantize_keeps_a_fixed_number_of_places():
    # when / then
    assert str(quantize(Decimal(300))) == "300.000"
    assert str(quantize(Decimal(300), CURRENCY_PLACES)) == "300.00"


def test_allocate_puts_the_difference_on_the_largest_line():
    # given: 0.333 + 0.333 + 0.334 rounds to 0.33 + 0.33 + 0.33, a cent short of 1.00
    parts = decimals("0.333", "0.333", "0.334")
    # when
    allocated = allocate(Decimal("1.00"), parts, CURRENCY_PLACES)
    # then
    assert allocated == list(decimals("0.33", "0.33", "0.34"))


def test_allocate_takes_the_first_of_equal_lines():
    # given
    parts = [Decimal(1) / 3] * 3
    # when
    allocated = allocate(Decimal("1.00"), parts, CURRENCY_PLACES)
    # then
    assert allocated == list(decimals("0.34", "0.33", "0.33"))


def test_allocate_follows_weights_for_the_largest_line():
    # given
    parts = [Decimal(1) / 3] * 3
    # when
    allocated = allocate(Decimal("1.00"), parts, CURRENCY_PLACES, weights=decimals("1", "5", "2"))
    # then
    assert allocated == list(decimals("0.33", "0.34", "0.33"))


def test_allocate_spills_over_when_the_largest_line_would_go_below_zero():
    # given: five halves of a thousandth round up to 0.005 in all, 0.003 more than the total
    parts = [Decimal("0.0005")] * 5
    # when
    allocated = allocate(Decimal("0.002"), parts, COMPONENT_PLACES)
    # then
    assert allocated == list(decimals("0.000", "0.000", "0.000", "0.001", "0.001"))


@pytest.mark.parametrize(
    ("total", "parts", "limits"),
    [
        # a line never goes below zero: lines of 0.300 and 0.100 cannot come down to -0.100 together
        (Decimal("-0.100"), decimals("0.300", "0.100"), None),
        # nor above its limit: lines of at most 1.000 and 0.500 cannot hold 2.000
        (Decimal("2.000"), decimals("1.000", "0.500"), decimals("1.000", "0.500")),
    ],
)
def test_allocate_refuses_a_total_its_lines_cannot_add_up_to(total, parts, limits):
    # when / then: never parts that do not add up to the total
    with pytest.raises(ValueError, match="cannot allocate"):
        allocate(total, parts, COMPONENT_PLACES, limits=limits)


def test_spread_splits_pro_rata_and_sums_exactly():
    # given: 10 over three equal lines is 3.3333… each
    weights = decimals("5.000", "5.000", "5.000")
    # when
    shares = spread(Decimal(10), weights)
    # then: 3.333 * 3 = 9.999; the missing 0.001 goes on the first largest line
    assert shares == list(decimals("3.334", "3.333", "3.333"))


def test_spread_never_takes_more_than_a_line_holds():
    # given
    weights = decimals("1.000", "0.001", "0.001")
    # when
    shares = spread(Decimal("1.001"), weights)
    # then
    assert sum(shares) == Decimal("1.001")
    assert all(share <= weight for share, weight in zip(shares, weights, strict=True))


def test_spread_caps_the_amount_at_the_total():
    # when
    shares = spread(Decimal(50), decimals("10.000", "30.000"))
    # then
    assert shares == list(decimals("10.000", "30.000"))
