"""Recalculation over HTTP: recalculate=true, delivered amounts (/calculations) and entry changes (/entries)."""

import copy
from decimal import Decimal

import pytest

from orders import scopes
from orders.demo import load_catalog
from orders.models import Order

SHIPPING = {
    "total": {"currency": "EUR"},
    "lines": [
        {
            "code": "standard",
            "amount": 35,
            "currency": "EUR",
            "tax": {"total": {"amount": Decimal("4.2"), "currency": "EUR", "inclusive": False}, "rate": 12},
            "shippingTaxCode": "REDUCED",
        }
    ],
}


def totals(price: dict) -> tuple[Decimal, Decimal, Decimal]:
    return Decimal(price["netValue"]), Decimal(price["taxValue"]), Decimal(price["grossValue"])


def money(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


@pytest.fixture
def eon2076(api, seed_order) -> str:
    """The seed order with its shipping as a line and its PERCENT payment fee's `value` of 10."""
    seed_order["shipping"] = SHIPPING
    seed_order["calculatedPrice"]["paymentFees"][0]["value"] = 10
    return api.post("salesorders", {**seed_order, "id": "EON2076"}).json()["id"]


@pytest.fixture
def catalog(tenant):
    load_catalog(tenant)


def test_patch_with_recalculate_prices_the_seed_order(api, eon2076):
    # when
    response = api.patch(f"salesorders/{eon2076}?recalculate=true", {})
    # then
    assert response.status_code == 204
    order = api.get(f"salesorders/{eon2076}").json()
    assert totals(order["calculatedPrice"]["finalPrice"]) == money("368.50", "65.22", "433.72")
    assert totals(order["entries"][0]["calculatedPrice"]["finalPrice"]) == money("300", "57", "357")
    assert order["metadata"]["version"] == 2


def test_put_with_recalculate_prices_the_replacement(api, eon2076, seed_order):
    seed_order["shipping"] = SHIPPING
    seed_order["calculatedPrice"]["paymentFees"][0]["value"] = 10
    assert api.put(f"salesorders/{eon2076}?recalculate=true", seed_order).status_code == 204
    order = api.get(f"salesorders/{eon2076}").json()
    assert totals(order["calculatedPrice"]["finalPrice"]) == money("368.50", "65.22", "433.72")


def test_update_without_recalculate_keeps_the_clients_prices(api, eon2076, seed_order):
    api.patch(f"salesorders/{eon2076}", {"siteCode": "AT"})
    order = api.get(f"salesorders/{eon2076}").json()
    assert order["calculatedPrice"]["finalPrice"] == seed_order["calculatedPrice"]["finalPrice"]


def test_recalculate_must_be_a_boolean(api, eon2076):
    response = api.patch(f"salesorders/{eon2076}?recalculate=yes", {})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "recalculate"


def test_calculations_set_delivered_amount_and_recalculate(api, eon2076):
    # when
    response = api.post(
        f"salesorders/{eon2076}/calculations", {"entries": [{"entryId": "BC10033--BC10033-43", "deliveredAmount": 2}]}
    )
    # then
    assert response.status_code == 200
    order = api.get(f"salesorders/{eon2076}").json()
    entry = order["entries"][0]
    assert entry["deliveredAmount"] == 2
    assert entry["amount"] == 3
    assert totals(entry["calculatedPrice"]["finalPrice"]) == money("200", "38", "238")
    assert Decimal(order["calculatedPrice"]["paymentFees"][0]["price"]["netValue"]) == Decimal("23.50")
    assert response.json() == order


def test_calculations_convert_grams_to_the_entrys_kilograms(api, api_session, catalog, seed_order):
    # given an order of 2 kg of cheese (18.90 EUR/kg net, 7 %)
    order_id = api.post("salesorders", seed_order).json()["id"]
    api.post(
        f"salesorders/{order_id}/entries?store=true", {"entries": [{"productId": "CHEESE-GOUDA-KG", "quantity": 2}]}
    )
    # when 950 g were delivered
    response = api.post(
        f"salesorders/{order_id}/calculations",
        {"entries": [{"entryId": "CHEESE-GOUDA-KG", "deliveredAmount": 950, "unit": "GRM"}]},
    )
    # then
    assert response.status_code == 200, response
    cheese = next(entry for entry in response.json()["entries"] if entry["id"] == "CHEESE-GOUDA-KG")
    assert Decimal(cheese["deliveredAmount"]) == Decimal("0.95")
    assert totals(cheese["calculatedPrice"]["finalPrice"]) == money("17.955", "1.257", "19.212")


@pytest.mark.parametrize(
    ("entries", "field"),
    [
        ([{"entryId": "NOPE", "deliveredAmount": 1}], "entries[0].entryId"),
        ([{"entryId": "BC10033--BC10033-43", "deliveredAmount": -1}], "entries[0].deliveredAmount"),
        ([{"entryId": "BC10033--BC10033-43", "deliveredAmount": "2"}], "entries[0].deliveredAmount"),
        ([{"entryId": "BC10033--BC10033-43", "deliveredAmount": 1, "unit": "KGM"}], "entries[0].unit"),
        ([{"entryId": "BC10033--BC10033-43", "deliveredAmount": 1, "unit": "XYZ"}], "entries[0].unit"),
        ([{"deliveredAmount": 1}], "entries[0].entryId"),
        ([{"entryId": "BC10033--BC10033-43", "deliveredAmount": None}], "entries[0].deliveredAmount"),
        ([{"entryId": None, "deliveredAmount": 1}], "entries[0].entryId"),
        ([], "entries"),
        (None, "entries"),
    ],
)
def test_calculations_with_bad_input_are_400_and_save_nothing(api, eon2076, entries, field):
    # given
    before = api.get(f"salesorders/{eon2076}").raw.content
    # when
    response = api.post(f"salesorders/{eon2076}/calculations", {"entries": entries})
    # then
    assert response.status_code == 400, response
    assert field in [detail["field"] for detail in response.json()["details"]]
    assert api.get(f"salesorders/{eon2076}").raw.content == before


def test_calculations_need_an_update_scope_and_an_order(api, api_session, eon2076):
    body = {"entries": [{"entryId": "BC10033--BC10033-43", "deliveredAmount": 2}]}
    assert api_session([scopes.ORDER_READ]).post(f"salesorders/{eon2076}/calculations", body).status_code == 403
    assert api.post("salesorders/EON404/calculations", body).status_code == 404


# --- entries ----------------------------------------------------------------------------------------------------


def test_entries_store_false_returns_the_recalculated_order_and_saves_nothing(api, eon2076, catalog):
    # given
    before = api.get(f"salesorders/{eon2076}").raw.content
    # when
    response = api.post(
        f"salesorders/{eon2076}/entries?store=false", {"entries": [{"productId": "GLOVES-NITRIL-100", "quantity": 2}]}
    )
    # then
    assert response.status_code == 200, response
    entries = {entry["id"]: entry for entry in response.json()["entries"]}
    assert totals(entries["GLOVES-NITRIL-100"]["calculatedPrice"]["finalPrice"]) == money("24.98", "4.746", "29.726")
    assert api.get(f"salesorders/{eon2076}").raw.content == before


def test_entries_store_true_adds_changes_and_removes(api, eon2076, catalog):
    # when: add gloves, change the shoes to 1, then remove the gloves again
    added = api.post(
        f"salesorders/{eon2076}/entries?store=true",
        {
            "entries": [
                {"productId": "GLOVES-NITRIL-100", "quantity": 2},
                {"entryId": "BC10033--BC10033-43", "quantity": 1},
            ]
        },
    )
    # then
    assert added.status_code == 200
    stored = api.get(f"salesorders/{eon2076}").json()
    assert [(entry["id"], entry["amount"]) for entry in stored["entries"]] == [
        ("BC10033--BC10033-43", 1),
        ("GLOVES-NITRIL-100", 2),
    ]
    assert stored["metadata"]["version"] == 2
    assert stored == added.json()
    # when
    removed = api.post(
        f"salesorders/{eon2076}/entries?store=true", {"entries": [{"entryId": "GLOVES-NITRIL-100", "quantity": 0}]}
    )
    # then
    assert [entry["id"] for entry in removed.json()["entries"]] == ["BC10033--BC10033-43"]
    assert Order.objects.get(order_id=eon2076).entry_rows.count() == 1


@pytest.mark.parametrize(
    ("entries", "field"),
    [
        ([{"productId": "NO-SUCH-PRODUCT", "quantity": 1}], "entries[0].productId"),
        ([{"entryId": "NO-SUCH-ENTRY", "quantity": 1}], "entries[0].entryId"),
        ([{"entryId": "BC10033--BC10033-43", "productId": "GLOVES-NITRIL-100", "quantity": 1}], "entries[0].entryId"),
        ([{"quantity": 1}], "entries[0].entryId"),
        ([{"productId": "GLOVES-NITRIL-100", "quantity": -1}], "entries[0].quantity"),
        ([{"productId": "GLOVES-NITRIL-100"}], "entries[0].quantity"),
        ([{"productId": "GLOVES-NITRIL-100", "quantity": None}], "entries[0].quantity"),
        (None, "entries"),
    ],
)
def test_entries_with_bad_input_are_400_and_save_nothing(api, eon2076, catalog, entries, field):
    before = api.get(f"salesorders/{eon2076}").raw.content
    response = api.post(f"salesorders/{eon2076}/entries?store=true", {"entries": entries})
    assert response.status_code == 400, response
    assert field in [detail["field"] for detail in response.json()["details"]]
    assert api.get(f"salesorders/{eon2076}").raw.content == before


def test_entries_cannot_remove_the_last_entry(api, eon2076):
    # given
    before = api.get(f"salesorders/{eon2076}").raw.content
    # when
    response = api.post(
        f"salesorders/{eon2076}/entries?store=true", {"entries": [{"entryId": "BC10033--BC10033-43", "quantity": 0}]}
    )
    # then
    assert response.status_code == 400, response
    body = response.json()
    assert (body["type"], body["message"]) == (
        "validation_violation",
        "An order needs at least one entry; delete the order instead of all its entries.",
    )
    assert api.get(f"salesorders/{eon2076}").raw.content == before


def test_vendor_clients_touch_only_their_vendors_entries(api, api_session, catalog, seed_order):
    # given an order with an entry of vendor-ushoes
    document = copy.deepcopy(seed_order)
    document["entries"][0]["product"]["vendor"] = {"id": "vendor-ushoes"}
    order_id = api.post("salesorders", document).json()["id"]
    shoes = api_session([scopes.ORDER_MANAGE_BY_VENDOR], vendor_id="vendor-ushoes")
    # when / then: its own entry, yes; another vendor's product, no
    own = shoes.post(
        f"salesorders/{order_id}/entries?store=true",
        {"entries": [{"entryId": document["entries"][0]["id"], "quantity": 2}]},
    )
    assert own.status_code == 200, own
    foreign = shoes.post(
        f"salesorders/{order_id}/entries?store=true", {"entries": [{"productId": "GLOVES-NITRIL-100", "quantity": 1}]}
    )
    assert foreign.status_code == 403
    assert [entry["id"] for entry in api.get(f"salesorders/{order_id}").json()["entries"]] == ["BC10033--BC10033-43"]


def test_vendor_managers_cannot_change_other_vendors_entries_by_patch(api, api_session, seed_order):
    # given an order with one entry of vendor-a and one of vendor-b
    document = copy.deepcopy(seed_order)
    document["entries"][0]["product"]["vendor"] = {"id": "vendor-a"}
    other = copy.deepcopy(document["entries"][0])
    other.update(id="OTHER")
    other["product"]["vendor"] = {"id": "vendor-b"}
    document["entries"].append(other)
    order_id = api.post("salesorders", document).json()["id"]
    vendor_a = api_session([scopes.ORDER_MANAGE_BY_VENDOR], vendor_id="vendor-a")
    own_only = [{**document["entries"][0], "amount": 5}, other]
    # when / then
    assert vendor_a.patch(f"salesorders/{order_id}", {"entries": own_only}).status_code == 204
    dropped_other = vendor_a.patch(f"salesorders/{order_id}", {"entries": [document["entries"][0]]})
    assert dropped_other.status_code == 403
    assert [entry["id"] for entry in api.get(f"salesorders/{order_id}").json()["entries"]] == [
        "BC10033--BC10033-43",
        "OTHER",
    ]
