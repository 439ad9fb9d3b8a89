"""The Pick-pack shapes of our OpenAPI document, after Emporix's Pick-pack Service spec; the request bodies are
derived from the validation in pickpack.inputs (see orders.api.openapi for how)."""

import copy

from orders import schema as checks
from orders.api.openapi import with_example
from pickpack.inputs import JOB_REQUEST_SCHEMA, packing_event
from pickpack.models import JOB_ID_PATTERN, JobOrderStatus, JobStatus, JobType

TIMESTAMP = {"type": "string", "format": "date-time"}
AMOUNT = {"type": "number", "minimum": 0}

PACKING_EVENT_CREATION = with_example(
    checks.schema_of(packing_event),
    {
        "eventId": "evt-1001-1",
        "orderNumber": "EON1001",
        "productId": "BC10033--BC10033-43",
        "unit": "H87",
        "packedAmount": 2,
        "timestamp": "2025-01-31T08:00:00.000Z",
        "site": "main",
    },
    "A packing event as the warehouse reports it (Emporix `OrderEntryEventCreate`).",
)
PACKING_EVENT = with_example(
    {
        "type": "object",
        "properties": {
            "eventId": {"type": "string"},
            "orderNumber": {"type": "string"},
            "productId": {"type": "string"},
            "deliveryCycle": {"type": "string"},
            "timestamp": TIMESTAMP,
            "pickedAmount": AMOUNT,
            "packedAmount": AMOUNT,
            "canceledAmount": AMOUNT,
            "packedAmountInPc": {**AMOUNT, "description": "The packed amount in pieces (events counted in pieces)."},
            "supplierId": {"type": "string"},
            "user": {"type": "string", "description": "Who reported the event."},
            "site": {"type": "string"},
            "unit": {"type": "string", "description": "UN/ECE code of the amounts."},
            "bookProduct": {"type": "boolean"},
        },
        "required": ["eventId", "orderNumber", "productId", "timestamp", "site", "unit"],
    },
    {
        "eventId": "evt-1001-1",
        "orderNumber": "EON1001",
        "productId": "BC10033--BC10033-43",
        "timestamp": "2025-01-31T08:00:00.000Z",
        "packedAmount": 2,
        "packedAmountInPc": 2,
        "site": "main",
        "unit": "H87",
    },
    "A recorded packing event (Emporix `OrderEntryEventResponse`); fields the client did not give are left out. "
    "Amounts are JSON integers when whole; a weighed product's carry their decimals.",
)
EVENT_SAVED = with_example(
    {
        "type": "object",
        "properties": {"message": {"type": "string"}, "code": {"type": "integer"}},
        "required": ["message", "code"],
    },
    {"message": "Success", "code": 200},
    "The event is recorded (or was already: the same eventId again answers this too).",
)
RECALCULATION_JOB_CREATION = with_example(
    JOB_REQUEST_SCHEMA,
    {"jobType": "MANUAL", "orderIds": ["EON1001", "EON1002"]},
    "MANUAL: the orders given; AUTOMATIC: the orders with packing events newer than their last recalculation.",
)
JOB_CREATED = with_example(
    {
        "type": "object",
        "properties": {"jobId": {"type": "string", "pattern": JOB_ID_PATTERN}},
        "required": ["jobId"],
    },
    {"jobId": "a1b2c3d4e5f6"},
    "The job is started; GET it by this id to follow it.",
)
RECALCULATION_JOB = with_example(
    {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": JOB_ID_PATTERN},
            "jobType": {"type": "string", "enum": list(JobType.values)},
            "orders": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "orderId": {"type": "string"},
                        "message": {"type": "string"},
                        "jobOrderStatus": {"type": "string", "enum": list(JobOrderStatus.values)},
                    },
                    "required": ["orderId", "message", "jobOrderStatus"],
                },
            },
            "jobStatus": {"type": "string", "enum": list(JobStatus.values)},
            "startedAt": TIMESTAMP,
            "finishedAt": {**TIMESTAMP, "description": "Only once the job has finished."},
        },
        "required": ["id", "jobType", "orders", "jobStatus", "startedAt"],
    },
    {
        "id": "a1b2c3d4e5f6",
        "jobType": "MANUAL",
        "orders": [{"orderId": "EON1001", "message": "Order recalculated successfully", "jobOrderStatus": "SUCCESS"}],
        "jobStatus": "SUCCESS",
        "startedAt": "2025-01-31T08:05:00.000Z",
        "finishedAt": "2025-01-31T08:05:01.250Z",
    },
    "A recalculation job with the outcome of each of its orders (Emporix `RecalculationJob`).",
)

COMPONENTS = {
    "PackingEventCreation": PACKING_EVENT_CREATION,
    "PackingEvent": PACKING_EVENT,
    "PackingEventSaved": EVENT_SAVED,
    "RecalculationJobCreation": RECALCULATION_JOB_CREATION,
    "RecalculationJobCreated": JOB_CREATED,
    "RecalculationJob": RECALCULATION_JOB,
}


def add_components(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the named pick-pack shapes the operations refer to."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(copy.deepcopy(COMPONENTS))
    return result
