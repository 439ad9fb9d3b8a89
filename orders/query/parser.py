"""Parse a q string into a `Query` (see q.lark). Pure Python: no Django here."""

import re
from contextlib import suppress
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from .ast import AnyOf, Bare, Bound, Compare, Equals, IsNull, IsPresent, Operator, Query, Quoted, Term, Value
from .errors import invalid_query
from .fields import MAX_PATH_DEPTH

MAX_QUERY_LENGTH = 4000
MAX_TERMS = 50
MAX_VALUES = 100
KEYWORDS = {"null": IsNull(), "exists": IsPresent()}
OPERATOR_CHARACTERS = re.compile(r"[<>=!~]+")
ESCAPED_CHARACTER = re.compile(r"\\(.)", re.DOTALL)
QUOTED_VALUE = re.compile(r'"(\\.|[^"\\])*"', re.DOTALL)
EXPECTED_NAMES = {
    "PATH": "a field name",
    "COLON": "':'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "_SP": "a space",
    "_AND": "AND",
    "OPERATOR": "an operator (>, >=, <, <=)",
    "QUOTED": "a value in double quotes",
    "BARE": "a value",
    "$END": "the end of the query",
}


@cache
def q_parser() -> Lark:
    grammar = (Path(__file__).parent / "q.lark").read_text()
    return Lark(grammar, parser="lalr", propagate_positions=True)


def parse_query(q: str) -> Query:
    """Parse q; raise ValidationFailed (field "q") naming what is wrong and where."""
    check_text(q)
    try:
        tree = q_parser().parse(q)
    except UnexpectedInput as error:
        raise invalid_query(syntax_problem(q, error)) from None
    try:
        query = QueryBuilder(q).transform(tree)
    except VisitError as error:
        raise error.orig_exc from None
    check_size(query)
    return query


def check_text(q: str) -> None:
    if len(q) > MAX_QUERY_LENGTH:
        raise invalid_query(f"is longer than {MAX_QUERY_LENGTH} characters")
    if "\x00" in q:
        raise invalid_query("must not contain the NUL character")
    try:
        q.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid_query("must be valid Unicode text") from None


def check_size(query: Query) -> None:
    if len(query.terms) > MAX_TERMS:
        raise invalid_query(f"has more than {MAX_TERMS} terms")
    for term in query.terms:
        if isinstance(term.condition, AnyOf) and len(term.condition.values) > MAX_VALUES:
            raise invalid_query(f"{excerpt(term.text)} (column {term.column}) lists more than {MAX_VALUES} values")


def excerpt(text: str, limit: int = 60) -> str:
    """The text, shortened for an error message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def syntax_problem(q: str, error: UnexpectedInput) -> str:
    position = error_position(q, error)
    operator, operator_start = unknown_operator_at(q, position)
    if operator:
        return f"unknown operator '{operator}' at column {operator_start + 1}; use >, >=, < or <="
    if q.startswith('"', position) and not QUOTED_VALUE.match(q, position):
        return f"the quoted value at column {position + 1} has no closing quote"
    expected = [description for name, description in EXPECTED_NAMES.items() if name in accepted_terminals(q)]
    hint = f"; expected {', '.join(expected[:-1])} or {expected[-1]}" if len(expected) > 1 else ""
    hint = f"; expected {expected[0]}" if len(expected) == 1 else hint
    return f"unexpected {describe_found(q, position)} at column {position + 1}{hint}"


def error_position(q: str, error: UnexpectedInput) -> int:
    at_end = isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END")
    position = error.pos_in_stream
    if at_end or not isinstance(position, int) or not 0 <= position < len(q):
        return len(q)
    return position


def accepted_terminals(q: str) -> set[str]:
    """What the parser would have accepted where q went wrong (exact, unlike the LALR error's lookahead set)."""
    interactive = q_parser().parse_interactive(q)
    with suppress(UnexpectedInput):
        interactive.exhaust_lexer()
    return set(interactive.accepts())


def describe_found(q: str, position: int) -> str:
    if position >= len(q):
        return "end of the query"
    character = q[position]
    return "white space" if character.isspace() else repr(character)


def unknown_operator_at(q: str, position: int) -> tuple[str, int]:
    """The run of operator characters around `position` and where it starts, when it is not an operator we know."""
    for match in OPERATOR_CHARACTERS.finditer(q):
        if match.start() <= position < match.end() and match.group() not in set(Operator):
            return match.group(), match.start()
    return "", position


@v_args(inline=True)
class QueryBuilder(Transformer):
    """Turns the lark tree into `Query` nodes."""

    def __init__(self, q: str):
        super().__init__()
        self.q = q

    def start(self, *terms: Term) -> Query:
        return Query(tuple(terms))

    @v_args(meta=True, inline=False)
    def term(self, meta, children) -> Term:
        path_token, condition = children
        path = tuple(str(path_token).split("."))
        text = self.q[meta.start_pos : meta.end_pos]
        if len(path) > MAX_PATH_DEPTH:
            raise invalid_query(
                f"{excerpt(text)} (column {meta.column}): the field path is deeper than {MAX_PATH_DEPTH} levels"
            )
        if isinstance(condition, AnyOf):
            self.check_no_keywords(condition.values, text, meta.column)
        return Term(path, condition, column=meta.column, text=text)

    def check_no_keywords(self, values: tuple[Value, ...], text: str, column: int) -> None:
        for value in values:
            if isinstance(value, Bare) and value.text in KEYWORDS:
                raise invalid_query(
                    f"{excerpt(text)} (column {column}): {value.text} cannot be one of several values; "
                    f"write it as its own term, e.g. field:{value.text}"
                )

    def equals(self, value: Value):
        if isinstance(value, Bare) and value.text in KEYWORDS:
            return KEYWORDS[value.text]
        return Equals(value)

    def any_of(self, *values: Value) -> AnyOf:
        return AnyOf(tuple(values))

    def compare(self, *bounds: Bound) -> Compare:
        return Compare(tuple(bounds))

    def bound(self, operator: Token, value: Value) -> Bound:
        return Bound(Operator(str(operator)), value)

    def quoted(self, token: Token) -> Quoted:
        return Quoted(ESCAPED_CHARACTER.sub(r"\1", str(token)[1:-1]))

    def bare(self, token: Token) -> Bare:
        return Bare(str(token))
