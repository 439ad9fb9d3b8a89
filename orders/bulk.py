"""Bulk loading of generated orders for benchmarks (`python manage.py generate_orders`, docs/performance.md).

Every order is stored exactly as `services.create_order` would store it (the row is built by
`services.new_order_row`, the entry rows by `services.entry_rows`, plus its PLACED event); only the way the
rows reach the database differs: PostgreSQL `COPY` in batches, or `bulk_create` on SQLite.

What the generated orders look like:

- created: spread evenly over the two years before the load, in the order of their ids (order numbers grow
  with time, as they do in a shop), so the newest orders have the highest ids;
- status by age: the last two days mostly CREATED/CONFIRMED, up to two weeks mostly SHIPPED/COMPLETED, older
  ones almost all COMPLETED or DECLINED, with a few left behind in every status (`STATUS_WEIGHTS_BY_AGE`);
- entries: 1 to 20 distinct products, P(n) = 0.35 · 0.65^(n-1) (truncated at 20): 35 % one entry, 58 % at
  most two, 85 % at most four, mean 2.8, about 1 in 10,000 orders with 20 (`ENTRY_COUNT_WEIGHTS`);
- products: the demo catalog plus 30 generated products for each of eight vendors, pieces, KGM and LTR;
- sites and currencies: DE/EUR 55 %, AT/EUR 15 %, CH/CHF 15 %, US/USD 15 %;
- customers: one per five orders, so customers come back;
- mixins: `generalAttributes.orderNumber` equals the order id, as the seed page's examples have it;
- prices: exactly what the pricing engine answers (a recalculation changes nothing). Each order's entries are
  one of `SHAPES_PER_CURRENCY` entry sets per currency, drawn by entry count, each priced once per process by
  the engine (`priced_shape`): pricing every order would cost more than generating and storing it.
"""

import gc
import multiprocessing
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import accumulate

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Model
from django.utils import timezone

from . import counts, pricing, services
from .actors import Actor
from .demo import CITIES, FIRST_NAMES, LAST_NAMES, PRODUCTS, SITES, DemoProduct, demo_entry, paid_amount
from .documents import format_timestamp
from .models import Order, OrderEntry, OrderEvent, OrderEventType, Tenant
from .statuses import OrderStatus

# Orders per transaction and per id block. Documents stream into COPY one at a time, so a batch holds only its
# entry and event rows (about 15 MB for 10,000 orders); on SQLite it holds the whole batch's documents (~200 MB).
BATCH_SIZE = 10_000
HISTORY = timedelta(days=730)
MAX_ENTRIES = 20
ENTRY_COUNT_WEIGHTS = list(accumulate(0.35 * 0.65 ** (count - 1) for count in range(1, MAX_ENTRIES + 1)))
SITE_WEIGHTS = list(accumulate([55, 15, 15, 15]))  # SITES: DE, AT, CH, US
ORDERS_PER_CUSTOMER = 5
ACTOR = Actor(label="generate_orders")

# (age up to, {status: weight}): a young order is still being worked on, an old one is (nearly always) done.
STATUS_WEIGHTS_BY_AGE = [
    (timedelta(days=2), {"IN_CHECKOUT": 8, "CREATED": 55, "CONFIRMED": 25, "SHIPPED": 5, "DECLINED": 7}),
    (timedelta(days=14), {"CREATED": 8, "CONFIRMED": 17, "SHIPPED": 35, "COMPLETED": 33, "DECLINED": 7}),
    (HISTORY, {"IN_CHECKOUT": 1, "CREATED": 1, "CONFIRMED": 1, "SHIPPED": 2, "COMPLETED": 88, "DECLINED": 7}),
]
VENDORS = {
    "vendor-tools": ("Cordless drill", "Akkubohrer", "H87", "STANDARD"),
    "vendor-office": ("Printer paper A4", "Druckerpapier A4", "H87", "STANDARD"),
    "vendor-garden": ("Potting soil", "Blumenerde", "LTR", "STANDARD"),
    "vendor-textile": ("Work trousers", "Arbeitshose", "H87", "STANDARD"),
    "vendor-coffee": ("Coffee beans", "Kaffeebohnen", "KGM", "REDUCED"),
    "vendor-ushoes": ("Safety shoes", "Sicherheitsschuhe", "H87", "STANDARD"),
    "vendor-dairy": ("Cheese", "Käse", "KGM", "REDUCED"),
    "vendor-deli": ("Olive oil", "Olivenöl", "LTR", "REDUCED"),
}
STATUS_CHOICES_BY_AGE = [
    (limit, (list(weights), list(accumulate(weights.values())))) for limit, weights in STATUS_WEIGHTS_BY_AGE
]
PRODUCTS_PER_VENDOR = 30
GENERAL_ATTRIBUTES_SCHEMA = "https://example.com/schemata/orderGeneralAttributes.v9.json"
TAX_RATE = {"STANDARD": Decimal(19), "REDUCED": Decimal(7)}
# Distinct entry sets per currency, shared out over the entry counts by their weights (at least one each): about
# 4 s of pricing per process for the four currencies, however many orders it loads.
SHAPES_PER_CURRENCY = 512
SHAPES_BY_ENTRY_COUNT = [
    max(1, round(SHAPES_PER_CURRENCY * 0.35 * 0.65 ** (count - 1))) for count in range(1, MAX_ENTRIES + 1)
]
# A payment's status (the spec's paymentStatus) by the order's: not yet authorized in checkout, captured once done.
PAYMENT_STATUS = {OrderStatus.IN_CHECKOUT: "PENDING", OrderStatus.COMPLETED: "CAPTURE_SUCCESS"}
# The fields the engine writes on the order (after its entries), in the order it writes them.
PRICED_ORDER_FIELDS = ("subTotalPrice", "totalPrice", "tax")


@dataclass(frozen=True)
class Batch:
    """Orders `start` to `start + size - 1` of the `total` a run generates."""

    tenant_pk: int
    start: int
    size: int
    total: int
    seed: int
    now: datetime


def generate_orders(
    tenant: Tenant, count: int, *, seed: int = 0, workers: int = 1, progress: Callable[[int], None] | None = None
) -> int:
    """Store `count` generated orders for the tenant; returns how many were stored.

    On PostgreSQL, `workers` > 1 runs the batches in forked processes, each on its own connection, so the caller
    must not be inside a transaction (they could not see its rows).
    """
    now = timezone.now()
    batches = [
        Batch(tenant.pk, start, min(BATCH_SIZE, count - start), count, seed, now)
        for start in range(0, count, BATCH_SIZE)
    ]
    stored = 0
    for size in stored_batches(batches, workers):
        stored += size
        if progress:
            progress(stored)
    if connection.vendor == "postgresql":
        analyze()
    return stored


def stored_batches(batches: list[Batch], workers: int) -> Iterator[int]:
    if workers <= 1 or connection.vendor != "postgresql":
        yield from map(store_batch, batches)
        return
    if connection.in_atomic_block:
        raise RuntimeError("Loading in several processes needs autocommit: they cannot see this transaction.")
    connections.close_all()  # forked workers must open connections of their own, not share the parent's socket
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from pool.map(store_batch, batches)


def store_batch(batch: Batch) -> int:
    tenant = Tenant.objects.get(pk=batch.tenant_pk)
    generator = OrderGenerator(tenant.name, batch.total, seed=f"{batch.seed}:{batch.start}", now=batch.now)
    write_rows = copy_rows_of_orders if connection.vendor == "postgresql" else bulk_create_orders
    stored = 0
    while stored < batch.size:
        numbers = allocate_order_numbers(tenant, batch.size - stored)
        first = batch.start + stored
        documents = (
            (f"EON{number}", generator.document(first + offset, number)) for offset, number in enumerate(numbers)
        )
        with garbage_collection_paused():
            write_rows(tenant, documents, size=len(numbers), now=batch.now)
        stored += len(numbers)
    return stored


@contextmanager
def garbage_collection_paused() -> Iterator[None]:
    """Documents and rows hold no reference cycles, so reference counting frees them; the cycle collector would
    only rescan a batch's objects again and again (about a third of the Python time)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def allocate_order_numbers(tenant: Tenant, count: int) -> list[int]:
    """Up to `count` free order numbers, reserved by advancing the tenant's counter once, under its row lock.

    Numbers whose `EON…` id a client already chose for an order of its own are left out.
    """
    with transaction.atomic():
        last = Tenant.objects.select_for_update().values_list("last_order_number", flat=True).get(pk=tenant.pk)
        numbers = range(last + 1, last + 1 + count)
        Tenant.objects.filter(pk=tenant.pk).update(last_order_number=numbers[-1])
        taken = set(
            Order.objects.filter(tenant=tenant, order_id__in=[f"EON{number}" for number in numbers]).values_list(
                "order_id", flat=True
            )
        )
    return [number for number in numbers if f"EON{number}" not in taken]


def placed_event(order: Order, at: datetime) -> OrderEvent:
    """The PLACED event `create_order` records (see orders/events.py)."""
    return OrderEvent(
        order=order, type=OrderEventType.PLACED, timestamp=at, actor=ACTOR.label, parameters={"status": order.status}
    )


def built_orders(tenant: Tenant, documents: Iterable[tuple[str, dict]], now: datetime) -> Iterator[Order]:
    for order_id, document in documents:
        yield services.new_order_row(tenant, document, order_id=order_id, now=now)


def bulk_create_orders(tenant: Tenant, documents: Iterable[tuple[str, dict]], *, size: int, now: datetime) -> None:
    with transaction.atomic():
        orders = Order.objects.bulk_create(built_orders(tenant, documents, now))
        counts.orders_added(tenant, (order.status for order in orders))
        OrderEntry.objects.bulk_create(entry for order in orders for entry in services.entry_rows(order))
        OrderEvent.objects.bulk_create(placed_event(order, now) for order in orders)


def copy_rows_of_orders(tenant: Tenant, documents: Iterable[tuple[str, dict]], *, size: int, now: datetime) -> None:
    """One batch through PostgreSQL COPY: the orders (ids drawn from their sequence first), then entries, events."""
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: Django's wrapper has no COPY
        order_pks = next_ids(raw, Order, size)
        entries: list[OrderEntry] = []
        events: list[OrderEvent] = []
        with raw.copy(copy_statement(Order, with_pk=True)) as copy:
            for pk, order in zip(order_pks, built_orders(tenant, documents, now), strict=True):
                order.pk = pk
                copy.write_row(row_values(order, with_pk=True))
                entries += services.entry_rows(order)
                events.append(placed_event(order, now))
        copy_rows(raw, OrderEntry, entries)
        copy_rows(raw, OrderEvent, events)
        counts.orders_added(tenant, (event.order.status for event in events))


def next_ids(cursor, model: type[Model], count: int) -> list[int]:
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [model._meta.db_table, model._meta.pk.column, count],
    )
    return [row[0] for row in cursor.fetchall()]


def copy_rows(cursor, model: type[Model], rows: list[Model]) -> None:
    with cursor.copy(copy_statement(model, with_pk=False)) as copy:
        for row in rows:
            copy.write_row(row_values(row, with_pk=False))


@cache
def copied_fields(model: type[Model], with_pk: bool) -> list:
    # Generated columns (Order.search_text) are the database's to fill.
    return [
        field
        for field in model._meta.concrete_fields
        if (with_pk or not field.primary_key) and not getattr(field, "generated", False)
    ]


def copy_statement(model: type[Model], *, with_pk: bool) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in copied_fields(model, with_pk))
    return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"


def row_values(instance: Model, *, with_pk: bool) -> list:
    """The values Django would write for the instance (JSON through the field's encoder, as `save()` does)."""
    database = connections[DEFAULT_DB_ALIAS]  # the connection itself: the `connection` proxy costs a lookup per use
    return [
        field.get_db_prep_save(field.pre_save(instance, add=True), database)
        for field in copied_fields(type(instance), with_pk)
    ]


def analyze() -> None:
    """Fresh statistics for the planner and, outside a transaction, a visibility map so counts can be index-only."""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"  # VACUUM cannot run in a transaction
    with connection.cursor() as cursor:
        for model in (Order, OrderEntry, OrderEvent):
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


@cache
def generated_products() -> list[DemoProduct]:
    rng = random.Random(7)
    products = list(PRODUCTS)
    for vendor, (name, name_de, unit, tax_code) in VENDORS.items():
        for number in range(1, PRODUCTS_PER_VENDOR + 1):
            product_id = f"{vendor.removeprefix('vendor-').upper()}-{number:03d}"
            price = Decimal(rng.randint(99, 19999)) / 100
            products.append(
                DemoProduct(
                    product_id,
                    f"40{rng.randint(10**10, 10**11 - 1)}",
                    f"{name} {number}",
                    f"{name_de} {number}",
                    vendor,
                    unit,
                    price,
                    tax_code,
                    TAX_RATE[tax_code],
                )
            )
    return products


class OrderGenerator:
    """Order documents as a client would POST them (with status, created and lastStatusChange, as in an import).

    The n-th of `count` orders is created at `now - HISTORY + HISTORY * n / count` (plus jitter), so ids and
    creation times grow together. Deterministic for a given seed.
    """

    def __init__(self, tenant: str, count: int, *, seed: int | str, now: datetime):
        self.tenant, self.count, self.now = tenant, count, now
        self.rng = random.Random(seed)
        self.customers = max(count // ORDERS_PER_CUSTOMER, 1)

    def document(self, index: int, number: int) -> dict:
        rng = self.rng
        created = self.now - HISTORY + HISTORY * ((index + rng.random()) / self.count)
        status = self.status(self.now - created)
        site, currency, country = SITES[rng.choices(range(len(SITES)), cum_weights=SITE_WEIGHTS)[0]]
        entry_count = rng.choices(range(1, MAX_ENTRIES + 1), cum_weights=ENTRY_COUNT_WEIGHTS)[0]
        shape = priced_shape(self.tenant, currency, entry_count, rng.randrange(SHAPES_BY_ENTRY_COUNT[entry_count - 1]))
        total = shape["totalPrice"]
        document = {
            "status": status,
            "created": format_timestamp(created),
            "lastStatusChange": format_timestamp(self.last_status_change(status, created)),
            "entries": shape["entries"],
            "discounts": [],
            "customer": self.customer(rng.randrange(self.customers)),
            "siteCode": site,
            "countryCode": country,
            "currency": currency,
            "billingAddress": self.address(country),
            "shippingAddress": self.address(country),
            "payments": [self.payment(status, currency, total)],
            "totalAuthorizedAmount": total,
            "metadata": {"mixins": {"generalAttributes": GENERAL_ATTRIBUTES_SCHEMA}},
            "mixins": {"generalAttributes": self.general_attributes(number)},
            "calculatedPrice": shape["calculatedPrice"],
        }
        document.update((field, shape[field]) for field in PRICED_ORDER_FIELDS)
        return document

    def payment(self, status: str, currency: str, amount: Decimal) -> dict:
        return {
            "status": PAYMENT_STATUS.get(status, "AUTHORIZATION_SUCCESS"),
            "method": self.rng.choice(["invoice", "card", "paypal"]),
            "paidAmount": paid_amount(status, amount),
            "currency": currency,
            "authorizedAmount": amount,
        }

    def general_attributes(self, number: int) -> dict:
        return {
            "orderNumber": f"EON{number}",
            "customerFirstOrder": self.rng.random() < 0.2,
            "extendedOrderStatus": self.rng.choice(["01", "05", "10"]),
        }

    def status(self, age: timedelta) -> str:
        statuses, cum_weights = next(choice for limit, choice in STATUS_CHOICES_BY_AGE if age <= limit)
        return self.rng.choices(statuses, cum_weights=cum_weights)[0]

    def last_status_change(self, status: str, created: datetime) -> datetime:
        if status in (OrderStatus.IN_CHECKOUT, OrderStatus.CREATED):
            return created
        return min(created + timedelta(minutes=self.rng.randint(10, 7 * 24 * 60)), self.now)

    def customer(self, number: int) -> dict:
        first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number // len(FIRST_NAMES) % len(LAST_NAMES)]
        return {
            "id": f"C{number + 100000}",
            "firstName": first,
            "lastName": last,
            "email": f"{first.lower()}.{number}@example.com",
        }

    def address(self, country: str) -> dict:
        rng = self.rng
        return {
            "contactName": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "street": f"Hauptstraße {rng.randint(1, 120)}",
            "zipCode": f"{rng.randint(10000, 99999)}",
            "city": rng.choice(CITIES),
            "country": country,
        }


@cache
def priced_shape(tenant: str, currency: str, entry_count: int, index: int) -> dict:
    """The `index`-th set of `entry_count` entries in `currency`, as the pricing engine prices it: its entries and
    the order fields the engine writes. Cached: the orders drawn on a shape share its (never changed) objects."""
    rng = random.Random(f"{currency}:{entry_count}:{index}")
    entries = [shape_entry(tenant, product, currency, rng) for product in rng.sample(generated_products(), entry_count)]
    return pricing.calculate({"entries": entries, "currency": currency, "calculatedPrice": {}})


def shape_entry(tenant: str, product: DemoProduct, currency: str, rng: random.Random) -> dict:
    if product.unit == "H87":
        amount = Decimal(rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 6, 10, 12, 24]))
    else:
        amount = Decimal(rng.randint(250, 5000)) / 1000
    entry = demo_entry(product, amount, currency)
    entry["itemYrn"] = f"urn:yaas:saasag:caasproduct:product:{tenant};{product.id}"
    return entry


def print_progress(total: int, stream=sys.stderr) -> Callable[[int], None]:
    """A progress callback writing stored/total and the rate in orders/s."""
    started = time.monotonic()

    def report(stored: int) -> None:
        elapsed = time.monotonic() - started
        stream.write(f"{stored:,}/{total:,} orders, {stored / elapsed:,.0f} orders/s, {elapsed:,.0f} s\n")
        stream.flush()

    return report
