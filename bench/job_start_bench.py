"""Starting recalculation jobs at scale, and the order updates inside a job, on a copy of a large database.

Run by hand against a database you may write to (it adds packing events and jobs), e.g. a copy of the
1,000,000-order benchmark database:

    createdb -h 127.0.0.1 -U postgres -T obo_bench_1m jobs_1m
    .venv/bin/python bench/job_start_bench.py --database-url postgres://postgres@127.0.0.1:5432/jobs_1m --rounds 5
    .venv/bin/python bench/job_start_bench.py --database-url … --gin-updates 4000

Job starts: packing events are added for `--event-orders` orders (once); then, alternating in each round, the
API's POST …/jobs/recalculations (AUTOMATIC, then MANUAL of `--manual-orders` ids) over Django's test client,
against what the request did before (selecting the orders needing recalculation and inserting their rows), and
the selection on its own as the worker now runs it; a MANUAL job's ids are then looked up as its worker does it.
Each job is cancelled right after, so none runs. Tasks go to `--broker`, which is emptied at the end.

GIN updates: `--gin-updates` one-field document updates of random orders per setting of the document index
(GIN_SETTINGS: fastupdate on with the default 4 MB pending list, off, on with a 256 kB list), in alternating blocks of
500, reporting p50, p99 and max per setting.
"""

import argparse
import os
import random
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TENANT = "bench"
DOCUMENT_INDEX = "order_document_path_ops"
GIN_BLOCK = 500


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/11", help="its database is emptied at the end")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--event-orders", type=int, default=20_000, help="orders given a new packing event")
    parser.add_argument("--manual-orders", type=int, default=5_000, help="ids of a MANUAL job")
    parser.add_argument("--gin-updates", type=int, default=0, help="document updates per fastupdate setting")
    return parser.parse_args()


def setup_django(arguments: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = arguments.database_url
    os.environ["CELERY_BROKER_URL"] = arguments.broker
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "pickpack", verbosity=0)  # only what jobs need: a copy may lack other apps' newest


def add_packing_events(tenant, count: int) -> None:
    """One packing event, received now, for `count` random open orders (once per database)."""
    from django.db import connection

    from pickpack.models import PackingEvent

    if PackingEvent.objects.filter(tenant=tenant, event_id__startswith="bench-").exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO pickpack_packingevent (tenant_id, event_id, order_number, product_id, delivery_cycle,
                packed_amount, unit, timestamp, site, supplier_id, "user", received)
            SELECT o.tenant_id, 'bench-' || o.id, o.order_id, e.product_id, '', 1, coalesce(nullif(e.unit, ''), 'H87'),
                now(), 'main', '', 'bench', now()
            FROM orders_order o
            JOIN LATERAL (SELECT product_id, unit FROM orders_orderentry WHERE order_id = o.id LIMIT 1) e ON true
            WHERE o.tenant_id = %s AND o.status <> 'COMPLETED'
            ORDER BY random() LIMIT %s
            """,
            [tenant.pk, count],
        )
        cursor.execute("ANALYZE pickpack_packingevent")


def api_client(tenant):
    """Django's test client with a bearer token of a client holding pickpack.pickpack_manage."""
    from django.test import Client

    from orders.scopes import PICKPACK_MANAGE, PICKPACK_VIEW
    from orders.services import create_api_client

    api_client, secret = create_api_client(tenant=tenant, scopes=[PICKPACK_MANAGE, PICKPACK_VIEW], name="job-bench")
    form = {"grant_type": "client_credentials", "client_id": api_client.application.client_id, "client_secret": secret}
    token = Client().post("/oauth/token", form).json()["access_token"]
    return Client(headers={"Authorization": f"Bearer {token}"})


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def post_job(client, body: dict) -> str:
    response = client.post(f"/pick-pack/{TENANT}/jobs/recalculations", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["jobId"]


def cancel(tenant, job_id: str) -> None:
    from orders.actors import Actor
    from pickpack import services

    services.cancel_recalculation_job(tenant=tenant, job_id=job_id, actor=Actor(label="bench"))


def lookup_in_worker(job_id: str) -> None:
    """What a MANUAL job's first task does before recalculating: look its requested ids up and add their rows."""
    from pickpack import services
    from pickpack.models import RecalculationJob

    services.select_job_orders(RecalculationJob.objects.get(job_id=job_id))


def selection_in_request(tenant) -> int:
    """What POST did before: select the orders needing recalculation and insert their rows, in one transaction."""
    from django.db import transaction

    from orders.actors import Actor
    from pickpack.models import JobType, RecalculationJob, RecalculationJobOrder
    from pickpack.selectors import orders_needing_recalculation

    with transaction.atomic():
        job = RecalculationJob.objects.create(
            tenant=tenant, job_id=f"old{random.randrange(10**12)}", job_type=JobType.AUTOMATIC
        )
        orders = orders_needing_recalculation(tenant, Actor(label="bench")).order_by("pk").values_list("order_id", "pk")
        rows = [RecalculationJobOrder(job=job, order_id=pk, order_number=order_id) for order_id, pk in orders]
        RecalculationJobOrder.objects.bulk_create(rows, batch_size=2000)
        transaction.set_rollback(True)  # measured, not kept
    return len(rows)


def selection_in_worker(tenant) -> int:
    from orders.actors import Actor
    from pickpack.selectors import orders_needing_recalculation

    return len(list(orders_needing_recalculation(tenant, Actor(label="bench")).values_list("order_id", "pk")))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(values: list[float]) -> str:
    return f"p50 {statistics.median(values):8.1f} ms  max {max(values):8.1f} ms  (n={len(values)})"


def bench_job_starts(arguments: argparse.Namespace, tenant) -> None:
    from orders.models import Order

    add_packing_events(tenant, arguments.event_orders)
    client = api_client(tenant)
    manual_ids = list(
        Order.objects.filter(tenant=tenant).order_by("?").values_list("order_id", flat=True)[: arguments.manual_orders]
    )
    timings: dict[str, list[float]] = {name: [] for name in ("automatic", "manual", "lookup", "before", "selection")}
    found = 0
    for job_body in ({"jobType": "AUTOMATIC"}, {"jobType": "MANUAL", "orderIds": manual_ids}):
        cancel(tenant, post_job(client, job_body))  # warm-up: connections to the broker, code paths
    for _ in range(arguments.rounds):
        elapsed, job_id = timed(lambda: post_job(client, {"jobType": "AUTOMATIC"}))
        timings["automatic"].append(elapsed)
        cancel(tenant, job_id)
        elapsed, job_id = timed(lambda: post_job(client, {"jobType": "MANUAL", "orderIds": manual_ids}))
        timings["manual"].append(elapsed)
        elapsed, _ = timed(partial(lookup_in_worker, job_id))
        timings["lookup"].append(elapsed)
        cancel(tenant, job_id)
        elapsed, found = timed(lambda: selection_in_request(tenant))
        timings["before"].append(elapsed)
        elapsed, _ = timed(lambda: selection_in_worker(tenant))
        timings["selection"].append(elapsed)
    print(f"orders needing recalculation: {found:,}")
    print(f"POST AUTOMATIC (now)                      {summary(timings['automatic'])}")
    print(f"POST MANUAL of {len(manual_ids):,} ids               {summary(timings['manual'])}")
    print(f"its ids looked up in the worker           {summary(timings['lookup'])}")
    print(f"selection + rows in the request (before)  {summary(timings['before'])}")
    print(f"selection in the worker (now)             {summary(timings['selection'])}")
    ratio = statistics.median(timings["before"]) / statistics.median(timings["automatic"])
    print(f"AUTOMATIC start: before / now = {ratio:.1f}")


# Storage parameters of the document index compared, block after block.
GIN_SETTINGS = {
    "fastupdate on (default, 4 MB list)": "fastupdate = on, gin_pending_list_limit = 4096",
    "fastupdate off": "fastupdate = off",
    "fastupdate on, 256 kB list": "fastupdate = on, gin_pending_list_limit = 256",
}


def bench_gin_updates(count: int, tenant) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM orders_order WHERE tenant_id = %s", [tenant.pk])
        ids = [row[0] for row in cursor.fetchall()]
    timings: dict[str, list[float]] = {name: [] for name in GIN_SETTINGS}
    rng = random.Random(7)
    for block in range(count * len(GIN_SETTINGS) // GIN_BLOCK):
        name = list(GIN_SETTINGS)[block % len(GIN_SETTINGS)]
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER INDEX {DOCUMENT_INDEX} SET ({GIN_SETTINGS[name]})")
            for _ in range(GIN_BLOCK):
                started = time.perf_counter()
                cursor.execute(
                    "UPDATE orders_order SET document = jsonb_set(document, '{mixins,bench}', to_jsonb(%s::int)) "
                    "WHERE id = %s",
                    [rng.randrange(10**6), rng.choice(ids)],
                )
                timings[name].append((time.perf_counter() - started) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER INDEX {DOCUMENT_INDEX} RESET (fastupdate, gin_pending_list_limit)")
    for name, values in timings.items():
        print(
            f"{name:36}: p50 {statistics.median(values):6.2f} ms  p99 {percentile(values, 0.99):7.2f} ms  "
            f"max {max(values):8.1f} ms  >100 ms: {sum(value > 100 for value in values)}  (n={len(values)})"
        )


def main() -> None:
    arguments = parse_arguments()
    setup_django(arguments)
    import redis

    from orders.models import Tenant

    tenant = Tenant.objects.get(name=TENANT)
    try:
        if arguments.rounds:
            bench_job_starts(arguments, tenant)
        if arguments.gin_updates:
            bench_gin_updates(arguments.gin_updates, tenant)
    finally:
        redis.Redis.from_url(arguments.broker).flushdb()


if __name__ == "__main__":
    main()
