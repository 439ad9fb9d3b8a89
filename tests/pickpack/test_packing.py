"""The rule from packing events to delivered amounts, on plain data."""

from decimal import Decimal

import pytest

from orders.deliveries import Delivery
from orders.errors import ValidationFailed
from pickpack.packing import EntryRef, PackedAmounts, delivered_amounts

SHOES = EntryRef("e-shoes", "SHOES", "H87")
CHEESE = EntryRef("e-cheese", "CHEESE", "KGM")


def test_delivered_amounts_sum_the_packed_amounts_of_a_product():
    # given
    events = [PackedAmounts("SHOES", "H87", Decimal(2)), PackedAmounts("SHOES", "H87", Decimal(1))]
    # when
    deliveries = delivered_amounts([SHOES], events)
    # then
    assert deliveries == [Delivery("e-shoes", Decimal(3), "H87")]


def test_delivered_amounts_keep_the_events_unit_for_orders_to_convert():
    # given
    events = [PackedAmounts("CHEESE", "GRM", Decimal(600)), PackedAmounts("CHEESE", "GRM", Decimal(350))]
    # when
    deliveries = delivered_amounts([CHEESE], events)
    # then
    assert deliveries == [Delivery("e-cheese", Decimal(950), "GRM")]


def test_delivered_amounts_in_several_units_are_converted_to_the_entrys_unit():
    # given
    events = [PackedAmounts("CHEESE", "KGM", Decimal(1)), PackedAmounts("CHEESE", "GRM", Decimal(250))]
    # when
    deliveries = delivered_amounts([CHEESE], events)
    # then
    assert deliveries == [Delivery("e-cheese", Decimal("1.25"), "KGM")]


def test_delivered_amounts_do_not_count_canceled_amounts():
    # given
    events = [PackedAmounts("SHOES", "H87", Decimal(2), Decimal(0)), PackedAmounts("SHOES", "H87", None, Decimal(1))]
    # when
    deliveries = delivered_amounts([SHOES], events)
    # then
    assert deliveries == [Delivery("e-shoes", Decimal(2), "H87")]


def test_delivered_amounts_of_an_entry_canceled_in_full_are_zero():
    # given
    events = [PackedAmounts("SHOES", "H87", Decimal(0), Decimal(3))]
    # when
    deliveries = delivered_amounts([SHOES], events)
    # then
    assert deliveries == [Delivery("e-shoes", Decimal(0), "H87")]


def test_delivered_amounts_leave_entries_without_packed_or_canceled_amounts_alone():
    # given
    events = [PackedAmounts("SHOES", "H87", Decimal(0), Decimal(0)), PackedAmounts("SHOES", "H87")]
    # when
    deliveries = delivered_amounts([SHOES, CHEESE], events)
    # then
    assert deliveries == []


def test_delivered_amounts_ignore_products_the_order_does_not_hold():
    # given
    events = [PackedAmounts("GLOVES", "H87", Decimal(5)), PackedAmounts("SHOES", "H87", Decimal(1))]
    # when
    deliveries = delivered_amounts([SHOES], events)
    # then
    assert deliveries == [Delivery("e-shoes", Decimal(1), "H87")]


def test_delivered_amounts_follow_the_entries_order():
    # given
    events = [PackedAmounts("SHOES", "H87", Decimal(1)), PackedAmounts("CHEESE", "KGM", Decimal("0.5"))]
    # when
    deliveries = delivered_amounts([CHEESE, SHOES], events)
    # then
    assert [delivery.entry_id for delivery in deliveries] == ["e-cheese", "e-shoes"]


def test_delivered_amounts_refuse_a_product_held_by_two_entries():
    # given
    entries = [SHOES, EntryRef("e-shoes-2", "SHOES", "H87")]
    # when
    with pytest.raises(ValidationFailed) as refused:
        delivered_amounts(entries, [PackedAmounts("SHOES", "H87", Decimal(1))])
    # then
    assert "several entries of product SHOES" in refused.value.message


def test_delivered_amounts_refuse_units_that_cannot_be_added_up():
    # given
    events = [PackedAmounts("CHEESE", "KGM", Decimal(1)), PackedAmounts("CHEESE", "LTR", Decimal(1))]
    # when
    with pytest.raises(ValidationFailed) as refused:
        delivered_amounts([CHEESE], events)
    # then
    assert "cannot be added up" in refused.value.message
