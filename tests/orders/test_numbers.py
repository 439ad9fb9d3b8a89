"""The bounds every client number is read within."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.documents import InvalidJSON, loads
from orders.numbers import MAX_DIGITS, MAX_EXPONENT, NumberOutOfBounds, bounded_decimal, whole_number_or_none


@pytest.mark.parametrize(
    "text", ["0", "0.000", "1E+40", "-1E+40", "1E-40", "1" * 40 + "E-40", "9" * 40, "0." + "0" * 39 + "1", "1.5e3"]
)
def test_numbers_within_bounds_are_read_exactly(text):
    assert bounded_decimal(text) == Decimal(text)


@pytest.mark.parametrize(
    "text", ["1E+41", "1E-41", "1" * 41, "0." + "0" * 40 + "1", "1E+1000000", "0E-1000000", "NaN", "Infinity", "1x"]
)
def test_numbers_out_of_bounds_are_refused(text):
    with pytest.raises(NumberOutOfBounds, match="out of bounds"):
        bounded_decimal(text)


@pytest.mark.parametrize("digits", [MAX_DIGITS + 1, 4300, 5000, 100_000])
def test_json_integers_of_more_than_the_digits_are_refused(digits):
    for text in ["9" * digits, "-" + "9" * digits]:
        with pytest.raises(InvalidJSON, match="out of bounds"):
            loads('{"version": ' + text + "}")


def test_json_integers_and_digit_strings_within_bounds_are_read():
    assert loads('{"a": ' + "9" * MAX_DIGITS + "}") == {"a": int("9" * MAX_DIGITS)}
    assert loads('{"a": "' + "9" * 100 + '"}') == {"a": "9" * 100}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("0", 0),
        ("0010", 10),
        ("100", 100),
        ("101", None),
        ("", None),
        ("-1", None),
        ("\N{ARABIC-INDIC DIGIT ONE}", None),
    ],
)
def test_whole_numbers_of_query_parameters(text, expected):
    assert whole_number_or_none(text, 100) == expected


def test_whole_numbers_of_any_length_are_answered_without_conversion():
    assert whole_number_or_none("9" * 100_000, 10**9) is None


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_a_decimal_is_accepted_exactly_when_within_bounds(value):
    _sign, digits, exponent = value.as_tuple()
    within = len(digits) <= MAX_DIGITS and exponent >= -MAX_EXPONENT and exponent + len(digits) - 1 <= MAX_EXPONENT
    try:
        assert bounded_decimal(str(value)) == value and within
    except NumberOutOfBounds:
        assert not within
