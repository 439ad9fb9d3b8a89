"""Create a staff user of a tenant in one step: the login, the tenant membership, the order desk groups."""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from orders.models import Tenant
from orders.staff.access import STAFF_GROUPS, ensure_staff_groups

# --role names and the groups each one gets.
ROLES = {
    "viewer": ["Order desk: viewers"],
    "manager": ["Order desk: managers"],
    "jobs": ["Order desk: managers", "Order desk: job managers"],
    "integrations": ["Order desk: viewers", "Order desk: integration managers"],
    "all": list(STAFF_GROUPS),
}


class Command(BaseCommand):
    help = "Create a staff user who works in a tenant (or add an existing one to it) with a role's groups."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", help="Without it, an existing user keeps theirs and a new one gets none.")
        parser.add_argument("--role", choices=sorted(ROLES), default="manager")
        parser.add_argument("--name", default="", help='The full name, e.g. "Anna Meyer".')

    def handle(self, *args, tenant, username, password, role, name, **options):
        tenant_row = Tenant.objects.filter(name=tenant).first()
        if tenant_row is None:
            raise CommandError(f"No tenant {tenant!r}; create it with: python manage.py create_tenant {tenant}")
        ensure_staff_groups()
        user, created = get_user_model().objects.get_or_create(username=username)
        if name:
            user.first_name, _, user.last_name = name.partition(" ")
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()
        tenant_row.members.add(user)
        user.groups.add(*Group.objects.filter(name__in=ROLES[role]))
        self.stdout.write(
            json.dumps(
                {"username": username, "tenant": tenant, "role": role, "groups": ROLES[role], "created": created}
            )
        )
