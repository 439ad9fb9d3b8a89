"""Edge cases of the engine whose wrong handling other examples would not notice, worked out by hand.

Rules from docs/calculation.md; q2/q3 round half-up to 2/3 decimals.
"""

from decimal import Decimal

import pytest

from orders.pricing import PricingError, calculate

from .builders import absolute_fee, amounts, decimals, entry, order, payment_fee, shipping, shipping_line

PRICE_KEYS = {"netValue", "grossValue", "taxValue"}
REDUCED = {"tax_code": "REDUCED", "tax_rate": 7}


def tax_keys(price: dict) -> list[tuple]:
    return [(line.get("taxCode"), line.get("taxRate")) for line in price["taxAggregate"]["lines"]]


def per_item_fee(fee_id: str, amount: str, tax_code: str) -> dict:
    return {
        "id": fee_id,
        "feeType": "ABSOLUTE_MULTIPLY_ITEMQUANTITY",
        "feeAbsolute": {"currency": "EUR", "amount": Decimal(amount)},
        "taxable": True,
        "taxCode": tax_code,
    }


# --- which side a mixed order rounds on -------------------------------------------------------------------------------


def test_calculate_mixed_order_is_net_based_where_the_gross_side_would_differ():
    # given a: 1.47 gross at 19 %: tax q3(1.47 * 19/119) = q3(0.23471) = 0.235, net 1.235
    #       b: 1.00 net at 7 %: tax 0.070, gross 1.070
    document = order(
        entry("a", unit_price="1.47", quantity=1, gross=True),
        entry("b", unit_price="1.00", quantity=1, tax_code="REDUCED", tax_rate=7),
    )
    # when
    priced = calculate(document)
    # then net-based (not every entry is gross): net q2(2.235) = 2.24, tax q2(0.305) = 0.31, gross 2.55;
    # rounded on the gross side it would be gross q2(2.540) = 2.54, tax 0.31, net 2.23
    final = priced["calculatedPrice"]["finalPrice"]
    assert amounts(final) == decimals("2.24", "0.31", "2.55")
    assert amounts(priced["calculatedPrice"]["price"]) == decimals("2.24", "0.31", "2.55")
    assert priced["subTotalPrice"] == Decimal("2.24")  # the net side
    assert priced["totalPrice"] == Decimal("2.55")
    assert priced["tax"]["total"] == {"amount": Decimal("0.31"), "currency": "EUR", "inclusive": False}
    # lines: taxes 0.070 → 0.07 and 0.235 → 0.24 (= 0.31); nets 1.000 → 1.00 and 1.235 → 1.24 (= 2.24)
    assert [amounts(line) for line in final["taxAggregate"]["lines"]] == [
        decimals("1.00", "0.07", "1.07"),
        decimals("1.24", "0.24", "1.48"),
    ]


def test_calculate_all_gross_order_is_gross_based():
    # given two gross entries: 1.47 at 19 % (tax 0.235, net 1.235) and 1.07 at 7 % (tax q3(1.07 * 7/107) = 0.070)
    document = order(
        entry("a", unit_price="1.47", quantity=1, gross=True),
        entry("b", unit_price="1.07", quantity=1, tax_code="REDUCED", tax_rate=7, gross=True),
    )
    # when
    priced = calculate(document)
    # then gross q2(2.540) = 2.54, tax q2(0.305) = 0.31, net 2.23 (net-based would give 2.24 + 0.31 = 2.55)
    assert amounts(priced["calculatedPrice"]["finalPrice"]) == decimals("2.23", "0.31", "2.54")
    assert priced["subTotalPrice"] == Decimal("2.54")  # the gross side
    assert priced["tax"]["total"]["inclusive"] is True
    # lines: grosses 1.07 and 1.47, taxes 0.07 and 0.24 → nets 1.00 and 1.23
    assert [amounts(line) for line in priced["calculatedPrice"]["finalPrice"]["taxAggregate"]["lines"]] == [
        decimals("1.00", "0.07", "1.07"),
        decimals("1.23", "0.24", "1.47"),
    ]


# --- taxCode and taxRate on the order's prices ------------------------------------------------------------------------


def test_calculate_order_prices_name_the_tax_code_and_rate_all_their_parts_share():
    # given two STANDARD 19 % entries and STANDARD 19 % shipping
    document = order(
        entry("a", unit_price="10", quantity=1),
        entry("b", unit_price="5", quantity=2),
        shipping=shipping(shipping_line("4.90", tax_code="STANDARD", tax_rate=19)),
    )
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then: 20.000 + 4.900 net, tax 3.800 + 0.931 = 4.731 → 4.73
    final = calculated["finalPrice"]
    assert amounts(final) == decimals("24.90", "4.73", "29.63")
    assert (final["taxCode"], final["taxRate"]) == ("STANDARD", 19)
    assert (calculated["price"]["taxCode"], calculated["price"]["taxRate"]) == ("STANDARD", 19)
    assert (calculated["totalShipping"]["taxCode"], calculated["totalShipping"]["taxRate"]) == ("STANDARD", 19)
    assert tax_keys(final) == [("STANDARD", 19)]


def test_calculate_order_final_price_has_no_tax_code_when_its_parts_differ():
    # given STANDARD 19 % goods and an untaxed entry fee
    document = order(entry("a", unit_price="10", quantity=1, externalFees=[absolute_fee("service", "2")]))
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then the goods alone still share one
    assert calculated["finalPrice"].keys() == PRICE_KEYS | {"taxAggregate"}
    assert (calculated["price"]["taxCode"], calculated["price"]["taxRate"]) == ("STANDARD", 19)
    assert calculated["totalFee"].keys() == PRICE_KEYS  # the untaxed fee has neither code nor rate
    assert amounts(calculated["finalPrice"]) == decimals("12.00", "1.90", "13.90")


def test_calculate_order_price_has_no_tax_code_when_entries_differ_but_a_rate_shared_by_codes_is_not_enough():
    # given two entries at 19 % under different codes
    document = order(
        entry("a", unit_price="10", quantity=1),
        entry("b", unit_price="10", quantity=1, tax_code="OTHER", tax_rate=19),
    )
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then
    assert calculated["price"].keys() == PRICE_KEYS
    assert calculated["finalPrice"].keys() == PRICE_KEYS | {"taxAggregate"}
    assert tax_keys(calculated["finalPrice"]) == [("OTHER", 19), ("STANDARD", 19)]


# --- which calculatedPrice fields are written ----------------------------------------------------------------------


def test_calculate_without_fees_writes_no_fee_fields_and_drops_stale_ones():
    # given an order whose stored prices still show fees it no longer has
    stale = {"netValue": Decimal(1), "taxValue": Decimal(0), "grossValue": Decimal(1)}
    document = order(entry("a", unit_price="10", quantity=1), calculatedPrice={"fees": stale, "totalFee": stale})
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then
    assert "fees" not in calculated and "totalFee" not in calculated
    assert "paymentFees" not in calculated
    assert "shipping" not in calculated and "totalShipping" not in calculated


def test_calculate_entry_fee_alone_writes_fees_equal_to_total_fee():
    # given an ABSOLUTE entry fee of 2.00 taxed STANDARD 19 %: 2.000 / 0.380
    document = order(entry("a", unit_price="10", quantity=1, externalFees=[absolute_fee("service", "2", "STANDARD")]))
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then
    assert calculated["fees"] == calculated["totalFee"]
    assert amounts(calculated["totalFee"]) == decimals("2.00", "0.38", "2.38")
    assert (calculated["totalFee"]["taxCode"], calculated["totalFee"]["taxRate"]) == ("STANDARD", 19)


def test_calculate_payment_fee_alone_writes_fees_equal_to_total_fee():
    # given an ABSOLUTE payment fee 1.50 at 7 %: 1.500 / 0.105
    fee = payment_fee("ABSOLUTE", "1.50", tax_code="REDUCED", tax_rate=7)
    document = order(entry("a", unit_price="10", quantity=1), calculatedPrice={"paymentFees": [fee]})
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then: q2(0.105) = 0.11
    assert calculated["fees"] == calculated["totalFee"]
    assert amounts(calculated["totalFee"]) == decimals("1.50", "0.11", "1.61")
    assert amounts(calculated["paymentFees"][0]["price"]) == decimals("1.500", "0.105", "1.605")


def test_calculate_shipping_lines_write_shipping_equal_to_total_shipping():
    # given two lines: 3.00 net at 19 % (0.570) and 2.14 gross at 7 % (tax q3(2.14 * 7/107) = 0.140, net 2.000)
    document = order(
        entry("a", unit_price="10", quantity=1),
        shipping=shipping(
            shipping_line("3.00", tax_code="STANDARD", tax_rate=19),
            shipping_line("2.14", tax_code="REDUCED", tax_rate=7, inclusive=True),
        ),
    )
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then: 5.000 net, 0.710 tax; the two lines' codes differ, so no code on the total
    assert calculated["shipping"] == calculated["totalShipping"]
    assert calculated["totalShipping"] == {
        "netValue": Decimal("5.00"),
        "grossValue": Decimal("5.71"),
        "taxValue": Decimal("0.71"),
    }
    assert amounts(calculated["finalPrice"]) == decimals("15.00", "2.61", "17.61")


def test_calculate_without_shipping_lines_keeps_stored_shipping_fields_as_they_are():
    # given no lines, but stored shipping prices (the engine does not own them then)
    stored = {"netValue": Decimal("4"), "taxValue": Decimal("0.76"), "grossValue": Decimal("4.76")}
    document = order(
        entry("a", unit_price="10", quantity=1),
        calculatedPrice={"shipping": {"note": "kept"}, "totalShipping": {**stored, "taxCode": "STANDARD"}},
    )
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then: the stored total counts in the final price, 10 + 4 / 1.90 + 0.76
    assert calculated["shipping"] == {"note": "kept"}
    assert calculated["totalShipping"] == {**stored, "taxCode": "STANDARD"}
    assert amounts(calculated["finalPrice"]) == decimals("14.00", "2.66", "16.66")


# --- ABSOLUTE_MULTIPLY_ITEMQUANTITY -----------------------------------------------------------------------------------


def test_calculate_per_item_fees_on_an_entry_and_on_the_payment():
    # given a: 4 * 2.50 = 10.000 / 1.900 at 19 %, a fee of 0.75 per item: 4 * 0.75 = 3.000 / 0.570
    #       b: 1 * 4.00 = 4.000 / 0.280 at 7 %
    #       a payment fee of 0.50 per item of the order (4 + 1 = 5): 2.500, tax at 7 % 0.175
    document = order(
        entry("a", unit_price="2.50", quantity=4, externalFees=[per_item_fee("handling", "0.75", "STANDARD")]),
        entry("b", unit_price="4.00", quantity=1, tax_code="REDUCED", tax_rate=7),
        calculatedPrice={"paymentFees": [payment_fee("ABSOLUTE_MULTIPLY_ITEMQUANTITY", "0.50", **REDUCED)]},
    )
    # when
    priced = calculate(document)
    # then
    first = priced["entries"][0]["calculatedPrice"]
    assert amounts(first["fees"][0]["price"]) == decimals("3.000", "0.570", "3.570")
    assert first["fees"][0]["type"] == "ABSOLUTE_MULTIPLY_ITEMQUANTITY"
    assert amounts(first["finalPrice"]) == decimals("13.000", "2.470", "15.470")
    assert priced["entries"][0]["totalPrice"] == Decimal("13.000")
    calculated = priced["calculatedPrice"]
    assert amounts(calculated["paymentFees"][0]["price"]) == decimals("2.500", "0.175", "2.675")
    # fees: 3.000 + 2.500 / 0.570 + 0.175 = 0.745 → 0.75; goods 14.00 / 2.18
    assert amounts(calculated["totalFee"]) == decimals("5.50", "0.75", "6.25")
    assert amounts(calculated["finalPrice"]) == decimals("19.50", "2.93", "22.43")
    # REDUCED 4.000 + 2.500 / 0.280 + 0.175 = 0.455 → 0.46; STANDARD 13.000 / 2.470
    assert [amounts(line) for line in calculated["finalPrice"]["taxAggregate"]["lines"]] == [
        decimals("6.50", "0.46", "6.96"),
        decimals("13.00", "2.47", "15.47"),
    ]


def test_calculate_per_item_fee_follows_the_delivered_amount():
    # given 4 ordered, 3 delivered: 3 * 0.75 = 2.250, tax q3(0.4275) = 0.428; goods 3 * 2.50 = 7.500 / 1.425
    document = order(
        entry(
            "a",
            unit_price="2.50",
            quantity=4,
            deliveredAmount=3,
            externalFees=[per_item_fee("handling", "0.75", "STANDARD")],
        ),
        calculatedPrice={"paymentFees": [payment_fee("ABSOLUTE_MULTIPLY_ITEMQUANTITY", "0.50", **REDUCED)]},
    )
    # when
    priced = calculate(document)
    # then: the payment fee counts 3 items too: 1.500 / 0.105
    assert amounts(priced["entries"][0]["calculatedPrice"]["fees"][0]["price"]) == decimals("2.250", "0.428", "2.678")
    assert amounts(priced["calculatedPrice"]["paymentFees"][0]["price"]) == decimals("1.500", "0.105", "1.605")


# --- shipping lines without tax.rate ----------------------------------------------------------------------------------


def rateless_line(amount: str, code: str | None) -> dict:
    line = {"code": "standard", "amount": Decimal(amount), "tax": {"total": {"inclusive": False}}}
    return {**line, "shippingTaxCode": code} if code else line


def test_calculate_shipping_line_without_rate_takes_its_codes_rate_from_the_entries():
    # given STANDARD 19 % goods and a 5.00 line of code STANDARD without a rate: tax 0.950
    document = order(entry("a", unit_price="10", quantity=1), shipping=shipping(rateless_line("5.00", "STANDARD")))
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then
    assert amounts(calculated["totalShipping"]) == decimals("5.00", "0.95", "5.95")
    assert (calculated["totalShipping"]["taxCode"], calculated["totalShipping"]["taxRate"]) == ("STANDARD", 19)
    assert amounts(calculated["finalPrice"]) == decimals("15.00", "2.85", "17.85")


def test_calculate_shipping_line_without_rate_takes_the_rate_given_for_its_code():
    # given a line of code SHIPPING the order knows no rate of, and tax_rates saying 20 %: tax 1.000
    document = order(entry("a", unit_price="10", quantity=1), shipping=shipping(rateless_line("5.00", "SHIPPING")))
    # when
    calculated = calculate(document, tax_rates={"SHIPPING": 20})["calculatedPrice"]
    # then
    assert amounts(calculated["totalShipping"]) == decimals("5.00", "1.00", "6.00")
    assert tax_keys(calculated["finalPrice"]) == [("SHIPPING", 20), ("STANDARD", 19)]


def test_calculate_tax_rates_win_over_the_orders_rate_for_a_line_without_rate():
    # given STANDARD at 19 % on the entry, but tax_rates says STANDARD is 16 %: the line takes 16 % (0.800), the
    # entry keeps the rate it names itself
    document = order(entry("a", unit_price="10", quantity=1), shipping=shipping(rateless_line("5.00", "STANDARD")))
    # when
    calculated = calculate(document, tax_rates={"STANDARD": 16})["calculatedPrice"]
    # then
    assert amounts(calculated["totalShipping"]) == decimals("5.00", "0.80", "5.80")
    assert tax_keys(calculated["finalPrice"]) == [("STANDARD", 16), ("STANDARD", 19)]


def test_calculate_shipping_line_without_code_nor_rate_is_untaxed():
    # given
    document = order(entry("a", unit_price="10", quantity=1), shipping=shipping(rateless_line("5.00", None)))
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then
    assert calculated["totalShipping"] == {
        "netValue": Decimal("5.00"),
        "grossValue": Decimal("5.00"),
        "taxValue": Decimal("0.00"),
    }
    assert tax_keys(calculated["finalPrice"]) == [("STANDARD", 19), (None, None)]


def test_calculate_shipping_line_of_a_code_without_any_rate_is_refused():
    document = order(entry("a", unit_price="10", quantity=1), shipping=shipping(rateless_line("5.00", "SHIPPING")))
    with pytest.raises(PricingError) as raised:
        calculate(document)
    assert raised.value.field == "shipping.lines[0].shippingTaxCode"
    assert "SHIPPING" in str(raised.value)


# --- the order of the tax lines -------------------------------------------------------------------------------------


def test_calculate_tax_lines_sorted_by_code_then_rate_as_a_number_untaxed_last():
    # given entries in no particular order: STANDARD 19 %, an entry without code at 5 % carrying an untaxed fee,
    # STANDARD 9 %, REDUCED 7 %; each 10.00 net
    no_code = entry("d", unit_price="10", quantity=1, externalFees=[absolute_fee("service", "1")])
    del no_code["calculatedUnitPrice"]["taxCode"]
    no_code["calculatedUnitPrice"]["taxRate"] = 5
    document = order(
        entry("a", unit_price="10", quantity=1),
        no_code,
        entry("b", unit_price="10", quantity=1, tax_rate=9),
        entry("c", unit_price="10", quantity=1, tax_code="REDUCED", tax_rate=7),
    )
    # when
    priced = calculate(document)
    # then: by code (REDUCED < STANDARD, no code after), by rate as a number (9 < 19), untaxed last
    final = priced["calculatedPrice"]["finalPrice"]
    assert tax_keys(final) == [("REDUCED", 7), ("STANDARD", 9), ("STANDARD", 19), (None, 5), (None, None)]
    assert [amounts(line) for line in final["taxAggregate"]["lines"]] == [
        decimals("10.00", "0.70", "10.70"),
        decimals("10.00", "0.90", "10.90"),
        decimals("10.00", "1.90", "11.90"),
        decimals("10.00", "0.50", "10.50"),
        decimals("1.00", "0", "1.00"),
    ]
    assert amounts(final) == decimals("41.00", "4.00", "45.00")
    # the legacy lines follow the same order, untaxed left out, numbered from 0
    assert [
        (line.get("code"), line["rate"], line["sequenceId"], line["amount"]) for line in priced["tax"]["lines"]
    ] == [
        ("REDUCED", 7, 0, Decimal("0.70")),
        ("STANDARD", 9, 1, Decimal("0.90")),
        ("STANDARD", 19, 2, Decimal("1.90")),
        (None, 5, 3, Decimal("0.50")),
    ]
    assert "name" not in priced["tax"]["lines"][3]


def test_calculate_tax_lines_sort_an_empty_code_first_as_a_code():
    # given: REDUCED 7 % listed first, then an entry whose tax code is the empty text at 10 %, each 10.00 net
    document = order(
        entry("a", unit_price="10", quantity=1, **REDUCED),
        entry("b", unit_price="10", quantity=1, tax_code="", tax_rate=10),
    )
    # when
    priced = calculate(document)
    # then: "" is a code like any other and comes before REDUCED; only lines without a code come last
    final = priced["calculatedPrice"]["finalPrice"]
    assert tax_keys(final) == [("", 10), ("REDUCED", 7)]
    assert [amounts(line) for line in final["taxAggregate"]["lines"]] == [
        decimals("10.00", "1.00", "11.00"),
        decimals("10.00", "0.70", "10.70"),
    ]
    assert [(line["code"], line["sequenceId"]) for line in priced["tax"]["lines"]] == [("", 0), ("REDUCED", 1)]
