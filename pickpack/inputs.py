"""Validation of pick-pack request bodies into typed inputs; every problem is reported with its field."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from orders.errors import ErrorDetail, ValidationFailed
from orders.schema import (
    boolean,
    date_time,
    non_negative,
    obj,
    problem,
    schema_of,
    text,
    unstorable_text,
    validate,
    with_schema,
)
from orders.units import UNECE_UNITS, UnitError, check_unit

from .models import JobType

AMOUNT_PLACES = 3
MAX_EVENT_ID_LENGTH = 128
MAX_ORDER_ID_LENGTH = 255
# Orders one MANUAL job may list: creating the job stays well under a second; more orders go in several jobs.
MAX_ORDER_IDS = 5_000


@dataclass(frozen=True)
class NewPackingEvent:
    event_id: str
    order_number: str
    product_id: str
    unit: str
    timestamp: datetime
    site: str
    delivery_cycle: str = ""
    picked_amount: Decimal | None = None
    packed_amount: Decimal | None = None
    canceled_amount: Decimal | None = None
    supplier_id: str = ""
    book_product: bool | None = None


@dataclass(frozen=True)
class JobRequest:
    job_type: str
    order_ids: list[str]


def amount(value: Any, path: str) -> list[ErrorDetail]:
    errors = non_negative(value, path)
    if not errors and Decimal(value).as_tuple().exponent < -AMOUNT_PLACES:
        errors = problem(path, f"must have at most {AMOUNT_PLACES} decimal places")
    return errors


with_schema(amount, {**schema_of(non_negative), "description": f"At most {AMOUNT_PLACES} decimal places."})


def unit_code(value: Any, path: str) -> list[ErrorDetail]:
    errors = text(16)(value, path)
    if errors:
        return errors
    try:
        check_unit(value)
    except UnitError as error:
        return problem(path, str(error))
    return []


with_schema(unit_code, {"type": "string", "enum": list(UNECE_UNITS), "description": "A UN/ECE unit code."})


def non_blank(max_length: int):
    def check(value: Any, path: str) -> list[ErrorDetail]:
        return text(max_length)(value, path) or (problem(path, "must not be empty") if not value.strip() else [])

    return with_schema(check, {**schema_of(text(max_length)), "pattern": r"\S"})


REQUIRED_EVENT_FIELDS = ("eventId", "orderNumber", "productId", "unit", "timestamp", "site")
# Schema OrderEntryEventCreate; a required field sent as null is missing too.
packing_event = obj(
    {
        "eventId": non_blank(MAX_EVENT_ID_LENGTH),
        "orderNumber": non_blank(64),
        "productId": non_blank(255),
        "unit": unit_code,
        "timestamp": date_time,
        "site": non_blank(64),
        "deliveryCycle": text(64),
        "pickedAmount": amount,
        "packedAmount": amount,
        "canceledAmount": amount,
        "supplierId": text(64),
        "bookProduct": boolean,
    },
    required=REQUIRED_EVENT_FIELDS,
    null_is_missing=True,
)


def packing_event_from(body: dict) -> NewPackingEvent:
    """The event a POST /events body describes (schema OrderEntryEventCreate); unknown fields are ignored."""
    validate(packing_event, body)
    return NewPackingEvent(
        event_id=body["eventId"],
        order_number=body["orderNumber"],
        product_id=body["productId"],
        unit=body["unit"],
        timestamp=datetime.fromisoformat(body["timestamp"]),
        site=body["site"],
        delivery_cycle=body.get("deliveryCycle") or "",
        picked_amount=_decimal(body.get("pickedAmount")),
        packed_amount=_decimal(body.get("packedAmount")),
        canceled_amount=_decimal(body.get("canceledAmount")),
        supplier_id=body.get("supplierId") or "",
        book_product=body.get("bookProduct"),
    )


def job_request_from(body: dict) -> JobRequest:
    """The job a POST /jobs/recalculations body asks for (schema RecalculationJobCreation)."""
    job_type = body.get("jobType")
    if job_type is None:
        raise _invalid("jobType", "is required: MANUAL or AUTOMATIC", "missing_value")
    if job_type not in JobType.values:
        raise _invalid("jobType", "must be MANUAL or AUTOMATIC")
    if job_type == JobType.AUTOMATIC:
        return JobRequest(job_type, [])  # the orders are chosen by their packing events; orderIds do not apply
    return JobRequest(job_type, _order_ids(body.get("orderIds")))


ORDER_IDS_SCHEMA = {
    "type": "array",
    "items": {"type": "string", "minLength": 1, "maxLength": MAX_ORDER_ID_LENGTH},
    "minItems": 1,
    "maxItems": MAX_ORDER_IDS,
    "description": "The orders a MANUAL job recalculates (duplicates folded; unknown ids end as FAILURE rows).",
}
# What job_request_from accepts, as JSON Schema: an AUTOMATIC job ignores orderIds, a MANUAL one needs them.
JOB_REQUEST_SCHEMA = {
    "type": "object",
    "properties": {
        "jobType": {"type": "string", "enum": list(JobType.values)},
        "orderIds": {"description": ORDER_IDS_SCHEMA["description"]},
    },
    "required": ["jobType"],
    "anyOf": [
        {"properties": {"jobType": {"enum": [JobType.AUTOMATIC.value]}}},
        {
            "properties": {"jobType": {"enum": [JobType.MANUAL.value]}, "orderIds": ORDER_IDS_SCHEMA},
            "required": ["orderIds"],
        },
    ],
}


def _order_ids(value: Any) -> list[str]:
    if value is None:
        raise _invalid("orderIds", "is required for a MANUAL job", "missing_value")
    if not isinstance(value, list) or not value:
        raise _invalid("orderIds", "must be a non-empty JSON array of order ids")
    if len(value) > MAX_ORDER_IDS:
        raise _invalid("orderIds", f"must list at most {MAX_ORDER_IDS:,} orders: start several jobs for more")
    if not _all_order_ids(value):
        _refuse_first_bad_order_id(value)
    return list(dict.fromkeys(value))


def _all_order_ids(values: list) -> bool:
    """Whether every value is an order id, checked in one pass over all of them (a job may list 5,000)."""
    fitting = all(isinstance(value, str) and 0 < len(value) <= MAX_ORDER_ID_LENGTH for value in values)
    return fitting and not unstorable_text("\n".join(values))  # a character at a time: the join adds none


def _refuse_first_bad_order_id(values: list) -> None:
    check = text(MAX_ORDER_ID_LENGTH)
    for index, order_id in enumerate(values):
        if not isinstance(order_id, str) or not order_id or check(order_id, ""):
            raise _invalid(
                f"orderIds[{index}]",
                f"must be an order id, a string of 1 to {MAX_ORDER_ID_LENGTH} characters without NUL",
            )


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _invalid(field: str, message: str, kind: str = "invalid_field") -> ValidationFailed:
    return ValidationFailed(f"Invalid {field}: {message}.", [ErrorDetail(field, message, kind)])
