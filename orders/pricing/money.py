"""Prices as net, tax and gross, and the tax code and rate they are taxed under."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from orders.pricing.rounding import CURRENCY_PLACES, quantize

HUNDRED = Decimal(100)
ZERO_AMOUNT = Decimal(0)


@dataclass(frozen=True, slots=True)
class TaxKey:
    """A tax code and rate as the order names them; an untaxed price has neither."""

    code: str | None = None
    rate: Decimal | int | None = None  # kept as given, so it is written back unchanged

    @property
    def percent(self) -> Decimal:
        return Decimal(self.rate) if self.rate is not None else ZERO_AMOUNT

    def sort_key(self) -> tuple:
        return (self.code is None, self.code or "", self.rate is None, self.percent)


UNTAXED = TaxKey()


@dataclass(frozen=True, slots=True)
class Price:
    """An amount with its tax; always `net + tax == gross`."""

    net: Decimal
    tax: Decimal
    gross: Decimal

    @classmethod
    def from_amount(cls, amount: Decimal, rate: Decimal, *, gross: bool) -> "Price":
        """The component price of an amount quoted gross (tax contained) or net (tax added)."""
        amount = quantize(amount)
        if gross:
            tax = quantize(amount * rate / (HUNDRED + rate))
            return cls(amount - tax, tax, amount)
        tax = quantize(amount * rate / HUNDRED)
        return cls(amount, tax, amount + tax)

    @classmethod
    def from_net_and_tax(cls, net: Decimal, tax: Decimal) -> "Price":
        net, tax = quantize(net), quantize(tax)
        return cls(net, tax, net + tax)

    def amount(self, *, gross: bool) -> Decimal:
        return self.gross if gross else self.net

    def to_currency(self, *, gross_based: bool) -> "Price":
        """Round to cents: tax and the quoted side (gross or net) are rounded, the third follows."""
        tax = quantize(self.tax, CURRENCY_PLACES)
        if gross_based:
            gross = quantize(self.gross, CURRENCY_PLACES)
            return Price(gross - tax, tax, gross)
        net = quantize(self.net, CURRENCY_PLACES)
        return Price(net, tax, net + tax)

    def __add__(self, other: "Price") -> "Price":
        return Price(self.net + other.net, self.tax + other.tax, self.gross + other.gross)

    def __sub__(self, other: "Price") -> "Price":
        return Price(self.net - other.net, self.tax - other.tax, self.gross - other.gross)


ZERO = Price(ZERO_AMOUNT, ZERO_AMOUNT, ZERO_AMOUNT)


@dataclass(frozen=True, slots=True)
class TaxedPrice:
    key: TaxKey
    price: Price


def total(prices: Iterable[Price]) -> Price:
    return sum(prices, ZERO)


def common_key(keys: Iterable[TaxKey]) -> TaxKey | None:
    """The tax key all prices share, or None when they differ (or there are none)."""
    distinct = set(keys)
    return distinct.pop() if len(distinct) == 1 else None
