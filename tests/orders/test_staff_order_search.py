"""The order list's search box: order id, customer email, name and company; case-insensitive, partial, combined."""

import copy

import pytest
from django.db import connection

from orders.actors import Actor
from orders.models import Order
from orders.search import MAX_SEARCH_WORDS, search_orders
from orders.services import create_order, patch_order

from .test_staff_order_list import LIST, order_ids_in

CUSTOMERS = {
    "EON7001": {"email": "anna.meyer@example.com", "firstName": "Anna", "lastName": "Meyer"},
    "EON7002": {"email": "ben@rohrbau.de", "name": "Ben Krause", "company": "Rohrbau Müller GmbH"},
    "EON7003": {"email": "clara@example.org", "firstName": "Clara", "lastName": "Müller", "company": "100%_Bio"},
    "EON8004": {"email": "david@example.net", "firstName": "David", "lastName": "Koch"},
}


@pytest.fixture
def customers_orders(tenant, seed_order):
    """One order per customer above; EON7001 and EON7003 are CREATED, the others IN_CHECKOUT."""
    orders = {}
    for order_id, customer in CUSTOMERS.items():
        document = copy.deepcopy(seed_order)
        document |= {"id": order_id, "customer": {"id": f"C-{order_id}", **customer}}
        document["status"] = "CREATED" if order_id in ("EON7001", "EON7003") else "IN_CHECKOUT"
        orders[order_id] = create_order(tenant=tenant, document=document, actor=Actor(label="test"))
    return orders


def found(viewer, **params) -> list[str]:
    response = viewer.get(LIST, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return sorted(order_ids_in(response))


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("EON7002", ["EON7002"]),  # the whole id
        ("eon700", ["EON7001", "EON7002", "EON7003"]),  # a prefix of ids, in any case
        ("8004", ["EON8004"]),  # part of an id
        ("ANNA.MEYER@", ["EON7001"]),  # part of an email, in any case
        ("rohrbau.de", ["EON7002"]),
        ("krause", ["EON7002"]),  # a B2B customer's name
        ("clara", ["EON7003"]),  # a first name
        ("koch", ["EON8004"]),  # a last name
        ("rohrbau müller", ["EON7002"]),  # a company, word by word
        ("Anna Meyer", ["EON7001"]),  # first and last name together
        ("meyer anna", ["EON7001"]),  # every word must match, in any order
        ("anna koch", []),
        ("nobody", []),
    ],
)
def test_search_matches_id_email_name_and_company(viewer, customers_orders, search, expected):
    assert found(viewer, search=search) == expected


def test_search_follows_changes_of_the_order(viewer, customers_orders, tenant):
    # when
    patch_order(
        tenant=tenant, order_id="EON8004", patch={"customer": {"company": "Koch & Söhne KG"}}, actor=Actor(label="t")
    )
    # then
    assert found(viewer, search="söhne") == ["EON8004"]


def test_search_is_combined_with_the_other_filters(viewer, customers_orders):
    assert found(viewer, search="example", status="CREATED") == ["EON7001", "EON7003"]
    assert found(viewer, search="example", status="CREATED", q='customer.email:"clara@example.org"') == ["EON7003"]


def test_search_takes_like_wildcards_literally(viewer, customers_orders):
    assert found(viewer, search="100%_bio") == ["EON7003"]
    assert found(viewer, search="%") == ["EON7003"]
    assert found(viewer, search="_") == ["EON7003"]


def test_an_empty_search_filters_nothing(viewer, customers_orders):
    assert found(viewer, search="   ") == sorted(CUSTOMERS)


@pytest.mark.parametrize(
    ("search", "message"),
    [
        (" ".join(["word"] * (MAX_SEARCH_WORDS + 1)), f"Search for at most {MAX_SEARCH_WORDS} words at once."),
        ("x" * 201, "Ensure this value has at most 200 characters"),
    ],
)
def test_a_search_too_long_answers_400_naming_the_problem(viewer, customers_orders, search, message):
    response = viewer.get(LIST, {"search": search})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert order_ids_in(response) == []


def test_search_shows_as_a_removable_chip(viewer, customers_orders):
    html = viewer.get(LIST, {"search": "anna", "status": "CREATED"}).content.decode()
    assert "Search: <strong>anna</strong>" in html
    assert 'href="?status=CREATED"' in html  # the chip removing the search keeps the status


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_search_is_served_by_the_trigram_index(customers_orders):
    # given
    orders = search_orders(Order.objects.all(), "anna.meyer")
    # when the planner may neither read the table nor walk another index (the fixture is too small to prefer it)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = orders.explain()
    # then
    assert "order_search_text_trgm" in plan, plan
