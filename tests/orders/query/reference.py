"""A plain-Python reading of the q language over documents: the oracle the compiled SQL must agree with.

It follows docs/query-language.md directly, walking the documents, and shares only the parser and the two
tables (hot fields, array paths) with the code under test.
"""

import operator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from orders.query import parse_query
from orders.query.ast import AnyOf, Bare, Compare, Equals, IsNull, IsPresent, Quoted, Term
from orders.query.fields import ARRAY_PATHS, HOT_FIELDS, ColumnKind
from orders.query.values import as_number, as_timestamp

OPERATORS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def matching_ids(documents: dict[str, dict], q: str) -> set[str]:
    query = parse_query(q)
    return {
        order_id for order_id, document in documents.items() if all(term_holds(document, term) for term in query.terms)
    }


def term_holds(document: dict, term: Term) -> bool:
    hot_field = HOT_FIELDS.get(term.dotted_path)
    if hot_field:
        return column_term_holds(column_value(document, term.dotted_path, hot_field.kind), hot_field.kind, term)
    values = list(leaf_values(document, list(term.path)))
    condition = term.condition
    if isinstance(condition, IsNull):
        return not any(map(is_present, values))
    if isinstance(condition, IsPresent):
        return any(map(is_present, values))
    if isinstance(condition, Equals | AnyOf):
        wanted = (condition.value,) if isinstance(condition, Equals) else condition.values
        return any(json_equals(value, query_value) for value in values for query_value in wanted)
    if isinstance(condition, Compare):
        return any(within(value, condition) for value in values)
    raise TypeError(condition)


def leaf_values(value: Any, segments: list[str], prefix: tuple[str, ...] = ()):
    """The values at the dotted path; through an array (one of ARRAY_PATHS), those of every element."""
    if not segments:
        yield value
        return
    head, *tail = segments
    if not isinstance(value, dict) or head not in value:
        return
    child, path = value[head], (*prefix, head)
    if ".".join(path) in ARRAY_PATHS:
        for element in child if isinstance(child, list) else []:
            yield from leaf_values(element, tail, path)
    else:
        yield from leaf_values(child, tail, path)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def is_present(value: Any) -> bool:
    return value is not None and value != ""


def json_equals(value: Any, query_value: Bare | Quoted) -> bool:
    if isinstance(value, str):
        return value == query_value.text
    if isinstance(query_value, Quoted):
        return False
    if isinstance(value, bool):
        return query_value.text == ("true" if value else "false")
    number = as_number(query_value.text)
    return is_number(value) and number is not None and Decimal(value) == number


def within(value: Any, condition: Compare) -> bool:
    bounds = condition.bounds
    numbers = [as_number(bound.value.text) if isinstance(bound.value, Bare) else None for bound in bounds]
    if all(number is not None for number in numbers):
        return is_number(value) and all(
            OPERATORS[bound.operator](Decimal(value), number) for bound, number in zip(bounds, numbers, strict=True)
        )
    # Date-times compare as texts with the document's millisecond UTC form.
    return isinstance(value, str) and all(
        OPERATORS[bound.operator](value, document_text(bound.operator, bound.value.text)) for bound in bounds
    )


def document_text(operator_text: str, text: str) -> str:
    moment = as_timestamp(text)
    milliseconds = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    if milliseconds != moment and operator_text in (">=", "<"):
        milliseconds += timedelta(milliseconds=1)
    return milliseconds.strftime("%Y-%m-%dT%H:%M:%S.") + f"{milliseconds.microsecond // 1000:03d}Z"


def column_value(document: dict, path: str, kind: ColumnKind) -> Any:
    """What the hot column holds, as orders.services stores it."""
    value = dig(document, path)
    if path in ("totalPrice", "calculatedPrice.finalPrice.grossValue"):
        gross = dig(document, "calculatedPrice.finalPrice.grossValue")
        value = gross if gross is not None else document.get("totalPrice")
    if kind is ColumnKind.TEXT:
        return value if isinstance(value, str) else ""
    if kind is ColumnKind.DECIMAL:
        return Decimal(value).quantize(Decimal("0.001")) if is_number(value) else None
    return datetime.fromisoformat(value).astimezone(UTC)


def dig(document: dict, path: str) -> Any:
    value: Any = document
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def column_term_holds(value: Any, kind: ColumnKind, term: Term) -> bool:
    condition = term.condition
    if isinstance(condition, IsNull | IsPresent):
        missing = value in ("", None)
        return missing if isinstance(condition, IsNull) else not missing
    if isinstance(condition, Equals | AnyOf):
        wanted = (condition.value,) if isinstance(condition, Equals) else condition.values
        return any(value == typed(kind, query_value.text) for query_value in wanted)
    return value is not None and all(
        OPERATORS[bound.operator](value, typed(kind, bound.value.text)) for bound in condition.bounds
    )


def typed(kind: ColumnKind, text: str) -> Any:
    if kind is ColumnKind.DECIMAL:
        return as_number(text)
    if kind is ColumnKind.DATETIME:
        return as_timestamp(text)
    return text
