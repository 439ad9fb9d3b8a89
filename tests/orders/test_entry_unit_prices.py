"""An entry's `calculatedUnitPrice` carries its unit price with tax, however the entry came in.

Emporix answers `calculatedUnitPrice` as a full price (`netValue`, `grossValue`, `taxValue`, `taxCode`, `taxRate`);
the pricing engine writes it from the unit price it prices the entry at, so every path that prices an order
(adding an entry, storing it, a recalculation job) answers it whole.
"""

from decimal import Decimal

import pytest

from orders.demo import load_catalog

# GLOVES-NITRIL-100 in the demo catalog: 12.49 net, STANDARD, 19 % in Germany.
GLOVES = "GLOVES-NITRIL-100"
GLOVES_UNIT_PRICE = {
    "netValue": Decimal("12.490"),
    "grossValue": Decimal("14.863"),
    "taxValue": Decimal("2.373"),
    "taxCode": "STANDARD",
    "taxRate": Decimal("19"),
}


@pytest.fixture
def seed_order_id(api, tenant, seed_order) -> str:
    load_catalog(tenant)
    return api.post("salesorders", seed_order).json()["id"]


def entry_named(document: dict, entry_id: str) -> dict:
    return next(entry for entry in document["entries"] if entry["id"] == entry_id)


@pytest.mark.parametrize("store", ["false", "true"])
def test_entry_added_by_product_id_answers_its_full_unit_price(api, seed_order_id, store):
    # when
    response = api.post(
        f"salesorders/{seed_order_id}/entries?store={store}", {"entries": [{"productId": GLOVES, "quantity": 2}]}
    )
    # then
    assert response.status_code == 200, response
    assert entry_named(response.json(), GLOVES)["calculatedUnitPrice"] == GLOVES_UNIT_PRICE


def test_entry_added_by_product_id_is_stored_with_its_full_unit_price(api, seed_order_id):
    # when
    api.post(f"salesorders/{seed_order_id}/entries?store=true", {"entries": [{"productId": GLOVES, "quantity": 2}]})
    # then
    stored = api.get(f"salesorders/{seed_order_id}").json()
    assert entry_named(stored, GLOVES)["calculatedUnitPrice"] == GLOVES_UNIT_PRICE


def test_unit_price_of_a_gross_entry_contains_its_tax(api, seed_order):
    # given a gross entry of 119.00 at 19 %
    entry = seed_order["entries"][0]
    entry["tax"] = {"lines": [{"code": "STANDARD", "rate": 19, "inclusive": True}]}
    entry["price"]["effectiveAmount"] = 119
    order_id = api.post("salesorders", seed_order).json()["id"]
    # when
    api.patch(f"salesorders/{order_id}?recalculate=true", {})
    # then
    unit = api.get(f"salesorders/{order_id}").json()["entries"][0]["calculatedUnitPrice"]
    assert (unit["netValue"], unit["taxValue"], unit["grossValue"]) == (100, 19, 119)
