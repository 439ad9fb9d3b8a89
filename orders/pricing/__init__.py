"""Order pricing: plain data in, plain data out, `Decimal` only, no Django.

`calculate(order)` takes an order document (the API's camelCase JSON, numbers as Decimal or int) and returns a new
document with every price recalculated. The formulas and rounding rules are in docs/calculation.md.
"""

from orders.pricing.engine import calculate
from orders.pricing.errors import PricingError

__all__ = ["PricingError", "calculate"]
