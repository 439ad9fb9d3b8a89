"""On PostgreSQL, equality on document paths is JSON containment, which the GIN index serves."""

import pytest
from django.db import connection

from orders.models import Order
from orders.query import compile_query

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@pytest.mark.parametrize(
    "q",
    [
        "entries.product.vendor.id:vendor-a",
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
