"""Money and date q's at their edges, with the matching orders written out (not read from a reference matcher).

Five orders: gross 99.99, 100.00 and 100.01 (net 84.02, 84.03, 84.04, tax 15.97 each), one with only the legacy
`totalPrice` 100, and one with no total at all (its money columns are NULL).
"""

from decimal import Decimal

import pytest

from orders.actors import Actor
from orders.errors import ValidationFailed
from orders.models import Order
from orders.query import compile_query
from orders.services import create_order, create_tenant

BELOW, EXACT, ABOVE, LEGACY, NO_TOTAL = "EON1", "EON2", "EON3", "EON4", "EON5"
WITH_TOTAL = {BELOW, EXACT, ABOVE, LEGACY}
EVERY = WITH_TOTAL | {NO_TOTAL}


def document(order_id: str, **prices) -> dict:
    entry = {"id": "e-1", "amount": 1, "unitPrice": 1, "totalPrice": 1}
    return {"id": order_id, "customer": {"email": f"{order_id.lower()}@example.com"}, "entries": [entry], **prices}


def final_price(net: str, tax: str, gross: str) -> dict:
    return {"finalPrice": {"netValue": Decimal(net), "taxValue": Decimal(tax), "grossValue": Decimal(gross)}}


@pytest.fixture(scope="module")
def stored_priced_orders(django_db_setup, django_db_blocker):
    """Stored once for the module, outside the tests' transactions (as tests/orders/query/conftest.py does)."""
    with django_db_blocker.unblock():
        tenant = create_tenant(name="qmoney")
        for order in (
            document(BELOW, calculatedPrice=final_price("84.02", "15.97", "99.99")),
            document(EXACT, calculatedPrice=final_price("84.03", "15.97", "100.00")),
            document(ABOVE, calculatedPrice=final_price("84.04", "15.97", "100.01")),
            document(LEGACY, totalPrice=100),
            document(NO_TOTAL, calculatedPrice=final_price("1", "0", "1")),
        ):
            create_order(tenant=tenant, document=order, actor=Actor(label="test"))
        # An order without any total can no longer be created (the engine prices what a document leaves out), but
        # rows stored before that rule may have none: made here by clearing one.
        without_total = Order.objects.get(tenant=tenant, order_id=NO_TOTAL)
        without_total.document.pop("calculatedPrice")
        without_total.total_net = without_total.total_tax = without_total.total_gross = None
        without_total.save()
        yield tenant
        tenant.delete()


@pytest.fixture
def priced_orders(db, stored_priced_orders):
    return stored_priced_orders


def found(tenant, q: str) -> set[str]:
    return set(Order.objects.filter(tenant=tenant).filter(compile_query(q)).values_list("order_id", flat=True))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("totalPrice:>100", {ABOVE}),
        ("totalPrice:>=100", {EXACT, ABOVE, LEGACY}),
        ("totalPrice:<100", {BELOW}),
        ("totalPrice:<=100", {BELOW, EXACT, LEGACY}),
        ("totalPrice:100", {EXACT, LEGACY}),
        ("totalPrice:100.000", {EXACT, LEGACY}),
        ("totalPrice:(99.99,100.01)", {BELOW, ABOVE}),
        ("totalPrice:(>99.99 AND <100.01)", {EXACT, LEGACY}),
        ("totalPrice:(>=99.99 AND <=100)", {BELOW, EXACT, LEGACY}),
        ("totalPrice:(>100 AND <100)", set()),
        ("totalPrice:>-1", WITH_TOTAL),  # NULL compares to nothing
        ("totalPrice:<99999999999999999", WITH_TOTAL),  # the largest bound a money column takes
        ("totalPrice:>-99999999999999999", WITH_TOTAL),
        ("totalPrice:null", {NO_TOTAL}),
        ("totalPrice:exists", WITH_TOTAL),
        ("calculatedPrice.finalPrice.grossValue:>100", {ABOVE}),
        ("calculatedPrice.finalPrice.grossValue:<=100", {BELOW, EXACT, LEGACY}),
        ("calculatedPrice.finalPrice.netValue:>84.03", {ABOVE}),
        ("calculatedPrice.finalPrice.netValue:<=84.03", {BELOW, EXACT}),
        ("calculatedPrice.finalPrice.netValue:84.03", {EXACT}),
        ("calculatedPrice.finalPrice.netValue:null", {LEGACY, NO_TOTAL}),
        ("calculatedPrice.finalPrice.netValue:exists", {BELOW, EXACT, ABOVE}),
        ("calculatedPrice.finalPrice.taxValue:15.97", {BELOW, EXACT, ABOVE}),
        ("calculatedPrice.finalPrice.taxValue:<15.97", set()),
        ("calculatedPrice.finalPrice.taxValue:>=15.97", {BELOW, EXACT, ABOVE}),
        ("calculatedPrice.finalPrice.taxValue:null", {LEGACY, NO_TOTAL}),
        ("totalPrice:>100 totalPrice:<=100", set()),
        ("totalPrice:>=100 calculatedPrice.finalPrice.netValue:<84.04", {EXACT}),
    ],
)
def test_compile_query_money_bounds(priced_orders, q, expected):
    assert found(priced_orders, q) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('created:>"9999-12-31T23:59:59.999Z"', set()),
        ('created:>="9999-12-31T23:59:59.999Z"', set()),
        ('created:<="9999-12-31T23:59:59.999Z"', EVERY),
        ('created:<"9999-12-31T23:59:59.999Z"', EVERY),
        ('created:"9999-12-31T23:59:59.999Z"', set()),
        ('created:<"0001-01-01T00:00:00Z"', set()),
        ('created:>="0001-01-01"', EVERY),
        ('created:>"0001-01-01"', EVERY),
        ('lastStatusChange:<="9999-12-31T23:59:59.999Z"', EVERY),
        # documents show milliseconds: equality with a finer moment matches nothing, even as one of several
        ('created:"2021-05-15T00:27:27.000417Z"', set()),
        ('created:("2021-05-15T00:27:27.000417Z","9999-12-31T23:59:59.999Z")', set()),
    ],
)
def test_compile_query_dates_at_the_ends_of_the_calendar(priced_orders, q, expected):
    assert found(priced_orders, q) == expected


def test_compile_query_now_bounds_the_orders_created_in_this_test(priced_orders):
    created = Order.objects.get(tenant=priced_orders, order_id=EXACT).document["created"]
    assert found(priced_orders, f'created:"{created}"') >= {EXACT}
    assert EXACT in found(priced_orders, f'created:<="{created}"')
    assert EXACT in found(priced_orders, f'created:>="{created}"')
    assert EXACT not in found(priced_orders, f'created:<"{created}"')
    assert EXACT not in found(priced_orders, f'created:>"{created}"')


@pytest.mark.parametrize(
    ("q", "message"),
    [
        (
            "totalPrice:-100000000000000000",
            "totalPrice:-100000000000000000 (column 1): -100000000000000000 is out of range for totalPrice",
        ),
        (
            "totalPrice:<100000000000000000",
            "totalPrice:<100000000000000000 (column 1): 100000000000000000 is out of range for totalPrice",
        ),
        (
            'created:>="9999-12-31T23:59:59.9995Z"',
            'created:>="9999-12-31T23:59:59.9995Z" (column 1): the date-time is out of range',
        ),
        (
            'deliveryWindow.deliveryDate:<"9999-12-31T23:59:59.9999Z"',
            'deliveryWindow.deliveryDate:<"9999-12-31T23:59:59.9999Z" (column 1): the date-time is out of range',
        ),
        ("totalPrice:abc", "totalPrice:abc (column 1): totalPrice is a number: use one such as 20 or 19.99, not 'abc'"),
        (
            "totalPrice:(1,abc)",
            "totalPrice:(1,abc) (column 1): totalPrice is a number: use one such as 20 or 19.99, not 'abc'",
        ),
    ],
)
def test_compile_query_refuses_money_and_dates_out_of_range(q, message):
    with pytest.raises(ValidationFailed) as raised:
        compile_query(q)
    assert [detail.as_dict() for detail in raised.value.details] == [
        {"field": "q", "type": "invalid_query_parameter", "message": message}
    ]
