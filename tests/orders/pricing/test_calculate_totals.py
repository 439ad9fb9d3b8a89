"""Order totals in cents and their tax aggregate."""

from decimal import Decimal

from orders.pricing import calculate

from .builders import absolute_fee, amounts, decimals, entry, order, shipping, shipping_line


def test_calculate_tax_rounding_never_lands_on_an_untaxed_line():
    # given: goods tax 5.29 * 19 % = 1.0051 → 1.005 → 1.01; shipping tax 0.50 * 19 % = 0.095 → 0.10;
    # the untaxed fee (10.00) is the largest line
    document = order(
        entry("a", unit_price="5.29", quantity=1, externalFees=[absolute_fee("service", "10")]),
        shipping=shipping(shipping_line("0.50", tax_code="STANDARD", tax_rate=19)),
    )
    # when
    final = calculate(document)["calculatedPrice"]["finalPrice"]
    # then: tax 1.01 + 0.10 = 1.11 in total, but 1.005 + 0.095 = 1.100 → 1.10 on the STANDARD line;
    # the missing cent goes to the line with the most tax, not to the untaxed fee
    assert amounts(final) == decimals("15.79", "1.11", "16.90")
    assert [amounts(line) for line in final["taxAggregate"]["lines"]] == [
        decimals("5.79", "1.11", "6.90"),
        decimals("10.00", "0", "10.00"),
    ]
    assert final["taxAggregate"]["lines"][1].keys() == {"netValue", "grossValue", "taxValue"}


def test_calculate_gross_order_rounds_gross_and_tax_and_derives_net():
    # given: 1.47 gross at 19 %: tax 1.47 * 19/119 = 0.2347… → 0.235, net 1.235
    document = order(entry("a", unit_price="1.47", quantity=1, gross=True))
    # when
    final = calculate(document)["calculatedPrice"]["finalPrice"]
    # then: 1.47 as the shelf said; rounding net and tax instead would give 1.24 + 0.24 = 1.48
    assert amounts(final) == decimals("1.23", "0.24", "1.47")


def test_calculate_mixed_order_rounds_net_and_tax():
    # given: one entry priced gross, one net
    document = order(
        entry("a", unit_price="10", quantity=1, tax_code="REDUCED", tax_rate=7, gross=True),
        entry("b", unit_price="10", quantity=1, tax_code="REDUCED", tax_rate=7),
    )
    # when
    final = calculate(document)["calculatedPrice"]["finalPrice"]
    # then: 9.346 + 10 = 19.346 → 19.35 net; 0.654 + 0.700 = 1.354 → 1.35 tax
    assert amounts(final) == decimals("19.35", "1.35", "20.70")


def test_calculate_order_without_entries_is_zero():
    # when
    calculated = calculate(order())["calculatedPrice"]
    # then
    assert amounts(calculated["finalPrice"]) == decimals("0", "0", "0")
    assert calculated["finalPrice"]["taxAggregate"] == {"lines": []}
    assert calculated["price"] == dict.fromkeys(("netValue", "grossValue", "taxValue"), Decimal("0.00"))
