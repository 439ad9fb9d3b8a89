"""The staff back office in a real browser: sign in, filter, confirm, record deliveries, split, watch a job."""

import random
import re
from pathlib import Path

import pytest
from django.utils import timezone

from orders.actors import Actor
from orders.demo import demo_order
from orders.models import Order
from orders.services import create_order
from pickpack import services as pickpack_services
from pickpack.models import RecalculationJob

pytestmark = pytest.mark.django_db(transaction=True)
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture
def orders(tenant) -> list[Order]:
    """Twelve demo orders, the first four (and maybe others) CREATED."""
    rng, now = random.Random(11), timezone.now()
    documents = [demo_order(rng, number, now) for number in range(12)]
    for document in documents[:4]:
        document["status"] = "CREATED"
    return [create_order(tenant=tenant, document=document, actor=Actor(label="test")) for document in documents]


def expect_text(page, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for()


def test_sign_in_and_filter_the_order_list(page, signed_in, orders):
    # when
    page.get_by_role("link", name="Orders", exact=True).click()
    page.get_by_label("Status").select_option("CREATED")
    page.wait_for_url(re.compile(r"status=CREATED"))
    # then
    created = sum(order.status == "CREATED" for order in orders)
    expect_text(page, f"Orders 1\N{EN DASH}{created} of {created}")
    statuses = page.locator("#order-results tbody .status").all_inner_texts()
    assert statuses == ["Created"] * created
    assert "site=" not in page.url  # empty filters stay out of the URL


def test_open_an_order_and_confirm_it(page, signed_in, orders):
    # given
    order = next(order for order in orders if order.status == "CREATED")
    page.goto(signed_in("/staff/acme/orders/?status=CREATED"))
    # when
    page.get_by_role("link", name=order.order_id, exact=True).click()
    page.get_by_role("link", name="Confirm…").click()
    page.get_by_role("button", name="Yes, confirm").click()
    # then
    expect_text(page, f"Order {order.order_id} is now Confirmed.")
    order.refresh_from_db()
    assert order.status == "CONFIRMED"


def test_change_a_delivered_amount_preview_and_save(page, signed_in, orders):
    # given
    order = orders[0]
    page.goto(signed_in(f"/staff/acme/orders/{order.order_id}/"))
    # when
    page.get_by_role("link", name="Edit delivered amounts…").click()
    page.locator("#id_entries-0-delivered_amount").fill("0")
    page.get_by_role("button", name="Preview").click()
    # then the preview shows the diff, and nothing is saved yet
    page.locator("#delivery-preview tr.changed").first.wait_for()
    assert page.locator("#delivery-preview tr.changed").count() >= 2
    order.refresh_from_db()
    assert order.version == 1
    # when
    page.get_by_role("button", name="Save delivered amounts").click()
    # then
    expect_text(page, f"Delivered amounts of {order.order_id} saved")
    order.refresh_from_db()
    assert order.document["entries"][0]["deliveredAmount"] == 0


def test_split_an_order_by_vendor(page, signed_in, two_vendor_order):
    # given
    page.goto(signed_in(f"/staff/acme/orders/{two_vendor_order.order_id}/"))
    # when
    page.get_by_role("link", name="Split by vendor…").click()
    expect_text(page, "Suborder 3: vendor vendor-dairy")
    page.get_by_role("button", name="Split into 3 suborders").click()
    # then
    expect_text(page, f"Order {two_vendor_order.order_id} was split into")
    two_vendor_order.refresh_from_db()
    first_suborder = two_vendor_order.document["subOrders"][0]
    page.get_by_role("link", name=first_suborder).first.click()
    page.get_by_role("link", name=two_vendor_order.order_id, exact=True).last.wait_for()


def test_start_a_job_and_watch_its_progress(page, signed_in, orders, monkeypatch):
    """The job runs in this thread once the page shows it waiting (no worker): the page's polling sees it finish."""
    # given
    monkeypatch.setattr(pickpack_services, "enqueue_job", lambda job_id: None)
    page.goto(signed_in("/staff/acme/jobs/"))
    # when
    page.get_by_label("Order ids").fill("\n".join(order.order_id for order in orders[:4]))
    page.get_by_role("button", name="Start job").click()
    expect_text(page, "started for 4 orders")
    expect_text(page, "Looking up the 4 requested orders")  # the job's worker looks its ids up first
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "job-waiting.png"))
    job = RecalculationJob.objects.get()
    pickpack_services.run_recalculation_job(job.job_id)
    # then
    expect_text(page, "4 of 4 orders done")
    assert page.locator("#job-live progress").get_attribute("value") == "4"
    assert page.locator("#job-status").inner_text() == "Succeeded"
    assert page.locator("#job-orders .status-success").count() == 4
