"""Recalculation jobs with real Celery workers on PostgreSQL and Redis: throughput and worker memory.

Run by hand (it drops and re-creates its database, and empties its Redis database):

    .venv/bin/python bench/pickpack_bench.py --orders 10000 --workers 2
    .venv/bin/python bench/pickpack_bench.py --orders 100000 --workers 2 --timeout 1800

Orders are bulk-inserted (documents from orders.demo, entry rows, one packing event per entry), a MANUAL job over
all of them is created through the service (the same transaction and on-commit queueing as the API), and the job
is watched until it ends. Reported: orders per second from the job's creation to its last order, and the resident
memory (RSS) of every worker process, sampled while the job runs.
"""

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INSERT_BATCH = 2000
SAMPLE_SECONDS = 1.0
TENANT = "bench"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="worker instances (celery -A config worker)")
    parser.add_argument("--concurrency", type=int, default=1, help="pool processes of each worker")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="pp_bench", help="dropped and re-created on every run")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13", help="its database is emptied")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the job")
    return parser.parse_args()


def recreate_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def empty_broker(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def setup_django(database_url: str, broker_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["CELERY_BROKER_URL"] = broker_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bulk_create_orders(count: int) -> list[str]:
    """Orders as create_order would store them, without its per-order cost; returns their ids."""
    from django.utils import timezone

    from orders.demo import demo_order
    from orders.models import Order, OrderEntry
    from orders.services import create_tenant
    from pickpack.models import PackingEvent

    tenant = create_tenant(name=TENANT)
    rng, now = random.Random(2076), timezone.now()
    order_ids = []
    for start in range(0, count, INSERT_BATCH):
        numbers = range(start, min(start + INSERT_BATCH, count))
        orders = [stored_order(tenant, demo_order(rng, number, now), number) for number in numbers]
        Order.objects.bulk_create(orders, batch_size=500)
        OrderEntry.objects.bulk_create(
            (entry_row(order, position, entry) for order in orders for position, entry in enumerate(entries(order))),
            batch_size=2000,
        )
        PackingEvent.objects.bulk_create(
            (packing_event(tenant, order, entry, now) for order in orders for entry in entries(order)), batch_size=2000
        )
        order_ids += [order.order_id for order in orders]
        print(f"\r  {len(order_ids):,} orders inserted", end="", flush=True)
    print()
    return order_ids


def entries(order) -> list[dict]:
    return order.document["entries"]


def stored_order(tenant, document: dict, number: int):
    from orders.documents import get_path, parse_timestamp
    from orders.models import Order

    created = parse_timestamp(document["created"])
    order_id = f"EON{100_000 + number}"
    document |= {
        "id": order_id,
        "status": "CREATED",
        "lastStatusChange": document["created"],
        "metadata": {**document["metadata"], "version": 1},
    }
    final = document["calculatedPrice"]["finalPrice"]
    return Order(
        tenant=tenant,
        order_id=order_id,
        status="CREATED",
        created=created,
        last_status_change=created,
        version=1,
        site_code=document["siteCode"],
        currency=document["currency"],
        customer_id=get_path(document, "customer.id"),
        customer_email=get_path(document, "customer.email"),
        total_net=final["netValue"],
        total_tax=final["taxValue"],
        total_gross=final["grossValue"],
        document=document,
    )


def entry_row(order, position: int, entry: dict):
    from orders.models import OrderEntry

    return OrderEntry(
        order=order,
        position=position,
        entry_id=entry["id"],
        product_id=entry["product"]["id"],
        vendor_id=entry["product"]["vendor"]["id"],
        amount=entry["amount"],
        unit=entry["measurementUnit"]["unit"],
    )


def packing_event(tenant, order, entry: dict, now):
    from pickpack.models import PackingEvent

    return PackingEvent(
        tenant=tenant,
        event_id=f"{order.order_id}-{entry['id']}",
        order_number=order.order_id,
        product_id=entry["product"]["id"],
        packed_amount=entry["amount"],
        canceled_amount=0,
        unit=entry["measurementUnit"]["unit"],
        timestamp=now - timedelta(minutes=5),
        site="main",
    )


@dataclass
class Workers:
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def start(self, count: int, concurrency: int, log_dir: Path) -> None:
        for number in range(count):
            log = log_dir / f"worker-{number}.log"
            command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", str(concurrency)]
            command += ["--hostname", f"bench{number}@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
            self.processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                    env=os.environ,
                    start_new_session=True,  # killed as a group: the main process and its pool processes
                )
            )
            self.logs.append(log)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not all(" ready." in log.read_text() for log in self.logs):
            if time.monotonic() > deadline or any(process.poll() is not None for process in self.processes):
                raise RuntimeError("workers did not start:\n" + "\n".join(log.read_text() for log in self.logs))
            time.sleep(0.2)

    def pids(self) -> list[int]:
        """Every worker process: the main ones and their pool processes."""
        pids = []
        for process in self.processes:
            pids.append(process.pid)
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
            if children.exists():
                pids += [int(pid) for pid in children.read_text().split()]
        return pids

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        for process in self.processes:
            process.wait(timeout=30)


def rss_megabytes(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def run_job(order_ids: list[str], workers: Workers, timeout: float) -> dict:
    from orders.actors import Actor
    from orders.models import Tenant
    from pickpack.models import JobOrderStatus, RecalculationJob
    from pickpack.services import create_recalculation_job

    tenant = Tenant.objects.get(name=TENANT)
    started = time.monotonic()
    job = create_recalculation_job(tenant=tenant, job_type="MANUAL", order_ids=order_ids, actor=Actor(label="bench"))
    created = time.monotonic() - started
    print(f"  job {job.job_id} created in {created:.1f} s")
    samples: list[tuple[float, int, dict[int, float]]] = []
    deadline = started + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        done = job.order_rows.exclude(status=JobOrderStatus.PENDING).count()
        samples.append((time.monotonic() - started, done, {pid: rss_megabytes(pid) for pid in workers.pids()}))
        print(f"\r  {done:,}/{len(order_ids):,} orders done", end="", flush=True)
        if job.job_status != "IN_PROGRESS":
            break
        time.sleep(SAMPLE_SECONDS)
    print()
    job = RecalculationJob.objects.get(pk=job.pk)
    failures = job.order_rows.filter(status=JobOrderStatus.FAILURE).count()
    seconds = (job.finished_at - job.started_at).total_seconds() if job.finished_at else None
    return {"job": job, "failures": failures, "seconds": seconds, "create_seconds": created, "samples": samples}


def report(result: dict, order_count: int, workers: int) -> None:
    job, seconds, samples = result["job"], result["seconds"], result["samples"]
    print(f"job {job.job_id}: {job.job_status}, {order_count:,} orders, {result['failures']} failed")
    if seconds:
        print(f"throughput: {order_count / seconds:,.0f} orders/s end to end ({seconds:.1f} s, {workers} workers)")
    else:
        done = samples[-1][1]
        print(f"not finished within the timeout: {done:,} orders in {samples[-1][0]:.0f} s")
    pids = sorted({pid for _, _, rss in samples for pid in rss})
    print("worker RSS in MB at 10 %, 50 %, 90 % of the samples and the peak, per process:")
    for pid in pids:
        series = [rss[pid] for _, _, rss in samples if rss.get(pid)]
        if series:
            at = [series[int(len(series) * share)] for share in (0.1, 0.5, 0.9)]
            print(f"  pid {pid}: {at[0]:.0f} / {at[1]:.0f} / {at[2]:.0f}, peak {max(series):.0f}")


def exit_on_terminate(signum, frame) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so that the workers are stopped too


def main() -> None:
    signal.signal(signal.SIGTERM, exit_on_terminate)
    arguments = parse_arguments()
    recreate_database(arguments.server, arguments.database)
    empty_broker(arguments.broker)
    setup_django(f"{arguments.server}/{arguments.database}", arguments.broker)
    print(f"inserting {arguments.orders:,} orders into {arguments.database}")
    order_ids = bulk_create_orders(arguments.orders)
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    workers = Workers()
    try:
        workers.start(arguments.workers, arguments.concurrency, log_dir)
        workers.wait_ready()
        from django.db import connection

        connection.close()
        result = run_job(order_ids, workers, arguments.timeout)
    finally:
        workers.stop()
    report(result, len(order_ids), arguments.workers)


if __name__ == "__main__":
    main()
