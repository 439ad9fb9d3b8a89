"""Staff pages of recalculation jobs and packing events (server-rendered; the rules stay in services)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HTMX_STOP_POLLING

from orders.errors import DomainError, NotFound
from orders.models import Tenant
from orders.staff.access import (
    MANAGE_JOBS,
    VIEW_JOBS,
    VIEW_PACKING_EVENTS,
    error_message,
    page_context,
    require,
    staff_actor,
    staff_page,
    wants_partial,
)

from .. import selectors, services
from ..models import JobOrderStatus, JobStatus, JobType, RecalculationJob, RecalculationJobOrder
from .forms import JobFilterSet, JobOrderFilterForm, NewJobForm, PackingEventFilterSet
from .presenters import JobProgress, job_outcome, plural, short_outcome, staff_message

JOBS_PER_PAGE = 25
JOB_ORDERS_PER_PAGE = 50
EVENTS_PER_PAGE = 50
RECENT_JOBS = 5
# How often a job page asks for progress while the job runs.
POLL_SECONDS = 1
# Ids of no order named in the new-job form's error; the rest are counted.
UNKNOWN_IDS_LISTED = 20


def jobs_progress(jobs: list[RecalculationJob]) -> dict[int, JobProgress]:
    """Each job's orders counted by status, in one query."""
    counts: dict[int, dict[str, int]] = {job.pk: {} for job in jobs}
    rows = (
        RecalculationJobOrder.objects.filter(job__in=jobs)
        .values_list("job_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for job_pk, status, count in rows:
        counts[job_pk][status] = count
    return {
        pk: JobProgress(
            by_status.get(JobOrderStatus.PENDING, 0),
            by_status.get(JobOrderStatus.SUCCESS, 0),
            by_status.get(JobOrderStatus.FAILURE, 0),
        )
        for pk, by_status in counts.items()
    }


def with_progress(jobs: list[RecalculationJob]) -> list[RecalculationJob]:
    progress = jobs_progress(jobs)
    for job in jobs:
        job.progress = progress[job.pk]
        job.outcome = job_outcome(job, job.progress)
        job.short_outcome = short_outcome(job, job.progress)
    return jobs


def staff_job(request: HttpRequest, tenant: Tenant, job_id: str) -> RecalculationJob:
    try:
        return selectors.get_job(tenant, job_id, staff_actor(request.user))
    except NotFound as error:
        raise Http404(error.message) from error


# --- jobs ---------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_page(VIEW_JOBS)
def job_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The tenant's jobs with filters and paging; a POST starts a new job."""
    form = NewJobForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        require(request.user, MANAGE_JOBS)
        if form.is_valid() and orders_exist(request, tenant, form):
            return start_job(request, tenant, form)
        messages.error(request, "The job was not started: check the form.")
        status = 400
    filterset = JobFilterSet(request.GET, queryset=RecalculationJob.objects.filter(tenant=tenant))
    jobs = filterset.qs.order_by("-started_at", "-pk") if filterset.is_valid() else RecalculationJob.objects.none()
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    with_progress(list(page.object_list))
    context = page_context(
        request, tenant, "jobs", filterset=filterset, page=page, form=form, partial=wants_partial(request)
    )
    template = "pickpack/_job_results.html" if context["partial"] else "pickpack/job_list.html"
    return render(request, template, context, status=status)


def orders_exist(request: HttpRequest, tenant: Tenant, form: NewJobForm) -> bool:
    """A manual job's ids are checked before anything runs: ids of no order the user may see are listed on the
    form (the API records them as failed orders instead, as the spec says)."""
    job_request = form.job_request
    if job_request.job_type != JobType.MANUAL:
        return True
    unknown = selectors.unknown_order_ids(tenant, staff_actor(request.user), job_request.order_ids)
    if unknown:
        listed = ", ".join(unknown[:UNKNOWN_IDS_LISTED])
        more = f" and {len(unknown) - UNKNOWN_IDS_LISTED:,} more" if len(unknown) > UNKNOWN_IDS_LISTED else ""
        form.add_error(
            "order_ids",
            f"{plural(len(unknown), 'id')} of no order of tenant {tenant.name}: {listed}{more}. "
            "Remove them (or correct them) and start the job again.",
        )
    return not unknown


def start_job(request: HttpRequest, tenant: Tenant, form: NewJobForm) -> HttpResponse:
    job_request = form.job_request
    try:
        job = services.create_recalculation_job(
            tenant=tenant,
            job_type=job_request.job_type,
            order_ids=job_request.order_ids,
            actor=staff_actor(request.user),
        )
    except DomainError as error:
        messages.error(request, f"The job was not started: {error_message(error)}")
        return redirect("jobs:job_list", tenant=tenant.name)
    announce_started(request, job)
    return redirect("jobs:job_detail", tenant=tenant.name, job_id=job.job_id)


def announce_started(request: HttpRequest, job: RecalculationJob) -> None:
    if job.job_type == JobType.AUTOMATIC:
        messages.success(request, f"Job {job.job_id} started: it selects the orders with new packing events.")
        return
    messages.success(request, f"Job {job.job_id} started for {plural(len(job.requested_order_ids), 'order')}.")


@require_POST
@staff_page(MANAGE_JOBS)
def retry_failed(request: HttpRequest, tenant: Tenant, job_id: str) -> HttpResponse:
    """Start a manual job of the orders that failed in this one."""
    job = staff_job(request, tenant, job_id)
    try:
        retry = services.retry_failed_orders(tenant=tenant, job_id=job.job_id, actor=staff_actor(request.user))
    except DomainError as error:
        messages.error(request, f"The failed orders were not retried: {error.message}")
        return redirect("jobs:job_detail", tenant=tenant.name, job_id=job.job_id)
    announce_started(request, retry)
    return redirect("jobs:job_detail", tenant=tenant.name, job_id=retry.job_id)


@require_POST
@staff_page(MANAGE_JOBS)
def cancel_job(request: HttpRequest, tenant: Tenant, job_id: str) -> HttpResponse:
    """Stop a running job; the orders it has not recalculated yet stay as they are."""
    job = staff_job(request, tenant, job_id)
    try:
        services.cancel_recalculation_job(tenant=tenant, job_id=job.job_id, actor=staff_actor(request.user))
    except DomainError as error:
        messages.error(request, f"The job was not cancelled: {error.message}")
    else:
        messages.success(request, f"Job {job.job_id} cancelled: the orders it had not recalculated stay as they were.")
    return redirect("jobs:job_detail", tenant=tenant.name, job_id=job.job_id)


@require_GET
@staff_page(VIEW_JOBS)
def job_detail(request: HttpRequest, tenant: Tenant, job_id: str) -> HttpResponse:
    """A job's progress and per-order results; htmx polls it while the job runs and stops when it is done."""
    job = with_progress([staff_job(request, tenant, job_id)])[0]
    filter_form = JobOrderFilterForm(request.GET)
    rows = job.order_rows.order_by("pk")
    if filter_form.is_valid() and filter_form.cleaned_data["status"]:
        rows = rows.filter(status=filter_form.cleaned_data["status"])
    page = Paginator(rows, JOB_ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    for row in page:
        row.staff_message = staff_message(row)
    running = job.job_status == JobStatus.IN_PROGRESS
    context = page_context(
        request,
        tenant,
        "jobs",
        job=job,
        page=page,
        filter_form=filter_form,
        running=running,
        may_retry=not running and job.progress.failure > 0,
        poll_seconds=POLL_SECONDS,
        partial=wants_partial(request),
    )
    if not context["partial"]:
        return render(request, "pickpack/job_detail.html", context)
    response = render(request, "pickpack/_job_live.html", context)
    if not running:
        response.status_code = HTMX_STOP_POLLING
    return response


@require_GET
@staff_page(VIEW_JOBS)
def recent_jobs(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The dashboard's panel of the latest jobs, loaded by htmx."""
    jobs = with_progress(
        list(RecalculationJob.objects.filter(tenant=tenant).order_by("-started_at", "-pk")[:RECENT_JOBS])
    )
    return render(request, "pickpack/_recent_jobs.html", {"tenant": tenant, "jobs": jobs})


# --- packing events -----------------------------------------------------------------------------------------------


@require_GET
@staff_page(VIEW_PACKING_EVENTS)
def event_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The tenant's packing events, newest first, with filters and paging."""
    filterset = PackingEventFilterSet(request.GET, queryset=selectors.packing_events(tenant, staff_actor(request.user)))
    events = filterset.qs.order_by("-timestamp", "-pk") if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = page_context(request, tenant, "events", filterset=filterset, page=page, partial=wants_partial(request))
    template = "pickpack/_event_results.html" if context["partial"] else "pickpack/event_list.html"
    return render(request, template, context)
