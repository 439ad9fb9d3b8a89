from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from orders import documents, services

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
class OrderAdmin(admin.ModelAdmin):
    """Read-friendly: orders change through the API and the staff pages, where the rules live."""

    list_display = ["order_id", "tenant", "status", "customer_email", "total", "site_code", "created"]
    list_filter = ["tenant", "status", "site_code", "currency", "order_type"]
    search_fields = ["order_id", "customer_email", "customer_id"]
    date_hierarchy = "created"
    ordering = ["-created"]
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
class ChangeRecordAdmin(admin.ModelAdmin):
    """The audit trail, read-only: it is written by the writes themselves."""

    list_display = ["order_number", "version", "operation", "actor_name", "timestamp", "tenant"]
    list_filter = ["operation", "tenant"]
    search_fields = ["=order_number", "=request_id"]
    ordering = ["-timestamp", "-id"]

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
class OrderEventAdmin(admin.ModelAdmin):
    list_display = ["order", "type", "timestamp", "actor"]
    list_filter = ["type"]
    search_fields = ["order__order_id", "actor"]
    raw_id_fields = ["order"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["product_id", "name", "tenant", "vendor_id", "unit_price", "currency", "price_model", "tax_code"]
    list_filter = ["tenant", "price_model", "tax_code", "currency", "unit"]
    search_fields = ["product_id", "sku", "name", "vendor_id"]


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["tenant", "country", "tax_code", "rate"]
    list_filter = ["tenant", "country", "tax_code"]
