"""The outbox: each order change writes its events in its own transaction, one delivery per subscribed endpoint."""

import copy

import pytest
from django.db import transaction

from orders.actors import Actor
from orders.deliveries import Delivery
from orders.errors import ValidationFailed
from orders.models import Order
from orders.services import (
    create_order,
    delete_order,
    patch_order,
    record_deliveries,
    split_order,
    transition_order,
)
from orders.webhooks import services, tasks
from orders.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent

ACTOR = Actor(label="test")
SUBSCRIBED_NOWHERE = "http://127.0.0.1:9/"  # nothing is sent in these tests: the deliveries are only looked at


@pytest.fixture
def quiet(monkeypatch) -> list[int]:
    """Deliveries queued after commit are only noted, not sent (these tests look at the outbox alone)."""
    queued = []
    monkeypatch.setattr(tasks, "enqueue_delivery", lambda delivery_id, after=None: queued.append(delivery_id))
    return queued


def events_of(order_id: str) -> list[tuple[str, dict]]:
    return [(event.type, event.payload) for event in WebhookEvent.objects.filter(subject=f"order:{order_id}")]


def event_types(order_id: str) -> list[str]:
    return [event_type for event_type, _ in events_of(order_id)]


def test_no_endpoint_no_event(tenant, seed_order):
    # when
    order = create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    patch_order(tenant=tenant, order_id=order.order_id, patch={"customer": {"email": "b@x.io"}}, actor=ACTOR)
    # then
    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_create_writes_order_created_with_the_pages_fields(tenant, seed_order, endpoint_of):
    # given
    endpoint, _ = endpoint_of(SUBSCRIBED_NOWHERE)
    seed_order["ourOwnField"] = "not on the events page"
    # when
    order = create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    # then
    [(event_type, payload)] = events_of(order.order_id)
    assert event_type == "order.created"
    assert payload["id"] == order.order_id
    assert payload["status"] == "IN_CHECKOUT"
    assert payload["customer"] == seed_order["customer"]
    assert payload["siteCode"] == "DE"
    assert payload["totalAuthorizedAmount"] == seed_order["totalAuthorizedAmount"]
    assert payload["metadata"]["version"] == 1
    assert payload["metadata"]["mixins"] == seed_order["metadata"]["mixins"]
    assert payload["metadata"]["createdAt"] == payload["created"] == order.document["created"]
    assert "ourOwnField" not in payload
    assert "calculatedPrice" not in payload  # not on the page: left out
    [entry] = payload["entries"]
    assert entry["id"] == "BC10033--BC10033-43"
    assert entry["amount"] == 3
    assert entry["product"] == seed_order["entries"][0]["product"]
    assert "calculatedUnitPrice" not in entry
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.endpoint, delivery.status, delivery.subject) == (endpoint, "PENDING", f"order:{order.order_id}")


def test_patch_writes_order_updated_with_the_new_version(tenant, seed_order, endpoint_of):
    # given
    endpoint_of(SUBSCRIBED_NOWHERE)
    order = create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    # when
    patch_order(tenant=tenant, order_id=order.order_id, patch={"customer": {"email": "new@x.io"}}, actor=ACTOR)
    # then
    (_, _), (event_type, payload) = events_of(order.order_id)
    assert event_type == "order.updated"
    assert payload["customer"]["email"] == "new@x.io"
    assert payload["metadata"]["version"] == 2 == Order.objects.get(pk=order.pk).version


def test_transition_writes_status_changed_with_the_version_stored(tenant, seed_order, endpoint_of):
    # given
    endpoint_of(SUBSCRIBED_NOWHERE)
    order = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=ACTOR)
    # when
    transition_order(tenant=tenant, order_id=order.order_id, status="CONFIRMED", actor=ACTOR)
    # then
    stored = Order.objects.get(pk=order.pk)
    assert event_types(order.order_id) == ["order.created", "order.status_changed"]
    payload = events_of(order.order_id)[1][1]
    assert payload == {
        "id": order.order_id,
        "status": "CONFIRMED",
        "previousStatus": "CREATED",
        "lastStatusChange": stored.document["lastStatusChange"],
        "siteCode": "DE",
        "metadata": {"version": stored.version},
    }


def test_decline_writes_status_changed_then_cancelled(tenant, seed_order, endpoint_of):
    # given
    endpoint_of(SUBSCRIBED_NOWHERE)
    order = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=ACTOR)
    # when
    transition_order(tenant=tenant, order_id=order.order_id, status="DECLINED", actor=ACTOR)
    # then
    assert event_types(order.order_id) == ["order.created", "order.status_changed", "order.cancelled"]
    cancelled = events_of(order.order_id)[2][1]
    assert cancelled["id"] == order.order_id
    assert cancelled["status"] == "DECLINED"
    assert cancelled["metadata"]["version"] == Order.objects.get(pk=order.pk).version
    assert set(cancelled["metadata"]) == {"mixins", "version", "createdAt", "modifiedAt"}


def test_patch_of_status_and_content_writes_each_event_once(tenant, seed_order, endpoint_of):
    # given
    endpoint_of(SUBSCRIBED_NOWHERE)
    order = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=ACTOR)
    # when
    patch = {"status": "CONFIRMED", "customer": {"email": "c@x.io"}}
    patch_order(tenant=tenant, order_id=order.order_id, patch=patch, actor=ACTOR)
    # then
    assert event_types(order.order_id) == ["order.created", "order.status_changed", "order.updated"]


def test_delete_writes_order_deleted(tenant, seed_order, endpoint_of):
    # given
    endpoint_of(SUBSCRIBED_NOWHERE)
    order = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=ACTOR)
    # when
    delete_order(tenant=tenant, order_id=order.order_id, actor=ACTOR)
    # then
    assert events_of(order.order_id)[-1] == (
        "order.deleted",
        {"id": order.order_id, "status": "CREATED", "siteCode": "DE"},
    )
    assert WebhookDelivery.objects.filter(event__type="order.deleted").count() == 1


def test_deliveries_write_one_order_updated(tenant, seed_order, endpoint_of):
    # given
    endpoint_of(SUBSCRIBED_NOWHERE)
    order = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=ACTOR)
    # when
    record_deliveries(
        tenant=tenant, order_id=order.order_id, deliveries=[Delivery("BC10033--BC10033-43", 2)], actor=ACTOR
    )
    # then
    assert event_types(order.order_id) == ["order.created", "order.updated"]
    assert events_of(order.order_id)[1][1]["metadata"]["version"] == 2


def test_split_writes_created_for_each_suborder_and_updated_for_the_master(tenant, two_vendor_order, endpoint_of):
    # given
    endpoint_of(SUBSCRIBED_NOWHERE)
    # when
    result = split_order(tenant=tenant, order_id=two_vendor_order.order_id, split_by="VENDOR_ID", actor=ACTOR)
    # then
    assert event_types(two_vendor_order.order_id) == ["order.updated"]
    for suborder_id, _ in result.suborders:
        assert event_types(suborder_id) == ["order.created"]


def test_an_endpoint_gets_only_the_events_it_subscribed_to(tenant, seed_order, endpoint_of):
    # given
    statuses, _ = endpoint_of(SUBSCRIBED_NOWHERE, events=("order.status_changed",))
    everything, _ = endpoint_of(SUBSCRIBED_NOWHERE)
    order = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=ACTOR)
    # when
    transition_order(tenant=tenant, order_id=order.order_id, status="CONFIRMED", actor=ACTOR)
    # then
    assert list(statuses.deliveries.values_list("event__type", flat=True)) == ["order.status_changed"]
    assert sorted(everything.deliveries.values_list("event__type", flat=True)) == [
        "order.created",
        "order.status_changed",
    ]
    assert WebhookEvent.objects.count() == 2  # one event, however many endpoints


def test_a_disabled_endpoint_gets_no_new_event(tenant, seed_order, endpoint_of):
    # given
    endpoint, _ = endpoint_of(SUBSCRIBED_NOWHERE)
    services.set_endpoint_active(endpoint=endpoint, active=False)
    # when
    create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    # then
    assert not WebhookDelivery.objects.exists()


def test_other_tenants_endpoints_get_nothing(tenant, other_tenant, seed_order):
    # given
    services.create_endpoint(tenant=other_tenant, url=SUBSCRIBED_NOWHERE)
    # when
    create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    # then
    assert not WebhookDelivery.objects.exists()


def test_a_refused_write_leaves_no_event(tenant, seed_order, endpoint_of):
    # given
    endpoint_of(SUBSCRIBED_NOWHERE)
    order = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=ACTOR)
    # when
    with pytest.raises(ValidationFailed):
        transition_order(tenant=tenant, order_id=order.order_id, status="COMPLETED", actor=ACTOR)
    # then
    assert event_types(order.order_id) == ["order.created"]


@pytest.mark.django_db(transaction=True)
def test_the_event_commits_with_the_change_or_not_at_all(tenant, seed_order, endpoint_of, quiet):
    """The change's transaction fails after its events were written: neither the change nor the events remain."""
    # given
    endpoint_of(SUBSCRIBED_NOWHERE)
    order = create_order(tenant=tenant, document=copy.deepcopy(seed_order), actor=ACTOR)
    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        patch_order(tenant=tenant, order_id=order.order_id, patch={"customer": {"email": "x@x.io"}}, actor=ACTOR)
        assert event_types(order.order_id) == ["order.created", "order.updated"]  # written inside
        raise RuntimeError("the write fails before it commits")
    # then
    assert event_types(order.order_id) == ["order.created"]
    assert Order.objects.get(pk=order.pk).version == 1
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 1
    assert len(quiet) == 1  # only the committed event was queued
    # and a write that commits brings its event
    patch_order(tenant=tenant, order_id=order.order_id, patch={"customer": {"email": "y@x.io"}}, actor=ACTOR)
    assert event_types(order.order_id) == ["order.created", "order.updated"]
    assert len(quiet) == 2


@pytest.mark.django_db(transaction=True)
def test_a_create_failing_on_a_duplicate_id_leaves_no_event(tenant, seed_order, endpoint_of, quiet):
    # given
    endpoint_of(SUBSCRIBED_NOWHERE)
    create_order(tenant=tenant, document={**seed_order, "id": "MY-1"}, actor=ACTOR)
    # when
    with pytest.raises(Exception, match="already exists"):
        create_order(tenant=tenant, document={**seed_order, "id": "MY-1"}, actor=ACTOR)
    # then
    assert event_types("MY-1") == ["order.created"]
    assert WebhookDelivery.objects.count() == 1
