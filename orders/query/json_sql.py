"""SQL over the order document: the one place where SQLite and PostgreSQL differ.

Both backends give the same answers. PostgreSQL answers equality with JSON containment (`document @> '{…}'`),
which the GIN index `order_document_path_ops` (jsonb_path_ops) serves; ranges and presence walk the document
with `->`. SQLite walks it with `json_type`/`json_extract`, and `json_each` where a path runs through an array.
"""

from dataclasses import dataclass
from typing import Any

from django.db import NotSupportedError
from django.db.models import BooleanField, Expression, F, FloatField, TextField

from orders.documents import dumps

from .fields import JsonPath
from .predicates import NumberRange, OneOf, Predicate, Present, TextRange


@dataclass(frozen=True)
class Sql:
    text: str
    params: tuple = ()


@dataclass(frozen=True)
class Param:
    value: Any


def sql(*pieces: str | Sql | Param) -> Sql:
    """Concatenate SQL text, SQL fragments and parameters; parameters stay in the order they appear."""
    text: list[str] = []
    params: list[Any] = []
    for piece in pieces:
        if isinstance(piece, Sql):
            text.append(piece.text)
            params.extend(piece.params)
        elif isinstance(piece, Param):
            text.append("%s")
            params.append(piece.value)
        else:
            text.append(piece)
    return Sql("".join(text), tuple(params))


def sql_join(separator: str, parts: list[Sql]) -> Sql:
    pieces: list[str | Sql] = []
    for index, part in enumerate(parts):
        pieces += [separator, part] if index else [part]
    return sql(*pieces)


def marks(values) -> Sql:
    """Placeholders for the values, comma-separated."""
    return sql_join(", ", [sql(Param(value)) for value in values])


def nested_value(path: JsonPath, value: Any) -> dict:
    """The smallest document holding `value` at `path`, with one-element arrays where the path runs through arrays."""
    node = value
    for index in reversed(range(len(path.hops))):
        if index < len(path.hops) - 1:
            node = [node]
        for key in reversed(path.hops[index]):
            node = {key: node}
    return node


class SqliteDocument:
    """SQL for SQLite's JSON1 functions over a document column holding JSON text."""

    def __init__(self, document: Sql):
        self.document = document

    def condition(self, path: JsonPath, predicate: Predicate) -> Sql:
        return self._through(None, path.hops, predicate, depth=1)

    def sort_key(self, keys: tuple[str, ...], numeric: bool) -> Sql:
        at = self._path(None, keys)
        wanted = "IN ('integer', 'real')" if numeric else "= 'text'"
        return sql("CASE WHEN ", self._type(at), f" {wanted} THEN ", self._value(at), " END")

    def _through(self, base: Sql | None, hops: tuple, predicate: Predicate, depth: int) -> Sql:
        keys, *rest = hops
        at = self._path(base, keys)
        if not rest:
            return sql("CASE WHEN ", self._test(at, predicate), " THEN 1 ELSE 0 END")
        # Elements are addressed by their path in the document (fullkey), so a text element is never read as JSON.
        alias = f"q_{depth}"
        inner = self._through(Sql(f"{alias}.fullkey"), tuple(rest), predicate, depth + 1)
        return sql(
            "EXISTS (SELECT 1 FROM json_each(",
            self.document,
            ", ",
            at,
            f") AS {alias} WHERE ",
            self._type(at),
            " = 'array' AND ",
            inner,
            ")",
        )

    @staticmethod
    def _path(base: Sql | None, keys: tuple[str, ...]) -> Sql:
        suffix = "".join(f'."{key}"' for key in keys)
        if base is None:
            return sql(Param("$" + suffix))
        return sql(base, " || ", Param(suffix)) if suffix else base

    def _type(self, at: Sql) -> Sql:
        return sql("json_type(", self.document, ", ", at, ")")

    def _value(self, at: Sql) -> Sql:
        return sql("json_extract(", self.document, ", ", at, ")")

    def _test(self, at: Sql, predicate: Predicate) -> Sql:
        kind, value = self._type(at), self._value(at)
        if isinstance(predicate, OneOf):
            return sql_join(" OR ", self._equalities(kind, value, predicate))
        if isinstance(predicate, NumberRange):
            return sql_join(
                " AND ",
                [
                    sql(kind, " IN ('integer', 'real')"),
                    *(
                        sql(value, f" {operator} CAST(", Param(str(number)), " AS NUMERIC)")
                        for operator, number in predicate.bounds
                    ),
                ],
            )
        if isinstance(predicate, TextRange):
            return sql_join(
                " AND ",
                [
                    sql(kind, " = 'text'"),
                    *(sql(value, f" {operator} ", Param(text)) for operator, text in predicate.bounds),
                ],
            )
        if isinstance(predicate, Present):
            return sql("COALESCE(", kind, ", 'null') <> 'null' AND NOT (", kind, " = 'text' AND ", value, " = '')")
        raise TypeError(predicate)

    @staticmethod
    def _equalities(kind: Sql, value: Sql, predicate: OneOf) -> list[Sql]:
        parts = []
        if predicate.texts:
            parts.append(sql("(", kind, " = 'text' AND ", value, " IN (", marks(predicate.texts), "))"))
        if predicate.numbers:
            numbers = sql_join(", ", [sql("CAST(", Param(str(number)), " AS NUMERIC)") for number in predicate.numbers])
            parts.append(sql("(", kind, " IN ('integer', 'real') AND ", value, " IN (", numbers, "))"))
        if predicate.booleans:
            parts.append(
                sql(kind, " IN (", marks(["true" if boolean else "false" for boolean in predicate.booleans]), ")")
            )
        return parts


class PostgresDocument:
    """SQL for PostgreSQL over a jsonb document column."""

    def __init__(self, document: Sql):
        self.document = document

    def condition(self, path: JsonPath, predicate: Predicate) -> Sql:
        if isinstance(predicate, OneOf):
            return self._containment(path, predicate)
        return self._through(self.document, path.hops, predicate, depth=1)

    def sort_key(self, keys: tuple[str, ...], numeric: bool) -> Sql:
        at = self._value(self.document, keys)
        if numeric:
            return sql("CASE WHEN jsonb_typeof(", at, ") = 'number' THEN (", at, ")::numeric END")
        return sql("(CASE WHEN jsonb_typeof(", at, ") = 'string' THEN ", at, " #>> '{}' END) COLLATE \"C\"")

    def _containment(self, path: JsonPath, predicate: OneOf) -> Sql:
        tests = [
            sql(self.document, " @> ", Param(dumps(nested_value(path, value))), "::jsonb")
            for value in predicate.json_values()
        ]
        return sql("(", sql_join(" OR ", tests), ")")

    def _through(self, base: Sql, hops: tuple, predicate: Predicate, depth: int) -> Sql:
        keys, *rest = hops
        at = self._value(base, keys)
        if not rest:
            return self._test(at, predicate)
        alias = f"q_{depth}"
        inner = self._through(Sql(f"{alias}.value"), tuple(rest), predicate, depth + 1)
        # The CASE hands jsonb_array_elements only arrays: it raises on anything else.
        return sql(
            "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(",
            at,
            ") = 'array' THEN ",
            at,
            f" END) AS {alias} WHERE ",
            inner,
            ")",
        )

    @staticmethod
    def _value(base: Sql, keys: tuple[str, ...]) -> Sql:
        # `-> text` is NULL on arrays and scalars, like SQLite's `$."key"`: a key never indexes an array.
        return sql(base, *(piece for key in keys for piece in (" -> ", Param(key), "::text")))

    def _test(self, at: Sql, predicate: Predicate) -> Sql:
        if isinstance(predicate, NumberRange):
            comparisons = sql_join(
                " AND ",
                [
                    sql("(", at, f")::numeric {operator} ", Param(str(number)), "::numeric")
                    for operator, number in predicate.bounds
                ],
            )
            return sql("CASE WHEN jsonb_typeof(", at, ") = 'number' THEN ", comparisons, " ELSE false END")
        if isinstance(predicate, TextRange):
            # Byte order, like SQLite's BINARY and Python: ISO date-times in UTC sort like the moments they name.
            comparisons = sql_join(
                " AND ",
                [
                    sql("(", at, " #>> '{}') COLLATE \"C\" ", operator, " ", Param(text))
                    for operator, text in predicate.bounds
                ],
            )
            return sql("CASE WHEN jsonb_typeof(", at, ") = 'string' THEN ", comparisons, " ELSE false END")
        if isinstance(predicate, Present):
            return sql("COALESCE(", at, " NOT IN ('null'::jsonb, '\"\"'::jsonb), false)")
        raise TypeError(predicate)


class DocumentExpression(Expression):
    """An expression over the `document` column, rendered by the SQL builder of the connection's backend."""

    def __init__(self, output_field, document: str = "document"):
        super().__init__(output_field=output_field)
        self.document = F(document)

    def get_source_expressions(self) -> list:
        return [self.document]

    def set_source_expressions(self, expressions: list) -> None:
        (self.document,) = expressions

    def as_sql(self, compiler, connection):
        raise NotSupportedError("The q language runs on SQLite and PostgreSQL only.")

    def as_sqlite(self, compiler, connection):
        return self.render(SqliteDocument(Sql(*compiler.compile(self.document))))

    def as_postgresql(self, compiler, connection):
        return self.render(PostgresDocument(Sql(*compiler.compile(self.document))))

    def render(self, builder: SqliteDocument | PostgresDocument) -> tuple[str, tuple]:
        raise NotImplementedError


class DocumentCondition(DocumentExpression):
    """True when the document's value at `path` passes `predicate`; through an array, when any element's does."""

    def __init__(self, path: JsonPath, predicate: Predicate, document: str = "document"):
        super().__init__(BooleanField(), document)
        self.path, self.predicate = path, predicate

    def render(self, builder):
        condition = builder.condition(self.path, self.predicate)
        return condition.text, condition.params


class DocumentSortKey(DocumentExpression):
    """The document's number (numeric=True) or text at a key path, else NULL: a sort key alike on both backends."""

    def __init__(self, keys: tuple[str, ...], numeric: bool, document: str = "document"):
        super().__init__(FloatField() if numeric else TextField(), document)
        self.keys, self.numeric = keys, numeric

    def render(self, builder):
        key = builder.sort_key(self.keys, self.numeric)
        return key.text, key.params
