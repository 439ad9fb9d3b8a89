"""The admin creates endpoints with their secret shown once, and lists deliveries read-only."""

import re

import pytest
from django.contrib.auth import get_user_model

from orders.actors import Actor
from orders.services import create_order
from orders.webhooks.models import WebhookEndpoint
from orders.webhooks.signing import decrypt_secret

SECRET = re.compile(r'value="(whsec_[A-Za-z0-9+/=]+)"')


@pytest.fixture
def admin_client(client, db):
    get_user_model().objects.create_superuser("boss", "boss@example.com", "secret-pass")
    client.login(username="boss", password="secret-pass")
    return client


def test_adding_an_endpoint_shows_its_secret_once(admin_client, tenant, receiver):
    # when
    response = admin_client.post(
        "/admin/orders/webhookendpoint/add/",
        {"tenant": tenant.pk, "url": receiver.url, "events": ["order.deleted"], "description": "", "is_active": "on"},
    )
    # then
    assert response.status_code == 200
    secret = SECRET.search(response.content.decode()).group(1)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["order.deleted"]
    assert decrypt_secret(endpoint.encrypted_secret) == secret
    assert secret not in admin_client.get(f"/admin/orders/webhookendpoint/{endpoint.pk}/change/").content.decode()


def test_the_admin_refuses_a_private_address(admin_client, tenant, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    response = admin_client.post(
        "/admin/orders/webhookendpoint/add/", {"tenant": tenant.pk, "url": "http://192.168.0.10/", "is_active": "on"}
    )
    assert "private" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_admin_rotates_a_secret(admin_client, subscribed):
    # given
    endpoint, old = subscribed
    # when
    response = admin_client.post(
        "/admin/orders/webhookendpoint/", {"action": "rotate_secret", "_selected_action": [endpoint.pk]}
    )
    # then
    new = SECRET.search(response.content.decode()).group(1)
    endpoint.refresh_from_db()
    assert new != old and decrypt_secret(endpoint.encrypted_secret) == new


@pytest.mark.parametrize("model", ["webhookendpoint", "webhookdelivery", "webhookevent"])
def test_changelists_render(admin_client, tenant, seed_order, subscribed, model):
    create_order(tenant=tenant, document=seed_order, actor=Actor(label="test"))
    assert admin_client.get(f"/admin/orders/{model}/").status_code == 200
