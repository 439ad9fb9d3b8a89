"""Emporix's two OpenAPI specs as a test oracle: their operations, their request examples, and a check of our
answers against their response schemas.

`check_answer(method, url, status, content)` validates one answer against the schema the spec documents for that
operation and status (JSON Schema after resolving `$ref`s, OpenAPI 3.0's draft 4 dialect). What the specs
document differently from what they mean, and where we deliberately answer otherwise, is allowed by name in
`ALLOWED`; docs/compatibility.md lists the same.
"""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

# Copies of the two public Emporix specs the API follows, so the suite runs from any checkout.
SPECS_DIR = Path(__file__).resolve().parent / "fixtures" / "emporix"
SPECS = {"order-v2": "order-service.openapi.yml", "pick-pack": "pick-pack-service.openapi.yml"}
METHODS = ("get", "head", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    service: str  # the first path segment: order-v2 or pick-pack
    method: str  # upper case
    path: str  # as the spec writes it, e.g. /order-v2/{tenant}/salesorders/{orderId}
    pattern: re.Pattern
    document: dict  # the spec's operation object

    @property
    def name(self) -> str:
        return self.document.get("operationId") or f"{self.method} {self.path}"

    def request_examples(self) -> Iterator[tuple[str, dict | list]]:
        """(name, body) of each request example, `$ref`s resolved."""
        content = self.document.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "example" in content:
            yield "example", content["example"]
        for name, example in content.get("examples", {}).items():
            yield name, _resolved(self.service, example)["value"]


@cache
def spec(service: str) -> dict:
    return yaml.safe_load((SPECS_DIR / SPECS[service]).read_text())


def _uri(service: str) -> str:
    return f"urn:emporix:{service}"


@cache
def registry() -> Registry:
    resources = [(_uri(service), Resource.from_contents(spec(service), DRAFT4)) for service in SPECS]
    return Registry().with_resources(resources)


def _resolved(service: str, node: dict) -> dict:
    while "$ref" in node:
        node = registry().resolver(_uri(service)).lookup(node["$ref"]).contents
    return node


@cache
def operations() -> tuple[Operation, ...]:
    found = []
    for service in SPECS:
        for path, item in spec(service)["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
            found += [
                Operation(service, method.upper(), path, pattern, item[method]) for method in METHODS if method in item
            ]
    # Literal segments before templated ones: /salesorders/search is not /salesorders/{orderId}.
    return tuple(sorted(found, key=lambda operation: operation.path.count("{")))


def operation_for(method: str, url: str) -> Operation | None:
    path = urlsplit(url).path
    return next((op for op in operations() if op.method == method.upper() and op.pattern.match(path)), None)


# --- what an answer is checked against --------------------------------------------------------------------------


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(quote(part.replace("~", "~0").replace("/", "~1"), safe="~") for part in parts)


def response_schema(operation: Operation, status: int) -> dict | None:
    """The spec's schema of the JSON body answered with `status`, as a `$ref` into the spec; None when the spec
    documents no body (or not this status)."""
    response = operation.document.get("responses", {}).get(str(status))
    if response is None:
        return None
    if "$ref" in response:
        base = response["$ref"]
        response = _resolved(operation.service, response)
    else:
        base = _pointer("paths", operation.path, operation.method.lower(), "responses", str(status))
    if "schema" not in response.get("content", {}).get("application/json", {}):
        return None
    return {"$ref": f"{_uri(operation.service)}{base}/content/application~1json/schema"}


def _is_integer(checker, instance) -> bool:
    """Our JSON numbers are Decimals: an integral one is an integer, as it is in JSON."""
    if isinstance(instance, Decimal):
        return instance.is_finite() and instance == instance.to_integral_value()
    return isinstance(instance, int) and not isinstance(instance, bool)


_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE)
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time")
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True  # the type is checked on its own
    return bool(_DATE_TIME.match(value)) and _parses(value.upper().replace("Z", "+00:00"))


@FORMATS.checks("date")
def _date(value) -> bool:
    return not isinstance(value, str) or (bool(_DATE.match(value)) and _parses(value))


@FORMATS.checks("time")
def _time(value) -> bool:
    return not isinstance(value, str) or bool(_TIME.match(value))


def _parses(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


Validator = jsonschema.validators.extend(
    jsonschema.Draft4Validator,
    type_checker=jsonschema.Draft4Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


# --- the allow-list -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    """A known difference between an answer and the spec's schema, with its reason (docs/compatibility.md)."""

    name: str
    reason: str
    matches: Callable[[jsonschema.ValidationError, str], bool]  # (error, the request's URL)


def _at(error: jsonschema.ValidationError) -> list:
    return list(error.absolute_path)


ALLOWED = (
    Allowed(
        "tax-aggregate-lines-are-a-list",
        "Spec quirk: `finalPrice.taxAggregate.lines` is typed as one object (`orderCalculatedPrice`), while its "
        "description and every example hold a list of lines; we answer the list.",
        lambda error, url: (
            error.validator == "type"
            and _at(error)[-2:] == ["taxAggregate", "lines"]
            and isinstance(error.instance, list)
        ),
    ),
    Allowed(
        "delivery-time-range-times",
        "Spec quirk: `deliveryTimeRange.timeFrom`/`timeTo` are typed `format: time` (RFC 3339, seconds and offset) "
        "while the examples send `10:00`; a client's times are kept as it sent them.",
        lambda error, url: error.validator == "format" and "deliveryTimeRange" in _at(error),
    ),
    Allowed(
        "weighed-amounts-are-decimal",
        "Deviation: `amount`, `orderedAmount` and `packedAmountInPc` of weighed products (KGM, LTR…) are decimals "
        "where the spec types an integer; 1.25 kg cannot be an integer.",
        lambda error, url: (
            error.validator == "type"
            and error.validator_value == "integer"
            and bool(_at(error))
            and _at(error)[-1] in ("amount", "orderedAmount", "packedAmountInPc")
            and isinstance(error.instance, Decimal)
        ),
    ),
    Allowed(
        "orders-without-customer",
        "Spec quirk: `customer` is required by `orderCommonDto`, yet the spec's own DYNAMIC_VARIANT example creates "
        "an order without one and its answer has none; such an order is accepted and answered without it.",
        lambda error, url: error.validator == "required" and error.message.startswith("'customer' "),
    ),
    Allowed(
        "projection-leaves-fields-out",
        "By request: with `fields` a client asks for only the fields it names, so the required ones it does not "
        "name are left out.",
        lambda error, url: error.validator == "required" and "fields" in parse_qs(urlsplit(url).query),
    ),
    Allowed(
        "client-nulls-kept",
        "By design (docs/decisions.md, API): an order document keeps what its client stored, a null included; "
        "the server itself writes no null into an order.",
        lambda error, url: error.validator == "type" and error.instance is None and "/order-v2/" in url,
    ),
    Allowed(
        "pick-pack-errors-carry-a-numeric-status",
        "Deviation (DESIGN.md, errors): pick-pack's 403 schema types `status` as a string; every error of ours "
        "answers the HTTP status as a number in `status` (the order service's shape), with pick-pack's `code` too.",
        lambda error, url: error.validator == "type" and _at(error) == ["status"] and "/pick-pack/" in url,
    ),
)


def violations(method: str, url: str, status: int, content: bytes) -> list[str]:
    """What in the answer contradicts the spec's schema for it, the allowed differences left out."""
    operation = operation_for(method, url)
    if operation is None or not content:
        return []
    schema = response_schema(operation, status)
    if schema is None:
        return []
    body = json.loads(content, parse_float=Decimal)
    validator = Validator(schema, registry=registry(), format_checker=FORMATS)
    return [
        f"{operation.name} {status} at {'.'.join(map(str, _at(error))) or '(body)'}: {error.message[:300]}"
        for error in validator.iter_errors(body)
        if not any(allowed.matches(error, url) for allowed in ALLOWED)
    ]


def check_answer(method: str, url: str, status: int, content: bytes) -> None:
    found = violations(method, url, status, content)
    assert not found, "The answer contradicts Emporix's spec:\n" + "\n".join(found)
