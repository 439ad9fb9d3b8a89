"""The order list's bulk recalculation: a MANUAL job of the orders selected there.

Here rather than in orders/staff/bulk.py: orders never imports pickpack, so the list's form posts this action here.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from orders.errors import DomainError
from orders.models import Tenant
from orders.staff.access import MANAGE_JOBS, error_message, staff_actor, staff_page
from orders.staff.bulk import BulkSelectionError, Outcome, back_to_list, selected_orders

from .. import services
from ..inputs import MAX_ORDER_IDS, job_request_from
from ..models import JobType


@require_POST
@staff_page(MANAGE_JOBS)
def recalculate_selection(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """Start a recalculation job of the selected orders, within the API's limit of orders per job."""
    try:
        selection = selected_orders(request, tenant)
    except BulkSelectionError as error:
        return back_to_list(request, tenant, Outcome(error=f"No job was started: {error}"))
    order_ids = selection.first_order_ids(MAX_ORDER_IDS + 1)
    if len(order_ids) > MAX_ORDER_IDS:
        return back_to_list(request, tenant, Outcome(error=too_many(selection.orders.count())))
    try:
        job_request = job_request_from({"jobType": JobType.MANUAL.value, "orderIds": order_ids})
        job = services.create_recalculation_job(
            tenant=tenant,
            job_type=job_request.job_type,
            order_ids=job_request.order_ids,
            actor=staff_actor(request.user),
        )
    except DomainError as error:
        return back_to_list(request, tenant, Outcome(error=f"No job was started: {error_message(error)}"))
    messages.success(request, f"Job {job.job_id} started for {len(order_ids)} selected order(s).")
    return redirect("jobs:job_detail", tenant=tenant.name, job_id=job.job_id)


def too_many(count: int) -> str:
    return (
        f"No job was started: a recalculation job takes at most {MAX_ORDER_IDS:,} orders, and {count:,} are "
        "selected. Narrow the filters, or select fewer orders."
    )
