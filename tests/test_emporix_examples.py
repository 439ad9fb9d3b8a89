"""Every request example of Emporix's two specs, sent to us as an integration would send it.

Each is answered with the status the spec documents for success, and (through the API session's check) with a
body its response schema accepts. Ids are adapted where an example names records of Emporix's own tenant: the
orders an example acts on are created first, with the entry ids the example names.
"""

import copy
from decimal import Decimal

import pytest

from orders.actors import Actor
from orders.catalog import EntryChange
from orders.demo import load_catalog
from orders.models import Order, Product
from orders.services import change_entries, create_order

from . import emporix
from .pickpack.conftest import eager_tasks, event_body, pickpack_session  # noqa: F401 (eager_tasks: a fixture)

# Operations of the specs this back office does not offer (docs/compatibility.md): the storefront's customer
# transitions and pick-pack's packing lists.
NOT_OFFERED = {
    "POST-order-update-order-transition-storefront",
    "PATCH-pick-pack-update-order-status",
    "POST-pick-pack-add-order-assignee",
}
# The paths of the operations offered: the tenant-managed orders, packing events and recalculation jobs.
OFFERED_PATHS = ("/order-v2/{tenant}/salesorders", "/pick-pack/{tenant}/events", "/pick-pack/{tenant}/jobs/")
EXAMPLES = [
    pytest.param(operation, name, body, id=f"{operation.name}: {name}")
    for operation in emporix.operations()
    for name, body in operation.request_examples()
]
# The product of the `/entries` examples, and the entry ids of the `/calculations` example.
EXAMPLE_PRODUCT = "1010234"
PIECES_ENTRY, GRAMS_ENTRY = "5c336893a981210009900071", "5c336893a981210009900072"


@pytest.fixture
def catalog(tenant):
    load_catalog(tenant)
    Product.objects.create(
        tenant=tenant, product_id=EXAMPLE_PRODUCT, name="Example product", unit_price=Decimal("5.00"), currency="EUR"
    )


def success_status(operation: emporix.Operation) -> int:
    return min(int(status) for status in operation.document["responses"] if status.startswith("2"))


def order_for(operation: emporix.Operation, name: str, tenant, seed_order: dict) -> str:
    """The order an example acts on, as the example expects to find it."""
    document = copy.deepcopy(seed_order)
    document["id"] = "EON1007"  # the order the search example looks for
    if operation.path.endswith("/split"):
        document["status"] = "CREATED"
        document["entries"][0]["product"]["vendor"] = {"id": "vendor-ushoes"}
    if operation.path.endswith("/calculations"):
        document["entries"][0]["id"] = PIECES_ENTRY
    order_id = create_order(tenant=tenant, document=document, actor=Actor(label="test")).order_id
    changes = {
        "split": [EntryChange(Decimal(3), product_id="GLOVES-NITRIL-100")],
        "calculations": [EntryChange(Decimal("1.5"), product_id="CHEESE-GOUDA-KG")],
        "entries": [] if name == "Add new product to order" else [EntryChange(Decimal(1), product_id=EXAMPLE_PRODUCT)],
    }.get(operation.path.rsplit("/", 1)[-1], [])
    if changes:
        change_entries(tenant=tenant, order_id=order_id, changes=changes, actor=Actor.system(), store=True)
    if operation.path.endswith("/calculations"):
        order = Order.objects.get(tenant=tenant, order_id=order_id)
        order.document["entries"][1]["id"] = GRAMS_ENTRY
        order.save(update_fields=["document"])
    return order_id


@pytest.mark.usefixtures("eager_tasks")
@pytest.mark.parametrize(("operation", "name", "body"), EXAMPLES)
def test_spec_request_example_is_answered_as_documented(
    api,
    tenant,
    seed_order,
    catalog,
    django_capture_on_commit_callbacks,
    operation,
    name,
    body,
):
    # given
    session = pickpack_session(api) if operation.service == "pick-pack" else api
    path = operation.path.split("/", 3)[3]  # after /{service}/{tenant}/
    if "{orderId}" in path:
        path = path.replace("{orderId}", order_for(operation, name, tenant, seed_order))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = session.call(operation.method, path, copy.deepcopy(body))
    # then
    if operation.name in NOT_OFFERED:
        assert response.status_code == 404, response
        assert response.json()["status"] == 404
        return
    assert response.status_code == success_status(operation), response


def test_dynamic_variant_example_is_priced_from_the_catalog(api, catalog):
    # given Emporix's order of a DYNAMIC_VARIANT product: a product snapshot, no price, no customer
    create = emporix.operation_for("POST", "/order-v2/acme/salesorders")
    body = dict(create.request_examples())["Sales Order creation with DYNAMIC_VARIANT product"]
    # when
    order_id = api.post("salesorders", body).json()["id"]
    # then the entry carries the catalog's price (999.00, STANDARD 19 % at home) and the snapshot as sent
    order = api.get(f"salesorders/{order_id}").json()
    [entry] = order["entries"]
    assert entry["product"] == {**body["entries"][0]["product"], "localizedName": entry["product"]["localizedName"]}
    assert entry["calculatedUnitPrice"] == {
        "netValue": Decimal("999.000"),
        "grossValue": Decimal("1188.810"),
        "taxValue": Decimal("189.810"),
        "taxCode": "STANDARD",
        "taxRate": 19,
    }
    assert order["currency"] == "EUR"
    assert order["calculatedPrice"]["finalPrice"]["grossValue"] == Decimal("1188.81")
    assert "customer" not in order


@pytest.mark.usefixtures("eager_tasks")
def test_every_offered_operation_answers_in_the_specs_shape(
    api, tenant, seed_order, catalog, two_vendor_order, django_capture_on_commit_callbacks, monkeypatch
):
    # given an order with a packing event and a finished recalculation job; every answer is recorded as checked
    checked = []
    check = emporix.check_answer
    monkeypatch.setattr(
        emporix,
        "check_answer",
        lambda method, url, *rest: checked.append(emporix.operation_for(method, url)) or check(method, url, *rest),
    )
    pickpack, order_id = pickpack_session(api), two_vendor_order.order_id
    with django_capture_on_commit_callbacks(execute=True):
        assert pickpack.post("events", event_body(two_vendor_order, event_id="e1", entry=1)).status_code == 200
        job_id = pickpack.post("jobs/recalculations", {"jobType": "MANUAL", "orderIds": [order_id]}).json()["jobId"]
    # when every read of both specs is asked, and the writes not replayed from examples
    answers = [
        api.get("salesorders"),
        api.head("salesorders"),
        api.get(f"salesorders/{order_id}"),
        api.get(f"salesorders/{order_id}/transitions"),
        api.get(f"salesorders/{order_id}/historical-transitions"),
        pickpack.get("events"),
        pickpack.get(f"jobs/recalculations/{job_id}"),
        api.post(f"salesorders/{order_id}/split", {"splitBy": "VENDOR_ID"}),
        api.delete(f"salesorders/{api.post('salesorders', seed_order).json()['id']}"),
    ]
    # then each is a success, checked against the spec; with the examples' writes, every offered operation is
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 200, 200, 200, 200, 204]
    offered = {op.name for op in emporix.operations() if op.path.startswith(OFFERED_PATHS)}
    replayed = {operation.name for operation, _, _ in (param.values for param in EXAMPLES)}
    assert offered <= {op.name for op in checked if op is not None} | replayed
