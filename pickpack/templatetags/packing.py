"""Pick-pack's part of the order page: the order's packing events, rendered where the order template asks."""

from django import template

from orders.models import Order

from ..selectors import order_packing_events

register = template.Library()

# The order page lists this many of an order's newest events; the packing events page has them all.
EVENTS_SHOWN = 50


@register.inclusion_tag("pickpack/_order_packing_events.html", takes_context=True)
def packing_events_of(context: template.Context, order: Order) -> dict:
    return {
        "tenant": context["tenant"],
        "order": order,
        "events": order_packing_events(order, limit=EVENTS_SHOWN),
        "events_shown": EVENTS_SHOWN,
        "perms": context.get("perms"),
    }
