"""Orders per tenant and status (orders/counts.py): kept by every write, exact under concurrent writers."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from orders import counts
from orders.actors import Actor
from orders.errors import ValidationFailed
from orders.models import Order, OrderStatusCount
from orders.services import create_order, delete_order, split_order, transition_order

from ..reliability.test_concurrency import created_order, two_vendor_order
from . import test_concurrency as live

WRITERS, run_concurrently = live.WRITERS, live.run_concurrently
live_api = live.live_api  # the fixture: a live server, a tenant `acme` and a client of every tenant scope

SYSTEM = Actor.system()


def stored_counts() -> dict[tuple[int, str], int]:
    rows = OrderStatusCount.objects.exclude(count=0).values_list("tenant", "status", "count")
    return {(tenant, status): count for tenant, status, count in rows}


def assert_counts_match_the_orders() -> None:
    assert stored_counts() == counts.counted_orders(Order.objects.all())


def test_counts_follow_creates_transitions_and_deletes(tenant, other_tenant, seed_order):
    # given
    first = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=SYSTEM)
    create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=SYSTEM)
    create_order(tenant=other_tenant, document={**seed_order, "status": "IN_CHECKOUT"}, actor=SYSTEM)
    # when
    transition_order(tenant=tenant, order_id=first.order_id, status="CONFIRMED", actor=SYSTEM)
    delete_order(tenant=tenant, order_id=first.order_id, actor=SYSTEM)
    # then
    assert dict(counts.status_counts(tenant))["CREATED"] == 1
    assert dict(counts.status_counts(tenant))["CONFIRMED"] == 0
    assert counts.counts_by_status(other_tenant) == {"IN_CHECKOUT": 1}
    assert_counts_match_the_orders()


def test_a_refused_write_leaves_the_counts_alone(tenant, seed_order):
    # given
    order = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=SYSTEM)
    # when SHIPPED is refused (no shipments)
    with pytest.raises(ValidationFailed):
        transition_order(tenant=tenant, order_id=order.order_id, status="SHIPPED", actor=SYSTEM)
    # then
    assert counts.counts_by_status(tenant) == {"CREATED": 1}


def test_a_split_counts_its_suborders(tenant, seed_order):
    # given
    master = create_order(tenant=tenant, document={**two_vendor_order(seed_order), "status": "CREATED"}, actor=SYSTEM)
    # when
    split_order(tenant=tenant, order_id=master.order_id, split_by="VENDOR_ID", actor=SYSTEM)
    # then
    assert counts.counts_by_status(tenant) == {"CREATED": 3}
    assert_counts_match_the_orders()


def test_a_bulk_load_counts_its_orders(tenant):
    # when
    call_command("generate_orders", "--tenant", "acme", "--count", "300", "--workers", "1")
    # then
    assert sum(counts.counts_by_status(tenant).values()) == 300
    assert_counts_match_the_orders()


def test_the_migration_fills_the_counts_from_the_orders(tenant, other_tenant, seed_order):
    # given orders whose counter rows are lost
    for owner, status in [(tenant, "CREATED"), (tenant, "CREATED"), (tenant, "DECLINED"), (other_tenant, "CREATED")]:
        create_order(tenant=owner, document={**seed_order, "status": status}, actor=SYSTEM)
    OrderStatusCount.objects.all().delete()
    # when
    migration = importlib.import_module("orders.migrations.0013_order_status_counts")
    migration.fill_counts(apps, SimpleNamespace(connection=connection, execute=connection.cursor().execute))
    # then
    assert stored_counts() == {
        (tenant.pk, "CREATED"): 2,
        (tenant.pk, "DECLINED"): 1,
        (other_tenant.pk, "CREATED"): 1,
    }


def test_counts_stay_exact_under_concurrent_writers(live_api, seed_order):
    # given orders to move and to delete
    moving = [created_order(live_api, seed_order) for _ in range(WRITERS)]
    deleted = [created_order(live_api, seed_order) for _ in range(WRITERS)]
    raced = created_order(live_api, seed_order)

    def write(index: int) -> list[int]:
        """Each writer creates an order, confirms one, deletes one, and races the others to decline the same one."""
        return [
            live_api("POST", "salesorders", {**seed_order, "status": "CREATED"}).status_code,
            live_api("POST", f"salesorders/{moving[index]}/transitions", {"status": "CONFIRMED"}).status_code,
            live_api("DELETE", f"salesorders/{deleted[index]}").status_code,
            live_api("POST", f"salesorders/{raced}/transitions", {"status": "DECLINED"}).status_code,
        ]

    # when
    results = run_concurrently(write, range(WRITERS))
    # then every write that could land landed, and the counters agree with the orders row by row
    assert all(statuses[:3] == [201, 204, 204] for statuses in results), results
    assert sorted(statuses[3] for statuses in results).count(204) == 1, results
    assert_counts_match_the_orders()
    assert counts.counts_by_status(Order.objects.first().tenant_id) == {
        "CREATED": WRITERS,
        "CONFIRMED": WRITERS,
        "DECLINED": 1,
    }
