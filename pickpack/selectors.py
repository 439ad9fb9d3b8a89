"""Reads of packing events and recalculation jobs, always scoped to a tenant."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from orders import vendors
from orders.actors import Actor
from orders.errors import NotFound
from orders.models import Order, OrderEntry, OrderEvent, OrderEventType, Tenant
from orders.selectors import visible_orders
from orders.statuses import OrderStatus

from .models import PENDING_MESSAGE, JobOrderStatus, PackingEvent, RecalculationJob

# Order ids are looked up this many at a time: well under the databases' limits on query parameters.
LOOKUP_BATCH_SIZE = 2000


def packing_events(tenant: Tenant, actor: Actor, *, after: datetime | None = None) -> QuerySet[PackingEvent]:
    """The tenant's events the actor may see, oldest first; with `after`, only those packed strictly later.

    A vendor sees the events of its own entries: those of an order and product that an entry of its vendor has.
    """
    events = PackingEvent.objects.filter(tenant=tenant)
    if actor.vendor_id:
        own_entries = vendors.own_entry_rows(
            OrderEntry.objects.filter(
                order__tenant=tenant, order__order_id=OuterRef("order_number"), product_id=OuterRef("product_id")
            ),
            actor,
        )
        events = events.filter(Exists(own_entries))
    if after is not None:
        events = events.filter(timestamp__gt=after)
    return events.order_by("timestamp", "pk")


def packing_event_page(events: QuerySet[PackingEvent], *, page_number: int, page_size: int) -> list[PackingEvent]:
    start = (page_number - 1) * page_size
    return list(events[start : start + page_size])


def get_job(tenant: Tenant, job_id: str, actor: Actor) -> RecalculationJob:
    """The job if the actor may see it: a vendor sees the jobs started for its vendor only."""
    jobs = RecalculationJob.objects.filter(tenant=tenant, job_id=job_id)
    if actor.vendor_id:
        jobs = jobs.filter(vendor_id=actor.vendor_id)
    job = jobs.first()
    if job is None:
        raise NotFound(f"Recalculation job with id {job_id} not found.")
    return job


def job_order_results(job: RecalculationJob) -> Iterator[tuple[str, str, str]]:
    """(orderId, message, status) of each order of the job, in the order they were added; a MANUAL job's requested
    ids are PENDING until its worker has looked them up and added their rows."""
    if job.requested_order_ids is not None:
        return ((order_id, PENDING_MESSAGE, JobOrderStatus.PENDING) for order_id in job.requested_order_ids)
    rows = job.order_rows.order_by("pk").values_list("order_number", "message", "status")
    return rows.iterator(chunk_size=LOOKUP_BATCH_SIZE)


def orders_needing_recalculation(tenant: Tenant, actor: Actor, *, among: list[str] | None = None) -> QuerySet[Order]:
    """Orders with a packing event that arrived after their last recalculation (or their creation, if none); with
    `among`, only orders of those ids.

    COMPLETED orders are left out: a job may not change them (docs/decisions.md), and listing them would fail
    them again in every automatic job.
    """
    last_recalculation = (
        OrderEvent.objects.filter(order=OuterRef("pk"), type=OrderEventType.RECALCULATED)
        .order_by("-timestamp")
        .values("timestamp")[:1]
    )
    newer_events = PackingEvent.objects.filter(
        tenant=tenant, order_number=OuterRef("order_id"), received__gt=OuterRef("last_recalculation")
    )
    with_events = PackingEvent.objects.filter(tenant=tenant).values("order_number") if among is None else among
    return (
        visible_orders(tenant, actor)
        .filter(order_id__in=with_events)
        .exclude(status=OrderStatus.COMPLETED)
        .annotate(last_recalculation=Coalesce(Subquery(last_recalculation), F("created")))
        .filter(Exists(newer_events))
    )


def orders_to_recalculate(tenant: Tenant, actor: Actor) -> list[tuple[str, int]]:
    """(id, primary key) of the orders an AUTOMATIC job recalculates, in primary-key order.

    Walks the order numbers of the tenant's packing events on their index, a batch at a time, and looks each batch up
    by the orders' unique (tenant, id) index: the cost follows the packed orders, never the size of the orders table
    (a join left to the planner scanned every order once it guessed that many were packed).
    """
    found: list[tuple[str, int]] = []
    for numbers in packed_order_numbers(tenant, batch_size=LOOKUP_BATCH_SIZE):
        orders = orders_needing_recalculation(tenant, actor, among=numbers)
        found.extend(orders.order_by().values_list("order_id", "pk"))
    return sorted(found, key=lambda order: order[1])


def packed_order_numbers(tenant: Tenant, *, batch_size: int) -> Iterator[list[str]]:
    """The distinct order numbers of the tenant's packing events, in keyset batches (index packing_event_order)."""
    after = ""
    while True:
        batch = list(
            PackingEvent.objects.filter(tenant=tenant, order_number__gt=after)
            .order_by("order_number")
            .values_list("order_number", flat=True)
            .distinct()[:batch_size]
        )
        if not batch:
            return
        yield batch
        after = batch[-1]


def unknown_order_ids(tenant: Tenant, actor: Actor, order_ids: list[str]) -> list[str]:
    """The ids, in the order given, that name no order the actor may see (unknown, another tenant's, another
    vendor's: the same to the actor)."""
    known: set[str] = set()
    for start in range(0, len(order_ids), LOOKUP_BATCH_SIZE):
        chunk = order_ids[start : start + LOOKUP_BATCH_SIZE]
        known.update(visible_orders(tenant, actor).filter(order_id__in=chunk).values_list("order_id", flat=True))
    return [order_id for order_id in order_ids if order_id not in known]


@dataclass(frozen=True)
class OrderPackingEvent:
    event: PackingEvent
    applied: bool  # a recalculation ran after it arrived, so the order's delivered amounts include it


def order_packing_events(order: Order, *, limit: int) -> list[OrderPackingEvent]:
    """The order's newest packing events, each with whether a recalculation has applied it yet."""
    last_recalculation = (
        order.events.filter(type=OrderEventType.RECALCULATED).order_by("-timestamp").values_list("timestamp").first()
    )
    applied_until = last_recalculation[0] if last_recalculation else None
    events = PackingEvent.objects.filter(tenant_id=order.tenant_id, order_number=order.order_id).order_by(
        "-received", "-pk"
    )[:limit]
    return [OrderPackingEvent(event, applied_until is not None and event.received <= applied_until) for event in events]
