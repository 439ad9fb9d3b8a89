"""Staff pages of recalculation jobs and packing events (server-rendered; the rules stay in services)."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
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
from ..models import JobOrderStatus, JobStatus, RecalculationJob, RecalculationJobOrder
from .forms import JobFilterSet, JobOrderFilterForm, NewJobForm, PackingEventFilterSet

JOBS_PER_PAGE = 25
JOB_ORDERS_PER_PAGE = 50
EVENTS_PER_PAGE = 50
RECENT_JOBS = 5
# How often a job page asks for progress while the job runs.
POLL_SECONDS = 1


@dataclass(frozen=True)
class JobProgress:
    pending: int = 0
    success: int = 0
    failure: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.success + self.failure

    @property
    def done(self) -> int:
        return self.success + self.failure

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


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
    if request.method == "POST":
        require(request.user, MANAGE_JOBS)
        if form.is_valid():
            return start_job(request, tenant, form)
        messages.error(request, "The job was not started: check the form.")
    filterset = JobFilterSet(request.GET, queryset=RecalculationJob.objects.filter(tenant=tenant))
    jobs = filterset.qs.order_by("-started_at", "-pk") if filterset.is_valid() else RecalculationJob.objects.none()
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    with_progress(list(page.object_list))
    context = page_context(
        request, tenant, "jobs", filterset=filterset, page=page, form=form, partial=wants_partial(request)
    )
    template = "pickpack/_job_results.html" if context["partial"] else "pickpack/job_list.html"
    return render(request, template, context)


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
    count = job.order_rows.count()
    messages.success(request, f"Job {job.job_id} started for {count} order{'' if count == 1 else 's'}.")
    return redirect("jobs:job_detail", tenant=tenant.name, job_id=job.job_id)


@require_GET
@staff_page(VIEW_JOBS)
def job_detail(request: HttpRequest, tenant: Tenant, job_id: str) -> HttpResponse:
    """A job's progress and per-order results; htmx polls it while the job runs and stops when it is done."""
    job = staff_job(request, tenant, job_id)
    job.progress = jobs_progress([job])[job.pk]
    filter_form = JobOrderFilterForm(request.GET)
    rows = job.order_rows.order_by("pk")
    if filter_form.is_valid() and filter_form.cleaned_data["status"]:
        rows = rows.filter(status=filter_form.cleaned_data["status"])
    page = Paginator(rows, JOB_ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    running = job.job_status == JobStatus.IN_PROGRESS
    context = page_context(
        request,
        tenant,
        "jobs",
        job=job,
        page=page,
        filter_form=filter_form,
        running=running,
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
