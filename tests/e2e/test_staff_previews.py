"""Previews in a real browser: Save saves what the preview showed, and a conflict keeps what was typed."""

from decimal import Decimal

import pytest

from orders.actors import Actor
from orders.catalog import EntryChange
from orders.deliveries import Delivery
from orders.models import Order
from orders.services import change_entries, record_deliveries

pytestmark = pytest.mark.django_db(transaction=True)
# Someone else changing the order while the page is open.
JOB = Actor(label="recalculation-job:e2e", may_change_completed=False)


def open_deliveries(page, signed_in, order: Order) -> None:
    page.goto(signed_in(f"/staff/acme/orders/{order.order_id}/"))
    page.get_by_role("link", name="Edit delivered amounts…").click()


def preview(page, amount: str) -> None:
    """Type the first entry's amount and wait for its preview."""
    page.locator("#id_entries-0-delivered_amount").fill(amount)
    page.get_by_role("button", name="Preview").click()
    page.locator(f'#delivery-preview input[name="amounts"][value*=\'"{amount}"\']').wait_for(state="attached")


def test_editing_after_a_preview_disables_save_until_a_new_preview(page, signed_in, order):
    # given: a preview of 2
    open_deliveries(page, signed_in, order)
    preview(page, "2")
    save = page.get_by_role("button", name="Save delivered amounts")
    assert save.is_enabled()
    # when: the field is changed to 3
    page.locator("#id_entries-0-delivered_amount").fill("3")
    # then: Save waits for a new preview, and says why
    assert save.is_disabled()
    page.get_by_text("The amounts changed since this preview.").wait_for()
    # when: back to the previewed amount, then 3 again and previewed
    page.locator("#id_entries-0-delivered_amount").fill("2.0")
    assert save.is_enabled()
    page.locator("#id_entries-0-delivered_amount").fill("3")
    assert save.is_disabled()
    preview(page, "3")
    page.get_by_role("button", name="Save delivered amounts").click()
    # then: 3 is saved, as shown
    page.get_by_text(f"Delivered amounts of {order.order_id} saved").wait_for()
    order.refresh_from_db()
    assert order.document["entries"][0]["deliveredAmount"] == 3


def test_a_save_the_page_lets_through_still_saves_only_what_was_previewed(page, signed_in, order):
    """Without the page's script (or around it), the server refuses a save of amounts other than those previewed."""
    # given: a preview of 2, the field changed to 3, and Save enabled again by hand
    open_deliveries(page, signed_in, order)
    preview(page, "2")
    page.locator("#id_entries-0-delivered_amount").fill("3")
    page.locator("[data-save]").evaluate("button => { button.disabled = false; }")
    # when
    page.get_by_role("button", name="Save delivered amounts").click()
    # then: nothing saved, 3 kept and previewed
    page.get_by_text("Nothing was saved: the amounts in the fields are not the ones you previewed.").wait_for()
    assert page.locator("#id_entries-0-delivered_amount").input_value() == "3"
    order.refresh_from_db()
    assert (order.version, "deliveredAmount" in order.document["entries"][0]) == (1, False)
    # when: saved from the new preview
    page.get_by_role("button", name="Save delivered amounts").click()
    # then
    page.get_by_text(f"Delivered amounts of {order.order_id} saved").wait_for()
    order.refresh_from_db()
    assert order.document["entries"][0]["deliveredAmount"] == 3


def test_a_conflict_keeps_the_typed_amounts_and_offers_to_save_them_again(page, signed_in, order):
    # given: a preview of 2; meanwhile a recalculation delivers 1 of the same entry
    open_deliveries(page, signed_in, order)
    preview(page, "2")
    entry_id = order.document["entries"][0]["id"]
    record_deliveries(
        tenant=order.tenant, order_id=order.order_id, deliveries=[Delivery(entry_id, Decimal(1))], actor=JOB
    )
    # when
    page.get_by_role("button", name="Save delivered amounts").click()
    # then: what was typed is kept, beside what changed meanwhile
    page.get_by_text("The order changed while you were editing: nothing was saved").wait_for()
    page.get_by_text("You previewed version 1; the order is now at version 2.").wait_for()
    assert page.locator("#id_entries-0-delivered_amount").input_value() == "2"
    row = page.locator("#changed-since-preview tbody tr").first
    assert row.locator("td").all_inner_texts() == ["\N{EN DASH}", "1", "2 H87"]
    order.refresh_from_db()
    assert (order.version, order.document["entries"][0]["deliveredAmount"]) == (2, 1)
    # when: re-applied on the current version
    page.get_by_role("button", name="Save my amounts on version 2").click()
    # then
    page.get_by_text(f"Delivered amounts of {order.order_id} saved").wait_for()
    order.refresh_from_db()
    assert (order.version, order.document["entries"][0]["deliveredAmount"]) == (3, 2)


def test_a_split_of_an_order_changed_meanwhile_shows_the_split_of_the_order_now(page, signed_in, two_vendor_order):
    # given: the split preview is open; meanwhile the gloves' quantity changes
    order = two_vendor_order
    page.goto(signed_in(f"/staff/acme/orders/{order.order_id}/split/"))
    page.get_by_text("Suborder 3: vendor vendor-dairy").wait_for()
    change_entries(
        tenant=order.tenant,
        order_id=order.order_id,
        changes=[EntryChange(Decimal(5), entry_id="GLOVES-NITRIL-100")],
        actor=JOB,
        store=True,
    )
    # when
    page.get_by_role("button", name="Split into 3 suborders").click()
    # then: nothing split; the split of the order as it is now is offered
    page.get_by_text("The order changed since your preview: nothing was split").wait_for()
    assert Order.objects.count() == 1
    page.get_by_role("button", name="Split into 3 suborders").click()
    page.get_by_text(f"Order {order.order_id} was split into").wait_for()
    assert Order.objects.count() == 4
