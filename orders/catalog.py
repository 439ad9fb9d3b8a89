"""Entries priced from the tenant's catalog: entries a client sends without a price, and the changes
`POST …/entries` asks for."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .documents import get_path
from .errors import ErrorDetail, ValidationFailed
from .models import PriceModel, Product, TaxRate, Tenant
from .schema import is_number


@dataclass(frozen=True)
class EntryChange:
    """Set an entry's quantity (0 removes it), or add a catalog product with that quantity."""

    quantity: Decimal
    entry_id: str | None = None
    product_id: str | None = None


def order_country(document: dict) -> str:
    """The country whose tax rates apply; an order naming none gets the tenant's rates for no country."""
    for country in (document.get("countryCode"), get_path(document, "shippingAddress.country")):
        if isinstance(country, str) and country:
            return country
    return ""


def tax_rate(tenant: Tenant, country: str, tax_code: str) -> Decimal:
    rate = TaxRate.objects.filter(tenant=tenant, country=country, tax_code=tax_code).values_list("rate", flat=True)
    if not rate:
        raise ValidationFailed(f"The catalog has no tax rate for {tax_code} in country {country or '(none)'}.")
    return rate[0].normalize()


def entry_from_product(product: Product, *, quantity: Decimal, rate: Decimal) -> dict:
    """A new order entry for a catalog product; the pricing engine fills in its calculated prices."""
    gross = product.price_model == PriceModel.GROSS
    vendor = {"vendor": {"id": product.vendor_id}} if product.vendor_id else {}
    return {
        "id": product.product_id,
        "itemYrn": f"urn:yaas:saasag:caasproduct:product:{product.tenant.name};{product.product_id}",
        "amount": quantity,
        "orderedAmount": quantity,
        "effectiveQuantity": quantity,
        "measurementUnit": {"unit": product.unit, "value": 1},
        "product": {
            "id": product.product_id,
            "sku": product.sku,
            "name": product.name,
            "localizedName": product.localized_names,
            **vendor,
        },
        "price": {
            "currency": product.currency,
            "originalAmount": product.unit_price,
            "effectiveAmount": product.unit_price,
        },
        "calculatedUnitPrice": {"taxCode": product.tax_code, "taxRate": rate},
        "tax": {"lines": [{"code": product.tax_code, "rate": rate, "inclusive": gross}]},
        "calculatedPrice": {},
    }


def with_catalog_prices(tenant: Tenant, document: Any) -> Any:
    """The document with each entry that names a product but no unit price (`calculatedUnitPrice`, `unitPrice`)
    completed from the catalog, as Emporix's checkout completes a product snapshot: price, tax code and rate,
    unit, vendor. What the client sent wins; the entry is left without `calculatedPrice` for the engine to price.

    Anything that is not an entry of that kind is left as it is, for validation to judge.
    """
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        return document
    entries = list(document["entries"])
    completed = dict(document)
    for index, entry in enumerate(entries):
        if _priced_by_the_catalog(entry):
            entries[index] = _completed_entry(tenant, completed, entry, f"entries[{index}]")
    completed["entries"] = entries
    return completed


def _priced_by_the_catalog(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and entry.get("calculatedUnitPrice") is None
        and entry.get("unitPrice") is None
        and isinstance(get_path(entry, "product.id"), str)
    )


def _completed_entry(tenant: Tenant, document: dict, entry: dict, field: str) -> dict:
    product = _catalog_product(tenant, entry["product"]["id"], f"{field}.product.id")
    if document.get("currency") is None:
        document["currency"] = product.currency
    _check_currency(product, document, f"{field}.product.id")
    rate = tax_rate(tenant, order_country(document), product.tax_code)
    amount = entry.get("amount")
    catalog = entry_from_product(product, quantity=amount if is_number(amount) else Decimal(0), rate=rate)
    del catalog["calculatedPrice"]
    return {**catalog, **entry, "product": {**catalog["product"], **entry["product"]}}


def apply_entry_changes(tenant: Tenant, document: dict, changes: list[EntryChange]) -> dict:
    """Return a copy of the document with the changes applied (not priced yet)."""
    entries = [dict(entry) for entry in document["entries"]]
    for position, change in enumerate(changes):
        field = f"entries[{position}]"
        if change.entry_id is not None:
            _set_quantity(entries, _entry_index(entries, change.entry_id, field), change.quantity)
        else:
            product = _catalog_product(tenant, change.product_id, f"{field}.productId")
            existing = next((i for i, e in enumerate(entries) if get_path(e, "product.id") == product.product_id), None)
            if existing is not None:
                _set_quantity(entries, existing, change.quantity)
            elif change.quantity > 0:
                _check_currency(product, document, f"{field}.productId")
                rate = tax_rate(tenant, order_country(document), product.tax_code)
                entries.append(entry_from_product(product, quantity=change.quantity, rate=rate))
    if not entries:
        raise ValidationFailed("An order needs at least one entry; delete the order instead of all its entries.")
    return {**document, "entries": entries}


def _entry_index(entries: list[dict], entry_id: str, field: str) -> int:
    for index, entry in enumerate(entries):
        if entry.get("id") == entry_id:
            return index
    raise ValidationFailed(f"The order has no entry {entry_id!r}.", [ErrorDetail(f"{field}.entryId", "no such entry")])


def _set_quantity(entries: list[dict], index: int, quantity: Decimal) -> None:
    if quantity == 0:
        del entries[index]
    else:
        entries[index] = {
            **entries[index],
            "amount": quantity,
            "orderedAmount": quantity,
            "effectiveQuantity": quantity,
        }
        entries[index].pop("deliveredAmount", None)


def _catalog_product(tenant: Tenant, product_id: str, field: str) -> Product:
    product = Product.objects.select_related("tenant").filter(tenant=tenant, product_id=product_id).first()
    if product is None:
        raise ValidationFailed(f"The catalog has no product {product_id!r}.", [ErrorDetail(field, "no such product")])
    return product


def _check_currency(product: Product, document: dict, field: str) -> None:
    if document.get("currency") and product.currency != document["currency"]:
        raise ValidationFailed(
            f"Product {product.product_id} is priced in {product.currency}, the order in {document['currency']}.",
            [ErrorDetail(field, "currency differs from the order's")],
        )
