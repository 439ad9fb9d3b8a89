"""A packing event arriving while its order is being recalculated is not lost between two recalculations."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.utils import timezone

from orders.actors import Actor
from orders.models import Order
from pickpack import selectors, services
from pickpack.inputs import packing_event_from

from .conftest import create_demo_orders, event_body

pytestmark = pytest.mark.django_db(transaction=True)

ACTOR = Actor(label="test")


def record_in_thread(tenant, body: dict):
    try:
        return services.record_packing_event(tenant=tenant, event=packing_event_from(body), actor=ACTOR)
    finally:
        connection.close()


def test_event_posted_while_the_order_is_locked_is_received_after_the_lock_ends(tenant):
    # given: a recalculation holds the order's lock (as a job does while it reads the events)
    order = create_demo_orders(tenant, 1)[0]
    with ThreadPoolExecutor(1) as pool, transaction.atomic():
        Order.objects.select_for_update().get(pk=order.pk)
        # when: the warehouse reports an event meanwhile
        posted = pool.submit(record_in_thread, tenant, event_body(order, event_id="meanwhile"))
        time.sleep(0.5)
        still_waiting = not posted.done()
        recalculated_at = timezone.now()
    event = posted.result(timeout=30)
    # then: it waited, and counts as newer than that recalculation, so the next AUTOMATIC job takes the order
    assert still_waiting
    assert event.received > recalculated_at
    assert list(selectors.orders_needing_recalculation(tenant, Actor.system())) == [order]


def test_recalculation_reads_the_events_after_locking_the_order(tenant, monkeypatch):
    # given
    order = create_demo_orders(tenant, 1)[0]
    services.record_packing_event(
        tenant=tenant, event=packing_event_from(event_body(order, event_id="first")), actor=ACTOR
    )
    steps = []
    real_claim, real_packed_amounts = services._claim_next_rows, services._packed_amounts

    def claim(*args, **kwargs):  # the job rows and their orders' locks
        claimed = real_claim(*args, **kwargs)
        if claimed:
            steps.append("lock")
        return claimed

    monkeypatch.setattr(services, "_claim_next_rows", claim)
    monkeypatch.setattr(services, "_packed_amounts", lambda *a: steps.append("events") or real_packed_amounts(*a))
    monkeypatch.setattr(services, "enqueue_job", lambda job_id: None)
    job = services.create_recalculation_job(tenant=tenant, job_type="MANUAL", order_ids=[order.order_id], actor=ACTOR)
    # when
    services.run_recalculation_job(job.job_id)
    # then
    assert steps == ["lock", "events"]
    order.refresh_from_db()
    assert order.document["entries"][0]["deliveredAmount"] == 1
