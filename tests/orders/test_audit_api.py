"""The audit trail: every write of an order as one change record, field by field, in the write's transaction."""

import copy
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders import scopes, services
from orders.actors import Actor
from orders.audit import document_changes
from orders.deliveries import Delivery
from orders.models import ChangeRecord, Order
from orders.services import record_deliveries

from ..pickpack.conftest import assert_error


@pytest.fixture
def order_id(api, seed_order) -> str:
    return api.post("salesorders", {**seed_order, "status": "CREATED"}).json()["id"]


def changes_of(api, order_id: str, query: str = "") -> list[dict]:
    response = api.get(f"salesorders/{order_id}/changes{query}")
    assert response.status_code == 200, response
    return response.json()


def test_document_changes_name_each_changed_value_by_its_path():
    before = {"customer": {"email": "a@x.io", "name": "A"}, "entries": [{"id": "e1", "amount": 1}], "tags": [1]}
    after = {"customer": {"email": "b@x.io", "name": "A"}, "entries": [{"id": "e1", "amount": 2}], "tags": [1, 2]}
    assert document_changes(before, after) == [
        {"path": "customer.email", "before": "a@x.io", "after": "b@x.io"},
        {"path": "entries[e1].amount", "before": 1, "after": 2},
        {"path": "tags", "before": [1], "after": [1, 2]},
    ]


def test_document_changes_see_added_and_removed_entries_and_fields_but_not_the_version():
    before = {"entries": [{"id": "e1", "amount": 1}], "metadata": {"version": 1}, "note": True}
    after = {"entries": [{"id": "e2", "amount": 1}], "metadata": {"version": 2}, "note": 1, "siteCode": "DE"}
    assert document_changes(before, after) == [
        {"path": "entries[e1]", "before": {"id": "e1", "amount": 1}, "after": None},
        {"path": "entries[e2]", "before": None, "after": {"id": "e2", "amount": 1}},
        {"path": "note", "before": True, "after": 1},
        {"path": "siteCode", "before": None, "after": "DE"},
    ]


def test_a_patch_is_recorded_with_who_when_how_and_the_request_id(api, order_id, seed_order):
    # when
    response = api.patch(
        f"salesorders/{order_id}", {"customer": {"email": "new@example.com"}}, HTTP_X_REQUEST_ID="req-42"
    )
    # then
    assert response.headers["X-Request-Id"] == "req-42"
    newest = changes_of(api, order_id)[0]
    assert newest["operation"] == "patch"
    assert newest["version"] == 2
    assert newest["requestId"] == "req-42"
    assert newest["actor"]["type"] == "client"
    assert newest["actor"]["id"] == ChangeRecord.objects.latest("id").actor["id"] != ""
    assert newest["changes"] == [
        {"path": "customer.email", "before": seed_order["customer"]["email"], "after": "new@example.com"}
    ]


def test_an_unchanged_write_records_nothing(api, order_id):
    before = ChangeRecord.objects.count()
    document = api.get(f"salesorders/{order_id}").json()
    assert api.put(f"salesorders/{order_id}", document).status_code == 204
    assert ChangeRecord.objects.count() == before


def test_deliveries_are_recorded_by_entry_id_with_the_prices_they_moved(api, order_id):
    entry_id = api.get(f"salesorders/{order_id}").json()["entries"][0]["id"]
    api.post(f"salesorders/{order_id}/calculations", {"entries": [{"entryId": entry_id, "deliveredAmount": 2}]})
    newest = changes_of(api, order_id)[0]
    paths = [change["path"] for change in newest["changes"]]
    assert newest["operation"] == "deliveries"
    assert f"entries[{entry_id}].deliveredAmount" in paths
    assert "calculatedPrice.finalPrice.grossValue" in paths


def test_records_are_newest_first_paged_and_filtered(api, order_id):
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        api.patch(f"salesorders/{order_id}", {"customer": {"email": email}})
    api.post(f"salesorders/{order_id}/transitions", {"status": "CONFIRMED"})
    response = api.get(f"salesorders/{order_id}/changes?pageSize=2&pageNumber=2")
    assert response.headers["X-Total-Count"] == "5"  # the creation, three patches, the transition
    assert [record["version"] for record in response.json()] == [3, 2]
    assert [record["operation"] for record in changes_of(api, order_id, "?path=status")] == ["transition", "create"]
    assert len(changes_of(api, order_id, "?path=customer.")) == 3
    assert len(changes_of(api, order_id, "?actor=client")) == 5
    assert changes_of(api, order_id, "?actor=somebody-else") == []
    assert changes_of(api, order_id, "?from=2999-01-01T00:00:00Z") == []
    assert len(changes_of(api, order_id, "?to=2999-01-01T00:00:00Z")) == 5
    assert_error(api.get(f"salesorders/{order_id}/changes?from=yesterday"), 400, "validation_violation", "from")


def test_a_deleted_order_keeps_its_records_and_its_delete_is_one(api, order_id):
    assert api.delete(f"salesorders/{order_id}").status_code == 204
    assert api.get(f"salesorders/{order_id}/changes").status_code == 404
    records = api.get(f"changes?q=orderId:{order_id}").json()
    assert [record["operation"] for record in records] == ["delete", "create"]
    assert records[0]["changes"] == [
        {"path": "id", "before": order_id, "after": None},
        {"path": "status", "before": "CREATED", "after": None},
    ]


def test_the_tenant_endpoint_searches_by_actor_operation_and_time(api, order_id, tenant):
    api.patch(f"salesorders/{order_id}", {"siteCode": "AT"})
    entry_id = Order.objects.get(order_id=order_id).document["entries"][0]["id"]
    clerk = Actor(label="user:anna", kind="user", id="anna", name="Anna Meyer")
    record_deliveries(tenant=tenant, order_id=order_id, deliveries=[Delivery(entry_id, 1)], actor=clerk)
    by_anna = api.get("changes?q=actor.type:user").json()
    assert [(record["actor"], record["operation"]) for record in by_anna] == [
        ({"type": "user", "id": "anna", "name": "Anna Meyer"}, "deliveries")
    ]
    assert len(api.get("changes?q=operation:(patch,create)").json()) == 2
    assert api.get('changes?q=timestamp:>"2999-01-01T00:00:00Z"').json() == []
    assert api.get("changes?q=version:>=2").headers["X-Total-Count"] == "2"
    assert_error(api.get("changes?q=customer.email:x"), 400, "validation_violation", "q")


def test_a_failed_write_leaves_neither_the_change_nor_its_record(api, order_id):
    before = ChangeRecord.objects.count()
    with mock.patch.object(services, "_sync_entry_rows", side_effect=RuntimeError("disk full")):
        assert api.patch(f"salesorders/{order_id}", {"siteCode": "AT"}).status_code == 500
    assert ChangeRecord.objects.count() == before
    assert Order.objects.get(order_id=order_id).site_code != "AT"


def test_a_vendor_sees_no_changes_of_other_vendors_entries(api, api_session, seed_order):
    # given an order shared by vendor-a and vendor-b, whose two entries both change
    document = copy.deepcopy(seed_order)
    first = document["entries"][0]
    document["entries"] = [
        {**first, "id": "mine", "product": {**first["product"], "vendor": {"id": "vendor-a"}}},
        {**first, "id": "theirs", "product": {**first["product"], "vendor": {"id": "vendor-b"}}},
    ]
    order_id = api.post("salesorders", document).json()["id"]
    deliveries = [{"entryId": "mine", "deliveredAmount": 1}, {"entryId": "theirs", "deliveredAmount": 1}]
    api.post(f"salesorders/{order_id}/calculations", {"entries": deliveries})
    vendor = api_session([scopes.ORDER_READ_BY_VENDOR], vendor_id="vendor-a")
    # when
    paths = [change["path"] for change in changes_of(vendor, order_id)[0]["changes"]]
    # then its own entry's changes and the order's, none of vendor-b's entry
    assert "entries[mine].deliveredAmount" in paths
    assert "calculatedPrice.finalPrice.grossValue" in paths
    assert not [path for path in paths if path.startswith("entries[theirs]")]


def test_a_delete_in_the_admin_is_recorded_like_any_other(order_id, admin_client):
    order = Order.objects.get(order_id=order_id)
    response = admin_client.post(f"/admin/orders/order/{order.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Order.objects.filter(pk=order.pk).exists()
    deletion = ChangeRecord.objects.get(order_number=order_id, operation="delete")
    assert deletion.actor["type"] == "user" and deletion.actor["id"] == "admin"


def test_prune_changes_deletes_the_records_older_than_the_days_given(api, order_id):
    api.patch(f"salesorders/{order_id}", {"siteCode": "AT"})
    ChangeRecord.objects.filter(operation="create").update(timestamp=timezone.now() - timedelta(days=91))
    output = StringIO()
    call_command("prune_changes", "--older-than", "90", stdout=output)
    assert "Deleted 1 change records" in output.getvalue()
    assert list(ChangeRecord.objects.values_list("operation", flat=True)) == ["patch"]


def test_an_object_rewritten_wholesale_is_one_change():
    before = {"mixins": {"a": 1}}
    after = {"mixins": {f"k{index}": index for index in range(150)}}
    assert document_changes(before, after) == [{"path": "mixins", "before": before["mixins"], "after": after["mixins"]}]
