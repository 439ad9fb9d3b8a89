"""Fixtures and helpers shared by the staff page tests (orders, pick-pack, browser)."""

import copy
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from orders.actors import Actor
from orders.catalog import EntryChange
from orders.demo import load_catalog
from orders.services import change_entries, create_order
from orders.staff.access import MANAGE_ORDERS, VIEW_ORDERS, find_permission

PASSWORD = "staff-pass-1"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def permission(name: str) -> Permission:
    found = find_permission(name)
    assert found is not None, name
    return found


@pytest.fixture
def staff_client(db, tenant):
    """Makes a logged-in Client of a new member of tenant `acme` holding the given permissions."""
    counter = iter(range(1000))

    def make(*permissions: str, csrf_checks: bool = False, username: str = "") -> Client:
        user = get_user_model().objects.create_user(username or f"clerk{next(counter)}", "", PASSWORD)
        tenant.members.add(user)
        user.user_permissions.add(*(permission(name) for name in permissions))
        client = Client(enforce_csrf_checks=csrf_checks)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def viewer(staff_client) -> Client:
    return staff_client(VIEW_ORDERS, username="viewer")


@pytest.fixture
def manager(staff_client) -> Client:
    return staff_client(VIEW_ORDERS, MANAGE_ORDERS, username="manager")


@pytest.fixture
def outsider(db, other_tenant) -> Client:
    """A manager of tenant `globex` only."""
    user = get_user_model().objects.create_user("outsider", "", PASSWORD)
    other_tenant.members.add(user)
    user.user_permissions.add(permission(VIEW_ORDERS), permission(MANAGE_ORDERS))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def order(tenant, seed_order):
    """The seed's order EON2076 as tenant `acme` holds it, in status CREATED."""
    return create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=Actor(label="test"))


@pytest.fixture
def two_vendor_order(tenant, seed_order):
    """A CREATED order of shoes (vendor-ushoes), 3 gloves (vendor-safety) and 1.5 kg cheese (vendor-dairy)."""
    load_catalog(tenant)
    document = copy.deepcopy(seed_order)
    document["status"] = "CREATED"
    document["entries"][0]["product"]["vendor"] = {"id": "vendor-ushoes"}
    created = create_order(tenant=tenant, document=document, actor=Actor(label="test"))
    changes = [
        EntryChange(Decimal(3), product_id="GLOVES-NITRIL-100"),
        EntryChange(Decimal("1.5"), product_id="CHEESE-GOUDA-KG"),
    ]
    change_entries(tenant=tenant, order_id=created.order_id, changes=changes, actor=Actor.system(), store=True)
    created.refresh_from_db()
    return created


@pytest.fixture
def hostile_order(tenant, seed_order):
    """An order whose customer and product names are scripts."""
    document = copy.deepcopy(seed_order)
    document["status"] = "CREATED"
    document["customer"].update(firstName=SCRIPT, email=f"{SCRIPT}@example.com")
    document["entries"][0]["product"]["name"] = SCRIPT
    document["billingAddress"]["city"] = SCRIPT
    return create_order(tenant=tenant, document=document, actor=Actor(label=SCRIPT))


def assert_login_redirect(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def assert_inert(html: str) -> None:
    assert SCRIPT not in html
    assert ESCAPED_SCRIPT in html
