"""The order list as an order desk uses it, in a real browser: search, a bulk status change, and filters that
survive Back and the breadcrumb."""

import random
import re

import pytest
from django.utils import timezone

from orders.actors import Actor
from orders.demo import demo_order
from orders.models import Order
from orders.services import create_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def orders(tenant) -> list[Order]:
    """Ten demo orders, the first four CREATED and the others IN_CHECKOUT."""
    rng, now = random.Random(5), timezone.now()
    documents = [demo_order(rng, number, now) for number in range(10)]
    for index, document in enumerate(documents):
        document["status"] = "CREATED" if index < 4 else "IN_CHECKOUT"
    return [create_order(tenant=tenant, document=document, actor=Actor(label="test")) for document in documents]


def listed_ids(page) -> list[str]:
    return page.locator("#order-results tbody td:nth-child(2) a").all_inner_texts()


def test_search_finds_an_order_by_part_of_its_email_as_you_type(page, signed_in, orders):
    # given
    wanted = orders[6]
    part = wanted.customer_email.split("@")[0].upper()  # "ANNA.6": any case, part of the address
    page.goto(signed_in("/staff/acme/orders/"))
    # when
    page.get_by_label("Search").press_sequentially(part, delay=20)
    # then
    page.wait_for_url(re.compile(r"search=" + re.escape(part)))
    page.get_by_text("Orders 1\N{EN DASH}1 of 1").wait_for()
    assert listed_ids(page) == [wanted.order_id]
    assert " ".join(page.locator(".chip").first.inner_text().split()) == f"Search: {part} \N{MULTIPLICATION SIGN}"


def test_confirm_two_ticked_orders_at_once(page, signed_in, orders):
    # given
    page.goto(signed_in("/staff/acme/orders/?status=CREATED"))
    first, second = listed_ids(page)[:2]
    # when
    page.get_by_label(f"Select {first}").check()
    page.get_by_label(f"Select {second}").check()
    page.get_by_text("2 selected on this page").wait_for()
    page.get_by_label("Set the selected orders to").select_option("CONFIRMED")
    page.get_by_role("button", name="Change status").click()
    # then
    page.get_by_role("heading", name="2 confirmed.").wait_for()
    assert "status=CREATED" in page.url  # back on the list as it was filtered
    assert set(Order.objects.filter(status="CONFIRMED").values_list("order_id", flat=True)) == {first, second}


def test_back_and_the_breadcrumb_keep_the_filters(page, signed_in, orders):
    # given the list filtered twice through htmx
    page.goto(signed_in("/staff/acme/orders/"))
    page.get_by_label("Status").select_option("CREATED")
    page.wait_for_url(re.compile(r"status=CREATED"))
    page.locator("#id_site").fill(orders[0].site_code)
    page.locator("#id_site").press("Enter")
    page.wait_for_url(re.compile(r"site="))
    # when Back undoes the second filter
    page.go_back()
    page.wait_for_url(re.compile(r"status=CREATED$"))
    # then the page comes back from the server: the results and the form as the URL says
    page.locator(".chip", has_text="Site code").wait_for(state="detached")
    assert page.locator("#id_site").input_value() == ""
    assert page.locator("#id_status").input_value() == "CREATED"
    assert page.get_by_text("Orders 1\N{EN DASH}4 of 4").is_visible()
    # when an order is opened, and the breadcrumb leads back
    page.get_by_role("link", name=listed_ids(page)[0], exact=True).click()
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="Orders").click()
    # then
    page.wait_for_url(re.compile(r"/staff/acme/orders/\?status=CREATED$"))
    assert page.locator("#id_status").input_value() == "CREATED"


def test_a_query_that_does_not_parse_shows_the_error_instead_of_results(page, signed_in, orders):
    page.goto(signed_in("/staff/acme/orders/"))
    page.get_by_label("Query").fill("status:(((")
    page.get_by_label("Query").press("Enter")
    page.get_by_role("heading", name="The filters need fixing").wait_for()
    assert page.get_by_text("No orders match").count() == 0
    assert page.locator("#order-results table").count() == 0
