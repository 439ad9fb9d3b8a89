"""Writes of several orders in one transaction, sent together (a recalculation job's batch of orders).

Inside `together()`, the rows that writes only add — order events, change records — are held back and inserted at
its end, one INSERT per table, in the order they were recorded; and a read that every write of the batch makes
alike (the tenant's webhook subscriptions) is made once. Outside it, each write sends its own statements.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model

T = TypeVar("T")


@dataclass
class _Batch:
    inserts: dict[type[Model], list[Model]] = field(default_factory=dict)
    reads: dict[Hashable, Any] = field(default_factory=dict)


_current: ContextVar[_Batch | None] = ContextVar("order_write_batch", default=None)


@contextmanager
def together() -> Iterator[None]:
    """Hold back the inserts made inside, and write them at its end; nothing when it ends with an exception (the
    transaction around it is rolled back). Inside another batch, the outer one writes them."""
    if _current.get() is not None:
        yield
        return
    batch = _Batch()
    token = _current.set(batch)
    try:
        yield
    finally:
        _current.reset(token)
    for model, rows in batch.inserts.items():
        model.objects.bulk_create(rows)


def insert(row: Model) -> None:
    """Insert the new row now, or at the end of the current batch."""
    batch = _current.get()
    if batch is None:
        row.save()
    else:
        batch.inserts.setdefault(type(row), []).append(row)


def read_once(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, made once per batch for the same key (every time outside a batch)."""
    batch = _current.get()
    if batch is None:
        return read()
    if key not in batch.reads:
        batch.reads[key] = read()
    return batch.reads[key]
