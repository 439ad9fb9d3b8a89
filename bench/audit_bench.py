"""The audit trail's cost: write overhead in % of an API PATCH, and storage per change record.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/audit_bench .venv/bin/python bench/audit_bench.py \\
        [--writes 100000] [--rounds 10]

Migrates the database, makes a tenant and one demo order, then sends `--writes` PATCHes through Django's whole
HTTP stack in this process, in `--rounds` alternating rounds with the change record written and not written (the
reference), and prints the time per PATCH of each, their ratio, and the table's size per record.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from patch_target import new_patch_target  # noqa: E402

from orders import audit  # noqa: E402
from orders.models import ChangeRecord  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    target = new_patch_target("audit")
    records_before = ChangeRecord.objects.count()
    per_round = args.writes // args.rounds
    timings = {"audited": [], "reference": []}
    cpu = {"audited": [], "reference": []}
    real_record = audit.record_change
    written = 0
    for round_number in range(args.rounds):
        mode = "audited" if round_number % 2 == 0 else "reference"
        audit.record_change = real_record if mode == "audited" else (lambda *args, **kwargs: None)
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(per_round):
            written += 1
            target.patch_email(written)
        timings[mode].append((time.perf_counter() - start) / per_round * 1000)
        cpu[mode].append((time.process_time() - start_cpu) / per_round * 1000)
        print(
            f"round {round_number + 1}: {mode:9} {timings[mode][-1]:.2f} ms per PATCH, "
            f"{cpu[mode][-1]:.2f} ms of this process's CPU",
            flush=True,
        )
    audit.record_change = real_record
    for label, figures in (("wall", timings), ("CPU", cpu)):
        audited, reference = statistics.median(figures["audited"]), statistics.median(figures["reference"])
        print(f"median {label} ms per PATCH: audited {audited:.2f}, reference {reference:.2f}, ", end="")
        print(f"overhead {audited / reference - 1:+.1%}")
    records = ChangeRecord.objects.count() - records_before
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size('orders_changerecord'), pg_relation_size('orders_changerecord')"
            )
            total, heap = cursor.fetchone()
        all_records = ChangeRecord.objects.count()
        print(
            f"{records:,} records written; table with indexes {total / all_records:.0f} bytes per record "
            f"({heap / all_records:.0f} without indexes), {all_records:,} records in all"
        )


if __name__ == "__main__":
    main()
