"""Discounts on entry amounts: percent discounts in sequence, then absolute ones, order-wide ones spread pro rata.

Amounts are in each entry's price model (net or gross) and stay on the component grid (3 decimals).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from orders.pricing.inputs import ABSOLUTE, PERCENT, Discount
from orders.pricing.money import HUNDRED, ZERO_AMOUNT
from orders.pricing.rounding import COMPONENT_PLACES, allocate, quantize


@dataclass(frozen=True)
class AppliedDiscount:
    discount: Discount
    amount: Decimal  # taken off the entry, in the entry's price model


def apply_discounts(
    amounts: Sequence[Decimal],
    entry_discounts: Sequence[Sequence[Discount]],
    order_discounts: Sequence[Discount],
) -> list[list[AppliedDiscount]]:
    """What each discount takes off each entry, in the order the discounts apply.

    `amounts[i]` is entry i's undiscounted amount, `entry_discounts[i]` its own discounts. Each entry's percent
    discounts come first, then the order's; then each entry's absolute discounts, then the order's, spread over
    the entries in proportion to what is left of them. No entry goes below zero.
    """
    remaining = list(amounts)
    applied: list[list[AppliedDiscount]] = [[] for _ in amounts]

    def take(index: int, discount: Discount, amount: Decimal) -> None:
        remaining[index] -= amount
        applied[index].append(AppliedDiscount(discount, amount))

    for index, discounts in enumerate(entry_discounts):
        for discount in _of_type(discounts, PERCENT):
            take(index, discount, percent_of(remaining[index], discount.value))
    for discount in _of_type(order_discounts, PERCENT):
        for index, amount in enumerate(remaining):
            take(index, discount, percent_of(amount, discount.value))
    for index, discounts in enumerate(entry_discounts):
        for discount in _of_type(discounts, ABSOLUTE):
            take(index, discount, min(quantize(discount.value), remaining[index]))
    for discount in _of_type(order_discounts, ABSOLUTE):
        for index, share in enumerate(spread(discount.value, remaining)):
            take(index, discount, share)
    return applied


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return quantize(amount * percent / HUNDRED)


def spread(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `amount` over lines in proportion to `weights`, never giving a line more than its weight."""
    whole = sum(weights, ZERO_AMOUNT)
    amount = min(quantize(amount), whole)
    if not amount:
        return [quantize(ZERO_AMOUNT) for _ in weights]
    exact = [amount * weight / whole for weight in weights]
    return allocate(amount, exact, COMPONENT_PLACES, weights=weights, limits=weights)


def _of_type(discounts: Sequence[Discount], kind: str) -> list[Discount]:
    return [discount for discount in discounts if discount.type == kind]
