"""Idempotency-Key on POSTs: a retry gets the first answer without acting again; another request with the same
key gets 422; a retry while the first still runs gets 409."""

from datetime import timedelta
from unittest import mock

import pytest
from django.http import HttpResponse
from django.utils import timezone

from orders import scopes, services
from orders.api import idempotency
from orders.models import IdempotencyKey, Order, OrderEvent
from orders.tasks import prune_idempotency_keys
from pickpack.models import PackingEvent, RecalculationJob

from ..pickpack.conftest import assert_error, create_demo_orders, event_body, pickpack_session
from .test_concurrency import WRITERS, live_api, run_concurrently  # noqa: F401 (live_api: a fixture)

KEY = {"HTTP_IDEMPOTENCY_KEY": "3f1c2a7e-order-create-1"}


def test_a_retried_create_makes_one_order_and_gets_the_first_answer(api, seed_order):
    # when the same create is sent twice with one key
    first = api.post("salesorders", seed_order, **KEY)
    retry = api.post("salesorders", seed_order, **KEY)
    # then one order, and the same answer twice
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Order.objects.count() == 1


def test_the_same_key_with_another_request_is_422_and_acts_not(api, seed_order):
    api.post("salesorders", seed_order, **KEY)
    other = {**seed_order, "siteCode": "AT"}
    assert_error(api.post("salesorders", other, **KEY), 422, "validation_violation")
    assert Order.objects.count() == 1


def test_a_retry_while_the_first_request_runs_is_409(api, seed_order):
    # given the first request has claimed the key and not answered yet
    still_running = mock.patch.object(
        idempotency.IdempotencyMiddleware, "act", side_effect=lambda request, claim: HttpResponse(status=202)
    )
    with still_running:
        api.post("salesorders", seed_order, **KEY)
    assert IdempotencyKey.objects.get().state == IdempotencyKey.State.IN_PROGRESS
    # when it is retried
    response = api.post("salesorders", seed_order, **KEY)
    # then
    assert_error(response, 409, "conflict_resource")
    assert not Order.objects.exists()


def test_a_claim_abandoned_by_a_dead_request_is_taken_again(api, seed_order):
    api.post("salesorders", seed_order, **KEY)
    IdempotencyKey.objects.update(state=IdempotencyKey.State.IN_PROGRESS, created=timezone.now() - timedelta(minutes=2))
    Order.objects.all().delete()  # a dead request committed nothing: its answer commits with its work
    assert api.post("salesorders", seed_order, **KEY).status_code == 201
    assert Order.objects.count() == 1


def test_keys_are_per_client(api, api_session, seed_order):
    other_client = api_session()
    assert api.post("salesorders", seed_order, **KEY).status_code == 201
    assert other_client.post("salesorders", seed_order, **KEY).status_code == 201
    assert Order.objects.count() == 2


def test_a_refused_request_is_answered_the_same_again(api, seed_order):
    invalid = {**seed_order, "currency": "ZZZ"}
    first = api.post("salesorders", invalid, **KEY)
    retry = api.post("salesorders", invalid, **KEY)
    assert first.status_code == retry.status_code == 400
    assert retry.json() == first.json()
    assert not Order.objects.exists()


def test_a_server_error_releases_the_key_so_that_a_retry_acts(api, seed_order):
    with mock.patch.object(services, "_save_new_order", side_effect=RuntimeError("disk on fire")):
        assert api.post("salesorders", seed_order, **KEY).status_code == 500
    assert not IdempotencyKey.objects.exists()
    assert api.post("salesorders", seed_order, **KEY).status_code == 201
    assert Order.objects.count() == 1


def test_an_expired_key_is_new_again_and_pruned_by_the_periodic_task(api, seed_order, settings):
    api.post("salesorders", seed_order, **KEY)
    IdempotencyKey.objects.update(created=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS + 1))
    assert prune_idempotency_keys() == 1
    assert api.post("salesorders", seed_order, **KEY).status_code == 201
    assert Order.objects.count() == 2


def test_a_transition_retried_moves_the_order_once(api, seed_order):
    order_id = api.post("salesorders", {**seed_order, "status": "CREATED"}).json()["id"]
    for _ in range(2):
        assert api.post(f"salesorders/{order_id}/transitions", {"status": "CONFIRMED"}, **KEY).status_code == 204
    assert OrderEvent.objects.filter(order__order_id=order_id, type="STATUS_CHANGED").count() == 1


def test_packing_events_and_jobs_retried_act_once(api_session, tenant):
    pickpack = pickpack_session(api_session([scopes.PICKPACK_MANAGE, scopes.PICKPACK_VIEW]))
    order = create_demo_orders(tenant, 1)[0]
    event = event_body(order, event_id="e-1")
    assert pickpack.post("events", event, **KEY).status_code == 200
    assert pickpack.post("events", event, **KEY).status_code == 200
    job_key = {"HTTP_IDEMPOTENCY_KEY": "job-1"}
    with mock.patch("pickpack.services.enqueue_job"):
        first = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": [order.order_id]}, **job_key)
        retry = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": [order.order_id]}, **job_key)
    assert first.json() == retry.json()
    assert PackingEvent.objects.count() == 1 and RecalculationJob.objects.count() == 1


def test_searching_ignores_the_key(api, seed_order):
    api.post("salesorders", seed_order)
    assert api.post("salesorders/search", {"q": "status:IN_CHECKOUT"}, **KEY).status_code == 200
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize(
    "key",
    ["", '""', '" "', "x" * 256, '"' + "x" * 254 + '"', "schl\N{LATIN SMALL LETTER U WITH DIAERESIS}ssel", "a\tb"],
)
def test_a_malformed_key_is_400(api, seed_order, key):
    assert_error(api.post("salesorders", seed_order, HTTP_IDEMPOTENCY_KEY=key), 400, "validation_violation")
    assert not Order.objects.exists()


def test_a_quoted_key_is_the_same_key(api, seed_order):
    api.post("salesorders", seed_order, HTTP_IDEMPOTENCY_KEY='"abc-1"')
    assert api.post("salesorders", seed_order, HTTP_IDEMPOTENCY_KEY="abc-1").headers["Idempotent-Replayed"] == "true"


def test_concurrent_retries_of_one_create_make_one_order(live_api, seed_order):  # noqa: F811
    # when 8 copies of one create with one key arrive at once
    responses = run_concurrently(
        lambda _: live_api("POST", "salesorders", seed_order, headers={"Idempotency-Key": "k-1"}), range(WRITERS)
    )
    # then one order; every answer is its 201 or a 409 while it ran
    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    assert {response.json()["id"] for response in responses if response.status_code == 201} == {"EON1001"}
    assert Order.objects.count() == 1
