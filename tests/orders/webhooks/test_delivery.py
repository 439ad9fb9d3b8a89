"""Deliveries over real HTTP to a receiver on 127.0.0.1: signed, retried with the same id, in order per order."""

import re
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from django.utils import timezone

from orders.actors import Actor
from orders.services import create_order, patch_order, transition_order
from orders.webhooks import services, tasks
from orders.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from pickpack.models import JobType
from pickpack.services import create_recalculation_job

from ...pickpack.conftest import create_demo_orders
from .conftest import expected_signature

ACTOR = Actor(label="test")


def delivery_of(event_type: str, order_id: str | None = None) -> WebhookDelivery:
    deliveries = WebhookDelivery.objects.filter(event__type=event_type)
    if order_id:
        deliveries = deliveries.filter(subject=f"order:{order_id}")
    return deliveries.get()


def attempt_codes(delivery: WebhookDelivery) -> list[int | None]:
    return list(delivery.attempt_log.order_by("pk").values_list("status_code", flat=True))


def make_due(delivery: WebhookDelivery) -> None:
    """Time passes: its next attempt is due now."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_a_delivery_failing_twice_arrives_on_the_third_try_with_the_same_id_and_a_valid_signature(
    api, seed_order, receiver, subscribed
):
    # given
    _, secret = subscribed
    receiver.answer(500, 500)
    # when: the order is created over the API; its event is sent once the write commits
    order_id = api.post("salesorders", seed_order).json()["id"]
    # then
    first, second, third = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == third.headers["webhook-id"]
    assert first.headers["webhook-id"].startswith("msg_")
    assert first.body == second.body == third.body
    for received in (first, second, third):
        assert received.headers["webhook-signature"] == expected_signature(secret, received)
        assert abs(int(received.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
        assert received.headers["content-type"] == "application/json"
    body = third.json()
    assert body["type"] == "order.created"
    assert body["data"]["id"] == order_id
    assert body["timestamp"].endswith("Z")
    delivery = delivery_of("order.created")
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 3, 200)
    assert attempt_codes(delivery) == [500, 500, 200]
    assert all(attempt.duration_ms < 2000 for attempt in delivery.attempt_log.all())


@pytest.mark.django_db(transaction=True)
def test_a_signature_made_with_another_secret_does_not_verify(api, seed_order, receiver, subscribed):
    # given
    endpoint, secret = subscribed
    # when
    api.post("salesorders", seed_order)
    new_secret = services.rotate_secret(endpoint=endpoint)
    services.redeliver(tenant=endpoint.tenant, delivery_id=delivery_of("order.created").pk)
    # then: the redelivery keeps its id and is signed with the new secret only
    before, after = receiver.requests
    assert before.headers["webhook-id"] == after.headers["webhook-id"]
    assert before.headers["webhook-signature"] == expected_signature(secret, before)
    assert after.headers["webhook-signature"] == expected_signature(new_secret, after)
    assert after.headers["webhook-signature"] != expected_signature(secret, after)


def test_events_of_one_order_arrive_in_order_while_other_orders_go_on(
    tenant, seed_order, receiver, subscribed, settings, django_capture_on_commit_callbacks
):
    # given: retries wait a minute, and the endpoint fails once
    settings.WEBHOOKS_RETRY_FIRST_DELAY_SECONDS = 60
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        first = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=ACTOR)
    created = delivery_of("order.created", first.order_id)
    assert created.status == DeliveryStatus.PENDING and created.next_attempt_at > timezone.now()
    # when: the order changes twice while its first event waits for its retry, and another order is created
    with django_capture_on_commit_callbacks(execute=True):
        patch_order(tenant=tenant, order_id=first.order_id, patch={"customer": {"email": "a@x.io"}}, actor=ACTOR)
    with django_capture_on_commit_callbacks(execute=True):
        transition_order(tenant=tenant, order_id=first.order_id, status="CONFIRMED", actor=ACTOR)
    with django_capture_on_commit_callbacks(execute=True):
        other = create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    # then: the first order's later events wait; the other order's event is not held up
    assert [(r.json()["type"], r.json()["data"]["id"]) for r in receiver.requests] == [
        ("order.created", first.order_id),
        ("order.created", other.order_id),
    ]
    assert delivery_of("order.updated", first.order_id).attempts == 0
    # when: the retry is due and succeeds
    make_due(created)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.deliver_webhook(created.pk)
    # then: the waiting events follow, in the order they happened
    assert [(r.json()["type"], r.json()["data"]["id"]) for r in receiver.requests[2:]] == [
        ("order.created", first.order_id),
        ("order.updated", first.order_id),
        ("order.status_changed", first.order_id),
    ]
    assert not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists()


def test_a_delivery_whose_retries_ran_out_is_failed_and_the_next_one_goes(
    tenant, seed_order, receiver, subscribed, settings, django_capture_on_commit_callbacks
):
    # given: no retry fits in the retry period
    settings.WEBHOOKS_RETRY_FIRST_DELAY_SECONDS = 60
    settings.WEBHOOKS_RETRY_FOR_SECONDS = 30
    receiver.answer(503)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        order = create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    with django_capture_on_commit_callbacks(execute=True):
        patch_order(tenant=tenant, order_id=order.order_id, patch={"customer": {"email": "a@x.io"}}, actor=ACTOR)
    # then
    created, updated = delivery_of("order.created"), delivery_of("order.updated")
    assert (created.status, created.last_status_code, created.finished_at is not None) == ("FAILED", 503, True)
    assert (updated.status, updated.last_status_code) == ("DELIVERED", 200)


def test_backoff_starts_within_30_seconds_grows_and_gives_up_after_a_day(settings):
    # given: the production defaults
    settings.WEBHOOKS_RETRY_FIRST_DELAY_SECONDS = 15
    settings.WEBHOOKS_RETRY_BACKOFF_FACTOR = 4
    settings.WEBHOOKS_RETRY_MAX_DELAY_SECONDS = 6 * 3600
    settings.WEBHOOKS_RETRY_FOR_SECONDS = 24 * 3600
    queued = now = timezone.now()
    delays = []
    # when: every attempt fails
    while (delay := services.retry_delay(len(delays) + 1, queued_at=queued, now=now)) is not None:
        delays.append(delay)
        now += delay
    # then
    assert timedelta(seconds=13) <= delays[0] <= timedelta(seconds=15)
    assert all(later > earlier for earlier, later in pairwise(delays[:5]))
    assert max(delays) <= timedelta(hours=6)
    assert timedelta(hours=18) < now - queued <= timedelta(hours=24)
    assert 8 <= len(delays) + 1 <= 12  # attempts in all


def test_redirects_are_not_followed(tenant, seed_order, receiver, subscribed, django_capture_on_commit_callbacks):
    # given
    receiver.answer(302)
    receiver.headers_to_send = {"Location": "http://127.0.0.1:1/elsewhere"}
    # when
    with django_capture_on_commit_callbacks(execute=True):
        create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    # then: the 302 counts as a failure, and the retry goes to the endpoint again
    assert [received.path for received in receiver.requests] == ["/hooks", "/hooks"]
    assert attempt_codes(delivery_of("order.created")) == [302, 200]


def test_only_an_excerpt_of_the_answer_is_kept(
    tenant, seed_order, receiver, subscribed, django_capture_on_commit_callbacks
):
    # given
    receiver.answer_body = b"x" * 100_000
    # when
    with django_capture_on_commit_callbacks(execute=True):
        create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    # then
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.response_excerpt == "x" * 500


def test_an_endpoint_that_does_not_answer_in_time_fails_the_attempt(
    tenant, seed_order, receiver, subscribed, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.3
    settings.WEBHOOKS_RETRY_FIRST_DELAY_SECONDS = 60
    receiver.hold.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    receiver.hold.set()
    # then
    delivery = delivery_of("order.created")
    assert delivery.status == DeliveryStatus.PENDING
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert "timed out" in attempt.error.lower() or "timeout" in attempt.error.lower()
    assert 250 <= attempt.duration_ms < 2000


def test_a_redelivery_sends_a_delivered_event_again_with_its_id(
    tenant, seed_order, receiver, subscribed, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    delivery = delivery_of("order.created")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.redeliver(tenant=delivery.endpoint.tenant, delivery_id=delivery.pk)
    # then
    first, again = receiver.requests
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert first.body == again.body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, attempt_codes(delivery)) == ("DELIVERED", 1, [200, 200])


def test_a_disabled_endpoints_pending_deliveries_wait_and_go_when_it_is_enabled(
    tenant, seed_order, receiver, subscribed, settings, django_capture_on_commit_callbacks
):
    # given: a delivery waits for its retry when the endpoint is disabled
    endpoint, _ = subscribed
    settings.WEBHOOKS_RETRY_FIRST_DELAY_SECONDS = 60
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    services.set_endpoint_active(endpoint=endpoint, active=False)
    delivery = delivery_of("order.created")
    make_due(delivery)
    # when
    tasks.deliver_webhook(delivery.pk)
    assert len(receiver.requests) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.set_endpoint_active(endpoint=endpoint, active=True)
    # then
    assert len(receiver.requests) == 2
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_recalculation_job_finished_is_sent_when_a_job_ends(
    tenant, receiver, endpoint_of, django_capture_on_commit_callbacks
):
    # given
    endpoint_of(receiver.url, events=("recalculation_job.finished",))
    orders = create_demo_orders(tenant, 3)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        job = create_recalculation_job(
            tenant=tenant, job_type=JobType.MANUAL, order_ids=[o.order_id for o in orders] + ["NOPE"], actor=ACTOR
        )
    # then
    [received] = receiver.requests
    body = received.json()
    assert body["type"] == "recalculation_job.finished"
    data = body["data"]
    assert (data["id"], data["jobType"], data["jobStatus"]) == (job.job_id, "MANUAL", "FAILURE")
    assert data["orders"] == {"total": 4, "success": 3, "failure": 1}
    assert data["finishedAt"] >= data["startedAt"]


# --- a killed worker loses no event -----------------------------------------------------------------------------


def test_a_pending_delivery_whose_task_never_ran_is_queued_again_by_the_sweep_and_delivered(
    tenant, seed_order, receiver, subscribed, settings, django_capture_on_commit_callbacks
):
    # given: the event was written, but its task was lost (the worker died before it ran it)
    settings.WEBHOOKS_SWEEP_SECONDS = 30
    order = create_order(tenant=tenant, document=seed_order, actor=ACTOR)  # its on-commit queuing never runs
    delivery = delivery_of("order.created")
    assert receiver.requests == []
    # when: a worker starts soon after: the delivery may still be in the queue, so it is left alone
    tasks.sweep()
    assert receiver.requests == []
    # when: after two sweeps' time it is taken for lost
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=2))
    tasks.sweep()
    # then
    [received] = receiver.requests
    assert received.json()["data"]["id"] == order.order_id
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_delivery_whose_worker_died_while_sending_is_sent_again_once_its_lease_expires(
    tenant, seed_order, receiver, subscribed, django_capture_on_commit_callbacks
):
    # given: a worker took the delivery (its lease runs) and died before it recorded anything
    create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    delivery = delivery_of("order.created")
    taken_at = timezone.now() - timedelta(minutes=5)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=taken_at, lease_until=timezone.now() + timedelta(seconds=30)
    )
    # when: the sweep runs while the lease holds
    assert services.requeue_due_deliveries(stale_for=timedelta(minutes=1)) == []
    tasks.deliver_webhook(delivery.pk)  # the broker handed the task out again
    assert receiver.requests == []
    # when: the lease expired
    WebhookDelivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert services.requeue_due_deliveries(stale_for=timedelta(minutes=1)) == [delivery.pk]
    # then
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)


def test_the_sweep_queues_only_the_first_of_each_line(tenant, seed_order, receiver, subscribed, monkeypatch):
    # given: three events of one order and one of another, none queued
    first = create_order(tenant=tenant, document={**seed_order, "status": "CREATED"}, actor=ACTOR)
    patch_order(tenant=tenant, order_id=first.order_id, patch={"customer": {"email": "a@x.io"}}, actor=ACTOR)
    transition_order(tenant=tenant, order_id=first.order_id, status="CONFIRMED", actor=ACTOR)
    second = create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    queued = []
    monkeypatch.setattr(tasks, "enqueue_delivery", lambda delivery_id, after=None: queued.append(delivery_id))
    # when
    services.requeue_due_deliveries(stale_for=timedelta(0))
    # then
    assert sorted(queued) == sorted(
        [delivery_of("order.created", first.order_id).pk, delivery_of("order.created", second.order_id).pk]
    )


def test_the_verification_shown_in_the_integration_guide_accepts_a_delivery(
    tenant, seed_order, receiver, subscribed, django_capture_on_commit_callbacks
):
    # given: the guide's Python example
    guide = (Path(__file__).resolve().parents[3] / "docs" / "integrations.md").read_text()
    example = {}
    exec(re.search(r"```python\n(.*?)```", guide, re.DOTALL).group(1), example)
    _, secret = subscribed
    # when
    with django_capture_on_commit_callbacks(execute=True):
        create_order(tenant=tenant, document=seed_order, actor=ACTOR)
    # then
    [received] = receiver.requests
    assert example["verify"](secret, received.headers, received.body)
    assert not example["verify"](services.rotate_secret(endpoint=subscribed[0]), received.headers, received.body)
    assert not example["verify"](secret, received.headers, received.body + b" ")
