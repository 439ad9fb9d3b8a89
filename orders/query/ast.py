"""The parsed form of a q string: small frozen dataclasses, no behaviour.

`Bare` values keep their text: whether `20` is a number, `true` a boolean or `2021-05-18` a date is decided by
the compiler, which knows the field.
"""

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class Bare:
    """An unquoted value."""

    text: str


@dataclass(frozen=True)
class Quoted:
    """A value in double quotes, unescaped: always text (or, after an operator, a date)."""

    text: str


Value = Bare | Quoted


class Operator(StrEnum):
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="


@dataclass(frozen=True)
class Bound:
    operator: Operator
    value: Value


@dataclass(frozen=True)
class Equals:
    """`field:value`"""

    value: Value


@dataclass(frozen=True)
class AnyOf:
    """`field:(a,b)`: equal to one of the values."""

    values: tuple[Value, ...]


@dataclass(frozen=True)
class Compare:
    """`field:>20` or `field:(>=10 AND <=20)`: every bound holds (for the same array element)."""

    bounds: tuple[Bound, ...]


@dataclass(frozen=True)
class IsNull:
    """`field:null`: missing, null or empty."""


@dataclass(frozen=True)
class IsPresent:
    """`field:exists`: present and neither null nor empty."""


Condition = Equals | AnyOf | Compare | IsNull | IsPresent


@dataclass(frozen=True)
class Term:
    path: tuple[str, ...]
    condition: Condition
    # Where the term stands in the q string, for error messages; not part of its meaning.
    column: int = field(default=0, compare=False)
    text: str = field(default="", compare=False)

    @property
    def dotted_path(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Query:
    """Terms that must all hold."""

    terms: tuple[Term, ...]
