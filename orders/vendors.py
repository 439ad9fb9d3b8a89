"""What a vendor-restricted actor may see and change: one rule for orders, packing events and jobs.

A vendor client sees the orders holding at least one entry of its vendor (`entries[].product.vendor.id`). On any
of them it may change its own entries. Order-level state (status, customer, addresses, payments, mixins…) it may
change only on orders whose every entry is its own — a suborder after a split, typically — and other vendors'
entries never.
"""

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from .actors import Actor
from .documents import get_path
from .errors import PermissionDenied
from .models import Order, OrderEntry

SHARED_ORDER_MESSAGE = (
    "This order holds entries of other vendors too: a vendor client may change only its own entries on it. "
    "Order-level changes ({what}) are for orders whose every entry is the vendor's."
)
OTHER_ENTRIES_MESSAGE = "A vendor client may only add, change or remove its own vendor's entries."


def entry_vendor(entry: Any) -> str:
    return get_path(entry, "product.vendor.id") or "" if isinstance(entry, dict) else ""


def owns_entry(actor: Actor, entry: Any) -> bool:
    return not actor.vendor_id or entry_vendor(entry) == actor.vendor_id


def is_shared_with_others(document: dict, actor: Actor) -> bool:
    """Whether a vendor actor shares the order with other vendors (False for actors of no vendor)."""
    return bool(actor.vendor_id) and not all(owns_entry(actor, entry) for entry in document.get("entries") or [])


def visible_orders(orders: QuerySet[Order], actor: Actor) -> QuerySet[Order]:
    """The orders the actor may see: for a vendor, those holding an entry of its vendor."""
    if not actor.vendor_id:
        return orders
    return orders.filter(Exists(own_entry_rows(OrderEntry.objects.filter(order=OuterRef("pk")), actor)))


def sees_order(actor: Actor, document: dict) -> bool:
    """`visible_orders` for one order already read: the entry rows it asks about mirror the document's entries."""
    return not actor.vendor_id or any(owns_entry(actor, entry) for entry in document.get("entries") or [])


def visible_to_vendor_sql(order_alias: str, vendor: str = "%s") -> str:
    """`visible_orders` for a vendor as a SQL condition on the order row `order_alias`; `vendor` is the SQL of the
    vendor id (by default a parameter)."""
    entries = OrderEntry._meta
    return (
        f"EXISTS (SELECT 1 FROM {entries.db_table} e WHERE e.{entries.get_field('order').column} = {order_alias}.id"
        f" AND e.{entries.get_field('vendor_id').column} = {vendor})"
    )


def own_entry_rows(rows: QuerySet[OrderEntry], actor: Actor) -> QuerySet[OrderEntry]:
    """The entry rows the actor may change: for a vendor, those of its vendor."""
    return rows.filter(vendor_id=actor.vendor_id) if actor.vendor_id else rows


def check_order_level_change(document: dict, actor: Actor, what: str) -> None:
    """Refuse an order-level operation (a status change, a split, a delete) on an order shared with others."""
    if is_shared_with_others(document, actor):
        raise PermissionDenied(SHARED_ORDER_MESSAGE.format(what=what))


def check_change(before: dict, after: dict, actor: Actor, *, server_fields: tuple[str, ...]) -> None:
    """Refuse a write of `after` over `before` that the actor's vendor may not make.

    `server_fields` are the fields a write cannot set (the stored ones stay), except `status`, which it moves.
    """
    if not actor.vendor_id:
        return
    if _entries_of_others(before, actor) != _entries_of_others(after, actor):
        raise PermissionDenied(OTHER_ENTRIES_MESSAGE)
    if is_shared_with_others(before, actor) and _order_level_state(
        before, server_fields, status=before.get("status")
    ) != _order_level_state(after, server_fields, status=after.get("status", before.get("status"))):
        raise PermissionDenied(SHARED_ORDER_MESSAGE.format(what="status, customer, addresses, payments, mixins…"))


def _entries_of_others(document: dict, actor: Actor) -> list:
    return [entry for entry in document.get("entries") or [] if not owns_entry(actor, entry)]


def _order_level_state(document: dict, server_fields: tuple[str, ...], *, status: Any) -> dict:
    """Everything but the entries and what the server sets; `metadata.version` only says which version was read."""
    state = {key: value for key, value in document.items() if key != "entries" and key not in server_fields}
    if isinstance(state.get("metadata"), dict):
        state["metadata"] = {key: value for key, value in state["metadata"].items() if key != "version"}
        if not state["metadata"]:
            del state["metadata"]
    state["status"] = status
    return state
