"""The Order Service API (tenant-managed): thin views that validate, call a service and render."""

from decimal import Decimal

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import scopes, selectors, services
from orders.actors import Actor
from orders.catalog import EntryChange
from orders.deliveries import Delivery
from orders.documents import format_timestamp
from orders.errors import ErrorDetail, ValidationFailed
from orders.models import Tenant
from orders.schema import calculation_request, entries_request, validate
from orders.statuses import OrderStatus, allowed_next_statuses

from . import openapi, params
from .params import DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER, MAX_PAGE_SIZE, page_from

JSON = "application/json"
TENANT = OpenApiParameter("tenant", str, OpenApiParameter.PATH, description="The tenant, lowercase, e.g. demo.")
ORDER_ID = OpenApiParameter("order_id", str, OpenApiParameter.PATH, description="The order's id, e.g. EON1001.")
RECALCULATE = OpenApiParameter(
    "recalculate", openapi.QUERY_BOOLEAN, description="Recalculate the prices before saving.", default=False
)
STORE = OpenApiParameter(
    "store", openapi.QUERY_BOOLEAN, description="Save the recalculated order (else only return it).", default=False
)
LISTING = [
    OpenApiParameter("q", str, description='Query, e.g. status:CREATED created:>="2025-01-01T00:00:00Z".'),
    OpenApiParameter("sort", str, description="Comma-separated fields, each optionally :asc or :desc."),
    OpenApiParameter("fields", str, description="Comma-separated dotted paths to return (default: all)."),
]
PAGING = [
    OpenApiParameter(
        "pageNumber",
        openapi.query_integer(1, MAX_PAGE_NUMBER),
        description="Page to return, from 1.",
        default=1,
    ),
    OpenApiParameter(
        "pageSize",
        openapi.query_integer(1, MAX_PAGE_SIZE),
        description=f"Orders per page, 1 to {MAX_PAGE_SIZE}.",
        default=DEFAULT_PAGE_SIZE,
    ),
]
ORDER_OBJECT = openapi.answer("SalesOrder", "The order as stored, with its server fields.")
ORDER_LIST = openapi.list_answer("SalesOrderProjection", "A JSON array of orders, each projected by `fields`.")
CHANGE_LIST = openapi.list_answer("ChangeRecord", "A JSON array of change records, newest first.")
NO_CONTENT = OpenApiResponse(description="Done.")


def order_yrn(tenant: str, order_id: str) -> str:
    return f"urn:yaas:saasag:order:salesorder:{tenant};{order_id}"


def json_object_body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationFailed("The request body must be a JSON object.")
    return request.data


def order_list_response(query_params, tenant: Tenant | int, actor: Actor, *, q: str | None) -> HttpResponse:
    """A page of the orders matching `q` as a JSON array, with their total in X-Total-Count (the list, the search,
    and the list's fast path in orders/api/hot.py)."""
    page = page_from(query_params)
    orders = selectors.search_orders(tenant, actor, q=q)
    body = selectors.order_page_json(
        orders,
        page_number=page.number,
        page_size=page.size,
        sort=query_params.get("sort"),
        fields=query_params.get("fields"),
    )
    return order_page_response(body, orders.count())


def order_page_response(body: str, total: int) -> HttpResponse:
    """A page's JSON array, with the total of its list in X-Total-Count."""
    response = HttpResponse(body, content_type=JSON)
    response["X-Total-Count"] = total
    return response


def order_count_response(total: int) -> HttpResponse:
    """The number of orders matching a q in X-Total-Count, without a body (HEAD of the list, and its fast path)."""
    response = HttpResponse(content_type=JSON)
    response["X-Total-Count"] = total
    return response


class TenantApiView(APIView):
    """An API view under /{service}/{tenant}/…; the token decides the tenant and the actor."""

    required_scopes: dict = {}

    @property
    def tenant(self) -> Tenant:
        return self.request.user.client.tenant

    @property
    def actor(self) -> Actor:
        return self.request.user.actor


@extend_schema(tags=["Orders (Tenant-managed)"], parameters=[TENANT])
class SalesOrderListView(TenantApiView):
    """Orders of the tenant: list (paged, newest first), count, create."""

    required_scopes = {"GET": scopes.READ_ORDERS, "HEAD": scopes.READ_ORDERS, "POST": scopes.CREATE_ORDERS}

    @extend_schema(
        operation_id="GET-order-retrieve-tenant-orders",
        summary="Retrieving orders",
        parameters=[*PAGING, *LISTING, openapi.TOTAL_COUNT],
        responses={200: ORDER_LIST},
    )
    def get(self, request, tenant):
        return order_list_response(request.query_params, self.tenant, self.actor, q=request.query_params.get("q"))

    @extend_schema(
        operation_id="HEAD-order-retrieve-specific-orders",
        summary="Retrieving the number of orders",
        parameters=[LISTING[0], openapi.TOTAL_COUNT],
        responses={200: OpenApiResponse(description="No body: the count is in X-Total-Count.")},
    )
    def head(self, request, tenant):
        q = request.query_params.get("q")
        return order_count_response(selectors.search_orders(self.tenant, self.actor, q=q).count())

    @extend_schema(
        operation_id="POST-order-create-order-employee",
        summary="Creating a new order",
        parameters=[openapi.LOCATION],
        request=openapi.body("SalesOrderDocument"),
        responses={201: openapi.answer("ResourceLocation", "The new order's id and yrn.")},
    )
    def post(self, request, tenant):
        order = services.create_order(tenant=self.tenant, document=json_object_body(request), actor=self.actor)
        location = reverse("orders-api:salesorder-detail", kwargs={"tenant": tenant, "order_id": order.order_id})
        return Response(
            {"id": order.order_id, "yrn": order_yrn(tenant, order.order_id)}, status=201, headers={"Location": location}
        )


@extend_schema(tags=["Orders (Tenant-managed)"], parameters=[TENANT, ORDER_ID])
class SalesOrderDetailView(TenantApiView):
    """One order: read, replace (PUT), merge-patch (PATCH), delete."""

    required_scopes = {
        "GET": scopes.READ_ORDERS,
        "PUT": scopes.UPDATE_ORDERS,
        "PATCH": scopes.UPDATE_ORDERS,
        "DELETE": scopes.DELETE_ORDERS,
    }

    @extend_schema(
        operation_id="GET-order-retrieve-order-employee",
        summary="Retrieving a specific order by ID",
        responses={200: ORDER_OBJECT},
    )
    def get(self, request, tenant, order_id):
        return HttpResponse(selectors.order_document_text(self.tenant, order_id, self.actor), content_type=JSON)

    @extend_schema(
        operation_id="PUT-order-update-order",
        summary="Updating an order",
        parameters=[RECALCULATE],
        request=openapi.body("SalesOrderDocument"),
        responses={204: NO_CONTENT},
    )
    def put(self, request, tenant, order_id):
        return self.write(services.replace_order, request, order_id, document=json_object_body(request))

    @extend_schema(
        operation_id="PATCH-order-partial-update-order",
        summary="Partially updating an order (JSON merge patch)",
        parameters=[RECALCULATE],
        request=openapi.body("SalesOrderPatch"),
        responses={204: NO_CONTENT},
    )
    def patch(self, request, tenant, order_id):
        return self.write(services.patch_order, request, order_id, patch=json_object_body(request))

    def write(self, operation, request, order_id: str, **body) -> Response:
        """PUT and PATCH: the service call with the body and the `recalculate` flag, then 204."""
        recalculate = params.boolean(request.query_params, "recalculate")
        operation(tenant=self.tenant, order_id=order_id, actor=self.actor, recalculate=recalculate, **body)
        return Response(status=204)

    @extend_schema(operation_id="DELETE-order-remove-order", summary="Deleting an order", responses={204: NO_CONTENT})
    def delete(self, request, tenant, order_id):
        services.delete_order(tenant=self.tenant, order_id=order_id, actor=self.actor)
        return Response(status=204)


def requested_status(body: dict) -> str:
    status = body.get("status")
    if status not in OrderStatus.values:
        message = f"must be one of {', '.join(OrderStatus.values)}"
        raise ValidationFailed(f"Invalid status: {message}.", [ErrorDetail("status", message)])
    return status


@extend_schema(tags=["Orders (Tenant-managed)"], parameters=[TENANT, ORDER_ID])
class SalesOrderTransitionsView(TenantApiView):
    """The statuses an order can move to now, and moving it."""

    required_scopes = {"GET": scopes.READ_TRANSITIONS, "POST": scopes.UPDATE_ORDERS}

    @extend_schema(
        operation_id="GET-order-retrieve-order-transitions",
        summary="Retrieving status transitions for an order",
        responses={200: openapi.list_answer("Transition", "The statuses the order can move to now.")},
    )
    def get(self, request, tenant, order_id):
        order = selectors.get_order(self.tenant, order_id, self.actor)
        return Response([{"status": status} for status in allowed_next_statuses(order.status)])

    @extend_schema(
        operation_id="POST-order-update-order-transition-employee",
        summary="Updating order status",
        request=openapi.body("Transition"),
        responses={204: NO_CONTENT},
    )
    def post(self, request, tenant, order_id):
        status = requested_status(json_object_body(request))
        services.transition_order(tenant=self.tenant, order_id=order_id, status=status, actor=self.actor)
        return Response(status=204)


@extend_schema(tags=["Orders (Tenant-managed)"], parameters=[TENANT, ORDER_ID])
class HistoricalTransitionsView(TenantApiView):
    """Every status the order has had, with when it changed."""

    required_scopes = {"GET": scopes.READ_HISTORY}

    @extend_schema(
        operation_id="GET-order-retrieve-historical-transitions-employee",
        summary="Retrieving historical status transitions for a specific order",
        responses={200: openapi.answer("HistoricalTransitions")},
    )
    def get(self, request, tenant, order_id):
        history = selectors.status_history(selectors.get_order(self.tenant, order_id, self.actor))
        return Response(
            {
                "transitions": [
                    {"status": event.parameters["status"], "timestamp": format_timestamp(event.timestamp)}
                    for event in history
                ],
                "metadata": {
                    "version": len(history),
                    "createdAt": format_timestamp(history[0].timestamp),
                    "modifiedAt": format_timestamp(history[-1].timestamp),
                },
            }
        )


@extend_schema(tags=["Orders (Tenant-managed)"], parameters=[TENANT])
class SalesOrderSearchView(TenantApiView):
    """Orders matching the `q` given in the body, paged, sorted and projected like the list."""

    required_scopes = {"POST": scopes.READ_ORDERS}

    @extend_schema(
        operation_id="POST-order-tenant-orders-search",
        summary="Searching for orders",
        parameters=[*PAGING, *LISTING[1:], openapi.TOTAL_COUNT],
        request=openapi.body("SearchRequest"),
        responses={200: ORDER_LIST},
    )
    def post(self, request, tenant):
        body = json_object_body(request)
        q = body.get("q")
        if q is not None and not isinstance(q, str):
            raise ValidationFailed("q must be a string.", [ErrorDetail("q", "must be a string")])
        return order_list_response(request.query_params, self.tenant, self.actor, q=q)


@extend_schema(tags=["Orders (Tenant-managed)"], parameters=[TENANT, ORDER_ID])
class SalesOrderCalculationsView(TenantApiView):
    """Delivered amounts of entries, then recalculation."""

    required_scopes = {"POST": scopes.RECALCULATE_ORDERS}

    @extend_schema(
        operation_id="POST-order-calculate-order-entries-employees",
        summary="Recalculating with delivered amounts",
        request=openapi.body("OrderCalculation"),
        responses={200: ORDER_OBJECT},
    )
    def post(self, request, tenant, order_id):
        body = validate(calculation_request, json_object_body(request))
        deliveries = [
            Delivery(entry_id=item["entryId"], amount=Decimal(item["deliveredAmount"]), unit=item.get("unit"))
            for item in body["entries"]
        ]
        order = services.record_deliveries(
            tenant=self.tenant, order_id=order_id, deliveries=deliveries, actor=self.actor
        )
        return Response(order.document)


@extend_schema(tags=["Orders (Tenant-managed)"], parameters=[TENANT, ORDER_ID])
class SalesOrderEntriesView(TenantApiView):
    """Add entries from the catalog, change quantities, remove entries (quantity 0); then recalculate."""

    required_scopes = {"POST": scopes.CHANGE_ENTRIES}

    @extend_schema(
        operation_id="POST-order-update-order-entries",
        summary="Adding entries to an order",
        parameters=[STORE],
        request=openapi.body("OrderEntriesChange"),
        responses={200: ORDER_OBJECT},
    )
    def post(self, request, tenant, order_id):
        store = params.boolean(request.query_params, "store")
        body = validate(entries_request, json_object_body(request))
        changes = [
            EntryChange(
                quantity=Decimal(item["quantity"]), entry_id=item.get("entryId"), product_id=item.get("productId")
            )
            for item in body["entries"]
        ]
        document = services.change_entries(
            tenant=self.tenant, order_id=order_id, changes=changes, actor=self.actor, store=store
        )
        return Response(document)


@extend_schema(tags=["Orders (Tenant-managed)"], parameters=[TENANT, ORDER_ID])
class SalesOrderSplitView(TenantApiView):
    """Split a CREATED order into one suborder per vendor."""

    required_scopes = {"POST": scopes.SPLIT_ORDERS}

    @extend_schema(
        operation_id="POST-order-split",
        summary="Splitting order",
        request=openapi.body("SplitRequest"),
        responses={200: openapi.answer("SplitResult")},
    )
    def post(self, request, tenant, order_id):
        body = json_object_body(request)
        result = services.split_order(
            tenant=self.tenant, order_id=order_id, split_by=body.get("splitBy"), actor=self.actor
        )
        return Response(
            {
                "masterOrder": result.master_order,
                "splitBy": result.split_by,
                "subOrders": [{"id": order_id, "uniqueValue": vendor} for order_id, vendor in result.suborders],
            }
        )


def change_record_json(record, changes: list[dict]) -> dict:
    return {
        "orderId": record.order_number,
        "version": record.version,
        "timestamp": format_timestamp(record.timestamp),
        "actor": record.actor,
        "operation": record.operation,
        "requestId": record.request_id,
        "changes": changes,
    }


def change_page_response(request, records, actor: Actor) -> Response:
    """A page of change records as a JSON array, with their total in X-Total-Count; a vendor's without the
    changes of other vendors' entries."""
    page = page_from(request.query_params)
    start = (page.number - 1) * page.size
    chosen = list(records.select_related("order")[start : start + page.size])
    hidden = selectors.other_vendors_entries([record.order for record in chosen if record.order], actor)
    body = [change_record_json(record, selectors.visible_changes(record, actor, hidden)) for record in chosen]
    return Response(body, headers={"X-Total-Count": records.count()})


CHANGE_FILTERS = [
    OpenApiParameter("path", str, description="Only records changing a path that starts so, e.g. customer."),
    OpenApiParameter("actor", str, description="Only records of this actor id, or of this actor type (client…)."),
    OpenApiParameter("from", openapi.TIMESTAMP_PARAMETER, description="Only records at or after this date-time."),
    OpenApiParameter("to", openapi.TIMESTAMP_PARAMETER, description="Only records before this date-time."),
]


@extend_schema(tags=["Audit (extension)"], parameters=[TENANT, ORDER_ID])
class SalesOrderChangesView(TenantApiView):
    """The order's audit trail: every write, field by field, newest first."""

    required_scopes = {"GET": scopes.READ_ORDERS}

    @extend_schema(
        operation_id="GET-order-retrieve-order-changes",
        summary="Retrieving the change records of an order",
        parameters=[*PAGING, *CHANGE_FILTERS, openapi.TOTAL_COUNT],
        responses={200: CHANGE_LIST},
    )
    def get(self, request, tenant, order_id):
        records = selectors.order_change_records(
            self.tenant,
            order_id,
            self.actor,
            path=request.query_params.get("path") or "",
            by=request.query_params.get("actor") or "",
            since=params.timestamp(request.query_params, "from"),
            until=params.timestamp(request.query_params, "to"),
        )
        return change_page_response(request, records, self.actor)


@extend_schema(tags=["Audit (extension)"], parameters=[TENANT])
class TenantChangesView(TenantApiView):
    """Every change record of the tenant, deleted orders' included, newest first, filtered by q."""

    required_scopes = {"GET": scopes.READ_ORDERS}

    @extend_schema(
        operation_id="GET-order-retrieve-tenant-changes",
        summary="Searching the change records of the tenant",
        parameters=[
            *PAGING,
            OpenApiParameter("q", str, description="e.g. actor.type:client operation:patch"),
            openapi.TOTAL_COUNT,
        ],
        responses={200: CHANGE_LIST},
    )
    def get(self, request, tenant):
        records = selectors.tenant_change_records(self.tenant, self.actor, q=request.query_params.get("q"))
        return change_page_response(request, records, self.actor)
