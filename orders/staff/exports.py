"""CSV export of orders: streamed in the request when small, written to a file by a Celery worker when large.

A request streams at most `settings.EXPORT_BACKGROUND_ABOVE` orders; more become an `OrderExport` the jobs page
offers for download once its worker is done, so no web worker is held for minutes by one export.

On PostgreSQL the database writes the CSV itself (`COPY (SELECT …) TO STDOUT (FORMAT csv)`, each cell computed in
SQL from the stored columns) and Python only passes the bytes on; elsewhere Python formats each row. Both write the
same bytes (tested): the cell rules are `_cell` and `CsvText`/`CsvTimestamp`, kept side by side below.
"""

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Func, QuerySet, TextField
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
# Lines end as PostgreSQL's COPY ends them, so that both ways of writing the CSV give the same bytes.
LINE_END = "\n"
FINISHED = (ExportStatus.SUCCESS, ExportStatus.FAILURE)


def csv_batches(orders: QuerySet[Order]) -> Iterator[tuple[bytes, int]]:
    """The header, then the orders as UTF-8 CSV in pieces of about CSV_CHUNK_BYTES, each with its number of rows."""
    if connection.vendor == "postgresql":
        return _copied_batches(orders)
    return _formatted_batches(orders)


def csv_lines(orders: QuerySet[Order]) -> Iterator[bytes]:
    """The CSV of the orders in pieces, for other callers that stream it (e.g. a bulk export of a selection)."""
    return (piece for piece, _ in csv_batches(orders))


def streamed_csv(orders: QuerySet[Order]) -> Iterator[bytes]:
    """The CSV for a streaming response. On PostgreSQL inside a transaction: a cursor outside one would make the
    database sort and store every row before sending the first (Python's formatting, kept for other databases)."""
    with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
        yield from csv_lines(orders)


def _header() -> bytes:
    return (",".join(header for header, _ in CSV_COLUMNS) + LINE_END).encode()


# --- Python formats the rows (SQLite) ---------------------------------------------------------------------------


def _formatted_batches(orders: QuerySet[Order]) -> Iterator[tuple[bytes, int]]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END)
    pieces, rows_in_buffer = [_header()], 0
    for row in orders.values_list(*(column for _, column in CSV_COLUMNS)).iterator(chunk_size=EXPORT_CHUNK_SIZE):
        writer.writerow(_cells(row))
        rows_in_buffer += 1
        if buffer.tell() >= CSV_CHUNK_BYTES:
            yield b"".join([*pieces, buffer.getvalue().encode()]), rows_in_buffer
            buffer.seek(0)
            buffer.truncate()
            pieces, rows_in_buffer = [], 0
    yield b"".join([*pieces, buffer.getvalue().encode()]), rows_in_buffer


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


# --- PostgreSQL writes the CSV (COPY) ---------------------------------------------------------------------------


def _sql_character(character: str) -> str:
    return f"chr({ord(character)})"


class CsvText(Func):
    """`_cell` of a text column, in SQL: the formula guard, and '' as NULL, which COPY leaves unquoted as Python's
    csv module does (it quotes an empty string). Takes a column: the expression is repeated in the SQL."""

    template = (
        f"CASE WHEN left(%(expressions)s, 1) IN ({', '.join(map(_sql_character, FORMULA_PREFIXES))})"
        f" THEN {_sql_character(chr(39))} || %(expressions)s ELSE NULLIF(%(expressions)s, '') END"
    )
    output_field = TextField()


class CsvTimestamp(Func):
    """`format_timestamp` in SQL: UTC with milliseconds, cut rather than rounded, as Python's isoformat cuts them."""

    template = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""
    output_field = TextField()


def _csv_cell_sql(column: str) -> F | Func:
    kind = Order._meta.get_field(column).get_internal_type()
    if kind == "DateTimeField":
        return CsvTimestamp(F(column))
    if kind == "DecimalField":
        return F(column)  # numeric's text is Decimal's str: every place of the scale, never an exponent
    return CsvText(F(column))


def _copied_batches(orders: QuerySet[Order]) -> Iterator[tuple[bytes, int]]:
    """COPY sends one message per row; they are gathered into pieces of about CSV_CHUNK_BYTES, with their count."""
    cells = orders.values_list(*(_csv_cell_sql(column) for _, column in CSV_COLUMNS))
    sql, params = cells.query.sql_with_params()
    pieces, size, rows = [_header()], 0, 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
        for line in copy:
            pieces.append(line)
            size += len(line)
            rows += 1
            if size >= CSV_CHUNK_BYTES:
                yield b"".join(pieces), rows
                pieces, size, rows = [], 0, 0
    yield b"".join(pieces), rows


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
    with partial.open("wb") as file, _progress_recorder(export) as record_progress:
        for piece, rows in csv_batches(orders):
            file.write(piece)
            written += rows
            if written - reported >= PROGRESS_EVERY_ROWS:
                record_progress(written)
                reported = written
    os.replace(partial, final)
    _update(export, rows_written=written)


@contextmanager
def _progress_recorder(export: OrderExport) -> Iterator[Callable[[int], None]]:
    """A function recording the rows written so far. On PostgreSQL it writes through a connection of its own: the
    export's COPY holds the usual one until its last row."""
    if connection.vendor != "postgresql":
        yield lambda rows: _update(export, rows_written=rows)
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table, column = OrderExport._meta.db_table, OrderExport._meta.get_field("rows_written").column
    try:
        with side.cursor() as cursor:
            yield lambda rows: cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [rows, export.pk])
    finally:
        side.close()


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
