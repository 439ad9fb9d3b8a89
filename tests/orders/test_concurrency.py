"""Concurrent writers over real HTTP (a live server with threads): ids stay unique, no write is lost."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from orders import documents
from orders.models import Order
from orders.services import create_api_client, create_tenant

from ..conftest import EVERY_TENANT_SCOPE

WRITERS = 8


@pytest.fixture
def live_api(live_server, transactional_db):
    tenant = create_tenant(name="acme")
    api_client, secret = create_api_client(tenant=tenant, scopes=EVERY_TENANT_SCOPE)
    token = requests.post(
        f"{live_server.url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": api_client.application.client_id,
            "client_secret": secret,
        },
        timeout=30,
    ).json()["access_token"]
    session_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(method: str, path: str, body=None, headers: dict | None = None) -> requests.Response:
        return requests.request(
            method,
            f"{live_server.url}/order-v2/acme/{path}",
            headers=session_headers | (headers or {}),
            data=documents.dumps(body) if body is not None else None,
            timeout=60,
        )

    return call


def run_concurrently(function, arguments):
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        return list(pool.map(function, arguments))


def test_concurrent_creates_get_unique_ids(live_api, seed_order):
    # when
    responses = run_concurrently(lambda _: live_api("POST", "salesorders", seed_order), range(WRITERS * 2))
    # then
    assert [response.status_code for response in responses] == [201] * WRITERS * 2
    ids = {response.json()["id"] for response in responses}
    assert len(ids) == WRITERS * 2
    assert ids == {f"EON{1001 + number}" for number in range(WRITERS * 2)}


def test_concurrent_patches_with_the_same_version_one_wins_the_rest_409(live_api, seed_order):
    # given
    order_id = live_api("POST", "salesorders", seed_order).json()["id"]
    # when every writer patches from version 1
    responses = run_concurrently(
        lambda n: live_api("PATCH", f"salesorders/{order_id}", {"siteCode": f"S{n}", "metadata": {"version": 1}}),
        range(WRITERS),
    )
    # then
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [204] + [409] * (WRITERS - 1)
    winner = next(n for n, response in enumerate(responses) if response.status_code == 204)
    stored = documents.loads(live_api("GET", f"salesorders/{order_id}").content)
    assert stored["siteCode"] == f"S{winner}"
    assert stored["metadata"]["version"] == 2


def test_concurrent_patches_without_version_lose_no_write(live_api, seed_order):
    # given
    order_id = live_api("POST", "salesorders", seed_order).json()["id"]
    # when each writer adds its own mixin key
    responses = run_concurrently(
        lambda n: live_api("PATCH", f"salesorders/{order_id}", {"mixins": {f"writer{n}": {"n": n}}}),
        range(WRITERS),
    )
    # then every write is there and the version counted each one
    assert [response.status_code for response in responses] == [204] * WRITERS
    stored = Order.objects.get(order_id=order_id).document
    assert all(stored["mixins"][f"writer{n}"] == {"n": n} for n in range(WRITERS))
    assert stored["metadata"]["version"] == 1 + WRITERS
