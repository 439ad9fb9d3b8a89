"""The scope sets and the vendor rule as plain functions: the expectations written out from the spec and DESIGN.md.

Over HTTP the same rules are checked endpoint by endpoint in tests/reliability/test_isolation_matrix.py.
"""

from types import SimpleNamespace

import pytest

from orders import scopes
from orders.actors import Actor
from orders.errors import PermissionDenied
from orders.vendors import (
    OTHER_ENTRIES_MESSAGE,
    SHARED_ORDER_MESSAGE,
    check_change,
    check_order_level_change,
    entry_vendor,
    is_shared_with_others,
    owns_entry,
    sees_order,
)

READ, READ_BY_VENDOR, MANAGE_BY_VENDOR = (
    "order.order_read",
    "order.order_read_by_vendor",
    "order.order_manage_by_vendor",
)
CREATE, UPDATE, UPDATE_COMPLETED = "order.order_create", "order.order_update", "order.order_update_completed"
DELETE, VIEW, MANAGE = "order.order_delete", "pickpack.pickpack_view", "pickpack.pickpack_manage"


# --- scopes (emporix/*.openapi.yml, each operation's `security`) --------------------------------------------------


def test_scope_names_are_the_specs():
    assert list(scopes.ALL_SCOPES) == [
        READ,
        CREATE,
        UPDATE,
        UPDATE_COMPLETED,
        DELETE,
        READ_BY_VENDOR,
        MANAGE_BY_VENDOR,
        VIEW,
        MANAGE,
    ]
    assert {READ_BY_VENDOR, MANAGE_BY_VENDOR} == scopes.VENDOR_SCOPES


@pytest.mark.parametrize(
    ("accepted", "expected"),
    [
        (scopes.READ_ORDERS, {READ, READ_BY_VENDOR, MANAGE_BY_VENDOR}),
        (scopes.CREATE_ORDERS, {CREATE}),
        (scopes.UPDATE_ORDERS, {UPDATE, UPDATE_COMPLETED, MANAGE_BY_VENDOR}),
        (scopes.DELETE_ORDERS, {DELETE}),
        (scopes.READ_TRANSITIONS, {READ, READ_BY_VENDOR, MANAGE_BY_VENDOR, UPDATE, UPDATE_COMPLETED}),
        (scopes.READ_HISTORY, {READ, READ_BY_VENDOR, MANAGE_BY_VENDOR, UPDATE}),
        (scopes.RECALCULATE_ORDERS, {UPDATE, UPDATE_COMPLETED}),
        (scopes.SPLIT_ORDERS, {UPDATE}),
        (scopes.CHANGE_ENTRIES, {UPDATE, MANAGE_BY_VENDOR}),
        (scopes.MANAGE_PICKPACK, {MANAGE}),
        # VIEW_PICKPACK also holds MANAGE, which the spec does not list: a known bug, see the isolation matrix
    ],
    ids=[
        "read",
        "create",
        "update",
        "delete",
        "transitions",
        "history",
        "recalculate",
        "split",
        "entries",
        "pick-pack manage",
    ],
)
def test_each_operation_accepts_the_scopes_its_spec_lists(accepted, expected):
    assert accepted == expected


def test_unknown_scopes_are_named_in_order():
    assert scopes.unknown_scopes([READ, "order.bogus", VIEW, "", "ORDER.ORDER_READ"]) == [
        "order.bogus",
        "",
        "ORDER.ORDER_READ",
    ]
    assert scopes.unknown_scopes(list(scopes.ALL_SCOPES)) == []


def test_token_server_offers_a_client_its_own_scopes_and_all_of_them_by_default():
    server = scopes.ApiClientScopes()
    application = SimpleNamespace(api_client=SimpleNamespace(scope_list=[READ, UPDATE]))
    assert server.get_all_scopes() == scopes.ALL_SCOPES
    assert server.get_available_scopes(application) == [READ, UPDATE]
    assert server.get_default_scopes(application) == [READ, UPDATE]
    assert server.get_available_scopes(SimpleNamespace()) == []
    assert server.get_default_scopes(None) == []


# --- the vendor rule ------------------------------------------------------------------------------------------------

SHOES, GLOVES = "vendor-shoes", "vendor-gloves"
SHOES_CLIENT = Actor(label="client:shoes", vendor_id=SHOES)
TENANT_CLIENT = Actor(label="client:erp")
SERVER_FIELDS = ("id", "status", "created", "lastStatusChange", "orderType")


def entry(entry_id: str, vendor: str | None, amount: int = 1) -> dict:
    product = {"id": f"P-{entry_id}"} | ({"vendor": {"id": vendor}} if vendor else {})
    return {"id": entry_id, "amount": amount, "product": product}


def order(*entries: dict) -> dict:
    return {"id": "EON1", "status": "CREATED", "siteCode": "DE", "metadata": {"version": 3}, "entries": list(entries)}


def test_entry_vendor_and_ownership():
    assert entry_vendor(entry("a", SHOES)) == SHOES
    assert entry_vendor(entry("a", None)) == ""
    assert entry_vendor("not an entry") == ""
    assert owns_entry(SHOES_CLIENT, entry("a", SHOES)) is True
    assert owns_entry(SHOES_CLIENT, entry("a", GLOVES)) is False
    assert owns_entry(SHOES_CLIENT, entry("a", None)) is False
    assert owns_entry(TENANT_CLIENT, entry("a", GLOVES)) is True  # a client of no vendor owns every entry


@pytest.mark.parametrize(
    ("entries", "actor", "shared"),
    [
        ([entry("a", SHOES), entry("b", GLOVES)], SHOES_CLIENT, True),
        ([entry("a", SHOES), entry("b", None)], SHOES_CLIENT, True),
        ([entry("a", SHOES), entry("b", SHOES)], SHOES_CLIENT, False),
        ([], SHOES_CLIENT, False),
        ([entry("a", SHOES), entry("b", GLOVES)], TENANT_CLIENT, False),
    ],
)
def test_is_shared_with_others(entries, actor, shared):
    assert is_shared_with_others(order(*entries), actor) is shared


@pytest.mark.parametrize(
    ("entries", "actor", "seen"),
    [
        ([entry("a", GLOVES), entry("b", SHOES)], SHOES_CLIENT, True),  # one entry of its own is enough
        ([entry("a", SHOES)], SHOES_CLIENT, True),
        ([entry("a", GLOVES), entry("b", None)], SHOES_CLIENT, False),
        ([], SHOES_CLIENT, False),
        ([entry("a", GLOVES)], TENANT_CLIENT, True),  # a client of no vendor sees every order
        ([], TENANT_CLIENT, True),
    ],
)
def test_sees_order_when_it_holds_an_entry_of_the_actors_vendor(entries, actor, seen):
    assert sees_order(actor, order(*entries)) is seen


def test_order_level_change_is_refused_on_an_order_shared_with_other_vendors():
    with pytest.raises(PermissionDenied) as raised:
        check_order_level_change(order(entry("a", SHOES), entry("b", GLOVES)), SHOES_CLIENT, "a split")
    assert raised.value.message == SHARED_ORDER_MESSAGE.format(what="a split")
    assert "(a split)" in raised.value.message
    check_order_level_change(order(entry("a", SHOES)), SHOES_CLIENT, "a split")
    check_order_level_change(order(entry("a", SHOES), entry("b", GLOVES)), TENANT_CLIENT, "a split")


SHARED = order(entry("a", SHOES), entry("b", GLOVES))
OWN = order(entry("a", SHOES), entry("c", SHOES))
STORED_WITHOUT_METADATA = {key: value for key, value in SHARED.items() if key != "metadata"}


def changed(document: dict, **fields) -> dict:
    return {**document, **fields}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (SHARED, changed(SHARED, entries=[entry("a", SHOES, 5), entry("b", GLOVES)])),  # its own entry's amount
        (SHARED, changed(SHARED, entries=[entry("a", SHOES), entry("b", GLOVES), entry("n", SHOES)])),  # a new own
        (SHARED, changed(SHARED, metadata={"version": 2})),  # the version read says nothing about the order
        (SHARED, changed(SHARED, lastStatusChange="2026-01-01T00:00:00.000Z")),  # a server field: the stored stays
        (SHARED, {key: value for key, value in SHARED.items() if key != "status"}),  # no status: the stored one
        (order(entry("a", SHOES)) | {"metadata": {}}, order(entry("a", SHOES)) | {"metadata": {"version": 1}}),
        (STORED_WITHOUT_METADATA, STORED_WITHOUT_METADATA | {"metadata": {"version": 3}}),  # a client sends the version
        (OWN, changed(OWN, siteCode="AT", status="CONFIRMED")),  # order-level state of an order wholly its own
    ],
    ids=[
        "own-entry",
        "new-own-entry",
        "version",
        "server-field",
        "status-left-out",
        "empty-metadata",
        "version-sent-for-a-document-without-metadata",
        "own-order",
    ],
)
def test_vendor_change_allowed(before, after):
    check_change(before, after, SHOES_CLIENT, server_fields=SERVER_FIELDS)


@pytest.mark.parametrize(
    ("after", "message"),
    [
        (changed(SHARED, entries=[entry("a", SHOES), entry("b", GLOVES, 7)]), OTHER_ENTRIES_MESSAGE),
        (changed(SHARED, entries=[entry("a", SHOES)]), OTHER_ENTRIES_MESSAGE),
        (changed(SHARED, entries=[*SHARED["entries"], entry("x", GLOVES)]), OTHER_ENTRIES_MESSAGE),
        (changed(SHARED, siteCode="AT"), None),
        (changed(SHARED, status="CONFIRMED"), None),
        (changed(SHARED, metadata={"version": 3, "mixins": {"x": "y"}}), None),
        (changed(SHARED, customer={"email": "new@example.com"}), None),
    ],
    ids=["other-entry", "other-entry-removed", "other-entry-added", "site", "status", "metadata-mixins", "customer"],
)
def test_vendor_change_refused_on_a_shared_order(after, message):
    with pytest.raises(PermissionDenied) as raised:
        check_change(SHARED, after, SHOES_CLIENT, server_fields=SERVER_FIELDS)
    expected = message or SHARED_ORDER_MESSAGE.format(what="status, customer, addresses, payments, mixins…")
    assert raised.value.message == expected


def test_tenant_clients_may_change_anything():
    after = changed(SHARED, siteCode="AT", entries=[entry("b", GLOVES, 9)])
    check_change(SHARED, after, TENANT_CLIENT, server_fields=SERVER_FIELDS)
