"""Latency of the order list and read endpoints through HTTP, and the plans of the SQL behind them.

Run by hand against a server started like production (see docs/performance.md), with the same DATABASE_URL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/obo_bench_1m .venv/bin/python bench/query_bench.py \\
        --tenant bench [--base-url http://127.0.0.1:8077] [--requests 200] [--explain-out plans.txt]

It registers an API client with `create_api_client`, gets a token at /oauth/token, sends each query
`--warmup` times, then `--requests` times one after another, and prints median and p99 per query. Then it runs
`EXPLAIN (ANALYZE, BUFFERS)` of every SQL statement the view's selectors execute for that query (captured with
a Django execute wrapper, so the statements are exactly the view's) and prints the indexes each plan uses.
"""

import argparse
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import django
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402

from orders import selectors  # noqa: E402
from orders.actors import Actor  # noqa: E402
from orders.models import Order, Tenant  # noqa: E402
from orders.services import create_api_client  # noqa: E402

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
INDEX_NAME = re.compile(r"(?:Index Scan|Index Only Scan)(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)")


@dataclass(frozen=True)
class Query:
    key: str
    title: str
    method: str
    path: str
    params: dict
    target_median_ms: float
    target_p99_ms: float


def queries(sample_id: str, mixin_id: str) -> list[Query]:
    created = "status:CREATED"
    totals_and_month = (
        "calculatedPrice.finalPrice.grossValue:(>=100 AND <=200) "
        'created:(>="2025-03-01T00:00:00Z" AND <"2025-04-01T00:00:00Z")'
    )
    return [
        Query("a", "q=status:CREATED sort=created:desc, page 1 of 16", "GET", "salesorders",
              {"q": created, "sort": "created:desc", "pageNumber": 1, "pageSize": 16}, 20, 60),
        Query("b", "gross 100 to 200 and March 2025", "GET", "salesorders", {"q": totals_and_month}, 20, 60),
        Query("c", "HEAD q=status:CREATED", "HEAD", "salesorders", {"q": created}, 100, 100),
        Query("d", f"q=id:{sample_id}", "GET", "salesorders", {"q": f"id:{sample_id}"}, 20, 60),
        Query("d2", f"GET /salesorders/{sample_id}", "GET", f"salesorders/{sample_id}", {}, 20, 60),
        Query("e", f"q=mixins.generalAttributes.orderNumber:{mixin_id}", "GET", "salesorders",
              {"q": f"mixins.generalAttributes.orderNumber:{mixin_id}"}, 100, 100),
        Query("f", "q=status:COMPLETED (most orders), page 1", "GET", "salesorders", {"q": "status:COMPLETED"}, 0, 0),
        Query("g", "HEAD, no q (every order)", "HEAD", "salesorders", {}, 0, 0),
        Query("h", "no q, page 1000 of 16", "GET", "salesorders", {"pageNumber": 1000}, 0, 0),
        Query("i", "no q, sort=created:desc, page 1", "GET", "salesorders", {"sort": "created:desc"}, 0, 0),
    ]  # fmt: skip


def main() -> None:
    arguments = parse_arguments()
    check_local(arguments.base_url)
    tenant = Tenant.objects.get(name=arguments.tenant)
    session = authorized_session(arguments.base_url, tenant, arguments.timeout)
    api = f"{arguments.base_url}/order-v2/{tenant.name}/"
    plans = []
    print("| query | requests | median ms | p99 ms | max ms | X-Total-Count | target (median / p99) |")
    print("|---|---|---|---|---|---|---|")
    for query in queries(arguments.sample_id, arguments.mixin_id):
        latencies, total = measure(session, api, query, arguments)
        print(result_row(query, latencies, total), flush=True)
        plans.append((query, explained(tenant, query)))
    print()
    for query, statements in plans:
        print(f"({query.key}) {query.title}")
        for sql, plan in statements:
            print(f"    {summary(sql, plan)}")
    if arguments.explain_out:
        write_plans(Path(arguments.explain_out), plans)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenant", default="bench")
    parser.add_argument("--base-url", default="http://127.0.0.1:8077")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--sample-id", default="EON500000", help="An order id for (d).")
    parser.add_argument("--mixin-id", default="EON123456", help="The orderNumber mixin value for (e).")
    parser.add_argument("--timeout", type=float, default=30, help="Seconds a request may take.")
    parser.add_argument("--explain-out", help="Write the full plans to this file.")
    return parser.parse_args()


def check_local(base_url: str) -> None:
    if urlsplit(base_url).hostname not in LOCAL_HOSTS:
        sys.exit(f"Benchmark only a local server (127.0.0.1), not {base_url}.")


def authorized_session(base_url: str, tenant: Tenant, timeout: float, *, name: str = "query bench") -> requests.Session:
    """A session holding the token of a new API client `name` of the tenant that may read orders."""
    client, secret = create_api_client(tenant=tenant, scopes=["order.order_read"], name=name)
    response = requests.post(
        f"{base_url}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client.application.client_id, "client_secret": secret},
        timeout=timeout,
    )
    response.raise_for_status()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return session


def measure(session: requests.Session, api: str, query: Query, arguments) -> tuple[list[float], str]:
    """Latencies in ms of `--requests` requests sent one after another (after `--warmup` unmeasured ones)."""
    latencies = []
    total = ""
    warmup = arguments.warmup
    for number in range(warmup + arguments.requests):
        started = time.perf_counter()
        response = session.request(query.method, api + query.path, params=query.params, timeout=arguments.timeout)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"({query.key}) answered {response.status_code}: {response.text[:300]}")
        if number >= warmup:
            latencies.append(elapsed)
        total = response.headers.get("X-Total-Count", "")
    return latencies, total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def result_row(query: Query, latencies: list[float], total: str) -> str:
    median, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    target = f"< {query.target_median_ms:g} / < {query.target_p99_ms:g}" if query.target_median_ms else "(info)"
    met = "" if not query.target_median_ms else verdict(median < query.target_median_ms and p99 < query.target_p99_ms)
    return (
        f"| ({query.key}) {query.title} | {len(latencies)} | {median:.1f} | {p99:.1f} | {max(latencies):.1f} | "
        f"{total or '-'} | {target}{met} |"
    )


def verdict(met: bool) -> str:
    return " met" if met else " MISSED"


def explained(tenant: Tenant, query: Query) -> list[tuple[str, list[str]]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement the view's selectors run for the query."""
    statements = captured_statements(lambda: run_view_selectors(tenant, query))
    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plans.append((sql, [row[0] for row in cursor.fetchall()]))
    return plans


def run_view_selectors(tenant: Tenant, query: Query) -> None:
    """What SalesOrderListView / SalesOrderDetailView ask the database (orders/api/views.py)."""
    actor = Actor(label="bench")
    if query.path != "salesorders":
        selectors.order_document_text(tenant, query.path.split("/")[-1], actor)
        return
    orders = selectors.search_orders(tenant, actor, q=query.params.get("q"))
    if query.method == "GET":
        selectors.order_page_json(
            orders,
            page_number=query.params.get("pageNumber", 1),
            page_size=query.params.get("pageSize", 16),
            sort=query.params.get("sort"),
        )
    orders.count()


def captured_statements(run) -> list[tuple[str, tuple]]:
    statements = []

    def capture(execute, sql, params, many, context):
        if Order._meta.db_table in sql:
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        run()
    return statements


def summary(sql: str, plan: list[str]) -> str:
    kind = "count" if "COUNT(" in sql.upper() else "rows"
    indexes = sorted({name for names in INDEX_NAME.findall("\n".join(plan)) for name in names if name})
    sequential = any("Seq Scan" in line for line in plan)
    execution = next((line.strip() for line in plan if line.startswith("Execution Time")), "")
    scans = ", ".join(indexes) or "no index"
    return f"{kind}: {scans}{' + Seq Scan' if sequential else ''}; {execution}"


def write_plans(path: Path, plans: list) -> None:
    with path.open("w") as out:
        for query, statements in plans:
            out.write(f"=== ({query.key}) {query.title}\n")
            for sql, plan in statements:
                out.write(f"{sql}\n\n" + "\n".join(plan) + "\n\n")


if __name__ == "__main__":
    main()
