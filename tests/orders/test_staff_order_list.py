"""The staff order list: filters, the q box, sorting, paging, htmx partials and the CSV export."""

# The shared staff fixtures live in test_staff_pages (no conftest of ours here); imported, they shadow.

import csv
import io
import random
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from orders.actors import Actor
from orders.demo import demo_order
from orders.services import create_order

from ..staff import assert_inert, assert_login_redirect

LIST = "/staff/acme/orders/"
EXPORT = "/staff/acme/orders.csv"
HTMX = {"HX-Request": "true"}
ORDER_LINK = re.compile(r'href="/staff/acme/orders/(EON\d+)/"')


@pytest.fixture
def orders(tenant):
    """30 demo orders of varied statuses, sites, vendors and totals, created over the last two years."""
    rng, now = random.Random(7), timezone.now()
    return [create_order(tenant=tenant, document=demo_order(rng, n, now), actor=Actor(label="test")) for n in range(30)]


def order_ids_in(response) -> list[str]:
    """The orders the page links to, in page order."""
    return ORDER_LINK.findall(response.content.decode())


def export_rows(response) -> list[dict]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


# --- access -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, EXPORT])
def test_order_pages_need_login(client, tenant, url):
    assert_login_redirect(client.get(url))


@pytest.mark.parametrize("url", [LIST, EXPORT])
def test_order_pages_need_the_view_permission(staff_client, url):
    assert staff_client().get(url).status_code == 403


@pytest.mark.parametrize("url", [LIST, EXPORT])
def test_order_pages_of_another_tenant_are_404(outsider, tenant, url):
    assert outsider.get(url).status_code == 404


# --- listing ----------------------------------------------------------------------------------------------------


def test_list_shows_newest_first_and_pages_by_25(viewer, orders):
    # when
    first, second = viewer.get(LIST), viewer.get(LIST, {"page": 2})
    # then
    newest = sorted(orders, key=lambda order: order.created, reverse=True)
    assert order_ids_in(first) == [order.order_id for order in newest[:25]]
    assert order_ids_in(second) == [order.order_id for order in newest[25:]]
    assert "Orders 1\N{EN DASH}25 of 30" in first.content.decode()


def test_list_filters_by_status_site_and_total(viewer, orders):
    # given
    expected = [
        o.order_id for o in orders if o.status == "CREATED" and o.site_code == "DE" and 50 <= o.total_gross <= 2000
    ]
    # when
    response = viewer.get(LIST, {"status": "CREATED", "site": "DE", "total_min": "50", "total_max": "2000"})
    # then
    assert response.status_code == 200
    assert sorted(order_ids_in(response)) == sorted(expected)


def test_list_filters_by_customer_email_or_id(viewer, orders):
    target = orders[3]
    assert order_ids_in(viewer.get(LIST, {"customer": target.customer_email})) == [target.order_id]
    assert target.order_id in order_ids_in(viewer.get(LIST, {"customer": target.customer_id}))


def test_list_filters_by_vendor_of_the_entries(viewer, orders):
    expected = {o.order_id for o in orders if o.entry_rows.filter(vendor_id="vendor-dairy").exists()}
    assert set(order_ids_in(viewer.get(LIST, {"vendor": "vendor-dairy"}))) == expected


def test_list_filters_by_creation_date(viewer, orders):
    # given
    day = orders[0].created.date()
    expected = {o.order_id for o in orders if o.created.date() >= day - timedelta(days=30) and o.created.date() <= day}
    # when
    response = viewer.get(LIST, {"created_from": str(day - timedelta(days=30)), "created_until": str(day)})
    # then
    assert set(order_ids_in(response)) == expected


def test_list_q_box_uses_the_api_query_language(viewer, orders):
    expected = {o.order_id for o in orders if o.status in ("SHIPPED", "COMPLETED")}
    response = viewer.get(LIST, {"q": "status:(SHIPPED,COMPLETED)"})
    assert set(order_ids_in(response)) == expected


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [("total", "total_gross", False), ("-total", "total_gross", True), ("id", "order_id", False)],
)
def test_list_sorts_by_a_column(viewer, orders, sort, key, reverse):
    response = viewer.get(LIST, {"sort": sort, "page": 1})
    expected = sorted(orders, key=lambda order: (getattr(order, key), order.order_id), reverse=reverse)
    ids = order_ids_in(response)
    assert [getattr(next(o for o in orders if o.order_id == i), key) for i in ids] == [
        getattr(o, key) for o in expected[:25]
    ]
    assert 'aria-sort="' in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "status:((("},
        {"q": 'created:>"not a date"'},
        {"created_from": "yesterday"},
        {"total_min": "abc"},
        {"total_min": "10", "total_max": "5"},
        {"status": "LOST"},
        {"sort": "password"},
    ],
)
def test_bad_filters_answer_400_with_what_to_fix_and_no_results(viewer, orders, params):
    response = viewer.get(LIST, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The filters need fixing" in html
    assert "No orders match" not in html  # nothing was searched
    assert order_ids_in(response) == []


def test_bad_q_names_the_problem(viewer, orders):
    html = viewer.get(LIST, {"q": "status:((("}).content.decode()
    assert "Invalid query parameter q" in html


@pytest.mark.parametrize("page", ["abc", "0", "9999", "-1"])
def test_odd_page_numbers_show_a_page(viewer, orders, page):
    assert viewer.get(LIST, {"page": page}).status_code == 200


def test_htmx_request_gets_only_the_results_partial(viewer, orders):
    # when
    response = viewer.get(LIST, {"status": "CREATED"}, headers=HTMX)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'role="search"' not in html  # the filter form stays as the person left it
    assert 'id="order-results-status" hx-swap-oob="innerHTML"' in html
    assert "<table" in html


def test_htmx_history_restore_gets_the_whole_page(viewer, orders):
    response = viewer.get(LIST, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_list_escapes_customer_text(viewer, hostile_order):
    assert_inert(viewer.get(LIST).content.decode())


def test_list_query_count_does_not_grow_with_the_page(viewer, orders, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = viewer.get(LIST)
    assert response.status_code == 200
    assert len(order_ids_in(response)) == 25  # a full page


# --- CSV export -------------------------------------------------------------------------------------------------


def test_export_streams_the_filtered_orders(viewer, orders):
    # when
    response = viewer.get(EXPORT, {"status": "CREATED"})
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="acme-orders.csv"' in response["Content-Disposition"]
    rows = export_rows(response)
    assert sorted(row["orderId"] for row in rows) == sorted(o.order_id for o in orders if o.status == "CREATED")
    assert {row["status"] for row in rows} == {"CREATED"}
    first = next(o for o in orders if o.order_id == rows[0]["orderId"])
    assert rows[0]["totalGross"] == str(first.total_gross)


def test_export_defuses_spreadsheet_formulas(viewer, tenant, seed_order):
    # given
    seed_order["customer"]["email"] = "=HYPERLINK(1)"
    create_order(tenant=tenant, document=seed_order, actor=Actor(label="test"))
    # when
    rows = export_rows(viewer.get(EXPORT))
    # then
    assert rows[0]["customerEmail"] == "'=HYPERLINK(1)"


def test_export_with_bad_filters_goes_back_to_the_list(viewer, orders):
    response = viewer.get(EXPORT, {"q": "status:((("})
    assert response.status_code == 302
    assert response["Location"].startswith(LIST + "?q=")
