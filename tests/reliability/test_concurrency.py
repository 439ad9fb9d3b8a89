"""Racing writers over real HTTP (a live server, one thread per client): one winner where only one can win, no write
lost where every writer retries on a stale version."""

import copy
import time

import pytest

from orders import documents
from orders.models import Order, OrderEvent, OrderEventType

from ..orders import test_concurrency as live

WRITERS, run_concurrently = live.WRITERS, live.run_concurrently
live_api = live.live_api  # the fixture: a live server, a tenant `acme` and a client of every tenant scope

# A writer that gets 409 re-reads and tries again; this many attempts is far more than 8 writers ever need.
MAX_ATTEMPTS = 50


def created_order(call, document: dict) -> str:
    response = call("POST", "salesorders", {**document, "status": "CREATED"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def two_vendor_order(seed_order: dict) -> dict:
    """The seed's order with a second entry of another vendor: a split makes two suborders."""
    document = copy.deepcopy(seed_order)
    first = document["entries"][0]
    first["product"]["vendor"] = {"id": "vendor-a"}
    second = copy.deepcopy(first)
    second["id"] = "BC10033--BC10033-44"
    second["product"].update(id="BC10033--BC10033-44", vendor={"id": "vendor-b"})
    document["entries"].append(second)
    return document


def test_parallel_transitions_of_one_order_move_it_once(live_api, seed_order):
    # given
    order_id = created_order(live_api, seed_order)
    # when every writer confirms the CREATED order at once
    responses = run_concurrently(
        lambda _: live_api("POST", f"salesorders/{order_id}/transitions", {"status": "CONFIRMED"}), range(WRITERS)
    )
    # then one moved it; the others found it CONFIRMED already (no transition) or lost the race (409)
    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(204) == 1, statuses
    assert set(statuses) <= {204, 400, 409}, statuses
    for response in responses:
        if response.status_code != 204:
            assert response.json()["status"] == response.status_code
    history = live_api("GET", f"salesorders/{order_id}/historical-transitions").json()
    assert [transition["status"] for transition in history["transitions"]] == ["CREATED", "CONFIRMED"]
    assert Order.objects.get(order_id=order_id).status == "CONFIRMED"


def test_parallel_splits_of_one_order_split_it_once(live_api, seed_order):
    # given
    order_id = created_order(live_api, two_vendor_order(seed_order))
    # when
    responses = run_concurrently(
        lambda _: live_api("POST", f"salesorders/{order_id}/split", {"splitBy": "VENDOR_ID"}), range(WRITERS)
    )
    # then
    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 400, 409}, statuses
    winner = next(response.json() for response in responses if response.status_code == 200)
    suborders = Order.objects.filter(master_order=order_id)
    assert suborders.count() == 2
    assert sorted(suborders.values_list("order_id", flat=True)) == sorted(sub["id"] for sub in winner["subOrders"])
    master = Order.objects.get(order_id=order_id)
    assert master.order_type == "MASTER_ORDER"
    assert sorted(master.document["subOrders"]) == sorted(sub["id"] for sub in winner["subOrders"])
    assert OrderEvent.objects.filter(order=master, type=OrderEventType.SPLIT).count() == 1


def patch_until_it_lands(call, order_id: str, writer: int) -> int:
    """Read the order, patch it at the version read; on 409 read again. Returns the attempts it took."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        version = call("GET", f"salesorders/{order_id}").json()["metadata"]["version"]
        response = call(
            "PATCH",
            f"salesorders/{order_id}",
            {"mixins": {f"writer{writer}": {"n": writer}}, "metadata": {"version": version}},
        )
        if response.status_code == 204:
            return attempt
        assert response.status_code == 409, response.text
        assert response.json()["type"] == "conflict_resource"
        time.sleep(0.005 * attempt)  # let the winner's commit through before reading again
    pytest.fail(f"writer {writer} did not land in {MAX_ATTEMPTS} attempts")


def test_writers_that_retry_on_a_stale_version_lose_no_update(live_api, seed_order):
    # given
    order_id = created_order(live_api, seed_order)
    # when every writer adds its own mixin key, retrying on 409
    attempts = run_concurrently(lambda n: patch_until_it_lands(live_api, order_id, n), range(WRITERS))
    # then every key is there and each write counted once
    assert all(attempt >= 1 for attempt in attempts)
    stored = documents.loads(live_api("GET", f"salesorders/{order_id}").content)
    assert {f"writer{n}": {"n": n} for n in range(WRITERS)}.items() <= stored["mixins"].items()
    assert stored["metadata"]["version"] == 1 + WRITERS
