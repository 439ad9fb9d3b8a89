"""Entries sent with a product but no price are priced from the tenant's catalog, on every write."""

from decimal import Decimal

import pytest

from orders.demo import load_catalog
from orders.models import Order, Product, TaxRate

from .test_orders_api import assert_error


@pytest.fixture
def catalog(tenant):
    load_catalog(tenant)


def snapshot_entry(product_id: str, amount=1) -> dict:
    return {"amount": amount, "product": {"id": product_id, "productType": "BASIC"}}


def test_create_prices_a_snapshot_entry_at_the_rate_of_the_orders_country(api, catalog):
    # when: gloves (12.49 net, STANDARD) shipped to Austria, 20 %
    response = api.post("salesorders", {"countryCode": "AT", "entries": [snapshot_entry("GLOVES-NITRIL-100", 2)]})
    # then
    assert response.status_code == 201, response
    order = api.get(f"salesorders/{response.json()['id']}").json()
    [entry] = order["entries"]
    assert entry["calculatedUnitPrice"]["taxRate"] == 20
    assert entry["product"]["vendor"] == {"id": "vendor-safety"}
    assert entry["measurementUnit"] == {"unit": "H87", "value": 1}
    assert order["calculatedPrice"]["finalPrice"]["grossValue"] == Decimal("29.98")  # 24.98 + 4.996 tax


def test_patch_prices_a_snapshot_entry_it_brings(api, catalog, seed_order):
    # given
    order_id = api.post("salesorders", seed_order).json()["id"]
    stored = api.get(f"salesorders/{order_id}").json()
    # when
    response = api.patch(
        f"salesorders/{order_id}", {"entries": [*stored["entries"], snapshot_entry("HELMET-WHITE", 2)]}
    )
    # then: the new entry is priced, the order's totals follow it
    assert response.status_code == 204, response
    order = api.get(f"salesorders/{order_id}").json()
    assert order["entries"][1]["calculatedPrice"]["finalPrice"]["netValue"] == Decimal("49.900")
    assert order["calculatedPrice"]["price"]["netValue"] == Decimal("349.90")  # 300 + 2 helmets at 24.95


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"entries": [snapshot_entry("NO-SUCH-PRODUCT")]}, "entries[0].product.id"),
        ({"currency": "CHF", "entries": [snapshot_entry("GLOVES-NITRIL-100")]}, "entries[0].product.id"),
        ({"entries": [{"amount": 1, "product": {"name": "no id"}}]}, "entries[0].calculatedUnitPrice"),
        ({"entries": [snapshot_entry("GLOVES-NITRIL-100", amount="one")]}, "entries[0].amount"),
    ],
    ids=["unknown-product", "other-currency", "no-product-id", "bad-amount"],
)
def test_create_of_an_entry_the_catalog_cannot_price_is_400_and_stores_nothing(api, catalog, body, field):
    # when
    response = api.post("salesorders", body)
    # then
    assert_error(response, 400, "validation_violation", field)
    assert Order.objects.count() == 0


def test_create_without_a_rate_for_the_orders_country_is_400(api, tenant):
    # given a catalog with the product but no rates for Japan
    Product.objects.create(tenant=tenant, product_id="P1", name="P1", unit_price=Decimal(5), currency="EUR")
    TaxRate.objects.create(tenant=tenant, country="DE", tax_code="STANDARD", rate=19)
    # when
    response = api.post("salesorders", {"countryCode": "JP", "entries": [snapshot_entry("P1")]})
    # then
    assert response.status_code == 400, response
    assert "JP" in response.json()["message"]
    assert Order.objects.count() == 0
