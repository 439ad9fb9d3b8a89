import json

from django.core.management.base import BaseCommand, CommandError

from orders.errors import ValidationFailed
from orders.models import Tenant
from orders.webhooks.services import create_endpoint


class Command(BaseCommand):
    help = 'Subscribe a URL to a tenant\'s events and print {"id", "secret"} as JSON; the secret is shown this once.'

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--url", required=True, help="http(s) URL on a public address.")
        parser.add_argument(
            "--events", default="", help="Comma-separated event types, e.g. order.created,order.updated; all if empty."
        )
        parser.add_argument("--description", default="")

    def handle(self, *args, tenant, url, events, description, **options):
        tenant_row = Tenant.objects.filter(name=tenant).first()
        if tenant_row is None:
            raise CommandError(f"No tenant {tenant!r}; create it with: python manage.py create_tenant {tenant}")
        try:
            endpoint, secret = create_endpoint(
                tenant=tenant_row, url=url, events=events.split(","), description=description
            )
        except ValidationFailed as error:
            raise CommandError(error.message) from error
        self.stdout.write(json.dumps({"id": endpoint.pk, "secret": secret}))
