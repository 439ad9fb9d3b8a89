"""Hostile input: every number, text, size and nesting a client can send gets a 4xx in the error shape, at once,
and changes nothing."""

import copy
from unittest import mock

import pytest

from orders import documents, scopes, selectors
from orders.models import Order
from pickpack.models import PackingEvent

from ..pickpack.conftest import assert_error, create_demo_orders, event_body, pickpack_session

# JSON number literals no arithmetic may ever see: huge or tiny exponents, too many digits.
HOSTILE_NUMBERS = [
    "1E+1000000",
    "1E+999999999",
    "1e400",
    "1E-1000000",
    "0E-1000000",
    "9" * 5000,
    "-" + "9" * 41,
    "0." + "1" * 41,
    "1E+41",
]

PLACEHOLDER = "<the number>"
UNIT_PRICE = "entries[0].calculatedUnitPrice"


@pytest.fixture
def stored(api, seed_order) -> Order:
    order_id = api.post("salesorders", seed_order).json()["id"]
    return Order.objects.get(order_id=order_id)


def unchanged(order: Order) -> bool:
    fresh = Order.objects.get(pk=order.pk)
    return (fresh.version, fresh.document) == (order.version, order.document)


def body_with(template: str, number: str) -> str:
    return template.replace("NUMBER", number)


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("PATCH", "salesorders/{id}", '{"metadata": {"version": NUMBER}}'),
        ("PATCH", "salesorders/{id}?recalculate=true", '{"siteCode": "DE", "totalAuthorizedAmount": NUMBER}'),
        ("POST", "salesorders/{id}/calculations", '{"entries": [{"entryId": "{entry}", "deliveredAmount": NUMBER}]}'),
        ("POST", "salesorders/{id}/entries?store=true", '{"entries": [{"entryId": "{entry}", "quantity": NUMBER}]}'),
        ("POST", "salesorders/{id}/transitions", '{"status": "CONFIRMED", "x": NUMBER}'),
        ("POST", "salesorders/search", '{"q": "status:CREATED", "n": NUMBER}'),
    ],
)
def test_hostile_numbers_are_refused_before_any_arithmetic(api, stored, method, path, template, number):
    # given a body holding the number
    entry_id = stored.document["entries"][0]["id"]
    body = body_with(template, number).replace("{entry}", entry_id)
    # when
    response = api.call(method, path.format(id=stored.order_id), body=body)
    # then a 400 naming the rule, and the order as it was
    error = assert_error(response, 400, "validation_violation")
    assert "out of bounds" in error["message"]
    assert unchanged(stored)


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_hostile_numbers_in_a_new_order_create_nothing(api, seed_order, number):
    seed_order["entries"][0]["price"] = {"effectiveAmount": PLACEHOLDER}
    body = api_body(seed_order).replace(f'"{PLACEHOLDER}"', number)
    assert_error(api.call("POST", "salesorders", body=body), 400, "validation_violation")
    assert not Order.objects.exists()


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_hostile_numbers_in_packing_events_store_nothing(api_session, tenant, number):
    pickpack = pickpack_session(api_session([scopes.PICKPACK_MANAGE, scopes.PICKPACK_VIEW]))
    event = event_body(create_demo_orders(tenant, 1)[0], event_id="e-1", packedAmount=PLACEHOLDER)
    body = api_body(event).replace(f'"{PLACEHOLDER}"', number)
    assert_error(pickpack.call("POST", "events", body=body), 400, "validation_violation")
    assert not PackingEvent.objects.exists()


@pytest.mark.parametrize(
    "raw", ["9" * 5000, "1" + "0" * 30, "1e3", "-1", "0", "\N{ARABIC-INDIC DIGIT ONE}\N{ARABIC-INDIC DIGIT TWO}", "1.0"]
)
@pytest.mark.parametrize("name", ["pageNumber", "pageSize"])
def test_hostile_page_parameters_are_400(api, stored, name, raw):
    error = assert_error(api.get(f"salesorders?{name}={raw}"), 400, "validation_violation", name)
    assert error["details"][0]["type"] == "invalid_query_parameter"


@pytest.mark.parametrize("raw", ["9" * 5000, "1" + "0" * 30, "-1", "x"])
def test_hostile_event_page_parameters_are_400(api_session, stored, raw):
    pickpack = pickpack_session(api_session([scopes.PICKPACK_VIEW]))
    assert_error(pickpack.get(f"events?pageSize={raw}"), 400, "validation_violation", "pageSize")


# --- text -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["\\ud800", "a\\udfffb", "\\udc00\\ud800", "\\u0000", "x\\u0000"])
def test_unstorable_text_anywhere_in_a_new_order_is_400(api, seed_order, text):
    for place in ('"name": "' + text + '"', '"' + text + '": 1'):
        body = api_body({**seed_order, "mixins": {"note": "PLACE"}}).replace('"note":"PLACE"', place)
        error = assert_error(api.call("POST", "salesorders", body=body), 400, "validation_violation")
        assert "NUL characters or unpaired surrogates" in error["message"]
    assert not Order.objects.exists()


def test_a_surrogate_pair_is_one_character_and_stored(api, seed_order):
    body = api_body({**seed_order, "mixins": {"note": "PLACE"}}).replace("PLACE", "\\ud83d\\ude00")
    order_id = api.call("POST", "salesorders", body=body).json()["id"]
    assert Order.objects.get(order_id=order_id).document["mixins"]["note"] == "\N{GRINNING FACE}"


def test_unstorable_text_in_a_patch_is_400(api, stored):
    response = api.call("PATCH", f"salesorders/{stored.order_id}", body='{"customer": {"firstName": "\\ud800"}}')
    assert_error(response, 400, "validation_violation", "customer.firstName")
    assert unchanged(stored)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_an_order_without_entries_is_400_whether_they_are_null_or_left_out(api, stored, method):
    # given a write that leaves the order no entries: null in a replacement, or a merge patch removing them
    body = {**stored.document, "entries": None} if method == "PUT" else {"entries": None}
    # when it is sent
    response = api.call(method, f"salesorders/{stored.order_id}", body=api_body(body))
    # then it is refused naming the entries, and the order is as it was
    assert_error(response, 400, "validation_violation", "entries")
    assert unchanged(stored)


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_an_entry_with_a_null_amount_is_400(api, stored, method):
    # given an order whose first entry's amount is null
    document = copy.deepcopy(stored.document)
    document["entries"][0]["amount"] = None
    # when it is created or replaces the stored one
    path = "salesorders" if method == "POST" else f"salesorders/{stored.order_id}"
    response = api.call(method, path, body=api_body({**document, "id": None} if method == "POST" else document))
    # then it is refused naming the amount, and nothing changed
    assert_error(response, 400, "validation_violation", "entries[0].amount")
    assert unchanged(stored)
    assert Order.objects.count() == 1


def test_a_new_order_with_null_entries_is_400(api, seed_order):
    response = api.call("POST", "salesorders", body=api_body({**seed_order, "entries": None}))
    assert_error(response, 400, "validation_violation", "entries")
    assert not Order.objects.exists()


def test_nul_in_a_product_id_of_entries_is_400(api, stored):
    body = '{"entries": [{"productId": "BC\\u0000", "quantity": 1}]}'
    response = api.call("POST", f"salesorders/{stored.order_id}/entries?store=true", body=body)
    assert_error(response, 400, "validation_violation", "entries[0].productId")
    assert unchanged(stored)


def test_unstorable_text_in_a_packing_event_is_400(api_session, tenant):
    pickpack = pickpack_session(api_session([scopes.PICKPACK_MANAGE]))
    body = api_body(event_body(create_demo_orders(tenant, 1)[0], event_id="EVENT")).replace("EVENT", "e\\ud800")
    assert_error(pickpack.call("POST", "events", body=body), 400, "validation_violation", "eventId")
    assert not PackingEvent.objects.exists()


def test_invalid_utf8_is_400(api, stored):
    response = api.call("PATCH", f"salesorders/{stored.order_id}", body=b'{"siteCode": "\xff"}')
    assert_error(response, 400, "validation_violation")
    assert unchanged(stored)


# --- orders that could never be priced ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda o: o["entries"][0].update(price={"effectiveAmount": "abc"}), "entries[0].price.effectiveAmount"),
        (lambda o: o["entries"][0].update(price={"effectiveAmount": True}), "entries[0].price.effectiveAmount"),
        (lambda o: o["entries"][0].update(price={"effectiveAmount": []}), "entries[0].price.effectiveAmount"),
        (lambda o: o["entries"][0].update(price={"effectiveAmount": -1}), "entries[0].price.effectiveAmount"),
        (lambda o: o["entries"][0].update(unitPrice=-1), "entries[0].unitPrice"),
        (
            lambda o: o["entries"][0]["calculatedUnitPrice"].update(taxRate="19"),
            "entries[0].calculatedUnitPrice.taxRate",
        ),
        (
            lambda o: o["entries"][0]["calculatedUnitPrice"].update(netValue=-5),
            "entries[0].calculatedUnitPrice.netValue",
        ),
        (lambda o: o.update(currency="ZZZ"), "currency"),
        (lambda o: o.update(currency="eur"), "currency"),
        (lambda o: o.update(discounts=[{"discountRate": 150, "discountType": "PERCENT"}]), "discounts[0].discountRate"),
        (lambda o: o.update(discounts=[{"amount": "ten"}]), "discounts[0].amount"),
        (lambda o: o.update(shipping={"lines": [{"amount": -1}]}), "shipping.lines[0].amount"),
        (lambda o: o.update(shipping={"lines": [{"amount": 5, "tax": {"rate": "x"}}]}), "shipping.lines[0].tax.rate"),
        (lambda o: o["calculatedPrice"].update(paymentFees=[{"value": "abc"}]), "calculatedPrice.paymentFees[0].value"),
        (
            lambda o: o["entries"][0].update(externalFees=[{"feeType": "PERCENT", "feePercentage": 101}]),
            "entries[0].externalFees[0].feePercentage",
        ),
    ],
)
def test_orders_that_could_never_be_priced_are_refused_at_the_door(api, seed_order, change, field):
    # given
    document = copy.deepcopy(seed_order)
    change(document)
    # when
    response = api.post("salesorders", document)
    # then
    error = assert_error(response, 400, "validation_violation", field)
    assert "InvalidOperation" not in str(error)
    assert not Order.objects.exists()


def test_an_order_in_a_currency_without_cents_is_accepted(api, seed_order):
    assert api.post("salesorders", {**seed_order, "currency": "JPY"}).status_code == 201


# --- sizes and nesting --------------------------------------------------------------------------------------------


def test_a_body_over_the_cap_is_413_and_not_read(api, stored, settings):
    settings.MAX_REQUEST_BODY_BYTES = 10_000
    body = '{"customer": {"firstName": "' + "x" * 20_000 + '"}}'
    error = assert_error(api.call("PATCH", f"salesorders/{stored.order_id}", body=body), 413, "validation_violation")
    assert "10,000 bytes" in error["message"]
    assert unchanged(stored)


def test_a_body_under_the_cap_is_read(api, stored, settings):
    settings.MAX_REQUEST_BODY_BYTES = 10_000
    assert api.patch(f"salesorders/{stored.order_id}", {"siteCode": "AT"}).status_code == 204


def test_too_many_entries_are_refused(api, seed_order):
    entry = seed_order["entries"][0]
    entries = [{**entry, "id": f"e{index}"} for index in range(1001)]
    response = api.post("salesorders", {**seed_order, "entries": entries})
    error = assert_error(response, 400, "validation_violation", "entries")
    assert "at most 1,000" in str(error)
    assert not Order.objects.exists()


@pytest.mark.parametrize("depth", [33, 200, 5000])
def test_deep_nesting_is_refused(api, stored, depth):
    body = '{"mixins": {"a": ' + "[" * depth + "]" * depth + "}}"
    error = assert_error(api.call("PATCH", f"salesorders/{stored.order_id}", body=body), 400, "validation_violation")
    assert "nested" in error["message"]
    assert unchanged(stored)


def test_nesting_within_the_limit_is_kept(api, stored):
    value = [[[[[[[[["deep"]]]]]]]]]
    assert api.patch(f"salesorders/{stored.order_id}", {"mixins": {"a": value}}).status_code == 204
    assert Order.objects.get(pk=stored.pk).document["mixins"]["a"] == value


def test_an_over_long_q_is_400(api, stored):
    response = api.post("salesorders/search", {"q": "status:CREATED " * 400})
    assert_error(response, 400, "validation_violation", "q")


def api_body(value) -> str:
    return documents.dumps(value)


def test_too_many_fields_or_sort_items_are_400(api, stored):
    fields = ",".join(f"mixins.f{index}" for index in range(101))
    assert_error(api.get(f"salesorders?fields={fields}"), 400, "validation_violation", "fields")
    sort = ",".join(["siteCode"] * 11)
    assert_error(api.get(f"salesorders?sort={sort}"), 400, "validation_violation", "sort")
    assert api.get("salesorders?fields=" + ",".join(f"mixins.f{index}" for index in range(100))).status_code == 200


def test_a_page_over_the_entry_budget_is_refused_and_a_smaller_one_answered(api, seed_order, settings):
    # given three orders of 3 entries each, and a budget of 8 entries a page
    entry = seed_order["entries"][0]
    for number in range(3):
        entries = [{**entry, "id": f"o{number}e{index}"} for index in range(3)]
        assert api.post("salesorders", {**seed_order, "entries": entries}).status_code == 201
    with mock.patch.object(selectors, "MAX_ENTRIES_PER_PAGE", 8):
        # when a projected page of all three is asked for (9 entries), then 400 naming pageSize
        error = assert_error(api.get("salesorders?fields=id"), 400, "validation_violation", "pageSize")
        assert "9 entries" in error["message"]
        # and two orders (6 entries) are answered
        assert len(api.get("salesorders?fields=id&pageSize=2").json()) == 2


def test_a_body_of_too_many_keys_is_refused(api, stored):
    body = documents.dumps({"mixins": {f"k{index}": 1 for index in range(documents.MAX_KEYS + 1)}})
    error = assert_error(api.call("PATCH", f"salesorders/{stored.order_id}", body=body), 400, "validation_violation")
    assert "object keys" in error["message"]
    assert unchanged(stored)
    colons_in_text = documents.dumps({"mixins": {"note": ":" * (documents.MAX_KEYS + 1)}})
    assert api.call("PATCH", f"salesorders/{stored.order_id}", body=colons_in_text).status_code == 204
