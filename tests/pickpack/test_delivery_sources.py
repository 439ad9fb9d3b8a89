"""Which source wins a delivered amount: set by hand after the entry's last packing event, it stands until a newer
event arrives; every change is recorded with its before, after and source."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from orders.actors import Actor
from orders.deliveries import Delivery, DeliverySource
from orders.models import OrderEvent, OrderEventType
from orders.services import record_deliveries
from pickpack import services
from pickpack.packing import EntryRef, PackedAmounts, delivered_amounts

from .conftest import new_job
from .test_recalculation import packed, stored

CLERK = Actor(label="user:anna")
NOW = timezone.now()
SHOES = EntryRef("e1", "SHOES", "H87")


def test_events_set_the_amount_of_an_entry_never_set_by_hand():
    events = [PackedAmounts("SHOES", "H87", Decimal(2), received=NOW)]
    assert delivered_amounts([SHOES], events, {}) == [Delivery("e1", Decimal(2), "H87")]


def test_an_amount_set_by_hand_after_the_last_event_stands():
    events = [PackedAmounts("SHOES", "H87", Decimal(2), received=NOW - timedelta(minutes=5))]
    assert delivered_amounts([SHOES], events, {"e1": NOW}) == []


def test_an_event_received_after_the_hand_set_amount_sets_it_again_from_all_events():
    events = [
        PackedAmounts("SHOES", "H87", Decimal(2), received=NOW - timedelta(minutes=5)),
        PackedAmounts("SHOES", "H87", Decimal(3), received=NOW + timedelta(minutes=5)),
    ]
    assert delivered_amounts([SHOES], events, {"e1": NOW}) == [Delivery("e1", Decimal(5), "H87")]


def test_a_hand_set_amount_of_another_entry_does_not_hold_this_one():
    gloves = EntryRef("e2", "GLOVES", "H87")
    events = [
        PackedAmounts("SHOES", "H87", Decimal(2), received=NOW - timedelta(minutes=5)),
        PackedAmounts("GLOVES", "H87", Decimal(4), received=NOW - timedelta(minutes=5)),
    ]
    assert delivered_amounts([SHOES, gloves], events, {"e2": NOW}) == [Delivery("e1", Decimal(2), "H87")]


@pytest.fixture
def order(tenant):
    from .conftest import create_demo_orders

    return next(
        order
        for order in create_demo_orders(tenant, 20, seed=3)
        if order.document["entries"][0]["measurementUnit"]["unit"] == "H87"
        and order.document["entries"][0]["amount"] >= 3
    )


def delivered(order) -> Decimal:
    return stored(order).document["entries"][0]["deliveredAmount"]


def set_by_hand(order, amount: Decimal) -> None:
    deliveries = [Delivery(order.document["entries"][0]["id"], amount)]
    record_deliveries(tenant=order.tenant, order_id=order.order_id, deliveries=deliveries, actor=CLERK)


def delivered_events(order) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order=order, type=OrderEventType.DELIVERED).order_by("timestamp", "pk"))


@pytest.mark.usefixtures("not_queued")
def test_a_job_keeps_an_amount_set_by_hand_after_the_last_event_until_a_newer_event_arrives(order):
    # given 2 packed, recalculated by a job
    entry_id = order.document["entries"][0]["id"]
    packed(order, event_id="p1", amount="2", unit="H87")
    services.run_recalculation_job(new_job([order]).job_id)
    assert delivered(order) == 2
    # when a clerk sets 1 by hand, and a job runs again
    record_deliveries(
        tenant=order.tenant, order_id=order.order_id, deliveries=[Delivery(entry_id, Decimal(1))], actor=CLERK
    )
    services.run_recalculation_job(new_job([order]).job_id)
    # then the hand-set amount stands
    assert delivered(order) == 1
    # when a newer event packs 1 more, and a job runs
    packed(order, event_id="p2", amount="1", unit="H87")
    services.run_recalculation_job(new_job([order]).job_id)
    # then the events decide again: 2 + 1
    assert delivered(order) == 3
    # and each change is recorded with before, after and source
    recorded = [
        (
            event.parameters["source"],
            event.actor,
            [(c["entryId"], c["before"], c["after"]) for c in event.parameters["changes"]],
        )
        for event in delivered_events(order)
    ]
    assert recorded == [
        (DeliverySource.PACKING_EVENTS, recorded[0][1], [(entry_id, None, 2)]),
        (DeliverySource.BY_HAND, "user:anna", [(entry_id, 2, 1)]),
        (DeliverySource.PACKING_EVENTS, recorded[2][1], [(entry_id, 1, 3)]),
    ]
    assert recorded[0][1].startswith("recalculation-job:")


def test_setting_the_same_amount_again_records_nothing(order):
    for _ in range(2):
        set_by_hand(order, Decimal(2))
    assert len(delivered_events(order)) == 1


@pytest.mark.usefixtures("not_queued")
def test_the_order_page_shows_where_each_delivered_amount_came_from(order, manager):
    # given one amount from packing events and then one set by hand by Anna
    get_user_model().objects.create_user("anna", first_name="Anna", last_name="Meyer")
    entry_id = order.document["entries"][0]["id"]
    packed(order, event_id="p1", amount="2", unit="H87")
    services.run_recalculation_job(new_job([order]).job_id)
    page = manager.get(f"/staff/{order.tenant.name}/orders/{order.order_id}/").content.decode()
    assert "from packing events" in page
    record_deliveries(
        tenant=order.tenant, order_id=order.order_id, deliveries=[Delivery(entry_id, Decimal(1))], actor=CLERK
    )
    # when
    page = manager.get(f"/staff/{order.tenant.name}/orders/{order.order_id}/").content.decode()
    # then the entry says by whom, and the timeline says 2 → 1 by hand
    assert "by hand (Anna Meyer)" in page
    assert f"<code>entries[{entry_id}].deliveredAmount</code>: 2 → 1" in page
    assert "Delivered amounts set by hand" in page
