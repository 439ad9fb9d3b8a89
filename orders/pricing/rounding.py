"""Rounding: the only place where amounts are rounded.

Components (entry prices, discounts, fees, shipping lines, payment fees) keep 3 decimals; currency totals
(the order's totals and tax aggregate lines) keep 2. Always half-up.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

COMPONENT_PLACES = 3
CURRENCY_PLACES = 2

_STEPS = {places: Decimal(1).scaleb(-places) for places in (COMPONENT_PLACES, CURRENCY_PLACES)}
_ZERO = Decimal(0)


def quantize(value: Decimal, places: int = COMPONENT_PLACES) -> Decimal:
    """Round half-up to `places` decimals."""
    return value.quantize(_STEPS[places], rounding=ROUND_HALF_UP)


def allocate(
    total: Decimal,
    parts: Sequence[Decimal],
    places: int,
    *,
    weights: Sequence[Decimal] | None = None,
    limits: Sequence[Decimal] | None = None,
) -> list[Decimal]:
    """Round each part and put the difference to `total` on the largest line, so the parts add up to it exactly.

    The largest line is the one with the largest weight (the part itself by default). A part never goes below
    zero nor above its limit: what the largest line cannot take goes to the next largest.
    """
    rounded = [quantize(part, places) for part in parts]
    difference = total - sum(rounded, _ZERO)
    if not difference:
        return rounded
    ranking = weights if weights is not None else parts
    for index in sorted(range(len(rounded)), key=ranking.__getitem__, reverse=True):
        adjusted = max(rounded[index] + difference, _ZERO)
        if limits is not None:
            adjusted = min(adjusted, limits[index])
        difference -= adjusted - rounded[index]
        rounded[index] = adjusted
        if not difference:
            return rounded
    raise ValueError(f"cannot allocate {total} over {list(parts)}")
