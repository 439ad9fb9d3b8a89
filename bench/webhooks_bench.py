"""The webhook outbox's cost: write overhead of an API PATCH with no endpoint and with one subscribed endpoint.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hooks_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/webhooks_bench.py [--writes-per-round 500] [--rounds 12]

Migrates the database, makes a tenant, one demo order and one endpoint, then sends PATCHes through Django's whole HTTP
stack in this process, in rounds that take turns: the outbox switched off (the reference), on with the endpoint
disabled (0 endpoints), on with it enabled (1 endpoint: the event, its delivery and the task queued on commit to the
broker; no worker runs, so nothing is sent). Prints the median wall time and process CPU time per PATCH of each and
their ratios to the reference (on a busy machine only the CPU figures are steady).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("WEBHOOKS_ALLOW_PRIVATE_URLS", "true")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from patch_target import new_patch_target  # noqa: E402

from orders import documents  # noqa: E402
from orders.webhooks import outbox  # noqa: E402
from orders.webhooks import services as webhooks  # noqa: E402
from orders.webhooks.models import WebhookEndpoint, WebhookEvent  # noqa: E402

MODES = ("reference", "0 endpoints", "1 endpoint")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes-per-round", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    target = new_patch_target("hooks")
    tenant = target.tenant
    endpoint, _ = webhooks.create_endpoint(tenant=tenant, url="http://127.0.0.1:9/hooks")
    timings: dict[str, list[float]] = {mode: [] for mode in MODES}
    cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
    real_record = outbox.record
    written = 0
    for round_number in range(args.rounds):
        mode = MODES[round_number % len(MODES)]
        outbox.record = (lambda **kwargs: None) if mode == "reference" else real_record
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=mode == "1 endpoint")
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(args.writes_per_round):
            written += 1
            target.patch_email(written)
        timings[mode].append((time.perf_counter() - start) / args.writes_per_round * 1000)
        cpu[mode].append((time.process_time() - cpu_start) / args.writes_per_round * 1000)
        print(
            f"round {round_number + 1:2}: {mode:12} {timings[mode][-1]:.3f} ms per PATCH, CPU {cpu[mode][-1]:.3f} ms",
            flush=True,
        )
    outbox.record = real_record
    print(f"{connection.vendor} with broker {settings.CELERY_BROKER_URL.split(':', 1)[0]}")
    for name, values in (("wall", timings), ("CPU", cpu)):
        medians = {mode: statistics.median(rounds) for mode, rounds in values.items()}
        for mode in MODES:
            ratio = medians[mode] / medians["reference"]
            print(f"median {name:4} {mode:12} {medians[mode]:.3f} ms per PATCH, ratio {ratio:.3f}")
    sizes = [len(documents.dumps(event.payload)) for event in WebhookEvent.objects.filter(tenant=tenant)[:100]]
    if sizes:
        print(f"payload of order.updated: {statistics.median(sizes):.0f} bytes (median)")


if __name__ == "__main__":
    main()
