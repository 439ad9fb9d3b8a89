"""Inputs of every shape the engine may meet: each malformed one refused naming its path, the odd valid ones priced.

Written from docs/calculation.md ("Inputs"): a field of the wrong type is a PricingError whose `field` is the
dotted path to fix.
"""

from datetime import date
from decimal import Decimal
from types import MappingProxyType

import pytest

from orders.pricing import PricingError, calculate

from .builders import absolute_fee, amounts, decimals, entry, order, payment_fee, shipping, shipping_line

D = Decimal


def refused_field(document: dict, **kwargs) -> str:
    with pytest.raises(PricingError) as raised:
        calculate(document, **kwargs)
    return raised.value.field


def priced_entry() -> dict:
    return entry("a", unit_price="10", quantity=1)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (order(priced_entry(), calculatedPrice="x"), "calculatedPrice"),
        (order(priced_entry(), shipping="x"), "shipping"),
        (order(priced_entry(), shipping={"lines": "x"}), "shipping.lines"),
        ({"currency": "EUR", "entries": "x"}, "entries"),
        (order(None), "entries[0]"),
        (order(priced_entry(), calculatedPrice={"totalShipping": "x"}), "calculatedPrice.totalShipping"),
        (order(priced_entry(), calculatedPrice={"paymentFees": "x"}), "calculatedPrice.paymentFees"),
        (order(priced_entry(), calculatedPrice={"paymentFees": [None]}), "calculatedPrice.paymentFees[0]"),
        (order(priced_entry(), calculatedPrice={"paymentFees": [{"id": "p"}]}), "calculatedPrice.paymentFees[0].value"),
        (order(entry("a", unit_price="10", quantity=1, externalDiscounts=[None])), "entries[0].externalDiscounts[0]"),
        (order(entry("a", unit_price="10", quantity=1, externalFees=[None])), "entries[0].externalFees[0]"),
        (order(priced_entry(), discounts="x"), "discounts"),
        (order(priced_entry(), discounts=[None]), "discounts[0]"),
        (
            order(priced_entry(), discounts=[{"code": "C", "amount": D(1), "sequenceId": -1}]),
            "discounts[0].sequenceId",
        ),
        (order(priced_entry(), shipping={"lines": [None]}), "shipping.lines[0]"),
        (
            order(priced_entry(), shipping={"lines": [{"amount": D(1), "tax": {"rate": "19"}}]}),
            "shipping.lines[0].tax.rate",
        ),
    ],
    ids=[
        "calculatedPrice",
        "shipping",
        "shipping-lines",
        "entries",
        "entry",
        "total-shipping",
        "payment-fees",
        "payment-fee",
        "payment-fee-without-value-nor-price",
        "entry-discount",
        "entry-fee",
        "order-discounts",
        "order-discount",
        "order-discount-sequence",
        "shipping-line",
        "shipping-line-rate",
    ],
)
def test_calculate_refuses_a_malformed_input_naming_its_path(document, field):
    assert refused_field(document) == field


def test_calculate_refuses_an_entry_without_any_unit_price():
    # given
    line = entry("a", unit_price="10", quantity=1)
    del line["price"]
    # when / then
    assert refused_field(order(line)) == "entries[0].price.effectiveAmount"


def test_calculate_net_entry_falls_back_to_its_calculated_unit_net_value():
    # given no price nor unitPrice, a calculatedUnitPrice of 12.50 net (and 14.875 gross, which a net entry ignores)
    line = entry("a", unit_price="0", quantity=2)
    del line["price"]
    line["calculatedUnitPrice"].update(netValue=D("12.50"), grossValue=D("14.875"))
    # when
    priced = calculate(order(line))["entries"][0]["calculatedPrice"]
    # then: 2 * 12.50 = 25.000, tax 4.750
    assert amounts(priced["price"]) == decimals("25.000", "4.750", "29.750")


def test_calculate_fee_with_a_tax_code_is_untaxed_when_it_says_so():
    # given a 2.00 fee naming STANDARD but `taxable: false`
    fee = {**absolute_fee("service", "2", "STANDARD"), "taxable": False}
    # when
    priced = calculate(order(entry("a", unit_price="10", quantity=1, externalFees=[fee])))
    # then
    assert amounts(priced["entries"][0]["calculatedPrice"]["fees"][0]["price"]) == decimals("2.000", "0", "2.000")


def test_calculate_refuses_a_taxable_fee_without_tax_code():
    fee = {"id": "f", "feeType": "ABSOLUTE", "feeAbsolute": {"amount": D(1)}, "taxable": True}
    assert refused_field(order(entry("a", unit_price="10", quantity=1, externalFees=[fee]))) == (
        "entries[0].externalFees[0].taxCode"
    )


def test_calculate_shipping_line_without_amount_is_free():
    line = {"code": "pickup", "tax": {"rate": 19}, "shippingTaxCode": "STANDARD"}
    calculated = calculate(order(priced_entry(), shipping={"lines": [line]}))["calculatedPrice"]
    assert amounts(calculated["totalShipping"]) == decimals("0", "0", "0")


def test_calculate_payment_fee_over_100_is_refused_as_a_percent_only():
    # given
    fee = payment_fee("ABSOLUTE", "150", tax_code="REDUCED", tax_rate=7)
    percent = payment_fee("PERCENT", "101", tax_code="REDUCED", tax_rate=7)
    # when
    priced = calculate(order(priced_entry(), calculatedPrice={"paymentFees": [fee]}))
    # then: 150.000 / 10.500
    assert amounts(priced["calculatedPrice"]["paymentFees"][0]["price"]) == decimals("150.000", "10.500", "160.500")
    assert refused_field(order(priced_entry(), calculatedPrice={"paymentFees": [percent]})) == (
        "calculatedPrice.paymentFees[0].value"
    )


# --- document shapes --------------------------------------------------------------------------------------------------


def test_calculate_takes_any_mapping_and_tuples_and_answers_plain_data():
    # given the order as a read-only mapping, its entries and shipping lines as tuples
    line = entry("a", unit_price="10", quantity=3)
    document = MappingProxyType(
        order(line, shipping=shipping(shipping_line("5", tax_code="STANDARD", tax_rate=19)))
        | {"entries": (line,), "mixins": {"since": date(2026, 1, 2), "tags": ("gift",)}}
    )
    document["shipping"]["lines"] = tuple(document["shipping"]["lines"])
    # when
    priced = calculate(document)
    # then: priced like the dict with lists, and answered as plain dicts and lists; other values kept as they are
    assert type(priced) is dict and type(priced["entries"]) is list and type(priced["shipping"]["lines"]) is list
    assert amounts(priced["calculatedPrice"]["finalPrice"]) == decimals("35.00", "6.65", "41.65")
    assert priced["mixins"] == {"since": date(2026, 1, 2), "tags": ["gift"]}
    assert type(document["entries"]) is tuple  # the input is left as it was


def test_calculate_names_the_path_of_a_float_inside_tuples_and_mappings():
    document = MappingProxyType(order(priced_entry(), mixins={"costs": (D(1), 2.5)}))
    assert refused_field(document) == "mixins.costs[1]"


def test_calculate_names_a_float_tax_rate_by_its_code():
    assert refused_field(order(priced_entry()), tax_rates={"SERVICE": 20.0}) == "tax_rates.SERVICE"


def test_calculate_prices_amounts_up_to_31_digits_and_refuses_larger_ones():
    # 10^30 has 31 digits, 34 with the three decimals every component keeps: the engine's precision
    largest = calculate(order(entry("a", unit_price="1E+30", quantity=1, tax_rate=0)))
    assert largest["calculatedPrice"]["finalPrice"]["grossValue"] == D("1E+30")
    with pytest.raises(PricingError, match="too large"):
        calculate(order(entry("a", unit_price="1E+31", quantity=1, tax_rate=0)))


# --- rates of tax codes named without one -------------------------------------------------------------------------


def fee_of(code: str) -> dict:
    """A 10.00 entry fee naming `code` without a rate."""
    return absolute_fee("service", "10", code)


def fee_tax(priced: dict) -> Decimal:
    return priced["entries"][0]["calculatedPrice"]["fees"][0]["price"]["taxValue"]


def with_fee(code: str, **fields) -> dict:
    return order(entry("a", unit_price="10", quantity=1, externalFees=[fee_of(code)]), **fields)


@pytest.mark.parametrize(
    ("document", "tax"),
    [
        # from a shipping line: SHIP at 20 %
        (with_fee("SHIP", shipping=shipping(shipping_line("5", tax_code="SHIP", tax_rate=20))), "2.000"),
        # from a payment fee's stored price: PAY at 10 %
        (
            with_fee(
                "PAY", calculatedPrice={"paymentFees": [payment_fee("ABSOLUTE", "1", tax_code="PAY", tax_rate=10)]}
            ),
            "1.000",
        ),
        # from the stored total shipping (no lines): HAUL at 5 %
        (
            with_fee(
                "HAUL",
                calculatedPrice={
                    "totalShipping": {"netValue": D(4), "taxValue": D("0.2"), "taxCode": "HAUL", "taxRate": 5}
                },
            ),
            "0.500",
        ),
        # the entries' rates come first: STANDARD is 19 % though a shipping line says 16 %
        (with_fee("STANDARD", shipping=shipping(shipping_line("5", tax_code="STANDARD", tax_rate=16))), "1.900"),
    ],
    ids=["shipping-line", "payment-fee", "stored-total-shipping", "first-one-wins"],
)
def test_calculate_fee_takes_the_rate_its_code_has_elsewhere_in_the_order(document, tax):
    assert fee_tax(calculate(document)) == D(tax)


def test_calculate_fee_takes_the_rate_of_an_entrys_stored_fee_of_its_code():
    # given an entry whose stored fees priced OLD at 15 %, and a second entry with a new fee of code OLD
    stored = {
        "fees": [{"id": "x", "price": {"netValue": D(1), "taxValue": D("0.15"), "taxCode": "OLD", "taxRate": 15}}]
    }
    document = order(
        entry("a", unit_price="10", quantity=1, calculatedPrice=stored),
        entry("b", unit_price="10", quantity=1, externalFees=[fee_of("OLD")]),
    )
    # when / then
    assert calculate(document)["entries"][1]["calculatedPrice"]["fees"][0]["price"]["taxValue"] == D("1.500")


@pytest.mark.parametrize("rate", ["15", True, None], ids=["text", "boolean", "null"])
def test_calculate_learns_no_rate_that_is_not_a_number(rate):
    stored = {"fees": [{"id": "x", "price": {"netValue": D(1), "taxCode": "OLD", "taxRate": rate}}]}
    document = order(
        entry("a", unit_price="10", quantity=1, calculatedPrice=stored),
        entry("b", unit_price="10", quantity=1, externalFees=[fee_of("OLD")]),
    )
    assert refused_field(document) == "entries[1].externalFees[0].taxCode"


def test_calculate_refuses_a_negative_rate_given_for_a_code():
    assert refused_field(with_fee("SERVICE"), tax_rates={"SERVICE": -1}) == "tax_rates['SERVICE']"


# --- stored prices ------------------------------------------------------------------------------------------------


def test_calculate_stored_payment_fee_price_takes_its_codes_rate_and_no_tax_when_it_has_none():
    # given two fees kept as stored (no value): one naming REDUCED without rate, one with neither code nor tax
    reduced = {"id": "r", "type": "ABSOLUTE", "price": {"netValue": D(2), "taxValue": D("0.14"), "taxCode": "REDUCED"}}
    bare = {"id": "b", "type": "ABSOLUTE", "price": {"netValue": D(3)}}
    document = order(
        entry("a", unit_price="10", quantity=1, tax_code="REDUCED", tax_rate=7),
        calculatedPrice={"paymentFees": [reduced, bare]},
    )
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then: 2.000 / 0.140 at REDUCED 7 % (learnt from the entry), 3.000 untaxed
    assert [amounts(fee["price"]) for fee in calculated["paymentFees"]] == [
        decimals("2.000", "0.140", "2.140"),
        decimals("3.000", "0", "3.000"),
    ]
    lines = calculated["finalPrice"]["taxAggregate"]["lines"]
    assert [(line.get("taxCode"), line.get("taxRate")) for line in lines] == [
        ("REDUCED", 7),
        (None, None),
    ]
    # the REDUCED fee is taxed with the entry (10.000 / 0.700), the bare one alone
    assert [amounts(line) for line in lines] == [decimals("12.000", "0.840", "12.840"), decimals("3.000", "0", "3.000")]


# --- numbers, rates, codes, sequences -----------------------------------------------------------------------------


def test_calculate_says_a_missing_number_is_required():
    line = entry("a", unit_price="10", quantity=1)
    line["amount"] = None
    with pytest.raises(PricingError) as raised:
        calculate(order(line))
    assert (raised.value.field, raised.value.message) == ("entries[0].amount", "entries[0].amount is required")


@pytest.mark.parametrize(
    ("unit_price", "field"),
    [
        ({"taxCode": "STANDARD", "taxRate": -1}, "taxRate"),
        ({"taxCode": "STANDARD", "taxRate": "19"}, "taxRate"),
        ({"taxCode": 19, "taxRate": 19}, "taxCode"),
    ],
    ids=["negative-rate", "text-rate", "number-code"],
)
def test_calculate_refuses_bad_tax_codes_and_rates(unit_price, field):
    line = entry("a", unit_price="10", quantity=1)
    line["calculatedUnitPrice"] = unit_price
    assert refused_field(order(line)) == f"entries[0].calculatedUnitPrice.{field}"


def test_calculate_percent_discount_of_exactly_100_is_allowed():
    line = entry(
        "a", unit_price="10", quantity=1, externalDiscounts=[{"id": "d", "discountType": "PERCENT", "value": 100}]
    )
    assert amounts(calculate(order(line))["entries"][0]["calculatedPrice"]["finalPrice"]) == decimals("0", "0", "0")


def test_calculate_discounts_without_sequence_come_after_those_with_one():
    # given a 10.00 entry with a 1.00 ABSOLUTE discount listed first without sequence, then sequences 1 and 0
    discounts = [
        {"id": "unsequenced", "discountType": "ABSOLUTE", "value": D(1)},
        {"id": "first", "discountType": "ABSOLUTE", "value": D(2), "sequence": 1},
        {"id": "zeroth", "discountType": "ABSOLUTE", "value": D(2), "sequence": 0},
    ]
    # when
    applied = calculate(order(entry("a", unit_price="10", quantity=1, externalDiscounts=discounts)))["entries"][0][
        "calculatedPrice"
    ]["discountedPrice"]["appliedDiscounts"]
    # then
    assert [discount["id"] for discount in applied] == ["zeroth", "first", "unsequenced"]
