"""Query parameters of the pick-pack list endpoints."""

from dataclasses import dataclass
from datetime import datetime

from orders.api.params import DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER, timestamp
from orders.errors import ErrorDetail, ValidationFailed
from orders.numbers import whole_number_or_none

MAX_EVENT_PAGE_SIZE = 20000  # the spec's maximum


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
    return timestamp(query_params, name)
