"""Formatting of the staff pages' numbers that Django's own filters do not cover."""

from typing import Any

from django import template

from orders.presenters import plain_quantity

register = template.Library()


@register.filter
def quantity(value: Any) -> Any:
    """A quantity or rate without trailing zeros: 2.310 → 2.31, 3.000 → 3; None stays None."""
    return plain_quantity(value)
