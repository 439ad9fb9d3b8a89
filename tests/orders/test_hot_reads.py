"""The API's hot paths run fixed statements (orders/statements.py): they answer exactly what the ORM rules answer,
and a change to a client or its token made anywhere (another process, the admin, a queryset update) holds on the
next request."""

import copy

import pytest
from django.db import connection
from django.test import Client

from orders import scopes, selectors
from orders.actors import Actor
from orders.api.views import SalesOrderDetailView
from orders.errors import NotFound
from orders.models import ApiClient, Order
from orders.services import update_api_client
from orders.vendors import visible_orders

SHOES, GLOVES = "vendor-shoes", "vendor-gloves"


def with_vendors(seed_order: dict, *vendors: str | None) -> dict:
    """The seed order with one entry per vendor given (None: an entry of no vendor)."""
    order = copy.deepcopy(seed_order)
    template = order["entries"][0]
    order["entries"] = []
    for index, vendor in enumerate(vendors):
        entry = copy.deepcopy(template) | {"id": f"e{index}"}
        entry["product"] = {key: value for key, value in entry["product"].items() if key != "vendor"}
        if vendor:
            entry["product"]["vendor"] = {"id": vendor}
        order["entries"].append(entry)
    return order


@pytest.fixture
def vendor_orders(api, seed_order) -> list[str]:
    shapes = [(SHOES,), (GLOVES,), (SHOES, GLOVES), (None,), (None, GLOVES)]
    return [api.post("salesorders", with_vendors(seed_order, *shape)).json()["id"] for shape in shapes]


@pytest.mark.parametrize("vendor", ["", SHOES, GLOVES, "vendor-none"])
def test_order_document_text_agrees_with_the_vendor_rule_of_the_orm(tenant, vendor_orders, vendor):
    # given
    actor = Actor(label="client:test", vendor_id=vendor)
    for order_id in [*vendor_orders, "EON999999"]:
        expected = visible_orders(Order.objects.filter(tenant=tenant), actor).filter(order_id=order_id).first()
        # when
        try:
            text = selectors.order_document_text(tenant, order_id, actor)
        except NotFound:
            text = None
        # then
        if expected is None:
            assert text is None, order_id
        else:
            assert text == selectors.with_document_text(Order.objects.filter(pk=expected.pk)).get(), order_id


def test_a_clients_new_vendor_holds_on_the_next_request(api, api_session, seed_order):
    # given a vendor client that sees its vendor's order
    shoes_order = api.post("salesorders", with_vendors(seed_order, SHOES)).json()["id"]
    vendor = api_session([scopes.ORDER_READ_BY_VENDOR], vendor_id=SHOES)
    assert vendor.get(f"salesorders/{shoes_order}").status_code == 200
    # when another process moves the client to another vendor (no signal reaches this one)
    ApiClient.objects.filter(vendor_id=SHOES).update(vendor_id=GLOVES)
    # then
    assert vendor.get(f"salesorders/{shoes_order}").status_code == 404
    assert vendor.head("salesorders").headers["X-Total-Count"] == "0"


def test_a_scope_taken_away_by_the_service_holds_on_the_next_request_in_every_process(api_session, tenant):
    # given a reader, and its tokens (update_api_client deletes them: a second process only sees the rows)
    reader = api_session([scopes.ORDER_READ, scopes.ORDER_CREATE])
    assert reader.get("salesorders").status_code == 200
    client_id = ApiClient.objects.get(tenant=tenant).application.client_id
    # when
    update_api_client(client_id=client_id, scopes=[scopes.ORDER_CREATE])
    # then
    assert reader.get("salesorders").status_code == 401


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_hot_statements_are_prepared_once_per_connection(api, seed_order):
    # given
    order_id = api.post("salesorders", seed_order).json()["id"]
    # when
    for _ in range(3):
        assert api.get(f"salesorders/{order_id}").status_code == 200
    # then the token check with the read is one prepared statement of this connection, prepared once
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert len(prepared) == len(set(prepared))
    assert len([statement for statement in prepared if "token_checksum" in statement and "::text" in statement]) == 1


def test_a_repeated_q_sees_the_orders_written_between_two_requests(api, seed_order):
    # given a list with its statements compiled and kept
    first = api.get("salesorders", QUERY_STRING="q=status:IN_CHECKOUT")
    # when another order matches
    created = api.post("salesorders", seed_order).json()["id"]
    # then the same q counts and lists it
    second = api.get("salesorders", QUERY_STRING="q=status:IN_CHECKOUT")
    assert int(second.headers["X-Total-Count"]) == int(first.headers["X-Total-Count"]) + 1
    assert created in [order["id"] for order in second.json()]
    assert api.head("salesorders", QUERY_STRING="q=status:IN_CHECKOUT").headers["X-Total-Count"] == str(
        int(first.headers["X-Total-Count"]) + 1
    )


def test_the_same_q_of_two_vendors_lists_each_its_own_orders(api, api_session, seed_order):
    # given
    shoes = api.post("salesorders", with_vendors(seed_order, SHOES)).json()["id"]
    gloves = api.post("salesorders", with_vendors(seed_order, GLOVES)).json()["id"]
    # when
    seen = {
        vendor: [
            order["id"]
            for order in api_session([scopes.ORDER_READ_BY_VENDOR], vendor_id=vendor)
            .get("salesorders", QUERY_STRING="q=status:IN_CHECKOUT")
            .json()
        ]
        for vendor in (SHOES, GLOVES)
    }
    # then
    assert seen == {SHOES: [shoes], GLOVES: [gloves]}


def test_a_bad_q_is_refused_each_time(api):
    for _ in range(2):
        response = api.get("salesorders", QUERY_STRING="q=status:(CREATED")
        assert response.status_code == 400
        assert response.json()["details"][0]["field"] == "q"


FAST_PATH = "orders.api.hot.OrderReadMiddleware"


def answers(tokens: dict[str, str | None], urls: list[str]) -> dict:
    """Status, headers (but the request id, new each time) and body of each GET, by token name and URL."""
    http = Client()  # a new client loads MIDDLEWARE as it is now
    seen = {}
    for name, header in tokens.items():
        for url in urls:
            response = http.get(url, **({"HTTP_AUTHORIZATION": header} if header else {}))
            headers = {key: value for key, value in response.headers.items() if key != "X-Request-Id"}
            seen[name, url] = (response.status_code, headers, response.content)
    return seen


def test_the_fast_path_of_a_get_answers_exactly_as_the_view(
    api, api_session, seed_order, tenant, other_tenant, settings
):
    # given orders, and clients of every kind
    shoes_order = api.post("salesorders", with_vendors(seed_order, SHOES)).json()["id"]
    plain_order = api.post("salesorders", seed_order).json()["id"]
    sessions = {
        "reader": api_session([scopes.ORDER_READ]),
        "shoes vendor": api_session([scopes.ORDER_READ_BY_VENDOR], vendor_id=SHOES),
        "gloves vendor": api_session([scopes.ORDER_READ_BY_VENDOR], vendor_id=GLOVES),
        "creator only": api_session([scopes.ORDER_CREATE]),
        "other tenant": api_session([scopes.ORDER_READ], for_tenant=other_tenant),
    }
    tokens = {name: f"Bearer {session.token}" for name, session in sessions.items()}
    tokens |= {"none": None, "malformed": "Bearer two words", "unknown": "Bearer no-such-token", "basic": "Basic eA=="}
    ours = f"/order-v2/{tenant.name}/salesorders"
    urls = [f"{ours}/{order_id}" for order_id in (shoes_order, plain_order, "EON999999", "search", "EON%00")]
    urls += [f"/order-v2/{other_tenant.name}/salesorders/{plain_order}", f"{ours}/{plain_order}/"]
    assert FAST_PATH in settings.MIDDLEWARE
    # when
    fast = answers(tokens, urls)
    settings.MIDDLEWARE = [path for path in settings.MIDDLEWARE if path != FAST_PATH]
    through_the_view = answers(tokens, urls)
    # then
    assert fast == through_the_view
    assert fast["reader", urls[1]][0] == 200
    assert fast["shoes vendor", urls[0]][0] == 200
    assert {status for status, _, _ in fast.values()} >= {200, 401, 403, 404, 405}


def test_a_successful_get_of_an_order_does_not_reach_the_view(api, seed_order, monkeypatch):
    # given
    order_id = api.post("salesorders", seed_order).json()["id"]

    def view_reached(*args, **kwargs):
        raise AssertionError("the view was reached")

    monkeypatch.setattr(SalesOrderDetailView, "get", view_reached)
    # when
    response = api.get(f"salesorders/{order_id}")
    # then
    assert response.status_code == 200
    assert response.json()["id"] == order_id
