"""Query parameters shared by the list endpoints."""

import re
from dataclasses import dataclass
from datetime import datetime

from orders.errors import ErrorDetail, ValidationFailed
from orders.numbers import whole_number_or_none
from orders.query.values import as_timestamp

DEFAULT_PAGE_SIZE = 16
MAX_PAGE_SIZE = 1000
# Far past any real list, and small enough that the offset of its last order fits the databases' 64-bit integers.
MAX_PAGE_NUMBER = 1_000_000_000
# "…T13:35:18 0000": an offset whose "+" was not URL-encoded and arrived as a space.
UNENCODED_PLUS_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


@dataclass(frozen=True)
class Page:
    number: int
    size: int


def positive_int(query_params, name: str, default: int, maximum: int) -> int:
    raw = query_params.get(name)
    if raw is None or raw == "":
        return default
    value = whole_number_or_none(raw, maximum)
    if not value:
        message = f"must be a whole number of at least 1 and at most {maximum}"
        raise ValidationFailed(
            f"Invalid query parameter {name}: {message}.", [ErrorDetail(name, message, "invalid_query_parameter")]
        )
    return value


def page_from(query_params) -> Page:
    return Page(
        number=positive_int(query_params, "pageNumber", 1, MAX_PAGE_NUMBER),
        size=positive_int(query_params, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )


def boolean(query_params, name: str) -> bool:
    raw = (query_params.get(name) or "false").lower()
    if raw not in {"true", "false"}:
        message = "must be true or false"
        raise ValidationFailed(
            f"Invalid query parameter {name}: {message}.", [ErrorDetail(name, message, "invalid_query_parameter")]
        )
    return raw == "true"


def timestamp(query_params, name: str) -> datetime | None:
    """An ISO 8601 date or date-time (2020-09-14T13:35:18Z, …+0000, 2020-09-14); without an offset, UTC."""
    raw = query_params.get(name)
    if raw is None or raw == "":
        return None
    moment = as_timestamp(UNENCODED_PLUS_OFFSET.sub(r"+\1", raw.strip()))
    if moment is None:
        message = "must be an ISO 8601 date-time such as 2026-12-01T13:35:18.333Z"
        raise ValidationFailed(
            f"Invalid query parameter {name}: {message}.", [ErrorDetail(name, message, "invalid_query_parameter")]
        )
    return moment
