"""Validation of order documents as clients send them.

Only the fields the back office reads are typed here; every other field, mixins included,
is kept verbatim. Each problem is reported with the path of the offending value, e.g.
`entries[0].amount`, so a client knows exactly what to fix.

Every check also carries the JSON Schema of what it accepts (`json_schema`), built with it from the same
arguments: the OpenAPI document (orders/api/openapi.py) is derived from these checks, so the two cannot disagree.
"""

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from .currencies import MINOR_UNITS, is_currency
from .documents import UNSTORABLE_TEXT_RULE, unstorable_text_paths
from .errors import ErrorDetail, ValidationFailed
from .statuses import OrderStatus

# A Check returns the problems of one value, given its path.
Check = Callable[[Any, str], list[ErrorDetail]]

MAX_NUMBER = Decimal("1e15")
# An order's entries: more than any real order holds; the order's page, pricing and storage stay fast.
MAX_ENTRIES_PER_ORDER = 1000
# Any other list the back office reads (discounts, fees, payments, shipping lines…).
MAX_ITEMS = 1000
ORDER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def with_schema(check: Check, schema: dict) -> Check:
    """The check, carrying the JSON Schema (OpenAPI 3.0 dialect) of the values it accepts."""
    check.json_schema = schema
    return check


def schema_of(check: Check) -> dict:
    return check.json_schema


def nullable(schema: dict) -> dict:
    """A field's schema when null stands for leaving it out, as it does for every field these checks read."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None], "nullable": True}
    return {**schema, "nullable": True}


def problem(path: str, message: str, kind: str = "invalid_field") -> list[ErrorDetail]:
    return [ErrorDetail(path or "body", message, kind)]


def is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def string(value: Any, path: str) -> list[ErrorDetail]:
    return [] if isinstance(value, str) else problem(path, "must be a string")


with_schema(string, {"type": "string"})


def text(max_length: int) -> Check:
    """A string short enough for the indexed column it is copied to."""

    def check(value: Any, path: str) -> list[ErrorDetail]:
        if not isinstance(value, str):
            return problem(path, "must be a string")
        if len(value) > max_length:
            return problem(path, f"must be at most {max_length} characters")
        return unstorable_text(value, path)

    return with_schema(check, {"type": "string", "maxLength": max_length})


def boolean(value: Any, path: str) -> list[ErrorDetail]:
    return [] if isinstance(value, bool) else problem(path, "must be true or false")


with_schema(boolean, {"type": "boolean"})


def number(value: Any, path: str) -> list[ErrorDetail]:
    if not is_number(value):
        return problem(path, "must be a number")
    if abs(value) >= MAX_NUMBER:
        return problem(path, f"must be smaller than {MAX_NUMBER:,.0f} in magnitude")
    return []


NUMBER_BOUNDS = {"minimum": -MAX_NUMBER, "maximum": MAX_NUMBER, "exclusiveMinimum": True, "exclusiveMaximum": True}
with_schema(number, {"type": "number", **NUMBER_BOUNDS})


def non_negative(value: Any, path: str) -> list[ErrorDetail]:
    return number(value, path) or ([] if value >= 0 else problem(path, "must not be negative"))


with_schema(non_negative, {"type": "number", **NUMBER_BOUNDS, "minimum": 0, "exclusiveMinimum": False})


def any_object(value: Any, path: str) -> list[ErrorDetail]:
    return [] if isinstance(value, dict) else problem(path, "must be a JSON object")


with_schema(any_object, {"type": "object", "additionalProperties": True})


def date_time(value: Any, path: str) -> list[ErrorDetail]:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return []
    return problem(path, "must be an ISO 8601 date-time with a time zone, e.g. 2025-01-30T13:45:34.406Z")


with_schema(date_time, {"type": "string", "format": "date-time"})


def matching(pattern: re.Pattern, description: str) -> Check:
    def check(value: Any, path: str) -> list[ErrorDetail]:
        return string(value, path) or ([] if pattern.match(value) else problem(path, f"must be {description}"))

    return with_schema(check, {"type": "string", "pattern": pattern.pattern, "description": f"{description}."})


def one_of(*choices: str) -> Check:
    def check(value: Any, path: str) -> list[ErrorDetail]:
        return [] if value in choices else problem(path, f"must be one of {', '.join(choices)}")

    return with_schema(check, {"type": "string", "enum": list(choices)})


def obj(
    fields: dict[str, Check] | None = None,
    required: tuple[str, ...] = (),
    *,
    null_is_missing: bool | tuple[str, ...] = False,
) -> Check:
    """A JSON object whose known fields are checked; unknown fields are allowed and kept.

    A required field must be present; with `null_is_missing` (request bodies: True; else the names of some required
    fields) it must hold a value too. Order documents keep accepting null in their other required fields: orders
    stored with such a null must stay writable.
    """
    fields = fields or {}

    def null_means_missing(name: str) -> bool:
        return null_is_missing if isinstance(null_is_missing, bool) else name in null_is_missing

    def is_missing(value: dict, name: str) -> bool:
        return value.get(name) is None if null_means_missing(name) else name not in value

    def check(value: Any, path: str) -> list[ErrorDetail]:
        if not isinstance(value, dict):
            return problem(path, "must be a JSON object")
        prefix = f"{path}." if path else ""
        errors = [
            ErrorDetail(f"{prefix}{name}", "is required", "missing_value")
            for name in required
            if is_missing(value, name)
        ]
        for name, field_check in fields.items():
            if value.get(name) is not None:
                errors += field_check(value[name], f"{prefix}{name}")
        return errors

    schema: dict = {"type": "object", "additionalProperties": True}
    if fields:
        schema["properties"] = {
            name: schema_of(field_check)
            if null_means_missing(name) and name in required
            else nullable(schema_of(field_check))
            for name, field_check in fields.items()
        }
    if required:
        schema["required"] = list(required)
    return with_schema(check, schema)


def array(items: Check, min_items: int = 0, max_items: int = MAX_ITEMS) -> Check:
    def check(value: Any, path: str) -> list[ErrorDetail]:
        if not isinstance(value, list):
            return problem(path, "must be a JSON array")
        if len(value) < min_items:
            return problem(path, f"must hold at least {min_items} item(s)")
        if len(value) > max_items:
            return problem(path, f"must hold at most {max_items:,} items")
        return [error for index, item in enumerate(value) for error in items(item, f"{path}[{index}]")]

    schema = {"type": "array", "items": schema_of(items), "maxItems": max_items}
    return with_schema(check, {**schema, "minItems": min_items} if min_items else schema)


def one_of_required(*names: str) -> Check:
    def check(value: Any, path: str) -> list[ErrorDetail]:
        if isinstance(value, dict) and not any(name in value for name in names):
            return problem(
                f"{path}.{names[0]}" if path else names[0], f"is required (or {', '.join(names[1:])})", "missing_value"
            )
        return []

    return with_schema(check, {"anyOf": [{"required": [name]} for name in names]})


def exactly_one_of(*names: str) -> Check:
    def check(value: Any, path: str) -> list[ErrorDetail]:
        given = [name for name in names if isinstance(value, dict) and value.get(name) is not None]
        if len(given) != 1:
            return problem(f"{path}.{names[0]}" if path else names[0], f"give exactly one of {', '.join(names)}")
        return []

    return with_schema(check, {"oneOf": [{"required": [name]} for name in names]})


def all_of(*checks: Check) -> Check:
    def check(value: Any, path: str) -> list[ErrorDetail]:
        for each in checks:
            errors = each(value, path)
            if errors:
                return errors
        return []

    return with_schema(check, {"allOf": [schema_of(each) for each in checks]})


def percent(value: Any, path: str) -> list[ErrorDetail]:
    return non_negative(value, path) or ([] if value <= 100 else problem(path, "is a percentage: at most 100"))


with_schema(percent, {**schema_of(non_negative), "maximum": 100, "exclusiveMaximum": False})


def currency(value: Any, path: str) -> list[ErrorDetail]:
    return [] if is_currency(value) else problem(path, "must be an ISO 4217 currency code such as EUR")


with_schema(currency, {"type": "string", "enum": sorted(MINOR_UNITS), "description": "An ISO 4217 currency code."})


price = obj({"netValue": number, "grossValue": number, "taxValue": number, "taxRate": number, "taxCode": string})
# Prices the pricing engine reads (unit prices, stored shipping and fee prices): never negative.
input_price = obj(
    {
        "netValue": non_negative,
        "grossValue": non_negative,
        "taxValue": non_negative,
        "taxRate": non_negative,
        "taxCode": string,
    }
)
discount_value = obj({"value": non_negative, "sequence": non_negative, "discountRate": percent, "amount": non_negative})
entry_fee = obj(
    {
        "feePercentage": percent,
        "feeAbsolute": obj({"amount": non_negative}),
        "taxCode": string,
        "taxable": boolean,
    }
)
shipping = obj(
    {
        "lines": array(
            obj(
                {
                    "amount": non_negative,
                    "shippingTaxCode": string,
                    "tax": obj({"rate": non_negative, "total": any_object}),
                }
            )
        )
    }
)
payment_fee = obj({"value": non_negative, "price": input_price})
order_price = obj(
    {"price": price, "finalPrice": price, "totalShipping": input_price, "paymentFees": array(payment_fee)}
)

entry = all_of(
    obj(
        {
            "id": matching(ORDER_ID_PATTERN, "1 to 64 letters, digits, '.', '_' or '-'"),
            "amount": non_negative,
            "orderedAmount": non_negative,
            "deliveredAmount": non_negative,
            "effectiveQuantity": non_negative,
            "packedAmountInPc": non_negative,
            "unitPrice": non_negative,
            "totalPrice": number,
            "calculatedUnitPrice": input_price,
            "calculatedPrice": any_object,
            "measurementUnit": obj({"unit": text(16), "value": number}),
            "product": obj({"id": text(255), "vendor": obj({"id": text(64), "name": string}, required=("id",))}),
            "price": obj({"effectiveAmount": non_negative, "originalAmount": non_negative}),
            "tax": obj({"lines": array(any_object)}),
            "mixins": any_object,
            "metadata": any_object,
            "externalDiscounts": array(discount_value),
            "externalFees": array(entry_fee),
        },
        required=("amount",),
        null_is_missing=("amount",),  # an entry row cannot be stored without its amount
    ),
    one_of_required("calculatedUnitPrice", "unitPrice"),
)

order_document = all_of(
    obj(
        {
            "id": matching(ORDER_ID_PATTERN, "1 to 64 letters, digits, '.', '_' or '-'"),
            "status": one_of(*OrderStatus.values),
            "entries": array(entry, min_items=1, max_items=MAX_ENTRIES_PER_ORDER),
            "customer": obj({"id": text(255), "email": text(255), "mixins": any_object}, required=("email",)),
            "siteCode": text(64),
            "countryCode": string,
            "currency": currency,
            "created": date_time,
            "lastStatusChange": date_time,
            "completed": date_time,
            "discounts": array(discount_value),
            "payments": array(any_object),
            "shipments": array(obj({"shippedDate": string, "carrier": string}, required=("shippedDate", "carrier"))),
            "billingAddress": any_object,
            "shippingAddress": any_object,
            "shipping": shipping,
            "deliveryWindow": any_object,
            "channel": any_object,
            "vendor": obj({"id": string, "name": string}, required=("id",)),
            "mixins": any_object,
            "metadata": obj({"version": number, "mixins": any_object}),
            "calculatedPrice": order_price,
            "subTotalPrice": number,
            "totalPrice": number,
            "totalAuthorizedAmount": number,
            "orderType": one_of("MASTER_ORDER", "SUB_ORDER"),
            "masterOrder": text(64),
            "subOrders": array(string),
            "checkout": boolean,
        },
        required=("entries",),
        null_is_missing=("entries",),  # an order without entries cannot be stored
    ),
)


calculation_request = obj(
    {
        "entries": array(
            obj(
                {"entryId": text(64), "deliveredAmount": non_negative, "unit": text(16)},
                required=("entryId", "deliveredAmount"),
                null_is_missing=True,
            ),
            min_items=1,
        )
    },
    required=("entries",),
    null_is_missing=True,
)

entries_request = obj(
    {
        "entries": array(
            all_of(
                obj(
                    {"entryId": text(64), "productId": text(255), "quantity": non_negative},
                    required=("quantity",),
                    null_is_missing=True,
                ),
                exactly_one_of("entryId", "productId"),
            ),
            min_items=1,
        )
    },
    required=("entries",),
    null_is_missing=True,
)


def validate(check: Check, value: Any) -> Any:
    """Return the value if it passes the check; raise ValidationFailed naming every problem."""
    errors = check(value, "")
    if errors:
        raise ValidationFailed("There are validation problems, see details section for more information", errors)
    return value


def unstorable_text(value: Any, path: str = "") -> list[ErrorDetail]:
    """Text may not hold U+0000 nor unpaired surrogates: databases cannot store them."""
    return [ErrorDetail(where, UNSTORABLE_TEXT_RULE) for where in unstorable_text_paths(value, path)]


def duplicate_entry_ids(document: dict) -> list[ErrorDetail]:
    seen: set[str] = set()
    errors = []
    for index, item in enumerate(document.get("entries") or []):
        entry_id = item.get("id") if isinstance(item, dict) else None
        if entry_id is not None and entry_id in seen:
            errors += problem(f"entries[{index}].id", f"duplicates the entry id {entry_id!r}")
        seen.add(entry_id)
    return errors


def validate_order_document(document: Any) -> dict:
    """Return the document if it is a valid order; raise ValidationFailed naming every problem.

    Text the databases cannot store (NUL, unpaired surrogates) is refused where documents come in: the API's
    JSON parser for every body (`documents.loads`), Django's form fields for the staff pages. Walking every string
    of a large document again here would cost more than the rest of its validation.
    """
    validate(order_document, document)
    return validate(lambda value, path: duplicate_entry_ids(value), document)
