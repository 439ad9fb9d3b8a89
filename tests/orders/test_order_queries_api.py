"""The list's q, sort, fields and the search endpoint over HTTP (the language itself: tests/orders/query)."""

import copy

import pytest


@pytest.fixture
def three_orders(api, seed_order) -> dict[str, str]:
    ids = {}
    for site, status, created, email in [
        ("DE", "CREATED", "2025-01-01T10:00:00.000Z", "anna@example.com"),
        ("AT", "CONFIRMED", "2025-01-02T10:00:00.000Z", "ben@example.com"),
        ("DE", "CONFIRMED", "2025-01-03T10:00:00.000Z", "clara@example.com"),
    ]:
        document = copy.deepcopy(seed_order)
        document.update(siteCode=site, status=status, created=created)
        document["customer"]["email"] = email
        document["mixins"]["generalAttributes"]["orderNumber"] = f"N-{site}-{status}"
        ids[email] = api.post("salesorders", document).json()["id"]
    return ids


def listed_ids(response) -> list[str]:
    assert response.status_code == 200, response
    return [order["id"] for order in response.json()]


def test_list_filters_with_q(api, three_orders):
    response = api.get("salesorders", QUERY_STRING="q=siteCode:DE%20status:CONFIRMED")
    assert listed_ids(response) == [three_orders["clara@example.com"]]
    assert response.headers["X-Total-Count"] == "1"


def test_list_filters_on_mixins_and_dates(api, three_orders):
    by_mixin = api.get("salesorders", QUERY_STRING="q=mixins.generalAttributes.orderNumber:N-AT-CONFIRMED")
    assert listed_ids(by_mixin) == [three_orders["ben@example.com"]]
    by_date = api.get(
        "salesorders", QUERY_STRING='q=created:(>="2025-01-02T00:00:00.000Z" AND <"2025-01-03T00:00:00Z")'
    )
    assert listed_ids(by_date) == [three_orders["ben@example.com"]]


def test_list_sorts_and_projects(api, three_orders):
    response = api.get("salesorders", QUERY_STRING="sort=customer.email:desc&fields=id,customer.email")
    assert response.json() == [
        {"id": three_orders[email], "customer": {"email": email}}
        for email in ["clara@example.com", "ben@example.com", "anna@example.com"]
    ]


def test_head_counts_what_q_matches(api, three_orders):
    assert api.head("salesorders", QUERY_STRING="q=status:CONFIRMED").headers["X-Total-Count"] == "2"


def test_search_takes_q_from_the_body(api, three_orders):
    response = api.post("salesorders/search", {"q": "siteCode:DE"}, QUERY_STRING="sort=created:asc&pageSize=1")
    assert listed_ids(response) == [three_orders["anna@example.com"]]
    assert response.headers["X-Total-Count"] == "2"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=created:abc", "q"),
        ("q=status:(", "q"),
        ("q=calculatedPrice.finalPrice.grossValue:%3Dx", "q"),
        ("sort=customer.email:sideways", "sort"),
        ("sort=entries[0]", "sort"),
    ],
)
def test_bad_q_or_sort_is_400_pointing_at_it(api, three_orders, query, field):
    response = api.get("salesorders", QUERY_STRING=query)
    assert response.status_code == 400, response
    body = response.json()
    assert body["type"] == "validation_violation"
    assert body["details"][0]["field"] == field


@pytest.mark.parametrize("body", [{"q": 5}, {"q": ["status:CREATED"]}])
def test_search_with_a_non_string_q_is_400(api, body):
    assert api.post("salesorders/search", body).status_code == 400


def test_list_with_q_does_a_fixed_number_of_queries(api, three_orders, django_assert_max_num_queries):
    # the token, the count, the page's ids and their entries (the page budget of a projection), the documents
    with django_assert_max_num_queries(5):
        response = api.get("salesorders", QUERY_STRING="q=status:CONFIRMED&fields=id&sort=created:asc")
    assert response.status_code == 200, response
    assert response.json() == [{"id": three_orders["ben@example.com"]}, {"id": three_orders["clara@example.com"]}]
