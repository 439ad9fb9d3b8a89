"""Numbers a client sends, bounded before any arithmetic or conversion.

`int("9" * 10**6)` or `int(Decimal("1E+1000000"))` keeps a CPU busy for minutes, and exponents past the databases'
numeric types make them fail. Every number that comes from outside — JSON bodies, query parameters — is read
here, as text, and refused when it has too many digits or too large an exponent, before it becomes a value.
"""

from decimal import Decimal, InvalidOperation

# Far more than any amount, price, quantity or version needs (money columns hold 20 digits), and small enough
# that every conversion and comparison is instant and every backend can store the number.
MAX_DIGITS = 40
# Decimal places and powers of ten a number may have: 1E+40 and 1E-40 at most.
MAX_EXPONENT = 40
RULE = f"at most {MAX_DIGITS} digits and a magnitude between 1E-{MAX_EXPONENT} and 1E+{MAX_EXPONENT}"


class NumberOutOfBounds(ValueError):
    """The text is not a number we accept."""

    def __init__(self, text: str):
        shown = text if len(text) <= 24 else f"{text[:20]}…"
        super().__init__(f"The number {shown} is out of bounds: numbers must have {RULE}")


def bounded_decimal(text: str) -> Decimal:
    """The Decimal a JSON number's text stands for (with a fraction or exponent), if it is within bounds."""
    if len(text) > 2 * MAX_DIGITS + 8:
        raise NumberOutOfBounds(text)
    try:
        value = Decimal(text)  # parses the exponent without expanding it: cheap whatever the text says
    except InvalidOperation:
        raise NumberOutOfBounds(text) from None
    if not value.is_finite() or not is_within_bounds(value):
        raise NumberOutOfBounds(text)
    return value


def is_within_bounds(value: Decimal) -> bool:
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return False  # NaN or infinity
    significant = len(digits)
    return significant <= MAX_DIGITS and exponent >= -MAX_EXPONENT and exponent + significant - 1 <= MAX_EXPONENT


def whole_number_or_none(text: str, maximum: int) -> int | None:
    """The whole number 0…maximum written in `text` with ASCII digits only, or None."""
    if not text or len(text) > len(str(maximum)) + 8 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= maximum else None
