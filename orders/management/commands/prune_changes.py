"""Delete change records older than a number of days: the audit trail's retention."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orders.audit import prune_change_records


class Command(BaseCommand):
    help = "Delete the audit trail's change records older than --older-than days (all tenants, or --tenant)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument("--tenant", default="", help="Only this tenant's records.")

    def handle(self, *args, older_than: int, tenant: str, **options):
        if older_than < 0:
            raise CommandError("--older-than must be a number of days, 0 or more.")
        deleted = prune_change_records(before=timezone.now() - timedelta(days=older_than), tenant=tenant)
        self.stdout.write(f"Deleted {deleted} change records older than {older_than} days.")
