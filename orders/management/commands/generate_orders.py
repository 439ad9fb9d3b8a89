import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from orders.bulk import BATCH_SIZE, generate_orders, print_progress
from orders.models import Tenant

MAX_DEFAULT_WORKERS = 4


class Command(BaseCommand):
    help = (
        "Load N generated, realistic orders into a tenant, fast, for benchmarks: PostgreSQL COPY in batches of "
        f"{BATCH_SIZE:,} orders in parallel processes (bulk_create on SQLite). Progress goes to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--count", required=True, type=int)
        parser.add_argument("--seed", type=int, default=0, help="Same seed, same orders.")
        parser.add_argument(
            "--workers", type=int, help="Processes loading batches (PostgreSQL only; default: one per CPU, at most 4)."
        )

    def handle(self, *args, tenant, count, seed, workers, **options):
        tenant_row = Tenant.objects.filter(name=tenant).first()
        if tenant_row is None:
            raise CommandError(f"No tenant {tenant!r}; create it with: python manage.py create_tenant {tenant}")
        if count < 1:
            raise CommandError("--count must be at least 1.")
        stored = generate_orders(
            tenant_row,
            count,
            seed=seed,
            workers=self.worker_count(workers),
            progress=print_progress(count, self.stderr),
        )
        self.stdout.write(f"Stored {stored:,} orders for tenant {tenant}.")

    def worker_count(self, requested: int | None) -> int:
        if connection.vendor != "postgresql":
            return 1  # SQLite has one writer at a time
        if requested is not None and requested < 1:
            raise CommandError("--workers must be at least 1.")
        return requested or min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS)
