"""The staff pages of webhooks: list, create (secret shown once), disable, rotate, the delivery log, Redeliver."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from orders.actors import Actor
from orders.services import create_order
from orders.staff.access import MANAGE_WEBHOOKS, VIEW_ORDERS, VIEW_WEBHOOKS
from orders.webhooks import services
from orders.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from orders.webhooks.signing import decrypt_secret

from ...staff import ESCAPED_SCRIPT, SCRIPT

ACTOR = Actor(label="test")
SECRET = re.compile(r'value="(whsec_[A-Za-z0-9+/=]+)"')


@pytest.fixture
def integrator(staff_client) -> Client:
    return staff_client(VIEW_ORDERS, VIEW_WEBHOOKS, MANAGE_WEBHOOKS, csrf_checks=True, username="integrator")


@pytest.fixture
def onlooker(staff_client) -> Client:
    return staff_client(VIEW_ORDERS, VIEW_WEBHOOKS, username="onlooker")


def csrf_post(client: Client, url: str, data: dict | None = None):
    """A POST as the browser sends it: with the CSRF token of a page it loaded."""
    client.get("/staff/acme/webhooks/")
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_creating_an_endpoint_shows_its_secret_once(integrator, tenant, receiver):
    # when
    response = csrf_post(
        integrator,
        "/staff/acme/webhooks/",
        {"url": receiver.url, "events": ["order.created", "order.cancelled"], "description": "ERP"},
    )
    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = SECRET.search(response.content.decode()).group(1)
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.tenant, endpoint.url) == (tenant, receiver.url)
    assert endpoint.events == ["order.created", "order.cancelled"]
    assert decrypt_secret(endpoint.encrypted_secret) == secret
    assert secret not in endpoint.encrypted_secret
    for page in (f"/staff/acme/webhooks/{endpoint.pk}/", "/staff/acme/webhooks/"):
        assert secret not in integrator.get(page).content.decode()


def test_a_refused_url_is_said_and_nothing_is_created(integrator, settings):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    # when
    response = csrf_post(integrator, "/staff/acme/webhooks/", {"url": "http://127.0.0.1:8000/hooks"})
    # then
    assert response.status_code == 400
    assert "loopback" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_without_the_csrf_token_nothing_is_created(integrator, receiver):
    response = integrator.post("/staff/acme/webhooks/", {"url": receiver.url})
    assert response.status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_a_viewer_sees_endpoints_but_may_not_create_or_change_them(onlooker, subscribed):
    # given
    endpoint, _ = subscribed
    # when
    page = onlooker.get("/staff/acme/webhooks/")
    # then
    assert page.status_code == 200
    assert endpoint.url in page.content.decode()
    assert "Add an endpoint" not in page.content.decode()
    assert onlooker.post("/staff/acme/webhooks/", {"url": "https://example.com/"}).status_code == 403
    assert onlooker.post(f"/staff/acme/webhooks/{endpoint.pk}/disable/").status_code == 403
    assert onlooker.post(f"/staff/acme/webhooks/{endpoint.pk}/rotate-secret/").status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.is_active


def test_an_order_viewer_does_not_see_webhooks(viewer, subscribed):
    assert viewer.get("/staff/acme/webhooks/").status_code == 403
    assert "/webhooks/" not in viewer.get("/staff/acme/orders/").content.decode()


def test_the_navigation_links_to_webhooks(onlooker):
    page = onlooker.get("/staff/acme/orders/").content.decode()
    assert 'href="/staff/acme/webhooks/"' in page


def test_another_tenants_endpoint_is_not_found(integrator, other_tenant, receiver):
    # given
    elsewhere, _ = services.create_endpoint(tenant=other_tenant, url=receiver.url)
    # then
    assert integrator.get(f"/staff/acme/webhooks/{elsewhere.pk}/").status_code == 404
    assert csrf_post(integrator, f"/staff/acme/webhooks/{elsewhere.pk}/disable/").status_code == 404
    assert integrator.get("/staff/globex/webhooks/").status_code == 404


def test_disable_and_enable(integrator, subscribed):
    # given
    endpoint, _ = subscribed
    # when
    response = csrf_post(integrator, f"/staff/acme/webhooks/{endpoint.pk}/disable/")
    # then
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "Disabled" in integrator.get(f"/staff/acme/webhooks/{endpoint.pk}/").content.decode()
    csrf_post(integrator, f"/staff/acme/webhooks/{endpoint.pk}/enable/")
    endpoint.refresh_from_db()
    assert endpoint.is_active


def test_rotating_shows_the_new_secret_once_and_signs_with_it(integrator, subscribed):
    # given
    endpoint, old_secret = subscribed
    # when
    response = csrf_post(integrator, f"/staff/acme/webhooks/{endpoint.pk}/rotate-secret/")
    # then
    new_secret = SECRET.search(response.content.decode()).group(1)
    assert new_secret != old_secret
    endpoint.refresh_from_db()
    assert decrypt_secret(endpoint.encrypted_secret) == new_secret


def test_the_delivery_log_shows_codes_and_times_and_redelivers(
    integrator, tenant, seed_order, receiver, subscribed, django_capture_on_commit_callbacks
):
    # given: a delivery that failed once, then arrived
    endpoint, _ = subscribed
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        order = create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    delivery = WebhookDelivery.objects.get()
    # when
    page = integrator.get(f"/staff/acme/webhooks/{endpoint.pk}/").content.decode()
    # then
    assert "order.created" in page and f"order:{order.order_id}" in page
    assert "Delivered" in page
    for attempt in WebhookAttempt.objects.all():
        assert f"{attempt.duration_ms} ms" in page
    assert ">500<" in page and ">200<" in page
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(integrator, f"/staff/acme/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/")
    # then
    assert response.status_code == 302
    assert len(receiver.requests) == 3
    assert receiver.requests[-1].headers["webhook-id"] == receiver.requests[0].headers["webhook-id"]


def test_the_delivery_log_filters_by_status(integrator, tenant, seed_order, subscribed):
    # given
    endpoint, _ = subscribed
    create_order(tenant=tenant, document=seed_order, actor=ACTOR)  # not sent: its task never runs here
    # then
    log = f"/staff/acme/webhooks/{endpoint.pk}/"
    assert "order.created" in integrator.get(log, {"status": "PENDING"}).content.decode()
    assert "No deliveries match" in integrator.get(log, {"status": "FAILED"}).content.decode()


def test_user_supplied_text_is_escaped(integrator, tenant, receiver):
    # given
    endpoint, _ = services.create_endpoint(tenant=tenant, url=receiver.url, description=SCRIPT)
    # then
    for page in ("/staff/acme/webhooks/", f"/staff/acme/webhooks/{endpoint.pk}/"):
        content = integrator.get(page).content.decode()
        assert SCRIPT not in content
        assert ESCAPED_SCRIPT in content


def test_the_tenant_switch_keeps_the_webhooks_section(integrator, other_tenant):
    # given
    user = get_user_model().objects.get(username="integrator")
    other_tenant.members.add(user)
    # when
    response = integrator.get("/staff/", {"tenant": "globex", "section": "webhooks:endpoint_list"})
    # then
    assert response["Location"] == "/staff/globex/webhooks/"
