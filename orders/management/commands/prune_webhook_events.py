from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from orders.webhooks.services import prune_events


class Command(BaseCommand):
    help = "Delete webhook events older than --older-than days, with their deliveries and attempts (none pending)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")

    def handle(self, *args, older_than, **options):
        if older_than < 1:
            raise CommandError("--older-than must be at least 1 day.")
        deleted = prune_events(older_than=timedelta(days=older_than))
        self.stdout.write(f"{deleted} webhook events deleted.")
