"""The staff order page and its actions: transitions, delivered amounts with a preview, split with a preview."""

# The shared staff fixtures live in test_staff_pages (no conftest of ours here); imported, they shadow.

import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from orders.actors import Actor
from orders.catalog import EntryChange
from orders.deliveries import Delivery
from orders.models import Order, OrderEvent
from orders.services import change_entries, create_order, patch_order, record_deliveries
from orders.staff import views
from orders.staff.access import MANAGE_ORDERS, VIEW_ORDERS

from ..staff import SCRIPT, assert_inert, assert_login_redirect

# Someone else changing the order while a staff user looks at a preview.
JOB = Actor(label="recalculation-job:test", may_change_completed=False)


CLERK = Actor(label="user:anna", kind="user", id="anna", name="Anna Meyer")


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
    assert "<strong>Created</strong>" in html


def test_the_timeline_shows_each_change_before_and_after_and_filters_by_path(viewer, order):
    # given the customer's email and the site changed
    patch_order(tenant=order.tenant, order_id=order.order_id, patch={"siteCode": "AT"}, actor=CLERK)
    email = order.document["customer"]["email"]
    patch_order(
        tenant=order.tenant, order_id=order.order_id, patch={"customer": {"email": "x@example.com"}}, actor=CLERK
    )
    # when
    html = unescape(viewer.get(detail_url(order)).content.decode())
    filtered = unescape(viewer.get(detail_url(order) + "?history=customer.").content.decode())
    # then
    assert f"<code>customer.email</code>: {email} → x@example.com" in html
    assert "<code>siteCode</code>" in html and "by Anna Meyer, version 3" in html
    assert "<code>customer.email</code>" in filtered and "<code>siteCode</code>" not in filtered


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
    assert flashed(response) == [f"Order {order.order_id} is now Confirmed."]
    order.refresh_from_db()
    assert order.status == "CONFIRMED"
    assert OrderEvent.objects.filter(order=order, type="STATUS_CHANGED", actor="user:manager").exists()


REFUSED_FROM_CREATED = "An order in status CREATED cannot change to {}. Allowed: CONFIRMED, DECLINED."


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("SHIPPED", REFUSED_FROM_CREATED.format("SHIPPED")),
        ("COMPLETED", REFUSED_FROM_CREATED.format("COMPLETED")),
        ("CREATED", REFUSED_FROM_CREATED.format("CREATED")),
        (
            "BOGUS",
            "The request is invalid. (status: Select a valid choice. BOGUS is not one of the available choices.)",
        ),
    ],
)
def test_a_transition_the_machine_refuses_is_flashed(manager, order, status, message):
    # when
    confirm = manager.get(detail_url(order, f"transition/?status={status}"))
    post = manager.post(detail_url(order), {"action": "transition", "status": status})
    # then
    for response in (confirm, post):
        assert response.status_code == 302
        assert response["Location"] == detail_url(order)
    assert flashed(confirm) == [message]
    assert flashed(post) == [message, message]  # the confirmation's message is still unread, as no page showed it
    order.refresh_from_db()
    assert (order.status, order.version) == ("CREATED", 1)


def test_shipping_without_shipments_explains_why(manager, order):
    manager.post(detail_url(order), {"action": "transition", "status": "CONFIRMED"})
    response = manager.post(detail_url(order), {"action": "transition", "status": "SHIPPED"})
    assert flashed(response)[-1] == (
        "Add shipment data (shipments with shippedDate and carrier) before changing the status to SHIPPED."
    )


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


def preview(client: Client, order: Order, amounts: dict[int, str]):
    """A preview of these amounts, as the page's Preview button posts it."""
    return client.post(detail_url(order, "deliveries/"), {"action": "preview", **deliveries_form(order, amounts)})


def previewed_fields(html: str) -> dict:
    """The hidden fields a preview gives its Save button: the version and the amounts it showed."""
    return {
        name: unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="(version|amounts|delivered)" value="([^"]*)"', html)
    }


def save(client: Client, order: Order, shown: dict, amounts: dict[int, str]):
    """Save as the page's Save button does: the fields as they are now, with the hidden fields of a preview."""
    data = {"action": "save", **deliveries_form(order, amounts), **shown}
    return client.post(detail_url(order, "deliveries/"), data)


def test_deliveries_page_has_a_labelled_field_per_entry(manager, order):
    html = manager.get(detail_url(order, "deliveries/")).content.decode()
    assert 'for="id_entries-0-delivered_amount"' in html
    assert "Delivered amount of Safety shoes high Reptile RS S3 SRC, black in H87" in html
    assert "Save delivered amounts" not in html


def test_deliveries_preview_shows_the_diff_and_saves_nothing(manager, order):
    # when
    response = preview(manager, order, {0: "2"})
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


def test_deliveries_preview_from_a_link_with_the_fields_still_works(manager, order):
    response = manager.get(detail_url(order, "deliveries/"), deliveries_form(order, {0: "2"}))
    assert response.status_code == 200
    assert "Save delivered amounts" in response.content.decode()


def test_deliveries_preview_over_htmx_is_the_preview_only(manager, order):
    data = {"action": "preview", **deliveries_form(order, {0: "2"})}
    response = manager.post(detail_url(order, "deliveries/"), data, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "Preview:" in html
    assert previewed_fields(html)["amounts"] == f'[["{order.document["entries"][0]["id"]}", "2"]]'


@pytest.mark.parametrize("amount", ["-1", "abc", "1.23456", ""])
def test_deliveries_preview_with_bad_amounts_shows_an_error(manager, order, amount):
    response = preview(manager, order, {0: amount})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Save delivered amounts" not in html


def test_deliveries_preview_with_an_unknown_entry_shows_the_domain_error(manager, order):
    data = {"action": "preview", **deliveries_form(order, {0: "2"}), "entries-0-entry_id": "nope"}
    html = manager.post(detail_url(order, "deliveries/"), data).content.decode()
    assert "the order has no entry" in html


def test_deliveries_preview_carries_the_version_and_the_amounts_it_shows(manager, order):
    # when
    shown = previewed_fields(preview(manager, order, {0: "2"}).content.decode())
    # then
    entry_ids = [entry["id"] for entry in order.document["entries"]]
    assert shown["version"] == "1"
    assert json.loads(shown["amounts"]) == [[entry_ids[0], "2"]]
    assert json.loads(shown["delivered"]) == [[entry_id, None] for entry_id in entry_ids]


def test_saving_the_previewed_deliveries_recalculates_the_order(manager, order):
    # given
    shown = previewed_fields(preview(manager, order, {0: "2"}).content.decode())
    # when
    response = save(manager, order, shown, {0: "2"})
    # then
    assert response.status_code == 302
    assert response["Location"] == detail_url(order)
    order.refresh_from_db()
    assert order.document["entries"][0]["deliveredAmount"] == 2
    # 2 * 100.00 = 200.00 / 38.00; the stored shipping 35.00 / 4.20 and fee 33.50 / 4.02 (no value) stay:
    # 268.50 net, 46.22 tax, 314.72 gross
    assert (order.total_net, order.total_tax, order.total_gross) == (
        Decimal("268.50"),
        Decimal("46.22"),
        Decimal("314.72"),
    )
    assert flashed(response) == [f"Delivered amounts of {order.order_id} saved; new total {order.total_gross} EUR."]
    assert OrderEvent.objects.filter(order=order, type="RECALCULATED", actor="user:manager").exists()


def test_saving_the_previewed_amount_written_another_way_saves_it(manager, order):
    shown = previewed_fields(preview(manager, order, {0: "2"}).content.decode())
    assert save(manager, order, shown, {0: "2.000"}).status_code == 302
    order.refresh_from_db()
    assert order.document["entries"][0]["deliveredAmount"] == 2


def test_saving_amounts_other_than_the_previewed_ones_is_refused_and_previews_them(manager, order):
    # given: a preview of 2, then the field changed to 3
    shown = previewed_fields(preview(manager, order, {0: "2"}).content.decode())
    # when
    response = save(manager, order, shown, {0: "3"})
    # then: nothing saved, the fields keep 3, and the page previews 3 with a Save of 3
    html = response.content.decode()
    assert response.status_code == 409
    assert "Nothing was saved: the amounts in the fields are not the ones you previewed." in html
    assert 'name="entries-0-delivered_amount" value="3"' in html
    order.refresh_from_db()
    assert (order.version, "deliveredAmount" in order.document["entries"][0]) == (1, False)
    again = previewed_fields(html)
    assert json.loads(again["amounts"]) == [[order.document["entries"][0]["id"], "3"]]
    # when: saved from the new preview
    assert save(manager, order, again, {0: "3"}).status_code == 302
    # then
    order.refresh_from_db()
    assert order.document["entries"][0]["deliveredAmount"] == 3


def test_saving_the_fields_of_more_entries_than_previewed_is_refused(manager, two_vendor_order):
    shown = previewed_fields(preview(manager, two_vendor_order, {0: "1"}).content.decode())
    response = save(manager, two_vendor_order, shown, {0: "1", 1: "2"})
    assert response.status_code == 409
    version = two_vendor_order.version
    two_vendor_order.refresh_from_db()
    assert two_vendor_order.version == version


@pytest.mark.parametrize(
    "shown",
    [{}, {"version": "1"}, {"version": "1", "amounts": "2", "delivered": "[]"}, {"amounts": "[]", "delivered": "[]"}],
    ids=["nothing", "version only", "not a list", "no version"],
)
def test_saving_without_a_preview_is_refused(manager, order, shown):
    response = save(manager, order, shown, {0: "2"})
    assert response.status_code == 409
    assert "Nothing was saved" in response.content.decode()
    order.refresh_from_db()
    assert order.version == 1


def test_saving_bad_deliveries_shows_the_errors_and_saves_nothing(manager, order):
    shown = previewed_fields(preview(manager, order, {0: "2"}).content.decode())
    response = save(manager, order, shown, {0: "-5"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="field-error"' in html
    assert 'name="entries-0-delivered_amount" value="-5"' in html
    order.refresh_from_db()
    assert order.version == 1


def test_saving_deliveries_of_an_order_changed_since_the_preview_keeps_the_typed_amounts(manager, order):
    # given: the preview showed version 1, then a recalculation delivered 1 of the first entry
    entry_id = order.document["entries"][0]["id"]
    shown = previewed_fields(preview(manager, order, {0: "2"}).content.decode())
    record_deliveries(
        tenant=order.tenant, order_id=order.order_id, deliveries=[Delivery(entry_id, Decimal(1))], actor=JOB
    )
    # when
    response = save(manager, order, shown, {0: "2"})
    # then: nothing saved; the typed 2 is kept beside the 1 delivered meanwhile, and a Save of 2 on version 2
    html = response.content.decode()
    assert response.status_code == 409
    order.refresh_from_db()
    assert (order.version, order.document["entries"][0]["deliveredAmount"]) == (2, 1)
    assert "You previewed version 1; the order is now at version 2." in html
    changed = re.search(r'<section class="card error-summary" role="alert".*?</section>', html, re.S).group(0)
    cells = [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[hd].*?</t[hd]>", changed, re.S)]
    # Product | Delivered when you previewed | Delivered now | Your amount
    assert cells[4:8] == ["Safety shoes high Reptile RS S3 SRC, black (changed)", "\N{EN DASH}", "1", "2 H87"]
    assert 'name="entries-0-delivered_amount" value="2"' in html
    again = previewed_fields(html)
    assert (again["version"], json.loads(again["amounts"])) == ("2", [[entry_id, "2"]])
    assert "Save my amounts on version 2" in html
    # when: re-applied
    response = save(manager, order, again, {0: "2"})
    # then
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.version, order.document["entries"][0]["deliveredAmount"]) == (3, 2)


def test_a_change_between_the_pages_read_and_its_save_is_a_conflict_too(manager, order, monkeypatch):
    # given: another writer changes the order after the view has read it, before its save takes the lock
    entry_id = order.document["entries"][0]["id"]
    shown = previewed_fields(preview(manager, order, {0: "2"}).content.decode())
    real_record_deliveries = views.services.record_deliveries

    def another_writer_first(**kwargs):
        record_deliveries(tenant=order.tenant, order_id=order.order_id, deliveries=[Delivery(entry_id, 1)], actor=JOB)
        monkeypatch.setattr(views.services, "record_deliveries", real_record_deliveries)
        return real_record_deliveries(**kwargs)

    monkeypatch.setattr(views.services, "record_deliveries", another_writer_first)
    # when
    response = save(manager, order, shown, {0: "2"})
    # then
    assert response.status_code == 409
    assert "You previewed version 1; the order is now at version 2." in response.content.decode()
    order.refresh_from_db()
    assert (order.version, order.document["entries"][0]["deliveredAmount"]) == (2, 1)


def test_a_conflict_keeps_each_typed_amount_with_its_entry_when_entries_changed(manager, two_vendor_order):
    # given: amounts typed for the gloves (2nd) and the cheese (3rd); meanwhile the gloves were removed
    order = two_vendor_order
    shown = previewed_fields(preview(manager, order, {1: "2", 2: "1.2"}).content.decode())
    typed = deliveries_form(order, {1: "2", 2: "1.2"})
    change_entries(
        tenant=order.tenant,
        order_id=order.order_id,
        changes=[EntryChange(Decimal(0), entry_id="GLOVES-NITRIL-100")],
        actor=JOB,
        store=True,
    )
    # when
    response = manager.post(detail_url(order, "deliveries/"), {"action": "save", **typed, **shown})
    # then: the cheese, now 2nd, keeps its 1.2; the gloves' amount is named as left out
    html = response.content.decode()
    assert response.status_code == 409
    assert 'name="entries-1-entry_id" value="CHEESE-GOUDA-KG"' in html
    assert 'name="entries-1-delivered_amount" value="1.2"' in html
    assert "No longer in the order, so left out: GLOVES-NITRIL-100." in html
    assert json.loads(previewed_fields(html)["amounts"]) == [["CHEESE-GOUDA-KG", "1.2"]]


def test_saving_deliveries_the_service_refuses_explains_and_saves_nothing(manager, order):
    # given: a save whose fields and preview agree on an entry the order does not hold
    shown = {"version": "1", "amounts": '[["nope", "2"]]', "delivered": "[]"}
    data = {"action": "save", **deliveries_form(order, {0: "2"}), **shown, "entries-0-entry_id": "nope"}
    # when
    response = manager.post(detail_url(order, "deliveries/"), data)
    # then
    assert response.status_code == 400
    assert "The delivered amounts cannot be applied" in response.content.decode()
    order.refresh_from_db()
    assert order.version == 1


def test_the_order_page_no_longer_saves_deliveries_itself(manager, order):
    response = manager.post(detail_url(order), {"action": "record_deliveries", **deliveries_form(order, {0: "2"})})
    assert flashed(response) == ["Unknown action."]
    order.refresh_from_db()
    assert order.version == 1


def test_previewing_and_saving_deliveries_need_the_csrf_token(staff_client, order):
    # given
    client, token = csrf_client_for(staff_client, detail_url(order, "deliveries/"))
    data = {"action": "preview", **deliveries_form(order, {0: "2"})}
    # when / then: a preview without the token is refused, with it the page previews 2 and offers a Save
    assert client.post(detail_url(order, "deliveries/"), data).status_code == 403
    previewed = client.post(detail_url(order, "deliveries/"), data | {"csrfmiddlewaretoken": token})
    html = previewed.content.decode()
    assert previewed.status_code == 200
    assert 'name="csrfmiddlewaretoken" value="' in html
    assert json.loads(previewed_fields(html)["amounts"]) == [[order.document["entries"][0]["id"], "2"]]
    # when / then: a save without the token is refused and stores nothing
    data = {"action": "save", **deliveries_form(order, {0: "2"}), **previewed_fields(html)}
    assert client.post(detail_url(order, "deliveries/"), data).status_code == 403
    order.refresh_from_db()
    assert (order.version, "deliveredAmount" in order.document["entries"][0]) == (1, False)
    # when / then: with the token the save is stored
    saved = client.post(detail_url(order, "deliveries/"), data | {"csrfmiddlewaretoken": token})
    assert (saved.status_code, saved["Location"]) == (302, detail_url(order))
    order.refresh_from_db()
    assert (order.version, order.document["entries"][0]["deliveredAmount"]) == (2, 2)
    assert flashed(saved) == [f"Delivered amounts of {order.order_id} saved; new total {order.total_gross} EUR."]


def test_deliveries_pages_need_the_manage_permission_to_post(viewer, order):
    # given
    data = {"action": "save", **deliveries_form(order, {0: "2"})}
    # when
    response = viewer.post(detail_url(order, "deliveries/"), data)
    # then
    assert response.status_code == 403
    order.refresh_from_db()
    assert (order.version, "deliveredAmount" in order.document["entries"][0]) == (1, False)


def test_deliveries_preview_escapes_product_names(manager, hostile_order):
    assert_inert(preview(manager, hostile_order, {0: "1"}).content.decode())


def test_a_conflict_escapes_product_names(manager, hostile_order):
    shown = previewed_fields(preview(manager, hostile_order, {0: "1"}).content.decode())
    Order.objects.filter(pk=hostile_order.pk).update(version=2)
    response = save(manager, hostile_order, shown, {0: "1"})
    assert response.status_code == 409
    assert_inert(response.content.decode())


# --- split ------------------------------------------------------------------------------------------------------


def split_data(order: Order) -> dict:
    return {"split_by": "VENDOR_ID", "version": str(order.version)}


def test_split_is_offered_only_for_splittable_orders(manager, order, two_vendor_order):
    assert "split/" not in manager.get(detail_url(order)).content.decode()
    assert "split/" in manager.get(detail_url(two_vendor_order)).content.decode()


def test_split_preview_shows_one_suborder_per_vendor_and_saves_nothing(manager, two_vendor_order):
    # when
    html = manager.get(detail_url(two_vendor_order, "split/")).content.decode()
    # then
    assert "vendor vendor-ushoes" in html and "vendor vendor-safety" in html and "vendor vendor-dairy" in html
    assert "Split into 3 suborders" in html
    assert f'name="version" value="{two_vendor_order.version}"' in html
    assert Order.objects.count() == 1


def test_split_preview_of_an_unsplittable_order_explains(manager, order):
    html = manager.get(detail_url(order, "split/")).content.decode()
    assert 'role="alert"' in html
    assert "Every entry needs product.vendor.id to split by vendor." in html  # the seed's entry has no vendor
    assert "Split into" not in html


def test_splitting_creates_linked_suborders(manager, two_vendor_order):
    # when
    response = manager.post(detail_url(two_vendor_order, "split/"), split_data(two_vendor_order))
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


def test_splitting_an_order_changed_since_the_preview_shows_the_split_of_the_order_now(manager, two_vendor_order):
    # given: the preview showed a version, then someone changed the gloves' quantity
    shown = split_data(two_vendor_order)
    changes = [EntryChange(Decimal(5), entry_id="GLOVES-NITRIL-100")]
    tenant, order_id = two_vendor_order.tenant, two_vendor_order.order_id
    change_entries(tenant=tenant, order_id=order_id, changes=changes, actor=JOB, store=True)
    two_vendor_order.refresh_from_db()
    # when
    response = manager.post(detail_url(two_vendor_order, "split/"), shown)
    # then: nothing split; the page previews the order as it is now, and its button splits that version
    html = response.content.decode()
    assert response.status_code == 409
    assert Order.objects.count() == 1
    assert f"You previewed version {shown['version']}; the order is now at version {two_vendor_order.version}" in html
    assert f'name="version" value="{two_vendor_order.version}"' in html
    assert "Split into 3 suborders" in html
    assert manager.post(detail_url(two_vendor_order, "split/"), split_data(two_vendor_order)).status_code == 302
    assert Order.objects.count() == 4


def test_splitting_without_a_previewed_version_is_refused(manager, two_vendor_order):
    response = manager.post(detail_url(two_vendor_order, "split/"), {"split_by": "VENDOR_ID"})
    assert response.status_code == 409
    assert "Nothing was split: preview the split first." in response.content.decode()
    assert Order.objects.count() == 1


def test_splitting_twice_explains_that_the_order_is_split_already(manager, two_vendor_order):
    shown = split_data(two_vendor_order)
    manager.post(detail_url(two_vendor_order, "split/"), shown)
    response = manager.post(detail_url(two_vendor_order, "split/"), shown)
    html = response.content.decode()
    assert response.status_code == 409
    assert "The order has already been split." in html
    assert "Split into" not in html
    assert Order.objects.count() == 4


def test_a_split_the_rules_refuse_is_flashed(manager, order):
    # when: the seed's order, whose entry has no vendor
    response = manager.post(detail_url(order, "split/"), split_data(order))
    # then
    assert (response.status_code, response["Location"]) == (302, detail_url(order))
    assert flashed(response) == ["Every entry needs product.vendor.id to split by vendor."]
    assert Order.objects.count() == 1
    order.refresh_from_db()
    assert (order.version, "subOrders" in order.document) == (1, False)


def test_the_order_page_no_longer_splits_itself(manager, two_vendor_order):
    response = manager.post(detail_url(two_vendor_order), {"action": "split", **split_data(two_vendor_order)})
    assert flashed(response) == ["Unknown action."]
    assert Order.objects.count() == 1


def test_splitting_needs_the_csrf_token(staff_client, two_vendor_order):
    client, token = csrf_client_for(staff_client, detail_url(two_vendor_order, "split/"))
    data = split_data(two_vendor_order)
    assert client.post(detail_url(two_vendor_order, "split/"), data).status_code == 403
    assert Order.objects.count() == 1
    assert client.post(detail_url(two_vendor_order, "split/"), data | {"csrfmiddlewaretoken": token}).status_code == 302
    assert Order.objects.count() == 4


def test_flash_messages_are_escaped(manager, hostile_order):
    manager.post(detail_url(hostile_order), {"action": "transition", "status": SCRIPT})
    html = manager.get(detail_url(hostile_order)).content.decode()
    assert SCRIPT not in html


def test_a_huge_order_is_shown_a_page_of_entries_at_a_time(viewer, tenant, seed_order, settings):
    # given an order of 250 entries
    entry = seed_order["entries"][0]
    document = {**seed_order, "entries": [{**entry, "id": f"line-{index:03}"} for index in range(250)]}
    order = create_order(tenant=tenant, document=document, actor=Actor.system())
    # when
    first = viewer.get(detail_url(order)).content.decode()
    last = viewer.get(detail_url(order) + "?page=3").content.decode()
    # then 100 entries on the first page, the last 50 on the third, and the raw document left out
    assert first.count(f'<span class="subtle">{entry["product"]["id"]}</span>') == views.ENTRIES_PER_PAGE
    assert last.count(f'<span class="subtle">{entry["product"]["id"]}</span>') == 50
    assert "Entries 201\N{EN DASH}250 of 250" in last
    assert "too large to show here" in first
    assert '"line-249"' not in first
