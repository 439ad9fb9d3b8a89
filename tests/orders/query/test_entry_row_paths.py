"""Text equality on entry paths that entry rows hold runs as an EXISTS over the rows: the same orders as the
containment test of the documents, and as the reference reading."""

import pytest

from orders.query import compile_query
from orders.query.compiler import document_predicate, document_q
from orders.query.parser import parse_query
from orders.selectors import tests_document_paths as reads_documents

from .reference import matching_ids

THROUGH_ENTRY_ROWS = [
    "entries.product.vendor.id:vendor-a",
    'entries.product.vendor.id:"vendor-b"',
    "entries.product.vendor.id:(vendor-a,vendor-c)",
    "entries.product.vendor.id:no-such-vendor",
    "entries.product.vendor.id:42",
    "entries.product.vendor.id:true",
    "entries.product.id:P-3",
    "entries.product.id:(P-1,P-3)",
    "currency:EUR entries.product.vendor.id:vendor-b",
]


@pytest.mark.parametrize("q", THROUGH_ENTRY_ROWS)
def test_entry_row_equality_finds_what_the_document_test_finds(orders, q):
    # given both ways of reading the same q
    through_rows = compile_query(q)
    through_documents = [document_q(term, document_predicate(term)) for term in parse_query(q).terms]
    # when
    found_by_rows = orders.ids(orders.orders().filter(through_rows))
    found_by_documents = orders.ids(orders.orders().filter(*through_documents))
    # then
    assert not reads_documents(through_rows)
    assert found_by_rows == found_by_documents == matching_ids(orders.documents, q)


@pytest.mark.parametrize(
    "q",
    [
        'entries.product.vendor.id:""',
        "entries.product.vendor.id:null",
        "entries.product.vendor.id:exists",
        "entries.product.vendor.name:vendor-a",
    ],
)
def test_other_entry_conditions_stay_on_the_document(orders, q):
    condition = compile_query(q)
    assert reads_documents(condition)
    assert orders.ids(orders.orders().filter(condition)) == matching_ids(orders.documents, q)


def test_an_empty_text_among_the_values_does_not_match_entries_without_a_vendor(orders):
    # given the orders holding an entry of vendor-a (tests/orders/query/documents.py: vendor-a where number +
    # position is a multiple of 4), and EON2003, whose only entry has no vendor (its entry row holds "")
    vendor_a = {f"EON{2000 + number}" for number in (0, 2, 4, 7, 8, 11, 12, 14, 16, 19, 20, 23, 24, 26, 28)}
    # when
    found = orders.ids(orders.orders().filter(compile_query('entries.product.vendor.id:(vendor-a,"")')))
    # then "" matches only a vendor id written as "", which no document holds
    assert found == vendor_a
    assert "EON2003" not in found
