"""The Pick-pack API: packing events and recalculation jobs. Thin views that validate, call a service and render."""

from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from orders import scopes
from orders.api import openapi
from orders.api.views import TENANT, TenantApiView, json_object_body
from orders.documents import format_timestamp
from pickpack import selectors, services
from pickpack.inputs import job_request_from, packing_event_from
from pickpack.models import PackingEvent, RecalculationJob

from .params import MAX_EVENT_PAGE_SIZE, MAX_PAGE_NUMBER, event_page_from, timestamp_param

EVENT_SAVED = {"message": "Success", "code": 200}
JOB_ID = OpenApiParameter("job_id", str, OpenApiParameter.PATH, description="The job's id, as POST answered it.")
EVENT_FILTERS = [
    OpenApiParameter(
        "timestamp", openapi.TIMESTAMP_PARAMETER, description="Only events packed after this ISO 8601 date-time."
    ),
    OpenApiParameter(
        "pageNumber",
        openapi.query_integer(0, MAX_PAGE_NUMBER),
        description="Page to return, from 1 (0 is the first page too).",
        default=1,
    ),
    OpenApiParameter(
        "pageSize",
        openapi.query_integer(0, MAX_EVENT_PAGE_SIZE),
        description=f"Events per page, up to {MAX_EVENT_PAGE_SIZE}.",
        default=16,
    ),
]


def json_amount(value: Decimal | None) -> int | Decimal | None:
    """Whole amounts as JSON integers, as the spec types them; others with their decimals."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


def event_representation(event: PackingEvent) -> dict:
    """Schema OrderEntryEventResponse; fields the client did not give are left out."""
    fields = {
        "eventId": event.event_id,
        "orderNumber": event.order_number,
        "productId": event.product_id,
        "deliveryCycle": event.delivery_cycle or None,
        "timestamp": format_timestamp(event.timestamp),
        "pickedAmount": json_amount(event.picked_amount),
        "packedAmount": json_amount(event.packed_amount),
        "canceledAmount": json_amount(event.canceled_amount),
        "packedAmountInPc": json_amount(event.packed_amount) if event.unit in ("H87", "C62") else None,
        "supplierId": event.supplier_id or None,
        "user": event.user or None,
        "site": event.site,
        "unit": event.unit,
        "bookProduct": event.book_product,
    }
    return {name: value for name, value in fields.items() if value is not None}


def job_representation(job: RecalculationJob) -> dict:
    """Schema RecalculationJob, key for key as in the seed's example; `finishedAt` only once the job finished (the
    spec types it as a string, not nullable)."""
    representation = {
        "id": job.job_id,
        "jobType": job.job_type,
        "orders": [
            {"orderId": order_id, "message": message, "jobOrderStatus": status}
            for order_id, message, status in selectors.job_order_results(job)
        ],
        "jobStatus": job.job_status,
        "startedAt": format_timestamp(job.started_at),
    }
    if job.finished_at:
        representation["finishedAt"] = format_timestamp(job.finished_at)
    return representation


@extend_schema(tags=["Events"], parameters=[TENANT])
class PackingEventListView(TenantApiView):
    """Packing events of the tenant: report one, list them."""

    required_scopes = {"GET": scopes.VIEW_PICKPACK, "POST": scopes.MANAGE_PICKPACK}

    @extend_schema(
        operation_id="GET-pick-pack-retrieve-packing-event",
        summary="Retrieving all events",
        parameters=[*EVENT_FILTERS, openapi.TOTAL_COUNT],
        responses={200: openapi.list_answer("PackingEvent", "A JSON array of events, oldest first.")},
    )
    def get(self, request, tenant):
        page = event_page_from(request.query_params)
        events = selectors.packing_events(self.tenant, self.actor, after=timestamp_param(request.query_params))
        page_events = selectors.packing_event_page(events, page_number=page.number, page_size=page.size)
        return Response(
            [event_representation(event) for event in page_events], headers={"X-Total-Count": events.count()}
        )

    @extend_schema(
        operation_id="POST-pick-pack-create-packing-event",
        summary="Creating a new packing event",
        request=openapi.body("PackingEventCreation"),
        responses={200: openapi.answer("PackingEventSaved")},
    )
    def post(self, request, tenant):
        event = packing_event_from(json_object_body(request))
        services.record_packing_event(tenant=self.tenant, event=event, actor=self.actor)
        return Response(EVENT_SAVED)


@extend_schema(tags=["Recalculations"], parameters=[TENANT])
class RecalculationJobListView(TenantApiView):
    """Starting a recalculation job."""

    required_scopes = {"POST": scopes.MANAGE_PICKPACK}

    @extend_schema(
        operation_id="POST-pick-pack-start-order-recalculations",
        summary="Triggering an order recalculation",
        request=openapi.body("RecalculationJobCreation"),
        responses={200: openapi.answer("RecalculationJobCreated")},
    )
    def post(self, request, tenant):
        job_request = job_request_from(json_object_body(request))
        job = services.create_recalculation_job(
            tenant=self.tenant, job_type=job_request.job_type, order_ids=job_request.order_ids, actor=self.actor
        )
        return Response({"jobId": job.job_id})


@extend_schema(tags=["Recalculations"], parameters=[TENANT, JOB_ID])
class RecalculationJobDetailView(TenantApiView):
    """One job with the outcome of each of its orders."""

    required_scopes = {"GET": scopes.VIEW_PICKPACK}

    @extend_schema(
        operation_id="GET-pick-pack-retrieve-order-recalculation",
        summary="Retrieving a job",
        responses={200: openapi.answer("RecalculationJob")},
    )
    def get(self, request, tenant, job_id):
        return Response(job_representation(selectors.get_job(self.tenant, job_id, self.actor)))
