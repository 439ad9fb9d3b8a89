"""Entry prices: unit price times quantity in the entry's price model, discounts, fees."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from orders.pricing.discounts import AppliedDiscount, apply_discounts
from orders.pricing.fees import fee_price
from orders.pricing.inputs import Discount, Entry, Fee
from orders.pricing.money import Price, TaxedPrice, TaxKey, common_key, total
from orders.pricing.rounding import quantize


@dataclass(frozen=True)
class DiscountPrice:
    discount: Discount
    amount: Decimal  # in the entry's price model
    price: Price


@dataclass(frozen=True)
class FeePrice:
    fee: Fee
    price: Price


@dataclass(frozen=True)
class EntryPrices:
    entry: Entry
    unit: Price  # the unit price, in the entry's price model
    price: Price  # before discounts
    discounts: tuple[DiscountPrice, ...]
    discounted: Price
    fees: tuple[FeePrice, ...]
    total_fee: Price
    final: Price  # discounted + total_fee

    def components(self) -> list[TaxedPrice]:
        """The parts that go into the order's tax aggregate."""
        goods = TaxedPrice(self.entry.key, self.discounted)
        return [goods, *(TaxedPrice(fee.fee.key, fee.price) for fee in self.fees)]

    @property
    def final_key(self) -> TaxKey | None:
        return common_key(part.key for part in self.components())


def price_entries(entries: Sequence[Entry], order_discounts: Sequence[Discount]) -> list[EntryPrices]:
    amounts = [quantize(entry.unit_price * entry.quantity) for entry in entries]
    applied = apply_discounts(amounts, [entry.discounts for entry in entries], order_discounts)
    return [_price_entry(*args) for args in zip(entries, amounts, applied, strict=True)]


def _price_entry(entry: Entry, amount: Decimal, applied: list[AppliedDiscount]) -> EntryPrices:
    price = _price_of(entry, amount)
    discounts, discounted = _discount_prices(entry, amount, price, applied)
    fees = tuple(FeePrice(fee, fee_price(fee, base=price.net, quantity=entry.quantity)) for fee in entry.fees)
    total_fee = total(fee.price for fee in fees)
    unit = _price_of(entry, entry.unit_price)
    return EntryPrices(entry, unit, price, discounts, discounted, fees, total_fee, discounted + total_fee)


def _discount_prices(
    entry: Entry, amount: Decimal, price: Price, applied: list[AppliedDiscount]
) -> tuple[tuple[DiscountPrice, ...], Price]:
    """Each discount's share of net, tax and gross: the drop in price it causes, so the shares add up exactly."""
    discounts = []
    for step in applied:
        amount -= step.amount
        after = _price_of(entry, amount)
        discounts.append(DiscountPrice(step.discount, step.amount, price - after))
        price = after
    return tuple(discounts), price


def _price_of(entry: Entry, amount: Decimal) -> Price:
    return Price.from_amount(amount, entry.key.percent, gross=entry.gross)
