"""Delivered amounts set on an order's entries: conversion to the entry's unit, all or nothing, the change record."""

import copy
from decimal import Decimal

import pytest

from orders.deliveries import Delivery, DeliverySource, apply_deliveries, delivered_amount_changes, entry_unit
from orders.errors import ValidationFailed

D = Decimal


@pytest.fixture
def document() -> dict:
    return {
        "id": "EON1",
        "siteCode": "DE",
        "entries": [
            {"id": "shoes", "amount": 3},
            {"id": "cheese", "amount": D("1.5"), "measurementUnit": {"unit": "KGM", "quantity": 1}},
        ],
    }


def test_apply_deliveries_sets_amounts_in_each_entrys_unit(document):
    # given
    original = copy.deepcopy(document)
    # when
    updated = apply_deliveries(document, [Delivery("shoes", D(2)), Delivery("cheese", D(950), "GRM")])
    # then: 950 g of an entry sold per kilogram is 0.95 kg; pieces stay pieces
    assert [entry.get("deliveredAmount") for entry in updated["entries"]] == [D(2), D("0.95")]
    assert (updated["id"], updated["siteCode"]) == ("EON1", "DE")
    assert updated["entries"][1]["measurementUnit"] == {"unit": "KGM", "quantity": 1}
    assert document == original  # the input is never changed


def test_apply_deliveries_without_unit_takes_the_entrys_and_zero_is_an_amount(document):
    updated = apply_deliveries(document, [Delivery("cheese", D("1.25")), Delivery("shoes", D(0))])
    assert [entry["deliveredAmount"] for entry in updated["entries"]] == [D(0), D("1.25")]


def test_apply_deliveries_to_some_entries_leaves_the_others(document):
    updated = apply_deliveries(document, [Delivery("cheese", D(1), "KGM")])
    assert "deliveredAmount" not in updated["entries"][0]
    assert updated["entries"][1]["deliveredAmount"] == D(1)


def test_apply_deliveries_counts_pieces_in_either_piece_code(document):
    updated = apply_deliveries(document, [Delivery("shoes", D(2), "C62")])
    assert updated["entries"][0]["deliveredAmount"] == D(2)


def test_apply_deliveries_checks_every_delivery_and_applies_none_of_them(document):
    # given one good delivery among four bad ones
    original = copy.deepcopy(document)
    deliveries = [
        Delivery("nope", D(1)),
        Delivery("shoes", D(-1)),
        Delivery("cheese", D(1), "H87"),
        Delivery("shoes", D(1), "XYZ"),
        Delivery("shoes", D(2)),
    ]
    # when
    with pytest.raises(ValidationFailed) as raised:
        apply_deliveries(document, deliveries)
    # then: each bad one named by its position, the good one not applied either
    assert raised.value.message == "The delivered amounts cannot be applied, see details."
    assert [(detail.field, detail.message) for detail in raised.value.details] == [
        ("entries[0].entryId", "the order has no entry 'nope'"),
        ("entries[1].deliveredAmount", "must not be negative"),
        ("entries[2].unit", "Cannot convert H87 into KGM."),
        ("entries[3].unit", "Unknown unit 'XYZ'; use a UN/ECE code such as H87, C62, KGM, GRM, MGM, TNE."),
    ]
    assert document == original


def test_entry_unit_is_pieces_unless_the_entry_names_one():
    assert entry_unit({"id": "a"}) == "H87"
    assert entry_unit({"id": "a", "measurementUnit": {}}) == "H87"
    assert entry_unit({"id": "a", "measurementUnit": {"unit": "LTR"}}) == "LTR"


def test_delivered_amount_changes_lists_each_entry_whose_amount_changed():
    # given
    before = {"entries": [{"id": "a"}, {"id": "b", "deliveredAmount": 1}, {"id": "c", "deliveredAmount": 2}]}
    after = {
        "entries": [
            {"id": "a", "deliveredAmount": 3},
            {"id": "b", "deliveredAmount": 1},
            {"id": "c", "deliveredAmount": None},
            {"id": "d", "deliveredAmount": 4},
        ]
    }
    # when / then: a set, c cleared, d new; b unchanged
    assert delivered_amount_changes(before, after) == [
        {"entryId": "a", "before": None, "after": 3},
        {"entryId": "c", "before": 2, "after": None},
        {"entryId": "d", "before": None, "after": 4},
    ]
    assert delivered_amount_changes(after, after) == []
    assert delivered_amount_changes({}, {"entries": [{"id": "a"}]}) == []


def test_delivery_sources_and_their_labels():
    assert (DeliverySource.BY_HAND, DeliverySource.PACKING_EVENTS) == ("by_hand", "packing_events")
    assert DeliverySource.LABELS == {"by_hand": "by hand", "packing_events": "from packing events"}


def test_calculations_in_cubic_metres_convert_and_square_metres_are_refused(api, seed_order):
    # given an entry sold per litre
    seed_order["entries"][0]["measurementUnit"] = {"unit": "LTR", "value": 1}
    order_id = api.post("salesorders", seed_order).json()["id"]
    entry = "BC10033--BC10033-43"
    # when
    square = api.post(
        f"salesorders/{order_id}/calculations", {"entries": [{"entryId": entry, "deliveredAmount": 1, "unit": "MTK"}]}
    )
    cubic = api.post(
        f"salesorders/{order_id}/calculations", {"entries": [{"entryId": entry, "deliveredAmount": 1, "unit": "MTQ"}]}
    )
    # then
    assert square.status_code == 400, square
    assert square.json()["details"][0]["field"] == "entries[0].unit"
    assert cubic.status_code == 200, cubic
    assert api.get(f"salesorders/{order_id}").json()["entries"][0]["deliveredAmount"] == 1000
