"""The CPU an export costs, per way of writing its CSV: Python formatting each row, or PostgreSQL's COPY.

Run by hand against a copy of a large database (read only), in-process, no server:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/desk16_1m .venv/bin/python bench/export_bench.py \\
        --tenant bench [--rows 200000] [--rounds 2]

Each round writes the CSV of the newest `--rows` orders of the tenant's largest status, in the staff list's order,
both ways, to /dev/null. For each it prints the wall time, the CPU time of this Python process and the CPU time of
its PostgreSQL backend (read from /proc: the server must run on this machine, readable by this user), and checks
that both ways wrote the same bytes.
"""

import argparse
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402

from orders.counts import counts_by_status  # noqa: E402
from orders.models import Order, Tenant  # noqa: E402
from orders.staff import exports  # noqa: E402
from orders.staff.filters import OrderFilterSet  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WAYS = {"python": exports._formatted_batches, "copy": exports._copied_batches}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenant", default="bench")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    return parser.parse_args()


def backend_cpu_seconds() -> float:
    """User + system CPU of this connection's PostgreSQL backend so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15 of stat)


def exported_orders(tenant: Tenant, rows: int):
    status = max(counts_by_status(tenant).items(), key=lambda item: item[1])[0]
    orders = Order.objects.filter(tenant=tenant).defer("document")
    return OrderFilterSet({"status": status}, queryset=orders).ordered_qs()[:rows], status


def write(way, orders) -> tuple[float, float, float, str, int]:
    digest, rows = hashlib.sha256(), 0
    backend_before, cpu_before, started = backend_cpu_seconds(), time.process_time(), time.perf_counter()
    for piece, count in way(orders):
        digest.update(piece)
        rows += count
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_before
    return wall, cpu, backend_cpu_seconds() - backend_before, digest.hexdigest(), rows


def main() -> None:
    arguments = parse_arguments()
    tenant = Tenant.objects.get(name=arguments.tenant)
    orders, status = exported_orders(tenant, arguments.rows)
    print(f"CSV of {orders.count():,} orders of status {status}, {arguments.rounds} rounds, load {os.getloadavg()}")
    results: dict[str, list[tuple]] = {name: [] for name in WAYS}
    for _ in range(arguments.rounds):
        for name, way in WAYS.items():
            results[name].append(write(way, orders))
    digests = {result[3] for runs in results.values() for result in runs}
    for name, runs in results.items():
        wall, cpu, backend = (statistics.median(run[index] for run in runs) for index in range(3))
        print(
            f"{name:6}: {runs[0][4]:,} rows, wall {wall:6.1f} s, Python CPU {cpu:6.1f} s, "
            f"PostgreSQL backend CPU {backend:6.1f} s (medians)"
        )
    print("same bytes both ways" if len(digests) == 1 else "THE TWO WAYS WROTE DIFFERENT BYTES")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
