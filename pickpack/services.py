"""Every operation that changes packing events or recalculation jobs: one function each."""

import logging
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Count, Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders import vendors, write_batches
from orders.actors import Actor
from orders.deliveries import Delivery, DeliverySource, entry_unit
from orders.documents import get_path
from orders.errors import Conflict, DomainError, ErrorDetail, NotFound, PermissionDenied, ValidationFailed
from orders.models import Order, OrderEntry, Tenant
from orders.selectors import delivered_by_hand_at, order_not_found, visible_orders
from orders.services import recalculate_locked_order
from orders.statuses import OrderStatus
from orders.units import PIECE, UnitError, convert
from orders.webhooks import outbox

from .inputs import NewPackingEvent
from .models import (
    PENDING_MESSAGE,
    FailureReason,
    JobOrderStatus,
    JobStatus,
    JobType,
    PackingEvent,
    RecalculationJob,
    RecalculationJobOrder,
    TenantJobLock,
)
from .packing import EntryRef, PackedAmounts, delivered_amounts
from .selectors import get_job, orders_to_recalculate

logger = logging.getLogger(__name__)

# Job rows are read as keyset batches of primary keys only: a 100,000-order job holds at most one batch of
# ids (a few kilobytes) in a worker's memory, and each order is loaded, recalculated and dropped in turn.
JOB_BATCH_SIZE = 500
# Orders recalculated in one transaction: the claim, the packing events, the amounts set by hand, the change records,
# the events and the outcomes of the batch take a statement each, whatever its size. Its rows and orders stay locked
# until it commits, so an API write of one of them, or cancelling the job, waits for at most this many orders.
ORDERS_PER_TRANSACTION = 20
# Rows are written and order ids looked up in chunks this large: bounded memory when a job is created, and
# well under the databases' limits on query parameters.
CREATE_BATCH_SIZE = 2000
# Tasks queued per job. They share the job's rows (each row is taken under a lock that the others pass over), so
# a job spreads over up to this many worker processes; a task that finds nothing left to do ends at once, and one
# that finds only rows others hold waits for them (a dead worker's row is then its own).
TASKS_PER_JOB = 4
# Errors after which the same work may well succeed: the task is retried, the rows stay PENDING. InternalError is
# PostgreSQL's word for a transaction in a state it cannot go on with, e.g. its session ended by the idle limit.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError, InternalError)

SUCCESS_MESSAGE = "Order recalculated successfully"
INTERNAL_ERROR_MESSAGE = "The order could not be recalculated because of an internal error; see the worker's log."
CANCELLED_MESSAGE = "The job was cancelled before this order was recalculated."
MAX_ORDERS_LISTED = 10
# Fields that make two events the same event; who reported it and when it arrived do not.
EVENT_CONTENT_FIELDS = (
    "order_number",
    "product_id",
    "unit",
    "timestamp",
    "site",
    "delivery_cycle",
    "picked_amount",
    "packed_amount",
    "canceled_amount",
    "supplier_id",
    "book_product",
)


# --- packing events ---------------------------------------------------------------------------------------------


def record_packing_event(*, tenant: Tenant, event: NewPackingEvent, actor: Actor) -> PackingEvent:
    """Store a packing event once: the same event sent again is accepted and not counted twice.

    Raises ValidationFailed when the order or its product is unknown or the unit does not fit the entry,
    and Conflict when the event id was used before for a different event.
    """
    try:
        with transaction.atomic():
            order_pk = _lock_order_of_event(tenant, event, actor)
            _check_event_fits_order(order_pk, event, actor)
            existing = PackingEvent.objects.filter(tenant=tenant, event_id=event.event_id).first()
            if existing is not None:
                return _same_event_or_conflict(existing, event)
            return PackingEvent.objects.create(tenant=tenant, user=actor.label, received=timezone.now(), **vars(event))
    except IntegrityError:
        # The same event arrived twice at the same time; the first one was stored.
        return _same_event_or_conflict(PackingEvent.objects.get(tenant=tenant, event_id=event.event_id), event)


def _lock_order_of_event(tenant: Tenant, event: NewPackingEvent, actor: Actor) -> int:
    """The primary key of the event's order, taking its row lock, which a recalculation holds while it reads
    the order's events.

    An event is then either committed before a recalculation reads the events, or received after that
    recalculation ended, so that the next AUTOMATIC job takes it: it can never fall between the two.
    """
    order_pk = (
        visible_orders(tenant, actor)
        .select_for_update()
        .filter(order_id=event.order_number)
        .values_list("pk", flat=True)
        .first()
    )
    if order_pk is None:
        raise _invalid_event("orderNumber", f"the tenant has no order {event.order_number!r}")
    return order_pk


def _check_event_fits_order(order_pk: int, event: NewPackingEvent, actor: Actor) -> None:
    """The order holds an entry of the event's product that the actor may change, in a unit the event's converts to."""
    entries = vendors.own_entry_rows(OrderEntry.objects.filter(order_id=order_pk, product_id=event.product_id), actor)
    units = list(entries.values_list("unit", flat=True))
    if not units:
        raise _invalid_event("productId", f"order {event.order_number} holds no entry of product {event.product_id!r}")
    entry_unit = units[0] or PIECE
    try:
        convert(Decimal(0), event.unit, entry_unit)  # only whether the two units convert into each other
    except UnitError as error:
        raise _invalid_event("unit", f"{error} (the entry is sold in {entry_unit})") from error


def _same_event_or_conflict(existing: PackingEvent, event: NewPackingEvent) -> PackingEvent:
    given = vars(event)
    different = [name for name in EVENT_CONTENT_FIELDS if getattr(existing, name) != given[name]]
    if different:
        raise Conflict(
            f"A different packing event with id {event.event_id} was recorded before.",
            [ErrorDetail("eventId", "is already taken by another event", "duplicate_value")],
        )
    return existing


def _invalid_event(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"Invalid packing event: {message}.", [ErrorDetail(field, message)])


# --- creating jobs ----------------------------------------------------------------------------------------------


def create_recalculation_job(
    *,
    tenant: Tenant,
    job_type: str,
    order_ids: Iterable[str] = (),
    actor: Actor,
    retry_of: RecalculationJob | None = None,
) -> RecalculationJob:
    """Create a job without its order rows and queue it once committed, so that starting it answers at once; its
    first task adds the rows (`select_job_orders`).

    MANUAL: the given ids (already folded) are stored on the job as they are, and raise Conflict when an order among
    them is in a job still IN_PROGRESS; the task makes a row of each, unknown ids FAILURE rows. AUTOMATIC: the task
    selects the orders with packing events newer than their last recalculation.
    """
    requested = list(order_ids) if job_type == JobType.MANUAL else None
    with transaction.atomic():
        _lock_job_creation(tenant)
        if requested is not None:
            _refuse_overlap(tenant, requested, actor)
        job = RecalculationJob.objects.create(
            tenant=tenant,
            job_id=_new_job_id(),
            job_type=job_type,
            created_by=actor.label,
            vendor_id=actor.vendor_id,
            may_change_completed=actor.may_change_completed,
            orders_selected=False,
            requested_order_ids=requested,
            retry_of=retry_of,
        )
        transaction.on_commit(partial(enqueue_job, job.job_id), robust=True)
    return job


def retry_failed_orders(*, tenant: Tenant, job_id: str, actor: Actor) -> RecalculationJob:
    """Start a MANUAL job of the orders that failed (or were cancelled) in a finished job.

    Ids that name no order are left out: they would only fail again. Raises Conflict while the job runs and
    ValidationFailed when no order of it failed.
    """
    job = get_job(tenant, job_id, actor)
    if job.job_status == JobStatus.IN_PROGRESS:
        raise Conflict(
            f"Job {job.job_id} is still running: its failed orders can be retried once it has finished.",
            [ErrorDetail("jobId", "is still IN_PROGRESS", "conflict_resource")],
        )
    failed = job.order_rows.filter(status=JobOrderStatus.FAILURE, order__isnull=False).order_by("pk")
    order_ids = list(failed.values_list("order_number", flat=True))
    if not order_ids:
        raise ValidationFailed(
            f"Job {job.job_id} has no failed orders to retry.", [ErrorDetail("jobId", "no order of it failed")]
        )
    return create_recalculation_job(
        tenant=tenant, job_type=JobType.MANUAL, order_ids=order_ids, actor=actor, retry_of=job
    )


def cancel_recalculation_job(*, tenant: Tenant, job_id: str, actor: Actor) -> RecalculationJob:
    """Stop a running job: its orders still PENDING become FAILURE rows, and the job ends FAILURE.

    Workers take only PENDING rows, so they stop after the batch of orders each is on (the update waits for those
    rows' locks) and recalculate nothing more of the job. Raises Conflict when the job has finished already.
    """
    with transaction.atomic():
        job = get_job(tenant, job_id, actor)
        job = RecalculationJob.objects.select_for_update().select_related("tenant").get(pk=job.pk)
        if job.job_status != JobStatus.IN_PROGRESS:
            raise Conflict(
                f"Job {job.job_id} has already finished ({job.job_status}): there is nothing to cancel.",
                [ErrorDetail("jobId", f"is {job.job_status}, not IN_PROGRESS", "conflict_resource")],
            )
        if job.requested_order_ids is not None:
            _add_requested_orders(job)  # each requested id is listed as cancelled, or as not found
        now = timezone.now()
        _cancel_pending_rows(job, at=now)
        job.cancelled_at, job.cancelled_by = now, actor.label
        job.orders_selected, job.requested_order_ids = True, None
        job.save(update_fields=["cancelled_at", "cancelled_by", "orders_selected", "requested_order_ids"])
        finish_job_if_done(job)
    return job


def _cancel_pending_rows(job: RecalculationJob, *, at: datetime) -> None:
    """Every PENDING row of the job becomes a cancelled FAILURE: first, at once, the rows no worker holds, so that no
    worker can take another; then the rows workers hold, once their batches end (done by then, or PENDING again when
    rolled back). In one pass, the update would wait for each batch in turn while the workers took the next rows
    ahead of it, and a cancel could end only with the job."""
    pending = job.order_rows.filter(status=JobOrderStatus.PENDING)
    free = pending.filter(pk__in=pending.select_for_update(skip_locked=True).values("pk"))
    cancelled = {"status": JobOrderStatus.FAILURE, "reason": FailureReason.CANCELLED, "message": CANCELLED_MESSAGE}
    for rows in (free, pending):
        rows.update(**cancelled, updated=at)


def enqueue_job(job_id: str) -> None:
    from . import tasks  # tasks import this module

    for _ in range(TASKS_PER_JOB):
        tasks.run_recalculation_job.delay(job_id)


def _lock_job_creation(tenant: Tenant) -> None:
    """Serialize job creation per tenant, so each overlap check sees the jobs created before it."""
    if TenantJobLock.objects.select_for_update().filter(tenant=tenant).exists():
        return  # one statement, but for a tenant's first job
    TenantJobLock.objects.get_or_create(tenant=tenant)
    TenantJobLock.objects.select_for_update().get(tenant=tenant)


def _new_job_id() -> str:
    return secrets.token_urlsafe(12)  # 16 characters of [A-Za-z0-9_-]


def select_job_orders(job: RecalculationJob) -> None:
    """Add the rows of a job created without them: a MANUAL job's requested ids, an AUTOMATIC job's selection.

    Run by the job's tasks before they recalculate; the first one adds the rows while the others wait for the job's
    row lock and then find them added.
    """
    with transaction.atomic():
        locked = RecalculationJob.objects.select_for_update().select_related("tenant").get(pk=job.pk)
        if not locked.orders_selected and locked.job_status == JobStatus.IN_PROGRESS:
            if locked.job_type == JobType.MANUAL:
                _add_requested_orders(locked)
            else:
                _add_orders_needing_recalculation(locked)
            RecalculationJob.objects.filter(pk=job.pk).update(orders_selected=True, requested_order_ids=None)
    job.orders_selected, job.requested_order_ids = True, None


def _add_requested_orders(job: RecalculationJob) -> None:
    """One row per requested id; ids of orders the job's starter cannot see are not found, like unknown ones."""
    actor = job_actor(job)
    for chunk in _chunks(job.requested_order_ids, CREATE_BATCH_SIZE):
        found = dict(visible_orders(job.tenant, actor).filter(order_id__in=chunk).values_list("order_id", "pk"))
        RecalculationJobOrder.objects.bulk_create(_job_row(job, order_id, found.get(order_id)) for order_id in chunk)


def _add_orders_needing_recalculation(job: RecalculationJob) -> None:
    """The orders whose packing events arrived after their last recalculation.

    Orders that a job still IN_PROGRESS holds are left out: that job recalculates them, and events arriving after it
    make the next AUTOMATIC job take them.
    """
    found = orders_to_recalculate(job.tenant, job_actor(job))
    # Only the overlap check and the inserts hold the tenant's job lock, so other jobs start during a selection.
    _lock_job_creation(job.tenant)
    awaited = {order_id for other in _running_jobs(job.tenant) for order_id in other.requested_order_ids or ()}
    busy = _orders_in_running_jobs(job, [pk for _, pk in found])  # after the ids: see _running_jobs_holding
    free = ((order_id, pk) for order_id, pk in found if pk not in busy and order_id not in awaited)
    for chunk in _chunks(free, CREATE_BATCH_SIZE):
        RecalculationJobOrder.objects.bulk_create(_job_row(job, order_id, pk) for order_id, pk in chunk)


def _orders_in_running_jobs(job: RecalculationJob, order_pks: list[int]) -> set[int]:
    busy: set[int] = set()
    for chunk in _chunks(order_pks, CREATE_BATCH_SIZE):
        rows = RecalculationJobOrder.objects.filter(order__in=chunk, job__job_status=JobStatus.IN_PROGRESS)
        busy.update(rows.exclude(job=job).values_list("order_id", flat=True))
    return busy


def _job_row(job: RecalculationJob, order_id: str, order_pk: int | None) -> RecalculationJobOrder:
    if order_pk is None:
        return RecalculationJobOrder(
            job=job,
            order_number=order_id,
            status=JobOrderStatus.FAILURE,
            message=_order_not_found(order_id),
            reason=FailureReason.NOT_FOUND,
        )
    return RecalculationJobOrder(job=job, order_id=order_pk, order_number=order_id, message=PENDING_MESSAGE)


def _refuse_overlap(tenant: Tenant, order_ids: list[str], actor: Actor) -> None:
    """Conflict when an order the actor may see among `order_ids` is in a job still IN_PROGRESS, naming the first
    such orders (in the order requested) and the jobs holding them (newest first). Unknown ids never overlap."""
    holders = _running_jobs_holding(tenant, order_ids)
    if not holders:
        return
    visible = _visible_order_ids(tenant, actor, list(holders))
    overlapping = [order_id for order_id in order_ids if order_id in visible]
    if not overlapping:
        return
    jobs = {job.pk: job for order_id in overlapping for job in holders[order_id]}.values()
    newest_first = sorted(jobs, key=lambda job: (job.started_at, job.pk), reverse=True)
    listed_orders = ", ".join(overlapping[:MAX_ORDERS_LISTED])
    listed_jobs = ", ".join(job.job_id for job in newest_first[:MAX_ORDERS_LISTED])
    message = f"{listed_orders} already in job {listed_jobs}, still IN_PROGRESS"
    raise Conflict(
        f"Orders are being recalculated by another job: {message}.",
        [ErrorDetail("orderIds", message, "conflict_resource")],
    )


def _running_jobs_holding(tenant: Tenant, order_ids: list[str]) -> dict[str, list[RecalculationJob]]:
    """The tenant's jobs still IN_PROGRESS that hold an existing order of these ids, by id: in their rows, or among
    the ids they have yet to look up (only those naming an order the job's starter may see).

    Read by id, not by order: the requested ids are never looked up here. Jobs still to look up their ids are read
    before the rows: a job that adds its rows meanwhile (one commit clears its ids and adds the rows) is then seen
    one way or the other.
    """
    running = {job.pk: job for job in _running_jobs(tenant)}
    holders: dict[str, list[RecalculationJob]] = {}
    requested = set(order_ids)
    for job in running.values():
        named = requested.intersection(job.requested_order_ids or ())
        for order_id in _visible_order_ids(tenant, job_actor(job), list(named)) if named else ():
            holders.setdefault(order_id, []).append(job)
    with_rows = [job.pk for job in running.values() if job.orders_selected]
    if not with_rows:
        return holders
    for chunk in _chunks(order_ids, CREATE_BATCH_SIZE):
        rows = RecalculationJobOrder.objects.filter(job__in=with_rows, order__isnull=False, order_number__in=chunk)
        for order_id, job_pk in rows.order_by().values_list("order_number", "job_id"):
            holders.setdefault(order_id, []).append(running[job_pk])
    return holders


def _running_jobs(tenant: Tenant) -> list[RecalculationJob]:
    """The tenant's jobs still IN_PROGRESS, with the ids of those whose worker has yet to look them up."""
    return list(RecalculationJob.objects.filter(tenant=tenant, job_status=JobStatus.IN_PROGRESS))


def _visible_order_ids(tenant: Tenant, actor: Actor, order_ids: list[str]) -> set[str]:
    """Those of the ids that name an order the actor may see."""
    found: set[str] = set()
    for chunk in _chunks(order_ids, CREATE_BATCH_SIZE):
        found.update(visible_orders(tenant, actor).filter(order_id__in=chunk).values_list("order_id", flat=True))
    return found


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _order_not_found(order_id: str) -> str:
    return f"Order with id {order_id} not found."


# --- running jobs -----------------------------------------------------------------------------------------------


def run_recalculation_job(job_id: str) -> None:
    """Recalculate the job's PENDING orders, up to ORDERS_PER_TRANSACTION at a time, then finish the job.

    Safe to run twice at once and to re-run after a crash: each order is taken under a row lock and only while
    PENDING, and is recalculated and marked done in the same transaction. The rows other workers hold are passed
    over first, then waited for: the task ends only when no order is left, so a worker that dies mid-job leaves its
    orders to every live task of the job.
    """
    job = RecalculationJob.objects.select_related("tenant").filter(job_id=job_id).first()
    if job is None or job.job_status != JobStatus.IN_PROGRESS:
        return
    if not job.orders_selected:
        select_job_orders(job)
    actor = job_actor(job)
    with _job_session():
        for first, last in _pending_windows(job):
            while (row_id := _recalculate_batch(job, first=first, last=last, actor=actor)) is not None:
                first = row_id + 1
        _take_over_held_orders(job, actor=actor)
    finish_job_if_done(job)


def _recalculate_batch(job: RecalculationJob, *, first: int, last: int, actor: Actor) -> int | None:
    return recalculate_next_orders(job, first=first, last=last, actor=actor, limit=_orders_per_transaction())


def _orders_per_transaction() -> int:
    # SQLite has no round trips to save and one writer at a time: there, batches would only make a cancel or an API
    # write wait longer behind workers that take the lock back to back.
    return ORDERS_PER_TRANSACTION if connection.vendor == "postgresql" else 1


def recalculate_next_orders(
    job: RecalculationJob,
    *,
    first: int,
    last: int | None = None,
    actor: Actor,
    wait: bool = False,
    limit: int,
) -> int | None:
    """Recalculate up to `limit` of the job's PENDING orders from row id `first` (up to `last`), and record their
    outcomes, in one transaction. Returns the last row's id, or None when there is none left.

    Rows other workers hold are passed over; with `wait`, they are waited for instead, and taken when their
    holder's transaction was rolled back (its worker died) rather than committed. An order the rules refuse fails
    alone: every refusal comes before its write. Any other error rolls the transaction back, so that the order at
    fault leaves nothing behind; the orders of a larger batch are then done again one by one, and that order's
    failure is recorded in a transaction of its own."""
    claimed: list[ClaimedOrder] = []
    try:
        with transaction.atomic(), write_batches.together():
            claimed = _claim_next_rows(job, first, last, wait=wait, limit=limit)
            packing = _packing_records(claimed, tenant_id=job.tenant_id)
            _record_outcomes([(row, _recalculated(row, job=job, actor=actor, packing=packing)) for row in claimed])
    except TRANSIENT_DATABASE_ERRORS:
        raise
    except Exception as error:
        if not claimed:
            raise
        if len(claimed) == 1:
            with transaction.atomic():
                _record_outcome([claimed[0].row_id], _failure(error, claimed[0], job), only_pending=True)
        else:  # which order was at fault: each alone
            for row in claimed:
                recalculate_next_orders(job, first=row.row_id, last=row.row_id, actor=actor, limit=1)
    return claimed[-1].row_id if claimed else None


def finish_job_if_done(job: RecalculationJob) -> None:
    """End the job once its orders are selected and none is PENDING: SUCCESS when every order succeeded, else
    FAILURE (a cancelled job too).

    The one worker that ends it records the webhook event recalculation_job.finished in the same transaction.
    """
    rows = job.order_rows
    if not job.orders_selected or rows.filter(status=JobOrderStatus.PENDING).exists():
        return  # another worker is still on it and finishes it
    failed = job.cancelled_at is not None or rows.filter(status=JobOrderStatus.FAILURE).exists()
    status = JobStatus.FAILURE if failed else JobStatus.SUCCESS
    finished_at = job.cancelled_at or timezone.now()
    with transaction.atomic():
        ended = RecalculationJob.objects.filter(pk=job.pk, job_status=JobStatus.IN_PROGRESS).update(
            job_status=status, finished_at=finished_at
        )
        if ended:
            job.job_status, job.finished_at = status, finished_at
            outbox.recalculation_job_finished(job, counts=partial(_order_outcomes, job))


def _order_outcomes(job: RecalculationJob) -> dict[str, int]:
    counts = dict(job.order_rows.order_by().values_list("status").annotate(count=Count("pk")))
    success, failure = counts.get(JobOrderStatus.SUCCESS, 0), counts.get(JobOrderStatus.FAILURE, 0)
    return {"total": success + failure, "success": success, "failure": failure}


def resume_unfinished_jobs() -> list[str]:
    """Queue every job still IN_PROGRESS again, e.g. when a worker starts after a crash; returns their ids."""
    job_ids = list(RecalculationJob.objects.filter(job_status=JobStatus.IN_PROGRESS).values_list("job_id", flat=True))
    for job_id in job_ids:
        enqueue_job(job_id)
    return job_ids


def stalled_job_ids(*, quiet_for: timedelta) -> list[str]:
    """The jobs still IN_PROGRESS in which no order was done for `quiet_for` (counted from their start, if none).

    Every task of such a job was most likely lost with a dead worker: live tasks do an order every few
    milliseconds.
    """
    since = timezone.now() - quiet_for
    return list(
        RecalculationJob.objects.filter(job_status=JobStatus.IN_PROGRESS, started_at__lt=since)
        .annotate(last_change=Coalesce(Max("order_rows__updated"), "started_at"))
        .filter(last_change__lt=since)
        .values_list("job_id", flat=True)
    )


@contextmanager
def _job_session() -> Iterator[None]:
    """On PostgreSQL, the job's database session commits without waiting for the disk, and is ended by the server
    when it sits idle inside a transaction for longer than RECALCULATION_IDLE_TRANSACTION_SECONDS.

    Without waiting for the disk (synchronous_commit off), a database crash may forget the last moment's orders,
    but never half of one: an order's recalculation and its SUCCESS row commit together, so a forgotten order is
    simply PENDING again and done once more by the resumed job. The job's own end commits synchronously, which
    makes every order before it durable too.

    The idle limit is the lease on the row a worker holds: a worker whose process dies closes its connection, and
    PostgreSQL rolls back its transaction at once; one whose machine vanishes (power, network) leaves the session
    open, idle, and holding the row's lock until the server ends it. A live worker is idle inside an order's
    transaction for milliseconds.
    """
    if connection.vendor != "postgresql":
        yield
        return
    idle_limit = timedelta(seconds=settings.RECALCULATION_IDLE_TRANSACTION_SECONDS)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
        cursor.execute(
            "SELECT set_config('idle_in_transaction_session_timeout', %s, false)",
            [f"{idle_limit // timedelta(milliseconds=1)}ms"],
        )
    try:
        yield
    finally:
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
            cursor.execute("RESET idle_in_transaction_session_timeout")


def _pending_windows(job: RecalculationJob) -> Iterator[tuple[int, int]]:
    """Keyset batches of the job's PENDING rows, as (first id, last id), in primary-key order."""
    after = 0
    while True:
        batch = list(
            job.order_rows.filter(status=JobOrderStatus.PENDING, pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:JOB_BATCH_SIZE]
        )
        if not batch:
            return
        yield batch[0], batch[-1]
        after = batch[-1]


def _take_over_held_orders(job: RecalculationJob, *, actor: Actor) -> None:
    """Recalculate the orders other workers held when this task passed them, waiting for each holder in turn.

    A live holder commits its order, which is then no longer PENDING and is passed over; a dead one's transaction is
    rolled back when its session ends, and the order is recalculated here. Rows below the one taken are all done, so
    the next wait starts above it.
    """
    first = 0
    while (row_id := recalculate_next_orders(job, first=first, actor=actor, wait=True, limit=1)) is not None:
        first = row_id + 1


@dataclass(frozen=True)
class ClaimedOrder:
    """A job row taken by this worker, with its order, both locked until the transaction ends (order None: there is
    no such order any more)."""

    row_id: int
    order_number: str
    order: Order | None


@dataclass(frozen=True)
class PackingRecords:
    """What the packing events of a batch's orders say, and when their amounts were set by hand, read for all of
    them at once.

    Read under the orders' locks, so that no event can arrive unseen while an order is recalculated
    (see `_lock_order_of_event`).
    """

    events: dict[str, list[PackedAmounts]]  # by order number
    set_by_hand_at: dict[int, dict[str, datetime]]  # by order pk, then entry id


def _claim_next_rows(
    job: RecalculationJob, first: int, last: int | None, *, wait: bool, limit: int
) -> list[ClaimedOrder]:
    # Without `wait`, passes over rows other workers hold: workers sharing a job never wait for each other. With it,
    # waits for the holder; under READ COMMITTED, PostgreSQL then checks the row again, so a row its holder finished
    # is no longer PENDING and the next one is taken instead. The orders' locks are waited for either way (an API
    # client's write of one is short).
    if connection.vendor == "postgresql":
        return _claim_in_one_statement(job, first, last, wait=wait, limit=limit)
    rows = job.order_rows.filter(status=JobOrderStatus.PENDING, pk__gte=first)
    if last is not None:
        rows = rows.filter(pk__lte=last)
    rows = rows.order_by("pk").select_for_update(skip_locked=not wait, of=("self",))
    found = list(rows.values_list("pk", "order_id", "order_number")[:limit])
    order_pks = [order_pk for _, order_pk, _ in found if order_pk]
    orders = Order.objects.select_for_update().filter(tenant_id=job.tenant_id).in_bulk(order_pks)
    return [ClaimedOrder(row_id, order_number, orders.get(order_pk)) for row_id, order_pk, order_number in found]


def _claim_in_one_statement(
    job: RecalculationJob, first: int, last: int | None, *, wait: bool, limit: int
) -> list[ClaimedOrder]:
    """The rows and their orders' locks in one round trip: the rows' locks taken first, as by every other statement
    that takes both, and the orders' in the order of their ids, so that none can deadlock with a job."""
    rows, orders = RecalculationJobOrder._meta, Order._meta
    columns = ", ".join(f"o.{field.column}" for field in orders.concrete_fields if not field.generated)
    sql = (
        f"WITH claimed AS MATERIALIZED (SELECT id, order_id, order_number FROM {rows.db_table}"
        " WHERE job_id = %s AND status = %s AND id >= %s AND id <= %s"
        f" ORDER BY id LIMIT %s FOR UPDATE{'' if wait else ' SKIP LOCKED'}),"
        f" locked AS MATERIALIZED (SELECT * FROM {orders.db_table}"
        " WHERE id IN (SELECT order_id FROM claimed) AND tenant_id = %s ORDER BY id FOR UPDATE)"
        f" SELECT claimed.id AS claimed_row_id, claimed.order_number AS claimed_order_number, {columns}"
        " FROM claimed LEFT JOIN locked o ON o.id = claimed.order_id ORDER BY claimed.id"
    )
    params = [job.pk, JobOrderStatus.PENDING, first, MAX_ROW_ID if last is None else last, limit, job.tenant_id]
    return [
        ClaimedOrder(found.claimed_row_id, found.claimed_order_number, found if found.pk is not None else None)
        for found in Order.objects.raw(sql, params)
    ]


# Above every row id: a window open at its end.
MAX_ROW_ID = 2**63 - 1


@dataclass(frozen=True)
class Outcome:
    status: str
    message: str
    reason: str = ""


SUCCEEDED = Outcome(JobOrderStatus.SUCCESS, SUCCESS_MESSAGE)


def _recalculated(claimed: ClaimedOrder, *, job: RecalculationJob, actor: Actor, packing: PackingRecords) -> Outcome:
    """SUCCEEDED, or the failure when the rules refuse the order (before anything of it is written); any other
    error is a bug, and raised."""
    try:
        if claimed.order is None:
            raise order_not_found(claimed.order_number)
        recalculate_locked_order(
            claimed.order,
            tenant=job.tenant,
            deliveries=partial(_deliveries, claimed, packing=packing, actor=actor),
            actor=actor,
            source=DeliverySource.PACKING_EVENTS,
        )
    except DomainError as error:
        return _failure(error, claimed, job)
    return SUCCEEDED


def _failure(error: Exception, claimed: ClaimedOrder, job: RecalculationJob) -> Outcome:
    if isinstance(error, DomainError):
        return Outcome(JobOrderStatus.FAILURE, _failure_message(error), _failure_reason(error, claimed))
    # A bug must not leave the job IN_PROGRESS forever: the order fails, the log tells why.
    logger.error("Recalculating order %s in job %s failed", claimed.order_number, job.job_id, exc_info=error)
    return Outcome(JobOrderStatus.FAILURE, INTERNAL_ERROR_MESSAGE, FailureReason.INTERNAL)


def _record_outcomes(outcomes: list[tuple[ClaimedOrder, Outcome]]) -> None:
    """One UPDATE per distinct outcome: one for a batch whose orders all succeeded."""
    rows_by_outcome: dict[Outcome, list[int]] = {}
    for claimed, outcome in outcomes:
        rows_by_outcome.setdefault(outcome, []).append(claimed.row_id)
    for outcome, row_ids in rows_by_outcome.items():
        _record_outcome(row_ids, outcome)


def _record_outcome(row_ids: list[int], outcome: Outcome, *, only_pending: bool = False) -> None:
    rows = RecalculationJobOrder.objects.filter(pk__in=row_ids)
    if only_pending:  # the row's lock went with the order's transaction: another worker may have done it since
        rows = rows.filter(status=JobOrderStatus.PENDING)
    rows.update(status=outcome.status, message=outcome.message, reason=outcome.reason, updated=timezone.now())


def _failure_reason(error: DomainError, claimed: ClaimedOrder) -> str:
    """Why the order failed, as far as staff need to tell the cases apart (the message stays the API's)."""
    if isinstance(error, NotFound):
        return FailureReason.NOT_FOUND
    if isinstance(error, PermissionDenied) and claimed.order.status == OrderStatus.COMPLETED:
        return FailureReason.COMPLETED
    return FailureReason.REFUSED


def job_actor(job: RecalculationJob) -> Actor:
    """The job acts with the rights of whoever started it."""
    return Actor(
        label=f"recalculation-job:{job.job_id}",
        may_change_completed=job.may_change_completed,
        vendor_id=job.vendor_id,
        kind="job",
        id=job.job_id,
        name=f"Recalculation job {job.job_id} (started by {job.created_by or 'the system'})",
    )


def _packing_records(claimed: list[ClaimedOrder], *, tenant_id: int) -> PackingRecords:
    order_numbers = [row.order_number for row in claimed if row.order is not None]
    events = _packed_amounts(tenant_id, order_numbers) if order_numbers else {}
    with_events = [row.order.pk for row in claimed if row.order is not None and row.order_number in events]
    return PackingRecords(events, delivered_by_hand_at(with_events) if with_events else {})


def _deliveries(claimed: ClaimedOrder, document: dict, *, packing: PackingRecords, actor: Actor) -> list[Delivery]:
    """The delivered amounts the order's packing events make of the entries of `document` the actor may change."""
    events = packing.events.get(claimed.order_number)
    if not events:
        return []
    by_hand = packing.set_by_hand_at.get(claimed.order.pk, {})
    return delivered_amounts(_entry_refs(document, actor), events, by_hand)


def _entry_refs(document: dict, actor: Actor) -> list[EntryRef]:
    return [
        EntryRef(entry["id"], get_path(entry, "product.id") or "", entry_unit(entry))
        for entry in document["entries"]
        if vendors.owns_entry(actor, entry)
    ]


def _packed_amounts(tenant_id: int, order_numbers: list[str]) -> dict[str, list[PackedAmounts]]:
    """The orders' packing events, by order number (orders without any are left out)."""
    events = PackingEvent.objects.filter(tenant_id=tenant_id, order_number__in=order_numbers)
    by_order: dict[str, list[PackedAmounts]] = {}
    for order_number, *amounts in events.values_list(
        "order_number", "product_id", "unit", "packed_amount", "canceled_amount", "received"
    ):
        by_order.setdefault(order_number, []).append(PackedAmounts(*amounts))
    return by_order


def _failure_message(error: DomainError) -> str:
    details = "; ".join(f"{detail.field}: {detail.message}" for detail in error.details)
    return f"{error.message} ({details})" if details else error.message
