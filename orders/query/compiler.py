"""Compile a q string into a Django `Q` over `Order`: hot fields to their indexed columns, the rest to the document."""

import operator as operators
from datetime import datetime
from decimal import Decimal
from functools import reduce

from django.db.models import Exists, OuterRef, Q

from orders.errors import ValidationFailed
from orders.models import OrderEntry

from .ast import AnyOf, Bare, Bound, Compare, Equals, IsNull, IsPresent, Operator, Term, Value
from .errors import invalid_query
from .fields import ENTRY_ROW_COLUMNS, HOT_FIELDS, ColumnKind, HotField, json_path
from .json_sql import DocumentCondition
from .parser import excerpt, parse_query
from .predicates import NumberRange, OneOf, Predicate, Present, TextRange
from .values import MILLISECOND, as_boolean, as_number, as_timestamp, millisecond_bound, timestamp_text

# Money columns hold 20 digits, 3 after the point.
MONEY_LIMIT = Decimal(10) ** 17
DATE_EXAMPLE = '"2021-05-18T07:27:27.455Z"'
COLUMN_LOOKUPS = {Operator.GT: "gt", Operator.GE: "gte", Operator.LT: "lt", Operator.LE: "lte"}
NOTHING = Q(pk__in=[])


def compile_query(q: str | None) -> Q:
    """The filter for q over `Order` ("" or None: everything).

    Raises ValidationFailed (detail field "q", type "invalid_query_parameter") for malformed q, an unknown
    operator, or a value of the wrong type for an indexed field.
    """
    return reduce(operators.and_, (compile_term(term) for term in parse_query(q or "").terms), Q())


def compile_term(term: Term) -> Q:
    hot_field = HOT_FIELDS.get(term.dotted_path)
    return compile_column_term(term, hot_field) if hot_field else compile_document_term(term)


def term_problem(term: Term, message: str) -> ValidationFailed:
    return invalid_query(f"{excerpt(term.text)} (column {term.column}): {message}")


def compile_document_term(term: Term) -> Q:
    if isinstance(term.condition, IsNull):
        return ~document_q(term, Present())
    predicate = document_predicate(term)
    entry_column = ENTRY_ROW_COLUMNS.get(term.dotted_path)
    if entry_column and isinstance(predicate, OneOf) and all(predicate.texts):
        return entry_rows_q(entry_column, predicate.texts)
    return document_q(term, predicate)


def entry_rows_q(column: str, texts: tuple[str, ...]) -> Q:
    """Orders with an entry row whose `column` is one of `texts` (numbers and booleans never match: the values are
    strings)."""
    rows = OrderEntry.objects.filter(order=OuterRef("pk"), **{f"{column}__in": texts})
    return Q(Exists(rows))


def document_q(term: Term, predicate: Predicate) -> Q:
    return Q(DocumentCondition(json_path(term.path), predicate))


def document_predicate(term: Term) -> Predicate:
    condition = term.condition
    if isinstance(condition, IsPresent):
        return Present()
    if isinstance(condition, Equals):
        return equal_to((condition.value,))
    if isinstance(condition, AnyOf):
        return equal_to(condition.values)
    if isinstance(condition, Compare):
        return document_range(term, condition.bounds)
    raise TypeError(condition)


def equal_to(values: tuple[Value, ...]) -> OneOf:
    """A bare value matches the JSON number or boolean it spells, or the same text; a quoted one only text."""
    bare = [value.text for value in values if isinstance(value, Bare)]
    numbers = (as_number(text) for text in bare)
    booleans = (as_boolean(text) for text in bare)
    return OneOf(
        texts=unique(value.text for value in values),
        numbers=unique(number for number in numbers if number is not None),
        booleans=unique(boolean for boolean in booleans if boolean is not None),
    )


def unique(items) -> tuple:
    return tuple(dict.fromkeys(items))


def document_range(term: Term, bounds: tuple[Bound, ...]) -> NumberRange | TextRange:
    """Numbers compare as numbers; date-times as the document's UTC texts, which sort like the moments."""
    numbers = [as_number(bound.value.text) if isinstance(bound.value, Bare) else None for bound in bounds]
    if all(number is not None for number in numbers):
        return NumberRange(tuple(zip((bound.operator for bound in bounds), numbers, strict=True)))
    moments = [as_timestamp(bound.value.text) for bound in bounds]
    if all(moment is not None for moment in moments):
        return TextRange(
            tuple(
                (bound.operator, timestamp_text(bounded(term, bound.operator, moment)))
                for bound, moment in zip(bounds, moments, strict=True)
            )
        )
    for bound, number, moment in zip(bounds, numbers, moments, strict=True):
        if number is None and moment is None:
            raise term_problem(
                term,
                f"comparisons need a number such as 20 or -3.5, or a date-time in double "
                f"quotes such as {DATE_EXAMPLE}, not {bound.value.text!r}",
            )
    raise term_problem(term, "a range cannot mix numbers and date-times")


def bounded(term: Term, operator: Operator, moment: datetime) -> datetime:
    try:
        return millisecond_bound(operator, moment)
    except OverflowError:
        raise term_problem(term, "the date-time is out of range") from None


def compile_column_term(term: Term, field: HotField) -> Q:
    condition = term.condition
    if isinstance(condition, IsNull):
        return column_is_null(field)
    if isinstance(condition, IsPresent):
        return ~column_is_null(field)
    if isinstance(condition, Equals):
        return column_equals(term, field, (condition.value,))
    if isinstance(condition, AnyOf):
        return column_equals(term, field, condition.values)
    if isinstance(condition, Compare):
        return column_range(term, field, condition.bounds)
    raise TypeError(condition)


def column_is_null(field: HotField) -> Q:
    """A missing, null or empty value: text columns hold "" for it, money columns NULL; dates are always set."""
    if field.kind is ColumnKind.TEXT:
        return Q(**{field.column: ""})
    if field.kind is ColumnKind.DECIMAL:
        return Q(**{f"{field.column}__isnull": True})
    return NOTHING


def column_equals(term: Term, field: HotField, values: tuple[Value, ...]) -> Q:
    if field.kind is ColumnKind.TEXT:
        return column_in(field, unique(value.text for value in values))
    if field.kind is ColumnKind.DECIMAL:
        return column_in(field, unique(money(term, field, value) for value in values))
    return reduce(operators.or_, (same_millisecond(field, column_moment(term, value)) for value in values))


def column_in(field: HotField, values: tuple) -> Q:
    return Q(**{field.column: values[0]}) if len(values) == 1 else Q(**{f"{field.column}__in": values})


def column_range(term: Term, field: HotField, bounds: tuple[Bound, ...]) -> Q:
    if field.kind is ColumnKind.TEXT:
        raise term_problem(term, f"{term.dotted_path} is text: comparisons work on numbers and date-times only")
    if field.kind is ColumnKind.DECIMAL:
        return Q(
            *(
                Q(**{f"{field.column}__{COLUMN_LOOKUPS[bound.operator]}": money(term, field, bound.value)})
                for bound in bounds
            )
        )
    return Q(*(moment_bound(term, field, bound) for bound in bounds))


def money(term: Term, field: HotField, value: Value) -> Decimal:
    number = as_number(value.text) if isinstance(value, Bare) else None
    if number is None:
        raise term_problem(term, f"{term.dotted_path} is a number: use one such as 20 or 19.99, not {value.text!r}")
    if abs(number) >= MONEY_LIMIT:
        raise term_problem(term, f"{value.text} is out of range for {term.dotted_path}")
    return number


def column_moment(term: Term, value: Value) -> datetime:
    parsed = as_timestamp(value.text)
    if parsed is None:
        raise term_problem(
            term, f"{term.dotted_path} is a date-time: use one such as {DATE_EXAMPLE}, not {value.text!r}"
        )
    return parsed


def same_millisecond(field: HotField, at: datetime) -> Q:
    """Documents show date-times to the millisecond; the column may hold microseconds."""
    if at.microsecond % 1000:
        return NOTHING
    try:
        return Q(**{f"{field.column}__gte": at, f"{field.column}__lt": at + MILLISECOND})
    except OverflowError:
        return Q(**{f"{field.column}__gte": at})


def moment_bound(term: Term, field: HotField, bound: Bound) -> Q:
    """`value <op> bound` where value is the column shown to the millisecond, as the document shows it."""
    at = bounded(term, bound.operator, column_moment(term, bound.value))
    try:
        if bound.operator is Operator.GT:
            return Q(**{f"{field.column}__gte": at + MILLISECOND})
        if bound.operator is Operator.LE:
            return Q(**{f"{field.column}__lt": at + MILLISECOND})
    except OverflowError:
        return NOTHING if bound.operator is Operator.GT else Q()
    return Q(**{f"{field.column}__{COLUMN_LOOKUPS[bound.operator]}": at})
