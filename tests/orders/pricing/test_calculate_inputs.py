"""Where the engine reads its inputs from (the contract in DESIGN.md, "Pricing")."""

from decimal import Decimal

from orders.pricing import calculate

from .builders import (
    absolute_discount,
    amounts,
    decimals,
    entry,
    order,
    payment_fee,
    percent_discount,
    shipping,
    shipping_line,
)


def entry_price(document: dict, index: int = 0, name: str = "finalPrice") -> tuple:
    return amounts(calculate(document)["entries"][index]["calculatedPrice"][name])


def test_calculate_quantity_is_delivered_amount_when_set():
    # given
    document = order(entry("a", unit_price="10", quantity=3, deliveredAmount=Decimal("1.5")))
    # when / then
    assert entry_price(document) == decimals("15", "2.85", "17.85")


def test_calculate_quantity_is_amount_when_delivered_amount_is_null():
    # given
    document = order(entry("a", unit_price="10", quantity=3, deliveredAmount=None))
    # when / then
    assert entry_price(document) == decimals("30", "5.70", "35.70")


def test_calculate_delivered_amount_zero_prices_the_entry_at_zero():
    # given
    document = order(entry("a", unit_price="10", quantity=3, deliveredAmount=0))
    # when / then
    assert entry_price(document) == decimals("0", "0", "0")


def test_calculate_unit_price_is_effective_amount_before_unit_price():
    # given
    document = order(entry("a", unit_price="8", quantity=1, unitPrice=Decimal(10)))
    # when / then
    assert entry_price(document)[0] == Decimal(8)


def test_calculate_unit_price_falls_back_to_unit_price():
    # given
    line = entry("a", unit_price="8", quantity=1, unitPrice=Decimal(10))
    del line["price"]
    # when / then
    assert entry_price(order(line))[0] == Decimal(10)


def test_calculate_unit_price_falls_back_to_calculated_unit_price_in_the_price_model():
    # given
    line = entry("a", unit_price="8", quantity=2, gross=True)
    del line["price"]
    line["calculatedUnitPrice"].update(netValue=Decimal("10.00"), grossValue=Decimal("11.90"))
    # when / then
    assert entry_price(order(line)) == decimals("20.000", "3.800", "23.800")


def test_calculate_gross_entry_contains_its_tax():
    # given
    document = order(entry("a", unit_price="119", quantity=1, gross=True))
    # when / then
    assert entry_price(document) == decimals("100", "19", "119")


def test_calculate_entry_is_net_when_no_tax_line_is_inclusive():
    # given
    line = entry("a", unit_price="100", quantity=1, tax={"lines": [{"code": "STANDARD", "inclusive": False}]})
    # when / then
    assert entry_price(order(line)) == decimals("100", "19", "119")


def test_calculate_percent_entry_fee_is_a_share_of_the_price_before_discounts():
    # given
    fee = {"id": "f", "feeType": "PERCENT", "feePercentage": Decimal(10), "taxable": True, "taxCode": "STANDARD"}
    line = entry("a", unit_price="50", quantity=2, externalFees=[fee], externalDiscounts=[percent_discount("d", "50")])
    # when
    calculated = calculate(order(line))["entries"][0]["calculatedPrice"]
    # then: 10 % of 100 net, though the goods are discounted to 50
    assert amounts(calculated["fees"][0]["price"]) == decimals("10", "1.90", "11.90")
    assert amounts(calculated["finalPrice"]) == decimals("60", "11.40", "71.40")


def test_calculate_per_item_fee_multiplies_by_quantity():
    # given
    fee = {"id": "f", "feeType": "ABSOLUTE_MULTIPLY_ITEMQUANTITY", "feeAbsolute": {"amount": Decimal("0.25")}}
    line = entry("a", unit_price="1", quantity=4, deliveredAmount=3, externalFees=[fee])
    # when / then: untaxed, since the fee names no tax code
    assert entry_price(order(line), name="totalFee") == decimals("0.75", "0", "0.75")


def test_calculate_fee_tax_code_rate_comes_from_the_order():
    # given: REDUCED is priced at 7 % by the second entry
    fee = {"id": "f", "feeType": "ABSOLUTE", "feeAbsolute": {"amount": Decimal(10)}, "taxCode": "REDUCED"}
    document = order(
        entry("a", unit_price="1", quantity=1, externalFees=[fee]),
        entry("b", unit_price="1", quantity=1, tax_code="REDUCED", tax_rate=7),
    )
    # when / then
    assert entry_price(document, name="totalFee") == decimals("10", "0.70", "10.70")


def test_calculate_fee_tax_code_rate_comes_from_tax_rates_argument():
    # given
    fee = {"id": "f", "feeType": "ABSOLUTE", "feeAbsolute": {"amount": Decimal(10)}, "taxCode": "SERVICE"}
    document = order(entry("a", unit_price="1", quantity=1, externalFees=[fee]))
    # when
    result = calculate(document, tax_rates={"SERVICE": Decimal("20.5")})
    # then
    assert amounts(result["entries"][0]["calculatedPrice"]["totalFee"]) == decimals("10", "2.05", "12.05")


def test_calculate_shipping_line_inclusive_contains_its_tax():
    # given
    document = order(shipping=shipping(shipping_line("11.90", tax_code="STANDARD", tax_rate=19, inclusive=True)))
    # when / then
    assert amounts(calculate(document)["calculatedPrice"]["totalShipping"]) == decimals("10", "1.90", "11.90")


def test_calculate_absolute_payment_fee_is_its_value_net():
    # given
    document = order(
        entry("a", unit_price="100", quantity=1),
        calculatedPrice={"paymentFees": [payment_fee("ABSOLUTE", "2.50", tax_code="STANDARD", tax_rate=19)]},
    )
    # when / then
    fee = calculate(document)["calculatedPrice"]["paymentFees"][0]
    assert amounts(fee["price"]) == decimals("2.50", "0.475", "2.975")
    assert fee["value"] == Decimal("2.50")


def test_calculate_percent_payment_fee_is_a_share_of_discounted_goods_and_shipping_net():
    # given
    document = order(
        entry("a", unit_price="119", quantity=1, gross=True, externalDiscounts=[absolute_discount("d", "11.90")]),
        shipping=shipping(shipping_line("5", tax_code="STANDARD", tax_rate=19)),
        calculatedPrice={"paymentFees": [payment_fee("PERCENT", "10", tax_code="STANDARD", tax_rate=19)]},
    )
    # when
    fee = calculate(document)["calculatedPrice"]["paymentFees"][0]
    # then: 10 % of (107.10 gross = 90 net) + 5 net
    assert amounts(fee["price"]) == decimals("9.50", "1.805", "11.305")


def test_calculate_payment_fee_without_value_keeps_its_stored_price():
    # given
    stored = {"netValue": Decimal("1.23"), "grossValue": Decimal("1.46"), "taxValue": Decimal("0.23")}
    document = order(
        entry("a", unit_price="100", quantity=1),
        calculatedPrice={"paymentFees": [{"id": "p", "type": "PERCENT", "price": {**stored, "taxRate": 19}}]},
    )
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then
    assert amounts(calculated["paymentFees"][0]["price"]) == decimals("1.23", "0.23", "1.46")
    assert amounts(calculated["finalPrice"]) == decimals("101.23", "19.23", "120.46")


def test_calculate_without_shipping_lines_keeps_stored_total_shipping():
    # given
    stored = {"netValue": Decimal(5), "grossValue": Decimal("5.95"), "taxValue": Decimal("0.95"), "taxRate": 19}
    document = order(entry("a", unit_price="100", quantity=1), calculatedPrice={"totalShipping": dict(stored)})
    # when
    calculated = calculate(document)["calculatedPrice"]
    # then
    assert calculated["totalShipping"] == stored
    assert amounts(calculated["finalPrice"]) == decimals("105", "19.95", "124.95")
    # its stored rate makes a tax line of its own: 19 % without a code is not the entry's STANDARD 19 %
    lines = calculated["finalPrice"]["taxAggregate"]["lines"]
    assert [(line.get("taxCode"), line.get("taxRate")) for line in lines] == [("STANDARD", 19), (None, 19)]
    assert [amounts(line) for line in lines] == [decimals("100", "19", "119"), decimals("5", "0.95", "5.95")]
