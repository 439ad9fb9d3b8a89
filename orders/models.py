from django.conf import settings
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.db.models.fields.json import KT
from django.db.models.functions import Concat, Upper

from .documents import DecimalJSONDecoder, DecimalJSONEncoder
from .statuses import OrderStatus
from .webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: F401

TENANT_NAME_PATTERN = r"^[a-z][a-z0-9]+$"
FIRST_ORDER_NUMBER = 1001


def money_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=20, decimal_places=3, **kwargs)


def document_field(**kwargs) -> models.JSONField:
    """A JSON column whose numbers stay Decimal both ways."""
    return models.JSONField(encoder=DecimalJSONEncoder, decoder=DecimalJSONDecoder, **kwargs)


class Tenant(models.Model):
    name = models.CharField(
        max_length=16,
        unique=True,
        validators=[
            RegexValidator(TENANT_NAME_PATTERN, "lowercase letters and digits, starting with a letter"),
            MinLengthValidator(3),
        ],
    )
    # The last order number handed out; incremented under a row lock so ids stay unique.
    last_order_number = models.PositiveBigIntegerField(default=FIRST_ORDER_NUMBER - 1)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="tenants", blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiClient(models.Model):
    """An integration's OAuth2 client, bound to one tenant and optionally to one vendor."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="api_client"
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_clients")
    vendor_id = models.CharField(max_length=64, blank=True, help_text="Restricts the client to this vendor's orders.")
    scopes = models.TextField(help_text="Space-separated scopes the client may request.")
    is_active = models.BooleanField(default=True, help_text="A disabled client gets no tokens and its tokens fail.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant", "application__name"]

    def __str__(self) -> str:
        return f"{self.application.name} ({self.tenant})"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


def searched_text() -> Upper:
    """What the order list's search box matches (orders/search.py): the order id, customer email, name, first and
    last name and company, upper-cased, spaces between them (so "anna müller" finds first and last name)."""
    parts = [
        models.F("order_id"),
        models.F("customer_email"),
        *(KT(f"document__customer__{key}") for key in ("name", "firstName", "lastName", "company")),
    ]
    spaced = [item for part in parts for item in (part, models.Value(" "))][:-1]
    return Upper(Concat(*spaced, output_field=models.TextField()))


class Order(models.Model):
    """A sales order: the hot fields as indexed columns, the whole order as its API document."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="orders")
    order_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=OrderStatus.choices)
    created = models.DateTimeField()
    last_status_change = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    site_code = models.CharField(max_length=64, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    customer_id = models.CharField(max_length=255, blank=True)
    customer_email = models.CharField(max_length=255, blank=True)
    total_net = money_field(null=True, blank=True)
    total_tax = money_field(null=True, blank=True)
    total_gross = money_field(null=True, blank=True)
    order_type = models.CharField(max_length=16, blank=True)
    master_order = models.CharField(max_length=64, blank=True)
    document = document_field()
    # Kept by the database from the row itself: the search reads a short column, not each order's document.
    search_text = models.GeneratedField(expression=searched_text(), output_field=models.TextField(), db_persist=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "order_id"], name="order_id_unique_per_tenant")]
        indexes = [
            models.Index(fields=["tenant", "-created", "order_id"], name="order_tenant_created"),
            models.Index(fields=["tenant", "status", "-created"], name="order_tenant_status"),
            models.Index(fields=["tenant", "customer_email"], name="order_tenant_customer_email"),
            models.Index(fields=["tenant", "customer_id"], name="order_tenant_customer_id"),
            models.Index(fields=["tenant", "total_gross"], name="order_tenant_total_gross"),
            models.Index(fields=["tenant", "master_order"], name="order_tenant_master"),
        ]
        permissions = [("manage_orders", "Can manage orders")]

    def __str__(self) -> str:
        return self.order_id


class OrderStatusCount(models.Model):
    """How many orders a tenant has in a status, kept by every write (orders/counts.py): no page counts the rows."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "status"], name="order_status_count_unique")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.status}: {self.count}"


class OrderEntry(models.Model):
    """One entry of an order, kept in step with the document's `entries` for lookups by vendor or product."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="entry_rows")
    position = models.PositiveIntegerField()
    entry_id = models.CharField(max_length=64)
    product_id = models.CharField(max_length=255, blank=True)
    vendor_id = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=20, decimal_places=3)
    delivered_amount = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name_plural = "order entries"
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "entry_id"], name="entry_id_unique_per_order")]
        indexes = [
            models.Index(fields=["vendor_id", "order"], name="entry_vendor"),
            models.Index(fields=["product_id"], name="entry_product"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.entry_id}"


class OrderEventType(models.TextChoices):
    PLACED = "PLACED", "Order placed"
    UPDATED = "UPDATED", "Order updated"
    STATUS_CHANGED = "STATUS_CHANGED", "Status changed"
    SPLIT = "SPLIT", "Split into suborders"
    RECALCULATED = "RECALCULATED", "Prices recalculated"
    DELIVERED = "DELIVERED", "Delivered amounts set"
    NOTE = "NOTE", "Staff note"


class OrderEvent(models.Model):
    """Something that happened to an order: the staff timeline, the status history, a future webhook outbox."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=OrderEventType.choices)
    timestamp = models.DateTimeField()
    actor = models.CharField(max_length=255)
    parameters = document_field(default=dict, blank=True)

    class Meta:
        ordering = ["order", "timestamp", "pk"]
        indexes = [models.Index(fields=["order", "type", "timestamp"], name="order_event_by_type")]

    def __str__(self) -> str:
        return f"{self.order}: {self.get_type_display()}"


class PriceModel(models.TextChoices):
    NET = "NET", "Net (tax added)"
    GROSS = "GROSS", "Gross (tax included)"


class Product(models.Model):
    """A tenant's catalog product, so staff and integrations can add entries by product id."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="products")
    product_id = models.CharField(max_length=255)
    sku = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=255)
    localized_names = document_field(default=dict, blank=True, help_text='e.g. {"de": "Schuhe", "en": "Shoes"}')
    vendor_id = models.CharField(max_length=64, blank=True)
    unit = models.CharField(max_length=16, default="H87", help_text="UN/ECE unit code: H87 pieces, KGM, LTR…")
    unit_price = money_field()
    currency = models.CharField(max_length=3)
    price_model = models.CharField(max_length=5, choices=PriceModel.choices, default=PriceModel.NET)
    tax_code = models.CharField(max_length=32, default="STANDARD")

    class Meta:
        ordering = ["tenant", "product_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "product_id"], name="product_id_unique_per_tenant")]

    def __str__(self) -> str:
        return f"{self.product_id} · {self.name}"


class TaxRate(models.Model):
    """The rate of a tax code in a country, for a tenant (e.g. DE STANDARD 19 %)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="tax_rates")
    country = models.CharField(max_length=2)
    tax_code = models.CharField(max_length=32)
    rate = models.DecimalField(max_digits=6, decimal_places=3)

    class Meta:
        ordering = ["tenant", "country", "tax_code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "country", "tax_code"], name="tax_rate_unique_per_country")
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.tax_code} {self.rate} %"


class IdempotencyKey(models.Model):
    """A POST's `Idempotency-Key` and the answer it got, so that a retry gets the same answer without acting again."""

    class State(models.TextChoices):
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        DONE = "DONE", "Done"

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request's method, path, query and body.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    created = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(blank=True, default=b"")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_unique_per_client")]
        indexes = [models.Index(fields=["created"], name="idempotency_key_created")]

    def __str__(self) -> str:
        return f"{self.key} ({self.client_id})"


class ChangeRecord(models.Model):
    """One write of an order, field by field: who, when, how (the audit trail). Kept after the order is deleted."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="change_records")
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes")
    order_number = models.CharField(max_length=64, help_text="The order's id, e.g. EON1001.")
    version = models.PositiveIntegerField(help_text="The order's version after the write (0 for a delete).")
    timestamp = models.DateTimeField()
    actor = models.JSONField(help_text='{"type": "client"|"user"|"job"|"system", "id": …, "name": …}')
    operation = models.CharField(max_length=32)
    request_id = models.CharField(max_length=64, blank=True)
    changes = document_field(help_text='[{"path": "customer.email", "before": …, "after": …}]')

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "order_number", "-timestamp", "-id"], name="change_record_of_order"),
            models.Index(fields=["tenant", "-timestamp", "-id"], name="change_record_of_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.order_number} v{self.version} {self.operation}"


class ExportStatus(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    RUNNING = "RUNNING", "Running"
    SUCCESS = "SUCCESS", "Done"
    FAILURE = "FAILURE", "Failed"


class OrderExport(models.Model):
    """A CSV export of the order list too large to stream in a request, written to a file by a Celery worker."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filters = models.TextField(blank=True, help_text="The order list's query string the export was asked with.")
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    message = models.TextField(blank=True)
    created = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["tenant", "requested_by", "-created"], name="order_export_of_user")]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.tenant_id} ({self.status})"

    @property
    def percent(self) -> int:
        """Percent of the rows written (0 until the worker has counted them)."""
        if self.status == ExportStatus.SUCCESS:
            return 100
        return self.rows_written * 100 // self.rows_total if self.rows_total else 0
