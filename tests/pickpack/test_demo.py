"""Demo packing events: realistic, accepted by the service's own checks, and loaded only once."""

from decimal import Decimal

from orders.actors import Actor
from pickpack.demo import seed_packing_events
from pickpack.models import PackingEvent
from pickpack.selectors import orders_needing_recalculation

from .conftest import create_demo_orders


def test_seed_packing_events_packs_some_orders(tenant):
    # given
    orders = create_demo_orders(tenant, 30)
    # when
    created = seed_packing_events(tenant)
    # then
    assert created == PackingEvent.objects.filter(tenant=tenant).count() > 0
    packed_orders = set(PackingEvent.objects.values_list("order_number", flat=True))
    assert 0 < len(packed_orders) < len(orders)
    assert set(orders_needing_recalculation(tenant, Actor.system()).values_list("order_id", flat=True)) == packed_orders


def test_seed_packing_events_weighs_products_sold_by_weight_in_grams(tenant):
    # given
    create_demo_orders(tenant, 30)
    # when
    seed_packing_events(tenant, share=1)
    # then
    weighed = PackingEvent.objects.filter(product_id__in=["CHEESE-GOUDA-KG", "COFFEE-BEANS-KG"])
    assert set(weighed.values_list("unit", flat=True)) == {"GRM"}
    assert all(event.packed_amount > 100 for event in weighed)


def test_seed_packing_events_twice_adds_nothing(tenant):
    # given
    create_demo_orders(tenant, 20)
    first = seed_packing_events(tenant)
    # when
    second = seed_packing_events(tenant)
    # then
    assert (first > 0, second) == (True, 0)
    assert PackingEvent.objects.count() == first


def test_seed_packing_events_never_packs_more_than_ordered_pieces(tenant):
    # given
    orders = {order.order_id: order for order in create_demo_orders(tenant, 30)}
    # when
    seed_packing_events(tenant, share=1)
    # then
    for event in PackingEvent.objects.exclude(unit="GRM"):
        entries = orders[event.order_number].document["entries"]
        entry = next(entry for entry in entries if entry["product"]["id"] == event.product_id)
        assert event.packed_amount + event.canceled_amount <= Decimal(entry["amount"])
