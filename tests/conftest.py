"""Shared fixtures: tenants, API clients with real OAuth2 tokens, and the seed's example order."""

import fcntl
import os
from pathlib import Path

import pytest
from django.test import Client

from orders import documents
from orders.scopes import ALL_SCOPES, VENDOR_SCOPES
from orders.services import create_api_client, create_tenant

from . import emporix
from .staff import hostile_order, manager, order, outsider, staff_client, two_vendor_order, viewer  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"
EVERY_TENANT_SCOPE = [scope for scope in ALL_SCOPES if scope not in VENDOR_SCOPES]


def load_fixture(name: str):
    return documents.loads((FIXTURES / name).read_text())


class ApiResponse:
    def __init__(self, response):
        self.raw = response
        self.status_code = response.status_code
        self.headers = response.headers

    def json(self):
        return documents.loads(self.raw.content)

    def __repr__(self) -> str:
        return f"<ApiResponse {self.status_code} {self.raw.content[:300]!r}>"


class ApiSession:
    """Calls the API over Django's HTTP stack with a real bearer token, like an integration would.

    Every answer is checked against the response schema Emporix's spec documents for it (tests/emporix.py).
    """

    def __init__(self, http: Client, token: str, tenant: str, service: str = "order-v2"):
        self.http, self.token, self.tenant, self.service = http, token, tenant, service

    def url(self, path: str = "", tenant: str | None = None) -> str:
        return f"/{self.service}/{tenant or self.tenant}/{path}".rstrip("/")

    def call(
        self,
        method: str,
        path: str = "",
        json=None,
        *,
        body: str | bytes | None = None,
        tenant: str | None = None,
        content_type: str = "application/json",
        **extra,
    ) -> ApiResponse:
        data = body if body is not None else (documents.dumps(json) if json is not None else "")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        url = self.url(path, tenant)
        response = self.http.generic(method, url, data=data, content_type=content_type, **headers, **extra)
        query = extra.get("QUERY_STRING")
        emporix.check_answer(method, f"{url}?{query}" if query else url, response.status_code, response.content)
        return ApiResponse(response)

    def get(self, path="", **kwargs):
        return self.call("GET", path, **kwargs)

    def head(self, path="", **kwargs):
        return self.call("HEAD", path, **kwargs)

    def post(self, path="", json=None, **kwargs):
        return self.call("POST", path, json, **kwargs)

    def put(self, path="", json=None, **kwargs):
        return self.call("PUT", path, json, **kwargs)

    def patch(self, path="", json=None, **kwargs):
        return self.call("PATCH", path, json, **kwargs)

    def delete(self, path="", **kwargs):
        return self.call("DELETE", path, **kwargs)


def issue_token(http: Client, client_id: str, client_secret: str, scope: str | None = None) -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    if scope:
        form["scope"] = scope
    response = http.post("/oauth/token", form)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture(autouse=True)
def one_real_worker_test_at_a_time(request, tmp_path_factory):
    """`make test` runs the suite in several processes (pytest-xdist), each on a test database of its own, but the
    tests that start real Celery workers share one broker (CELERY_BROKER_URL, Redis db 15 in CI), where a worker would
    take another test's tasks: they wait for each other on a lock file that the processes share."""
    if "PYTEST_XDIST_WORKER" not in os.environ or not request.node.get_closest_marker("integration"):
        yield
        return
    # (xdist's own grouping, --dist loadgroup, renames tests through an attribute pytest 9.2 no longer reads)
    with (tmp_path_factory.getbasetemp().parent / "real-workers.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Client secrets and passwords are hashed with PBKDF2 in production; tests need no such cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_order() -> dict:
    """The POST body of the seed page's order creation example (order EON2076)."""
    return load_fixture("seed_order.json")


@pytest.fixture
def tenant(db):
    return create_tenant(name="acme")


@pytest.fixture
def other_tenant(db):
    return create_tenant(name="globex")


@pytest.fixture
def api_session(db, client, tenant):
    """Makes an ApiSession for a new API client with the given scopes (and vendor)."""

    def make(scopes=EVERY_TENANT_SCOPE, *, for_tenant=None, vendor_id: str = "") -> ApiSession:
        owner = for_tenant or tenant
        api_client, secret = create_api_client(tenant=owner, scopes=list(scopes), vendor_id=vendor_id)
        token = issue_token(client, api_client.application.client_id, secret)
        return ApiSession(Client(), token, owner.name)

    return make


@pytest.fixture
def api(api_session) -> ApiSession:
    """A client of tenant `acme` with every non-vendor scope."""
    return api_session()
