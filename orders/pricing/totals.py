"""Order totals in cents, built from the component prices so that every total is the sum of its parts."""

from collections.abc import Sequence
from dataclasses import dataclass

from orders.pricing.entries import EntryPrices
from orders.pricing.money import Price, TaxedPrice, TaxKey, common_key, total
from orders.pricing.rounding import CURRENCY_PLACES, allocate


@dataclass(frozen=True)
class OrderTotals:
    gross_based: bool
    price: Price  # the entries before discounts
    goods: Price  # the entries after discounts
    fees: Price  # entry fees and payment fees
    shipping: Price
    final: Price  # goods + fees + shipping
    tax_lines: tuple[TaxedPrice, ...]  # final, split by tax code and rate


def order_totals(
    entries: Sequence[EntryPrices], shipping: Sequence[TaxedPrice], payment_fees: Sequence[TaxedPrice]
) -> OrderTotals:
    gross_based = is_gross_based(entries)

    def in_cents(prices) -> Price:
        return total(prices).to_currency(gross_based=gross_based)

    goods = in_cents(entry.discounted for entry in entries)
    fees = in_cents([*(entry.total_fee for entry in entries), *(fee.price for fee in payment_fees)])
    shipping_total = in_cents(line.price for line in shipping)
    final = goods + fees + shipping_total
    components = [part for entry in entries for part in entry.components()] + [*shipping, *payment_fees]
    return OrderTotals(
        gross_based=gross_based,
        price=in_cents(entry.price for entry in entries),
        goods=goods,
        fees=fees,
        shipping=shipping_total,
        final=final,
        tax_lines=tax_aggregate(final, components, gross_based=gross_based),
    )


def is_gross_based(entries: Sequence[EntryPrices]) -> bool:
    """Totals are rounded on the gross side when every entry is priced gross, else on the net side."""
    return bool(entries) and all(entry.entry.gross for entry in entries)


def tax_aggregate(final: Price, components: Sequence[TaxedPrice], *, gross_based: bool) -> tuple[TaxedPrice, ...]:
    """`final` split into one line per tax code and rate; the lines add up to it to the cent."""
    groups: dict[TaxKey, list[Price]] = {}
    for component in components:
        groups.setdefault(component.key, []).append(component.price)
    keys = sorted(groups, key=TaxKey.sort_key)
    prices = split_in_cents(final, [total(groups[key]) for key in keys], gross_based=gross_based)
    return tuple(TaxedPrice(key, price) for key, price in zip(keys, prices, strict=True))


def split_in_cents(whole: Price, parts: Sequence[Price], *, gross_based: bool) -> list[Price]:
    """Round `parts` to cents so that they add up to `whole`.

    Differences go on the largest part: the tax one on the part with the most tax (an untaxed part never gets
    any), the other on the part with the largest gross.
    """
    weights = [part.gross for part in parts]
    taxes = allocate(whole.tax, [part.tax for part in parts], CURRENCY_PLACES)
    if gross_based:
        grosses = allocate(whole.gross, [part.gross for part in parts], CURRENCY_PLACES, weights=weights)
        return [Price(gross - tax, tax, gross) for gross, tax in zip(grosses, taxes, strict=True)]
    nets = allocate(whole.net, [part.net for part in parts], CURRENCY_PLACES, weights=weights)
    return [Price(net, tax, net + tax) for net, tax in zip(nets, taxes, strict=True)]


def final_key(totals: OrderTotals) -> TaxKey | None:
    return common_key(line.key for line in totals.tax_lines)
