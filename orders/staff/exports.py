"""CSV export of orders, written row by row so that a million orders never sit in memory at once."""

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from ..documents import format_timestamp
from ..models import Order

# Rows fetched per database round trip; each row is a dozen short values, so memory stays small.
EXPORT_CHUNK_SIZE = 2000
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


class _Echo:
    """A file-like object that hands back what csv.writer writes, so each line can be streamed."""

    def write(self, value: str) -> str:
        return value


def csv_lines(orders: QuerySet[Order]) -> Iterator[str]:
    """The header, then one CSV line per order, read from the database in chunks."""
    writer = csv.writer(_Echo())
    yield writer.writerow([header for header, _ in CSV_COLUMNS])
    rows = orders.values_list(*(column for _, column in CSV_COLUMNS)).iterator(chunk_size=EXPORT_CHUNK_SIZE)
    for row in rows:
        yield writer.writerow(_cells(row))


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
