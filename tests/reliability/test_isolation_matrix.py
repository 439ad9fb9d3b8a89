"""The isolation matrix: every API endpoint against every credential that must be refused, and vendor clients
against orders of other vendors.

Every refusal is an error in the contract's JSON shape, says nothing about the tenant's data (nor about another
tenant's), and changes nothing. The endpoints are one table (`ENDPOINTS`); the checks are written once in
`IsolationChecks`, and each service's test class only says which endpoints it covers.
"""

import copy
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from oauth2_provider.models import AccessToken

from orders import documents
from orders.actors import Actor
from orders.models import Order, OrderEntry, OrderEvent
from orders.scopes import ALL_SCOPES, VENDOR_SCOPES
from orders.services import create_api_client, create_order, create_tenant, update_api_client
from pickpack.inputs import packing_event_from
from pickpack.models import JobOrderStatus, JobStatus, JobType, PackingEvent, RecalculationJob, RecalculationJobOrder
from pickpack.services import create_recalculation_job, record_packing_event

from ..conftest import issue_token, load_fixture
from ..pickpack.conftest import event_body
from .marked_orders import Line, OrderSpec, order_document

# --- the scopes each operation of the spec lists (emporix/*.openapi.yml, `security`) ----------------------------

READ = frozenset({"order.order_read", "order.order_read_by_vendor", "order.order_manage_by_vendor"})
CREATE = frozenset({"order.order_create"})
UPDATE = frozenset({"order.order_update", "order.order_update_completed", "order.order_manage_by_vendor"})
DELETE = frozenset({"order.order_delete"})
READ_TRANSITIONS = READ | {"order.order_update", "order.order_update_completed"}
READ_HISTORY = READ | {"order.order_update"}
CALCULATE = frozenset({"order.order_update", "order.order_update_completed"})
CHANGE_ENTRIES = frozenset({"order.order_update", "order.order_manage_by_vendor"})
SPLIT = frozenset({"order.order_update"})
PICKPACK_VIEW = frozenset({"pickpack.pickpack_view"})
PICKPACK_MANAGE = frozenset({"pickpack.pickpack_manage"})
TENANT_SCOPES = sorted(scope for scope in ALL_SCOPES if scope not in VENDOR_SCOPES)

# --- the data: two tenants, orders with recognisable values, packing events, jobs --------------------------------


VENDOR_A, VENDOR_B = "vendor-a", "vendor-b"
# The order the refusal matrix aims at: shared by vendor-a and vendor-b, so it can be split.
SHARED = OrderSpec(
    "EON7731",
    "shared.7731@acme.example",
    (
        Line("ENTRY-SHARED-A", "PRODUCT-SHARED-A", VENDOR_A, "4711.37"),
        Line("ENTRY-SHARED-B", "PRODUCT-SHARED-B", VENDOR_B, "4733.59"),
    ),
)
B_ONLY = OrderSpec(
    "EON7732", "b-only.7732@acme.example", (Line("ENTRY-BONLY-1", "PRODUCT-BONLY-1", VENDOR_B, "3613.29"),)
)
A_ONLY = OrderSpec(
    "EON7733", "a-only.7733@acme.example", (Line("ENTRY-AONLY-1", "PRODUCT-AONLY-1", VENDOR_A, "2515.17"),)
)
# Another tenant's order under the same id as the target: a wrong tenant filter would find it.
OTHER = OrderSpec(
    "EON7731", "other.7731@globex.example", (Line("ENTRY-OTHER-1", "PRODUCT-OTHER-1", VENDOR_A, "5822.19"),)
)
OTHER_EVENT_IDS = ["evt-other-8841"]
VENDOR_B_EVENT_IDS = ["evt-bonly-8842", "evt-shared-b-8843"]
VENDOR_A_EVENT_IDS = ["evt-shared-a-8844"]


def vendor_actor(vendor: str) -> Actor:
    return Actor(label=f"client:{vendor}", vendor_id=vendor)


def post_event(tenant, order: Order, *, event_id: str, entry: int, actor: Actor) -> None:
    record_packing_event(
        tenant=tenant, event=packing_event_from(event_body(order, event_id=event_id, entry=entry)), actor=actor
    )


def finished_job(tenant, order_ids: list[str], actor: Actor) -> str:
    """A job that a worker has finished (marked so directly: its outcome does not matter here, only its rows)."""
    job = create_recalculation_job(tenant=tenant, job_type=JobType.MANUAL, order_ids=order_ids, actor=actor)
    job.order_rows.update(status=JobOrderStatus.SUCCESS, message="Order recalculated successfully")
    RecalculationJob.objects.filter(pk=job.pk).update(job_status=JobStatus.SUCCESS, finished_at=timezone.now())
    return job.job_id


@dataclass
class World:
    tenant: Any
    other_tenant: Any
    orders: dict[str, Order]
    job_id: str  # a job of the tenant over the shared order
    vendor_b_job_id: str
    other_job_id: str
    http: Client

    def order(self, name: str) -> Order:
        return Order.objects.get(pk=self.orders[name].pk)

    def token(self, scopes, *, tenant=None, vendor_id: str = "") -> str:
        client, secret = create_api_client(tenant=tenant or self.tenant, scopes=sorted(scopes), vendor_id=vendor_id)
        return issue_token(self.http, client.application.client_id, secret)

    def path(self, template: str, order: str = "shared") -> str:
        return template.format(tenant=self.tenant.name, order_id=self.orders[order].order_id, job_id=self.job_id)

    def secrets(self) -> list[str]:
        """Everything a refused request must not learn: every order's values, events and jobs of both tenants."""
        values = [marker for spec in (SHARED, B_ONLY, A_ONLY, OTHER) for marker in spec.markers]
        return (
            values
            + OTHER_EVENT_IDS
            + VENDOR_A_EVENT_IDS
            + VENDOR_B_EVENT_IDS
            + [self.vendor_b_job_id, self.other_job_id]
        )

    def secrets_of_vendor_b_and_other_tenant(self) -> list[str]:
        """What vendor-a may never learn: vendor-b's own order, events and jobs, and anything of the other tenant."""
        # (the other tenant's order has the shared order's id on purpose: that id is no secret of the other tenant)
        other = [marker for marker in OTHER.markers if marker != SHARED.order_id]
        return B_ONLY.markers + other + VENDOR_B_EVENT_IDS + OTHER_EVENT_IDS + [self.vendor_b_job_id]


@pytest.fixture(scope="module")
def http() -> Client:
    """One test client for the module: each new one loads the middleware again, static file finders and all."""
    return Client()


def make_world(http: Client) -> World:
    tenant, other_tenant = create_tenant(name="acme"), create_tenant(name="globex")
    seed_order = load_fixture("seed_order.json")
    orders = {
        name: create_order(tenant=owner, document=order_document(seed_order, spec), actor=Actor(label="test"))
        for name, owner, spec in [
            ("shared", tenant, SHARED),
            ("b_only", tenant, B_ONLY),
            ("a_only", tenant, A_ONLY),
            ("other", other_tenant, OTHER),
        ]
    }
    post_event(tenant, orders["shared"], event_id=VENDOR_A_EVENT_IDS[0], entry=0, actor=vendor_actor(VENDOR_A))
    post_event(tenant, orders["shared"], event_id=VENDOR_B_EVENT_IDS[1], entry=1, actor=vendor_actor(VENDOR_B))
    post_event(tenant, orders["b_only"], event_id=VENDOR_B_EVENT_IDS[0], entry=0, actor=vendor_actor(VENDOR_B))
    post_event(other_tenant, orders["other"], event_id=OTHER_EVENT_IDS[0], entry=0, actor=Actor(label="test"))
    return World(
        tenant=tenant,
        other_tenant=other_tenant,
        orders=orders,
        job_id=finished_job(tenant, [SHARED.order_id], Actor(label="test")),
        vendor_b_job_id=finished_job(tenant, [B_ONLY.order_id], vendor_actor(VENDOR_B)),
        other_job_id=finished_job(other_tenant, [OTHER.order_id], Actor(label="test")),
        http=http,
    )


@pytest.fixture(scope="module")
def stored_world(django_db_setup, django_db_blocker, http) -> World:
    """The orders, packing events and jobs of both tenants, committed once for the module rather than made again for
    each of its 500-odd tests (most of its time went there); each test's own writes roll back with its transaction."""
    # committed, the jobs would be queued at once: nothing here runs them
    with django_db_blocker.unblock(), mock.patch("pickpack.services.enqueue_job"):
        world = make_world(http)
    yield world
    with django_db_blocker.unblock():  # everything the world holds hangs off its two tenants
        world.tenant.delete()
        world.other_tenant.delete()


@pytest.fixture
def world(db, stored_world) -> World:
    return stored_world


def stored_state() -> dict:
    """Everything a refused request could have changed."""
    return {
        "orders": {
            (order.tenant_id, order.order_id): (order.version, order.status, order.document)
            for order in Order.objects.all()
        },
        "entries": sorted(OrderEntry.objects.values_list("order_id", "entry_id", "product_id", "amount")),
        "order events": OrderEvent.objects.count(),
        "packing events": sorted(PackingEvent.objects.values_list("tenant_id", "event_id")),
        "jobs": sorted(RecalculationJob.objects.values_list("job_id", "job_status")),
        "job rows": RecalculationJobOrder.objects.count(),
    }


# --- the endpoints ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One operation: its method and path, the scopes the spec lets call it, and a body it serves with `success`."""

    method: str
    path: str
    scopes: frozenset[str]
    success: int
    body: Callable[[World], Any] | None = None
    query: str = ""
    # refusal name -> reason, for the cases a known production bug fails
    known_bugs: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def service(self) -> str:
        return self.path.split("/")[1]


def put_body(world: World) -> dict:
    return {**world.order("shared").document, "siteCode": "AT"}


def new_order_body(world: World) -> dict:
    document = copy.deepcopy(world.order("shared").document)
    for server_field in ("id", "created", "lastStatusChange", "metadata"):
        document.pop(server_field, None)
    return document


def new_event_body(world: World) -> dict:
    return event_body(world.order("shared"), event_id="evt-new-8850")


ORDERS = "/order-v2/{tenant}/salesorders"
ORDER = ORDERS + "/{order_id}"
EVENTS = "/pick-pack/{tenant}/events"
JOBS = "/pick-pack/{tenant}/jobs/recalculations"
JOB = JOBS + "/{job_id}"
ONLY_SCOPE = "token holding only {scope}"

ENDPOINTS = (
    Endpoint("GET", ORDERS, READ, 200),
    Endpoint("HEAD", ORDERS, READ, 200),
    Endpoint("POST", ORDERS, CREATE, 201, new_order_body),
    Endpoint("POST", ORDERS + "/search", READ, 200, lambda world: {"q": "status:CREATED"}),
    Endpoint("GET", ORDER, READ, 200),
    Endpoint("HEAD", ORDER, READ, 200),
    Endpoint("PUT", ORDER, UPDATE, 204, put_body),
    Endpoint("PATCH", ORDER, UPDATE, 204, lambda world: {"siteCode": "AT"}),
    Endpoint("DELETE", ORDER, DELETE, 204),
    Endpoint("GET", ORDER + "/transitions", READ_TRANSITIONS, 200),
    Endpoint("HEAD", ORDER + "/transitions", READ_TRANSITIONS, 200),
    Endpoint("POST", ORDER + "/transitions", UPDATE, 204, lambda world: {"status": "CONFIRMED"}),
    Endpoint("GET", ORDER + "/historical-transitions", READ_HISTORY, 200),
    Endpoint("HEAD", ORDER + "/historical-transitions", READ_HISTORY, 200),
    Endpoint("GET", ORDER + "/changes", READ, 200),
    Endpoint("HEAD", ORDER + "/changes", READ, 200),
    Endpoint("GET", "/order-v2/{tenant}/changes", READ, 200),
    Endpoint("HEAD", "/order-v2/{tenant}/changes", READ, 200),
    Endpoint(
        "POST",
        ORDER + "/calculations",
        CALCULATE,
        200,
        lambda world: {"entries": [{"entryId": "ENTRY-SHARED-A", "deliveredAmount": 2}]},
    ),
    Endpoint(
        "POST",
        ORDER + "/entries",
        CHANGE_ENTRIES,
        200,
        lambda world: {"entries": [{"entryId": "ENTRY-SHARED-A", "quantity": 2}]},
        query="?store=true",
    ),
    Endpoint("POST", ORDER + "/split", SPLIT, 200, lambda world: {"splitBy": "VENDOR_ID"}),
    Endpoint("GET", EVENTS, PICKPACK_VIEW, 200),
    Endpoint("HEAD", EVENTS, PICKPACK_VIEW, 200),
    Endpoint("POST", EVENTS, PICKPACK_MANAGE, 200, new_event_body),
    Endpoint("POST", JOBS, PICKPACK_MANAGE, 200, lambda world: {"jobType": "MANUAL", "orderIds": [SHARED.order_id]}),
    Endpoint("GET", JOB, PICKPACK_VIEW, 200),
    Endpoint("HEAD", JOB, PICKPACK_VIEW, 200),
)


def send(world: World, endpoint: Endpoint, authorization: str | None, *, order: str = "shared", body=None):
    body = body if body is not None else (endpoint.body(world) if endpoint.body else None)
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return world.http.generic(
        endpoint.method,
        world.path(endpoint.path, order) + endpoint.query,
        data=documents.dumps(body) if body is not None else "",
        content_type="application/json",
        **headers,
    )


# --- the credentials that must be refused -----------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    name: str
    status: int
    authorization: Callable[[World], str | None]

    def __str__(self) -> str:
        return self.name


def bearer(token: str) -> str:
    return f"Bearer {token}"


def expired_token(world: World) -> str:
    client, secret = create_api_client(tenant=world.tenant, scopes=TENANT_SCOPES)
    token = issue_token(world.http, client.application.client_id, secret)
    AccessToken.objects.filter(application=client.application).update(expires=timezone.now() - timedelta(seconds=1))
    return bearer(token)


def revoked_token(world: World) -> str:
    client, secret = create_api_client(tenant=world.tenant, scopes=TENANT_SCOPES)
    client_id = client.application.client_id
    token = issue_token(world.http, client_id, secret)
    response = world.http.post("/oauth/revoke", {"token": token, "client_id": client_id, "client_secret": secret})
    assert response.status_code == 200, response.content
    return bearer(token)


def token_of_disabled_client(world: World) -> str:
    client, secret = create_api_client(tenant=world.tenant, scopes=TENANT_SCOPES)
    token = issue_token(world.http, client.application.client_id, secret)
    update_api_client(client_id=client.application.client_id, active=False)
    return bearer(token)


CREDENTIAL_REFUSALS = (
    Refusal("no token", 401, lambda world: None),
    Refusal("Basic scheme", 401, lambda world: "Basic YWNtZTpzZWNyZXQ="),
    Refusal("Bearer without a token", 401, lambda world: "Bearer "),
    Refusal("token with a space", 401, lambda world: bearer(world.token(TENANT_SCOPES) + " extra")),
    Refusal("unknown token", 401, lambda world: bearer(secrets.token_urlsafe(30))),
    Refusal("expired token", 401, expired_token),
    Refusal("revoked token", 401, revoked_token),
    Refusal("token of a disabled client", 401, token_of_disabled_client),
    Refusal(
        "token of another tenant",
        403,
        lambda world: bearer(world.token(TENANT_SCOPES, tenant=world.other_tenant)),
    ),
    Refusal(
        "vendor token of another tenant",
        403,
        lambda world: bearer(world.token(VENDOR_SCOPES, tenant=world.other_tenant, vendor_id=VENDOR_A)),
    ),
)


def only_scope_refusal(scope: str) -> Refusal:
    vendor_id = VENDOR_A if scope in VENDOR_SCOPES else ""
    return Refusal(ONLY_SCOPE.format(scope=scope), 403, lambda world: bearer(world.token([scope], vendor_id=vendor_id)))


def refusals_of(endpoint: Endpoint) -> list[Refusal]:
    """The credential refusals, then a token of each scope the operation does not list."""
    return [
        *CREDENTIAL_REFUSALS,
        *(only_scope_refusal(scope) for scope in sorted(ALL_SCOPES) if scope not in endpoint.scopes),
    ]


ERROR_TYPES = {
    400: "validation_violation",
    401: "unauthorized",
    403: "insufficient_permissions",
    404: "element_resource_non_existing",
}


def assert_error_shape(response, status: int, method: str) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert "json" in response["Content-Type"]
    if method == "HEAD":
        assert response.content == b""
        return
    body = documents.loads(response.content)
    assert body["status"] == status
    assert body["type"] == ERROR_TYPES[status]
    assert isinstance(body["message"], str) and body["message"]


def assert_no_leak(response, sent: str, secret_values: list[str]) -> None:
    """Neither the body nor a header holds any of the values, except those the caller sent (`sent`: its path, and
    for a request that is not refused outright, its body)."""
    seen = response.content.decode() + "\n" + "\n".join(f"{name}: {value}" for name, value in response.items())
    leaked = [value for value in secret_values if value not in sent and value in seen]
    assert not leaked, (leaked, seen[:500])
    if response.status_code >= 400:
        assert "X-Total-Count" not in response


# --- the refusal matrix: checks written once, configured per service --------------------------------------------


class IsolationChecks:
    """The checks every endpoint of `endpoints` gets. Subclasses only configure `endpoints`."""

    endpoints: tuple[Endpoint, ...] = ()

    def test_refused_request_is_an_error_that_leaks_and_changes_nothing(self, world, endpoint, refusal):
        # given
        authorization = refusal.authorization(world)
        before = stored_state()
        # when
        response = send(world, endpoint, authorization)
        # then
        assert_error_shape(response, refusal.status, endpoint.method)
        assert_no_leak(response, world.path(endpoint.path), world.secrets())
        assert stored_state() == before

    def test_any_one_scope_the_spec_lists_is_enough(self, world, endpoint, scope):
        # given
        authorization = bearer(world.token([scope]))
        # when
        response = send(world, endpoint, authorization)
        # then
        assert response.status_code == endpoint.success, (response.status_code, response.content[:300])


def pytest_generate_tests(metafunc):
    """Parametrize IsolationChecks' tests over the endpoints their class configures."""
    cls = metafunc.cls
    if cls is None or not issubclass(cls, IsolationChecks):
        return
    if "refusal" in metafunc.fixturenames:
        metafunc.parametrize(
            ("endpoint", "refusal"),
            [
                pytest.param(
                    endpoint,
                    refusal,
                    id=f"{endpoint} | {refusal}",
                    marks=known_bug_marks(endpoint, refusal.name),
                )
                for endpoint in cls.endpoints
                for refusal in refusals_of(endpoint)
            ],
        )
    elif "scope" in metafunc.fixturenames:
        metafunc.parametrize(
            ("endpoint", "scope"),
            [
                pytest.param(endpoint, scope, id=f"{endpoint} | {scope}")
                for endpoint in cls.endpoints
                for scope in sorted(endpoint.scopes - VENDOR_SCOPES)  # vendor clients: see the vendor matrix
            ],
        )


def known_bug_marks(endpoint: Endpoint, refusal_name: str) -> list:
    reason = endpoint.known_bugs.get(refusal_name)
    if reason is None and refusal_name.startswith(ONLY_SCOPE.format(scope="")):
        reason = endpoint.known_bugs.get(ONLY_SCOPE)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


class TestOrderServiceIsolation(IsolationChecks):
    endpoints = tuple(endpoint for endpoint in ENDPOINTS if endpoint.service == "order-v2")


class TestPickPackIsolation(IsolationChecks):
    endpoints = tuple(endpoint for endpoint in ENDPOINTS if endpoint.service == "pick-pack")


def served_operations() -> set[tuple[str, str]]:
    """(method, path template) of every operation the API's URLs serve; HEAD wherever GET is (Django adds it)."""
    operations = set()
    for namespace in ("orders-api", "pickpack-api"):
        for pattern in api_patterns(namespace):
            view = pattern.callback.view_class
            path = "/" + re.sub(r"<\w+:(\w+)>", r"{\1}", str(pattern.pattern))
            methods = {name.upper() for name in view.http_method_names if name != "options" and hasattr(view, name)}
            methods |= set(view.required_scopes)
            if "GET" in methods:
                methods.add("HEAD")
            operations |= {(method, path) for method in methods}
    return operations


def api_patterns(namespace: str) -> list[URLPattern]:
    resolver = next(
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and entry.namespace == namespace
    )
    return [entry for entry in resolver.url_patterns if isinstance(entry, URLPattern)]


def test_the_matrix_covers_every_operation_the_api_serves():
    assert {(endpoint.method, endpoint.path) for endpoint in ENDPOINTS} == served_operations()


@pytest.mark.parametrize(
    "endpoint",
    [endpoint for endpoint in ENDPOINTS if endpoint.service == "pick-pack" and endpoint.method != "HEAD"],
    ids=str,
)
def test_pickpack_refusals_carry_the_pickpack_error_fields(world, endpoint):
    # when
    response = send(world, endpoint, None)
    # then
    body = documents.loads(response.content)
    assert body["code"] == response.status_code == 401
    assert isinstance(body["detailInfo"], str)


# --- vendor clients: another vendor's order, a shared order, an order of their own ------------------------------

VENDOR_A_SCOPES = ["order.order_manage_by_vendor", "pickpack.pickpack_view", "pickpack.pickpack_manage"]
B_ONLY_NAME, SHARED_NAME, A_ONLY_NAME = "b_only", "shared", "a_only"


def with_entry_amount(document: dict, vendor: str, amount: int) -> dict:
    """The document's entries, with the amount of `vendor`'s entries changed."""
    entries = copy.deepcopy(document["entries"])
    for entry in entries:
        if entry["product"]["vendor"]["id"] == vendor:
            entry["amount"] = amount
    return {"entries": entries}


def first_entry_of(document: dict, vendor: str | None) -> str:
    entries = document["entries"]
    return next(
        (entry["id"] for entry in entries if vendor is None or entry["product"]["vendor"]["id"] == vendor),
        entries[0]["id"],
    )


@dataclass(frozen=True)
class VendorCase:
    """An operation of a vendor-a client on each kind of order, with the status each must answer."""

    name: str
    method: str
    path: str
    body: Callable[[dict], Any] | None  # from the order's stored document
    expected: dict[str, int]  # order kind -> status; kinds left out do not apply
    query: str = ""


VENDOR_CASES = (
    VendorCase("read", "GET", ORDER, None, {B_ONLY_NAME: 404, SHARED_NAME: 200, A_ONLY_NAME: 200}),
    VendorCase("count", "HEAD", ORDER, None, {B_ONLY_NAME: 404, SHARED_NAME: 200, A_ONLY_NAME: 200}),
    VendorCase(
        "replace",
        "PUT",
        ORDER,
        lambda document: {**document, "siteCode": "AT"},
        {B_ONLY_NAME: 404, SHARED_NAME: 403, A_ONLY_NAME: 204},
    ),
    VendorCase(
        "patch customer",
        "PATCH",
        ORDER,
        lambda document: {"customer": {"email": "new@acme.example"}},
        {B_ONLY_NAME: 404, SHARED_NAME: 403, A_ONLY_NAME: 204},
    ),
    VendorCase(
        "patch addresses",
        "PATCH",
        ORDER,
        lambda document: {"billingAddress": {"city": "Hamburg"}, "shippingAddress": {"city": "Hamburg"}},
        {B_ONLY_NAME: 404, SHARED_NAME: 403, A_ONLY_NAME: 204},
    ),
    VendorCase(
        "patch mixins",
        "PATCH",
        ORDER,
        lambda document: {"mixins": {"vendorNote": {"text": "mine"}}},
        {B_ONLY_NAME: 404, SHARED_NAME: 403, A_ONLY_NAME: 204},
    ),
    VendorCase(
        "patch only its own entry's amount",
        "PATCH",
        ORDER,
        lambda document: with_entry_amount(document, VENDOR_A, 5),
        {B_ONLY_NAME: 404, SHARED_NAME: 204, A_ONLY_NAME: 204},
    ),
    VendorCase(
        "patch vendor-b's entry's amount",
        "PATCH",
        ORDER,
        lambda document: with_entry_amount(document, VENDOR_B, 5),
        {B_ONLY_NAME: 404, SHARED_NAME: 403},
    ),
    # vendor clients hold no order.order_delete, order.order_update or order.order_update_completed: the scope
    # check refuses these before the order is looked up
    VendorCase("delete", "DELETE", ORDER, None, {B_ONLY_NAME: 403, SHARED_NAME: 403, A_ONLY_NAME: 403}),
    VendorCase(
        "split",
        "POST",
        ORDER + "/split",
        lambda document: {"splitBy": "VENDOR_ID"},
        {B_ONLY_NAME: 403, SHARED_NAME: 403, A_ONLY_NAME: 403},
    ),
    VendorCase(
        "calculations of its own entry",
        "POST",
        ORDER + "/calculations",
        lambda document: {"entries": [{"entryId": first_entry_of(document, VENDOR_A), "deliveredAmount": 1}]},
        {B_ONLY_NAME: 403, SHARED_NAME: 403, A_ONLY_NAME: 403},
    ),
    VendorCase(
        "transitions", "GET", ORDER + "/transitions", None, {B_ONLY_NAME: 404, SHARED_NAME: 200, A_ONLY_NAME: 200}
    ),
    VendorCase(
        "transition to DECLINED",
        "POST",
        ORDER + "/transitions",
        lambda document: {"status": "DECLINED"},
        {B_ONLY_NAME: 404, SHARED_NAME: 403, A_ONLY_NAME: 204},
    ),
    VendorCase(
        "status history",
        "GET",
        ORDER + "/historical-transitions",
        None,
        {B_ONLY_NAME: 404, SHARED_NAME: 200, A_ONLY_NAME: 200},
    ),
    VendorCase(
        "change its own entry's quantity",
        "POST",
        ORDER + "/entries",
        lambda document: {"entries": [{"entryId": first_entry_of(document, VENDOR_A), "quantity": 2}]},
        {B_ONLY_NAME: 404, SHARED_NAME: 200, A_ONLY_NAME: 200},
        query="?store=true",
    ),
    VendorCase(
        "change vendor-b's entry's quantity",
        "POST",
        ORDER + "/entries",
        lambda document: {"entries": [{"entryId": first_entry_of(document, VENDOR_B), "quantity": 2}]},
        {B_ONLY_NAME: 404, SHARED_NAME: 403},
        query="?store=true",
    ),
    VendorCase(
        "packing event of its own entry",
        "POST",
        EVENTS,
        lambda document: own_event_body(document, VENDOR_A),
        {B_ONLY_NAME: 400, SHARED_NAME: 200, A_ONLY_NAME: 200},
    ),
    VendorCase(
        "packing event of vendor-b's entry",
        "POST",
        EVENTS,
        lambda document: own_event_body(document, VENDOR_B),
        {B_ONLY_NAME: 400, SHARED_NAME: 400},
    ),
)


def own_event_body(document: dict, vendor: str) -> dict:
    entries = document["entries"]
    index = next((n for n, entry in enumerate(entries) if entry["product"]["vendor"]["id"] == vendor), 0)
    order = Order(order_id=document["id"], document=document)
    return event_body(order, event_id=f"evt-vendor-a-{document['id']}-{index}", entry=index)


@pytest.fixture
def vendor_a(world) -> str:
    return bearer(world.token(VENDOR_A_SCOPES, vendor_id=VENDOR_A))


@pytest.mark.parametrize(
    ("case", "kind"),
    [
        pytest.param(case, kind, id=f"{case.name} | {kind}")
        for case in VENDOR_CASES
        for kind in (B_ONLY_NAME, SHARED_NAME, A_ONLY_NAME)
        if kind in case.expected
    ],
)
def test_vendor_client_on_an_order_of_each_kind(world, vendor_a, case, kind):
    # given
    endpoint = Endpoint(case.method, case.path, frozenset(), case.expected[kind], query=case.query)
    document = world.order(kind).document
    before = stored_state()
    # when
    body = case.body(document) if case.body else None
    response = send(world, endpoint, vendor_a, order=kind, body=body)
    # then
    status = case.expected[kind]
    if status >= 400:
        assert_error_shape(response, status, case.method)
        assert stored_state() == before
    else:
        assert response.status_code == status, (response.status_code, response.content[:300])
        others = {key: value for key, value in before["orders"].items() if key[1] != world.orders[kind].order_id}
        assert {key: stored_state()["orders"][key] for key in others} == others
    sent = world.path(case.path, kind) + (documents.dumps(body) if body is not None else "")
    assert_no_leak(response, sent, world.secrets_of_vendor_b_and_other_tenant())


def vendor_a_call(world: World, vendor_a: str, method: str, path: str, body=None):
    return send(world, Endpoint(method, path, frozenset(), 0), vendor_a, body=body)


def test_vendor_lists_hold_only_orders_with_its_entries(world, vendor_a):
    # when
    listed = vendor_a_call(world, vendor_a, "GET", ORDERS)
    counted = vendor_a_call(world, vendor_a, "HEAD", ORDERS)
    searched = vendor_a_call(world, vendor_a, "POST", ORDERS + "/search", {"q": "status:CREATED"})
    # then
    for response in (listed, searched):
        assert response.status_code == 200
        assert sorted(order["id"] for order in documents.loads(response.content)) == [SHARED.order_id, A_ONLY.order_id]
        assert response["X-Total-Count"] == "2"
        assert_no_leak(response, "", world.secrets_of_vendor_b_and_other_tenant())
    assert counted["X-Total-Count"] == "2"


def test_vendor_sees_the_packing_events_of_its_own_entries_only(world, vendor_a):
    # when
    response = vendor_a_call(world, vendor_a, "GET", EVENTS)
    # then
    assert response.status_code == 200
    assert [event["eventId"] for event in documents.loads(response.content)] == VENDOR_A_EVENT_IDS
    assert response["X-Total-Count"] == "1"
    assert_no_leak(response, "", world.secrets_of_vendor_b_and_other_tenant())


@pytest.fixture
def run_jobs(settings, django_capture_on_commit_callbacks):
    """Jobs queued inside the block run when it ends, as a worker would run them after the commit."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_vendor_job_over_another_vendors_order_finds_nothing_and_changes_nothing(world, vendor_a, run_jobs):
    # given
    before = world.order(B_ONLY_NAME)
    # when
    with run_jobs():
        started = vendor_a_call(world, vendor_a, "POST", JOBS, {"jobType": "MANUAL", "orderIds": [B_ONLY.order_id]})
    # then
    assert started.status_code == 200, started.content
    job_id = documents.loads(started.content)["jobId"]
    job = vendor_a_call(world, vendor_a, "GET", JOB.replace("{job_id}", job_id))
    assert documents.loads(job.content)["orders"] == [
        {
            "orderId": B_ONLY.order_id,
            "message": f"Order with id {B_ONLY.order_id} not found.",
            "jobOrderStatus": JobOrderStatus.FAILURE,
        }
    ]
    after = world.order(B_ONLY_NAME)
    assert (after.version, after.document) == (before.version, before.document)
    assert_no_leak(job, B_ONLY.order_id, world.secrets_of_vendor_b_and_other_tenant())


def test_vendor_automatic_job_leaves_other_vendors_orders_alone(world, vendor_a, run_jobs):
    # given a fresh packing event on vendor-b's own order
    post_event(world.tenant, world.order(B_ONLY_NAME), event_id="evt-bonly-8860", entry=0, actor=vendor_actor(VENDOR_B))
    before = world.order(B_ONLY_NAME)
    # when
    with run_jobs():
        started = vendor_a_call(world, vendor_a, "POST", JOBS, {"jobType": "AUTOMATIC"})
    # then
    assert started.status_code == 200, started.content
    job_id = documents.loads(started.content)["jobId"]
    job = documents.loads(vendor_a_call(world, vendor_a, "GET", JOB.replace("{job_id}", job_id)).content)
    assert B_ONLY.order_id not in [row["orderId"] for row in job["orders"]]
    after = world.order(B_ONLY_NAME)
    assert (after.version, after.document) == (before.version, before.document)


def test_vendor_cannot_read_a_job_of_another_vendor(world, vendor_a):
    # when
    response = vendor_a_call(world, vendor_a, "GET", JOB.replace("{job_id}", world.vendor_b_job_id))
    # then
    assert_error_shape(response, 404, "GET")
    assert_no_leak(response, world.vendor_b_job_id, world.secrets_of_vendor_b_and_other_tenant())
