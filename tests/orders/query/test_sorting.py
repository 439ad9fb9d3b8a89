"""parse_sort: the expressions it builds, the orders they give on both backends, and the paths it refuses."""

from decimal import Decimal

import pytest
from django.db.models import F

from orders.errors import ValidationFailed
from orders.query import parse_sort
from orders.query.json_sql import DocumentSortKey

from .reference import dig


def test_parse_sort_maps_hot_fields_to_columns_and_appends_the_tie_break():
    assert parse_sort("created:desc,siteCode") == [
        F("created").desc(nulls_last=True),
        F("site_code").asc(nulls_last=True),
        F("order_id").asc(),
    ]


def test_parse_sort_sorts_document_paths_by_number_then_text():
    (by_number, by_text, tie_break) = parse_sort("name.en:DESC")
    assert by_number.descending and by_text.descending and not tie_break.descending
    assert isinstance(by_number.expression, DocumentSortKey) and by_number.expression.numeric
    assert by_text.expression.keys == ("name", "en") and not by_text.expression.numeric


def test_parse_sort_empty_keeps_the_callers_default():
    assert parse_sort("") == [] and parse_sort(None) == []


@pytest.mark.parametrize(
    "sort",
    ["a..b", "a,,b", "created:up", "a-b", "a.b.c.d.e.f.g.h.i", "name.en:asc:desc", "created desc", "$where", "a;drop"],
)
def test_parse_sort_refuses_what_is_not_a_plain_path(sort):
    with pytest.raises(ValidationFailed) as raised:
        parse_sort(sort)
    assert [(detail.field, detail.type) for detail in raised.value.details] == [("sort", "invalid_query_parameter")]


def document_sort_key(value, descending: bool) -> tuple:
    """Numbers, then texts, then anything else or nothing: the documented order of a document path."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return (0, -value if descending else value)
    if isinstance(value, str):
        return (1, "".join(chr(0x10FFFF - ord(character)) for character in value) if descending else value)
    return (2,)


@pytest.mark.parametrize(
    "sort",
    [
        "tax.total.amount",
        "tax.total.amount:desc",
        "shop.name.en",
        "shop.name.de:desc",
        "customer.firstName,mixins.generalAttributes.orderNumber:desc",
        "billingAddress.contactPhone",
    ],
)
def test_parse_sort_orders_document_paths_alike_on_every_backend(orders, sort):
    # given
    items = [(item.split(":")[0], item.endswith(":desc")) for item in sort.split(",")]

    def expected_key(order_id):
        document = orders.documents[order_id]
        return (*(document_sort_key(dig(document, path), descending) for path, descending in items), order_id)

    # when
    found = list(orders.orders().order_by(*parse_sort(sort)).values_list("order_id", flat=True))
    # then
    assert found == sorted(orders.documents, key=expected_key)


def test_parse_sort_orders_hot_fields_by_their_columns(orders):
    found = list(orders.orders().order_by(*parse_sort("created:desc")).values_list("order_id", flat=True))
    assert found == sorted(orders.documents, key=lambda order_id: orders.documents[order_id]["created"], reverse=True)
    # A missing text field is the empty text in its column (stable sort: ties stay in order id order).
    by_site = list(orders.orders().order_by(*parse_sort("siteCode:desc")).values_list("order_id", flat=True))
    assert by_site == sorted(
        sorted(orders.documents), key=lambda order_id: orders.documents[order_id].get("siteCode", ""), reverse=True
    )
