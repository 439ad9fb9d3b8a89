import json

from django.core.management.base import BaseCommand, CommandError

from orders.errors import ValidationFailed
from orders.models import Tenant
from orders.services import create_api_client


class Command(BaseCommand):
    help = 'Create an OAuth2 client for a tenant and print {"client_id", "client_secret"} as JSON.'

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument(
            "--scopes", required=True, help='Space-separated, e.g. "order.order_read order.order_create".'
        )
        parser.add_argument("--vendor", default="", help="Vendor id for the *_by_vendor scopes.")
        parser.add_argument("--name", default="")

    def handle(self, *args, tenant, scopes, vendor, name, **options):
        tenant_row = Tenant.objects.filter(name=tenant).first()
        if tenant_row is None:
            raise CommandError(f"No tenant {tenant!r}; create it with: python manage.py create_tenant {tenant}")
        try:
            client, secret = create_api_client(
                tenant=tenant_row, scopes=scopes.replace(",", " ").split(), vendor_id=vendor, name=name
            )
        except ValidationFailed as error:
            raise CommandError(error.message) from error
        self.stdout.write(json.dumps({"client_id": client.application.client_id, "client_secret": secret}))
