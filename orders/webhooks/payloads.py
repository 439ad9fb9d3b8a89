"""The `data` of each event, mapped from the stored order document as Emporix's events-order page shows it.

Fields the page lists and our document holds are copied verbatim; fields we do not hold are left out, never made up.
"""

from datetime import datetime
from typing import Any

from ..documents import format_timestamp

# A field tree, in the page's order: None copies the value as it is; a dict keeps only its fields, of an object or of
# each object of a list. Spelled out from the page's order.created and order.updated schema (both are the same);
# below the order and its entries, objects (customer, addresses, payments, product…) are copied as stored.
ENTRY_FIELDS: dict[str, Any] = dict.fromkeys(
    [
        "id",
        "itemYrn",
        "amount",
        "orderedAmount",
        "packedAmountInPc",
        "effectiveQuantity",
        "originalAmount",
        "originalPrice",
        "unitPrice",
        "measurementUnit",
        "link",
        "discounts",
        "totalPrice",
        "authorizedAmount",
        "product",
        "variant",
        "tax",
        "price",
        "totalDiscount",
        "metadata",
        "mixins",
    ]
)
METADATA_FIELDS = ("mixins", "mixinsToValidate", "version", "createdAt", "modifiedAt")
ORDER_FIELDS: dict[str, Any] = {
    "id": None,
    "status": None,
    "entries": ENTRY_FIELDS,
    **dict.fromkeys(
        [
            "discounts",
            "customer",
            "siteCode",
            "cartId",
            "quoteId",
            "restriction",
            "countryCode",
            "billingAddress",
            "shippingAddress",
            "payments",
            "shipping",
            "tax",
            "subTotalPrice",
            "totalPrice",
            "totalAuthorizedAmount",
            "currency",
            "metadata",
            "mixins",
            "orderCycle",
            "deliveryWindowId",
            "channel",
            "created",
            "completed",
            "lastStatusChange",
            "shipments",
        ]
    ),
}


def project(value: Any, fields: dict[str, Any] | None) -> Any:
    """`value` with only the fields of the tree `fields` (None: all of it)."""
    if fields is None:
        return value
    if isinstance(value, list):
        return [project(item, fields) for item in value]
    if not isinstance(value, dict):
        return value
    return {name: project(value[name], fields[name]) for name in fields if name in value}


def order_metadata(document: dict, *, version: int, created: datetime, modified: datetime) -> dict:
    """Emporix's order metadata: the document's mixins, the version, and when the order was created and changed."""
    stored = document.get("metadata") or {}
    metadata = {name: stored[name] for name in METADATA_FIELDS if name in stored}
    metadata.update(version=version, createdAt=format_timestamp(created), modifiedAt=format_timestamp(modified))
    return metadata


def order_payload(document: dict, *, version: int, created: datetime, modified: datetime) -> dict:
    """order.created and order.updated: the order as the page's schema has it."""
    payload = project(document, ORDER_FIELDS)
    payload["metadata"] = order_metadata(document, version=version, created=created, modified=modified)
    return payload


def cancelled_payload(
    *, order_id: str, status: str, document: dict, version: int, created: datetime, modified: datetime
) -> dict:
    """order.cancelled: the order's id, status and metadata."""
    metadata = order_metadata(document, version=version, created=created, modified=modified)
    return {"id": order_id, "status": status, "metadata": metadata}


def status_changed_payload(
    *, order_id: str, status: str, previous: str, site_code: str, version: int, changed: datetime
) -> dict:
    """order.status_changed (ours): the order, its new and previous status, when, and the version written."""
    payload = {"id": order_id, "status": status, "previousStatus": previous}
    if site_code:
        payload["siteCode"] = site_code
    return payload | {"lastStatusChange": format_timestamp(changed), "metadata": {"version": version}}


def deleted_payload(*, order_id: str, site_code: str, status: str) -> dict:
    """order.deleted: the page's three fields (siteCode left out when the order had none)."""
    payload = {"id": order_id, "status": status}
    if site_code:
        payload["siteCode"] = site_code
    return payload


def job_finished_payload(
    *, job_id: str, job_type: str, job_status: str, started: datetime, finished: datetime, counts: dict[str, int]
) -> dict:
    """recalculation_job.finished (ours): the job as the pick-pack API shows it, with its orders counted by outcome."""
    return {
        "id": job_id,
        "jobType": job_type,
        "jobStatus": job_status,
        "startedAt": format_timestamp(started),
        "finishedAt": format_timestamp(finished),
        "orders": counts,
    }
