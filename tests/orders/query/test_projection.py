"""project_fields: keep only the listed dotted paths of a document. No database."""

import pytest

from orders.query import project_fields

DOCUMENT = {
    "id": "EON1",
    "status": "CREATED",
    "customer": {"id": "C1", "email": "a@example.com", "mixins": {"general": {"vip": True}}},
    "entries": [
        {"id": "e1", "amount": 1, "product": {"id": "P1", "vendor": {"id": "v1"}}},
        {"id": "e2", "amount": 2, "product": {"id": "P2"}},
    ],
    "subOrders": ["EON2", "EON3"],
    "billingAddress": None,
}


@pytest.mark.parametrize("fields", ["", None, " , "])
def test_project_fields_without_fields_returns_the_document(fields):
    assert project_fields(DOCUMENT, fields) is DOCUMENT


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("id", {"id": "EON1"}),
        ("id,status", {"id": "EON1", "status": "CREATED"}),
        (" id , customer.email ", {"id": "EON1", "customer": {"email": "a@example.com"}}),
        (
            "customer.email,customer.mixins.general.vip",
            {"customer": {"email": "a@example.com", "mixins": {"general": {"vip": True}}}},
        ),
        ("customer", {"customer": DOCUMENT["customer"]}),
        ("entries.id", {"entries": [{"id": "e1"}, {"id": "e2"}]}),
        (
            "entries.id,entries.product.vendor.id",
            {"entries": [{"id": "e1", "product": {"vendor": {"id": "v1"}}}, {"id": "e2"}]},
        ),
        ("subOrders", {"subOrders": ["EON2", "EON3"]}),
        ("billingAddress", {"billingAddress": None}),
        ("billingAddress.city", {}),
        ("nothing,status.deeper", {}),
    ],
)
def test_project_fields_keeps_only_the_listed_paths(fields, expected):
    assert project_fields(DOCUMENT, fields) == expected


def test_project_fields_leaves_the_document_untouched():
    project_fields(DOCUMENT, "entries.id,customer.email")
    assert DOCUMENT["entries"][0]["amount"] == 1 and "mixins" in DOCUMENT["customer"]
