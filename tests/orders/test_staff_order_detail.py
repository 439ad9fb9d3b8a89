"""The staff order page and its actions: transitions, delivered amounts with a preview, split with a preview."""

# The shared staff fixtures live in test_staff_pages (no conftest of ours here); imported, they shadow.

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from orders.models import Order, OrderEvent
from orders.staff import MANAGE_ORDERS, VIEW_ORDERS

from ..staff import SCRIPT, assert_inert, assert_login_redirect


def detail_url(order: Order, suffix: str = "") -> str:
    return f"/staff/acme/orders/{order.order_id}/{suffix}"


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def deliveries_form(order: Order, amounts: dict[int, str]) -> dict:
    """The delivered-amounts formset's fields, with the given amounts by entry position."""
    entries = order.document["entries"]
    data = {
        "entries-TOTAL_FORMS": str(len(entries)),
        "entries-INITIAL_FORMS": str(len(entries)),
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": str(len(entries)),
    }
    for index, entry in enumerate(entries):
        data[f"entries-{index}-entry_id"] = entry["id"]
        data[f"entries-{index}-delivered_amount"] = amounts.get(index, "")
    return data


def csrf_client_for(staff_client, url: str) -> tuple[Client, str]:
    """A manager's client that enforces CSRF, and the token a page gave it."""
    client = staff_client(VIEW_ORDERS, MANAGE_ORDERS, csrf_checks=True)
    client.get(url)
    return client, client.cookies["csrftoken"].value


# --- access -----------------------------------------------------------------------------------------------------

PAGES = ["", "transition/?status=CONFIRMED", "deliveries/", "split/"]


@pytest.mark.parametrize("suffix", PAGES)
def test_order_pages_need_login(client, order, suffix):
    assert_login_redirect(client.get(detail_url(order, suffix)))


@pytest.mark.parametrize("suffix", PAGES)
def test_order_pages_need_permission(staff_client, order, suffix):
    assert staff_client().get(detail_url(order, suffix)).status_code == 403


@pytest.mark.parametrize("suffix", PAGES[1:])
def test_action_pages_need_the_manage_permission(viewer, order, suffix):
    assert viewer.get(detail_url(order, suffix)).status_code == 403


@pytest.mark.parametrize("suffix", PAGES)
def test_order_pages_of_another_tenant_are_404(outsider, order, suffix):
    assert outsider.get(detail_url(order, suffix)).status_code == 404


def test_an_unknown_order_is_404(viewer, tenant):
    assert viewer.get("/staff/acme/orders/EON9999/").status_code == 404


def test_actions_need_the_manage_permission(viewer, order):
    response = viewer.post(detail_url(order), {"action": "transition", "status": "CONFIRMED"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == "CREATED"


def test_actions_post_of_another_tenant_is_404(outsider, order):
    assert outsider.post(detail_url(order), {"action": "transition", "status": "CONFIRMED"}).status_code == 404


def test_an_unknown_action_is_refused(manager, order):
    response = manager.post(detail_url(order), {"action": "delete"})
    assert response.status_code == 302
    assert flashed(response) == ["Unknown action."]


# --- the page ---------------------------------------------------------------------------------------------------


def test_detail_shows_entries_prices_and_timeline(viewer, order):
    # when
    html = viewer.get(detail_url(order)).content.decode()
    # then
    assert "Safety shoes high Reptile RS S3 SRC, black" in html
    assert "Payment fee: Payment fee" in html
    assert "433.72" in html and "368.50" in html and "65.22" in html
    assert "REDUCED" in html and "STANDARD" in html
    assert "Order placed" in html


def test_detail_offers_only_the_allowed_transitions(manager, order):
    html = manager.get(detail_url(order)).content.decode()
    assert "transition/?status=CONFIRMED" in html
    assert "transition/?status=DECLINED" in html
    assert "transition/?status=SHIPPED" not in html
    assert "transition/?status=COMPLETED" not in html


def test_detail_shows_no_actions_to_viewers(viewer, order):
    html = viewer.get(detail_url(order)).content.decode()
    assert "transition/?status=" not in html
    assert "deliveries/" not in html


def test_detail_escapes_customer_and_product_text(viewer, hostile_order):
    assert_inert(viewer.get(detail_url(hostile_order)).content.decode())


# --- transitions ------------------------------------------------------------------------------------------------


def test_transition_asks_for_confirmation_first(manager, order):
    # when
    page = manager.get(detail_url(order, "transition/?status=CONFIRMED"))
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="status" value="CONFIRMED"' in html
    assert "csrfmiddlewaretoken" in html
    order.refresh_from_db()
    assert order.status == "CREATED"


def test_confirming_a_transition_changes_the_status(manager, order):
    # when
    response = manager.post(detail_url(order), {"action": "transition", "status": "CONFIRMED"})
    # then
    assert response.status_code == 302
    assert response["Location"] == detail_url(order)
    assert flashed(response) == [f"Order {order.order_id} is now CONFIRMED."]
    order.refresh_from_db()
    assert order.status == "CONFIRMED"
    assert OrderEvent.objects.filter(order=order, type="STATUS_CHANGED", actor="user:manager").exists()


@pytest.mark.parametrize("status", ["SHIPPED", "COMPLETED", "CREATED", "BOGUS"])
def test_a_transition_the_machine_refuses_is_flashed(manager, order, status):
    # when
    confirm = manager.get(detail_url(order, f"transition/?status={status}"))
    post = manager.post(detail_url(order), {"action": "transition", "status": status})
    # then
    for response in (confirm, post):
        assert response.status_code == 302
        assert response["Location"] == detail_url(order)
    assert flashed(post)
    order.refresh_from_db()
    assert order.status == "CREATED"


def test_shipping_without_shipments_explains_why(manager, order):
    manager.post(detail_url(order), {"action": "transition", "status": "CONFIRMED"})
    response = manager.post(detail_url(order), {"action": "transition", "status": "SHIPPED"})
    assert any("shipment" in message for message in flashed(response))


def test_transition_needs_the_csrf_token(staff_client, order):
    # given
    client, token = csrf_client_for(staff_client, detail_url(order, "transition/?status=CONFIRMED"))
    # when
    refused = client.post(detail_url(order), {"action": "transition", "status": "CONFIRMED"})
    accepted = client.post(
        detail_url(order), {"action": "transition", "status": "CONFIRMED", "csrfmiddlewaretoken": token}
    )
    # then
    assert refused.status_code == 403
    assert accepted.status_code == 302
    order.refresh_from_db()
    assert order.status == "CONFIRMED"


# --- delivered amounts ------------------------------------------------------------------------------------------


def test_deliveries_page_has_a_labelled_field_per_entry(manager, order):
    html = manager.get(detail_url(order, "deliveries/")).content.decode()
    assert 'for="id_entries-0-delivered_amount"' in html
    assert "Delivered amount of Safety shoes high Reptile RS S3 SRC, black in H87" in html
    assert "Save delivered amounts" not in html


def test_deliveries_preview_shows_the_diff_and_saves_nothing(manager, order):
    # when
    response = manager.get(detail_url(order, "deliveries/"), deliveries_form(order, {0: "2"}))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="changed"' in html
    assert "433.72" in html  # before
    assert "Save delivered amounts" in html
    assert 'name="entries-0-delivered_amount" value="2"' in html
    order.refresh_from_db()
    assert order.version == 1
    assert "deliveredAmount" not in order.document["entries"][0]


def test_deliveries_preview_over_htmx_is_the_preview_only(manager, order):
    response = manager.get(
        detail_url(order, "deliveries/"), deliveries_form(order, {0: "2"}), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Preview:" in html


@pytest.mark.parametrize("amount", ["-1", "abc", "1.23456", ""])
def test_deliveries_preview_with_bad_amounts_shows_an_error(manager, order, amount):
    response = manager.get(detail_url(order, "deliveries/"), deliveries_form(order, {0: amount}))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Save delivered amounts" not in html


def test_deliveries_preview_with_an_unknown_entry_shows_the_domain_error(manager, order):
    data = deliveries_form(order, {0: "2"}) | {"entries-0-entry_id": "nope"}
    html = manager.get(detail_url(order, "deliveries/"), data).content.decode()
    assert "the order has no entry" in html


def test_saving_deliveries_recalculates_the_order(manager, order):
    # when
    response = manager.post(detail_url(order), {"action": "record_deliveries", **deliveries_form(order, {0: "2"})})
    # then
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.document["entries"][0]["deliveredAmount"] == 2
    assert order.total_gross < Decimal("433.72")
    assert flashed(response) == [f"Delivered amounts of {order.order_id} saved; new total {order.total_gross} EUR."]
    assert OrderEvent.objects.filter(order=order, type="RECALCULATED").exists()


def test_saving_bad_deliveries_is_flashed_and_saves_nothing(manager, order):
    response = manager.post(detail_url(order), {"action": "record_deliveries", **deliveries_form(order, {0: "-5"})})
    assert response.status_code == 302
    assert any("invalid" in message for message in flashed(response))
    order.refresh_from_db()
    assert order.version == 1


def test_deliveries_preview_carries_the_version_it_shows(manager, order):
    html = manager.get(detail_url(order, "deliveries/"), deliveries_form(order, {0: "2"})).content.decode()
    assert '<input type="hidden" name="version" value="1">' in html


def test_saving_deliveries_of_an_order_changed_since_the_preview_is_refused(manager, order):
    # given: the preview showed version 1, then someone else changed the order
    Order.objects.filter(pk=order.pk).update(version=2)
    data = {"action": "record_deliveries", "version": "1", **deliveries_form(order, {0: "2"})}
    # when
    response = manager.post(detail_url(order), data)
    # then
    assert response.status_code == 302
    assert any("version 2, not 1" in message for message in flashed(response))
    order.refresh_from_db()
    assert (order.version, "deliveredAmount" in order.document["entries"][0]) == (2, False)


def test_saving_deliveries_needs_the_csrf_token(staff_client, order):
    client, token = csrf_client_for(staff_client, detail_url(order, "deliveries/"))
    data = {"action": "record_deliveries", **deliveries_form(order, {0: "2"})}
    assert client.post(detail_url(order), data).status_code == 403
    assert client.post(detail_url(order), data | {"csrfmiddlewaretoken": token}).status_code == 302


def test_deliveries_preview_escapes_product_names(manager, hostile_order):
    response = manager.get(detail_url(hostile_order, "deliveries/"), deliveries_form(hostile_order, {0: "1"}))
    assert_inert(response.content.decode())


# --- split ------------------------------------------------------------------------------------------------------


def test_split_is_offered_only_for_splittable_orders(manager, order, two_vendor_order):
    assert "split/" not in manager.get(detail_url(order)).content.decode()
    assert "split/" in manager.get(detail_url(two_vendor_order)).content.decode()


def test_split_preview_shows_one_suborder_per_vendor_and_saves_nothing(manager, two_vendor_order):
    # when
    html = manager.get(detail_url(two_vendor_order, "split/")).content.decode()
    # then
    assert "vendor vendor-ushoes" in html and "vendor vendor-safety" in html and "vendor vendor-dairy" in html
    assert "Split into 3 suborders" in html
    assert Order.objects.count() == 1


def test_split_preview_of_an_unsplittable_order_explains(manager, order):
    html = manager.get(detail_url(order, "split/")).content.decode()
    assert 'role="alert"' in html
    assert "fewer than two vendors" in html or "product.vendor.id" in html


def test_splitting_creates_linked_suborders(manager, two_vendor_order):
    # when
    response = manager.post(detail_url(two_vendor_order), {"action": "split", "split_by": "VENDOR_ID"})
    # then
    assert response.status_code == 302
    two_vendor_order.refresh_from_db()
    suborders = two_vendor_order.document["subOrders"]
    assert len(suborders) == 3
    assert flashed(response)[0].startswith(f"Order {two_vendor_order.order_id} was split into ")
    master_page = manager.get(detail_url(two_vendor_order)).content.decode()
    assert all(f'href="/staff/acme/orders/{suborder}/"' in master_page for suborder in suborders)
    suborder_page = manager.get(f"/staff/acme/orders/{suborders[0]}/").content.decode()
    assert f'href="/staff/acme/orders/{two_vendor_order.order_id}/"' in suborder_page


def test_splitting_an_order_changed_since_the_preview_is_refused(manager, two_vendor_order):
    # given
    shown = two_vendor_order.version
    assert f'name="version" value="{shown}"' in manager.get(detail_url(two_vendor_order, "split/")).content.decode()
    Order.objects.filter(pk=two_vendor_order.pk).update(version=shown + 1)
    # when
    data = {"action": "split", "split_by": "VENDOR_ID", "version": str(shown)}
    response = manager.post(detail_url(two_vendor_order), data)
    # then
    assert any(f"version {shown + 1}, not {shown}" in message for message in flashed(response))
    assert Order.objects.count() == 1


def test_splitting_twice_is_flashed(manager, two_vendor_order):
    manager.post(detail_url(two_vendor_order), {"action": "split", "split_by": "VENDOR_ID"})
    response = manager.post(detail_url(two_vendor_order), {"action": "split", "split_by": "VENDOR_ID"})
    assert flashed(response)[-1] == "The order has already been split."


def test_splitting_needs_the_csrf_token(staff_client, two_vendor_order):
    client, token = csrf_client_for(staff_client, detail_url(two_vendor_order, "split/"))
    data = {"action": "split", "split_by": "VENDOR_ID"}
    assert client.post(detail_url(two_vendor_order), data).status_code == 403
    assert Order.objects.count() == 1
    assert client.post(detail_url(two_vendor_order), data | {"csrfmiddlewaretoken": token}).status_code == 302
    assert Order.objects.count() == 4


def test_flash_messages_are_escaped(manager, hostile_order):
    manager.post(detail_url(hostile_order), {"action": "transition", "status": SCRIPT})
    html = manager.get(detail_url(hostile_order)).content.decode()
    assert SCRIPT not in html
