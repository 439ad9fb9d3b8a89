"""The order page in people's words: labels, units, names, money at the currency's precision, warnings, notes,
reasons, packing events, and error pages that keep the navigation."""

import copy
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from orders.actors import Actor
from orders.deliveries import Delivery
from orders.models import OrderEvent, OrderEventType
from orders.services import create_order, record_deliveries, transition_order
from orders.staff.presenters import EntryRow, Price, actor_names, money_text, status_label, unit_label
from orders.staff.views import entries_round_apart
from pickpack.models import PackingEvent

from ..staff import SCRIPT, assert_inert


def detail_url(order, suffix: str = "") -> str:
    return f"/staff/acme/orders/{order.order_id}/{suffix}"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


# --- presenters -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "label"),
    [("IN_CHECKOUT", "In checkout"), ("CREATED", "Created"), ("SHIPPED", "Shipped"), ("BOGUS", "BOGUS"), (None, "")],
)
def test_status_label(code, label):
    assert status_label(code) == label


@pytest.mark.parametrize(
    ("code", "label"), [("KGM", "kg (KGM)"), ("H87", "piece (H87)"), ("MTQ", "m³ (MTQ)"), ("XYZ", "XYZ")]
)
def test_unit_label(code, label):
    assert unit_label(code) == label


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (Decimal("1234.5"), "EUR", "1,234.50"),
        (Decimal("2.675"), "EUR", "2.68"),  # half-up, not banker's
        (Decimal("2.665"), "EUR", "2.67"),
        (Decimal("433.72"), "JPY", "434"),
        (Decimal("1.2345"), "KWD", "1.235"),  # three minor digits
        (7, "EUR", "7.00"),
        (Decimal("-0.004"), "EUR", "-0.00"),
        (None, "EUR", ""),
        (True, "EUR", ""),
        ("12.5", "EUR", ""),
    ],
)
def test_money_text_rounds_half_up_to_the_currency(value, currency, text):
    assert money_text(value, currency) == text


def test_money_text_of_an_unknown_currency_uses_two_decimals():
    assert money_text(Decimal("3.14159"), None) == "3.14"


@pytest.mark.django_db
def test_actor_names_read_like_people():
    get_user_model().objects.create_user("anna", first_name="Anna", last_name="Meyer")
    get_user_model().objects.create_user("bob")
    labels = ["user:anna", "user:bob", "user:gone", "client:erp-sync", "recalculation-job:AB12", "system", "x:y"]
    assert actor_names(labels) == {
        "user:anna": "Anna Meyer",
        "user:bob": "bob",
        "user:gone": "gone",
        "client:erp-sync": "API client erp-sync",
        "recalculation-job:AB12": "Recalculation job AB12",
        "system": "System",
        "x:y": "x:y",
    }


def entry(gross: str) -> EntryRow:
    return EntryRow("e", "p", "n", "", "H87", Decimal(1), None, None, Price(None, None, Decimal(gross)))


def test_entries_round_apart_when_their_rounded_amounts_miss_the_total():
    # three entries of 0.335 show as 0.34 each, 1.02 together; the goods total of 1.005 shows as 1.01
    document = {"calculatedPrice": {"price": {"grossValue": Decimal("1.005")}}}
    assert entries_round_apart([entry("0.335")] * 3, document, "EUR") is True


def test_entries_that_add_up_on_screen_need_no_note():
    document = {"calculatedPrice": {"price": {"grossValue": Decimal("1.02")}}}
    assert entries_round_apart([entry("0.335"), entry("0.335"), entry("0.34")], document, "EUR") is False
    # in yen the same amounts are all 0 or 1: 0 + 0 + 0 against 1
    assert entries_round_apart([entry("0.335")] * 3, document, "JPY") is True


def test_entries_without_prices_need_no_note():
    assert entries_round_apart([entry("1")], {}, "EUR") is False


# --- the order page ---------------------------------------------------------------------------------------------


def test_the_page_shows_labels_units_and_money_at_the_currency_precision(viewer, tenant, seed_order):
    document = copy.deepcopy(seed_order)
    document["currency"] = "JPY"
    order = create_order(tenant=tenant, document=document, actor=Actor(label="test"))
    html = page(viewer, detail_url(order))
    assert ">In checkout</span>" in html
    assert 'status-in_checkout">IN_CHECKOUT' not in html
    assert "<dd>434 JPY</dd>" in html  # 433.72 in yen
    assert "piece (H87)" in html


def test_over_delivery_is_flagged(manager, order, tenant):
    entry_id = order.document["entries"][0]["id"]
    record_deliveries(
        tenant=tenant,
        order_id=order.order_id,
        deliveries=[Delivery(entry_id, Decimal(9999))],
        actor=Actor(label="test", may_change_completed=True),
    )
    html = page(manager, detail_url(order))
    assert "9999 delivered against 3 ordered" in html
    assert "more than ordered" in html


def test_no_warning_when_delivered_within_the_order(manager, order, tenant):
    entry_id = order.document["entries"][0]["id"]
    record_deliveries(
        tenant=tenant, order_id=order.order_id, deliveries=[Delivery(entry_id, Decimal(3))], actor=Actor(label="t")
    )
    assert "more than ordered" not in page(manager, detail_url(order))


def test_declining_with_a_reason_keeps_it_in_the_timeline(manager, order):
    response = manager.post(
        detail_url(order), {"action": "transition", "status": "DECLINED", "reason": "Customer asked to cancel"}
    )
    assert response.status_code == 302
    event = OrderEvent.objects.get(order=order, type=OrderEventType.STATUS_CHANGED)
    assert event.parameters == {"previous": "CREATED", "status": "DECLINED", "reason": "Customer asked to cancel"}
    html = page(manager, detail_url(order))
    assert "Customer asked to cancel" in html
    assert "by manager" in html


def test_a_status_change_without_a_reason_records_none(manager, order):
    manager.post(detail_url(order), {"action": "transition", "status": "CONFIRMED", "reason": "  "})
    event = OrderEvent.objects.get(order=order, type=OrderEventType.STATUS_CHANGED)
    assert "reason" not in event.parameters


def test_the_decline_confirmation_asks_why(manager, order):
    html = page(manager, detail_url(order, "transition/") + "?status=DECLINED")
    assert "Why is it declined?" in html
    assert 'name="reason"' in html


def test_a_manager_adds_a_note_to_the_timeline(manager, order):
    response = manager.post(detail_url(order), {"action": "note", "text": f"Called the customer {SCRIPT}"})
    assert response.status_code == 302
    note = OrderEvent.objects.get(order=order, type=OrderEventType.NOTE)
    assert note.parameters == {"text": f"Called the customer {SCRIPT}"}
    assert note.actor == "user:manager"
    order.refresh_from_db()
    assert order.version == 1  # a note changes nothing on the order
    html = manager.get(detail_url(order)).content.decode()
    assert "Called the customer" in html
    assert_inert(html)


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_a_note_must_have_some_text_and_not_too_much(manager, order, text):
    manager.post(detail_url(order), {"action": "note", "text": text})
    assert not OrderEvent.objects.filter(order=order, type=OrderEventType.NOTE).exists()


def test_a_viewer_cannot_add_notes(viewer, order):
    response = viewer.post(detail_url(order), {"action": "note", "text": "hello"})
    assert response.status_code == 403
    assert "You are not allowed to change orders." in unescape(response.content.decode())
    assert not OrderEvent.objects.filter(order=order, type=OrderEventType.NOTE).exists()


def test_the_timeline_names_the_actors(manager, order, tenant):
    get_user_model().objects.create_user("anna", first_name="Anna", last_name="Meyer")
    transition_order(
        tenant=tenant,
        order_id=order.order_id,
        status="CONFIRMED",
        actor=Actor(label="user:anna", kind="user", id="anna", name="Anna Meyer"),
    )
    html = page(manager, detail_url(order))
    assert "by Anna Meyer" in html
    assert "user:anna" not in html


def test_the_page_lists_the_orders_packing_events_and_whether_they_were_applied(viewer, order, tenant):
    entry = order.document["entries"][0]
    PackingEvent.objects.create(
        tenant=tenant,
        event_id="PE-1",
        order_number=order.order_id,
        product_id=entry["product"]["id"],
        packed_amount=2,
        unit="H87",
        timestamp=timezone.now(),
        site="main",
        user="Packer Pia",
    )
    html = page(viewer, detail_url(order))
    assert "PE-1" in html
    assert "by Packer Pia" in html
    assert "Waiting" in html
    OrderEvent.objects.create(order=order, type=OrderEventType.RECALCULATED, timestamp=timezone.now(), actor="x")
    html = page(viewer, detail_url(order))
    assert "Applied by a recalculation" in html
    assert "Waiting" not in html


def test_an_order_without_packing_events_says_so(viewer, order):
    assert "No packing events for this order yet." in page(viewer, detail_url(order))


# --- error pages ------------------------------------------------------------------------------------------------


def test_a_missing_order_keeps_the_tenants_navigation(viewer, order):
    response = viewer.get("/staff/acme/orders/EON404404/")
    assert response.status_code == 404
    html = unescape(response.content.decode())
    assert 'href="/staff/acme/orders/"' in html  # the navigation and the way back
    assert "Back to the orders of acme" in html


def test_a_page_outside_any_tenant_offers_the_start_page(viewer):
    response = viewer.get("/staff/nowhere/orders/")
    assert response.status_code == 404
    html = unescape(response.content.decode())
    assert "Back to the start page" in html
    assert "/staff/nowhere/" not in html.replace("There is nothing at /staff/nowhere/orders/", "")


def test_a_refused_action_says_what_is_missing_and_keeps_the_navigation(viewer, order):
    response = viewer.get(detail_url(order, "transition/") + "?status=CONFIRMED")
    assert response.status_code == 403
    html = unescape(response.content.decode())
    assert "You are not allowed to change orders." in html
    assert "Back to the dashboard of acme" in html


def test_api_paths_still_answer_json(db):
    from django.test import Client

    response = Client().get("/order-v2/acme/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
