"""The staff site's 403 and 404 pages: inside a tenant's pages they keep its navigation, so nobody is stranded."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ..selectors import staff_tenant, staff_tenants

# The staff URL's section (/staff/<tenant>/<section>/…) and the navigation entry it belongs to.
SECTIONS = {
    "orders": "orders",
    "orders.csv": "orders",
    "jobs": "jobs",
    "recent-jobs": "jobs",
    "events": "events",
    "webhooks": "webhooks",
}


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, "404.html", 404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    reason = str(exception) if isinstance(exception, PermissionDenied) and exception.args else ""
    return error_page(request, "403.html", 403, reason=reason)


def error_page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    return render(request, template, {"request_path": request.path, **navigation(request), **context}, status=status)


def navigation(request: HttpRequest) -> dict:
    """The layout's tenant and section for a /staff/<tenant>/… path of a tenant the user belongs to; else none."""
    parts = request.path.strip("/").split("/")
    if len(parts) < 2 or parts[0] != "staff" or not request.user.is_authenticated:
        return {}
    try:
        tenant = staff_tenant(request.user, parts[1])
    except Http404:
        return {}
    section = SECTIONS.get(parts[2], "") if len(parts) > 2 else "dashboard"
    return {"tenant": tenant, "tenants": staff_tenants(request.user), "section": section}
