"""On PostgreSQL, equality on document paths is JSON containment, which the GIN index serves."""

import pytest
from django.db import connection

from orders.models import Order
from orders.query import compile_query

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def test_vendor_equality_reads_the_indexed_entry_rows(orders):
    sql, _ = Order.objects.filter(compile_query("entries.product.vendor.id:vendor-a")).query.sql_with_params()
    assert 'FROM "orders_orderentry"' in sql
    assert '"orders_order"."document" @> ' not in sql


@pytest.mark.parametrize(
    "q",
    [
        "customer.company:Acme",
        "payments.method:(card,invoice)",
        "mixins.generalAttributes.orderNumber:EON2076",
    ],
)
def test_document_equality_is_containment_served_by_the_gin_index(orders, q):
    # given
    queryset = Order.objects.filter(compile_query(q))
    sql, _ = queryset.query.sql_with_params()
    assert '"orders_order"."document" @> ' in sql
    # when the planner may not read the table sequentially (the fixture is too small to prefer the index)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()
    # then
    assert "order_document_path_ops" in plan, plan
