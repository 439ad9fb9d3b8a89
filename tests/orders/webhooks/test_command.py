"""`manage.py create_webhook_endpoint --tenant T --url U [--events a,b]` prints {"id", "secret"} (contract), and
`prune_webhook_events --older-than DAYS` deletes what is no longer needed."""

import base64
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from orders.actors import Actor
from orders.services import create_order
from orders.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from orders.webhooks.signing import decrypt_secret


def run(*args) -> str:
    out = StringIO()
    call_command("create_webhook_endpoint", *args, stdout=out)
    return out.getvalue()


def test_prints_one_json_object_with_the_id_and_the_secret(tenant, receiver):
    # when
    output = run("--tenant", "acme", "--url", receiver.url, "--events", "order.created,order.status_changed")
    # then
    body = json.loads(output)
    assert set(body) == {"id", "secret"}
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert (endpoint.tenant, endpoint.url) == (tenant, receiver.url)
    assert endpoint.events == ["order.created", "order.status_changed"]
    assert body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"))) == 32
    assert decrypt_secret(endpoint.encrypted_secret) == body["secret"]


def test_without_events_the_endpoint_gets_every_event(tenant, receiver):
    body = json.loads(run("--tenant", "acme", "--url", receiver.url))
    assert WebhookEndpoint.objects.get(pk=body["id"]).events == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nope", "--url", "https://example.com/"], "No tenant 'nope'"),
        (["--tenant", "acme", "--url", "ftp://example.com/"], "Only http:// and https://"),
        (["--tenant", "acme", "--url", "http://127.0.0.1:9/", "--events", "order.shipped"], "order.shipped"),
    ],
)
def test_refusals_are_errors_and_create_nothing(tenant, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not WebhookEndpoint.objects.exists()


def test_a_private_address_is_refused_unless_allowed(tenant, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    with pytest.raises(CommandError, match="private"):
        run("--tenant", "acme", "--url", "http://10.1.2.3/hooks")
    assert not WebhookEndpoint.objects.exists()


def test_prune_deletes_old_events_but_none_still_to_send(tenant, seed_order, receiver, subscribed):
    # given: three events of orders, two old ones of which one still waits to be sent
    orders = [create_order(tenant=tenant, document=seed_order, actor=Actor(label="test")) for _ in range(3)]
    events = [WebhookEvent.objects.get(subject=f"order:{order.order_id}") for order in orders]
    WebhookEvent.objects.filter(pk__in=[events[0].pk, events[1].pk]).update(
        timestamp=timezone.now() - timedelta(days=40)
    )
    sent = WebhookDelivery.objects.get(event=events[0])
    WebhookDelivery.objects.filter(pk=sent.pk).update(status="DELIVERED")
    WebhookAttempt.objects.create(delivery=sent, at=timezone.now(), status_code=200, duration_ms=5)
    # when
    out = StringIO()
    call_command("prune_webhook_events", "--older-than", "30", stdout=out)
    # then
    assert out.getvalue().strip() == "1 webhook events deleted."
    assert list(WebhookEvent.objects.order_by("pk")) == events[1:]
    assert not WebhookAttempt.objects.exists()
