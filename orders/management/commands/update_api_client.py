import json

from django.core.management.base import BaseCommand, CommandError

from orders.errors import DomainError
from orders.services import update_api_client


class Command(BaseCommand):
    help = (
        "Change an API client's scopes or vendor, or disable or enable it; deletes its access tokens. "
        'Prints {"client_id", "tenant", "scopes", "vendor", "active"} as JSON.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--scopes", help='The new scopes, space-separated, e.g. "order.order_read".')
        parser.add_argument("--vendor", help='The new vendor id; "" removes it.')
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--disable", dest="active", action="store_false", default=None)
        state.add_argument("--enable", dest="active", action="store_true", default=None)

    def handle(self, *args, client_id, scopes, vendor, active, **options):
        try:
            client = update_api_client(
                client_id=client_id,
                scopes=scopes.replace(",", " ").split() if scopes is not None else None,
                vendor_id=vendor,
                active=active,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        description = {
            "client_id": client.application.client_id,
            "tenant": client.tenant.name,
            "scopes": client.scope_list,
            "vendor": client.vendor_id,
            "active": client.is_active,
        }
        self.stdout.write(json.dumps(description))
