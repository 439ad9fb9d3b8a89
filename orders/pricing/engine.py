"""The entry point: an order document in, the same document with its prices recalculated out."""

from collections.abc import Mapping
from decimal import Context, Decimal, DecimalException, localcontext
from typing import Any

from orders.pricing.documents import copy_without_floats
from orders.pricing.entries import EntryPrices, price_entries
from orders.pricing.errors import PricingError
from orders.pricing.fees import fee_price
from orders.pricing.inputs import OrderInputs, PaymentFee, read_order
from orders.pricing.money import Price, TaxedPrice, total
from orders.pricing.output import write_entry, write_order, write_shipping_lines
from orders.pricing.totals import order_totals

# Room for any realistic amount at 3 decimals; whatever does not fit is refused, never silently rounded.
_CONTEXT = Context(prec=34)


def calculate(order: Mapping[str, Any], *, tax_rates: Mapping[str, Decimal | int] | None = None) -> dict[str, Any]:
    """Return a copy of `order` with `calculatedPrice` recalculated on every entry and on the order.

    `tax_rates` gives rates for tax codes of fees and shipping lines that the order does not price itself.
    The input is never changed. Raises PricingError when the order cannot be priced as it stands: a float
    anywhere, an entry without a tax rate, a malformed or negative amount.
    """
    document = copy_without_floats(order)
    rates = copy_without_floats(dict(tax_rates or {}), "tax_rates")
    with localcontext(_CONTEXT):
        try:
            return _calculate(document, rates)
        except DecimalException as error:
            raise PricingError(f"The order's amounts are too large to price: {error!r}") from error


def _calculate(document: dict[str, Any], rates: Mapping[str, Decimal | int]) -> dict[str, Any]:
    inputs = read_order(document, rates)
    entries = price_entries(inputs.entries, inputs.discounts)
    shipping = _shipping(inputs)
    payment_fees = _payment_fees(inputs, entries, shipping)
    totals = order_totals(entries, shipping, payment_fees)
    currency = document.get("currency")
    for entry, prices in zip(document.get("entries") or [], entries, strict=True):
        write_entry(entry, prices, currency)
    shipping_keys = [line.key for line in inputs.shipping_lines]
    write_order(document, entries, totals, shipping_keys=shipping_keys, payment_fees=payment_fees)
    if inputs.shipping_lines:
        write_shipping_lines(document, inputs.shipping_lines, [line.price for line in shipping])
    return document


def _shipping(inputs: OrderInputs) -> list[TaxedPrice]:
    """The shipping lines' prices; without lines, the stored total shipping."""
    if inputs.shipping_lines:
        return [
            TaxedPrice(line.key, Price.from_amount(line.amount, line.key.percent, gross=line.gross))
            for line in inputs.shipping_lines
        ]
    return [inputs.stored_shipping] if inputs.stored_shipping is not None else []


def _payment_fees(inputs: OrderInputs, entries: list[EntryPrices], shipping: list[TaxedPrice]) -> list[TaxedPrice]:
    """Percent fees are a share of the entries' final net plus shipping net."""
    base = total(entry.final for entry in entries).net + total(line.price for line in shipping).net
    quantity = sum((entry.entry.quantity for entry in entries), Decimal(0))
    return [_payment_fee(fee, base, quantity) for fee in inputs.payment_fees]


def _payment_fee(fee: PaymentFee, base: Decimal, quantity: Decimal) -> TaxedPrice:
    if fee.fee is None:
        return fee.stored
    return TaxedPrice(fee.fee.key, fee_price(fee.fee, base=base, quantity=quantity))
