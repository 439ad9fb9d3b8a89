"""Formatting of the staff pages' numbers that Django's own filters do not cover."""

from decimal import Decimal
from typing import Any

from django import template

from orders.documents import dumps
from orders.staff.presenters import money_text, plain_quantity, status_label, unit_label

register = template.Library()


@register.filter
def quantity(value: Any) -> Any:
    """A quantity or rate without trailing zeros: 2.310 → 2.31, 3.000 → 3; None stays None."""
    return plain_quantity(value)


@register.filter
def money(value: Any, currency: str | None) -> str:
    """An amount at its currency's precision: {{ total|money:order.currency }}; a dash for none."""
    return money_text(value, currency) or "\N{EN DASH}"


@register.filter
def status(code: Any) -> str:
    """A status code as people read it: {{ order.status|status }} shows "In checkout"."""
    return status_label(code)


@register.filter
def unit(code: str) -> str:
    """A unit code with its name: "kg (KGM)"."""
    return unit_label(code)


# Longer values of a change (whole entries, addresses) are cut here; the API's …/changes has them whole.
CHANGE_VALUE_SHOWN = 120


@register.filter
def change_value(value: Any) -> str:
    """A before or after value of a change, short: a dash for none, quantities without trailing zeros, JSON else."""
    if value is None:
        return "\N{EN DASH}"
    if isinstance(value, str):
        text = value
    elif isinstance(value, Decimal | int) and not isinstance(value, bool):
        text = str(plain_quantity(value) if isinstance(value, Decimal) else value)
    else:
        text = dumps(value)
    return text if len(text) <= CHANGE_VALUE_SHOWN else text[: CHANGE_VALUE_SHOWN - 1] + "…"
