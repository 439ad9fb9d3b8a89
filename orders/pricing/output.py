"""Writes calculated prices into the order document: `calculatedPrice` and the legacy fields derived from it."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from orders.pricing.entries import DiscountPrice, EntryPrices, FeePrice
from orders.pricing.inputs import Fee, ShippingLine
from orders.pricing.money import Price, TaxedPrice, TaxKey, common_key
from orders.pricing.totals import OrderTotals, final_key

# Keys of `calculatedPrice` the engine owns: rewritten on every calculation, dropped when they no longer apply.
# Others (upliftValue, mixins, …) are kept as they are.
OWNED_KEYS = ("price", "discountedPrice", "totalDiscount", "fees", "totalFee", "finalPrice")
SHIPPING_KEYS = ("shipping", "totalShipping")  # owned only when the order has shipping lines

BEFORE_TAX = "ApplyDiscountBeforeTax"
AFTER_TAX = "ApplyDiscountAfterTax"


def price_fields(price: Price, key: TaxKey | None = None) -> dict[str, Any]:
    """A `calculatedPrice` object; taxCode and taxRate only when known and shared by all its parts."""
    fields: dict[str, Any] = {"netValue": price.net, "grossValue": price.gross, "taxValue": price.tax}
    if key is not None and key.code is not None:
        fields["taxCode"] = key.code
    if key is not None and key.rate is not None:
        fields["taxRate"] = key.rate
    return fields


# --- entries ----------------------------------------------------------------------------------------------------------


def write_entry(entry: dict[str, Any], prices: EntryPrices, currency: str | None) -> None:
    key, gross = prices.entry.key, prices.entry.gross
    computed: dict[str, Any] = {"price": price_fields(prices.price, key)}
    if prices.discounts:
        computed["discountedPrice"] = {
            **price_fields(prices.discounted, key),
            "appliedDiscounts": [_applied_discount(discount, key) for discount in prices.discounts],
        }
    if prices.fees:
        computed["fees"] = [_fee(fee) for fee in prices.fees]
        computed["totalFee"] = price_fields(prices.total_fee, common_key(fee.fee.key for fee in prices.fees))
    if prices.discounts:
        computed["totalDiscount"] = _total_discount(prices.price - prices.discounted, key, gross=gross)
    computed["finalPrice"] = price_fields(prices.final, prices.final_key)
    entry["calculatedUnitPrice"] = _unit_price(entry.get("calculatedUnitPrice"), prices)
    entry["calculatedPrice"] = _merge(entry.get("calculatedPrice"), computed, owned=OWNED_KEYS)
    entry["totalPrice"] = prices.final.amount(gross=gross)
    entry["tax"] = _legacy_tax([TaxedPrice(key, prices.discounted)], prices.discounted.tax, currency, inclusive=gross)


def _unit_price(stored: Any, prices: EntryPrices) -> dict[str, Any]:
    """The unit price the entry was priced at, with its tax; the stored object's other keys are kept after it."""
    computed = price_fields(prices.unit, prices.entry.key)
    extra = stored.items() if isinstance(stored, dict) else ()
    return {**computed, **{name: value for name, value in extra if name not in computed}}


def _applied_discount(applied: DiscountPrice, key: TaxKey) -> dict[str, Any]:
    fields: dict[str, Any] = {} if applied.discount.id is None else {"id": applied.discount.id}
    fields.update(
        value=applied.amount,
        price=price_fields(applied.price, key),
        discountType=applied.discount.type,
        origin=applied.discount.origin,
    )
    return fields


def _fee(fee: FeePrice) -> dict[str, Any]:
    identity = _fee_identity(fee.fee)
    return {**identity, "type": fee.fee.type, "origin": "EXTERNAL", "price": price_fields(fee.price, fee.fee.key)}


def _fee_identity(fee: Fee) -> dict[str, Any]:
    fields = {} if fee.id is None else {"id": fee.id}
    if fee.name is not None:
        fields["name"] = fee.name
    return fields


# --- order ------------------------------------------------------------------------------------------------------------


def write_order(
    order: dict[str, Any],
    entries: Sequence[EntryPrices],
    totals: OrderTotals,
    *,
    shipping_keys: Sequence[TaxKey],
    payment_fees: Sequence[TaxedPrice],
) -> None:
    """`shipping_keys` are the tax keys of the shipping lines; without lines, the stored shipping stays."""
    stored = order.get("calculatedPrice") if isinstance(order.get("calculatedPrice"), dict) else {}
    computed = _order_prices(stored, entries, totals, shipping_keys, payment_fees)
    owned = OWNED_KEYS + (SHIPPING_KEYS if shipping_keys else ())
    order["calculatedPrice"] = _merge(stored, computed, owned=owned)
    order["subTotalPrice"] = totals.price.amount(gross=totals.gross_based)
    order["totalPrice"] = totals.final.gross
    order["tax"] = _legacy_tax(totals.tax_lines, totals.final.tax, order.get("currency"), inclusive=totals.gross_based)


def _order_prices(
    stored: dict[str, Any],
    entries: Sequence[EntryPrices],
    totals: OrderTotals,
    shipping_keys: Sequence[TaxKey],
    payment_fees: Sequence[TaxedPrice],
) -> dict[str, Any]:
    entry_key = common_key(entry.entry.key for entry in entries)
    entry_fee_keys = [fee.fee.key for entry in entries for fee in entry.fees]
    fee_key = common_key([*entry_fee_keys, *(fee.key for fee in payment_fees)])
    discounted = any(entry.discounts for entry in entries)
    computed: dict[str, Any] = {"price": price_fields(totals.price, entry_key)}
    if discounted:
        computed["discountedPrice"] = price_fields(totals.goods, entry_key)
    if payment_fees:
        computed["paymentFees"] = [
            {**fee_document, "price": price_fields(fee.price, fee.key)}
            for fee_document, fee in zip(stored["paymentFees"], payment_fees, strict=True)
        ]
    if payment_fees or entry_fee_keys:
        computed["fees"] = price_fields(totals.fees, fee_key)  # fees are never discounted: fees = totalFee
        computed["totalFee"] = price_fields(totals.fees, fee_key)
    if discounted:
        computed["totalDiscount"] = _total_discount(totals.price - totals.goods, entry_key, gross=totals.gross_based)
    if shipping_keys:
        computed["shipping"] = price_fields(totals.shipping, common_key(shipping_keys))  # nor is shipping
        computed["totalShipping"] = price_fields(totals.shipping, common_key(shipping_keys))
    computed["finalPrice"] = {
        **price_fields(totals.final, final_key(totals)),
        "taxAggregate": {"lines": [price_fields(line.price, line.key) for line in totals.tax_lines]},
    }
    return computed


def write_shipping_lines(order: dict[str, Any], lines: Sequence[ShippingLine], prices: Sequence[Price]) -> None:
    """Each shipping line's deprecated `tax.total`: the tax of its price, as Emporix answers it."""
    money = {} if order.get("currency") is None else {"currency": order["currency"]}
    documents = [dict(line) for line in order["shipping"]["lines"]]
    for document, line, price in zip(documents, lines, prices, strict=True):
        tax = dict(document.get("tax") or {})
        tax["total"] = {**(tax.get("total") or {}), "amount": price.tax, **money, "inclusive": line.gross}
        document["tax"] = tax
    order["shipping"] = {**order["shipping"], "lines": documents}


# --- shared -----------------------------------------------------------------------------------------------------------


def _total_discount(discount: Price, key: TaxKey | None, *, gross: bool) -> dict[str, Any]:
    return {
        "calculationType": AFTER_TAX if gross else BEFORE_TAX,
        "value": discount.amount(gross=gross),
        "price": price_fields(discount, key),
    }


def _legacy_tax(lines: Sequence[TaxedPrice], amount: Decimal, currency: str | None, *, inclusive: bool) -> dict:
    """The deprecated `tax` object: one line per taxed tax code and rate, and the total tax."""
    money = {} if currency is None else {"currency": currency}
    tax_lines = []
    for line in lines:
        if line.key.code is None and line.key.rate is None:
            continue
        tax_line: dict[str, Any] = {"amount": line.price.tax, **money}
        if line.key.code is not None:
            tax_line.update(code=line.key.code, name=line.key.code)
        tax_line.update(rate=line.key.rate if line.key.rate is not None else 0, sequenceId=len(tax_lines))
        tax_line["inclusive"] = inclusive
        tax_lines.append(tax_line)
    return {"lines": tax_lines, "total": {"amount": amount, **money, "inclusive": inclusive}}


def _merge(stored: Any, computed: dict[str, Any], *, owned: Sequence[str]) -> dict[str, Any]:
    """`computed` over `stored`, keeping the stored keys' order; owned keys not computed this time are dropped."""
    stored = stored if isinstance(stored, dict) else {}
    merged = {
        name: computed.get(name, value) for name, value in stored.items() if name in computed or name not in owned
    }
    merged.update((name, value) for name, value in computed.items() if name not in merged)
    return merged
