"""Units of measure by their UN/ECE Recommendation 20 codes, converted with pint in Decimal."""

from decimal import Decimal
from functools import cache

import pint

PIECE = "H87"

# The codes an entry or a delivery may carry, and what pint calls them.
UNECE_UNITS = {
    "H87": "count",  # piece
    "C62": "count",  # one (unit)
    "KGM": "kilogram",
    "GRM": "gram",
    "MGM": "milligram",
    "TNE": "metric_ton",
    "LBR": "pound",
    "ONZ": "ounce",
    "LTR": "liter",
    "MLT": "milliliter",
    "CLT": "centiliter",
    "DLT": "deciliter",
    "MTQ": "meter ** 3",
    "MTR": "meter",
    "CMT": "centimeter",
    "MMT": "millimeter",
    "KMT": "kilometer",
    "MTK": "meter ** 2",
    "HUR": "hour",
    "MIN": "minute",
}


# What people call them, for the staff pages: "kg" beside "KGM".
UNIT_NAMES = {
    "H87": "piece",
    "C62": "one",
    "KGM": "kg",
    "GRM": "g",
    "MGM": "mg",
    "TNE": "t",
    "LBR": "lb",
    "ONZ": "oz",
    "LTR": "l",
    "MLT": "ml",
    "CLT": "cl",
    "DLT": "dl",
    "MTQ": "m³",
    "MTR": "m",
    "CMT": "cm",
    "MMT": "mm",
    "KMT": "km",
    "MTK": "m²",
    "HUR": "hour",
    "MIN": "minute",
}


class UnitError(ValueError):
    """A unit code we do not know, or two units that cannot be converted into each other."""


@cache
def _registry() -> pint.UnitRegistry:
    return pint.UnitRegistry(non_int_type=Decimal)


def check_unit(code: str) -> str:
    if code not in UNECE_UNITS:
        raise UnitError(f"Unknown unit {code!r}; use a UN/ECE code such as {', '.join(list(UNECE_UNITS)[:6])}.")
    return code


def convert(amount: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """`amount` of `from_unit` expressed in `to_unit`, exactly (e.g. 950 GRM → 0.950 KGM)."""
    if check_unit(from_unit) == check_unit(to_unit):
        return amount
    registry = _registry()
    try:
        converted = registry.Quantity(Decimal(amount), UNECE_UNITS[from_unit]).to(UNECE_UNITS[to_unit])
    except (pint.DimensionalityError, pint.UndefinedUnitError) as error:
        raise UnitError(f"Cannot convert {from_unit} into {to_unit}.") from error
    return Decimal(converted.magnitude)
