"""The shapes of our OpenAPI document (/api/schema/), named as components, after Emporix's Order Service spec.

Request bodies are derived from the validation checks themselves (`orders.schema`: each check carries the JSON
Schema of what it accepts), so the document and the validation cannot disagree; answers add the server's fields
and the pricing engine's prices to them. Every error answer an operation can give is added by `ApiAutoSchema` from
one table of rules, in the one error shape. All of this runs when the document is generated, never per request.
"""

import copy
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, OpenApiResponse

from orders import schema as checks
from orders.split import SPLIT_CRITERIA
from orders.statuses import OrderStatus

from .errors import DATABASE_RETRY_AFTER_SECONDS, PICKPACK_PATH_PREFIX, TYPE_BY_STATUS
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import MAX_KEY_LENGTH as IDEMPOTENCY_KEY_LENGTH
from .idempotency import NOT_IDEMPOTENT_PATH_ENDINGS

COMPONENTS_PATH = "#/components/schemas/"
WRITE_METHODS = ("POST", "PUT", "PATCH")


def ref(name: str) -> dict:
    return {"$ref": f"{COMPONENTS_PATH}{name}"}


def array_of(name: str) -> dict:
    return {"type": "array", "items": ref(name)}


def body(name: str) -> OpenApiRequest:
    """A request body of the named component, in each media type the API parses."""
    return OpenApiRequest(ref(name))


def answer(name: str, description: str = "") -> OpenApiResponse:
    return OpenApiResponse(ref(name), description=description)


def list_answer(name: str, description: str) -> OpenApiResponse:
    """A JSON array of the named component; X-Total-Count (TOTAL_COUNT) counts every page."""
    return OpenApiResponse(array_of(name), description=description)


def partial(schema: Any) -> Any:
    """The schema with nothing required anywhere: a merge patch, or an answer projected by `fields`."""
    if isinstance(schema, list):
        return [partial(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {}
    for key, value in schema.items():
        if key == "required" and isinstance(value, list):
            continue  # (a property named "required" stays)
        if key in ("anyOf", "oneOf") and all(set(option) == {"required"} for option in value):
            continue  # "one of these fields is required": nothing is
        result[key] = partial(value)
    return result


def with_example(schema: dict, example: Any, description: str = "") -> dict:
    described = {**schema, "example": example}
    return {**described, "description": description} if description else described


# --- errors -----------------------------------------------------------------------------------------------------------

ERROR_DETAIL = {
    "type": "object",
    "description": "One problem of the request.",
    "properties": {
        "field": {"type": "string", "description": "Where the problem is, e.g. `entries[0].amount`."},
        "type": {"type": "string", "description": "The kind of problem, e.g. `missing_value`, `invalid_field`."},
        "message": {"type": "string", "description": "What to fix."},
    },
    "required": ["field", "type", "message"],
}
ERROR = with_example(
    {
        "type": "object",
        "properties": {
            "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status."},
            "message": {"type": "string", "description": "What went wrong, for a person."},
            "type": {
                "type": "string",
                "enum": sorted({*TYPE_BY_STATUS.values(), "internal_service_error"}),
                "description": "The kind of error.",
            },
            "details": {"type": "array", "items": ref("ErrorDetail"), "description": "Each problem of the request."},
        },
        "required": ["status", "message", "type"],
    },
    {
        "status": 400,
        "message": "There are validation problems, see details section for more information",
        "type": "validation_violation",
        "details": [{"field": "entries[0].amount", "type": "missing_value", "message": "is required"}],
    },
    "Every error of the API, in Emporix's shape; never an HTML page.",
)
PICKPACK_ERROR = with_example(
    {
        "allOf": [
            ref("Error"),
            {
                "type": "object",
                "properties": {
                    "code": {"type": "integer", "description": "The HTTP status, as the pick-pack spec names it."},
                    "detailInfo": {"type": "string", "description": "The details in one line."},
                },
                "required": ["code", "detailInfo"],
            },
        ]
    },
    {
        "status": 404,
        "message": "Recalculation job not found.",
        "type": "element_resource_non_existing",
        "code": 404,
        "detailInfo": "Recalculation job not found.",
    },
    "A pick-pack error: the order service's error with the pick-pack spec's `code` and `detailInfo` as well.",
)

# Why each status is answered. One table: `error_statuses` decides which of them an operation can give.
ERROR_REASONS = {
    400: "Invalid request: a body, query parameter or header the API refuses, or a change its rules forbid.",
    401: "No token, or a malformed, unknown, expired or revoked one.",
    403: "The token lacks the operation's scope, or belongs to another tenant.",
    404: "No such resource for this tenant (or this vendor).",
    406: "The client accepts no media type the API answers (JSON).",
    409: "Conflict: a stale `metadata.version`, an order id or job already there, or the same Idempotency-Key "
    "still being processed.",
    413: "The request body is larger than the server accepts.",
    415: "The request body is not JSON (`application/json`, or `application/merge-patch+json`).",
    422: "The Idempotency-Key was used before for a different request.",
    500: "An unexpected server error.",
    503: "The database is unavailable: retry after the Retry-After seconds.",
}


def error_statuses(*, method: str, path: str, has_query: bool) -> list[int]:
    """Every error status an operation can answer, from what it takes."""
    statuses = {401, 403, 406, 500, 503}
    if method in WRITE_METHODS:
        statuses |= {400, 413, 415}
    if has_query:
        statuses.add(400)
    if "{order_id}" in path or "{job_id}" in path:
        statuses.add(404)
    if method in ("PUT", "PATCH"):
        statuses.add(409)
    if is_idempotent(method, path):
        statuses |= {400, 409, 422}
    return sorted(statuses)


def is_idempotent(method: str, path: str) -> bool:
    """A POST that honours Idempotency-Key (orders.api.idempotency)."""
    return method == "POST" and not path.endswith(NOT_IDEMPOTENT_PATH_ENDINGS)


def error_response(status: int, path: str) -> dict:
    component = "PickPackError" if path.startswith(PICKPACK_PATH_PREFIX) else "Error"
    response = {"description": ERROR_REASONS[status], "content": {"application/json": {"schema": ref(component)}}}
    if status == 503:
        response["headers"] = {"Retry-After": RETRY_AFTER}
    return response


# --- headers ----------------------------------------------------------------------------------------------------------

RETRY_AFTER = {
    "description": "Seconds to wait before retrying.",
    "schema": {"type": "integer", "example": DATABASE_RETRY_AFTER_SECONDS},
}
TOTAL_COUNT = OpenApiParameter(
    "X-Total-Count",
    {"type": "integer", "minimum": 0},
    OpenApiParameter.HEADER,
    response=[200],
    required=True,
    description="How many items match, over all pages.",
)
LOCATION = OpenApiParameter(
    "Location", str, OpenApiParameter.HEADER, response=[201], required=True, description="The new order's URL."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    # printable ASCII with something besides spaces and quotes, which are trimmed
    {"type": "string", "maxLength": IDEMPOTENCY_KEY_LENGTH, "pattern": "^\\s*[ -~]*[!#-~][ -~]*\\s*$"},
    OpenApiParameter.HEADER,
    description="Repeating a request with the same key answers the first answer again, without acting twice "
    "(with Idempotent-Replayed: true). Another request with a used key: 422; the first still running: 409.",
)
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    {"type": "string", "enum": ["true"]},
    OpenApiParameter.HEADER,
    response=True,
    description="On an answer repeated for an Idempotency-Key already used.",
)
REQUEST_ID = OpenApiParameter(
    "X-Request-Id",
    str,
    OpenApiParameter.HEADER,
    response=True,
    description="The request's id, as change records name it: the client's own when it sent a sane one.",
)


# Query parameters as orders.api.params reads them: an empty value is the same as none.
EMPTY = {"type": "string", "maxLength": 0}
QUERY_BOOLEAN = {
    "anyOf": [{"type": "boolean"}, {"type": "string", "pattern": "^([tT][rR][uU][eE]|[fF][aA][lL][sS][eE])?$"}]
}


def query_integer(minimum: int, maximum: int) -> dict:
    return {"anyOf": [{"type": "integer", "minimum": minimum, "maximum": maximum}, EMPTY]}


# A query parameter read by orders.api.params.timestamp: a date-time, a date (midnight UTC), or empty (not given).
TIMESTAMP_PARAMETER = {"type": "string", "anyOf": [{"format": "date-time"}, {"format": "date"}, {"maxLength": 0}]}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema of a view, with the API's conventions added to every operation: its error answers
    in the error shape, the Idempotency-Key of POSTs, X-Request-Id, and a required body where there is one."""

    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), REQUEST_ID]
        if is_idempotent(self.method, self.path):
            parameters += [IDEMPOTENCY_KEY, REPLAYED]
        return parameters

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if body is not None:
            body["required"] = True
        return body

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        has_query = any(
            isinstance(parameter, OpenApiParameter) and parameter.location == OpenApiParameter.QUERY
            for parameter in self.get_override_parameters()
        )
        for status in error_statuses(method=self.method, path=self.path, has_query=has_query):
            responses.setdefault(str(status), error_response(status, self.path))
        return responses


# --- prices -----------------------------------------------------------------------------------------------------------

NUMBER = {"type": "number"}
PRICE = with_example(
    {
        "type": "object",
        "properties": {
            "netValue": {**NUMBER, "description": "Net value."},
            "grossValue": {**NUMBER, "description": "Gross value: net value plus tax."},
            "taxValue": {**NUMBER, "description": "Tax value."},
            "taxCode": {"type": "string", "description": "Tax code, when all parts share one."},
            "taxRate": {**NUMBER, "description": "Tax rate in percent, when all parts share one."},
        },
    },
    {"netValue": 300, "grossValue": 357, "taxValue": 57, "taxCode": "STANDARD", "taxRate": 19},
    "A calculated price (Emporix `calculatedPrice`): values rounded to 3 decimals, totals to the currency's.",
)
APPLIED_DISCOUNT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "value": {**NUMBER, "description": "The calculated value of the discount."},
        "price": ref("Price"),
        "discountType": {"type": "string", "enum": ["PERCENT", "ABSOLUTE", "FREE_SHIPPING"]},
        "origin": {"type": "string", "enum": ["INTERNAL", "EXTERNAL"]},
    },
    "description": "A discount applied to an entry (Emporix `calculatedAppliedDiscount`).",
}
TOTAL_DISCOUNT = {
    "type": "object",
    "properties": {
        "calculationType": {"type": "string", "enum": ["ApplyDiscountBeforeTax", "ApplyDiscountAfterTax"]},
        "value": {**NUMBER, "description": "The amount of all discounts."},
        "price": ref("Price"),
    },
    "description": "All discounts together (Emporix `calculatedTotalDiscount`).",
}
DISCOUNTED_PRICE = {
    "allOf": [ref("Price"), {"type": "object", "properties": {"appliedDiscounts": array_of("AppliedDiscount")}}],
    "description": "The price after discounts (Emporix `calculatedPriceWithDiscounts`).",
}
FEE = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "type": {"type": "string", "description": "PERCENT or ABSOLUTE."},
        "origin": {"type": "string", "enum": ["INTERNAL", "EXTERNAL"]},
        "price": ref("Price"),
    },
    "description": "A fee of an entry (Emporix `calculatedFee`).",
}
PAYMENT_FEE = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "type": {"type": "string", "enum": ["ABSOLUTE", "PERCENT"]},
        "value": {**NUMBER, "description": "The amount, or the percent of goods and shipping (our extension)."},
        "price": ref("Price"),
    },
    "description": "A payment fee of the order (Emporix `calculatedPaymentFee`, with our `value`).",
}
FINAL_PRICE = {
    "allOf": [
        ref("Price"),
        {
            "type": "object",
            "properties": {
                "taxAggregate": {
                    "type": "object",
                    "properties": {"lines": {"type": "array", "items": ref("Price")}},
                    "description": "One line per tax code and rate.",
                }
            },
        },
    ],
    "description": "The price to pay (Emporix `calculatedPriceWithTaxAggregate`).",
}
ENTRY_CALCULATED_PRICE = {
    "type": "object",
    "properties": {
        "price": {**ref("Price"), "description": "Unit price times the effective quantity."},
        "discountedPrice": ref("DiscountedPrice"),
        "fees": array_of("Fee"),
        "totalFee": ref("Price"),
        "totalDiscount": ref("TotalDiscount"),
        "finalPrice": ref("Price"),
    },
    "description": "The entry's calculated prices (Emporix `orderEntryCalculatedPrice`).",
}
ORDER_CALCULATED_PRICE = {
    "type": "object",
    "properties": {
        "price": ref("Price"),
        "discountedPrice": ref("DiscountedPrice"),
        "totalDiscount": ref("TotalDiscount"),
        "paymentFees": array_of("PaymentFee"),
        "fees": ref("Price"),
        "totalFee": ref("Price"),
        "shipping": ref("Price"),
        "totalShipping": ref("Price"),
        "finalPrice": ref("FinalPrice"),
    },
    "description": "The order's calculated prices (Emporix `orderCalculatedPrice`).",
}

# --- orders -----------------------------------------------------------------------------------------------------------


def example_price(**more) -> dict:
    """The example order's price, its one entry's too: 3 at 100 net, 19 % tax (a new dict at each use, never shared)."""
    return {"netValue": 300, "grossValue": 357, "taxValue": 57, "taxCode": "STANDARD", "taxRate": 19, **more}


ORDER_EXAMPLE = {
    "id": "EON1001",
    "status": "CREATED",
    "created": "2025-01-30T13:45:34.406Z",
    "lastStatusChange": "2025-01-30T13:45:34.406Z",
    "siteCode": "main",
    "currency": "EUR",
    "customer": {"id": "C-42", "email": "buyer@example.com"},
    "entries": [
        {
            "id": "e1",
            "amount": 3,
            "product": {"id": "BC10033--BC10033-43", "vendor": {"id": "vendor-a"}},
            "calculatedUnitPrice": {
                "netValue": 100,
                "grossValue": 119,
                "taxValue": 19,
                "taxCode": "STANDARD",
                "taxRate": 19,
            },
            "calculatedPrice": {"price": example_price(), "finalPrice": example_price()},
        }
    ],
    "calculatedPrice": {
        "price": example_price(),
        "finalPrice": example_price(taxAggregate={"lines": [example_price()]}),
    },
    "metadata": {"version": 1},
}
SERVER_FIELDS = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "The order's id."},
        "status": {"type": "string", "enum": list(OrderStatus.values), "description": "The order's status."},
        "created": {"type": "string", "format": "date-time", "description": "When the order was created."},
        "lastStatusChange": {"type": "string", "format": "date-time", "description": "When its status last changed."},
        "metadata": {
            "type": "object",
            "properties": {"version": {"type": "integer", "minimum": 1, "description": "Bumped by every write."}},
            "required": ["version"],
        },
        "calculatedPrice": ref("OrderCalculatedPrice"),
        "entries": {"type": "array", "items": ref("OrderEntryPrices")},
    },
    "required": ["id", "status", "created", "lastStatusChange", "metadata"],
}
ENTRY_PRICES = {
    "type": "object",
    "properties": {"calculatedUnitPrice": ref("Price"), "calculatedPrice": ref("EntryCalculatedPrice")},
    "description": "The prices of an entry as the pricing engine writes them.",
}
# Emporix's descriptions of the fields the validation reads (the other fields are kept verbatim, undescribed here).
ORDER_FIELDS = {
    "id": "Order's unique identifier: the client's own when it is free, else EON and a number.",
    "status": "Status of the order; it changes through transitions (or a status in PUT/PATCH, by the same rules).",
    "entries": "Ordered item list.",
    "customer": "The customer: `email` (and `id`, ANONYMOUS when absent).",
    "siteCode": "Site's unique identifier. A site is a specific shop.",
    "countryCode": "Two-letter country code, compliant with the ISO 3166 standard.",
    "currency": "Three-letter currency code, compliant with the ISO 4217 standard.",
    "created": "Order's creation date.",
    "lastStatusChange": "Order last status change date.",
    "completed": "Order's completion date.",
    "discounts": "Discount list.",
    "payments": "Payment list.",
    "shipments": "Shipment list.",
    "shipping": "Shipping lines (`amount`, `tax.rate`, `shippingTaxCode`) the pricing engine reads; deprecated by "
    "Emporix in favour of `calculatedPrice.totalShipping`.",
    "vendor": "The vendor of a suborder.",
    "mixins": "Custom attributes, kept verbatim.",
    "metadata": "`version`: send the version read to have a write refused with 409 if the order changed since.",
    "calculatedPrice": "A breakdown of the total price calculated from all line items, including detailed pricing "
    "components. Can be skipped if deprecated `totalPrice` is provided.",
    "subTotalPrice": "Order sub total price. Deprecated: use `calculatedPrice.price`.",
    "totalPrice": "Order total price. Deprecated: use `calculatedPrice.finalPrice`.",
    "totalAuthorizedAmount": "The amount that should be authorized with payment provider.",
    "orderType": "MASTER_ORDER on a split order, SUB_ORDER on its suborders.",
    "masterOrder": "The identifier of a master order. Available on suborders created by a split.",
    "subOrders": "IDs of the suborders created by a split. Available only on the master order.",
    "checkout": "Indicates whether this order was created through checkout.",
}
ENTRY_FIELDS = {
    "id": "The ordered item ID (generated when absent).",
    "amount": "The amount of items, in the entry's unit (`measurementUnit.unit`; pieces when absent).",
    "orderedAmount": "The ordered amount of items.",
    "deliveredAmount": "The delivered amount: priced instead of `amount` once set (by /calculations or packing).",
    "effectiveQuantity": "Effective quantity: the calculated average quantity the customer is paying for.",
    "packedAmountInPc": "The packed amount of items.",
    "unitPrice": "Deprecated: use `calculatedUnitPrice`.",
    "totalPrice": "The total price of items. Deprecated: use `calculatedPrice.finalPrice`.",
    "calculatedUnitPrice": "Product's unit price with tax values (`taxCode`, `taxRate` decide the entry's tax).",
    "calculatedPrice": "Detailed price calculation for a single line item with all pricing components.",
    "measurementUnit": "The entry's unit (UN/ECE code, e.g. KGM) and quantity of it.",
    "product": "Product snapshot; `vendor.id` decides which vendor sees and splits the entry.",
    "price": "`effectiveAmount`: the unit price the pricing engine reads first.",
    "tax": "Deprecated tax lines; `lines[].inclusive` true prices the entry gross.",
    "externalDiscounts": "External discounts applied to this order entry, in `sequence` order.",
    "externalFees": "External fees applied to this order entry.",
}


def described(schema: dict, descriptions: dict[str, str]) -> dict:
    """The derived schema of an order (or entry) check with a description on each of its fields."""
    described_schema = copy.deepcopy(schema)
    fields = described_schema["allOf"][0]["properties"]
    for name, description in descriptions.items():
        fields[name]["description"] = description
    return described_schema


def order_document_schema(entry: dict | None = None) -> dict:
    """The order check's schema, described; its entries are `entry` (by default the OrderEntry component)."""
    order = described(checks.schema_of(checks.order_document), ORDER_FIELDS)
    order["allOf"][0]["properties"]["entries"]["items"] = entry or ref("OrderEntry")
    return order


def order_entry_schema() -> dict:
    return described(checks.schema_of(checks.entry), ENTRY_FIELDS)


SALES_ORDER = with_example(
    {"allOf": [ref("SalesOrderDocument"), SERVER_FIELDS]},
    ORDER_EXAMPLE,
    "An order as stored, with the server's fields (id, status, created, lastStatusChange, metadata.version).",
)
RESOURCE_LOCATION = with_example(
    {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "The new order's id."},
            "yrn": {"type": "string", "description": "urn:yaas:saasag:order:salesorder:{tenant};{id}"},
        },
        "required": ["id", "yrn"],
    },
    {"id": "EON1001", "yrn": "urn:yaas:saasag:order:salesorder:demo;EON1001"},
)
STATUS = {"type": "string", "enum": list(OrderStatus.values)}
TRANSITION = with_example(
    {"type": "object", "properties": {"status": STATUS}, "required": ["status"]},
    {"status": "CONFIRMED"},
    "A status the order can move to now (IN_CHECKOUT→CREATED|DECLINED, CREATED→CONFIRMED|DECLINED, "
    "CONFIRMED→SHIPPED|COMPLETED|DECLINED, SHIPPED→COMPLETED).",
)
HISTORICAL_TRANSITIONS = with_example(
    {
        "type": "object",
        "properties": {
            "transitions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"status": STATUS, "timestamp": {"type": "string", "format": "date-time"}},
                    "required": ["status", "timestamp"],
                },
            },
            "metadata": {
                "type": "object",
                "properties": {
                    "version": {"type": "integer", "description": "How many statuses the order has had."},
                    "createdAt": {"type": "string", "format": "date-time"},
                    "modifiedAt": {"type": "string", "format": "date-time"},
                },
                "required": ["version", "createdAt", "modifiedAt"],
            },
        },
        "required": ["transitions", "metadata"],
    },
    {
        "transitions": [
            {"status": "CREATED", "timestamp": "2025-01-30T13:45:34.406Z"},
            {"status": "CONFIRMED", "timestamp": "2025-01-31T09:00:00.000Z"},
        ],
        "metadata": {"version": 2, "createdAt": "2025-01-30T13:45:34.406Z", "modifiedAt": "2025-01-31T09:00:00.000Z"},
    },
    "Every status the order has had, oldest first.",
)
SEARCH_REQUEST = with_example(
    {
        "type": "object",
        "properties": {"q": {"type": "string", "nullable": True, "description": "A query, as the list's `q`."}},
    },
    {"q": "status:CREATED customer.email:buyer@example.com"},
)
SPLIT_REQUEST = with_example(
    {
        "type": "object",
        "properties": {"splitBy": {"type": "string", "enum": list(SPLIT_CRITERIA)}},
        "required": ["splitBy"],
    },
    {"splitBy": "VENDOR_ID"},
)
SPLIT_RESULT = with_example(
    {
        "type": "object",
        "properties": {
            "masterOrder": {"type": "string", "description": "The split order, now MASTER_ORDER."},
            "splitBy": {"type": "string", "enum": list(SPLIT_CRITERIA)},
            "subOrders": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "description": "The suborder's id."},
                        "uniqueValue": {"type": "string", "description": "The vendor id it holds the entries of."},
                    },
                    "required": ["id", "uniqueValue"],
                },
            },
        },
        "required": ["masterOrder", "splitBy", "subOrders"],
    },
    {
        "masterOrder": "EON1001",
        "splitBy": "VENDOR_ID",
        "subOrders": [{"id": "EON1001-1", "uniqueValue": "vendor-a"}, {"id": "EON1001-2", "uniqueValue": "vendor-b"}],
    },
    "One suborder per vendor; their totals add up to the master's.",
)
CHANGE_RECORD = with_example(
    {
        "type": "object",
        "properties": {
            "orderId": {"type": "string"},
            "version": {"type": "integer", "description": "The order's version after the write (0: deleted)."},
            "timestamp": {"type": "string", "format": "date-time"},
            "actor": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["client", "user", "job", "system"]},
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                },
                "required": ["type", "id", "name"],
            },
            "operation": {"type": "string", "description": "create, replace, patch, transition, entries, …"},
            "requestId": {"type": "string", "description": "The X-Request-Id of the write; empty outside requests."},
            "changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string", "description": "The changed value's path, as q spells it."},
                        "before": {"nullable": True, "description": "The value before; null when it was absent."},
                        "after": {"nullable": True, "description": "The value after; null when it is gone."},
                    },
                    "required": ["path", "before", "after"],
                },
            },
        },
        "required": ["orderId", "version", "timestamp", "actor", "operation", "requestId", "changes"],
    },
    {
        "orderId": "EON1001",
        "version": 2,
        "timestamp": "2025-01-31T09:00:00.000Z",
        "actor": {"type": "client", "id": "erp", "name": "erp"},
        "operation": "patch",
        "requestId": "3f1c2a",
        "changes": [{"path": "siteCode", "before": "main", "after": "AT"}],
    },
    "One write of an order, field by field (our extension: the audit trail).",
)


def derived_components() -> dict:
    """The shapes derived from the validation checks, built when the document is generated: a description naming a
    field the checks no longer read fails the generation (and tests/orders/test_openapi.py), not the app."""
    return {
        "OrderEntry": with_example(
            order_entry_schema(),
            ORDER_EXAMPLE["entries"][0],
            "An entry (line item) of an order: the fields the back office reads are checked, others kept verbatim.",
        ),
        "SalesOrderDocument": with_example(
            order_document_schema(),
            {key: value for key, value in ORDER_EXAMPLE.items() if key not in ("id", "created", "lastStatusChange")},
            "An order as a client sends it: the fields the back office reads are checked, every other field (mixins "
            "included) is kept verbatim. An `id` of the client's own is taken when it is free.",
        ),
        "SalesOrderProjection": with_example(
            partial({"allOf": [order_document_schema(order_entry_schema()), SERVER_FIELDS]}),
            {"id": "EON1001", "status": "CREATED"},
            "An order of a list: all of it, or the paths `fields` asks for.",
        ),
        "SalesOrderPatch": with_example(
            # entries given in a merge patch replace the list: each is a whole entry
            partial(order_document_schema()),
            {"siteCode": "AT", "metadata": {"version": 3}, "mixins": {"note": None}},
            "A JSON merge patch (RFC 7396) of the order: null removes a field. With `metadata.version`, an order "
            "changed since is refused with 409.",
        ),
        "OrderCalculation": with_example(
            checks.schema_of(checks.calculation_request),
            {"entries": [{"entryId": "e1", "deliveredAmount": 950, "unit": "GRM"}]},
            "Delivered amounts of entries (converted to the entry's unit when `unit` is given), then recalculation.",
        ),
        "OrderEntriesChange": with_example(
            checks.schema_of(checks.entries_request),
            {"entries": [{"productId": "BC10033--BC10033-43", "quantity": 2}, {"entryId": "e1", "quantity": 0}]},
            "Add an entry by `productId` (priced from the catalog), change one by `entryId`; quantity 0 removes it.",
        ),
    }


COMPONENTS = {
    "Error": ERROR,
    "ErrorDetail": ERROR_DETAIL,
    "PickPackError": PICKPACK_ERROR,
    "Price": PRICE,
    "AppliedDiscount": APPLIED_DISCOUNT,
    "TotalDiscount": TOTAL_DISCOUNT,
    "DiscountedPrice": DISCOUNTED_PRICE,
    "Fee": FEE,
    "PaymentFee": PAYMENT_FEE,
    "FinalPrice": FINAL_PRICE,
    "EntryCalculatedPrice": ENTRY_CALCULATED_PRICE,
    "OrderCalculatedPrice": ORDER_CALCULATED_PRICE,
    "OrderEntryPrices": ENTRY_PRICES,
    "SalesOrder": SALES_ORDER,
    "ResourceLocation": RESOURCE_LOCATION,
    "Transition": TRANSITION,
    "HistoricalTransitions": HISTORICAL_TRANSITIONS,
    "SearchRequest": SEARCH_REQUEST,
    "SplitRequest": SPLIT_REQUEST,
    "SplitResult": SPLIT_RESULT,
    "ChangeRecord": CHANGE_RECORD,
}


def add_components(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the named shapes the operations refer to."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(copy.deepcopy(COMPONENTS))
    schemas.update(derived_components())
    return result
