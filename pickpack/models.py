from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from orders.models import Order, Tenant

JOB_ID_PATTERN = r"^[a-zA-Z0-9_-]{3,16}$"


def amount_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True, **kwargs)


class PackingEvent(models.Model):
    """A warehouse app's report that some of an order's product was picked, packed or canceled.

    Amounts are increments: an order's delivered quantity of a product is the sum of its events.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="packing_events")
    event_id = models.CharField(max_length=128, help_text="Chosen by the client; unique per tenant.")
    order_number = models.CharField(max_length=64, help_text="The order's id, e.g. EON1001.")
    product_id = models.CharField(max_length=255)
    delivery_cycle = models.CharField(max_length=64, blank=True)
    picked_amount = amount_field()
    packed_amount = amount_field()
    canceled_amount = amount_field()
    unit = models.CharField(max_length=16, help_text="UN/ECE code of the amounts, e.g. H87, KGM, GRM.")
    timestamp = models.DateTimeField(help_text="When the warehouse packed, as the client says.")
    site = models.CharField(max_length=64)
    supplier_id = models.CharField(max_length=64, blank=True)
    book_product = models.BooleanField(null=True, blank=True)
    user = models.CharField(max_length=255, blank=True, help_text="Who reported the event.")
    received = models.DateTimeField(default=timezone.now, help_text="When the back office recorded the event.")

    class Meta:
        ordering = ["timestamp", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "event_id"], name="packing_event_id_unique_per_tenant")
        ]
        indexes = [
            models.Index(fields=["tenant", "order_number", "received"], name="packing_event_order"),
            models.Index(fields=["tenant", "timestamp", "id"], name="packing_event_timestamp"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.order_number}/{self.product_id})"


class JobType(models.TextChoices):
    MANUAL = "MANUAL", "Manual: the orders given"
    AUTOMATIC = "AUTOMATIC", "Automatic: orders with new packing events"


class JobStatus(models.TextChoices):
    IN_PROGRESS = "IN_PROGRESS", "In progress"
    SUCCESS = "SUCCESS", "Success"
    FAILURE = "FAILURE", "Failure"


class JobOrderStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    SUCCESS = "SUCCESS", "Success"
    FAILURE = "FAILURE", "Failure"


# The message of a row still PENDING (the seed's words).
PENDING_MESSAGE = "Order waiting for recalculation"


class FailureReason(models.TextChoices):
    """Why an order of a job was not recalculated, for wording it to staff (the API keeps the row's message)."""

    NOT_FOUND = "NOT_FOUND", "No such order"
    COMPLETED = "COMPLETED", "Completed orders are final"
    REFUSED = "REFUSED", "Refused"
    INTERNAL = "INTERNAL", "Internal error"
    CANCELLED = "CANCELLED", "Job cancelled"


class RecalculationJob(models.Model):
    """A batch of order recalculations, run by Celery workers order after order."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="recalculation_jobs")
    job_id = models.CharField(max_length=16, unique=True, validators=[RegexValidator(JOB_ID_PATTERN)])
    job_type = models.CharField(max_length=16, choices=JobType.choices)
    job_status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=255, blank=True)
    # The rights of whoever started the job, which it acts with: a vendor client's job touches only its entries.
    vendor_id = models.CharField(max_length=64, blank=True)
    may_change_completed = models.BooleanField(default=False)
    # False while the job's worker has yet to add its order rows (an AUTOMATIC job's selection, a MANUAL job's
    # requested ids looked up): a job is created without them so that starting it answers at once; it cannot end
    # before they are added.
    orders_selected = models.BooleanField(default=True)
    # A MANUAL job's ids as requested (duplicates folded, in their order), stored in one statement, until its worker
    # has looked them up and added a row for each; null from then on, and for AUTOMATIC jobs.
    requested_order_ids = models.JSONField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=255, blank=True)
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        help_text="The job whose failed orders this job recalculates again.",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "job_status"], name="recalculation_job_status")]
        permissions = [("manage_jobs", "Can manage recalculation jobs")]

    def __str__(self) -> str:
        return self.job_id


class RecalculationJobOrder(models.Model):
    """One order of a job and how its recalculation went."""

    job = models.ForeignKey(RecalculationJob, on_delete=models.CASCADE, related_name="order_rows")
    # Null when no such order exists (the row is then a FAILURE from the start) or when it was deleted since.
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    order_number = models.CharField(max_length=255, help_text="The order id as requested.")
    status = models.CharField(max_length=16, choices=JobOrderStatus.choices, default=JobOrderStatus.PENDING)
    message = models.TextField(blank=True)
    reason = models.CharField(max_length=16, choices=FailureReason.choices, blank=True)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        # By the column, not the relation: ordering by "job" would join the job row into every query (and lock it).
        ordering = ["job_id", "id"]
        indexes = [
            models.Index(fields=["job", "status", "id"], name="recalculation_row_pending"),
            models.Index(fields=["order", "job"], name="recalculation_row_order"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.order_number}"


class TenantJobLock(models.Model):
    """One row per tenant, locked while a job is created, so two overlapping jobs cannot both start."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, primary_key=True, related_name="+")

    def __str__(self) -> str:
        return f"job lock of {self.tenant}"
