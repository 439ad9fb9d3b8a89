"""Reads of orders, always scoped to a tenant and to what the actor may see."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.http import Http404

from . import documents, vendors
from .actors import Actor
from .deliveries import DeliverySource
from .errors import ErrorDetail, NotFound, ValidationFailed
from .events import STATUS_EVENT_TYPES
from .models import ChangeRecord, Order, OrderEntry, OrderEvent, OrderEventType, Tenant
from .query import check_fields, compile_query, parse_sort, project_fields
from .query.changes import compile_change_query
from .query.json_sql import DocumentCondition
from .statements import fetch_row, fetch_rows

DEFAULT_ORDERING = ("-created", "-order_id")
# A page's cost grows with its orders' entries (each up to MAX_ENTRIES_PER_ORDER): pages larger than this, and every
# page projected with `fields`, are checked against a budget of entries first (one indexed count).
UNCHECKED_PAGE_SIZE = 100
MAX_ENTRIES_PER_PAGE = 10_000
ENTRY_PATH = re.compile(r"^entries\[(?P<entry>[^\]]+)\]")
# Up to this many matches of a q on document paths, a page is sorted from the list of the matches (see
# `orders_in_page_order`). About where both ways cost the same at a million orders: reading the listed orders
# grows with the matches, walking the sort index until a page is full shrinks with them.
SMALL_RESULT = 5_000
# Compiled q plans kept per process (tenant, vendor and q each), and page statements per plan: a few kB each.
SEARCH_PLANS = 256
PAGES_PER_PLAN = 16


def visible_orders(tenant: Tenant | int, actor: Actor) -> QuerySet[Order]:
    return vendors.visible_orders(Order.objects.filter(tenant=tenant), actor)


def order_not_found(order_id: str) -> NotFound:
    return NotFound(f"Order with id {order_id} not found.")


def get_order(tenant: Tenant | int, order_id: str, actor: Actor) -> Order:
    order = visible_orders(tenant, actor).filter(order_id=order_id).first()
    if order is None:
        raise order_not_found(order_id)
    return order


def with_document_text(orders: QuerySet[Order]) -> QuerySet:
    """The stored documents as JSON text, so reads pass them through without decoding."""
    return orders.annotate(document_text=Cast("document", TextField())).values_list("document_text", flat=True)


def document_statement(*, of_vendor: bool) -> str:
    """The stored document text of one order by id; for a vendor, only if it may see the order."""
    vendor_rule = f" AND {vendors.visible_to_vendor_sql('o')}" if of_vendor else ""
    return document_select(tenant="%s", order_id="%s", condition=vendor_rule)


def document_select(*, tenant: str, order_id: str, condition: str = "") -> str:
    """SELECT of one order's stored document text by the SQL of its tenant's id and its id, and more `condition`."""
    text = "o.document::text" if connection.vendor == "postgresql" else "o.document"
    table = Order._meta.db_table
    return f"SELECT {text} FROM {table} o WHERE o.tenant_id = {tenant} AND o.order_id = {order_id}{condition}"


def visible_document_of_client_sql() -> str:
    """The subquery of an order's document text as the client `c` of tenant `n` may see it (NULL when it may not):
    the vendor rule on the client's own vendor id, which is empty for a client of no vendor. One parameter: the id."""
    vendor_rule = f" AND (c.vendor_id = '' OR {vendors.visible_to_vendor_sql('o', vendor='c.vendor_id')})"
    return f"({document_select(tenant='n.id', order_id='%s', condition=vendor_rule)})"


DOCUMENT_STATEMENTS = {of_vendor: document_statement(of_vendor=of_vendor) for of_vendor in (False, True)}


def order_document_text(tenant: Tenant | int, order_id: str, actor: Actor) -> str:
    """The order as stored, as JSON text (one prepared statement: the hottest read)."""
    tenant_pk = tenant.pk if isinstance(tenant, Tenant) else tenant
    params = (tenant_pk, order_id, actor.vendor_id) if actor.vendor_id else (tenant_pk, order_id)
    row = fetch_row(DOCUMENT_STATEMENTS[bool(actor.vendor_id)], params)
    if row is None:
        raise order_not_found(order_id)
    return row[0]


@dataclass(frozen=True)
class Statement:
    """SQL text with `%s` placeholders and its parameters, as the ORM compiled them."""

    sql: str
    params: tuple

    @classmethod
    def of(cls, queryset: QuerySet) -> "Statement":
        sql, params = queryset.query.sql_with_params()
        return cls(sql, tuple(params))

    def rows(self) -> list[tuple]:
        return fetch_rows(self.sql, self.params)


class SearchPlan:
    """The statements of one q for one tenant and vendor, compiled by the ORM once and kept (see `search_plan`):
    a list request that repeats a q (an ERP polling) skips parsing q and building SQL, and on PostgreSQL finds
    the statements already prepared."""

    def __init__(self, orders: QuerySet[Order], *, tests_document: bool):
        # Never evaluated itself, only cloned: holding it across requests keeps no rows.
        self.orders = orders
        # Whether q tests document paths: PostgreSQL keeps no statistics on them, so it guesses how many orders match.
        self.tests_document = tests_document
        count_sql, count_params = orders.values("pk").query.sql_with_params()
        self.count = Statement(f"SELECT COUNT(*) FROM ({count_sql}) AS matches", tuple(count_params))
        self.small_result = Statement.of(orders.values_list("pk", flat=True)[: SMALL_RESULT + 1])
        self._pages: dict[tuple, Statement] = {}

    def page(self, sort: str | None, start: int, size: int) -> Statement:
        """The documents of one page (of at most UNCHECKED_PAGE_SIZE orders), sorted, each after the count of all
        matches: one statement, one round trip, where the page and the count used to be two."""
        key = (sort, start, size)
        statement = self._pages.get(key)
        if statement is None:
            ordering = parse_sort(sort) or DEFAULT_ORDERING
            page = self.orders.order_by(*ordering).values("pk")[start : start + size]
            documents = Order.objects.filter(pk__in=page).order_by(*ordering)
            total = RawSQL(self.count.sql, self.count.params)
            statement = Statement.of(
                documents.annotate(total=total, text=Cast("document", TextField())).values_list("total", "text")
            )
            if len(self._pages) >= PAGES_PER_PLAN:
                self._pages.pop(next(iter(self._pages)))
            self._pages[key] = statement
        return statement


@lru_cache(maxsize=SEARCH_PLANS)
def search_plan(tenant_pk: int, vendor_id: str, q: str | None) -> SearchPlan:
    """The plan of a q; raises ValidationFailed for a bad q (and keeps nothing)."""
    condition = compile_query(q)
    orders = visible_orders(tenant_pk, Actor(label="", vendor_id=vendor_id)).filter(condition)
    return SearchPlan(orders, tests_document=tests_document_paths(condition))


class OrderSearch:
    """The visible orders matching a q, counted at most once: a list needs the total for its header and to plan
    its page."""

    def __init__(self, plan: SearchPlan):
        self.plan = plan
        self._total: int | None = None

    @property
    def tests_document(self) -> bool:
        return self.plan.tests_document

    def count(self) -> int:
        if self._total is None:
            self._total = self.plan.count.rows()[0][0]
        return self._total

    def page_texts(self, sort: str | None, start: int, size: int) -> list[str]:
        """The stored document texts of one page (see SearchPlan.page); counts the matches in the same statement
        unless the page is empty."""
        return self.texts_of_page(self.plan.page(sort, start, size).rows())

    def texts_of_page(self, rows: list[tuple]) -> list[str]:
        """The texts of the rows of a page statement, keeping the count they carry."""
        if rows:
            self._total = rows[0][0]
        return [text for _, text in rows]

    def small_result_ids(self) -> list[int] | None:
        """The primary keys of all matches when there are at most SMALL_RESULT of them (which also counts them,
        in the same pass), else None."""
        ids = [pk for (pk,) in self.plan.small_result.rows()]
        if len(ids) > SMALL_RESULT:
            return None
        self._total = len(ids)
        return ids


def search_orders(tenant: Tenant | int, actor: Actor, *, q: str | None) -> OrderSearch:
    """The visible orders matching the q language (see docs/query-language.md)."""
    tenant_pk = tenant.pk if isinstance(tenant, Tenant) else tenant
    return OrderSearch(search_plan(tenant_pk, actor.vendor_id, q))


def tests_document_paths(condition: Q) -> bool:
    """Whether a compiled q tests paths inside the document, not only indexed columns."""
    return any(
        isinstance(child, DocumentCondition) or (isinstance(child, Q) and tests_document_paths(child))
        for child in condition.children
    )


def order_page_json(
    orders: OrderSearch, *, page_number: int, page_size: int, sort: str | None = None, fields: str | None = None
) -> str:
    """One page of orders as a JSON array; without `fields` the stored documents pass through undecoded."""
    check_fields(fields)
    start = (page_number - 1) * page_size
    ordering = parse_sort(sort) or DEFAULT_ORDERING
    matches = orders.small_result_ids() if orders.tests_document else None
    if matches is None and reads_plan_page(fields=fields, page_size=page_size):
        texts = orders.page_texts(sort, start, page_size)
    else:
        texts = checked_page_texts(orders_in_page_order(orders, matches, ordering), ordering, start, page_size, fields)
    if fields:
        texts = [documents.dumps(project_fields(documents.loads_stored(text), fields)) for text in texts]
    return page_json(texts)


def page_json(texts: list[str]) -> str:
    """A page's JSON array from its documents' JSON texts, which pass through undecoded."""
    return "[" + ",".join(texts) + "]"


def reads_plan_page(*, fields: str | None, page_size: int) -> bool:
    """Whether a page (of a q on columns, or of a large result) is read by its plan's page statement as stored; the
    others are checked against the entries' budget first."""
    return not fields and page_size <= UNCHECKED_PAGE_SIZE


def checked_page_texts(sorted_orders: QuerySet[Order], ordering, start: int, size: int, fields: str | None) -> list:
    page = sorted_orders.values("pk")[start : start + size]
    if fields or size > UNCHECKED_PAGE_SIZE:
        page = list(page.values_list("pk", flat=True))
        check_page_budget(page)
    # Documents are rendered for the page's orders only, not for every order the sort looks at.
    return list(with_document_text(Order.objects.filter(pk__in=page).order_by(*ordering)))


def check_page_budget(order_pks: list[int]) -> None:
    """Refuse a page whose orders hold more than MAX_ENTRIES_PER_PAGE entries: its cost grows with them."""
    entries = OrderEntry.objects.filter(order_id__in=order_pks).count()
    if entries > MAX_ENTRIES_PER_PAGE:
        message = (
            f"this page's orders hold {entries:,} entries, more than the {MAX_ENTRIES_PER_PAGE:,} one page may return"
            ": ask for a smaller pageSize"
        )
        raise ValidationFailed(
            f"Invalid query parameter pageSize: {message}.",
            [ErrorDetail("pageSize", message, "invalid_query_parameter")],
        )


def orders_in_page_order(orders: OrderSearch, matches: list[int] | None, ordering) -> QuerySet[Order]:
    """The orders sorted for paging.

    A small result of a q on document paths is sorted from the list of its matches. Given a LIMIT, PostgreSQL would
    rather walk an index in sort order and test each order on the way, guessing that one in a hundred matches: a q
    matching one order in a million made it read all million.
    """
    if matches is not None:
        return Order.objects.filter(pk__in=matches).order_by(*ordering)
    return orders.plan.orders.order_by(*ordering)


def delivered_by_hand_at(order_pks: Iterable[int]) -> dict[int, dict[str, datetime]]:
    """When each entry's delivered amount was last set by hand, by order and entry id (orders and entries never set
    so are left out); one statement for any number of orders."""
    events = OrderEvent.objects.filter(
        order_id__in=list(order_pks), type=OrderEventType.DELIVERED, parameters__source=DeliverySource.BY_HAND
    ).order_by("timestamp", "pk")
    by_order: dict[int, dict[str, datetime]] = {}
    for order_pk, timestamp, changes in events.values_list("order_id", "timestamp", "parameters__changes"):
        by_order.setdefault(order_pk, {}).update((change["entryId"], timestamp) for change in changes or [])
    return by_order


def delivery_sources(order: Order) -> dict[str, OrderEvent]:
    """The event that last set each entry's delivered amount, by entry id."""
    events = order.events.filter(type=OrderEventType.DELIVERED).order_by("timestamp", "pk")
    return {change["entryId"]: event for event in events for change in event.parameters.get("changes") or []}


def order_change_records(
    tenant: Tenant,
    order_id: str,
    actor: Actor,
    *,
    path: str = "",
    by: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[ChangeRecord]:
    """The change records of one visible order, newest first; `path` a prefix of a changed path, `by` an actor's
    id or type, `since`/`until` a time range (inclusive, exclusive)."""
    if not visible_orders(tenant, actor).filter(order_id=order_id).exists():
        raise order_not_found(order_id)
    records = ChangeRecord.objects.filter(tenant=tenant, order_number=order_id)
    if path:
        changed_paths = Cast("changes", TextField())
        records = records.alias(changed_paths=changed_paths).filter(
            changed_paths__regex=r'"path": ?"' + re.escape(path)
        )
    if by:
        records = records.filter(Q(actor__id=by) | Q(actor__type=by))
    if since is not None:
        records = records.filter(timestamp__gte=since)
    if until is not None:
        records = records.filter(timestamp__lt=until)
    return records.order_by("-timestamp", "-id")


def tenant_change_records(tenant: Tenant, actor: Actor, *, q: str | None) -> QuerySet[ChangeRecord]:
    """The tenant's change records matching q (see orders/query/changes.py), newest first; a vendor sees those of
    the orders it sees (so not those of deleted orders)."""
    records = ChangeRecord.objects.filter(tenant=tenant).filter(compile_change_query(q))
    if actor.vendor_id:
        records = records.filter(order__in=visible_orders(tenant, actor))
    return records.order_by("-timestamp", "-id")


def visible_changes(record: ChangeRecord, actor: Actor, others_entries: set[str]) -> list[dict]:
    """The record's changes a vendor may see: none of other vendors' entries."""
    if not actor.vendor_id:
        return record.changes
    return [change for change in record.changes if entry_of_path(change["path"]) not in others_entries]


def entry_of_path(path: str) -> str | None:
    match = ENTRY_PATH.match(path)
    return match["entry"] if match else None


def other_vendors_entries(orders: QuerySet[Order] | list[Order], actor: Actor) -> set[str]:
    """Ids of the entries of the given orders that belong to other vendors than the actor's."""
    if not actor.vendor_id:
        return set()
    return {
        entry["id"]
        for order in orders
        for entry in order.document.get("entries") or []
        if not vendors.owns_entry(actor, entry)
    }


def status_history(order: Order) -> list[OrderEvent]:
    """The order's statuses in the order they were reached, its creation included."""
    return list(order.events.filter(type__in=STATUS_EVENT_TYPES).order_by("timestamp", "pk"))


def staff_tenants(user) -> list[Tenant]:
    """The tenants a staff user works in (a superuser works in all of them)."""
    return list(_tenants_of(user).order_by("name"))


def staff_tenant(user, name: str) -> Tenant:
    """The named tenant if the user works in it; otherwise 404, so other tenants stay invisible."""
    tenant = _tenants_of(user).filter(name=name).first()
    if tenant is None:
        raise Http404("No such tenant.")
    return tenant


def _tenants_of(user) -> QuerySet[Tenant]:
    return Tenant.objects.all() if user.is_superuser else user.tenants.all()
