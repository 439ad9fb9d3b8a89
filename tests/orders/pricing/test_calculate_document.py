"""The shape of what `calculate` writes: what it owns, what it keeps, the legacy fields."""

from decimal import Decimal

from orders.pricing import calculate

from .builders import absolute_fee, amounts, coupon, entry, order, percent_discount, shipping, shipping_line

UPLIFT = {"netValue": Decimal(1), "grossValue": Decimal("1.19"), "taxValue": Decimal("0.19")}


def test_calculate_keeps_calculated_price_fields_it_does_not_own():
    # given
    line = entry("a", unit_price="10", quantity=1, calculatedPrice={"upliftValue": UPLIFT, "finalPrice": {}})
    document = order(line, calculatedPrice={"upliftValue": UPLIFT, "channel": {}})
    # when
    result = calculate(document)
    # then
    assert result["entries"][0]["calculatedPrice"]["upliftValue"] == UPLIFT
    assert result["calculatedPrice"]["upliftValue"] == UPLIFT
    assert result["calculatedPrice"]["channel"] == {}


def test_calculate_keeps_the_stored_order_of_fields():
    # given
    stored = {"finalPrice": {}, "upliftValue": UPLIFT, "price": {}}
    line = entry("a", unit_price="10", quantity=1, calculatedPrice=stored)
    # when
    calculated = calculate(order(line))["entries"][0]["calculatedPrice"]
    # then
    assert list(calculated) == ["finalPrice", "upliftValue", "price"]


def test_calculate_drops_discount_fields_once_the_discounts_are_gone():
    # given
    discounted = calculate(order(entry("a", unit_price="10", quantity=1), discounts=[coupon("ONE", "1")]))
    discounted["discounts"] = []
    # when
    result = calculate(discounted)
    # then
    for calculated in (result["calculatedPrice"], result["entries"][0]["calculatedPrice"]):
        assert "discountedPrice" not in calculated
        assert "totalDiscount" not in calculated


def test_calculate_writes_applied_discounts_and_fees_on_the_entry():
    # given
    line = entry(
        "a",
        unit_price="10",
        quantity=1,
        externalDiscounts=[percent_discount("tenth", "10")],
        externalFees=[{**absolute_fee("wrap", "1", tax_code="STANDARD"), "name": {"en": "Gift wrap"}}],
    )
    # when
    calculated = calculate(order(line))["entries"][0]["calculatedPrice"]
    # then
    standard = {"taxCode": "STANDARD", "taxRate": 19}
    one_net = {"netValue": Decimal("1.000"), "grossValue": Decimal("1.190"), "taxValue": Decimal("0.190"), **standard}
    assert calculated["discountedPrice"]["appliedDiscounts"] == [
        {
            "id": "tenth",
            "value": Decimal("1.000"),
            "price": one_net,
            "discountType": "PERCENT",
            "origin": "EXTERNAL",
        }
    ]
    assert calculated["fees"] == [
        {
            "id": "wrap",
            "name": {"en": "Gift wrap"},
            "type": "ABSOLUTE",
            "origin": "EXTERNAL",
            "price": one_net,
        }
    ]
    assert calculated["finalPrice"] == {
        "netValue": Decimal("10.000"),
        "grossValue": Decimal("11.900"),
        "taxValue": Decimal("1.900"),
        **standard,
    }


def test_calculate_writes_legacy_fields_of_a_gross_entry_in_its_price_model():
    # given
    line = entry("a", unit_price="11.90", quantity=2, gross=True)
    # when
    result = calculate(order(line))
    # then
    assert result["entries"][0]["totalPrice"] == Decimal("23.800")
    assert result["entries"][0]["tax"] == {
        "lines": [
            {
                "amount": Decimal("3.800"),
                "currency": "EUR",
                "code": "STANDARD",
                "name": "STANDARD",
                "rate": 19,
                "sequenceId": 0,
                "inclusive": True,
            }
        ],
        "total": {"amount": Decimal("3.800"), "currency": "EUR", "inclusive": True},
    }
    assert result["subTotalPrice"] == Decimal("23.80")
    assert result["totalPrice"] == Decimal("23.80")


def test_calculate_writes_each_shipping_lines_tax_total_in_its_price_model():
    # given a net line of 10.00 at 19 % and a gross one of 5.35 at 7 %, the second with a note of its own in the total
    net = shipping_line("10.00", tax_code="STANDARD", tax_rate=19)
    gross = {**shipping_line("5.35", tax_code="REDUCED", tax_rate=7, inclusive=True), "code": "express"}
    gross["tax"]["total"]["note"] = "kept"
    document = order(entry("a", unit_price="20", quantity=1), shipping=shipping(net, gross))
    # when
    result = calculate(document)
    # then: 10.00 * 19 % = 1.90; 5.35 * 7 / 107 = 0.35; everything else on the lines stays as it was
    assert result["shipping"]["lines"] == [
        {
            "code": "standard",
            "amount": Decimal("10.00"),
            "currency": "EUR",
            "tax": {"total": {"currency": "EUR", "inclusive": False, "amount": Decimal("1.90")}, "rate": 19},
            "shippingTaxCode": "STANDARD",
        },
        {
            "code": "express",
            "amount": Decimal("5.35"),
            "currency": "EUR",
            "tax": {
                "total": {"currency": "EUR", "inclusive": True, "note": "kept", "amount": Decimal("0.35")},
                "rate": 7,
            },
            "shippingTaxCode": "REDUCED",
        },
    ]
    assert document["shipping"]["lines"][0]["tax"]["total"] == {"currency": "EUR", "inclusive": False}


def test_calculate_writes_no_currency_into_shipping_tax_totals_of_an_order_without_one():
    # given
    line = {"code": "standard", "amount": Decimal("10.00"), "tax": {"rate": 19}, "shippingTaxCode": "STANDARD"}
    document = {**order(entry("a", unit_price="20", quantity=1), shipping={"lines": [line]}), "currency": None}
    # when
    result = calculate(document)
    # then
    assert result["shipping"]["lines"][0]["tax"] == {
        "rate": 19,
        "total": {"amount": Decimal("1.90"), "inclusive": False},
    }


def test_calculate_writes_the_orders_currency_into_shipping_tax_totals_that_lack_it():
    # given: a 10.00 net line at 19 % whose tax has no total yet
    line = {"code": "standard", "amount": Decimal("10.00"), "tax": {"rate": 19}, "shippingTaxCode": "STANDARD"}
    document = order(entry("a", unit_price="20", quantity=1), shipping={"lines": [line]})
    # when
    result = calculate(document)
    # then
    assert result["shipping"]["lines"][0]["tax"] == {
        "rate": 19,
        "total": {"amount": Decimal("1.90"), "currency": "EUR", "inclusive": False},
    }


def test_calculate_writes_the_unit_price_it_priced_at_over_stale_stored_values():
    # given: a 12.50 net entry whose stored unit price is still the 10.00 of an earlier price, with a key of its own
    stale = {"netValue": Decimal("10.00"), "grossValue": Decimal("11.90"), "taxValue": Decimal("1.90")}
    line = entry("a", unit_price="12.50", quantity=2)
    line["calculatedUnitPrice"] = {**stale, "taxCode": "STANDARD", "taxRate": 19, "priceId": "list-2025"}
    # when
    unit = calculate(order(line))["entries"][0]["calculatedUnitPrice"]
    # then: 12.50 net, tax 12.50 * 19 % = 2.375, gross 14.875; the stored key is kept, after the computed ones
    assert unit == {
        "netValue": Decimal("12.500"),
        "grossValue": Decimal("14.875"),
        "taxValue": Decimal("2.375"),
        "taxCode": "STANDARD",
        "taxRate": 19,
        "priceId": "list-2025",
    }
    assert list(unit) == ["netValue", "grossValue", "taxValue", "taxCode", "taxRate", "priceId"]


def test_calculate_writes_the_unit_price_of_a_gross_entry_with_the_tax_it_contains():
    # given: an 11.90 gross entry at 19 %, stored as 10.00 gross
    line = entry("a", unit_price="11.90", quantity=3, gross=True)
    line["calculatedUnitPrice"].update(netValue=Decimal("8.40"), grossValue=Decimal("10.00"), taxValue=Decimal("1.60"))
    # when
    unit = calculate(order(line))["entries"][0]["calculatedUnitPrice"]
    # then: tax 11.90 * 19 / 119 = 1.900, net 11.90 - 1.90 = 10.000
    assert amounts(unit) == (Decimal("10.000"), Decimal("1.900"), Decimal("11.900"))
