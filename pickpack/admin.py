from django.contrib import admin, messages
from django.db.models import Count, Q

from orders.admin_lists import CappedCountAdmin, order_pks_with_id, recent_values_filter
from orders.models import Tenant
from orders.units import UNECE_UNITS

from . import services
from .models import JobOrderStatus, JobStatus, PackingEvent, RecalculationJob, RecalculationJobOrder

INLINE_ORDER_LIMIT = 200


class UnitFilter(admin.SimpleListFilter):
    """The unit codes there are, from the unit table (no scan of the events for the values they hold)."""

    title = "unit"
    parameter_name = "unit__exact"

    def lookups(self, request, model_admin):
        return [(code, code) for code in sorted(UNECE_UNITS)]

    def queryset(self, request, queryset):
        return queryset if self.value() is None else queryset.filter(unit=self.value())


@admin.register(PackingEvent)
class PackingEventAdmin(CappedCountAdmin):
    """Read-only: events arrive over the API, and a changed event would change prices silently.

    Newest received first (the primary key's order); searched by exact order id or event id, on their indexes.
    """

    list_display = [
        "event_id",
        "tenant",
        "order_number",
        "product_id",
        "packed_amount",
        "canceled_amount",
        "picked_amount",
        "unit",
        "site",
        "timestamp",
        "received",
    ]
    list_filter = ["tenant", recent_values_filter("site", "site"), UnitFilter, "book_product", "timestamp"]
    search_fields = ["event_id", "order_number"]  # looked up by get_search_results, on their indexes
    search_help_text = "An order id or an event id (exact)."
    ordering = ["-id"]
    list_select_related = ["tenant"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        tenants = list(Tenant.objects.values_list("pk", flat=True))
        of_order = Q(order_number__in={term, term.upper()})
        return queryset.filter(of_order | Q(event_id=term), tenant__in=tenants), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RecalculationJobOrderInline(admin.TabularInline):
    model = RecalculationJobOrder
    fields = ["order_number", "status", "message", "updated"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = f"Orders (the first {INLINE_ORDER_LIMIT}; the API lists all)"

    def get_queryset(self, request):
        # A job may hold 100,000 orders: a page shows a bounded number of them.
        rows = super().get_queryset(request).order_by("pk")
        return rows.filter(pk__in=list(rows.values_list("pk", flat=True)[:INLINE_ORDER_LIMIT]))

    def has_add_permission(self, request, obj=None):
        return False


def jobs_requesting(order_id: str) -> list[int]:
    """The jobs whose requested ids, not looked up yet, hold `order_id` (as typed or upper-cased): a few running jobs
    at most, read whole rather than searched in JSON, which SQLite cannot."""
    awaiting = RecalculationJob.objects.filter(requested_order_ids__isnull=False)
    return [
        pk
        for pk, order_ids in awaiting.values_list("pk", "requested_order_ids")
        if {order_id, order_id.upper()}.intersection(order_ids)
    ]


@admin.register(RecalculationJob)
class RecalculationJobAdmin(admin.ModelAdmin):
    """Jobs start over the API and the staff pages; here they can be watched and resumed."""

    list_display = ["job_id", "tenant", "job_type", "job_status", "started_at", "finished_at", "created_by"]
    list_filter = ["tenant", "job_type", "job_status"]
    search_fields = ["job_id", "created_by", "order_rows__order_number"]  # see get_search_results
    search_help_text = "A job id or its starter (part of), or an order id (exact)."
    date_hierarchy = "started_at"
    ordering = ["-started_at"]
    list_select_related = ["tenant"]
    readonly_fields = [
        "tenant",
        "job_id",
        "job_type",
        "job_status",
        "progress",
        "started_at",
        "finished_at",
        "created_by",
    ]
    inlines = [RecalculationJobOrderInline]
    actions = ["resume_jobs"]

    def has_add_permission(self, request):
        return False

    def get_search_results(self, request, queryset, search_term):
        # Jobs are few; their order rows are many, so those are looked up by order on their index.
        term = search_term.strip()
        if not term:
            return queryset, False
        of_order = RecalculationJobOrder.objects.filter(order__in=order_pks_with_id(term)).values("job")
        matches = Q(job_id__icontains=term) | Q(created_by__icontains=term) | Q(pk__in=of_order)
        return queryset.filter(matches | Q(pk__in=jobs_requesting(term))), False

    @admin.display(description="Orders")
    def progress(self, job: RecalculationJob) -> str:
        if job.requested_order_ids is not None:
            return f"{len(job.requested_order_ids)} requested, not looked up yet"
        counts = dict(job.order_rows.values_list("status").annotate(count=Count("pk")).order_by())
        return ", ".join(f"{counts.get(status, 0)} {label.lower()}" for status, label in JobOrderStatus.choices)

    @admin.action(description="Queue selected jobs again (resumes a job whose worker was lost)")
    def resume_jobs(self, request, queryset):
        job_ids = list(queryset.filter(job_status=JobStatus.IN_PROGRESS).values_list("job_id", flat=True))
        for job_id in job_ids:
            services.enqueue_job(job_id)
        self.message_user(request, f"Queued {len(job_ids)} job(s) still in progress.", messages.SUCCESS)
