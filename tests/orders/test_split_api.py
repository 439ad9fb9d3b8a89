"""Splitting an order by vendor over HTTP: suborders that add up to the master, and every refusal."""

import copy
from decimal import Decimal

import pytest

from orders import scopes, services
from orders.actors import Actor
from orders.demo import load_catalog
from orders.models import Order

from .test_recalculation_api import SHIPPING

VENDORS = ["vendor-ushoes", "vendor-safety", "vendor-dairy"]


@pytest.fixture
def three_vendor_order(api, tenant, seed_order) -> str:
    """Shoes (vendor-ushoes, 19 %), gloves (vendor-safety, 19 %), 1.5 kg cheese (vendor-dairy, 7 %),
    shipping 35 at 12 % and a 10 % payment fee."""
    load_catalog(tenant)
    document = copy.deepcopy(seed_order)
    document.update(status="CREATED", shipping=SHIPPING)
    document["entries"][0]["product"]["vendor"] = {"id": "vendor-ushoes"}
    document["calculatedPrice"]["paymentFees"][0]["value"] = 10
    order_id = api.post("salesorders", document).json()["id"]
    added = api.post(
        f"salesorders/{order_id}/entries?store=true",
        {
            "entries": [
                {"productId": "GLOVES-NITRIL-100", "quantity": 3},
                {"productId": "CHEESE-GOUDA-KG", "quantity": Decimal("1.5")},
            ]
        },
    )
    assert added.status_code == 200, added
    return order_id


def amounts(price: dict) -> tuple[Decimal, Decimal, Decimal]:
    return Decimal(price["netValue"]), Decimal(price["taxValue"]), Decimal(price["grossValue"])


def summed(prices: list[dict]) -> tuple[Decimal, ...]:
    return tuple(sum(values, Decimal(0)) for values in zip(*(amounts(price) for price in prices), strict=True))


def test_split_by_vendor_makes_suborders_that_add_up_to_the_master(api, three_vendor_order):
    # when
    response = api.post(f"salesorders/{three_vendor_order}/split", {"splitBy": "VENDOR_ID"})
    # then
    assert response.status_code == 200, response
    body = response.json()
    assert body["masterOrder"] == three_vendor_order
    assert body["splitBy"] == "VENDOR_ID"
    assert [item["uniqueValue"] for item in body["subOrders"]] == VENDORS
    master = api.get(f"salesorders/{three_vendor_order}").json()
    suborders = [api.get(f"salesorders/{item['id']}").json() for item in body["subOrders"]]
    assert master["orderType"] == "MASTER_ORDER"
    assert master["subOrders"] == [item["id"] for item in body["subOrders"]]
    for suborder, vendor in zip(suborders, VENDORS, strict=True):
        assert suborder["orderType"] == "SUB_ORDER"
        assert suborder["masterOrder"] == three_vendor_order
        assert suborder["vendor"] == {"id": vendor}
        assert suborder["splitInfo"] == {"splitBy": "VENDOR_ID", "uniqueValue": vendor}
        assert suborder["status"] == "CREATED"
        assert {entry["product"]["vendor"]["id"] for entry in suborder["entries"]} == {vendor}
        net, tax, gross = amounts(suborder["calculatedPrice"]["finalPrice"])
        assert net + tax == gross
    # the parts add up to the whole, to the cent
    final_prices = [suborder["calculatedPrice"]["finalPrice"] for suborder in suborders]
    assert summed(final_prices) == amounts(master["calculatedPrice"]["finalPrice"])
    assert summed([s["calculatedPrice"]["totalShipping"] for s in suborders]) == (
        Decimal("35"),
        Decimal("4.2"),
        Decimal("39.2"),
    )
    fees = [s["calculatedPrice"]["paymentFees"][0]["price"] for s in suborders]
    assert summed(fees) == amounts(master["calculatedPrice"]["paymentFees"][0]["price"])
    master_lines = {
        (line["taxCode"], line["taxRate"]): amounts(line)
        for line in master["calculatedPrice"]["finalPrice"]["taxAggregate"]["lines"]
    }
    sub_lines = [line for price in final_prices for line in price["taxAggregate"]["lines"]]
    for key, total in master_lines.items():
        assert summed([line for line in sub_lines if (line["taxCode"], line["taxRate"]) == key]) == total
    assert sorted(entry["id"] for s in suborders for entry in s["entries"]) == sorted(
        entry["id"] for entry in master["entries"]
    )


def test_split_master_totals_stay_within_a_cent_per_suborder_of_its_own_pricing(api, three_vendor_order):
    # given the master priced on its own, before the split
    api.patch(f"salesorders/{three_vendor_order}?recalculate=true", {})
    before = api.get(f"salesorders/{three_vendor_order}").json()["calculatedPrice"]["finalPrice"]
    # when
    api.post(f"salesorders/{three_vendor_order}/split", {"splitBy": "VENDOR_ID"})
    # then: each suborder rounds its own totals, so the sum may move by up to a cent per suborder
    after = api.get(f"salesorders/{three_vendor_order}").json()["calculatedPrice"]["finalPrice"]
    differences = [abs(a - b) for a, b in zip(amounts(after), amounts(before), strict=True)]
    assert max(differences) <= Decimal("0.03")


@pytest.mark.parametrize(
    ("prepare", "body", "field"),
    [
        (lambda api, order_id: None, {"splitBy": "COLOR"}, "splitBy"),
        (lambda api, order_id: None, {}, "splitBy"),
        (
            lambda api, order_id: api.post(f"salesorders/{order_id}/transitions", {"status": "CONFIRMED"}),
            {"splitBy": "VENDOR_ID"},
            "status",
        ),
        (
            lambda api, order_id: api.patch(
                f"salesorders/{order_id}", {"discounts": [{"code": "X", "currency": "EUR"}]}
            ),
            {"splitBy": "VENDOR_ID"},
            "discounts",
        ),
        (
            lambda api, order_id: api.post(f"salesorders/{order_id}/split", {"splitBy": "VENDOR_ID"}),
            {"splitBy": "VENDOR_ID"},
            "orderId",
        ),
    ],
    ids=["unknown-splitBy", "missing-splitBy", "confirmed", "discounted", "already-split"],
)
def test_split_refusals_are_400_and_change_nothing(api, three_vendor_order, prepare, body, field):
    # given
    prepare(api, three_vendor_order)
    before = api.get(f"salesorders/{three_vendor_order}").raw.content
    orders_before = Order.objects.count()
    # when
    response = api.post(f"salesorders/{three_vendor_order}/split", body)
    # then
    assert response.status_code == 400, response
    assert response.json()["details"][0]["field"] == field
    assert api.get(f"salesorders/{three_vendor_order}").raw.content == before
    assert Order.objects.count() == orders_before


def test_split_of_a_single_vendor_order_or_a_suborder_is_400(api, three_vendor_order, seed_order):
    seed_order.update(status="CREATED")
    seed_order["entries"][0]["product"]["vendor"] = {"id": "vendor-ushoes"}
    single = api.post("salesorders", seed_order).json()["id"]
    assert api.post(f"salesorders/{single}/split", {"splitBy": "VENDOR_ID"}).status_code == 400
    suborder = api.post(f"salesorders/{three_vendor_order}/split", {"splitBy": "VENDOR_ID"}).json()["subOrders"][0]
    refused = api.post(f"salesorders/{suborder['id']}/split", {"splitBy": "VENDOR_ID"})
    assert refused.status_code == 400
    assert "suborder" in refused.json()["message"]


def test_split_failing_midway_leaves_no_suborder_behind(api, tenant, three_vendor_order, monkeypatch):
    # given the second suborder's insert fails
    real_insert = services._insert_order
    calls = []

    def failing_insert(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(services, "_insert_order", failing_insert)
    before = Order.objects.get(order_id=three_vendor_order).document
    # when
    with pytest.raises(RuntimeError):
        services.split_order(tenant=tenant, order_id=three_vendor_order, split_by="VENDOR_ID", actor=Actor("test"))
    # then
    assert Order.objects.count() == 1
    assert Order.objects.get(order_id=three_vendor_order).document == before


def test_split_needs_order_update(api_session, three_vendor_order):
    vendor = api_session([scopes.ORDER_MANAGE_BY_VENDOR], vendor_id="vendor-safety")
    assert vendor.post(f"salesorders/{three_vendor_order}/split", {"splitBy": "VENDOR_ID"}).status_code == 403


def test_vendor_clients_see_their_suborder_and_not_the_others(api, api_session, three_vendor_order):
    # given
    body = api.post(f"salesorders/{three_vendor_order}/split", {"splitBy": "VENDOR_ID"}).json()
    ids = {item["uniqueValue"]: item["id"] for item in body["subOrders"]}
    safety = api_session([scopes.ORDER_READ_BY_VENDOR], vendor_id="vendor-safety")
    # when
    listed = [order["id"] for order in safety.get("salesorders").json()]
    # then: its suborder and the master (which holds its entries), never another vendor's suborder
    assert sorted(listed) == sorted([ids["vendor-safety"], three_vendor_order])
    assert safety.get(f"salesorders/{ids['vendor-dairy']}").status_code == 404
