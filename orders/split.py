"""Splitting an order into one suborder per vendor (pure document work; services.split_order saves it).

Entries keep their prices: with no discounts allowed, an entry's price does not depend on the other entries.
The master's shipping and payment fees, as priced for the master, are shared out in cents by the vendors' goods
values (net and tax each, the largest share taking the rounding rest) and given to the suborders as stored
prices, so the engine keeps them instead of taxing each share anew. After the suborders are priced, the master's
order-level prices are set to the sum of theirs: the suborders add up to the master exactly, to the cent.
"""

import copy
from decimal import Decimal
from typing import Any

from .documents import get_path
from .errors import ErrorDetail, ValidationFailed
from .pricing.money import TaxKey
from .pricing.rounding import CURRENCY_PLACES, allocate
from .statuses import OrderStatus

SPLIT_BY_VENDOR = "VENDOR_ID"
SPLIT_CRITERIA = (SPLIT_BY_VENDOR,)
PRICE_VALUES = ("netValue", "taxValue", "grossValue")
ZERO = Decimal(0)


def refuse(message: str, field: str = "orderId") -> ValidationFailed:
    return ValidationFailed(message, [ErrorDetail(field, message, "invalid_split")])


def check_splittable(document: dict, split_by: Any) -> None:
    """Each precondition of a split, with a message of its own."""
    if split_by not in SPLIT_CRITERIA:
        raise refuse(f"Unknown splitBy {split_by!r}; supported: {', '.join(SPLIT_CRITERIA)}.", "splitBy")
    if document.get("masterOrder") or document.get("orderType") == "SUB_ORDER":
        raise refuse("The order is a suborder; suborders cannot be split.")
    if document.get("orderType"):
        raise refuse("The order has already been split.")
    if document["status"] != OrderStatus.CREATED:
        raise refuse(f"Only orders in status CREATED can be split; this one is {document['status']}.", "status")
    if document.get("discounts") or any(entry.get("externalDiscounts") for entry in document["entries"]):
        raise refuse("Orders with discounts cannot be split.", "discounts")
    if any(not get_path(entry, "product.vendor.id") for entry in document["entries"]):
        raise refuse("Every entry needs product.vendor.id to split by vendor.", "entries")
    if len(vendor_groups(document)) < 2:
        raise refuse("The order's entries belong to fewer than two vendors; there is nothing to split.", "entries")


def vendor_groups(document: dict) -> dict[str, list[dict]]:
    """The entries of each vendor, vendors in the order of their first entry."""
    groups: dict[str, list[dict]] = {}
    for entry in document["entries"]:
        groups.setdefault(get_path(entry, "product.vendor.id"), []).append(entry)
    return groups


def suborder_documents(master: dict) -> dict[str, dict]:
    """One unpriced suborder document per vendor, with its share of shipping and payment fees."""
    groups = vendor_groups(master)
    weights = [sum((_net(entry) for entry in entries), ZERO) for entries in groups.values()]
    shipping = _shared_price(get_path(master, "calculatedPrice.totalShipping"), weights)
    payment_fees = _shared_payment_fees(master, weights)
    suborders = {}
    for index, (vendor, entries) in enumerate(groups.items()):
        suborder = _base_document(master)
        suborder.update(
            entries=copy.deepcopy(entries),
            orderType="SUB_ORDER",
            masterOrder=master["id"],
            vendor={"id": vendor},
            splitInfo={"splitBy": SPLIT_BY_VENDOR, "uniqueValue": vendor},
        )
        calculated = {}
        if shipping:
            calculated["totalShipping"] = shipping[index]
        if payment_fees:
            calculated["paymentFees"] = [fees[index] for fees in payment_fees]
        suborder["calculatedPrice"] = calculated
        suborders[vendor] = suborder
    return suborders


def master_after_split(master: dict, suborders: list[dict]) -> dict:
    """The master marked as split, its order-level prices the sums of its suborders' prices."""
    result = copy.deepcopy(master)
    result.update(orderType="MASTER_ORDER", subOrders=[suborder["id"] for suborder in suborders])
    calculated = result.setdefault("calculatedPrice", {})
    for key in ("price", "totalShipping", "totalFee", "fees", "shipping"):
        parts = [get_path(suborder, f"calculatedPrice.{key}") for suborder in suborders]
        if any(parts):
            calculated[key] = _summed([part for part in parts if part], calculated.get(key))
    for index, fee in enumerate(calculated.get("paymentFees") or []):
        fee["price"] = _summed(
            [suborder["calculatedPrice"]["paymentFees"][index]["price"] for suborder in suborders], fee.get("price")
        )
    final_parts = [suborder["calculatedPrice"]["finalPrice"] for suborder in suborders]
    calculated["finalPrice"] = {
        **_summed(final_parts, calculated.get("finalPrice")),
        "taxAggregate": {"lines": _merged_tax_lines(final_parts)},
    }
    result["subTotalPrice"] = sum((Decimal(suborder["subTotalPrice"]) for suborder in suborders), ZERO)
    result["totalPrice"] = calculated["finalPrice"]["grossValue"]
    _legacy_tax_following(
        result.get("tax"), calculated["finalPrice"]["taxAggregate"]["lines"], calculated["finalPrice"]["taxValue"]
    )
    return result


def _net(entry: dict) -> Decimal:
    return Decimal(get_path(entry, "calculatedPrice.finalPrice.netValue", 0))


def _base_document(master: dict) -> dict:
    """What a suborder takes over from its master: customer, addresses, site, currency, mixins…"""
    dropped = {
        "id",
        "entries",
        "calculatedPrice",
        "shipping",
        "subOrders",
        "subTotalPrice",
        "totalPrice",
        "tax",
        "payments",
        "totalAuthorizedAmount",
        "metadata",
    }
    base = {key: copy.deepcopy(value) for key, value in master.items() if key not in dropped}
    base["metadata"] = {key: value for key, value in (master.get("metadata") or {}).items() if key != "version"}
    return base


def _shares(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    whole = sum(weights, ZERO)
    parts = [total * weight / whole if whole else total / len(weights) for weight in weights]
    return allocate(Decimal(total), parts, CURRENCY_PLACES, weights=weights)


def _shared_price(price: Any, weights: list[Decimal]) -> list[dict]:
    if not isinstance(price, dict):
        return []
    nets = _shares(Decimal(price.get("netValue", 0)), weights)
    taxes = _shares(Decimal(price.get("taxValue", 0)), weights)
    return [
        {**price, "netValue": net, "taxValue": tax, "grossValue": net + tax}
        for net, tax in zip(nets, taxes, strict=True)
    ]


def _shared_payment_fees(master: dict, weights: list[Decimal]) -> list[list[dict]]:
    """Per payment fee of the master, for each suborder its share of the fee's price, kept as a stored price."""
    shared = []
    for fee in get_path(master, "calculatedPrice.paymentFees") or []:
        stored = {key: value for key, value in fee.items() if key != "value"}
        shared.append([{**stored, "price": price} for price in _shared_price(fee.get("price"), weights)])
    return shared


def _summed(prices: list[dict], template: Any) -> dict:
    totals = {name: sum((Decimal(price.get(name, 0)) for price in prices), ZERO) for name in PRICE_VALUES}
    kept = {key: value for key, value in (template or {}).items() if key not in PRICE_VALUES and key != "taxAggregate"}
    return {**kept, **totals}


def _merged_tax_lines(final_prices: list[dict]) -> list[dict]:
    """One line per tax code and rate, summed over the suborders, in the order the pricing engine writes lines."""
    merged: dict[TaxKey, list[dict]] = {}
    for price in final_prices:
        for line in get_path(price, "taxAggregate.lines") or []:
            merged.setdefault(_tax_key(line.get("taxCode"), line.get("taxRate")), []).append(line)
    return [_summed(merged[key], merged[key][0]) for key in sorted(merged, key=TaxKey.sort_key)]


def _tax_key(code: Any, rate: Any) -> TaxKey:
    return TaxKey(code, Decimal(rate) if rate is not None else None)


def _legacy_tax_following(tax: Any, merged_lines: list[dict], total: Decimal) -> None:
    """The deprecated `tax` object's lines and total, set from the merged aggregate, so that they add up again."""
    if not isinstance(tax, dict):
        return
    amounts = {_tax_key(line.get("taxCode"), line.get("taxRate")): line["taxValue"] for line in merged_lines}
    for line in tax.get("lines") or []:
        key = _tax_key(line.get("code"), line.get("rate"))
        if isinstance(line, dict) and key in amounts:
            line["amount"] = amounts[key]
    if isinstance(tax.get("total"), dict):
        tax["total"]["amount"] = total
