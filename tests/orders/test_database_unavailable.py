"""A database that cannot be reached: the API and the token server answer 503 with Retry-After, in JSON."""

from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection

from orders.services import create_api_client

from ..conftest import issue_token

# Transaction control still runs, so the test's own transaction survives the outage.
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK")


@contextmanager
def database_unreachable():
    """Every query fails the way a dropped or refused connection does."""

    def refuse(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
            return execute(sql, params, many, context)
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with connection.execute_wrapper(refuse):
        yield


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert body["type"] == "internal_service_error"
    assert body["message"]


@pytest.fixture
def order_id(api, seed_order) -> str:
    response = api.post("salesorders", seed_order)
    assert response.status_code == 201, response
    return response.json()["id"]


def test_get_order_while_database_unreachable_is_503_then_recovers(api, order_id):
    # when
    with database_unreachable():
        response = api.get(f"salesorders/{order_id}")
    # then
    assert_unavailable(response.raw)
    assert api.get(f"salesorders/{order_id}").status_code == 200


def test_pickpack_while_database_unreachable_is_503(api_session):
    # given
    pickpack = api_session(["pickpack.pickpack_view"])
    pickpack.service = "pick-pack"
    # when
    with database_unreachable():
        response = pickpack.get("events")
    # then
    assert_unavailable(response.raw)


def test_token_while_database_unreachable_is_503_then_recovers(client, tenant):
    # given
    api_client, secret = create_api_client(tenant=tenant, scopes=["order.order_read"])
    form = {"grant_type": "client_credentials", "client_id": api_client.application.client_id, "client_secret": secret}
    # when
    with database_unreachable():
        response = client.post("/oauth/token", form)
    # then
    assert_unavailable(response)
    assert issue_token(client, form["client_id"], form["client_secret"])
