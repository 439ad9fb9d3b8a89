"""What the value at a document path must satisfy. Pure Python; `json_sql` turns these into SQL."""

from dataclasses import dataclass
from decimal import Decimal

from .ast import Operator


@dataclass(frozen=True)
class OneOf:
    """Equal to one of these values, type for type: a text never equals a number."""

    texts: tuple[str, ...] = ()
    numbers: tuple[Decimal, ...] = ()
    booleans: tuple[bool, ...] = ()

    def json_values(self) -> tuple[str | Decimal | bool, ...]:
        return (*self.texts, *self.numbers, *self.booleans)


@dataclass(frozen=True)
class NumberRange:
    """A JSON number within every bound."""

    bounds: tuple[tuple[Operator, Decimal], ...]


@dataclass(frozen=True)
class TextRange:
    """A JSON string within every bound, compared code point by code point (how ISO date-times in UTC sort)."""

    bounds: tuple[tuple[Operator, str], ...]


@dataclass(frozen=True)
class Present:
    """Present and neither null nor the empty string."""


Predicate = OneOf | NumberRange | TextRange | Present
