"""Staff login, the home redirect and the dashboard."""

import pytest
from django.contrib.auth import get_user_model

from orders.actors import Actor
from orders.services import create_order


@pytest.fixture
def clerk(db, tenant):
    user = get_user_model().objects.create_user("clerk", "clerk@example.com", "clerk-pass")
    tenant.members.add(user)
    return user


def test_login_page_renders_with_csrf(client, db):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b"csrfmiddlewaretoken" in page.content


def test_home_sends_anonymous_users_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_sends_a_member_to_their_tenants_dashboard(client, clerk):
    client.force_login(clerk)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/acme/"


def test_home_without_tenant_explains(client, db):
    user = get_user_model().objects.create_user("loner", "", "pw-loner-1")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert b"not a member of any tenant" in response.content


def test_dashboard_counts_orders_by_status_and_escapes_text(client, clerk, tenant, seed_order):
    seed_order["customer"]["email"] = "<script>x</script>@example.com"
    create_order(tenant=tenant, document=seed_order, actor=Actor(label="test"))
    client.force_login(clerk)
    page = client.get("/staff/acme/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "IN_CHECKOUT" in html
    assert "&lt;script&gt;x&lt;/script&gt;@example.com" in html
    assert "<script>x</script>" not in html


def test_dashboard_of_another_tenant_is_404(client, clerk, other_tenant):
    client.force_login(clerk)
    assert client.get("/staff/globex/").status_code == 404
    assert client.get("/staff/nosuch/").status_code == 404


def test_dashboard_needs_login(client, tenant):
    response = client.get("/staff/acme/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
