"""Fixtures of the pick-pack tests: pick-pack API sessions, demo orders, packing events, eager tasks."""

import random
from datetime import datetime
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from orders.actors import Actor
from orders.demo import demo_order
from orders.models import Order
from orders.scopes import PICKPACK_MANAGE, PICKPACK_VIEW
from orders.services import create_order
from orders.staff.access import MANAGE_JOBS, VIEW_JOBS, VIEW_ORDERS, VIEW_PACKING_EVENTS
from pickpack import services
from pickpack.models import JobType, RecalculationJob

from ..conftest import ApiSession
from ..staff import PASSWORD, permission

JOB_VIEWER = (VIEW_ORDERS, VIEW_JOBS, VIEW_PACKING_EVENTS)


def pickpack_session(session: ApiSession) -> ApiSession:
    return ApiSession(session.http, session.token, session.tenant, service="pick-pack")


def recalculable_document(rng: random.Random, number: int, now: datetime) -> dict:
    """A demo order that a recalculation job may change: never COMPLETED."""
    return {**demo_order(rng, number, now), "status": "CREATED"}


def create_demo_orders(tenant, count: int, *, seed: int = 6) -> list[Order]:
    rng, now = random.Random(seed), timezone.now()
    actor = Actor(label="test")
    return [
        create_order(tenant=tenant, document=recalculable_document(rng, number, now), actor=actor)
        for number in range(count)
    ]


def event_body(order: Order, *, event_id: str, entry: int = 0, **fields) -> dict:
    """A packing event of one of the order's entries, packing 1 of its unit unless told otherwise."""
    product = order.document["entries"][entry]
    return {
        "eventId": event_id,
        "orderNumber": order.order_id,
        "productId": product["product"]["id"],
        "deliveryCycle": "2025-06-02-11-main",
        "pickedAmount": 1,
        "packedAmount": 1,
        "canceledAmount": 0,
        "supplierId": product["product"]["vendor"]["id"],
        "unit": product["measurementUnit"]["unit"],
        "timestamp": "2025-06-02T09:15:00.000Z",
        "site": "main",
        "bookProduct": True,
    } | fields


def new_job(orders: list[Order]) -> RecalculationJob:
    """A MANUAL job of the orders as its tasks find it once the first one has added its rows."""
    job = services.create_recalculation_job(
        tenant=orders[0].tenant,
        job_type=JobType.MANUAL,
        order_ids=[order.order_id for order in orders],
        actor=Actor(label="test"),
    )
    services.select_job_orders(job)
    return job


def assert_error(response, status: int, error_type: str, field: str | None = None) -> dict:
    """The response is an error in the contract's shape, naming `field` when given."""
    assert response.status_code == status, response
    body = response.json()
    assert (body["status"], body["type"]) == (status, error_type)
    assert body["message"]
    if field is not None:
        assert field in [detail["field"] for detail in body["details"]], body
    return body


@pytest.fixture
def not_queued():
    """Jobs are created but no task is queued: the test runs them itself."""
    with mock.patch.object(services, "enqueue_job") as enqueue:
        yield enqueue


@pytest.fixture
def eager_tasks(settings):
    """Tasks run in the test's process as soon as they are queued."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def pickpack(api_session) -> ApiSession:
    """A pick-pack client of tenant `acme` with both pick-pack scopes."""
    return pickpack_session(api_session([PICKPACK_VIEW, PICKPACK_MANAGE]))


@pytest.fixture
def pickpack_viewer(api_session) -> ApiSession:
    return pickpack_session(api_session([PICKPACK_VIEW]))


@pytest.fixture
def orders(tenant) -> list[Order]:
    """Five priced demo orders of tenant `acme`."""
    return create_demo_orders(tenant, 5)


@pytest.fixture
def order(orders) -> Order:
    return orders[0]


@pytest.fixture
def job_viewer(staff_client) -> Client:
    return staff_client(*JOB_VIEWER, username="watcher")


@pytest.fixture
def job_manager(staff_client) -> Client:
    return staff_client(*JOB_VIEWER, MANAGE_JOBS, username="jobs")


@pytest.fixture
def job_outsider(db, other_tenant) -> Client:
    """A job manager of tenant `globex` only."""
    user = get_user_model().objects.create_user("stranger", "", PASSWORD)
    other_tenant.members.add(user)
    user.user_permissions.add(*(permission(name) for name in (*JOB_VIEWER, MANAGE_JOBS)))
    client = Client()
    client.force_login(user)
    return client
