"""The API's hot paths run fixed statements (orders/statements.py): they answer exactly what the ORM rules answer,
and a change to a client or its token made anywhere (another process, the admin, a queryset update) holds on the
next request."""

import copy
import re
from datetime import timedelta

import pytest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.urls import Resolver404, get_resolver, resolve, reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken

from orders import documents, scopes, selectors
from orders.actors import Actor
from orders.api import hot as hot_reads
from orders.api.auth import token_params
from orders.api.hot import REVIEWED_MIDDLEWARE, HotReads
from orders.api.views import SalesOrderDetailView, SalesOrderListView
from orders.errors import NotFound
from orders.models import ApiClient, Order, Tenant
from orders.services import update_api_client
from orders.statements import fetch_together
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
def test_hot_statements_are_prepared_once_per_connection(api, apps, seed_order, tenant):
    # given
    order_id = api.post("salesorders", seed_order).json()["id"]
    _, hot = apps
    sent = {"Authorization": f"Bearer {api.token}"}
    # when
    for _ in range(3):
        assert answer_of(hot, "GET", f"/order-v2/{tenant.name}/salesorders/{order_id}", sent)[0] == "200 OK"
        assert answer_of(hot, "GET", f"/order-v2/{tenant.name}/salesorders?q=status:CREATED", sent)[0] == "200 OK"
    # then the token check with the read is one prepared statement of this connection, prepared once, and so are
    # the token check alone and the list's page with its count
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert len(prepared) == len(set(prepared))
    assert len([statement for statement in prepared if "token_checksum" in statement]) == 2
    assert len([statement for statement in prepared if "o.document::text" in statement]) == 1
    assert len([statement for statement in prepared if "COUNT(*)" in statement and "::text" in statement]) == 1


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


def answer_of(app, method: str, url: str, headers: dict) -> tuple[str, dict, bytes]:
    """Status line, headers and body of one WSGI request to `app`."""
    environ = RequestFactory().generic(method, url, headers=headers).environ
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started.update(status=status, headers=dict(response_headers))

    # As Django's test client does: the request must not close the connection holding the test's transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        result = app(environ, start_response)
        body = b"".join(result)
        result.close()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    return started["status"], started["headers"], body


class Django:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self):
        self.application, self.requests = WSGIHandler(), 0

    def __call__(self, environ, start_response):
        self.requests += 1
        return self.application(environ, start_response)


@pytest.fixture
def apps():
    """Django's WSGI application alone, and behind the hot reads, as config/wsgi.py serves it."""
    django = Django()
    return django, HotReads(django)


def same_answers(apps, requests: list[tuple[str, str, dict]]) -> int:
    """Checks the answer of the hot reads to each (method, URL, headers) equal, header for header, to Django's;
    returns how many of them the hot reads answered without Django."""
    django, hot = apps
    answered_here = 0
    for method, url, headers in requests:
        before = django.requests
        fast = answer_of(hot, method, url, headers)
        answered_here += django.requests == before
        slow = answer_of(django, method, url, headers)
        assert fast == slow, (method, url, headers)
        assert list(fast[1]) == list(slow[1]), "the headers come in Django's order"
    return answered_here


@pytest.fixture
def clients(api_session, tenant, other_tenant) -> dict[str, str | None]:
    """Authorization headers of every kind of client and token, by name."""
    sessions = {
        "reader": api_session([scopes.ORDER_READ]),
        "shoes vendor": api_session([scopes.ORDER_READ_BY_VENDOR], vendor_id=SHOES),
        "gloves vendor": api_session([scopes.ORDER_READ_BY_VENDOR], vendor_id=GLOVES),
        "creator only": api_session([scopes.ORDER_CREATE]),
        "other tenant": api_session([scopes.ORDER_READ], for_tenant=other_tenant),
        "expired": api_session([scopes.ORDER_READ]),
        "revoked": api_session([scopes.ORDER_READ]),
        "disabled client": api_session([scopes.ORDER_READ]),
    }
    token_of = {
        name: AccessToken.objects.filter(token_checksum=token_params(session.token)[0])
        for name, session in sessions.items()
    }
    token_of["expired"].update(expires=timezone.now() - timedelta(seconds=1))
    token_of["revoked"].delete()
    disabled = token_of["disabled client"].get().application_id
    ApiClient.objects.filter(application_id=disabled).update(is_active=False)
    headers = {name: f"Bearer {session.token}" for name, session in sessions.items()}
    return headers | {
        "none": None,
        "malformed": "Bearer two words",
        "unknown": "Bearer no-such-token",
        "basic": "Basic eA==",
    }


def requests_of(clients: dict, urls: list[tuple[str, str]], **headers) -> list[tuple[str, str, dict]]:
    """Each (method, URL) by each client, with a fixed request id so that whole answers compare."""
    fixed = {"X-Request-Id": "same-id"} | headers
    return [
        (method, url, fixed | ({"Authorization": header} if header else {}))
        for header in clients.values()
        for method, url in urls
    ]


def test_the_hot_reads_of_orders_answer_exactly_as_django(apps, api, seed_order, tenant, other_tenant, clients):
    # given orders of vendors and of none
    shoes_order = api.post("salesorders", with_vendors(seed_order, SHOES)).json()["id"]
    plain_order = api.post("salesorders", seed_order).json()["id"]
    ours, theirs = f"/order-v2/{tenant.name}/salesorders", f"/order-v2/{other_tenant.name}/salesorders"
    paths = [f"{ours}/{order_id}" for order_id in (shoes_order, plain_order, "EON999999", "search", "EON%00")]
    paths += [f"{theirs}/{plain_order}", f"{ours}/{plain_order}/", ours, theirs]
    urls = [("GET", path) for path in paths] + [("HEAD", ours), ("HEAD", f"{ours}/{plain_order}"), ("HEAD", theirs)]
    # when, then
    answered_here = same_answers(apps, requests_of(clients, urls))
    assert answered_here > 0


LIST_QUERIES = [
    "",
    "q=status:IN_CHECKOUT",
    "q=status:IN_CHECKOUT&sort=created:asc",
    "q=status:IN_CHECKOUT&sort=customer.email:desc,id",
    "q=entries.product.vendor.id:vendor-shoes",
    "q=customer.email:no-one@example.com",
    "pageNumber=2&pageSize=1",
    "pageNumber=99",
    "pageSize=1000",
    "fields=id,status",
    "fields=entries.id&pageSize=1",
    "q=status:(CREATED",
    "q=nosuchfield:1",
    "sort=nosuchfield",
    "sort=created:sideways",
    "fields=",
    "fields=..",
    "pageNumber=0",
    "pageNumber=x",
    "pageSize=1001",
    "pageSize=-1",
    "pageNumber=1000000001",
    "q=status:IN_CHECKOUT&q=status:CREATED",
    "q=%FF",
]


def test_lists_and_counts_answer_exactly_as_django(apps, api, seed_order, tenant, clients):
    # given orders of vendors and of none
    for shape in [(SHOES,), (GLOVES,), (SHOES, GLOVES), (None,)]:
        api.post("salesorders", with_vendors(seed_order, *shape))
    ours = f"/order-v2/{tenant.name}/salesorders"
    urls = [(method, f"{ours}?{query}") for query in LIST_QUERIES for method in ("GET", "HEAD")]
    # when, then
    answered_here = same_answers(apps, requests_of(clients, urls))
    assert answered_here > 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept": "text/html"},
        {"Accept": "application/json; q=1, text/html"},
        {"Host": "evil.example.com"},
        {"X-Request-Id": "not a sane id!"},
        {"Content-Length": "10"},
    ],
)
def test_requests_with_unusual_headers_answer_exactly_as_django(apps, api, seed_order, tenant, headers):
    # given
    order_id = api.post("salesorders", seed_order).json()["id"]
    ours = f"/order-v2/{tenant.name}/salesorders"
    requests = [
        (method, url, {"Authorization": f"Bearer {api.token}", "X-Request-Id": "same-id"} | headers)
        for method, url in [("GET", f"{ours}/{order_id}"), ("GET", ours), ("HEAD", ours)]
    ]
    if headers.get("X-Request-Id") == "not a sane id!":
        # then both make up a new id: only the rest of the answers compare
        django, hot = apps
        for method, url, sent in requests:
            fast, slow = answer_of(hot, method, url, sent), answer_of(django, method, url, sent)
            assert fast[1].pop("X-Request-Id") != "not a sane id!" != slow[1].pop("X-Request-Id")
            assert fast == slow
        return
    # when, then
    same_answers(apps, requests)


def test_an_https_redirect_and_strict_transport_headers_answer_exactly_as_django(api, tenant, settings):
    # given (both read the security settings when they start)
    settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS = True, 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    django = Django()
    ours = f"/order-v2/{tenant.name}/salesorders"
    plain = {"Authorization": f"Bearer {api.token}", "X-Request-Id": "same-id"}
    secure = {**plain, "X-Forwarded-Proto": "https"}
    # when, then
    assert same_answers((django, HotReads(django)), [("GET", ours, plain), ("HEAD", ours, plain)]) == 0
    assert same_answers((django, HotReads(django)), [("GET", ours, secure), ("HEAD", ours, secure)]) == 2


def test_successful_hot_reads_reach_neither_django_nor_the_views(apps, api, seed_order, tenant, monkeypatch):
    # given
    order_id = api.post("salesorders", seed_order).json()["id"]
    django, hot = apps

    def view_reached(*args, **kwargs):
        raise AssertionError("the view was reached")

    for view, method in [(SalesOrderDetailView, "get"), (SalesOrderListView, "get"), (SalesOrderListView, "head")]:
        monkeypatch.setattr(view, method, view_reached)
    sent = {"Authorization": f"Bearer {api.token}"}
    ours = f"/order-v2/{tenant.name}/salesorders"
    # when
    got = answer_of(hot, "GET", f"{ours}/{order_id}", sent)
    listed = answer_of(hot, "GET", f"{ours}?q=status:IN_CHECKOUT", sent)
    counted = answer_of(hot, "HEAD", ours, sent)
    # then
    assert django.requests == 0
    assert got[0] == listed[0] == counted[0] == "200 OK"
    assert documents.loads(got[2])["id"] == order_id
    assert [order["id"] for order in documents.loads(listed[2])] == [order_id]
    assert counted[1]["X-Total-Count"] == "1" and counted[2] == b""
    assert len({got[1]["X-Request-Id"], listed[1]["X-Request-Id"], counted[1]["X-Request-Id"]}) == 3


def test_a_list_page_and_a_count_go_with_the_token_check_once_the_process_knows_the_token(
    apps, api, seed_order, tenant, django_assert_num_queries, monkeypatch
):
    # given a token this process has seen
    api.post("salesorders", seed_order)
    _, hot = apps
    sent = {"Authorization": f"Bearer {api.token}"}
    url = f"/order-v2/{tenant.name}/salesorders?q=status:IN_CHECKOUT"
    answer_of(hot, "HEAD", url, sent)
    sent_together = []
    monkeypatch.setattr(
        hot_reads, "fetch_together", lambda statements: sent_together.append(statements) or fetch_together(statements)
    )
    # when
    with django_assert_num_queries(2):
        listed = answer_of(hot, "GET", url, sent)
    with django_assert_num_queries(2):
        counted = answer_of(hot, "HEAD", url, sent)
    # then each is the token check and one statement of the plan, sent together (one round trip on PostgreSQL)
    assert [len(statements) for statements in sent_together] == [2, 2]
    assert listed[0] == counted[0] == "200 OK"
    assert listed[1]["X-Total-Count"] == counted[1]["X-Total-Count"] == "1"
    assert [order["status"] for order in documents.loads(listed[2])] == ["IN_CHECKOUT"]
    assert counted[2] == b""


def test_a_count_guessed_from_a_stale_grant_is_counted_again(apps, api, api_session, seed_order, tenant):
    # given a vendor's count, counted with the token check once its grant is known
    api.post("salesorders", with_vendors(seed_order, SHOES))
    api.post("salesorders", with_vendors(seed_order, GLOVES))
    api.post("salesorders", with_vendors(seed_order, GLOVES))
    vendor = api_session([scopes.ORDER_READ_BY_VENDOR], vendor_id=SHOES)
    sent = {"Authorization": f"Bearer {vendor.token}", "X-Request-Id": "same-id"}
    head = [("HEAD", f"/order-v2/{tenant.name}/salesorders?q=status:IN_CHECKOUT", sent)]
    assert same_answers(apps, head * 2) == 2
    # when another process moves the client to another vendor
    ApiClient.objects.filter(vendor_id=SHOES).update(vendor_id=GLOVES)
    # then the guess is wrong once, and the answers are still Django's
    assert same_answers(apps, head * 2) == 2
    assert answer_of(apps[1], *head[0])[1]["X-Total-Count"] == "2"


def test_a_page_and_its_count_are_one_statement(api, seed_order, django_assert_num_queries):
    # given
    for _ in range(3):
        api.post("salesorders", seed_order)
    api.get("salesorders", QUERY_STRING="q=status:IN_CHECKOUT")  # the plan compiled and kept
    orders = selectors.search_orders(api_tenant(api), Actor(label=""), q="status:IN_CHECKOUT")
    # when
    with django_assert_num_queries(1):
        body = selectors.order_page_json(orders, page_number=1, page_size=2)
        total = orders.count()
    # then
    assert total == 3 and len(documents.loads(body)) == 2


def test_an_empty_page_still_counts_the_matches(api, seed_order):
    # given
    api.post("salesorders", seed_order)
    # when
    response = api.get("salesorders", QUERY_STRING="q=status:IN_CHECKOUT&pageNumber=5")
    # then
    assert response.json() == [] and response.headers["X-Total-Count"] == "1"


def api_tenant(api):
    return Tenant.objects.get(name=api.tenant)


def test_the_middleware_are_those_the_hot_reads_were_checked_against(settings):
    # A middleware added or moved must be looked at in orders/api/hot.py: the hot reads skip them all.
    assert settings.MIDDLEWARE == REVIEWED_MIDDLEWARE


def django_route(path: str) -> tuple[str, dict] | None:
    """What Django's resolver makes of a path, when it is a hot read's view."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return (match.view_name, match.kwargs) if match.view_name in (hot_reads.ORDER, hot_reads.ORDER_LIST) else None


def api_paths() -> list[str]:
    """A path of each URL pattern of the API, from Django's own URL configuration."""
    arguments = {"tenant": "acme", "order_id": "EON1001", "job_id": "7", "pk": "7", "id": "7"}
    paths = []
    for namespace in ("orders-api", "pickpack-api"):
        for pattern in get_resolver().namespace_dict[namespace][1].url_patterns:
            names = pattern.pattern.converters.keys()
            paths.append(reverse(f"{namespace}:{pattern.name}", kwargs={name: arguments[name] for name in names}))
    return paths


ODD_SEGMENTS = ["EON1001", "search", "Search", "searches", "a b", "%2F", "%41", "ü", "é€", ".", "..", "x\n", "-", "0"]


def test_the_hot_routes_are_django_routes():
    # given paths of every shape near the hot reads' paths, and the API's other URLs
    paths = [*api_paths(), "", "/", "/oauth/token", "/admin/", "/order-v2", "/order-v2/", "/order-v2//salesorders"]
    for tenant in ["acme", "other-tenant", "ü", "a b", "%61cme"]:
        for prefix in [
            f"/order-v2/{tenant}/salesorders",
            f"//order-v2/{tenant}/salesorders",
            f"/Order-v2/{tenant}/salesorders",
        ]:
            paths += [prefix, f"{prefix}/", f"{prefix}//", f"{prefix}?q=x", f"{prefix}\n", f"{prefix}\x00"]
            for segment in ODD_SEGMENTS:
                paths += [f"{prefix}/{segment}", f"{prefix}/{segment}/", f"{prefix}/{segment}/calculations"]
                paths += [f"{prefix}/{segment}\x00", f"{prefix}/{segment}/{segment}", f"{prefix}/{segment}//"]
    # when, then
    for path in paths:
        assert hot_reads.hot_route(path) == django_route(path), repr(path)
    assert sum(django_route(path) is not None for path in paths) > 50


@pytest.mark.parametrize(
    "path_of",
    [
        lambda tenant, order_id: f"/order-v2/{tenant}/salesorders/{order_id}",
        lambda tenant, order_id: f"/order-v2/{tenant}/salesorders/{order_id[:3]}%{ord(order_id[3]):02X}{order_id[4:]}",
        lambda tenant, order_id: f"/order-v2/%{ord(tenant[0]):02x}{tenant[1:]}/salesorders/{order_id}",
        lambda tenant, order_id: f"/order-v2/{tenant}/salesorders/{order_id}%C3%BC",
        lambda tenant, order_id: f"/order-v2/{tenant}/salesorders/{order_id}%FF",
        lambda tenant, order_id: f"/order-v2/{tenant}/salesorders/{order_id}%00",
        lambda tenant, order_id: f"/order-v2/{tenant}/salesorders/{order_id}%2F",
        lambda tenant, order_id: f"/order-v2/{tenant}/salesorders//{order_id}",
        lambda tenant, order_id: f"/order-v2/{tenant}/salesorders/search",
    ],
)
def test_percent_encoded_and_odd_paths_answer_exactly_as_django(apps, api, seed_order, tenant, path_of):
    # given
    order_id = api.post("salesorders", seed_order).json()["id"]
    sent = {"Authorization": f"Bearer {api.token}", "X-Request-Id": "same-id"}
    # when, then
    same_answers(apps, [("GET", path_of(tenant.name, order_id), sent)])


@pytest.mark.parametrize(
    "headers, answered_here",
    [
        ({"Host": "localhost:8000"}, True),
        ({"Host": "LOCALHOST"}, True),
        ({"Host": "evil.example.com"}, False),
        ({"Host": "localhost:x"}, False),
        ({"Host": ""}, False),
        ({}, True),  # no Host: the server's name stands in
        ({"Host": "localhost", "Accept": "application/xml"}, False),
        ({"Host": "localhost", "Accept": "application/*"}, True),
        ({"Host": "localhost", "Content-Length": "0"}, True),
        ({"Host": "localhost", "Content-Type": "application/json", "Content-Length": "2"}, False),
        ({"Host": "localhost", "Authorization": "bearer {token}"}, True),
        ({"Host": "localhost", "Authorization": "Bearer  {token} "}, True),
        ({"Host": "localhost", "Authorization": "Bearer {token} x"}, False),
    ],
)
def test_a_get_of_one_order_needs_no_request_object_when_the_middleware_are_plain(
    apps, api, seed_order, tenant, monkeypatch, headers, answered_here
):
    # given
    order_id = api.post("salesorders", seed_order).json()["id"]
    sent = {"Authorization": "Bearer {token}", "X-Request-Id": "same-id"} | headers
    sent["Authorization"] = sent["Authorization"].format(token=api.token)
    built = []
    monkeypatch.setattr(hot_reads, "WSGIRequest", lambda environ: built.append(environ) or WSGIRequest(environ))
    # when
    answered = same_answers(apps, [("GET", f"/order-v2/{tenant.name}/salesorders/{order_id}", sent)])
    # then
    assert answered == answered_here
    if "Host" in headers:
        assert built == []


def test_a_get_of_one_order_answered_directly_sends_request_finished(apps, api, seed_order, tenant):
    # given
    order_id = api.post("salesorders", seed_order).json()["id"]
    finished = []

    def on_finished(sender, **kwargs):
        finished.append(sender)

    request_finished.connect(on_finished)
    # when
    try:
        status, _, _ = answer_of(
            apps[1], "GET", f"/order-v2/{tenant.name}/salesorders/{order_id}", {"Authorization": f"Bearer {api.token}"}
        )
    finally:
        request_finished.disconnect(on_finished)
    # then
    assert status == "200 OK" and finished == [None] and apps[0].requests == 0


@pytest.mark.parametrize(
    "changed, headers",
    [
        ({"DISALLOWED_USER_AGENTS": [re.compile("curl")]}, {"User-Agent": "curl/8"}),
        ({"DISALLOWED_USER_AGENTS": [re.compile("curl")]}, {"User-Agent": "wrk"}),
        ({"PREPEND_WWW": True}, {}),
        ({"USE_X_FORWARDED_HOST": True}, {"X-Forwarded-Host": "evil.example.com"}),
        ({"USE_X_FORWARDED_HOST": True}, {"X-Forwarded-Host": "localhost"}),
        (
            {"SECURE_HSTS_SECONDS": 60, "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
            {"X-Forwarded-Proto": "https"},
        ),
        ({"X_FRAME_OPTIONS": "sameorigin", "SECURE_REFERRER_POLICY": "no-referrer, origin"}, {}),
        ({"SECURE_CONTENT_TYPE_NOSNIFF": False, "SECURE_CROSS_ORIGIN_OPENER_POLICY": None}, {}),
        ({"ALLOWED_HOSTS": ["api.example.com"]}, {"Host": "api.example.com"}),
        ({"ALLOWED_HOSTS": ["api.example.com"]}, {}),
        ({"DEFAULT_CHARSET": "latin-1"}, {}),
    ],
)
def test_a_get_of_one_order_under_other_middleware_settings_answers_exactly_as_django(
    api, seed_order, tenant, settings, changed, headers
):
    # given (the middleware read these settings when they start, and so do the hot reads)
    order_id = api.post("salesorders", seed_order).json()["id"]
    for name, value in changed.items():
        setattr(settings, name, value)
    django = Django()
    sent = {"Authorization": f"Bearer {api.token}", "X-Request-Id": "same-id"} | headers
    # when, then
    same_answers((django, HotReads(django)), [("GET", f"/order-v2/{tenant.name}/salesorders/{order_id}", sent)])
