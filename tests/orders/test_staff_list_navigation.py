"""The order list's filters survive navigation: chips, the breadcrumb back from an order, Back (htmx history), and
filters that need fixing shown as such rather than as an empty result."""

import html as html_module

import pytest

from orders.staff.access import VIEW_ORDERS

from .test_staff_order_list import HTMX, LIST


@pytest.fixture
def order_page(order) -> str:
    return f"/staff/acme/orders/{order.order_id}/"


def breadcrumb_href(html: str) -> str:
    start = html.index('<nav class="breadcrumbs"')
    href = html[start:].split('href="', 1)[1].split('"', 1)[0]
    return html_module.unescape(href)


def test_the_breadcrumb_of_an_order_leads_back_to_the_list_as_filtered(viewer, order_page):
    # given
    viewer.get(LIST, {"status": "CREATED", "search": "eon", "sort": "-total", "page": "1"})
    # when
    html = viewer.get(order_page).content.decode()
    # then
    assert breadcrumb_href(html) == f"{LIST}?status=CREATED&search=eon&sort=-total&page=1"


def test_the_breadcrumb_follows_the_latest_filters_including_htmx_ones(viewer, order_page):
    viewer.get(LIST, {"status": "CREATED"})
    viewer.get(LIST, {"search": "smith"}, headers=HTMX)
    assert breadcrumb_href(viewer.get(order_page).content.decode()) == f"{LIST}?search=smith"


def test_without_a_list_seen_the_breadcrumb_is_the_plain_list(viewer, order_page):
    assert breadcrumb_href(viewer.get(order_page).content.decode()) == LIST


def test_the_breadcrumb_stays_on_this_site_whatever_the_query(viewer, order_page):
    viewer.get(LIST, {"next": "//evil.example/", "search": '"><script>'})
    href = breadcrumb_href(viewer.get(order_page).content.decode())
    assert href.startswith(f"{LIST}?")
    assert "<script>" not in viewer.get(order_page).content.decode()


def test_filters_are_remembered_per_tenant(staff_client, tenant, other_tenant, order_page):
    # given a member of both tenants
    client = staff_client(VIEW_ORDERS)
    other_tenant.members.add(*tenant.members.all())
    client.get("/staff/globex/orders/", {"status": "DECLINED"})
    # then
    assert breadcrumb_href(client.get(order_page).content.decode()) == LIST


def test_active_filters_show_as_chips_each_removing_itself(viewer, order_page):
    # when
    html = viewer.get(LIST, {"status": "IN_CHECKOUT", "site": "DE", "search": "smith", "sort": "id"}).content.decode()
    # then
    assert "Status: <strong>In checkout</strong>" in html
    assert "Site code: <strong>DE</strong>" in html
    assert "Search: <strong>smith</strong>" in html
    assert 'href="?site=DE&amp;search=smith&amp;sort=id"' in html  # without the status, the sort kept
    assert 'aria-label="Remove the filter Status: In checkout"' in html
    assert "Sort: " not in html  # the sort is no filter


def test_no_chips_without_filters(viewer, order_page):
    assert 'class="chips"' not in viewer.get(LIST, {"site": "", "sort": "id"}).content.decode()


def test_a_q_syntax_error_shows_the_error_not_an_empty_result(viewer, order_page):
    # when
    for response in (viewer.get(LIST, {"q": "status:((("}), viewer.get(LIST, {"q": "status:((("}, headers=HTMX)):
        # then
        html = response.content.decode()
        assert response.status_code == 400
        assert "The filters need fixing" in html
        assert "No orders match" not in html and "<table" not in html
        assert "Export CSV" not in html


def test_the_page_restored_from_history_renders_the_form_from_the_url(viewer, order_page):
    # when htmx asks for the page on Back (it keeps no snapshot of it)
    response = viewer.get(
        LIST, {"search": "smith", "status": "IN_CHECKOUT"}, headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    # then
    html = response.content.decode()
    assert 'hx-history="false"' in html
    assert 'name="search" value="smith"' in html
    assert '<option value="IN_CHECKOUT" selected>' in html
