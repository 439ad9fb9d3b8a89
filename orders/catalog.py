"""Entries priced from the tenant's catalog, and the changes `POST …/entries` asks for."""

from dataclasses import dataclass
from decimal import Decimal

from .documents import get_path
from .errors import ErrorDetail, ValidationFailed
from .models import PriceModel, Product, TaxRate, Tenant


@dataclass(frozen=True)
class EntryChange:
    """Set an entry's quantity (0 removes it), or add a catalog product with that quantity."""

    quantity: Decimal
    entry_id: str | None = None
    product_id: str | None = None


def order_country(document: dict) -> str:
    return document.get("countryCode") or get_path(document, "shippingAddress.country") or ""


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


def apply_entry_changes(tenant: Tenant, document: dict, changes: list[EntryChange]) -> dict:
    """Return a copy of the document with the changes applied (not priced yet)."""
    entries = [dict(entry) for entry in document["entries"]]
    for position, change in enumerate(changes):
        field = f"entries[{position}]"
        if change.entry_id is not None:
            _set_quantity(entries, _entry_index(entries, change.entry_id, field), change.quantity)
        else:
            product = _catalog_product(tenant, change.product_id, field)
            existing = next((i for i, e in enumerate(entries) if get_path(e, "product.id") == product.product_id), None)
            if existing is not None:
                _set_quantity(entries, existing, change.quantity)
            elif change.quantity > 0:
                _check_currency(product, document, field)
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
        raise ValidationFailed(
            f"The catalog has no product {product_id!r}.", [ErrorDetail(f"{field}.productId", "no such product")]
        )
    return product


def _check_currency(product: Product, document: dict, field: str) -> None:
    if document.get("currency") and product.currency != document["currency"]:
        raise ValidationFailed(
            f"Product {product.product_id} is priced in {product.currency}, the order in {document['currency']}.",
            [ErrorDetail(f"{field}.productId", "currency differs from the order's")],
        )
