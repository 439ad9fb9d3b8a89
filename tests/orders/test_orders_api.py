"""The order resource over HTTP with real tokens: create, read, replace, patch, delete, list."""

import copy
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from orders import scopes
from orders.models import Order, OrderEvent
from orders.pricing import calculate

from ..conftest import ApiSession


@pytest.fixture
def created(api, seed_order) -> str:
    response = api.post("salesorders", seed_order)
    assert response.status_code == 201, response
    return response.json()["id"]


def assert_error(response, status: int, error_type: str, field: str | None = None) -> dict:
    assert response.status_code == status, response
    body = response.json()
    assert body["status"] == status
    assert body["type"] == error_type
    assert body["message"]
    if field is not None:
        assert field in [detail["field"] for detail in body["details"]], body
    return body


# --- create -----------------------------------------------------------------------------------------------------


def test_create_seed_order_reads_back_equal_in_every_field(api, seed_order):
    # when
    response = api.post("salesorders", seed_order)
    # then
    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], "yrn": f"urn:yaas:saasag:order:salesorder:acme;{body['id']}"}
    assert response.headers["Location"].endswith(f"/order-v2/acme/salesorders/{body['id']}")
    stored = api.get(f"salesorders/{body['id']}").json()
    for field, value in seed_order.items():
        assert stored[field] == value, field


def test_create_assigns_sequential_eon_ids_per_tenant(api, api_session, other_tenant, seed_order):
    # given
    other = api_session(for_tenant=other_tenant)
    # when
    first = api.post("salesorders", seed_order).json()["id"]
    second = api.post("salesorders", seed_order).json()["id"]
    elsewhere = other.post("salesorders", seed_order).json()["id"]
    # then
    assert (first, second, elsewhere) == ("EON1001", "EON1002", "EON1001")


def test_create_sets_server_fields(api, seed_order):
    # when
    order_id = api.post("salesorders", seed_order).json()["id"]
    # then
    order = api.get(f"salesorders/{order_id}").json()
    assert order["id"] == order_id
    assert order["status"] == "IN_CHECKOUT"
    assert order["created"].endswith("Z")
    assert order["lastStatusChange"] == order["created"]
    assert order["metadata"]["version"] == 1
    assert order["metadata"]["mixins"] == seed_order["metadata"]["mixins"]
    assert [entry["id"] for entry in order["entries"]] == ["BC10033--BC10033-43"]


def test_create_without_status_is_created(api, seed_order):
    del seed_order["status"]
    order_id = api.post("salesorders", seed_order).json()["id"]
    assert api.get(f"salesorders/{order_id}").json()["status"] == "CREATED"


def test_create_with_client_id_then_sequence_skips_it(api, seed_order):
    # given
    assert api.post("salesorders", {**seed_order, "id": "EON1001"}).status_code == 201
    # when
    generated = api.post("salesorders", seed_order).json()["id"]
    # then
    assert generated == "EON1002"


def test_create_duplicate_client_id_is_409_and_changes_nothing(api, seed_order):
    # given
    api.post("salesorders", {**seed_order, "id": "ERP-4711"})
    # when
    response = api.post("salesorders", {**seed_order, "id": "ERP-4711", "siteCode": "US"})
    # then
    assert_error(response, 409, "conflict_resource", "id")
    assert api.get("salesorders/ERP-4711").json()["siteCode"] == "DE"
    assert Order.objects.count() == 1


def test_create_keeps_unknown_fields_mixins_unicode_and_exact_numbers(api, seed_order):
    # given
    seed_order["mixins"]["custom"] = {"deep": {"list": [1, {"x": None}, "ü€😀"], "flag": False}}
    seed_order["somethingNew"] = {"a": [[1, 2], [3]]}
    seed_order["customer"]["localizedNote"] = {"de": "Grüße", "ja": "こんにちは"}
    seed_order["entries"][0]["price"]["effectiveAmount"] = documents_decimal("0.1000000000000000055511151231257827")
    # when
    order_id = api.post("salesorders", seed_order).json()["id"]
    # then
    stored = api.get(f"salesorders/{order_id}").json()
    assert stored["mixins"]["custom"] == seed_order["mixins"]["custom"]
    assert stored["somethingNew"] == {"a": [[1, 2], [3]]}
    assert stored["customer"]["localizedNote"] == {"de": "Grüße", "ja": "こんにちは"}
    assert str(stored["entries"][0]["price"]["effectiveAmount"]) == "0.1000000000000000055511151231257827"


def documents_decimal(text: str):
    from decimal import Decimal

    return Decimal(text)


def test_create_without_customer_is_accepted(api, seed_order):
    # given: Emporix's own DYNAMIC_VARIANT example creates an order without a customer
    del seed_order["customer"]
    # when
    response = api.post("salesorders", seed_order)
    # then
    assert response.status_code == 201, response
    assert "customer" not in api.get(f"salesorders/{response.json()['id']}").json()


@pytest.mark.parametrize(
    "leave_out",
    [
        lambda o: o.pop("calculatedPrice"),
        lambda o: (o["entries"][0].pop("calculatedPrice"), o["entries"][0].pop("totalPrice", None)),
    ],
    ids=["order-prices", "entry-prices"],
)
def test_create_without_prices_is_priced_by_the_engine(api, seed_order, leave_out):
    # given the seed order without prices it can be priced from
    leave_out(seed_order)
    # when
    response = api.post("salesorders", seed_order)
    # then: what is left out is the engine's to price
    assert response.status_code == 201, response
    stored = api.get(f"salesorders/{response.json()['id']}").json()
    assert stored["entries"][0]["calculatedPrice"]["finalPrice"]["netValue"] == Decimal("300.000")
    assert stored["calculatedPrice"]["finalPrice"] == calculate(seed_order)["calculatedPrice"]["finalPrice"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda o: o.pop("entries"), "entries"),
        (lambda o: o.update(entries=[]), "entries"),
        (lambda o: o["customer"].pop("email"), "customer.email"),
        (lambda o: o.update(status="SHIPPED_TO_MARS"), "status"),
        (lambda o: o.update(currency="euro"), "currency"),
        (lambda o: o.update(created="yesterday"), "created"),
        (lambda o: o.update(siteCode=42), "siteCode"),
        (lambda o: o.update(siteCode="x" * 65), "siteCode"),
        (lambda o: o.update(id="has space"), "id"),
        (lambda o: o.update(mixins=[]), "mixins"),
        (lambda o: o["entries"][0].update(amount=-1), "entries[0].amount"),
        (lambda o: o["entries"][0].update(amount="3"), "entries[0].amount"),
        (lambda o: o["entries"][0].update(amount=True), "entries[0].amount"),
        (lambda o: o["entries"][0].update(amount=10**20), "entries[0].amount"),
        (lambda o: o["entries"].append(copy.deepcopy(o["entries"][0])), "entries[1].id"),
        (
            lambda o: o["calculatedPrice"]["finalPrice"].update(grossValue="433.72"),
            "calculatedPrice.finalPrice.grossValue",
        ),
        (lambda o: o["customer"].update(name="nul\x00byte"), "customer.name"),
        (lambda o: o["entries"][0]["product"].update(vendor={"name": "no id"}), "entries[0].product.vendor.id"),
    ],
)
def test_create_invalid_field_is_400_naming_it(api, seed_order, mutate, field):
    # given
    mutate(seed_order)
    # when
    response = api.post("salesorders", seed_order)
    # then
    assert_error(response, 400, "validation_violation", field)
    assert Order.objects.count() == 0


@pytest.mark.parametrize("body", ['{"entries": [', "not json", "[1, 2]", '"text"', "", '{"a": NaN}', "[" * 100000])
def test_create_malformed_body_is_400(api, body):
    response = api.post("salesorders", body=body)
    assert_error(response, 400, "validation_violation")
    assert Order.objects.count() == 0


def test_create_with_non_json_content_type_is_415(api):
    response = api.post("salesorders", body="a=b", content_type="application/x-www-form-urlencoded")
    assert_error(response, 415, "unsupported_media_type")


# --- authentication and authorization ---------------------------------------------------------------------------


def test_token_endpoint_issues_bearer_tokens_with_the_clients_scopes(client, tenant):
    # given
    from orders.services import create_api_client

    api_client, secret = create_api_client(tenant=tenant, scopes=[scopes.ORDER_READ, scopes.ORDER_CREATE])
    # when
    response = client.post(
        "/oauth/token",
        {"grant_type": "client_credentials", "client_id": api_client.application.client_id, "client_secret": secret},
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 0
    assert set(body["scope"].split()) == {scopes.ORDER_READ, scopes.ORDER_CREATE}


def test_token_endpoint_refuses_wrong_secret_and_foreign_scopes(client, tenant):
    from orders.services import create_api_client

    api_client, secret = create_api_client(tenant=tenant, scopes=[scopes.ORDER_READ])
    form = {"grant_type": "client_credentials", "client_id": api_client.application.client_id}
    assert client.post("/oauth/token", {**form, "client_secret": "wrong"}).status_code == 401
    refused = client.post("/oauth/token", {**form, "client_secret": secret, "scope": scopes.ORDER_DELETE})
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Basic abc", "Bearer unknown-token", "Bearer a b"])
def test_missing_malformed_or_unknown_token_is_401(client, tenant, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/order-v2/acme/salesorders", **extra)
    assert response.status_code == 401
    assert response.json()["type"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(api):
    # given
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    # when
    response = api.get("salesorders")
    # then
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "granted"),
    [
        ("GET", "salesorders", scopes.ORDER_CREATE),
        ("HEAD", "salesorders", scopes.ORDER_CREATE),
        ("POST", "salesorders", scopes.ORDER_READ),
        ("GET", "salesorders/EON1001", scopes.ORDER_CREATE),
        ("PUT", "salesorders/EON1001", scopes.ORDER_READ),
        ("PATCH", "salesorders/EON1001", scopes.ORDER_READ),
        ("DELETE", "salesorders/EON1001", scopes.ORDER_UPDATE),
    ],
)
def test_wrong_scope_is_403(api_session, method, path, granted):
    session = api_session([granted])
    response = session.call(method, path, {} if method in {"POST", "PUT", "PATCH"} else None)
    assert response.status_code == 403
    if method != "HEAD":
        assert response.json()["type"] == "insufficient_permissions"


@pytest.mark.parametrize("path", ["salesorders", "salesorders/EON1001"])
def test_other_tenants_token_is_403_and_learns_nothing(api, api_session, other_tenant, seed_order, path):
    # given an order of acme, and a token of globex
    api.post("salesorders", seed_order)
    intruder = api_session(for_tenant=other_tenant)
    # when
    on_existing = intruder.get(path, tenant="acme")
    on_missing = intruder.get(path, tenant="nosuchtenant")
    # then the answers are the same whether the tenant exists or not
    assert on_existing.status_code == on_missing.status_code == 403
    assert on_existing.json() == on_missing.json()


# --- read -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["salesorders/EON999999", "salesorders/EON%00", "salesorders/EON%00/transitions", "salesorders/%00/split"]
)
def test_get_unknown_order_is_404(api, path):
    assert_error(api.get(path), 404, "element_resource_non_existing")


def test_unknown_api_url_is_json_404(api):
    assert_error(api.get("nothing-here"), 404, "element_resource_non_existing")


def test_unsupported_method_is_json_405(api):
    assert_error(api.delete("salesorders"), 405, "method_not_allowed")


# --- replace (PUT) ----------------------------------------------------------------------------------------------


def test_put_replaces_the_document_and_bumps_the_version(api, created, seed_order):
    # given
    replacement = copy.deepcopy(seed_order)
    del replacement["deliveryWindow"]
    replacement["siteCode"] = "AT"
    replacement["metadata"]["version"] = 1
    # when
    response = api.put(f"salesorders/{created}", replacement)
    # then
    assert response.status_code == 204
    assert response.raw.content == b""
    stored = api.get(f"salesorders/{created}").json()
    assert stored["siteCode"] == "AT"
    assert "deliveryWindow" not in stored
    assert stored["metadata"]["version"] == 2


def test_put_keeps_server_fields(api, created, seed_order):
    # given
    before = api.get(f"salesorders/{created}").json()
    replacement = {**seed_order, "id": "EON-OTHER", "created": "2001-01-01T00:00:00.000Z", "orderType": "SUB_ORDER"}
    # when
    assert api.put(f"salesorders/{created}", replacement).status_code == 204
    # then
    after = api.get(f"salesorders/{created}").json()
    assert (after["id"], after["created"], after.get("orderType")) == (before["id"], before["created"], None)


def test_put_with_stale_version_is_409_naming_the_current_version_and_changes_nothing(api, created, seed_order):
    # given the order is at version 2
    api.patch(f"salesorders/{created}", {"siteCode": "AT"})
    # when
    response = api.put(f"salesorders/{created}", {**seed_order, "siteCode": "CH", "metadata": {"version": 1}})
    # then
    body = assert_error(response, 409, "conflict_resource", "metadata.version")
    assert "version 2" in body["message"]
    stored = api.get(f"salesorders/{created}").json()
    assert (stored["siteCode"], stored["metadata"]["version"]) == ("AT", 2)


def test_put_invalid_document_is_400_and_changes_nothing(api, created, seed_order):
    response = api.put(f"salesorders/{created}", {**seed_order, "entries": "none"})
    assert_error(response, 400, "validation_violation", "entries")
    assert api.get(f"salesorders/{created}").json()["metadata"]["version"] == 1


def test_put_unknown_order_is_404(api, seed_order):
    assert_error(api.put("salesorders/EON4040", seed_order), 404, "element_resource_non_existing")


def test_put_malformed_json_is_400(api, created):
    assert_error(api.put(f"salesorders/{created}", body="{oops"), 400, "validation_violation")


# --- patch (JSON merge patch) -----------------------------------------------------------------------------------


def test_patch_merges_objects_replaces_arrays_and_removes_nulls(api, created):
    # when
    response = api.patch(
        f"salesorders/{created}",
        {
            "customer": {"company": None, "firstName": "Jane"},
            "mixins": {"generalAttributes": {"orderNumber": "X-1"}},
            "payments": [],
            "deliveryWindow": None,
            "metadata": {"version": 1},
        },
    )
    # then
    assert response.status_code == 204
    stored = api.get(f"salesorders/{created}").json()
    assert "company" not in stored["customer"]
    assert stored["customer"]["firstName"] == "Jane"
    assert stored["customer"]["lastName"] == "Smith"
    assert stored["mixins"]["generalAttributes"] == {
        "extendedOrderStatus": "05",
        "customerFirstOrder": False,
        "orderNumber": "X-1",
    }
    assert stored["payments"] == []
    assert "deliveryWindow" not in stored
    assert stored["metadata"]["version"] == 2
    assert stored["metadata"]["mixins"]["payment"].endswith("paymentMixIn.v3.json")


def test_order_with_a_null_required_field_stays_writable(api, seed_order):
    # given: an order whose customer email is null, as orders may have been stored
    seed_order["customer"]["email"] = None
    order_id = api.post("salesorders", seed_order).json()["id"]
    # when
    patched = api.patch(f"salesorders/{order_id}", {"channel": {"name": "phone"}})
    moved = api.post(f"salesorders/{order_id}/transitions", {"status": "CREATED"})
    # then
    assert (patched.status_code, moved.status_code) == (204, 204)
    stored = api.get(f"salesorders/{order_id}").json()
    assert stored["channel"] == {"name": "phone"}
    assert (stored["status"], stored["metadata"]["version"]) == ("CREATED", 3)
    assert stored["customer"]["email"] is None


def test_patch_with_stale_version_is_409(api, created):
    api.patch(f"salesorders/{created}", {"siteCode": "AT"})
    response = api.patch(f"salesorders/{created}", {"siteCode": "CH", "metadata": {"version": 1}})
    assert_error(response, 409, "conflict_resource")
    assert api.get(f"salesorders/{created}").json()["siteCode"] == "AT"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"entries": None}, "entries"),
        ({"customer": {"email": 5}}, "customer.email"),
        ({"metadata": {"version": "one"}}, "metadata.version"),
        ({"metadata": {"version": 1.5}}, "metadata.version"),
    ],
)
def test_patch_to_invalid_document_is_400_and_changes_nothing(api, created, patch, field):
    assert_error(api.patch(f"salesorders/{created}", patch), 400, "validation_violation", field)
    assert api.get(f"salesorders/{created}").json()["metadata"]["version"] == 1


def test_patch_status_follows_the_status_machine(api, created):
    # given IN_CHECKOUT
    # when an illegal jump
    refused = api.patch(f"salesorders/{created}", {"status": "SHIPPED"})
    # then
    body = assert_error(refused, 400, "validation_violation", "status")
    assert "CREATED, DECLINED" in body["message"]
    # when a legal one
    assert api.patch(f"salesorders/{created}", {"status": "CREATED"}).status_code == 204
    # then
    stored = api.get(f"salesorders/{created}").json()
    assert stored["status"] == "CREATED"
    assert stored["lastStatusChange"] > stored["created"]
    assert [(event.type, event.parameters["status"]) for event in OrderEvent.objects.all()] == [
        ("PLACED", "IN_CHECKOUT"),
        ("STATUS_CHANGED", "CREATED"),
    ]


def test_changing_a_completed_order_needs_update_completed(api, api_session, created):
    # given a COMPLETED order
    for status in ("CREATED", "CONFIRMED", "COMPLETED"):
        assert api.patch(f"salesorders/{created}", {"status": status}).status_code == 204
    updater = api_session([scopes.ORDER_UPDATE])
    # when
    refused = updater.patch(f"salesorders/{created}", {"siteCode": "AT"})
    allowed = api.patch(f"salesorders/{created}", {"siteCode": "AT"})
    # then
    assert_error(refused, 403, "insufficient_permissions")
    assert allowed.status_code == 204
    assert api.get(f"salesorders/{created}").json()["completed"].endswith("Z")


# --- delete -----------------------------------------------------------------------------------------------------


def test_delete_removes_the_order(api, created):
    assert api.delete(f"salesorders/{created}").status_code == 204
    assert api.get(f"salesorders/{created}").status_code == 404
    assert api.delete(f"salesorders/{created}").status_code == 404


# --- list and count ---------------------------------------------------------------------------------------------


@pytest.fixture
def five_orders(api, seed_order) -> list[str]:
    ids = []
    for day in range(5):
        ids.append(api.post("salesorders", {**seed_order, "created": f"2025-01-0{day + 1}T10:00:00.000Z"}).json()["id"])
    return ids


def test_list_returns_a_page_of_orders_newest_first_with_the_total(api, five_orders):
    # when
    response = api.get("salesorders", QUERY_STRING="pageNumber=2&pageSize=2")
    # then
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "5"
    assert [order["id"] for order in response.json()] == [five_orders[2], five_orders[1]]


def test_list_defaults_to_16_per_page(api, seed_order):
    for _ in range(17):
        api.post("salesorders", seed_order)
    response = api.get("salesorders")
    assert len(response.json()) == 16
    assert response.headers["X-Total-Count"] == "17"


def test_list_past_the_last_page_is_empty(api, five_orders):
    response = api.get("salesorders", QUERY_STRING="pageNumber=9")
    assert response.json() == []
    assert response.headers["X-Total-Count"] == "5"


@pytest.mark.parametrize(
    "query",
    [
        "pageNumber=0",
        "pageNumber=-1",
        "pageNumber=x",
        "pageSize=0",
        "pageSize=1001",
        "pageSize=1e3",
        "pageNumber=%EF%BC%91",
        "pageNumber=1000000001",
        "pageNumber=4434466967123245477658624",
    ],
)
def test_list_with_bad_paging_is_400(api, query):
    body = assert_error(api.get("salesorders", QUERY_STRING=query), 400, "validation_violation")
    assert body["details"][0]["type"] == "invalid_query_parameter"


def test_search_with_a_page_number_past_the_maximum_is_400(api):
    response = api.post("salesorders/search", {}, QUERY_STRING="pageNumber=4434466967123245477658624")
    body = assert_error(response, 400, "validation_violation")
    assert body["details"][0]["field"] == "pageNumber"


def test_list_on_the_last_allowed_page_is_empty(api, five_orders):
    response = api.get("salesorders", QUERY_STRING="pageNumber=1000000000&pageSize=1000")
    assert (response.status_code, response.json(), response.headers["X-Total-Count"]) == (200, [], "5")


def test_head_counts_without_a_body(api, five_orders):
    response = api.head("salesorders")
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "5"
    assert response.raw.content == b""


def test_list_does_a_fixed_number_of_queries(api, five_orders, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api.get("salesorders")
    assert response.status_code == 200, response
    assert len(response.json()) == 5


# --- vendor-scoped clients --------------------------------------------------------------------------------------


def test_vendor_client_sees_only_orders_with_its_vendor(api, api_session, seed_order):
    # given one order with vendor-a and one without
    with_vendor = copy.deepcopy(seed_order)
    with_vendor["entries"][0]["product"]["vendor"] = {"id": "vendor-a"}
    mine = api.post("salesorders", with_vendor).json()["id"]
    theirs = api.post("salesorders", seed_order).json()["id"]
    vendor: ApiSession = api_session([scopes.ORDER_READ_BY_VENDOR], vendor_id="vendor-a")
    # when / then
    assert [order["id"] for order in vendor.get("salesorders").json()] == [mine]
    assert vendor.head("salesorders").headers["X-Total-Count"] == "1"
    seen = vendor.get(f"salesorders/{mine}")
    assert (seen.status_code, seen.json()["id"]) == (200, mine)
    assert_error(vendor.get(f"salesorders/{theirs}"), 404, "element_resource_non_existing")
    assert vendor.patch(f"salesorders/{mine}", {"siteCode": "AT"}).status_code == 403
    stored = api.get(f"salesorders/{mine}").json()
    assert (stored["siteCode"], stored["metadata"]["version"]) == ("DE", 1)


def test_vendor_manager_may_update_its_orders_only(api, api_session, seed_order):
    # given one order with vendor-a and one without
    with_vendor = copy.deepcopy(seed_order)
    with_vendor["entries"][0]["product"]["vendor"] = {"id": "vendor-a"}
    mine = api.post("salesorders", with_vendor).json()["id"]
    theirs = api.post("salesorders", seed_order).json()["id"]
    vendor = api_session([scopes.ORDER_MANAGE_BY_VENDOR], vendor_id="vendor-a")
    # when / then: its own order is patched, the other is not found
    assert vendor.patch(f"salesorders/{mine}", {"siteCode": "AT"}).status_code == 204
    assert_error(vendor.patch(f"salesorders/{theirs}", {"siteCode": "AT"}), 404, "element_resource_non_existing")
    # then
    stored_mine, stored_theirs = (api.get(f"salesorders/{order_id}").json() for order_id in (mine, theirs))
    assert (stored_mine["siteCode"], stored_mine["metadata"]["version"]) == ("AT", 2)
    assert (stored_theirs["siteCode"], stored_theirs["metadata"]["version"]) == ("DE", 1)


# --- documentation ----------------------------------------------------------------------------------------------


def test_openapi_schema_and_swagger_ui_are_served_offline(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/order-v2/{tenant}/salesorders/{order_id}/historical-transitions" in schema.content
    assert b"clientCredentials" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs.content
    assert b"https://" not in docs.content


def test_openapi_schema_is_valid_without_warnings(db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)
