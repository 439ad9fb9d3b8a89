"""The q language over change records (`GET /order-v2/{tenant}/changes?q=…`): who, what, when.

actor.type:client   actor.id:erp-sync   operation:(patch,transition)   orderId:EON1001
timestamp:(>="2026-12-01T00:00:00Z" AND <"2026-12-02T00:00:00Z")   version:>=3   requestId:abc
"""

import operator as operators
from functools import reduce

from django.db.models import Q

from .ast import AnyOf, Compare, Equals, Term, Value
from .errors import invalid_query
from .parser import excerpt, parse_query
from .values import as_number, as_timestamp

TEXT_FIELDS = {
    "orderId": "order_number",
    "operation": "operation",
    "actor.type": "actor__type",
    "actor.id": "actor__id",
    "requestId": "request_id",
}
ORDERED_FIELDS = {
    "timestamp": ("timestamp", as_timestamp, "a date-time"),
    "version": ("version", as_number, "a number"),
}
LOOKUPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}


def compile_change_query(q: str | None) -> Q:
    """The filter for q over `ChangeRecord`; ValidationFailed (field "q") for anything it cannot mean."""
    return reduce(operators.and_, (compile_change_term(term) for term in parse_query(q or "").terms), Q())


def compile_change_term(term: Term) -> Q:
    name = ".".join(term.path)
    if name in TEXT_FIELDS:
        return text_condition(term, TEXT_FIELDS[name])
    if name in ORDERED_FIELDS:
        return ordered_condition(term, *ORDERED_FIELDS[name])
    known = ", ".join([*TEXT_FIELDS, *ORDERED_FIELDS])
    raise invalid_query(f"{excerpt(term.text)}: changes can be searched by {known}")


def text_condition(term: Term, column: str) -> Q:
    condition = term.condition
    if isinstance(condition, Equals):
        return Q(**{column: condition.value.text})
    if isinstance(condition, AnyOf):
        return Q(**{f"{column}__in": [value.text for value in condition.values]})
    raise invalid_query(f"{excerpt(term.text)}: use field:value or field:(a,b) for this field")


def ordered_condition(term: Term, column: str, read, kind: str) -> Q:
    condition = term.condition
    if isinstance(condition, Equals):
        return Q(**{column: typed(term, condition.value, read, kind)})
    if isinstance(condition, Compare):
        return reduce(
            operators.and_,
            (
                Q(**{f"{column}__{LOOKUPS[bound.operator.value]}": typed(term, bound.value, read, kind)})
                for bound in condition.bounds
            ),
        )
    raise invalid_query(f"{excerpt(term.text)}: use field:value, field:>value or field:(>=a AND <b) here")


def typed(term: Term, value: Value, read, kind: str):
    result = read(value.text)
    if result is None:
        raise invalid_query(f"{excerpt(term.text)}: {value.text!r} is not {kind}")
    return result
