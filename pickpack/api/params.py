"""Query parameters of the pick-pack list endpoints."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from orders.api.params import DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER
from orders.errors import ErrorDetail, ValidationFailed
from orders.numbers import whole_number_or_none

MAX_EVENT_PAGE_SIZE = 20000  # the spec's maximum
# "…T13:35:18 0000": an offset whose "+" was not URL-encoded and arrived as a space.
UNENCODED_PLUS_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


@dataclass(frozen=True)
class EventPage:
    number: int
    size: int


def whole_number(query_params, name: str, default: int, maximum: int) -> int:
    raw = query_params.get(name)
    if raw is None or raw == "":
        return default
    value = whole_number_or_none(raw, maximum)
    if value is None:
        message = f"must be a whole number from 0 to {maximum}"
        raise ValidationFailed(
            f"Invalid query parameter {name}: {message}.", [ErrorDetail(name, message, "invalid_query_parameter")]
        )
    return value


def event_page_from(query_params) -> EventPage:
    """Pages count from 1, as on every list; the spec's pageNumber 0 is the first page too."""
    return EventPage(
        number=max(whole_number(query_params, "pageNumber", 1, MAX_PAGE_NUMBER), 1),
        size=whole_number(query_params, "pageSize", DEFAULT_PAGE_SIZE, MAX_EVENT_PAGE_SIZE),
    )


def timestamp_param(query_params, name: str = "timestamp") -> datetime | None:
    """An ISO 8601 date or date-time (2020-09-14T13:35:18Z, …+0000, 2020-09-14); without an offset, UTC."""
    raw = query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        moment = datetime.fromisoformat(UNENCODED_PLUS_OFFSET.sub(r"+\1", raw.strip()))
    except ValueError:
        message = "must be an ISO 8601 date-time such as 2020-09-14T13:35:18.333Z"
        raise ValidationFailed(
            f"Invalid query parameter {name}: {message}.", [ErrorDetail(name, message, "invalid_query_parameter")]
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
