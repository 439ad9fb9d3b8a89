"""The Django admin is read-friendly for orders and usable for tenants and clients."""

import pytest

from orders.actors import Actor
from orders.models import Order
from orders.services import create_api_client, create_order


@pytest.fixture
def order(tenant, seed_order) -> Order:
    seed_order["customer"]["name"] = "<script>alert(1)</script>"
    return create_order(tenant=tenant, document=seed_order, actor=Actor(label="test"))


@pytest.mark.parametrize("model", ["tenant", "apiclient", "order", "orderevent"])
def test_admin_changelists_render(admin_client, order, tenant, model):
    create_api_client(tenant=tenant, scopes=["order.order_read"])
    assert admin_client.get(f"/admin/orders/{model}/").status_code == 200


def test_admin_order_search_by_id_and_email(admin_client, order):
    by_id = admin_client.get("/admin/orders/order/", {"q": order.order_id})
    by_email = admin_client.get("/admin/orders/order/", {"q": order.customer_email})
    nothing = admin_client.get("/admin/orders/order/", {"q": "nobody@nowhere"})
    assert order.order_id in by_id.content.decode()
    assert order.order_id in by_email.content.decode()
    assert f">{order.order_id}<" not in nothing.content.decode()


def test_admin_order_page_shows_the_document_escaped(admin_client, order):
    page = admin_client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_admin_needs_a_staff_login(client, db):
    assert client.get("/admin/orders/order/").status_code == 302


def test_the_admin_says_order_entries_shows_money_at_the_currency_precision_and_links_the_staff_page(
    admin_client, api, seed_order
):
    order_id = api.post("salesorders", seed_order).json()["id"]
    order = Order.objects.get(order_id=order_id)
    listing = admin_client.get("/admin/orders/order/").content.decode()
    assert f"{order.total_gross:,.2f} EUR" in listing
    page = admin_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert f'href="/staff/acme/orders/{order_id}/"' in page
    assert "Order entries" in page and "Order entrys" not in page
