"""Background exports on the staff pages: starting one, the list of one's exports with their progress, the download."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from ..models import ExportStatus, Tenant
from .access import VIEW_JOBS, VIEW_ORDERS, page_context, staff_page, wants_partial
from .exports import FINISHED, export_path, start_export, user_exports

# The exports a page lists (the newest; older ones are pruned after EXPORT_RETENTION_HOURS anyway).
EXPORTS_SHOWN = 10


def start_background_export(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """Queue the export of the list as filtered and send the user where its download will appear."""
    start_export(tenant=tenant, user=request.user, filters=request.GET.urlencode())
    messages.success(
        request, "That is a large export: it is being written in the background. Download it here when done."
    )
    where = "jobs:job_list" if request.user.has_perm(VIEW_JOBS) else "staff:export_list"
    return redirect(where, tenant=tenant.name)


def exports_context(request: HttpRequest, tenant: Tenant) -> dict:
    """The user's newest exports, and whether one is still being written (the region then polls)."""
    exports = list(user_exports(tenant, request.user)[:EXPORTS_SHOWN]) if request.user.has_perm(VIEW_ORDERS) else []
    running = any(export.status not in FINISHED for export in exports)
    return {"exports": exports, "exports_running": running, "export_threshold": settings.EXPORT_BACKGROUND_ABOVE}


@require_GET
@staff_page(VIEW_ORDERS)
def export_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The user's exports; an htmx request (the region polling while one runs) gets the region only."""
    context = page_context(request, tenant, "orders", **exports_context(request, tenant))
    template = "orders/_exports.html" if wants_partial(request) else "orders/exports.html"
    return render(request, template, context)


@require_GET
@staff_page(VIEW_ORDERS)
def export_download(request: HttpRequest, tenant: Tenant, export_id: int) -> HttpResponse:
    """The export's file, for the user who asked for it, once written."""
    export = user_exports(tenant, request.user).filter(pk=export_id, status=ExportStatus.SUCCESS).first()
    path = export_path(export) if export else None
    if path is None or not path.exists():
        raise Http404("No such export, or it is not ready, or it was deleted after its retention.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=export.file_name, content_type="text/csv")
