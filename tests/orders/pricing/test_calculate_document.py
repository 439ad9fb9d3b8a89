"""The shape of what `calculate` writes: what it owns, what it keeps, the legacy fields."""

from decimal import Decimal

from orders.pricing import calculate

from .builders import absolute_fee, coupon, entry, order, percent_discount

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
