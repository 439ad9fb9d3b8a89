"""What a q value means for a field: a number, a boolean or a date-time. Pure Python."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from orders.documents import format_timestamp

from .ast import Operator

# A JSON number without exponent, small enough for every backend's numeric types.
NUMBER = re.compile(r"-?(0|[1-9]\d{0,17})(\.\d{1,12})?")
BOOLEANS = {"true": True, "false": False}
MILLISECOND = timedelta(milliseconds=1)


def as_number(text: str) -> Decimal | None:
    return Decimal(text) if NUMBER.fullmatch(text) else None


def as_boolean(text: str) -> bool | None:
    return BOOLEANS.get(text)


def as_timestamp(text: str) -> datetime | None:
    """An ISO 8601 date or date-time in UTC; one without a zone is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text)
        return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def floor_millisecond(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def ceil_millisecond(moment: datetime) -> datetime:
    floor = floor_millisecond(moment)
    return floor if floor == moment else floor + MILLISECOND


def millisecond_bound(operator: Operator, moment: datetime) -> datetime:
    """The millisecond that decides `value <operator> moment` for values shown to the millisecond.

    `v > 10.5ms` holds exactly when `v > 10ms`, `v >= 10.5ms` when `v >= 11ms`: rounding the bound the right way
    keeps the comparison exact. May raise OverflowError at the ends of the calendar.
    """
    if operator in (Operator.GT, Operator.LE):
        return floor_millisecond(moment)
    return ceil_millisecond(moment)


def timestamp_text(moment: datetime) -> str:
    """The document's form of a date-time, e.g. 2021-05-18T07:27:27.455Z: such texts sort like the moments."""
    return format_timestamp(moment)
