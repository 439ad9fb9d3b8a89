"""CSV export of orders: streamed in the request when small, written to a file by a Celery worker when large.

A request streams at most `settings.EXPORT_BACKGROUND_ABOVE` orders; more become an `OrderExport` the jobs page
offers for download once its worker is done, so no web worker is held for minutes by one export.
"""

import csv
import io
import os
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from ..documents import format_timestamp
from ..models import ExportStatus, Order, OrderExport, Tenant
from ..paging import count_up_to
from .filters import OrderFilterSet

# Rows fetched per database round trip; each row is a dozen short values, so memory stays small.
EXPORT_CHUNK_SIZE = 2000
# Bytes of CSV gathered into one HTTP chunk (or one file write): one line per chunk cost a third of an export's time.
CSV_CHUNK_BYTES = 64 * 1024
# A background export records its progress every this many rows (one UPDATE each).
PROGRESS_EVERY_ROWS = 10_000
CSV_COLUMNS = (
    ("orderId", "order_id"),
    ("status", "status"),
    ("created", "created"),
    ("lastStatusChange", "last_status_change"),
    ("siteCode", "site_code"),
    ("currency", "currency"),
    ("customerId", "customer_id"),
    ("customerEmail", "customer_email"),
    ("totalNet", "total_net"),
    ("totalTax", "total_tax"),
    ("totalGross", "total_gross"),
    ("orderType", "order_type"),
    ("masterOrder", "master_order"),
)
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FINISHED = (ExportStatus.SUCCESS, ExportStatus.FAILURE)


def csv_batches(orders: QuerySet[Order]) -> Iterator[tuple[str, int]]:
    """The header, then the orders as CSV text in pieces of about CSV_CHUNK_BYTES, each with its number of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for header, _ in CSV_COLUMNS])
    rows_in_buffer = 0
    for row in orders.values_list(*(column for _, column in CSV_COLUMNS)).iterator(chunk_size=EXPORT_CHUNK_SIZE):
        writer.writerow(_cells(row))
        rows_in_buffer += 1
        if buffer.tell() >= CSV_CHUNK_BYTES:
            yield buffer.getvalue(), rows_in_buffer
            buffer.seek(0)
            buffer.truncate()
            rows_in_buffer = 0
    yield buffer.getvalue(), rows_in_buffer


def csv_lines(orders: QuerySet[Order]) -> Iterator[str]:
    """The CSV text of the orders in pieces, for other callers that stream it (e.g. a bulk export of a selection)."""
    return (text for text, _ in csv_batches(orders))


def streamed_csv(orders: QuerySet[Order]) -> Iterator[str]:
    """The CSV text for a streaming response. On PostgreSQL the rows come from a cursor inside a transaction, so
    they flow as the index walk finds them; outside one, the database would sort and store all of them first."""
    with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
        yield from csv_lines(orders)


def _cells(row: Iterable[Any]) -> list[str]:
    return [_cell(value) for value in row]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return format_timestamp(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


# --- background exports -------------------------------------------------------------------------------------------


def export_in_background(filterset: OrderFilterSet, tenant: Tenant) -> bool:
    """Whether the filtered orders are too many to stream in a request (counted no further than the threshold)."""
    threshold = settings.EXPORT_BACKGROUND_ABOVE
    total = filterset.counted_total(tenant)
    if total is None:
        total = count_up_to(filterset.qs, threshold + 1)
    return total > threshold


def start_export(*, tenant: Tenant, user, filters: str) -> OrderExport:
    """Record an export of the orders the query string `filters` selects and queue its task once committed."""
    from ..tasks import export_orders  # the tasks module imports this one

    with transaction.atomic():
        export = OrderExport.objects.create(tenant=tenant, requested_by=user, filters=filters, created=timezone.now())
        transaction.on_commit(lambda: export_orders.delay(export.pk))
    return export


def exports_dir() -> Path:
    path = Path(settings.EXPORTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_path(export: OrderExport) -> Path:
    return exports_dir() / export.file_name


def exported_orders(export: OrderExport) -> QuerySet[Order]:
    """The orders the export's filters select, in the list's order (filters are checked again: they were text)."""
    orders = Order.objects.filter(tenant=export.tenant).defer("document")
    filterset = OrderFilterSet(QueryDict(export.filters), queryset=orders)
    if not filterset.is_valid():
        raise ValueError("The export's filters are not valid any more.")
    return filterset.ordered_qs()


def write_export(export_id: int) -> None:
    """Write the export's CSV file (under a temporary name until complete), recording progress as it goes.

    Run again for the same export (a worker lost mid-way), it starts the file afresh; a finished one is left alone.
    """
    export = OrderExport.objects.select_related("tenant").filter(pk=export_id).first()
    if export is None or export.status in FINISHED:
        return
    try:
        orders = exported_orders(export)
        export.file_name = f"{export.tenant.name}-orders-{export.pk}.csv"
        _update(export, status=ExportStatus.RUNNING, rows_total=orders.count(), rows_written=0)
        _write_file(export, orders)
    except Exception as error:
        _update(export, status=ExportStatus.FAILURE, message=str(error)[:2000], finished=timezone.now())
        raise
    _update(export, status=ExportStatus.SUCCESS, finished=timezone.now())


def _write_file(export: OrderExport, orders: QuerySet[Order]) -> None:
    # No transaction around the read: each progress UPDATE commits on its own, so the jobs page sees it.
    final = export_path(export)
    partial = final.with_suffix(".part")
    written = reported = 0
    with partial.open("w", encoding="utf-8", newline="") as file:
        for text, rows in csv_batches(orders):
            file.write(text)
            written += rows
            if written - reported >= PROGRESS_EVERY_ROWS:
                _update(export, rows_written=written)
                reported = written
    os.replace(partial, final)
    _update(export, rows_written=written)


def _update(export: OrderExport, **fields) -> None:
    for name, value in fields.items():
        setattr(export, name, value)
    OrderExport.objects.filter(pk=export.pk).update(file_name=export.file_name, **fields)


def user_exports(tenant: Tenant, user) -> QuerySet[OrderExport]:
    return OrderExport.objects.filter(tenant=tenant, requested_by=user)


def prune_exports(*, now=None) -> int:
    """Delete the exports (and their files) older than `settings.EXPORT_RETENTION_HOURS`; the number deleted."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    old = list(OrderExport.objects.filter(created__lt=cutoff))
    for export in old:
        if export.file_name:
            export_path(export).unlink(missing_ok=True)
            export_path(export).with_suffix(".part").unlink(missing_ok=True)
    OrderExport.objects.filter(pk__in=[export.pk for export in old]).delete()
    return len(old)
