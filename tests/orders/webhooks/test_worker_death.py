"""A worker killed while it sends an event loses no event: another worker sends it again, with the same webhook-id.

Real `celery -A config worker` processes on the test database and a real broker (CELERY_BROKER_URL when set, else
the embedded transport on a file of the test's own); data is committed so that the workers see it.
"""

import os
import time

import pytest

from config.celery import app as celery_app
from orders.actors import Actor
from orders.services import create_order
from orders.webhooks.models import DeliveryStatus, WebhookDelivery

from ...pickpack.workers import CeleryWorker, database_url_for_workers
from .conftest import expected_signature

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60
# An attempt is cut off after 3 timeouts; its lease lasts that and 10 s more: the wait for the second worker.
DELIVERY_TIMEOUT_SECONDS = "1"


@pytest.fixture
def broker_url(settings, tmp_path) -> str:
    url = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app._after_fork()  # Celery keeps the pool of the broker it first published to
    yield url
    celery_app._after_fork()


@pytest.fixture
def start_worker(broker_url, tmp_path):
    workers = []
    environment = {
        "DATABASE_URL": database_url_for_workers(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEBHOOKS_ALLOW_PRIVATE_URLS": "true",
        "WEBHOOKS_TIMEOUT_SECONDS": DELIVERY_TIMEOUT_SECONDS,
        "WEBHOOKS_SWEEP_SECONDS": "1",
    }

    def start(name: str) -> CeleryWorker:
        worker = CeleryWorker(name, tmp_path / f"{name}.log", environment, concurrency=1)
        workers.append(worker)
        return worker.wait_ready()

    yield start
    for worker in workers:
        worker.kill()


def wait_for(condition, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_worker_killed_while_sending_loses_no_event(tenant, seed_order, receiver, subscribed, start_worker):
    # given: a worker, and an endpoint that takes its time to answer
    _, secret = subscribed
    first_worker = start_worker("first")
    receiver.hold.clear()
    # when: an order is created, the worker sends its event, and is killed while it waits for the answer
    order = create_order(tenant=tenant, document=seed_order, actor=Actor(label="test"))
    wait_for(lambda: len(receiver.requests) == 1, "the first worker's request")
    first_worker.kill()
    receiver.hold.set()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
    # then: another worker sends it again once the dead worker's lease ran out
    second_worker = start_worker("second")
    wait_for(
        lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.DELIVERED).exists(),
        f"the delivery by the second worker:\n{second_worker.log_tail()}",
    )
    lost, delivered = receiver.requests
    assert lost.headers["webhook-id"] == delivered.headers["webhook-id"]
    assert delivered.headers["webhook-signature"] == expected_signature(secret, delivered)
    assert delivered.json()["data"]["id"] == order.order_id
    delivery.refresh_from_db()
    assert (delivery.attempts, list(delivery.attempt_log.values_list("status_code", flat=True))) == (1, [200])
