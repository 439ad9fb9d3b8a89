"""Realistic demo orders: varied statuses, dates, sites, currencies, vendors, units and mixins."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from . import pricing
from .documents import format_timestamp

CENT = Decimal("0.01")


@dataclass(frozen=True)
class DemoProduct:
    id: str
    sku: str
    name: str
    name_de: str
    vendor: str
    unit: str
    unit_price: Decimal
    tax_code: str
    tax_rate: Decimal


PRODUCTS = [
    DemoProduct(
        "BC10033--BC10033-43",
        "8033546091234",
        "Safety shoes high Reptile RS S3 SRC, black",
        "Hohe Sicherheitsschuhe Reptile RS S3 SRC, schwarz",
        "vendor-ushoes",
        "H87",
        Decimal("100.00"),
        "STANDARD",
        Decimal("19"),
    ),
    DemoProduct(
        "CHEESE-GOUDA-KG",
        "4008400000012",
        "Gouda cheese, mature (per kg)",
        "Gouda, mittelalt (pro kg)",
        "vendor-dairy",
        "KGM",
        Decimal("18.90"),
        "REDUCED",
        Decimal("7"),
    ),
    DemoProduct(
        "GLOVES-NITRIL-100",
        "4031101000017",
        "Nitrile gloves, box of 100",
        "Nitrilhandschuhe, 100 Stück",
        "vendor-safety",
        "H87",
        Decimal("12.49"),
        "STANDARD",
        Decimal("19"),
    ),
    DemoProduct(
        "HELMET-WHITE",
        "4031101000024",
        "Safety helmet, white",
        "Schutzhelm, weiß",
        "vendor-safety",
        "H87",
        Decimal("24.95"),
        "STANDARD",
        Decimal("19"),
    ),
    DemoProduct(
        "OLIVE-OIL-1L",
        "8001234567890",
        "Olive oil extra virgin, 1 l",
        "Olivenöl extra vergine, 1 l",
        "vendor-deli",
        "LTR",
        Decimal("9.80"),
        "REDUCED",
        Decimal("7"),
    ),
    DemoProduct(
        "COFFEE-BEANS-KG",
        "4006581000010",
        "Coffee beans, espresso (per kg)",
        "Kaffeebohnen, Espresso (pro kg)",
        "vendor-deli",
        "KGM",
        Decimal("21.50"),
        "REDUCED",
        Decimal("7"),
    ),
    DemoProduct(
        "VEST-HIVIS-L",
        "4031101000031",
        "High-visibility vest, size L",
        "Warnweste, Größe L",
        "vendor-safety",
        "H87",
        Decimal("6.90"),
        "STANDARD",
        Decimal("19"),
    ),
]
# Sold only through the catalog (not in generated orders): the product of Emporix's DYNAMIC_VARIANT order example.
CATALOG_ONLY_PRODUCTS = [
    DemoProduct(
        "mobile-15-pro-l2-retail",
        "MOBILE-15-PRO-L2-RETAIL",
        "Mobile Phone 15 Pro 256 GB Blue Retail box",
        "Mobiltelefon 15 Pro 256 GB Blau Verkaufsverpackung",
        "",
        "H87",
        Decimal("999.00"),
        "STANDARD",
        Decimal("19"),
    ),
]
# Tax rates of the demo tenant by country and tax code; the seed example's fees use REDUCED 12 %. Orders that
# name no country ("") are taxed as at home, in Germany.
TAX_RATES = {
    "": {"STANDARD": Decimal("19"), "REDUCED": Decimal("7")},
    "DE": {"STANDARD": Decimal("19"), "REDUCED": Decimal("7")},
    "AT": {"STANDARD": Decimal("20"), "REDUCED": Decimal("10")},
    "CH": {"STANDARD": Decimal("8.1"), "REDUCED": Decimal("2.6")},
    "US": {"STANDARD": Decimal("0"), "REDUCED": Decimal("0")},
}
SITES = [("DE", "EUR", "DE"), ("AT", "EUR", "AT"), ("CH", "CHF", "CH"), ("US", "USD", "US")]
STATUSES = ["CREATED"] * 5 + ["CONFIRMED"] * 3 + ["IN_CHECKOUT", "SHIPPED", "COMPLETED", "COMPLETED", "DECLINED"]
FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Lena", "Max"]
LAST_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch"]
CITIES = ["Berlin", "Hamburg", "München", "Köln", "Wien", "Zürich", "New York"]


def load_catalog(tenant) -> None:
    """The demo products and tax rates; what exists already is left alone."""
    from .models import Product, TaxRate

    for product in PRODUCTS + CATALOG_ONLY_PRODUCTS:
        Product.objects.get_or_create(
            tenant=tenant,
            product_id=product.id,
            defaults={
                "sku": product.sku,
                "name": product.name,
                "localized_names": {"en": product.name, "de": product.name_de},
                "vendor_id": product.vendor,
                "unit": product.unit,
                "unit_price": product.unit_price,
                "currency": "EUR",
                "tax_code": product.tax_code,
            },
        )
    for country, rates in TAX_RATES.items():
        for tax_code, rate in rates.items():
            TaxRate.objects.get_or_create(tenant=tenant, country=country, tax_code=tax_code, defaults={"rate": rate})


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def price_line(net: Decimal, tax_code: str, tax_rate: Decimal) -> dict:
    tax = money(net * tax_rate / 100)
    return {
        "netValue": money(net),
        "grossValue": money(net) + tax,
        "taxValue": tax,
        "taxCode": tax_code,
        "taxRate": tax_rate,
    }


def demo_entry(product: DemoProduct, amount: Decimal, currency: str) -> dict:
    line = price_line(product.unit_price * amount, product.tax_code, product.tax_rate)
    return {
        "id": product.id,
        "itemYrn": f"urn:yaas:saasag:caasproduct:product:demo;{product.id}",
        "amount": amount,
        "orderedAmount": amount,
        "effectiveQuantity": amount,
        "measurementUnit": {"unit": product.unit, "value": 1},
        "calculatedUnitPrice": price_line(product.unit_price, product.tax_code, product.tax_rate),
        "product": {
            "id": product.id,
            "sku": product.sku,
            "name": product.name,
            "localizedName": {"en": product.name, "de": product.name_de},
            "vendor": {"id": product.vendor},
            "productType": "BASIC",
        },
        "price": {"currency": currency, "originalAmount": product.unit_price, "effectiveAmount": product.unit_price},
        "tax": {
            "lines": [
                {
                    "code": product.tax_code,
                    "rate": product.tax_rate,
                    "inclusive": False,
                    "amount": line["taxValue"],
                    "currency": currency,
                }
            ]
        },
        "calculatedPrice": {"price": line, "finalPrice": line},
    }


def demo_order(rng: random.Random, number: int, now: datetime) -> dict:
    """One order document as a client would POST it, with a given creation time over the last two years."""
    site, currency, country = rng.choice(SITES)
    products = rng.sample(PRODUCTS, rng.randint(1, 4))
    entries = [
        demo_entry(
            product,
            Decimal(rng.randint(500, 3000)) / 1000 if product.unit == "KGM" else Decimal(rng.randint(1, 12)),
            currency,
        )
        for product in products
    ]
    aggregate: dict[tuple, Decimal] = {}
    for entry in entries:
        key = (entry["calculatedUnitPrice"]["taxCode"], entry["calculatedUnitPrice"]["taxRate"])
        aggregate[key] = aggregate.get(key, Decimal(0)) + entry["calculatedPrice"]["finalPrice"]["netValue"]
    tax_lines = [price_line(net, code, rate) for (code, rate), net in sorted(aggregate.items())]
    net = sum((line["netValue"] for line in tax_lines), Decimal(0))
    tax = sum((line["taxValue"] for line in tax_lines), Decimal(0))
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    created = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
    address = {
        "contactName": f"{first} {last}",
        "street": f"Hauptstraße {rng.randint(1, 120)}",
        "zipCode": f"{rng.randint(10000, 99999)}",
        "city": rng.choice(CITIES),
        "country": country,
    }
    return priced_as_the_engine_prices(
        {
            "status": rng.choice(STATUSES),
            "created": format_timestamp(created),
            "entries": entries,
            "discounts": [],
            "customer": {
                "id": f"C{rng.randint(10000, 99999)}",
                "firstName": first,
                "lastName": last,
                "email": f"{first.lower()}.{number}@example.com",
            },
            "siteCode": site,
            "countryCode": country,
            "currency": currency,
            "billingAddress": address,
            "shippingAddress": address,
            "payments": [
                {
                    "status": "PENDING",
                    "method": rng.choice(["invoice", "card", "paypal"]),
                    "currency": currency,
                    "authorizedAmount": net + tax,
                }
            ],
            "totalAuthorizedAmount": net + tax,
            "metadata": {
                "mixins": {"generalAttributes": "https://example.com/schemata/orderGeneralAttributes.v9.json"}
            },
            "mixins": {
                "generalAttributes": {
                    "orderNumber": f"EON{number}",
                    "customerFirstOrder": rng.random() < 0.2,
                    "extendedOrderStatus": rng.choice(["01", "05", "10"]),
                }
            },
            "calculatedPrice": {
                "price": {"netValue": net, "grossValue": net + tax, "taxValue": tax},
                "finalPrice": {
                    "netValue": net,
                    "grossValue": net + tax,
                    "taxValue": tax,
                    "taxAggregate": {"lines": tax_lines},
                },
            },
        }
    )


def priced_as_the_engine_prices(document: dict) -> dict:
    """The document as the pricing engine answers it: what a recalculation would store changes nothing, to the
    cent; the authorized amounts are its total, and it is paid once completed."""
    priced = pricing.calculate(document)
    total = priced["totalPrice"]
    priced["totalAuthorizedAmount"] = total
    priced["payments"] = [
        {**payment, "paidAmount": paid_amount(priced["status"], total), "authorizedAmount": total}
        for payment in priced["payments"]
    ]
    return priced


def paid_amount(status: str, total: Decimal) -> Decimal:
    """What a demo or generated order's payment has collected: everything once the order is completed."""
    return total if status == "COMPLETED" else Decimal(0)
