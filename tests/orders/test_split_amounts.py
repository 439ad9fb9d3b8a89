"""What a split writes, amount by amount, for a two- and a three-vendor order with shipping and a payment fee.

Every expected figure is worked out by hand below (docs/calculation.md for the engine, docs/decisions.md "Split"
for the shares), never read from the code under test. Notation: q2/q3 round half-up to 2/3 decimals; a share of
a master amount M for a vendor of weight w (its goods' net) is q2(M * w / Σw), the rounding rest going to the
vendor of the largest weight.
"""

import copy
from decimal import Decimal

import pytest

from orders.errors import ValidationFailed
from orders.models import Order
from orders.split import check_splittable

D = Decimal


def money(net: str, tax: str, gross: str) -> tuple[Decimal, Decimal, Decimal]:
    return D(net), D(tax), D(gross)


def amounts(price: dict) -> tuple[Decimal, Decimal, Decimal]:
    return D(price["netValue"]), D(price["taxValue"]), D(price["grossValue"])


def lines(price: dict) -> list[tuple]:
    return [(line.get("taxCode"), line.get("taxRate"), *amounts(line)) for line in price["taxAggregate"]["lines"]]


def vendor_entry(entry_id: str, vendor: str, *, unit_price: str, quantity: int, tax_code: str, tax_rate: int) -> dict:
    return {
        "id": entry_id,
        "amount": quantity,
        "price": {"currency": "EUR", "effectiveAmount": D(unit_price)},
        "calculatedUnitPrice": {"taxCode": tax_code, "taxRate": tax_rate},
        "calculatedPrice": {},
        "product": {"id": entry_id, "name": entry_id, "vendor": {"id": vendor}},
    }


def shipping_line(amount: str) -> dict:
    return {
        "total": {"currency": "EUR"},
        "lines": [
            {
                "code": "standard",
                "amount": D(amount),
                "currency": "EUR",
                "tax": {"total": {"currency": "EUR", "inclusive": False}, "rate": 19},
                "shippingTaxCode": "STANDARD",
            }
        ],
    }


def payment_fee(fee_type: str, value: str) -> dict:
    zero = D(0)
    price = {"netValue": zero, "grossValue": zero, "taxValue": zero, "taxCode": "REDUCED", "taxRate": 7}
    return {"id": "payment-fee", "type": fee_type, "value": D(value), "price": price}


def created_order(api, seed_order, entries: list[dict], *, shipping: str, fee: dict) -> str:
    """The seed order (customer, addresses, payments, mixins…) with these entries, shipping line and fee."""
    document = copy.deepcopy(seed_order)
    document.update(status="CREATED", entries=entries, shipping=shipping_line(shipping))
    document["calculatedPrice"] = {"paymentFees": [fee]}
    response = api.post("salesorders", document)
    assert response.status_code == 201, response
    return response.json()["id"]


def split(api, order_id: str) -> tuple[dict, list[dict]]:
    response = api.post(f"salesorders/{order_id}/split", {"splitBy": "VENDOR_ID"})
    assert response.status_code == 200, response
    master = api.get(f"salesorders/{order_id}").json()
    return master, [api.get(f"salesorders/{item['id']}").json() for item in response.json()["subOrders"]]


# --- two vendors ------------------------------------------------------------------------------------------------------
#
# a-1 (vendor-a): 2 * 5.25 = 10.500 net STANDARD 19 %: tax q3(1.995) = 1.995, gross 12.495
# b-1 (vendor-b): 1 * 21.50 = 21.500 net REDUCED 7 %:  tax q3(1.505) = 1.505, gross 23.005
# shipping line 9.99 net STANDARD 19 %: tax q3(1.8981) = 1.898
# payment fee PERCENT 2 (REDUCED 7 %): net q3((32.000 + 9.990) * 2 %) = q3(0.8398) = 0.840, tax q3(0.0588) = 0.059
#
# The master priced alone: goods 32.00 / q2(3.500) 3.50; fee 0.84 / q2(0.059) 0.06; shipping 9.99 / q2(1.898) 1.90
#   → final 42.83 / 5.46 / 48.29
# Shares by goods net, weights 10.5 (a) and 21.5 (b) of 32:
#   shipping net 9.99:  a 9.99 * 10.5/32 = 3.27797 → 3.28,  b 9.99 * 21.5/32 = 6.71203 → 6.71  (Σ 9.99)
#   shipping tax 1.90:  a 1.9 * 10.5/32 = 0.62344 → 0.62,   b 1.9 * 21.5/32 = 1.27656 → 1.28   (Σ 1.90)
#   fee net 0.840:      a 0.84 * 10.5/32 = 0.27563 → 0.28,  b 0.84 * 21.5/32 = 0.56438 → 0.56  (Σ 0.84)
#   fee tax 0.059:      a 0.01936 → 0.02, b 0.03964 → 0.04: Σ 0.06, so b (the largest) gives back 0.001 → 0.039
# Suborder a: goods 10.50 / q2(1.995) 2.00; fee 0.28 / 0.02; shipping 3.28 / 0.62 → final 14.06 / 2.64 / 16.70
#   tax lines: REDUCED fee 0.28 / 0.020; STANDARD 10.500 + 3.28 = 13.780 / 1.995 + 0.62 = 2.615 → 2.62
# Suborder b: goods 21.50 / q2(1.505) 1.51; fee 0.56 / q2(0.039) 0.04; shipping 6.71 / 1.28 → 28.77 / 2.83 / 31.60
#   tax lines: REDUCED 21.500 + 0.56 = 22.06 / 1.505 + 0.039 = 1.544 → 1.54; STANDARD 6.71 / 1.28;
#   1.54 + 1.28 = 2.82, the missing cent to the line with the most tax: REDUCED 1.55
# Master after the split = Σ suborders: 42.83 / 5.47 / 48.30 (a cent of tax more than priced alone: each suborder
#   rounds its goods' tax up, 2.00 + 1.51 against 3.50)


@pytest.fixture
def two_vendor_order(api, seed_order) -> str:
    entries = [
        vendor_entry("a-1", "vendor-a", unit_price="5.25", quantity=2, tax_code="STANDARD", tax_rate=19),
        vendor_entry("b-1", "vendor-b", unit_price="21.50", quantity=1, tax_code="REDUCED", tax_rate=7),
    ]
    return created_order(api, seed_order, entries, shipping="9.99", fee=payment_fee("PERCENT", "2"))


def test_split_two_vendors_master_is_the_sum_of_its_suborders(api, two_vendor_order):
    # when
    master, _ = split(api, two_vendor_order)
    # then
    calculated = master["calculatedPrice"]
    assert amounts(calculated["finalPrice"]) == money("42.83", "5.47", "48.30")
    assert D(master["totalPrice"]) == D("48.30")
    assert D(master["tax"]["total"]["amount"]) == D("5.47")
    # price: 10.50 / 2.00 + 21.50 / 1.51
    assert amounts(calculated["price"]) == money("32.00", "3.51", "35.51")
    assert D(master["subTotalPrice"]) == D("32.00")
    assert amounts(calculated["totalShipping"]) == money("9.99", "1.90", "11.89")
    assert amounts(calculated["totalFee"]) == money("0.84", "0.06", "0.90")
    # the fee's price: 0.28 + 0.56 / 0.02 + 0.039 / 0.30 + 0.599
    assert calculated["paymentFees"] == [
        {
            "id": "payment-fee",
            "type": "PERCENT",
            "value": 2,
            "price": {
                "netValue": D("0.840"),
                "grossValue": D("0.899"),
                "taxValue": D("0.059"),
                "taxCode": "REDUCED",
                "taxRate": 7,
            },
        }
    ]
    # merged lines: REDUCED 0.28 + 22.06 / 0.02 + 1.55; STANDARD 13.78 + 6.71 / 2.62 + 1.28
    assert lines(calculated["finalPrice"]) == [
        ("REDUCED", 7, *money("22.34", "1.57", "23.91")),
        ("STANDARD", 19, *money("20.49", "3.90", "24.39")),
    ]


def test_split_two_vendors_shares_shipping_and_fee_by_goods_value(api, two_vendor_order):
    # when
    _, (vendor_a, vendor_b) = split(api, two_vendor_order)
    # then
    assert [entry["id"] for entry in vendor_a["entries"]] == ["a-1"]
    assert [entry["id"] for entry in vendor_b["entries"]] == ["b-1"]
    assert amounts(vendor_a["calculatedPrice"]["totalShipping"]) == money("3.28", "0.62", "3.90")
    assert amounts(vendor_b["calculatedPrice"]["totalShipping"]) == money("6.71", "1.28", "7.99")
    fee_a, fee_b = (suborder["calculatedPrice"]["paymentFees"][0] for suborder in (vendor_a, vendor_b))
    assert amounts(fee_a["price"]) == money("0.28", "0.02", "0.30")
    assert amounts(fee_b["price"]) == money("0.56", "0.039", "0.599")
    # kept as stored prices: without `value` the engine does not recalculate (nor re-tax) a share
    assert "value" not in fee_a and "value" not in fee_b
    assert (fee_a["price"]["taxCode"], fee_a["price"]["taxRate"], fee_a["type"]) == ("REDUCED", 7, "PERCENT")
    assert "shipping" not in vendor_a  # the lines stay on the master: the share is a stored total


def test_split_two_vendors_prices_each_suborder_on_its_own(api, two_vendor_order):
    # when
    _, (vendor_a, vendor_b) = split(api, two_vendor_order)
    # then
    final_a, final_b = (suborder["calculatedPrice"]["finalPrice"] for suborder in (vendor_a, vendor_b))
    assert amounts(final_a) == money("14.06", "2.64", "16.70")
    assert lines(final_a) == [
        ("REDUCED", 7, *money("0.28", "0.02", "0.30")),
        ("STANDARD", 19, *money("13.78", "2.62", "16.40")),
    ]
    assert amounts(final_b) == money("28.77", "2.83", "31.60")
    assert lines(final_b) == [
        ("REDUCED", 7, *money("22.06", "1.55", "23.61")),
        ("STANDARD", 19, *money("6.71", "1.28", "7.99")),
    ]
    assert (D(vendor_a["subTotalPrice"]), D(vendor_a["totalPrice"])) == (D("10.50"), D("16.70"))
    assert (D(vendor_b["subTotalPrice"]), D(vendor_b["totalPrice"])) == (D("21.50"), D("31.60"))
    # each suborder's legacy tax is its own, not the master's
    assert D(vendor_a["tax"]["total"]["amount"]) == D("2.64")
    assert [(line["code"], D(line["amount"])) for line in vendor_a["tax"]["lines"]] == [
        ("REDUCED", D("0.02")),
        ("STANDARD", D("2.62")),
    ]
    assert D(vendor_b["tax"]["total"]["amount"]) == D("2.83")


def test_split_suborders_keep_mixins_but_not_the_masters_payments(api, seed_order, two_vendor_order):
    # when
    master, suborders = split(api, two_vendor_order)
    # then
    for suborder in suborders:
        assert suborder["metadata"]["mixins"] == seed_order["metadata"]["mixins"]
        assert suborder["mixins"] == seed_order["mixins"]
        assert suborder["metadata"]["version"] == 1
        assert suborder["customer"] == seed_order["customer"]
        assert suborder["billingAddress"] == seed_order["billingAddress"]
        assert suborder["shippingAddress"] == seed_order["shippingAddress"]
        assert (suborder["siteCode"], suborder["currency"], suborder["status"]) == ("DE", "EUR", "CREATED")
        # payments were authorized for the whole order: they stay on the master alone
        assert "payments" not in suborder
        assert "totalAuthorizedAmount" not in suborder
        assert "subOrders" not in suborder
    assert master["payments"] == seed_order["payments"]
    assert D(master["totalAuthorizedAmount"]) == D("373.12")
    assert master["metadata"]["version"] == 2


def test_split_master_legacy_tax_lines_follow_its_merged_tax_aggregate(api, two_vendor_order):
    # when
    master, _ = split(api, two_vendor_order)
    # then
    assert [(line["code"], D(line["amount"])) for line in master["tax"]["lines"]] == [
        ("REDUCED", D("1.57")),
        ("STANDARD", D("3.90")),
    ]
    assert sum(D(line["amount"]) for line in master["tax"]["lines"]) == D(master["tax"]["total"]["amount"])


# --- three vendors ----------------------------------------------------------------------------------------------------
#
# a-1 (vendor-a): 3 * 33.335 = 100.005 STANDARD 19 %: tax q3(19.00095) = 19.001
# b-1 (vendor-b): 1 * 50.005 =  50.005 STANDARD 19 %: tax q3(9.50095) = 9.501
# c-1 (vendor-c): 2 * 12.345 =  24.690 REDUCED 7 %:   tax q3(1.7283) = 1.728
# a-2 (vendor-a): 1 * 5.00   =   5.000 STANDARD 19 %: tax 0.950  (vendor-a's second entry, after the others)
# shipping line 10.00 net STANDARD 19 %: tax 1.900; payment fee ABSOLUTE 3 (REDUCED 7 %): 3.000 / 0.210
#
# Master alone: goods q2(179.700) 179.70 / q2(31.180) 31.18; fee 3.00 / 0.21; shipping 10.00 / 1.90
#   → 192.70 / 33.29 / 225.99; lines REDUCED 27.69 / 1.94, STANDARD 165.01 / 31.35
# Weights (goods net): a 105.005, b 50.005, c 24.690 of 179.700
#   shipping net 10.00: a 5.84335 → 5.84, b 2.78269 → 2.78, c 1.37396 → 1.37: Σ 9.99, the cent to a → 5.85
#   shipping tax 1.90:  a 1.11024 → 1.11, b 0.52871 → 0.53, c 0.26105 → 0.26 (Σ 1.90)
#   fee net 3.00:       a 1.75301 → 1.75, b 0.83481 → 0.83, c 0.41219 → 0.41: Σ 2.99, the cent to a → 1.76
#   fee tax 0.21:       a 0.12271 → 0.12, b 0.05844 → 0.06, c 0.02885 → 0.03 (Σ 0.21)
# Suborder a: goods q2(105.005) 105.01 / q2(19.951) 19.95; fee 1.76 / 0.12; shipping 5.85 / 1.11
#   → 112.62 / 21.18 / 133.80; lines REDUCED 1.76 / 0.12, STANDARD 105.005 + 5.85 = 110.855 → 110.86 / 21.061 → 21.06
# Suborder b: goods q2(50.005) 50.01 / q2(9.501) 9.50; fee 0.83 / 0.06; shipping 2.78 / 0.53
#   → 53.62 / 10.09 / 63.71; lines REDUCED 0.83 / 0.06, STANDARD 52.785 → 52.79 / 10.031 → 10.03
# Suborder c: goods 24.69 / q2(1.728) 1.73; fee 0.41 / 0.03; shipping 1.37 / 0.26
#   → 26.47 / 2.02 / 28.49; lines REDUCED 25.100 → 25.10 / 1.758 → 1.76, STANDARD 1.37 / 0.26
# Master after the split: 192.71 / 33.29 / 226.00 (a cent of net more than alone: a and b round 105.005 and 50.005 up)


@pytest.fixture
def three_vendor_order(api, seed_order) -> str:
    entries = [
        vendor_entry("a-1", "vendor-a", unit_price="33.335", quantity=3, tax_code="STANDARD", tax_rate=19),
        vendor_entry("b-1", "vendor-b", unit_price="50.005", quantity=1, tax_code="STANDARD", tax_rate=19),
        vendor_entry("c-1", "vendor-c", unit_price="12.345", quantity=2, tax_code="REDUCED", tax_rate=7),
        vendor_entry("a-2", "vendor-a", unit_price="5.00", quantity=1, tax_code="STANDARD", tax_rate=19),
    ]
    return created_order(api, seed_order, entries, shipping="10.00", fee=payment_fee("ABSOLUTE", "3"))


def test_split_three_vendors_master_is_the_sum_of_its_suborders(api, three_vendor_order):
    # when
    master, _ = split(api, three_vendor_order)
    # then
    calculated = master["calculatedPrice"]
    assert amounts(calculated["finalPrice"]) == money("192.71", "33.29", "226.00")
    assert D(master["totalPrice"]) == D("226.00")
    assert D(master["tax"]["total"]["amount"]) == D("33.29")
    # price: 105.01 / 19.95 + 50.01 / 9.50 + 24.69 / 1.73
    assert amounts(calculated["price"]) == money("179.71", "31.18", "210.89")
    assert D(master["subTotalPrice"]) == D("179.71")
    assert amounts(calculated["totalShipping"]) == money("10.00", "1.90", "11.90")
    assert amounts(calculated["totalFee"]) == money("3.00", "0.21", "3.21")
    assert amounts(calculated["paymentFees"][0]["price"]) == money("3.00", "0.21", "3.21")
    # REDUCED 1.76 + 0.83 + 25.10 / 0.12 + 0.06 + 1.76; STANDARD 110.86 + 52.79 + 1.37 / 21.06 + 10.03 + 0.26
    assert lines(calculated["finalPrice"]) == [
        ("REDUCED", 7, *money("27.69", "1.94", "29.63")),
        ("STANDARD", 19, *money("165.02", "31.35", "196.37")),
    ]


def test_split_three_vendors_suborders(api, three_vendor_order):
    # when
    master, (vendor_a, vendor_b, vendor_c) = split(api, three_vendor_order)
    # then: one suborder per vendor, in the order of their first entries, each vendor's entries together
    assert [item["vendor"]["id"] for item in (vendor_a, vendor_b, vendor_c)] == ["vendor-a", "vendor-b", "vendor-c"]
    assert [entry["id"] for entry in vendor_a["entries"]] == ["a-1", "a-2"]
    assert master["subOrders"] == [vendor_a["id"], vendor_b["id"], vendor_c["id"]]
    expected = {
        "vendor-a": (("5.85", "1.11", "6.96"), ("1.76", "0.12", "1.88"), ("112.62", "21.18", "133.80"), "105.01"),
        "vendor-b": (("2.78", "0.53", "3.31"), ("0.83", "0.06", "0.89"), ("53.62", "10.09", "63.71"), "50.01"),
        "vendor-c": (("1.37", "0.26", "1.63"), ("0.41", "0.03", "0.44"), ("26.47", "2.02", "28.49"), "24.69"),
    }
    for suborder in (vendor_a, vendor_b, vendor_c):
        shipping, fee, final, subtotal = expected[suborder["vendor"]["id"]]
        calculated = suborder["calculatedPrice"]
        assert amounts(calculated["totalShipping"]) == money(*shipping)
        assert amounts(calculated["paymentFees"][0]["price"]) == money(*fee)
        assert amounts(calculated["totalFee"]) == money(*fee)
        assert amounts(calculated["finalPrice"]) == money(*final)
        assert D(suborder["subTotalPrice"]) == D(subtotal)
        assert D(suborder["totalPrice"]) == D(final[2])
        assert D(suborder["tax"]["total"]["amount"]) == D(final[1])
    assert lines(vendor_a["calculatedPrice"]["finalPrice"]) == [
        ("REDUCED", 7, *money("1.76", "0.12", "1.88")),
        ("STANDARD", 19, *money("110.86", "21.06", "131.92")),
    ]
    assert lines(vendor_b["calculatedPrice"]["finalPrice"]) == [
        ("REDUCED", 7, *money("0.83", "0.06", "0.89")),
        ("STANDARD", 19, *money("52.79", "10.03", "62.82")),
    ]
    assert lines(vendor_c["calculatedPrice"]["finalPrice"]) == [
        ("REDUCED", 7, *money("25.10", "1.76", "26.86")),
        ("STANDARD", 19, *money("1.37", "0.26", "1.63")),
    ]


# --- merged tax line order ------------------------------------------------------------------------------------------
# x-1 (vendor-x) STANDARD 19 % only, y-1 (vendor-y) REDUCED 7 %, shipping STANDARD shared by both, no payment fee:
# suborder x has only a STANDARD line, y a REDUCED and a STANDARD one. The engine writes lines sorted by tax code
# (REDUCED before STANDARD, as in every order above); the merged master's lines come in the order first met.


def test_split_master_tax_lines_in_the_engines_order(api, seed_order):
    # given
    entries = [
        vendor_entry("x-1", "vendor-x", unit_price="10", quantity=1, tax_code="STANDARD", tax_rate=19),
        vendor_entry("y-1", "vendor-y", unit_price="10", quantity=1, tax_code="REDUCED", tax_rate=7),
    ]
    document = copy.deepcopy(seed_order)
    document.update(status="CREATED", entries=entries, shipping=shipping_line("5"))
    document["calculatedPrice"] = {}
    order_id = api.post("salesorders", document).json()["id"]
    # when
    master, _ = split(api, order_id)
    # then
    assert [line["taxCode"] for line in master["calculatedPrice"]["finalPrice"]["taxAggregate"]["lines"]] == [
        "REDUCED",
        "STANDARD",
    ]


# --- entry fees, one tax everywhere, goods worth nothing, one rate under two codes --------------------------------


def bare_order(api, seed_order, entries: list[dict], *, shipping: str | None = None) -> str:
    document = copy.deepcopy(seed_order)
    document.update(status="CREATED", entries=entries, calculatedPrice={})
    if shipping is not None:
        document["shipping"] = shipping_line(shipping)
    else:
        document.pop("shipping", None)
    response = api.post("salesorders", document)
    assert response.status_code == 201, response
    return response.json()["id"]


def entry_fee(amount: str) -> dict:
    fee = {"id": "handling", "feeType": "ABSOLUTE", "feeAbsolute": {"currency": "EUR", "amount": D(amount)}}
    return {**fee, "taxable": True, "taxCode": "REDUCED"}


def test_split_master_fees_are_the_sum_of_the_suborders_rounded_fees(api, seed_order):
    # given x: 10.00 at 19 % with a 0.50 fee at 7 % (tax 0.035); y: 20.00 at 7 % with the same fee; z: 5.00 at 7 %
    entries = [
        vendor_entry("x-1", "vendor-x", unit_price="10", quantity=1, tax_code="STANDARD", tax_rate=19),
        vendor_entry("y-1", "vendor-y", unit_price="20", quantity=1, tax_code="REDUCED", tax_rate=7),
        vendor_entry("z-1", "vendor-z", unit_price="5", quantity=1, tax_code="REDUCED", tax_rate=7),
    ]
    entries[0]["externalFees"] = [entry_fee("0.50")]
    entries[1]["externalFees"] = [entry_fee("0.50")]
    order_id = bare_order(api, seed_order, entries)
    # when
    master, (vendor_x, vendor_y, vendor_z) = split(api, order_id)
    # then: alone the fees are 1.000 / q2(0.070) 0.07; each of x and y rounds its own 0.035 up to 0.04
    assert amounts(vendor_x["calculatedPrice"]["totalFee"]) == money("0.50", "0.04", "0.54")
    assert amounts(vendor_y["calculatedPrice"]["totalFee"]) == money("0.50", "0.04", "0.54")
    assert "totalFee" not in vendor_z["calculatedPrice"]
    calculated = master["calculatedPrice"]
    assert amounts(calculated["totalFee"]) == money("1.00", "0.08", "1.08")
    assert amounts(calculated["fees"]) == money("1.00", "0.08", "1.08")
    # goods 35.00 / 1.90 + 1.40 + 0.35 = 3.65, fees 1.00 / 0.08
    assert amounts(calculated["finalPrice"]) == money("36.00", "3.73", "39.73")


def test_split_master_of_one_tax_everywhere_names_it_on_its_final_price(api, seed_order):
    # given two vendors' entries and the shipping, all STANDARD 19 %
    entries = [
        vendor_entry("x-1", "vendor-x", unit_price="10", quantity=1, tax_code="STANDARD", tax_rate=19),
        vendor_entry("y-1", "vendor-y", unit_price="30", quantity=1, tax_code="STANDARD", tax_rate=19),
    ]
    order_id = bare_order(api, seed_order, entries, shipping="4")
    # when
    master, (vendor_x, vendor_y) = split(api, order_id)
    # then: shipping 4.00 / 0.76 shared 1 : 3, 1.00 / 0.19 and 3.00 / 0.57
    assert amounts(vendor_x["calculatedPrice"]["totalShipping"]) == money("1.00", "0.19", "1.19")
    assert amounts(vendor_y["calculatedPrice"]["totalShipping"]) == money("3.00", "0.57", "3.57")
    final = master["calculatedPrice"]["finalPrice"]
    assert amounts(final) == money("44.00", "8.36", "52.36")
    assert (final["taxCode"], final["taxRate"]) == ("STANDARD", 19)
    assert lines(final) == [("STANDARD", 19, *money("44.00", "8.36", "52.36"))]


def test_split_of_goods_worth_nothing_shares_shipping_equally(api, seed_order):
    # given two free entries and 10.00 shipping at 19 %: no goods value to weigh the shares by
    entries = [
        vendor_entry("x-1", "vendor-x", unit_price="0", quantity=1, tax_code="STANDARD", tax_rate=19),
        vendor_entry("y-1", "vendor-y", unit_price="0", quantity=2, tax_code="STANDARD", tax_rate=19),
    ]
    order_id = bare_order(api, seed_order, entries, shipping="10")
    # when
    master, suborders = split(api, order_id)
    # then: 5.00 / 0.95 each
    for suborder in suborders:
        assert amounts(suborder["calculatedPrice"]["totalShipping"]) == money("5.00", "0.95", "5.95")
    assert amounts(master["calculatedPrice"]["finalPrice"]) == money("10.00", "1.90", "11.90")


def test_split_master_keeps_two_codes_of_one_rate_apart(api, seed_order):
    # given x: 10.00 STANDARD 19 %, y: 20.00 OTHER 19 %
    entries = [
        vendor_entry("x-1", "vendor-x", unit_price="10", quantity=1, tax_code="STANDARD", tax_rate=19),
        vendor_entry("y-1", "vendor-y", unit_price="20", quantity=1, tax_code="OTHER", tax_rate=19),
    ]
    order_id = bare_order(api, seed_order, entries)
    # when
    master, _ = split(api, order_id)
    # then
    assert sorted(lines(master["calculatedPrice"]["finalPrice"])) == [
        ("OTHER", 19, *money("20.00", "3.80", "23.80")),
        ("STANDARD", 19, *money("10.00", "1.90", "11.90")),
    ]


# --- refusals ---------------------------------------------------------------------------------------------------------


def _without_vendor(entries: list[dict]) -> None:
    del entries[1]["product"]["vendor"]


def _discount_on_one_entry(entries: list[dict]) -> None:
    entries[1]["externalDiscounts"] = [{"id": "d", "discountType": "PERCENT", "value": 10, "sequence": 1}]


def _one_vendor(entries: list[dict]) -> None:
    entries[1]["product"]["vendor"]["id"] = "vendor-a"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (_without_vendor, "entries", "Every entry needs product.vendor.id to split by vendor."),
        (_discount_on_one_entry, "discounts", "Orders with discounts cannot be split."),
        (_one_vendor, "entries", "The order's entries belong to fewer than two vendors; there is nothing to split."),
    ],
    ids=["entry-without-vendor", "discount-on-one-entry", "one-vendor"],
)
def test_split_refusal_is_400_and_changes_nothing(api, seed_order, change, field, message):
    # given
    entries = [
        vendor_entry("a-1", "vendor-a", unit_price="5.25", quantity=2, tax_code="STANDARD", tax_rate=19),
        vendor_entry("b-1", "vendor-b", unit_price="21.50", quantity=1, tax_code="REDUCED", tax_rate=7),
    ]
    change(entries)
    order_id = created_order(api, seed_order, entries, shipping="9.99", fee=payment_fee("PERCENT", "2"))
    before = api.get(f"salesorders/{order_id}").raw.content
    # when
    response = api.post(f"salesorders/{order_id}/split", {"splitBy": "VENDOR_ID"})
    # then
    assert response.status_code == 400, response
    body = response.json()
    assert body["message"] == message
    assert (body["details"][0]["field"], body["details"][0]["type"]) == (field, "invalid_split")
    assert api.get(f"salesorders/{order_id}").raw.content == before
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        ({"masterOrder": "EON1"}, "The order is a suborder; suborders cannot be split."),
        ({"orderType": "SUB_ORDER"}, "The order is a suborder; suborders cannot be split."),
        ({"orderType": "MASTER_ORDER"}, "The order has already been split."),
    ],
)
def test_check_splittable_tells_a_suborder_from_a_split_master(marks, message):
    # given each mark alone (stored suborders carry both masterOrder and orderType)
    document = {
        "status": "CREATED",
        "entries": [
            vendor_entry("a-1", "vendor-a", unit_price="1", quantity=1, tax_code="STANDARD", tax_rate=19),
            vendor_entry("b-1", "vendor-b", unit_price="1", quantity=1, tax_code="STANDARD", tax_rate=19),
        ],
        **marks,
    }
    # when
    with pytest.raises(ValidationFailed) as raised:
        check_splittable(document, "VENDOR_ID")
    # then
    assert raised.value.message == message
    assert [(detail.field, detail.type) for detail in raised.value.details] == [("orderId", "invalid_split")]
