"""The order status machine: one table, used by every way a status can change."""

from django.db import models

from .errors import ErrorDetail, ValidationFailed


class OrderStatus(models.TextChoices):
    """The statuses, with the one label people see for each everywhere (staff pages, admin, exports)."""

    IN_CHECKOUT = "IN_CHECKOUT", "In checkout"
    CREATED = "CREATED", "Created"
    CONFIRMED = "CONFIRMED", "Confirmed"
    DECLINED = "DECLINED", "Declined"
    SHIPPED = "SHIPPED", "Shipped"
    COMPLETED = "COMPLETED", "Completed"


ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OrderStatus.IN_CHECKOUT: (OrderStatus.CREATED, OrderStatus.DECLINED),
    OrderStatus.CREATED: (OrderStatus.CONFIRMED, OrderStatus.DECLINED),
    OrderStatus.CONFIRMED: (OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.DECLINED),
    OrderStatus.SHIPPED: (OrderStatus.COMPLETED,),
    OrderStatus.DECLINED: (),
    OrderStatus.COMPLETED: (),
}


def allowed_next_statuses(current: str) -> tuple[str, ...]:
    return ALLOWED_TRANSITIONS.get(current, ())


def check_transition(current: str, target: str, document: dict) -> None:
    """Raise ValidationFailed unless an order with this document may go from `current` to `target`."""
    if target not in allowed_next_statuses(current):
        allowed = ", ".join(allowed_next_statuses(current)) or "none"
        message = f"An order in status {current} cannot change to {target}. Allowed: {allowed}."
        raise ValidationFailed(message, [ErrorDetail("status", message, "invalid_transition")])
    if target == OrderStatus.SHIPPED and not document.get("shipments"):
        message = "Add shipment data (shipments with shippedDate and carrier) before changing the status to SHIPPED."
        raise ValidationFailed(message, [ErrorDetail("shipments", message, "missing_value")])
