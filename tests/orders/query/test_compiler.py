"""compile_query over stored orders: every form of the q language, checked against the reference reading."""

import pytest

from orders.errors import ValidationFailed
from orders.query import compile_query

from .reference import matching_ids

QUERIES = [
    # text equality, hot and in the document
    "currency:USD",
    "status:COMPLETED",
    "siteCode:DE",
    "customer.email:customer3@example.com",
    "customer.id:C1003",
    "billingAddress.city:Wien",
    'billingAddress.city:"New York"',
    'customer.firstName:"Ana Lu"',
    "customer.firstName:Ana",
    # numbers: equality matches 20 and 20.00 (and the text "20" for a bare value), comparisons only numbers
    "tax.total.amount:20",
    'tax.total.amount:"20"',
    "tax.total.amount:>20",
    "tax.total.amount:<20",
    "tax.total.amount:>=20",
    "tax.total.amount:<=20",
    "tax.total.amount:(>=10 AND <=20)",
    "tax.total.amount:(>10 AND <25.5)",
    "tax.total.amount:(>=15)",
    "tax.total.amount:(15,25.5)",
    "calculatedPrice.finalPrice.grossValue:>100",
    "calculatedPrice.finalPrice.grossValue:(>=50 AND <150)",
    "calculatedPrice.finalPrice.netValue:<=60",
    "calculatedPrice.finalPrice.taxValue:>10",
    "totalPrice:>100",
    "calculatedPrice.price.grossValue:>100",
    # dates: hot columns and document texts
    'created:(>="2021-05-18T07:27:27.455Z" AND <"2021-05-20T07:27:27.455Z")',
    'created:>"2021-05-20T00:00:00Z"',
    'created:<="2021-05-16"',
    'created:>="2021-05-15T07:27:27.037Z"',
    'created:"2021-05-15T07:27:27.037Z"',
    'created:"2021-05-15T00:27:27.000Z"',
    'created:>"2021-05-15T00:27:27.000Z"',
    'created:<="2021-05-15T00:27:27.000Z"',
    'created:>="2021-05-15T00:27:27.000417Z"',
    'created:<"2021-05-15T00:27:27.000500Z"',
    'lastStatusChange:<"2021-05-17T00:00:00.000Z"',
    'created:("2021-05-15T07:27:27.037Z","2021-05-15T14:27:27.074Z")',
    'deliveryWindow.deliveryDate:>="2021-06-10T10:00:00.000Z"',
    'deliveryWindow.deliveryDate:(>"2021-06-02" AND <"2021-06-20")',
    'deliveryWindow.deliveryDate:"2021-06-06T10:00:00.000Z"',
    # booleans
    "customer.mixins.generalAttributes.invoiceNotDeliveryAddress:true",
    "customer.mixins.generalAttributes.invoiceNotDeliveryAddress:false",
    'customer.mixins.generalAttributes.invoiceNotDeliveryAddress:"true"',
    "mixins.generalAttributes.customerFirstOrder:true",
    # null (missing, null or empty) and exists
    "billingAddress.contactPhone:null",
    "billingAddress.contactPhone:exists",
    "customer.mixins.generalAttributes.invoiceNotDeliveryAddress:null",
    "mixins:exists",
    "mixins:null",
    "mixins.generalAttributes.orderNumber:null",
    "mixins.generalAttributes:exists",
    "mixins.notes:exists",
    "siteCode:null",
    "siteCode:exists",
    "customer.id:null",
    "totalPrice:exists",
    "orderType:null",
    "masterOrder:exists",
    "payments:null",
    "payments:exists",
    "payments.method:null",
    "created:exists",
    "created:null",
    "tax.total.amount:exists",
    # several values
    "id:(EON2001,EON2005,EON2999)",
    "status:(CREATED,SHIPPED)",
    "mixins.generalAttributes.orderNumber:(EON2076,EON2062)",
    "entries.product.vendor.id:(vendor-a,vendor-c)",
    # several terms: all must hold
    "id:EON2001 status:COMPLETED",
    "id:EON2001 status:CREATED",
    "currency:EUR entries.product.vendor.id:vendor-b tax.total.amount:>=15",
    "status:CREATED status:CONFIRMED",
    "  currency:CHF   siteCode:AT  ",
    # escaped quotes and odd text
    r'mixins.notes.text:"call \"before\" delivery"',
    'mixins.notes.text:"leave at door"',
    r'mixins.notes.text:"call \"before\""',
    # mixins
    "mixins.generalAttributes.orderNumber:EON2076",
    "mixins.generalAttributes.extendedOrderStatus:05",
    "mixins.generalAttributes.extendedOrderStatus:5",
    'metadata.mixins.generalAttributes:"https://example.com/schemata/orderGeneralAttributes.v9.json"',
    # arrays: any element matches, nested arrays too; unknown arrays are values, not paths
    "entries.product.vendor.id:vendor-a",
    "entries.product.vendor.id:null",
    "entries.product.vendor.id:exists",
    "entries.product.id:P-3",
    "entries.amount:>3",
    "entries.amount:(>=2 AND <=2)",
    "entries.calculatedPrice.finalPrice.grossValue:>100",
    "entries.tax.lines.code:REDUCED",
    "entries.tax.lines.rate:<10",
    'entries.product.localizedName.de:("Produkt 2","Produkt 4")',
    "payments.method:card",
    "payments.method:(invoice,paypal)",
    "calculatedPrice.finalPrice.taxAggregate.lines.taxCode:STANDARD",
    "shipping.lines.amount:35",
    "shipping.lines.tax.rate:>=12",
    "mixins.tags:gift",
    "mixins.tags:exists",
    # paths that lead nowhere, or through a value of another type
    "nothing.here:x",
    "nothing.here:null",
    "billingAddress.city.name:Wien",
    "entries.amount.value:1",
    "metadata.version:1",
]

EMPTY_BY_DESIGN = {
    "id:EON2001 status:COMPLETED",
    "status:CREATED status:CONFIRMED",
    "created:null",
    "masterOrder:exists",
    "mixins.generalAttributes.extendedOrderStatus:5",
    "mixins.tags:gift",
    r'mixins.notes.text:"call \"before\""',
    "nothing.here:x",
    "billingAddress.city.name:Wien",
    "entries.amount.value:1",
    "payments.method:null",
    "customer.firstName:Ana",
}
ALL_BY_DESIGN = {
    "created:exists",
    "orderType:null",
    "totalPrice:exists",
    "nothing.here:null",
    "mixins.generalAttributes:exists",
    "metadata.version:1",
    "calculatedPrice.finalPrice.taxAggregate.lines.taxCode:STANDARD",
    "entries.product.vendor.id:exists",
    'metadata.mixins.generalAttributes:"https://example.com/schemata/orderGeneralAttributes.v9.json"',
}


@pytest.mark.parametrize("q", QUERIES)
def test_compile_query_matches_the_reference_reading(orders, q):
    # given
    expected = matching_ids(orders.documents, q)
    # when
    found = orders.ids(orders.orders().filter(compile_query(q)))
    # then
    assert found == expected
    assert expected or q in EMPTY_BY_DESIGN, "the fixture should give this query something to find"
    assert len(expected) < len(orders.documents) or q in ALL_BY_DESIGN, "the fixture should give it misses too"


def vendors(document: dict) -> set:
    return {entry.get("product", {}).get("vendor", {}).get("id") for entry in document["entries"]}


SPOT_CHECKS = {
    "entries.product.vendor.id:vendor-a": lambda document: "vendor-a" in vendors(document),
    "entries.product.vendor.id:null": lambda document: vendors(document) == {None},
    "payments.method:card": lambda document: any(
        payment["method"] == "card" for payment in document.get("payments", [])
    ),
    "billingAddress.contactPhone:null": lambda document: document["billingAddress"].get("contactPhone") in (None, ""),
    "billingAddress.contactPhone:exists": lambda document: bool(document["billingAddress"].get("contactPhone")),
    r'mixins.notes.text:"call \"before\" delivery"': lambda document: (
        document.get("mixins", {}).get("notes", {}).get("text") == 'call "before" delivery'
    ),
    "mixins.generalAttributes.orderNumber:EON2076": lambda document: (
        document.get("mixins", {}).get("generalAttributes", {}).get("orderNumber") == "EON2076"
    ),
    'created:(>="2021-05-18T07:27:27.455Z" AND <"2021-05-20T07:27:27.455Z")': lambda document: (
        "2021-05-18T07:27:27.455Z" <= document["created"] < "2021-05-20T07:27:27.455Z"
    ),
    "tax.total.amount:20": lambda document: (
        str(document.get("tax", {}).get("total", {}).get("amount")) in ("20", "20.00")
    ),
}


@pytest.mark.parametrize("q", SPOT_CHECKS)
def test_compile_query_spot_checks_written_by_hand(orders, q):
    expected = {order_id for order_id, document in orders.documents.items() if SPOT_CHECKS[q](document)}
    assert orders.ids(orders.orders().filter(compile_query(q))) == expected
    assert expected


def test_compile_query_created_equality_matches_the_millisecond_the_document_shows(orders):
    # given an order created at ….000417 (microseconds), shown in its document as ….000Z
    shown = orders.documents["EON2000"]["created"]
    assert shown == "2021-05-15T00:27:27.000Z"
    # when / then
    assert orders.ids(orders.orders().filter(compile_query(f'created:"{shown}"'))) == {"EON2000"}
    assert "EON2000" not in orders.ids(orders.orders().filter(compile_query(f'created:>"{shown}"')))
    assert "EON2000" in orders.ids(orders.orders().filter(compile_query(f'created:<="{shown}"')))


def test_compile_query_empty_query_filters_nothing(orders):
    assert orders.ids(orders.orders().filter(compile_query(""))) == set(orders.documents)
    assert orders.ids(orders.orders().filter(compile_query(None))) == set(orders.documents)
    assert orders.ids(orders.orders().filter(compile_query("   "))) == set(orders.documents)


@pytest.mark.parametrize(
    ("q", "message"),
    [
        (
            "created:abc",
            "created:abc (column 1): created is a date-time: use one such as \"2021-05-18T07:27:27.455Z\", not 'abc'",
        ),
        (
            "status:CREATED calculatedPrice.finalPrice.grossValue:>abc",
            "calculatedPrice.finalPrice.grossValue:>abc (column 16): "
            "calculatedPrice.finalPrice.grossValue is a number: use one such as 20 or 19.99, not 'abc'",
        ),
        ("status:(>3)", "status:(>3) (column 1): status is text: comparisons work on numbers and date-times only"),
        (
            'totalPrice:"20"',
            "totalPrice:\"20\" (column 1): totalPrice is a number: use one such as 20 or 19.99, not '20'",
        ),
        (
            "totalPrice:>100000000000000000",
            "totalPrice:>100000000000000000 (column 1): 100000000000000000 is out of range for totalPrice",
        ),
        (
            "tax.total.amount:>abc",
            "tax.total.amount:>abc (column 1): comparisons need a number such as 20 or -3.5, or a "
            "date-time in double quotes such as \"2021-05-18T07:27:27.455Z\", not 'abc'",
        ),
        (
            'amount:(>1 AND <"2021-05-18")',
            'amount:(>1 AND <"2021-05-18") (column 1): a range cannot mix numbers and date-times',
        ),
        ("amount:=20", "unknown operator '=' at column 8; use >, >=, < or <="),
        ("amount:!=20", "unknown operator '!=' at column 8; use >, >=, < or <="),
        ("amount:=>20", "unknown operator '=>' at column 8; use >, >=, < or <="),
        ("amount:<>20", "unknown operator '<>' at column 8; use >, >=, < or <="),
        (
            "currency:",
            "unexpected end of the query at column 10; expected '(', an operator (>, >=, <, <=), a value in "
            "double quotes or a value",
        ),
        ("currency:(USD", "unexpected end of the query at column 14; expected ')', ',' or a space"),
        ("currency USD", "unexpected white space at column 9; expected ':'"),
        ('name:"open', "the quoted value at column 6 has no closing quote"),
        (
            "id:(EON1,null)",
            "id:(EON1,null) (column 1): null cannot be one of several values; write it as its own term, "
            "e.g. field:null",
        ),
    ],
)
def test_compile_query_rejects_bad_queries_naming_the_part_and_column(q, message):
    with pytest.raises(ValidationFailed) as raised:
        compile_query(q)
    assert [detail.as_dict() for detail in raised.value.details] == [
        {"field": "q", "type": "invalid_query_parameter", "message": message}
    ]
    assert raised.value.message == f"Invalid query parameter q: {message}."


@pytest.mark.parametrize(
    "q",
    [
        "entries.product.vendor.id:vendor-a",
        "billingAddress.contactPhone:null",
        "tax.total.amount:>=20",
        'deliveryWindow.deliveryDate:<"2021-06-10"',
        "mixins:exists",
        "siteCode:null",
        "totalPrice:<100",
        "customer.mixins.generalAttributes.invoiceNotDeliveryAddress:true",
    ],
)
def test_compile_query_excluded_gives_exactly_the_other_orders(orders, q):
    # A condition that could be NULL would drop orders from both sides.
    found = orders.ids(orders.orders().filter(compile_query(q)))
    excluded = orders.ids(orders.orders().exclude(compile_query(q)))
    assert found | excluded == set(orders.documents) and not found & excluded
