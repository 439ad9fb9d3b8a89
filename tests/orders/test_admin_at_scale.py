"""Admin changelists over the big tables read what a page needs: no SELECT DISTINCT for a filter's values, no count
past the cap, no documents, a bounded number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import paging
from orders.actors import Actor
from orders.services import create_order, delete_order, transition_order

SYSTEM = Actor.system()
BIG_TABLE_LISTS = [
    "/admin/orders/order/",
    "/admin/orders/orderevent/",
    "/admin/orders/changerecord/",
    "/admin/pickpack/packingevent/",
]
# Session, user, the tenants of the filter and the search, the capped count, the page, the filters' values.
MAX_QUERIES = 12


@pytest.fixture
def orders(tenant, seed_order) -> list[str]:
    ids = []
    for number in range(5):
        document = {**seed_order, "status": "CREATED", "customer": {**seed_order["customer"]}}
        document["customer"]["email"] = f"buyer{number}@example.com"
        ids.append(create_order(tenant=tenant, document=document, actor=SYSTEM).order_id)
    transition_order(tenant=tenant, order_id=ids[0], status="CONFIRMED", actor=SYSTEM)
    delete_order(tenant=tenant, order_id=ids[1], actor=SYSTEM)
    return ids


def statements_of(client, url: str, query: dict | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, query or {})
    assert page.status_code == 200, page.content[:500]
    return [query["sql"] for query in queries.captured_queries]


def full_counts(statements: list[str]) -> list[str]:
    """COUNT statements without a LIMIT inside: a count of every matching row."""
    return [sql for sql in statements if "COUNT(" in sql.upper() and " LIMIT " not in sql.upper()]


@pytest.mark.parametrize("url", BIG_TABLE_LISTS)
@pytest.mark.parametrize("query", [{}, {"q": "EON1001"}])
def test_big_admin_lists_run_no_distinct_no_full_count_and_few_queries(admin_client, orders, url, query):
    # when
    statements = statements_of(admin_client, url, query)
    # then
    assert not [sql for sql in statements if "DISTINCT" in sql.upper()]
    assert not full_counts(statements)
    assert len(statements) <= MAX_QUERIES, statements


def test_the_admin_order_list_reads_no_document_and_no_upper_case_scan(admin_client, orders):
    # when
    statements = statements_of(admin_client, "/admin/orders/order/", {"q": "buyer3@"})
    # then
    order_reads = [sql for sql in statements if re.search(r'FROM "orders_order"', sql)]
    assert order_reads
    assert not [sql for sql in order_reads if '"orders_order"."document"' in sql]
    assert not [sql for sql in statements if "UPPER(" in sql.upper()]


@pytest.mark.parametrize(
    ("term", "expected"),
    [("EON1003", {"EON1003"}), ("eon1003", {"EON1003"}), ("buyer4", {"EON1005"}), ("EON100", set()), ("uyer", set())],
)
def test_the_admin_order_search_finds_exact_ids_and_email_prefixes(admin_client, orders, term, expected):
    page = admin_client.get("/admin/orders/order/", {"q": term}).content.decode()
    listed = set(re.findall(r'<th class="field-order_id"><a [^>]*>(EON\d+)</a>', page))
    assert listed == expected


def test_a_long_admin_list_is_counted_up_to_the_cap(admin_client, orders, monkeypatch):
    # given a cap below the orders there are
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    # when
    html = admin_client.get("/admin/orders/order/").content.decode()
    # then
    assert "2+ orders" in html


def test_a_short_admin_list_is_counted_exactly(admin_client, orders, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    html = admin_client.get("/admin/orders/order/").content.decode()
    assert "4 orders" in html
    assert "4+ orders" not in html


def test_the_admin_order_filters_offer_the_values_of_the_newest_orders(admin_client, orders):
    html = admin_client.get("/admin/orders/order/", {"currency__exact": "EUR"}).content.decode()
    assert 'href="?currency__exact=EUR"' in html
    assert "4 orders" in html
