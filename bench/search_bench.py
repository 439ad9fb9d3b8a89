"""The order list's search box timed at scale, beside the plain list, with the plans PostgreSQL chose.

Run by hand against a copy of a large database (it adds a staff user to it), in-process through Django's test
client (the whole view: filters, page, capped count, template), no server:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/desk_1m .venv/bin/python bench/search_bench.py \\
        --tenant bench [--rounds 30]

Each round requests the plain list (the reference) and then every search once, so all see the same load. It
prints p50 and p99 per request and the ratio of its p50 to the reference's, then EXPLAIN (ANALYZE, BUFFERS) of the
page query and the count query of each search.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from orders.models import Order, Tenant  # noqa: E402
from orders.search import search_orders  # noqa: E402
from orders.staff.access import MANAGE_ORDERS, VIEW_ORDERS, find_permission  # noqa: E402
from orders.staff.filters import DEFAULT_SORT, ORDER_SORTS  # noqa: E402

USERNAME = "search-bench"
CAPPED_COUNT = 10_001  # what the list's pager counts at most


def searches(tenant: Tenant) -> dict[str, str]:
    """Selective terms (one customer, one order) and unselective ones (a first name, a last name, a domain)."""
    newest = Order.objects.filter(tenant=tenant).only("order_id", "customer_email").order_by("-pk").first()
    middle = Order.objects.filter(tenant=tenant, pk__lte=newest.pk // 2).only("order_id").order_by("-pk").first()
    email_part = newest.customer_email.split("@")[0] + "@"  # "felix.12345@": that customer's orders
    return {
        "selective: email part": email_part,
        "selective: order id": middle.order_id,
        "selective: id digits": middle.order_id[3:],
        "unselective: first name": "anna",
        "unselective: last name": "müller",
        "unselective: email domain": "example.com",
    }


def staff_client(tenant: Tenant) -> Client:
    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    user.user_permissions.add(find_permission(VIEW_ORDERS), find_permission(MANAGE_ORDERS))
    tenant.members.add(user)
    client = Client()
    client.force_login(user)
    return client


def timed_get(client: Client, path: str, params: dict) -> float:
    started = time.perf_counter()
    response = client.get(path, params)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (params, response.status_code)
    return elapsed


def explain(tenant: Tenant, term: str) -> str:
    orders = search_orders(Order.objects.filter(tenant=tenant).defer("document"), term)
    page = orders.order_by(*ORDER_SORTS[DEFAULT_SORT])[:25]
    count = orders.values("pk")[:CAPPED_COUNT]
    with connection.cursor() as cursor:
        plans = []
        for query in (page, count):
            sql, params = query.query.sql_with_params()
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return "\n-- count (capped) --\n".join(plans)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    tenant = Tenant.objects.get(name=args.tenant)
    client = staff_client(tenant)
    path = f"/staff/{tenant.name}/orders/"
    requests = {"reference: plain list": {}, **{name: {"search": term} for name, term in searches(tenant).items()}}
    for params in requests.values():  # warm-up: caches, connection
        timed_get(client, path, params)
    times: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(args.rounds):
        for name, params in requests.items():
            times[name].append(timed_get(client, path, params))
    reference = statistics.median(times["reference: plain list"])
    print(f"{'request':28} {'term':24} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}")
    for name, samples in times.items():
        p50, p99 = statistics.median(samples), statistics.quantiles(samples, n=100)[98]
        term = requests[name].get("search", "")
        print(f"{name:28} {term:24} {p50 * 1000:8.1f} {p99 * 1000:8.1f} {p50 / reference:6.2f}")
    for name, params in requests.items():
        if params:
            print(f"\n=== {name}: {params['search']}\n{explain(tenant, params['search'])}")


if __name__ == "__main__":
    main()
