"""`generate_orders`: realistic orders, bulk-loaded, stored exactly as `create_order` stores them."""

import copy
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from orders import bulk, documents, selectors
from orders.models import Order, OrderEntry, OrderEvent, OrderEventType
from orders.pricing import calculate
from orders.schema import validate_order_document
from orders.services import create_order, create_tenant

ORDER_COLUMNS_SET_BY_THE_DATABASE = {"id", "tenant"}
ENTRY_COLUMNS_SET_BY_THE_DATABASE = {"id", "order"}


@pytest.fixture
def generated_documents(monkeypatch) -> list[dict]:
    """Every client document the generator makes, as it made it."""
    documents: list[dict] = []
    make_document = bulk.OrderGenerator.document

    def recording(self, index: int, number: int) -> dict:
        document = make_document(self, index, number)
        documents.append(copy.deepcopy(document))
        return document

    monkeypatch.setattr(bulk.OrderGenerator, "document", recording)
    return documents


def stored_columns(order: Order) -> dict:
    return {
        field: value for field, value in model_to_dict(order).items() if field not in ORDER_COLUMNS_SET_BY_THE_DATABASE
    }


def stored_entries(order: Order) -> list[dict]:
    return [
        {field: value for field, value in model_to_dict(row).items() if field not in ENTRY_COLUMNS_SET_BY_THE_DATABASE}
        for row in OrderEntry.objects.filter(order=order).order_by("position")
    ]


def placed_events(order: Order) -> list[tuple]:
    """The order's events without their timestamps, which record when the row was written."""
    return list(OrderEvent.objects.filter(order=order).values_list("type", "actor", "parameters"))


def test_generated_order_is_stored_exactly_as_create_order_stores_it(tenant, other_tenant, generated_documents):
    # given
    bulk.generate_orders(tenant, 3, seed=1)
    generated = Order.objects.get(tenant=tenant, order_id="EON1002")
    # when: the same client document goes through create_order (the other tenant's counter also gives EON1002)
    create_order(tenant=other_tenant, document=generated_documents[0], actor=bulk.ACTOR)
    created = create_order(tenant=other_tenant, document=generated_documents[1], actor=bulk.ACTOR)
    created.refresh_from_db()
    # then
    assert created.order_id == generated.order_id
    assert stored_columns(generated) == stored_columns(created)
    assert selectors.order_document_text(tenant, "EON1002", bulk.ACTOR) == selectors.order_document_text(
        other_tenant, "EON1002", bulk.ACTOR
    )
    assert stored_entries(generated) == stored_entries(created)
    assert (
        placed_events(generated)
        == placed_events(created)
        == [(OrderEventType.PLACED, "generate_orders", {"status": generated.status})]
    )


def test_generated_order_has_the_server_fields_of_a_created_order(tenant, generated_documents):
    # when
    bulk.generate_orders(tenant, 1, seed=2)
    # then
    order = Order.objects.get(tenant=tenant)
    document = order.document
    assert document["id"] == order.order_id == "EON1001"
    assert document["status"] == order.status == generated_documents[0]["status"]
    assert document["created"] == generated_documents[0]["created"]
    assert document["lastStatusChange"] == generated_documents[0]["lastStatusChange"]
    assert document["metadata"]["version"] == order.version == 1
    assert document["mixins"]["generalAttributes"]["orderNumber"] == order.order_id


def test_generated_orders_are_served_by_the_api(api, tenant):
    # given
    bulk.generate_orders(tenant, 5, seed=3)
    stored = Order.objects.get(tenant=tenant, order_id="EON1003")
    # when
    single = api.get("salesorders/EON1003")
    found = api.get("salesorders", QUERY_STRING="q=mixins.generalAttributes.orderNumber:EON1003")
    history = api.get("salesorders/EON1003/historical-transitions")
    # then
    assert single.status_code == 200
    assert single.json() == stored.document
    assert [order["id"] for order in found.json()] == ["EON1003"]
    assert found.headers["X-Total-Count"] == "1"
    assert [transition["status"] for transition in history.json()["transitions"]] == [stored.status]


# What the pricing engine writes into an order document: on the order, and on each of its entries.
MONEY_FIELDS = ("calculatedPrice", "subTotalPrice", "totalPrice", "tax")
ENTRY_MONEY_FIELDS = ("calculatedUnitPrice", "calculatedPrice", "totalPrice", "tax")


def money_fields(document: dict) -> str:
    """The order's money fields as JSON text, so that equal means byte for byte (300.000 is not 300)."""
    entries = [{field: entry.get(field) for field in ENTRY_MONEY_FIELDS} for entry in document["entries"]]
    return documents.dumps({"entries": entries, **{field: document.get(field) for field in MONEY_FIELDS}})


def test_generated_order_is_what_the_pricing_engine_answers(tenant, generated_documents):
    # when
    bulk.generate_orders(tenant, 300, seed=8)
    # then: pricing a generated document again gives it back unchanged, every byte of it
    assert generated_documents
    for document in generated_documents:
        assert documents.dumps(calculate(document)) == documents.dumps(document)


def test_generated_order_recalculated_unchanged_keeps_its_money_fields_byte_for_byte(api, tenant):
    # given
    bulk.generate_orders(tenant, 40, seed=9)
    orders = Order.objects.filter(tenant=tenant).exclude(status="COMPLETED")[:10]
    before = {order.order_id: money_fields(order.document) for order in orders}
    # when
    for order_id in before:
        assert api.patch(f"salesorders/{order_id}?recalculate=true", {}).status_code == 204
    # then
    after = {order.order_id: money_fields(order.document) for order in Order.objects.filter(order_id__in=before)}
    assert after == before


def test_generated_payments_carry_what_was_paid(tenant, generated_documents):
    # when
    bulk.generate_orders(tenant, 200, seed=10)
    # then: completed orders are paid in full, others not yet
    for document in generated_documents:
        [payment] = document["payments"]
        paid = document["totalPrice"] if document["status"] == "COMPLETED" else 0
        assert (payment["paidAmount"], payment["authorizedAmount"]) == (paid, document["totalPrice"])


@pytest.mark.parametrize(
    "query",
    [
        "q=mixins.generalAttributes.extendedOrderStatus:05&sort=siteCode,created:desc&pageNumber=2&pageSize=5",
        "q=entries.product.vendor.id:vendor-deli&pageSize=7",
    ],
)
def test_pages_of_a_document_query_are_the_same_however_they_are_planned(api, tenant, monkeypatch, query):
    # given
    bulk.generate_orders(tenant, 60, seed=7)
    # when: sorted from the list of the matches, or by the database alone
    monkeypatch.setattr(selectors, "SMALL_RESULT", 10_000)
    from_the_list = api.get("salesorders", QUERY_STRING=query)
    monkeypatch.setattr(selectors, "SMALL_RESULT", 0)
    by_the_database = api.get("salesorders", QUERY_STRING=query)
    # then
    assert from_the_list.json() == by_the_database.json()
    assert len(from_the_list.json()) > 1
    assert from_the_list.headers["X-Total-Count"] == by_the_database.headers["X-Total-Count"]


def test_generate_orders_takes_ids_from_the_tenant_counter_and_skips_ids_clients_chose(tenant, seed_order):
    # given
    create_order(tenant=tenant, document=seed_order, actor=bulk.ACTOR)  # EON1001
    create_order(tenant=tenant, document={**seed_order, "id": "EON1003"}, actor=bulk.ACTOR)
    # when
    stored = bulk.generate_orders(tenant, 5)
    # then
    assert stored == 5
    assert sorted(Order.objects.filter(tenant=tenant).values_list("order_id", flat=True)) == [
        f"EON{number}" for number in range(1001, 1008)
    ]
    tenant.refresh_from_db()
    assert tenant.last_order_number == 1007
    assert create_order(tenant=tenant, document=seed_order, actor=bulk.ACTOR).order_id == "EON1008"


def test_generate_orders_advances_the_counter_once_per_batch(tenant, monkeypatch):
    # given
    monkeypatch.setattr(bulk, "BATCH_SIZE", 4)
    allocations = []
    allocate = bulk.allocate_order_numbers
    monkeypatch.setattr(bulk, "allocate_order_numbers", lambda *args: allocations.append(args[1]) or allocate(*args))
    # when
    bulk.generate_orders(tenant, 10)
    # then
    assert allocations == [4, 4, 2]
    assert Order.objects.filter(tenant=tenant).count() == OrderEvent.objects.filter(order__tenant=tenant).count() == 10


def test_generated_orders_are_varied_and_valid(tenant, generated_documents):
    # when
    bulk.generate_orders(tenant, 400, seed=4)
    # then
    orders = Order.objects.filter(tenant=tenant)
    now = timezone.now()
    entry_counts = Counter(len(order.document["entries"]) for order in orders)
    assert len(set(orders.values_list("status", flat=True))) >= 3
    assert set(orders.values_list("currency", flat=True)) == {"EUR", "CHF", "USD"}
    assert len(set(orders.values_list("site_code", flat=True))) == 4
    assert len(set(OrderEntry.objects.filter(order__tenant=tenant).values_list("vendor_id", flat=True))) >= 8
    assert min(entry_counts) == 1 and max(entry_counts) <= bulk.MAX_ENTRIES
    assert entry_counts.most_common(1)[0][0] == 1
    assert min(orders.values_list("created", flat=True)) < now - timedelta(days=700)
    assert max(orders.values_list("created", flat=True)) > now - timedelta(days=3)
    assert all(validate_order_document(document) for document in generated_documents)


def test_ids_grow_with_creation_time(tenant):
    # when
    bulk.generate_orders(tenant, 50, seed=5)
    # then
    by_number = sorted(Order.objects.filter(tenant=tenant), key=lambda order: int(order.order_id[3:]))
    assert [order.created for order in by_number] == sorted(order.created for order in by_number)


def test_same_seed_same_orders():
    # given
    now = timezone.now()
    # when
    first, second = (bulk.OrderGenerator("acme", 20, seed="6:0", now=now) for _ in range(2))
    # then
    assert [first.document(index, 1001 + index) for index in range(20)] == [
        second.document(index, 1001 + index) for index in range(20)
    ]


def test_generate_orders_command_reports_progress(tenant):
    # given
    out, err = StringIO(), StringIO()
    # when
    call_command("generate_orders", "--tenant", "acme", "--count", "3", "--workers", "1", stdout=out, stderr=err)
    # then
    assert "Stored 3 orders for tenant acme." in out.getvalue()
    assert "3/3 orders" in err.getvalue()
    assert "orders/s" in err.getvalue()
    assert Order.objects.filter(tenant=tenant).count() == 3


@pytest.mark.parametrize("args", [["--tenant", "nosuch", "--count", "3"], ["--tenant", "acme", "--count", "0"]])
def test_generate_orders_command_refuses_bad_arguments(tenant, args):
    with pytest.raises(CommandError):
        call_command("generate_orders", *args, stdout=StringIO(), stderr=StringIO())
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel loading runs on PostgreSQL only")
def test_parallel_workers_load_every_batch_once(monkeypatch):
    # given
    tenant = create_tenant(name="acme")
    monkeypatch.setattr(bulk, "BATCH_SIZE", 3)
    # when
    stored = bulk.generate_orders(tenant, 10, workers=2)
    # then
    assert stored == 10
    assert sorted(Order.objects.filter(tenant=tenant).values_list("order_id", flat=True)) == sorted(
        f"EON{number}" for number in range(1001, 1011)
    )
    assert OrderEvent.objects.filter(order__tenant=tenant).count() == 10
