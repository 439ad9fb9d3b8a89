"""Cases every list and every write endpoint gets, written once and configured per endpoint.

- A list answers 200 with exactly the items there are, in a number of queries that stays the same from 2 items to
  12 and under a ceiling: an N+1 never sneaks in, and a ceiling met by an error page does not count.
- A write refused for its input (400, 404, 409) answers an error in the contract's shape and changes nothing that is
  stored; the same write with good input succeeds within a query ceiling and is stored.

Credentials (401, 403 for another tenant or a missing scope) and vendor filtering are the isolation matrix's
(tests/reliability/test_isolation_matrix.py); these cases use a client that may do everything.
"""

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orders.actors import Actor
from orders.models import Order, OrderEntry, OrderEvent
from orders.services import create_order
from orders.staff.access import MANAGE_JOBS, MANAGE_ORDERS, VIEW_JOBS, VIEW_ORDERS, VIEW_PACKING_EVENTS
from pickpack.inputs import packing_event_from
from pickpack.models import JobType, PackingEvent, RecalculationJob, RecalculationJobOrder
from pickpack.services import create_recalculation_job, record_packing_event

from ..conftest import ApiSession
from ..pickpack.conftest import event_body, pickpack_session

ACTOR = Actor(label="test")


@dataclass
class World:
    tenant: Any
    seed_order: dict
    api: ApiSession
    pickpack: ApiSession
    staff: Client
    orders: list[Order] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)

    def add_orders(self, count: int, **changes) -> list[Order]:
        added = []
        for _ in range(count):
            document = copy.deepcopy(self.seed_order)
            document.update(status="CREATED", **changes)
            document["entries"][0]["product"]["vendor"] = {"id": "vendor-a"}
            document["entries"][0]["measurementUnit"] = {"unit": "H87", "value": 1}
            added.append(create_order(tenant=self.tenant, document=document, actor=ACTOR))
        self.orders += added
        return added

    def add_events(self, count: int) -> None:
        for order in self.add_orders(count):
            event_id = f"evt-{order.order_id}"
            record_packing_event(
                tenant=self.tenant, event=packing_event_from(event_body(order, event_id=event_id)), actor=ACTOR
            )
            self.events.append(event_id)

    def add_jobs(self, count: int) -> None:
        for order in self.add_orders(count):
            job = create_recalculation_job(
                tenant=self.tenant, job_type=JobType.MANUAL, order_ids=[order.order_id], actor=ACTOR
            )
            self.jobs.append(job.job_id)


@pytest.fixture
def world(tenant, seed_order, api, api_session, staff_client, monkeypatch) -> World:
    monkeypatch.setattr("pickpack.services.enqueue_job", lambda job_id: None)  # jobs stay as created
    staff = staff_client(VIEW_ORDERS, MANAGE_ORDERS, VIEW_JOBS, VIEW_PACKING_EVENTS, MANAGE_JOBS)
    return World(tenant, seed_order, api, pickpack_session(api), staff)


def stored_state() -> dict:
    """Everything a refused write could have changed."""
    return {
        "orders": sorted(Order.objects.values_list("order_id", "version", "status", "document")),
        "entries": sorted(OrderEntry.objects.values_list("order_id", "entry_id", "amount", "unit")),
        "order events": OrderEvent.objects.count(),
        "packing events": sorted(PackingEvent.objects.values_list("event_id", "packed_amount")),
        "jobs": sorted(RecalculationJob.objects.values_list("job_id", "job_status")),
        "job rows": RecalculationJobOrder.objects.count(),
    }


def counted(call: Callable[[], Any]) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, len(queries)


# --- lists ------------------------------------------------------------------------------------------------------------


def ids_in_json(key: str) -> Callable[[Any], list[str]]:
    return lambda response: [item[key] for item in response.json()]


def ids_in_html(pattern: str) -> Callable[[Any], list[str]]:
    return lambda response: re.findall(pattern, response.content.decode())


@dataclass(frozen=True)
class ListEndpoint:
    name: str
    call: Callable[[World], Any]
    add: Callable[[World, int], None]
    items: Callable[[World], list[str]]  # what the list must show, in any order
    listed: Callable[[Any], list[str]]
    ceiling: int

    def __str__(self) -> str:
        return self.name


def api_orders(world: World) -> list[str]:
    return [order.order_id for order in world.orders]


LIST_ENDPOINTS = (
    ListEndpoint(
        "GET salesorders",
        lambda world: world.api.get("salesorders"),
        lambda world, count: world.add_orders(count),
        api_orders,
        ids_in_json("id"),
        ceiling=3,
    ),
    ListEndpoint(
        "GET salesorders with q, sort and fields",
        lambda world: world.api.get("salesorders", QUERY_STRING="q=status:CREATED&sort=id:desc&fields=id,status"),
        lambda world, count: world.add_orders(count),
        api_orders,
        ids_in_json("id"),
        ceiling=5,
    ),
    ListEndpoint(
        "POST salesorders/search",
        lambda world: world.api.post("salesorders/search", {"q": "entries.product.vendor.id:vendor-a"}),
        lambda world, count: world.add_orders(count),
        api_orders,
        ids_in_json("id"),
        ceiling=4,
    ),
    ListEndpoint(
        "GET events",
        lambda world: world.pickpack.get("events"),
        World.add_events,
        lambda world: world.events,
        ids_in_json("eventId"),
        ceiling=3,
    ),
    ListEndpoint(
        "staff order list",
        lambda world: world.staff.get("/staff/acme/orders/"),
        lambda world, count: world.add_orders(count),
        api_orders,
        ids_in_html(r'<td><a href="/staff/acme/orders/(EON\d+)/"'),
        ceiling=8,
    ),
    ListEndpoint(
        "staff job list",
        lambda world: world.staff.get("/staff/acme/jobs/"),
        World.add_jobs,
        lambda world: world.jobs,
        ids_in_html(r'<td><a href="/staff/acme/jobs/([\w-]+)/"'),
        ceiling=10,  # the user's recent exports included
    ),
    ListEndpoint(
        "staff packing events",
        lambda world: world.staff.get("/staff/acme/events/"),
        World.add_events,
        lambda world: world.events,
        ids_in_html(r"<td>(evt-EON\d+)</td>"),
        ceiling=8,
    ),
)


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS, ids=str)
def test_list_answers_every_item_in_queries_that_do_not_grow_with_them(world, endpoint):
    counts = []
    for more in (2, 10):
        # given
        endpoint.add(world, more)
        endpoint.call(world)  # once before counting: a first call may fill caches (the token's, the session's)
        # when
        response, queries = counted(lambda: endpoint.call(world))
        # then
        assert response.status_code == 200, response
        assert sorted(endpoint.listed(response)) == sorted(endpoint.items(world))
        counts.append(queries)
    assert counts[0] == counts[1], f"{counts[0]} queries for 2 items, {counts[1]} for 12"
    assert counts[1] <= endpoint.ceiling


# --- writes -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteEndpoint:
    """A write: the request that succeeds, and requests refused for their input, each with its status."""

    name: str
    call: Callable[[World, Any], Any]  # (world, body) -> response; body None: the good one
    good: Callable[[World], Any]
    stored: Callable[[World, Any], None]  # checks the good write was stored
    success: int
    refused: dict[str, tuple[Callable[[World], Any], int]]
    ceiling: int

    def __str__(self) -> str:
        return self.name


def first(world: World) -> Order:
    return Order.objects.get(pk=world.orders[0].pk)


def order_path(world: World, suffix: str = "") -> str:
    return f"salesorders/{world.orders[0].order_id}{suffix}"


def new_order(world: World) -> dict:
    document = copy.deepcopy(world.seed_order)
    document["id"] = "EON9001"
    return document


def split_body(world: World) -> dict:
    """The split request, once the first order holds a second entry, of vendor-b (its first is vendor-a's)."""
    entries = copy.deepcopy(first(world).document["entries"])
    second = {**copy.deepcopy(entries[0]), "id": "ENTRY-2"}
    second["product"] = {**second["product"], "id": "PRODUCT-2", "vendor": {"id": "vendor-b"}}
    assert world.api.patch(order_path(world), {"entries": [*entries, second]}).status_code == 204
    return {"splitBy": "VENDOR_ID"}


ENTRY = "BC10033--BC10033-43"
WRITE_ENDPOINTS = (
    WriteEndpoint(
        "POST salesorders",
        lambda world, body: world.api.post("salesorders", body),
        new_order,
        lambda world, response: Order.objects.get(order_id="EON9001"),
        201,
        {
            "without customer": (lambda world: {**new_order(world), "customer": {"name": "no email"}}, 400),
            "a taken id": (lambda world: {**new_order(world), "id": world.orders[0].order_id}, 409),
            "a float amount as text": (lambda world: {**new_order(world), "totalPrice": "1e999"}, 400),
        },
        ceiling=9,  # the status counter's upsert included
    ),
    WriteEndpoint(
        "PUT salesorders/{id}",
        lambda world, body: world.api.put(order_path(world), body),
        lambda world: {**first(world).document, "siteCode": "AT"},
        lambda world, response: first(world).document["siteCode"] == "AT" or pytest.fail("not stored"),
        204,
        {
            "a stale version": (lambda world: {**first(world).document, "metadata": {"version": 0}}, 409),
            "no entries": (lambda world: {**first(world).document, "entries": []}, 400),
            "an illegal status": (lambda world: {**first(world).document, "status": "SHIPPED"}, 400),
        },
        ceiling=8,
    ),
    WriteEndpoint(
        "PATCH salesorders/{id}",
        lambda world, body: world.api.patch(order_path(world), body),
        lambda world: {"siteCode": "AT"},
        lambda world, response: first(world).document["siteCode"] == "AT" or pytest.fail("not stored"),
        204,
        {
            "a stale version": (lambda world: {"siteCode": "AT", "metadata": {"version": 0}}, 409),
            "an illegal status": (lambda world: {"status": "COMPLETED"}, 400),
            "a bad currency": (lambda world: {"currency": "EURO"}, 400),
        },
        ceiling=8,
    ),
    WriteEndpoint(
        "DELETE salesorders/{id}",
        lambda world, body: world.api.delete(body or order_path(world)),
        lambda world: None,
        lambda world, response: not Order.objects.filter(pk=world.orders[0].pk).exists() or pytest.fail("kept"),
        204,
        {"an unknown order": (lambda world: "salesorders/EON404", 404)},
        ceiling=13,  # 11 measured: the audit record and the webhook endpoints' lookup included
    ),
    WriteEndpoint(
        "POST transitions",
        lambda world, body: world.api.post(order_path(world, "/transitions"), body),
        lambda world: {"status": "CONFIRMED"},
        lambda world, response: first(world).status == "CONFIRMED" or pytest.fail("not stored"),
        204,
        {
            "an illegal transition": (lambda world: {"status": "SHIPPED"}, 400),
            "an unknown status": (lambda world: {"status": "LOST"}, 400),
        },
        ceiling=9,  # the status counters' upsert included
    ),
    WriteEndpoint(
        "POST calculations",
        lambda world, body: world.api.post(order_path(world, "/calculations"), body),
        lambda world: {"entries": [{"entryId": ENTRY, "deliveredAmount": 2}]},
        lambda world, response: first(world).document["entries"][0]["deliveredAmount"] == 2 or pytest.fail(),
        200,
        {
            "an unknown entry": (lambda world: {"entries": [{"entryId": "nope", "deliveredAmount": 2}]}, 400),
            "a negative amount": (lambda world: {"entries": [{"entryId": ENTRY, "deliveredAmount": -1}]}, 400),
            "a unit of another kind": (
                lambda world: {"entries": [{"entryId": ENTRY, "deliveredAmount": 2, "unit": "KGM"}]},
                400,
            ),
            "one bad delivery of two": (
                lambda world: {
                    "entries": [
                        {"entryId": ENTRY, "deliveredAmount": 2},
                        {"entryId": "nope", "deliveredAmount": 1},
                    ]
                },
                400,
            ),
        },
        ceiling=10,
    ),
    WriteEndpoint(
        "POST entries?store=true",
        lambda world, body: world.api.post(order_path(world, "/entries?store=true"), body),
        lambda world: {"entries": [{"entryId": ENTRY, "quantity": 5}]},
        lambda world, response: first(world).document["entries"][0]["amount"] == 5 or pytest.fail("not stored"),
        200,
        {
            "an unknown product": (lambda world: {"entries": [{"productId": "NOPE", "quantity": 1}]}, 400),
            "removing the last entry": (lambda world: {"entries": [{"entryId": ENTRY, "quantity": 0}]}, 400),
        },
        ceiling=9,
    ),
    WriteEndpoint(
        "POST split",
        lambda world, body: world.api.post(order_path(world, "/split"), body),
        split_body,
        lambda world, response: first(world).document["orderType"] == "MASTER_ORDER" or pytest.fail("not split"),
        200,
        {
            "one vendor": (lambda world: {"splitBy": "VENDOR_ID"}, 400),
            "an unknown criterion": (lambda world: {"splitBy": "COLOR"}, 400),
        },
        ceiling=26,  # 24 measured: one webhook endpoints' lookup per order created or changed included
    ),
    WriteEndpoint(
        "POST events",
        lambda world, body: world.pickpack.post("events", body),
        lambda world: event_body(world.orders[0], event_id="evt-new"),
        lambda world, response: PackingEvent.objects.get(event_id="evt-new"),
        200,
        {
            "an unknown order": (lambda world: event_body(world.orders[0], event_id="e", orderNumber="EON404"), 400),
            "a unit of another kind": (lambda world: event_body(world.orders[0], event_id="e", unit="KGM"), 400),
            "a taken event id": (
                lambda world: event_body(world.orders[0], event_id=world.events[0], packedAmount=7),
                409,
            ),
        },
        ceiling=9,
    ),
    WriteEndpoint(
        "POST jobs",
        lambda world, body: world.pickpack.post("jobs/recalculations", body),
        lambda world: {"jobType": "MANUAL", "orderIds": [world.orders[1].order_id]},
        lambda world, response: RecalculationJob.objects.get(job_id=response.json()["jobId"]),
        200,
        {
            "an unknown job type": (lambda world: {"jobType": "NIGHTLY"}, 400),
            "a MANUAL job without orders": (lambda world: {"jobType": "MANUAL", "orderIds": []}, 400),
            "an order of a job in progress": (
                lambda world: {"jobType": "MANUAL", "orderIds": [world.orders[0].order_id]},
                409,
            ),
        },
        ceiling=11,
    ),
)
ERROR_TYPES = {
    400: "validation_violation",
    404: "element_resource_non_existing",
    409: "conflict_resource",
}


@pytest.fixture
def write_world(world) -> World:
    """Two orders (the first with a packing event and a job in progress), as the writes above expect."""
    world.add_events(1)
    world.add_orders(1)
    world.jobs.append(
        create_recalculation_job(
            tenant=world.tenant, job_type=JobType.MANUAL, order_ids=[world.orders[0].order_id], actor=ACTOR
        ).job_id
    )
    return world


@pytest.mark.parametrize(
    ("endpoint", "refusal"),
    [
        pytest.param(endpoint, name, id=f"{endpoint} | {name}")
        for endpoint in WRITE_ENDPOINTS
        for name in endpoint.refused
    ],
)
def test_write_refused_for_its_input_changes_nothing(write_world, endpoint, refusal):
    # given
    body, status = endpoint.refused[refusal]
    request = body(write_world)
    before = stored_state()
    # when
    response = endpoint.call(write_world, request)
    # then
    assert response.status_code == status, response
    error = response.json()
    assert (error["status"], error["type"]) == (status, ERROR_TYPES[status])
    assert isinstance(error["message"], str) and error["message"]
    assert stored_state() == before


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS, ids=str)
def test_write_succeeds_within_its_query_ceiling(write_world, endpoint):
    # given
    body = endpoint.good(write_world)
    # when
    response, queries = counted(lambda: endpoint.call(write_world, body))
    # then
    assert response.status_code == endpoint.success, response
    endpoint.stored(write_world, response)
    assert queries <= endpoint.ceiling, f"{queries} queries"  # measured on SQLite plus 2 (savepoints may differ)
