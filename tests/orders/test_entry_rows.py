"""The entry rows stay in line with the order document on every write, whichever way they are written."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Order, OrderEntry
from orders.services import entry_rows

pytestmark = pytest.mark.django_db


def stored_rows(order_id: str) -> list[tuple]:
    return list(
        OrderEntry.objects.filter(order__order_id=order_id)
        .order_by("position")
        .values_list("position", "entry_id", "product_id", "vendor_id", "amount", "delivered_amount", "unit")
    )


def rows_of_document(order_id: str) -> list[tuple]:
    order = Order.objects.get(order_id=order_id)
    return [
        (row.position, row.entry_id, row.product_id, row.vendor_id, row.amount, row.delivered_amount, row.unit)
        for row in entry_rows(order)
    ]


@pytest.fixture
def order_id(api, seed_order) -> str:
    second = {**seed_order["entries"][0], "id": "second", "product": {"id": "P-2", "vendor": {"id": "vendor-b"}}}
    response = api.post("salesorders", {**seed_order, "entries": [*seed_order["entries"], second]})
    assert response.status_code == 201, response
    return response.json()["id"]


def test_delivered_amount_updates_only_the_changed_row_in_place(api, order_id):
    # given
    entry_ids = [row[1] for row in stored_rows(order_id)]
    row_ids = list(
        OrderEntry.objects.filter(order__order_id=order_id).order_by("position").values_list("pk", flat=True)
    )
    # when
    with CaptureQueriesContext(connection) as queries:
        response = api.post(
            f"salesorders/{order_id}/calculations", {"entries": [{"entryId": entry_ids[1], "deliveredAmount": 1}]}
        )
    # then
    assert response.status_code == 200, response
    assert stored_rows(order_id) == rows_of_document(order_id)
    assert stored_rows(order_id)[1][5] == Decimal("1.000")
    assert stored_rows(order_id)[0][5] is None
    kept = OrderEntry.objects.filter(order__order_id=order_id).order_by("position").values_list("pk", flat=True)
    assert list(kept) == row_ids
    entry_writes = [query["sql"] for query in queries.captured_queries if "orders_orderentry" in query["sql"]]
    assert [sql.split()[0] for sql in entry_writes if not sql.startswith("SELECT")] == ["UPDATE"]


def test_changed_vendor_of_an_entry_is_updated_in_its_row(api, order_id):
    # given
    document = api.get(f"salesorders/{order_id}").json()
    document["entries"][0]["product"]["vendor"] = {"id": "vendor-z"}
    # when
    response = api.put(f"salesorders/{order_id}", document)
    # then
    assert response.status_code == 204, response
    assert stored_rows(order_id) == rows_of_document(order_id)
    assert stored_rows(order_id)[0][3] == "vendor-z"


@pytest.mark.parametrize("change", ["remove first", "swap", "add"])
def test_entries_moved_added_or_removed_rewrite_the_rows(api, order_id, change):
    # given
    document = api.get(f"salesorders/{order_id}").json()
    entries = document["entries"]
    if change == "remove first":
        entries = entries[1:]
    elif change == "swap":
        entries = entries[::-1]
    else:
        entries = [*entries, {**entries[0], "id": "third", "product": {"id": "P-3"}}]
    # when
    response = api.put(f"salesorders/{order_id}", {**document, "entries": entries})
    # then
    assert response.status_code == 204, response
    assert stored_rows(order_id) == rows_of_document(order_id)
    assert [row[1] for row in stored_rows(order_id)] == [entry["id"] for entry in entries]


def test_unchanged_entries_write_no_row(api, order_id):
    # given
    document = api.get(f"salesorders/{order_id}").json()
    # when
    with CaptureQueriesContext(connection) as queries:
        response = api.put(f"salesorders/{order_id}", {**document, "channel": {"name": "phone"}})
    # then
    assert response.status_code == 204, response
    writes = [
        q["sql"] for q in queries.captured_queries if "orders_orderentry" in q["sql"] and "SELECT" not in q["sql"]
    ]
    assert writes == []
    assert stored_rows(order_id) == rows_of_document(order_id)
