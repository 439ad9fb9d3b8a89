from django.core.management.base import BaseCommand, CommandError

from orders.errors import ValidationFailed
from orders.models import Tenant
from orders.services import create_tenant


class Command(BaseCommand):
    help = "Create a tenant (lowercase letters and digits, 3 to 16 characters, starting with a letter)."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        if Tenant.objects.filter(name=name).exists():
            raise CommandError(f"Tenant {name!r} already exists.")
        try:
            create_tenant(name=name)
        except ValidationFailed as error:
            raise CommandError(f"{error.message} {' '.join(d.message for d in error.details)}") from error
        self.stdout.write(f"Created tenant {name}.")
