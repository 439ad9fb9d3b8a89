"""The order list's pager: counted by the status counters when only the status filters, otherwise up to a cap
("10,000+"), exact below it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import paging
from orders.actors import Actor
from orders.services import create_order, transition_order

SYSTEM = Actor.system()


@pytest.fixture
def orders(tenant, seed_order) -> list[str]:
    ids = [
        create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=SYSTEM).order_id
        for _ in "abcde"
    ]
    transition_order(tenant=tenant, order_id=ids[0], status="CONFIRMED", actor=SYSTEM)
    return ids


def order_counts(sql: list[str]) -> list[str]:
    return [statement for statement in sql if "COUNT(" in statement.upper() and '"orders_order"' in statement]


@pytest.mark.parametrize(
    ("query", "expected"),
    [({}, "of 5"), ({"status": "CREATED"}, "of 4"), ({"status": "CONFIRMED", "sort": "id"}, "of 1")],
)
def test_a_list_filtered_by_status_alone_is_counted_by_the_counters(viewer, orders, query, expected):
    # when
    with CaptureQueriesContext(connection) as queries:
        html = viewer.get("/staff/acme/orders/", query).content.decode()
    # then
    assert expected in html
    assert not order_counts([query["sql"] for query in queries.captured_queries])


def test_an_unselective_filter_is_counted_up_to_the_cap(viewer, orders, monkeypatch):
    # given
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    # when
    html = viewer.get("/staff/acme/orders/", {"site": "DE"}).content.decode()
    # then
    assert "of 3+" in html


def test_a_selective_filter_is_counted_exactly(viewer, orders, monkeypatch):
    # given
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    # when
    html = viewer.get("/staff/acme/orders/", {"site": "DE", "q": f"id:{orders[1]}"}).content.decode()
    # then
    assert "Orders 1\N{EN DASH}1 of 1<" in html
