"""`{% order_exports %}`: the signed-in user's background order exports, for pages beside the order list (jobs)."""

from django import template

from ..staff.export_views import exports_context

register = template.Library()


@register.inclusion_tag("orders/_exports.html", takes_context=True)
def order_exports(context) -> dict:
    request, tenant = context["request"], context["tenant"]
    return {"request": request, "tenant": tenant, **exports_context(request, tenant)}
