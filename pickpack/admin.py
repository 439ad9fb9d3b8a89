from django.contrib import admin, messages
from django.db.models import Count

from . import services
from .models import JobOrderStatus, JobStatus, PackingEvent, RecalculationJob, RecalculationJobOrder

INLINE_ORDER_LIMIT = 200


@admin.register(PackingEvent)
class PackingEventAdmin(admin.ModelAdmin):
    """Read-only: events arrive over the API, and a changed event would change prices silently."""

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
    list_filter = ["tenant", "site", "unit", "book_product"]
    search_fields = ["event_id", "order_number", "product_id", "user", "supplier_id"]
    date_hierarchy = "timestamp"
    ordering = ["-timestamp"]
    list_select_related = ["tenant"]

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


@admin.register(RecalculationJob)
class RecalculationJobAdmin(admin.ModelAdmin):
    """Jobs start over the API and the staff pages; here they can be watched and resumed."""

    list_display = ["job_id", "tenant", "job_type", "job_status", "started_at", "finished_at", "created_by"]
    list_filter = ["tenant", "job_type", "job_status"]
    search_fields = ["job_id", "created_by", "order_rows__order_number"]
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

    @admin.display(description="Orders")
    def progress(self, job: RecalculationJob) -> str:
        counts = dict(job.order_rows.values_list("status").annotate(count=Count("pk")).order_by())
        return ", ".join(f"{counts.get(status, 0)} {label.lower()}" for status, label in JobOrderStatus.choices)

    @admin.action(description="Queue selected jobs again (resumes a job whose worker was lost)")
    def resume_jobs(self, request, queryset):
        job_ids = list(queryset.filter(job_status=JobStatus.IN_PROGRESS).values_list("job_id", flat=True))
        for job_id in job_ids:
            services.enqueue_job(job_id)
        self.message_user(request, f"Queued {len(job_ids)} job(s) still in progress.", messages.SUCCESS)
