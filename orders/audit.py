"""The audit trail: every write of an order as one change record, field by field, in the write's transaction.

Paths are spelled as the q language spells them (`customer.email`, `calculatedPrice.finalPrice.grossValue`);
entries are named by id (`entries[e1].deliveredAmount`). Lists of anything else change as a whole.
"""

import re
import uuid
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from . import write_batches
from .actors import Actor
from .models import ChangeRecord, Order

# Set per request by RequestIdMiddleware; writes outside a request (jobs, commands) record none.
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# The version only says which write a record is; it is the record's own field.
IGNORED_PATHS = frozenset({"metadata.version"})
ABSENT = None  # how a missing value reads in a change: JSON null
# An object with more changed keys than this (mixins rewritten wholesale, say) is one change of the whole object.
MAX_CHANGED_KEYS = 100


def document_changes(before: dict, after: dict) -> list[dict]:
    """[{path, before, after}] for every value that differs, in document order."""
    return [
        {"path": path, "before": old, "after": new}
        for path, old, new in _differences(before, after, "")
        if path not in IGNORED_PATHS
    ]


def _differences(before: Any, after: Any, path: str):
    if _same(before, after):
        return  # one comparison at C speed for an unchanged subtree (an entry, an address)
    if isinstance(before, dict) and isinstance(after, dict):
        changed = [key for key in dict.fromkeys([*before, *after]) if not _same(before.get(key), after.get(key))]
        if len(changed) > MAX_CHANGED_KEYS and path:
            yield path, before, after  # a rewritten object reads better, and costs less, as one change
            return
        for key in changed:
            yield from _differences(before.get(key, ABSENT), after.get(key, ABSENT), _join(path, key))
    elif _is_entry_list(before, after, path):
        yield from _entry_differences(before or [], after or [], path)
    else:
        yield path, before, after


def _same(before: Any, after: Any) -> bool:
    # 2 == 2.000 is no change; True == 1 is one
    return before == after and isinstance(before, bool) == isinstance(after, bool)


def _is_entry_list(before: Any, after: Any, path: str) -> bool:
    lists = [value for value in (before, after) if value is not None]
    return path == "entries" and all(
        isinstance(value, list) and all(isinstance(entry, dict) and "id" in entry for entry in value) for value in lists
    )


def _entry_differences(before: list, after: list, path: str):
    old = {entry["id"]: entry for entry in before}
    new = {entry["id"]: entry for entry in after}
    for entry_id in dict.fromkeys([*old, *new]):
        yield from _differences(old.get(entry_id, ABSENT), new.get(entry_id, ABSENT), f"{path}[{entry_id}]")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def record_change(
    order: Order, before: dict, after: dict, *, actor: Actor, operation: str, at: datetime, version: int | None = None
) -> ChangeRecord | None:
    """Write the change record of one write of `order`; nothing when nothing changed."""
    changes = document_changes(before, after)
    if not changes:
        return None
    record = ChangeRecord(
        tenant_id=order.tenant_id,
        order=order if order.pk else None,
        order_number=order.order_id,
        version=order.version if version is None else version,
        timestamp=at,
        actor=actor.as_audit(),
        operation=operation,
        request_id=current_request_id.get(),
        changes=changes,
    )
    write_batches.insert(record)
    return record


def record_creation(order: Order, *, actor: Actor, operation: str, at: datetime) -> ChangeRecord:
    """A new order: its id and status; its content is version 1 of the order itself."""
    return record_change(
        order, {}, {"id": order.order_id, "status": order.status}, actor=actor, operation=operation, at=at
    )


def record_deletion(order: Order, *, actor: Actor, at: datetime) -> ChangeRecord:
    return record_change(
        order, {"id": order.order_id, "status": order.status}, {}, actor=actor, operation="delete", at=at, version=0
    )


# Records deleted per statement when pruning: bounded locks and memory however large the trail.
PRUNE_BATCH_SIZE = 10_000


def prune_change_records(*, before: datetime, tenant: str = "") -> int:
    """Delete the change records older than `before` (of one tenant, if named), in batches; returns how many."""
    records = ChangeRecord.objects.filter(timestamp__lt=before)
    if tenant:
        records = records.filter(tenant__name=tenant)
    deleted = 0
    while batch := list(records.values_list("pk", flat=True)[:PRUNE_BATCH_SIZE]):
        deleted += ChangeRecord.objects.filter(pk__in=batch).delete()[0]
    return deleted


def request_id_of(meta: dict) -> str:
    """The request's id: the client's `X-Request-Id` when it is a sane one, else a new one."""
    given = meta.get("HTTP_X_REQUEST_ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Every request gets an id (the client's `X-Request-Id` when it is a sane one), echoed in the answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_of(request.META)
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-Id"] = request_id
        return response
