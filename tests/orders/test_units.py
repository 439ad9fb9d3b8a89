"""Unit conversion by UN/ECE code: the factors written out from the units' definitions, not read from pint."""

from decimal import Decimal

import pytest

from orders.units import UnitError, check_unit, convert

D = Decimal


@pytest.mark.parametrize(
    ("amount", "from_unit", "to_unit", "expected"),
    [
        ("950", "GRM", "KGM", "0.95"),
        ("1.5", "KGM", "GRM", "1500"),
        ("1", "TNE", "KGM", "1000"),
        ("250", "MGM", "GRM", "0.25"),
        ("1", "LBR", "KGM", "0.45359237"),  # the international pound, exactly
        ("16", "ONZ", "LBR", "1"),
        ("1", "ONZ", "GRM", "28.349523125"),
        ("250", "MLT", "LTR", "0.25"),
        ("1", "CLT", "MLT", "10"),
        ("3", "DLT", "LTR", "0.3"),
        ("1", "KMT", "MTR", "1000"),
        ("2.5", "MTR", "CMT", "250"),
        ("1", "CMT", "MMT", "10"),
        ("2", "HUR", "MIN", "120"),
        ("90", "MIN", "HUR", "1.5"),
        ("5", "H87", "C62", "5"),
        ("5", "C62", "H87", "5"),
        ("0", "GRM", "KGM", "0"),
    ],
)
def test_convert_by_the_units_definitions(amount, from_unit, to_unit, expected):
    converted = convert(D(amount), from_unit, to_unit)
    assert isinstance(converted, Decimal)
    assert converted == D(expected)


def test_convert_to_the_same_unit_keeps_the_amount_as_written():
    assert str(convert(D("2.50"), "KGM", "KGM")) == "2.50"
    assert str(convert(D("7"), "MTQ", "MTQ")) == "7"


@pytest.mark.parametrize(
    ("amount", "from_unit", "to_unit", "expected"),
    [("1", "MTQ", "LTR", "1000"), ("500", "LTR", "MTQ", "0.5")],
)
def test_convert_cubic_metres(amount, from_unit, to_unit, expected):
    assert convert(D(amount), from_unit, to_unit) == D(expected)


def test_convert_square_metres_into_metres_is_a_unit_error():
    with pytest.raises(UnitError, match=r"^Cannot convert MTK into MTR\.$"):
        convert(D(1), "MTK", "MTR")


@pytest.mark.parametrize(
    ("from_unit", "to_unit"),
    [("H87", "KGM"), ("KGM", "LTR"), ("LTR", "MTR"), ("HUR", "KGM"), ("GRM", "C62")],
)
def test_convert_between_kinds_is_a_unit_error(from_unit, to_unit):
    with pytest.raises(UnitError) as raised:
        convert(D(1), from_unit, to_unit)
    assert str(raised.value) == f"Cannot convert {from_unit} into {to_unit}."


@pytest.mark.parametrize(("from_unit", "to_unit"), [("XYZ", "KGM"), ("KGM", "XYZ"), ("XYZ", "XYZ"), ("kgm", "KGM")])
def test_convert_unknown_units_is_a_unit_error_listing_known_codes(from_unit, to_unit):
    with pytest.raises(UnitError) as raised:
        convert(D(1), from_unit, to_unit)
    unknown = from_unit if from_unit != "KGM" else to_unit
    assert str(raised.value) == f"Unknown unit {unknown!r}; use a UN/ECE code such as H87, C62, KGM, GRM, MGM, TNE."


def test_check_unit_returns_known_codes():
    assert [check_unit(code) for code in ("H87", "KGM", "LTR", "MIN")] == ["H87", "KGM", "LTR", "MIN"]
    with pytest.raises(UnitError):
        check_unit("")
