"""About thirty varied order documents for the q-language tests, built by rules so every form has hits and misses."""

from decimal import Decimal

from orders.statuses import OrderStatus

STATUSES = list(OrderStatus.values)
VENDORS = ["vendor-a", "vendor-b", "vendor-c", None]
SITES = ["DE", "AT", "US", None]
CURRENCIES = ["EUR", "USD", "CHF"]
TAX_AMOUNTS = [10, 15, 20, Decimal("20.00"), Decimal("25.5"), "20", None]
PHONES = ["+49 30 1234", None, "missing", ""]
INVOICE_FLAGS = [True, False, "missing", "true"]
PAYMENTS = [[{"method": "invoice"}], [{"method": "card"}, {"method": "paypal"}], [], "missing"]
ORDER_COUNT = 30


def price(net: Decimal, rate: int = 19) -> dict:
    tax = (net * rate / 100).quantize(Decimal("0.01"))
    return {"netValue": net, "taxValue": tax, "grossValue": net + tax, "taxCode": "STANDARD", "taxRate": rate}


def entry(number: int, position: int) -> dict:
    vendor = VENDORS[(number + position) % len(VENDORS)]
    unit_price = Decimal(5 + 7 * ((number * 3 + position) % 11))
    amount = Decimal(1 + (number + position) % 4)
    kind = (number + position) % 6
    product = {
        "id": f"P-{kind}",
        "name": f"Product {kind}",
        "localizedName": {"en": f"Product {kind}", "de": f"Produkt {kind}"},
    }
    if vendor:
        product["vendor"] = {"id": vendor}
    rate = 7 if (number + position) % 3 == 0 else 19
    return {
        "amount": amount,
        "calculatedUnitPrice": price(unit_price, rate),
        "calculatedPrice": {"price": price(unit_price * amount, rate), "finalPrice": price(unit_price * amount, rate)},
        "product": product,
        "tax": {"lines": [{"code": "REDUCED" if rate == 7 else "STANDARD", "rate": rate}]},
    }


def created(number: int) -> str:
    # Some carry microseconds: the document shows milliseconds while the column keeps more.
    micro = f"{(number * 37) % 1000:03d}" + ("417" if number % 5 == 0 else "")
    return f"2021-05-{15 + number // 4:02d}T{(number * 7) % 24:02d}:27:27.{micro}Z"


def order_document(number: int) -> dict:
    entries = [entry(number, position) for position in range(1 + number % 3)]
    net = sum((item["calculatedPrice"]["finalPrice"]["netValue"] for item in entries), Decimal(0))
    tax = sum((item["calculatedPrice"]["finalPrice"]["taxValue"] for item in entries), Decimal(0))
    document = {
        "id": f"EON{2000 + number}",
        "status": STATUSES[number % len(STATUSES)],
        "created": created(number),
        "currency": CURRENCIES[number % len(CURRENCIES)],
        "entries": entries,
        "customer": {
            "email": f"customer{number % 8}@example.com",
            "firstName": ["Anna", "Ben", "Ida"][number % 3],
            "mixins": {"generalAttributes": {}},
        },
        "billingAddress": {"city": ["Berlin", "Wien", "New York"][number % 3]},
        "calculatedPrice": {
            "price": {"netValue": net, "taxValue": tax, "grossValue": net + tax},
            "finalPrice": {
                "netValue": net,
                "taxValue": tax,
                "grossValue": net + tax,
                "taxAggregate": {"lines": [{"taxCode": "STANDARD", "rate": 19, "amount": tax}]},
            },
        },
        "mixins": {
            "generalAttributes": {
                "orderNumber": f"EON{2060 + number}",
                "customerFirstOrder": number % 4 == 0,
                "extendedOrderStatus": ["01", "05", "10"][number % 3],
            }
        },
        "metadata": {"mixins": {"generalAttributes": "https://example.com/schemata/orderGeneralAttributes.v9.json"}},
    }
    add_variations(document, number)
    return document


def set_unless_missing(target: dict, key: str, value) -> None:
    if value != "missing":
        target[key] = value


def add_variations(document: dict, number: int) -> None:
    site = SITES[number % len(SITES)]
    if site:
        document["siteCode"] = site
    if number % 9:
        document["customer"]["id"] = f"C{1000 + number % 7}"
    set_unless_missing(document["billingAddress"], "contactPhone", PHONES[number % len(PHONES)])
    set_unless_missing(
        document["customer"]["mixins"]["generalAttributes"],
        "invoiceNotDeliveryAddress",
        INVOICE_FLAGS[number % len(INVOICE_FLAGS)],
    )
    set_unless_missing(document, "payments", PAYMENTS[number % len(PAYMENTS)])
    tax_amount = TAX_AMOUNTS[number % len(TAX_AMOUNTS)]
    if tax_amount is not None:
        document["tax"] = {"total": {"amount": tax_amount}}
    if number % 6 == 1:
        document["totalPrice"] = document["calculatedPrice"]["finalPrice"]["grossValue"]
    if number % 5 == 2:
        document["mixins"]["tags"] = ["gift", "express"]
    if number % 7 == 3:
        document["mixins"]["notes"] = {"text": 'call "before" delivery' if number == 3 else "leave at door"}
    if number % 8 == 5:
        document["shipping"] = {"lines": [{"id": "standard", "amount": Decimal("35"), "tax": {"rate": 12}}]}
    if number % 4 == 1:
        document["deliveryWindow"] = {"deliveryDate": f"2021-06-{1 + number % 28:02d}T10:00:00.000Z"}
    if number % 3 != 2:
        document["shop"] = {"name": {"en": f"Shop {'CBA'[number % 3]}", "de": f"Laden {number % 4}"}}
    if number == 0:
        document["mixins"]["generalAttributes"]["orderNumber"] = "EON2076"
    if number == 11:
        del document["mixins"]
    if number == 12:
        document["mixins"]["generalAttributes"]["orderNumber"] = None
    if number == 13:
        document["customer"]["firstName"] = "Ana Lu"


def all_order_documents() -> list[dict]:
    return [order_document(number) for number in range(ORDER_COUNT)]
