"""Realistic demo packing events: most entries packed in full, some short with the rest canceled, weighed
products packed by their real weight in grams."""

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from orders.actors import Actor
from orders.models import Order, Tenant
from orders.statuses import OrderStatus

from .inputs import NewPackingEvent
from .models import PackingEvent
from .services import record_packing_event

# Orders a warehouse is packing or has packed; COMPLETED ones are final and left alone.
PACKED_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.CREATED)
PACKERS = ["anna.packer", "ben.packer", "clara.packer"]


def seed_packing_events(tenant: Tenant, *, share: float = 0.5) -> int:
    """Packing events for about `share` of the tenant's open orders; returns how many were new.

    Idempotent: the events of an order depend only on the order, and event ids that exist are skipped.
    """
    existing = set(PackingEvent.objects.filter(tenant=tenant).values_list("event_id", flat=True))
    created = 0
    for order in Order.objects.filter(tenant=tenant, status__in=PACKED_STATUSES).order_by("order_id"):
        rng = random.Random(f"{tenant.name}/{order.order_id}")
        if rng.random() >= share:
            continue
        packer = Actor(label=f"packer:{rng.choice(PACKERS)}")
        for event in order_packing_events(order, rng):
            if event.event_id not in existing:
                record_packing_event(tenant=tenant, event=event, actor=packer)
                created += 1
    return created


def order_packing_events(order: Order, rng: random.Random) -> list[NewPackingEvent]:
    # Packed a few hours after the order came in, and never in the future.
    packed_at = min(order.created + timedelta(hours=rng.randint(2, 30)), timezone.now() - timedelta(minutes=30))
    events = []
    for position, entry in enumerate(order.document["entries"]):
        for number, (packed, canceled, unit) in enumerate(entry_outcome(entry, rng)):
            events.append(
                NewPackingEvent(
                    event_id=f"{order.order_id}-{position}-{number}",
                    order_number=order.order_id,
                    product_id=entry["product"]["id"],
                    unit=unit,
                    timestamp=packed_at + timedelta(minutes=2 * position + number),
                    site=order.site_code or "main",
                    delivery_cycle=f"{packed_at:%Y-%m-%d-%H}-{order.site_code or 'main'}",
                    picked_amount=packed,
                    packed_amount=packed,
                    canceled_amount=canceled,
                    supplier_id=entry["product"].get("vendor", {}).get("id", ""),
                    book_product=True,
                )
            )
    return events


def entry_outcome(entry: dict, rng: random.Random) -> list[tuple[Decimal, Decimal, str]]:
    """(packed, canceled, unit) of each event of one entry."""
    amount, unit = Decimal(entry["amount"]), entry["measurementUnit"]["unit"]
    if unit == "KGM":
        grams = (amount * 1000 * Decimal(rng.uniform(0.94, 1.06))).quantize(Decimal(1), ROUND_HALF_UP)
        return [(grams, Decimal(0), "GRM")]
    luck = rng.random()
    if luck < 0.08:
        return [(Decimal(0), amount, unit)]
    if luck < 0.25 and amount > 1:
        packed = Decimal(rng.randint(1, int(amount) - 1))
        return [(packed, Decimal(0), unit), (Decimal(0), amount - packed, unit)]
    if amount > 3 and luck > 0.7:
        first = Decimal(rng.randint(1, int(amount) - 1))
        return [(first, Decimal(0), unit), (amount - first, Decimal(0), unit)]
    return [(amount, Decimal(0), unit)]
