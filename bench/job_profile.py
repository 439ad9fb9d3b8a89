"""Where a recalculation job's time goes, per order: statements, database round trips, pricing, the rest.

Run by hand (it drops and re-creates its database):

    .venv/bin/python bench/job_profile.py --orders 2000
    .venv/bin/python bench/job_profile.py --orders 2000 --cprofile 25    # and the 25 costliest functions

The orders are those of bench/pickpack_bench.py (1-4 entries, one packing event per entry). A MANUAL job over all
of them is created, then run in this process by the service the Celery task calls, with every statement counted
and timed at the driver (Django's execute wrapper) and the pricing engine timed where the job calls it. Also
reported: the engine alone on the same documents, so that "job orders/s / engine orders/s" compares like with like.
"""

import argparse
import cProfile
import pstats
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pickpack_bench  # noqa: E402  (beside this file)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="pp_profile", help="dropped and re-created on every run")
    parser.add_argument("--cprofile", type=int, default=0, help="also print this many functions by own time")
    return parser.parse_args()


class StatementLog:
    """Counts and times every statement the job sends, by its first words (the kind of statement and its table)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.kinds: Counter[str] = Counter()
        self.kind_seconds: Counter[str] = Counter()

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.seconds += spent
            self.count += 1
            self.kinds[statement_kind(sql)] += 1
            self.kind_seconds[statement_kind(sql)] += spent


def statement_kind(sql: str) -> str:
    words = sql.replace('"', "").split()
    verb = words[0].upper() if words else ""
    if verb in ("SELECT", "DELETE"):
        table = next((words[i + 1] for i, word in enumerate(words[:-1]) if word.upper() == "FROM"), "?")
        suffix = " FOR UPDATE" if "FOR UPDATE" in sql else ""
        return f"{verb} {table}{suffix}"
    if verb in ("UPDATE", "INSERT"):
        return f"{verb} {words[2] if verb == 'INSERT' else words[1]}"
    return " ".join(words[:2])


@contextmanager
def timed_pricing():
    """Times the pricing engine where the order write path calls it."""
    from orders import services

    spent = [0.0]
    original = services.pricing.calculate

    def calculate(document):
        started = time.perf_counter()
        try:
            return original(document)
        finally:
            spent[0] += time.perf_counter() - started

    services.pricing.calculate = calculate
    try:
        yield spent
    finally:
        services.pricing.calculate = original


def engine_rate(seconds: float = 3.0) -> float:
    """Orders per second of the pricing engine alone on the job's documents (as stored before the job)."""
    from orders.models import Order
    from orders.pricing import calculate

    documents = list(Order.objects.order_by("pk").values_list("document", flat=True)[:500])
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        calculate(documents[count % len(documents)])
        count += 1
    return count / (time.perf_counter() - started)


def run_job(order_ids: list[str], profile: cProfile.Profile | None) -> dict:
    from django.db import connection

    from orders.actors import Actor
    from orders.models import Tenant
    from pickpack.models import JobOrderStatus, RecalculationJob
    from pickpack.services import create_recalculation_job, run_recalculation_job

    tenant = Tenant.objects.get(name=pickpack_bench.TENANT)
    job = create_recalculation_job(tenant=tenant, job_type="MANUAL", order_ids=order_ids, actor=Actor(label="bench"))
    statements = StatementLog()
    with timed_pricing() as pricing, connection.execute_wrapper(statements):
        started = time.perf_counter()
        if profile:
            profile.enable()
        run_recalculation_job(job.job_id)
        if profile:
            profile.disable()
        seconds = time.perf_counter() - started
    job = RecalculationJob.objects.get(pk=job.pk)
    failures = job.order_rows.filter(status=JobOrderStatus.FAILURE).count()
    return {"job": job, "failures": failures, "seconds": seconds, "statements": statements, "pricing": pricing[0]}


def report(result: dict, orders: int, engine: float) -> None:
    seconds, statements, pricing = result["seconds"], result["statements"], result["pricing"]
    job = result["job"]
    print(f"job {job.job_id}: {job.job_status}, {orders:,} orders, {result['failures']} failed, one process")
    print(f"  {orders / seconds:,.0f} orders/s ({seconds * 1000 / orders:.2f} ms an order)")
    print(f"  engine alone on the same documents: {engine:,.0f} orders/s; ratio {orders / seconds / engine:.2f}")
    print(f"  statements: {statements.count / orders:.2f} an order")
    print("    count  ms  an order")
    for kind, count in statements.kinds.most_common():
        print(f"    {count / orders:5.2f}  {statements.kind_seconds[kind] * 1000 / orders:5.2f}  {kind}")
    rest = seconds - statements.seconds - pricing
    for name, part in (("database (driver calls)", statements.seconds), ("pricing engine", pricing), ("rest", rest)):
        print(f"  {name:<24} {part * 1000 / orders:6.2f} ms an order, {part / seconds:5.1%}")


def main() -> None:
    arguments = parse_arguments()
    pickpack_bench.recreate_database(arguments.server, arguments.database)
    pickpack_bench.setup_django(f"{arguments.server}/{arguments.database}", "memory://")
    print(f"inserting {arguments.orders:,} orders into {arguments.database}")
    order_ids = pickpack_bench.bulk_create_orders(arguments.orders)
    engine = engine_rate()
    profile = cProfile.Profile() if arguments.cprofile else None
    report(run_job(order_ids, profile), len(order_ids), engine)
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(arguments.cprofile)


if __name__ == "__main__":
    main()
