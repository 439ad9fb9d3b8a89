"""Fees: always quoted net, taxed at the fee's own rate, never discounted."""

from decimal import Decimal

from orders.pricing.inputs import ABSOLUTE, PERCENT, Fee
from orders.pricing.money import HUNDRED, Price


def fee_price(fee: Fee, *, base: Decimal, quantity: Decimal) -> Price:
    """PERCENT is a percentage of `base` (net), ABSOLUTE an amount, ABSOLUTE_MULTIPLY_ITEMQUANTITY one per item."""
    if fee.type == PERCENT:
        net = base * fee.value / HUNDRED
    elif fee.type == ABSOLUTE:
        net = fee.value
    else:
        net = fee.value * quantity
    return Price.from_amount(net, fee.key.percent, gross=False)
