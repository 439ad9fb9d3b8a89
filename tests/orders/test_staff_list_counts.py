"""The order list's pager: counted by the status counters when only the status filters, otherwise up to a cap
("10,000+"), exact below it."""

import re

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
    ("query", "expected", "listed"),
    [
        ({}, "Orders 1\N{EN DASH}5 of 5<", slice(0, 5)),
        ({"status": "CREATED"}, "Orders 1\N{EN DASH}4 of 4<", slice(1, 5)),
        ({"status": "CONFIRMED", "sort": "id"}, "Orders 1\N{EN DASH}1 of 1<", slice(0, 1)),
    ],
)
def test_a_list_filtered_by_status_alone_is_counted_by_the_counters(viewer, orders, query, expected, listed):
    # when
    with CaptureQueriesContext(connection) as queries:
        response = viewer.get("/staff/acme/orders/", query)
    # then: the page of the orders of that status, counted without counting the orders
    html = response.content.decode()
    assert response.status_code == 200
    assert sorted(set(re.findall(r'href="/staff/acme/orders/(EON\d+)/"', html))) == sorted(orders[listed])
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
