"""Demo data for both services; it lives in pickpack because pickpack may use orders, never the reverse."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils import timezone
from oauth2_provider.models import Application

from orders.actors import Actor
from orders.demo import demo_order, load_catalog
from orders.models import Order, Tenant
from orders.scopes import ALL_SCOPES, VENDOR_SCOPES
from orders.services import create_api_client, create_order, create_tenant
from orders.staff.access import STAFF_GROUPS, ensure_staff_groups
from pickpack.demo import seed_packing_events

TENANT = "demo"
DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"
DEMO_ORDER_COUNT = 200


class Command(BaseCommand):
    help = (
        "Load demo data: tenant 'demo', staff login admin/admin, an API client with every scope, a catalog, "
        "~200 orders, packing events."
    )

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(name=TENANT).first() or create_tenant(name=TENANT)
        self._ensure_admin(tenant)
        self._ensure_api_client(tenant)
        load_catalog(tenant)
        self._ensure_orders(tenant)
        seed_packing_events(tenant)
        self.stdout.write(
            f"Demo data ready: tenant {TENANT}, staff login admin/admin, API client {DEMO_CLIENT_ID} / "
            f"{DEMO_CLIENT_SECRET} (every scope)."
        )

    def _ensure_admin(self, tenant: Tenant) -> None:
        user_model = get_user_model()
        admin = user_model.objects.filter(username="admin").first()
        if admin is None:
            admin = user_model.objects.create_superuser("admin", "admin@example.com", "admin")
        tenant.members.add(admin)
        missing = ensure_staff_groups()
        if missing:
            self.stderr.write(f"Staff groups lack permissions not migrated yet: {', '.join(missing)}")
        # A superuser may do everything anyway; the groups show other staff users where they belong.
        admin.groups.add(*Group.objects.filter(name__in=STAFF_GROUPS))

    def _ensure_api_client(self, tenant: Tenant) -> None:
        if not Application.objects.filter(client_id=DEMO_CLIENT_ID).exists():
            scopes = [scope for scope in ALL_SCOPES if scope not in VENDOR_SCOPES]
            create_api_client(
                tenant=tenant,
                scopes=scopes,
                name="Demo integration",
                client_id=DEMO_CLIENT_ID,
                client_secret=DEMO_CLIENT_SECRET,
            )

    def _ensure_orders(self, tenant: Tenant) -> None:
        missing = DEMO_ORDER_COUNT - Order.objects.filter(tenant=tenant).count()
        rng = random.Random(2076)
        now = timezone.now()
        actor = Actor(label="seed_demo")
        for number in range(max(missing, 0)):
            create_order(tenant=tenant, document=demo_order(rng, number, now), actor=actor)
