from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from orders import documents, services

from .admin_lists import CappedCountAdmin, order_pks_with_id, recent_values_filter
from .currencies import minor_unit
from .models import ApiClient, ChangeRecord, Order, OrderEntry, OrderEvent, Product, TaxRate, Tenant
from .staff.access import staff_actor
from .webhooks import admin as webhooks_admin  # noqa: F401  (registers the webhook models)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "created", "last_order_number"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    readonly_fields = ["last_order_number", "created"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["application", "tenant", "vendor_id", "scopes", "is_active", "created"]
    list_filter = ["tenant", "is_active"]
    search_fields = ["application__name", "application__client_id", "vendor_id"]
    raw_id_fields = ["application"]


class OrderEntryInline(admin.TabularInline):
    model = OrderEntry
    fields = ["position", "entry_id", "product_id", "vendor_id", "amount", "delivered_amount", "unit"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    fields = ["timestamp", "type", "actor", "parameters"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Order)
class OrderAdmin(CappedCountAdmin):
    """Read-friendly: orders change through the API and the staff pages, where the rules live.

    Fast at a million orders: the list reads its columns only (not the documents), in the order of an index
    (orders/migrations/0014_admin_list_indexes.py), and searches by exact order id or customer email prefix.
    """

    list_display = ["order_id", "tenant", "status", "customer_email", "total", "site_code", "created"]
    list_filter = [
        "tenant",
        "status",
        "created",
        recent_values_filter("site_code", "site code"),
        recent_values_filter("currency", "currency"),
        recent_values_filter("order_type", "order type"),
    ]
    search_fields = ["order_id", "customer_email"]  # looked up by get_search_results, on their indexes
    search_help_text = "An order id (exact) or the start of a customer email."
    ordering = ["-created", "-id"]
    list_select_related = ["tenant"]
    inlines = [OrderEntryInline, OrderEventInline]
    exclude = ["document"]
    readonly_fields = [
        "tenant",
        "order_id",
        "status",
        "created",
        "last_status_change",
        "version",
        "site_code",
        "currency",
        "customer_id",
        "customer_email",
        "total_net",
        "total_tax",
        "total_gross",
        "order_type",
        "master_order",
        "staff_page",
        "pretty_document",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        emails = Q(customer_email__startswith=term) | Q(customer_email__startswith=term.lower())
        return queryset.filter(Q(pk__in=order_pks_with_id(term)) | emails), False

    def delete_model(self, request, obj: Order) -> None:
        """Deleted through the service, like every other write: recorded in the audit trail, announced."""
        services.delete_order(tenant=obj.tenant, order_id=obj.order_id, actor=staff_actor(request.user))

    def delete_queryset(self, request, queryset) -> None:
        for order in queryset.select_related("tenant"):
            self.delete_model(request, order)

    @admin.display(description="Total", ordering="total_gross")
    def total(self, order: Order) -> str:
        """The gross total at the currency's precision, as the staff pages show money."""
        if order.total_gross is None:
            return "\N{EN DASH}"
        places = minor_unit(order.currency)
        return f"{order.total_gross:,.{places}f} {order.currency}"

    @admin.display(description="Staff page")
    def staff_page(self, order: Order) -> str:
        url = reverse("staff:order_detail", args=[order.tenant.name, order.order_id])
        return format_html('<a href="{}">Open {} on the order desk</a>', url, order.order_id)

    @admin.display(description="Document")
    def pretty_document(self, order: Order) -> str:
        return format_html("<pre>{}</pre>", documents.dumps_pretty(order.document))


@admin.register(ChangeRecord)
class ChangeRecordAdmin(CappedCountAdmin):
    """The audit trail, read-only: it is written by the writes themselves. Newest written first (the primary key's
    order, so no sort of the whole trail); searched by exact order id."""

    list_display = ["order_number", "version", "operation", "actor_name", "timestamp", "tenant"]
    list_filter = [recent_values_filter("operation", "operation"), "tenant"]
    search_fields = ["order_number"]
    search_help_text = "An order id (exact)."
    ordering = ["-id"]
    list_select_related = ["tenant"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("changes")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        tenants = list(Tenant.objects.values_list("pk", flat=True))
        return queryset.filter(tenant__in=tenants, order_number__in={term, term.upper()}), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Actor")
    def actor_name(self, record: ChangeRecord) -> str:
        return f"{record.actor.get('name')} ({record.actor.get('type')})"


@admin.register(OrderEvent)
class OrderEventAdmin(CappedCountAdmin):
    """Newest first by primary key (no sort of every event); searched by exact order id."""

    list_display = ["order", "type", "timestamp", "actor"]
    list_filter = ["type"]
    search_fields = ["order__order_id"]
    search_help_text = "An order id (exact)."
    raw_id_fields = ["order"]
    ordering = ["-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order").defer("order__document")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        return (queryset.filter(order__in=order_pks_with_id(term)) if term else queryset), False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["product_id", "name", "tenant", "vendor_id", "unit_price", "currency", "price_model", "tax_code"]
    list_filter = ["tenant", "price_model", "tax_code", "currency", "unit"]
    search_fields = ["product_id", "sku", "name", "vendor_id"]


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["tenant", "country", "tax_code", "rate"]
    list_filter = ["tenant", "country", "tax_code"]
