"""Orders per tenant and status, kept by the writes themselves so that no page counts a million rows.

Every write that adds, removes or moves an order adds to its tenant's counter rows in the same transaction, as
`count = count + delta`: the row lock queues concurrent writers, so the counts stay exact and a rolled-back write
leaves them as they were.
"""

from collections import Counter
from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import Count, QuerySet

from .models import Order, OrderStatusCount, Tenant
from .statuses import OrderStatus


def add_orders(tenant: Tenant | int, deltas: Mapping[str, int]) -> None:
    """Add `deltas` ({status: change}) to the tenant's counts; call it inside the write's transaction."""
    tenant_pk = tenant.pk if isinstance(tenant, Tenant) else tenant
    # Rows in status order: two writers moving orders between the same statuses lock them alike, never crosswise.
    rows = [(tenant_pk, status, delta) for status, delta in sorted(deltas.items()) if delta]
    if not rows:
        return
    table = connection.ops.quote_name(OrderStatusCount._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    statement = (
        f"INSERT INTO {table} (tenant_id, status, count) VALUES {values} "
        f"ON CONFLICT (tenant_id, status) DO UPDATE SET count = {table}.count + EXCLUDED.count"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [value for row in rows for value in row])


def order_added(order: Order) -> None:
    add_orders(order.tenant_id, {order.status: 1})


def order_removed(order: Order) -> None:
    add_orders(order.tenant_id, {order.status: -1})


def status_changed(order: Order, *, previous: str) -> None:
    add_orders(order.tenant_id, {previous: -1, order.status: 1})


def orders_added(tenant: Tenant | int, statuses: Iterable[str]) -> None:
    """A bulk load's orders, by their statuses."""
    add_orders(tenant, Counter(statuses))


def counts_by_status(tenant: Tenant | int) -> dict[str, int]:
    """The tenant's orders by status, from the counter rows (statuses without orders are left out)."""
    rows = OrderStatusCount.objects.filter(tenant=tenant).exclude(count=0).values_list("status", "count")
    return dict(rows)


def status_counts(tenant: Tenant | int) -> list[tuple[str, int]]:
    """Every status with its number of orders, in the status machine's order (zero counts included)."""
    counts = counts_by_status(tenant)
    return [(status, counts.get(status, 0)) for status in OrderStatus.values]


def counted_orders(orders: QuerySet[Order]) -> dict[tuple[int, str], int]:
    """Orders by (tenant, status), counted from the rows: what the counters must hold."""
    rows = orders.order_by().values_list("tenant", "status").annotate(count=Count("pk"))
    return {(tenant, status): count for tenant, status, count in rows}


def order_count(tenant: Tenant | int, *, status: str | None = None) -> int:
    """The tenant's orders (in `status`, if given), from the counter rows."""
    counts = counts_by_status(tenant)
    return counts.get(status, 0) if status else sum(counts.values())
