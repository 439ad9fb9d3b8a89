"""What the write benchmarks share: a new tenant with one demo order, and a PATCH of it through Django's whole HTTP
stack in this process with a real token (import after django.setup())."""

import random
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from orders import documents, services
from orders.actors import Actor
from orders.demo import demo_order
from orders.models import Order, Tenant
from orders.scopes import ALL_SCOPES, VENDOR_SCOPES


@dataclass
class PatchTarget:
    tenant: Tenant
    order: Order
    http: Client
    auth: dict

    @property
    def path(self) -> str:
        return f"/order-v2/{self.tenant.name}/salesorders/{self.order.order_id}"

    def patch_email(self, number: int) -> None:
        """PATCH a new customer email (a one-field change); asserts the 204."""
        body = documents.dumps({"customer": {"email": f"buyer.{number}@example.com"}})
        response = self.http.generic("PATCH", self.path, data=body, content_type="application/json", **self.auth)
        assert response.status_code == 204, response.content


def new_patch_target(tenant_prefix: str) -> PatchTarget:
    """Migrate, then make a tenant, an API client with every tenant scope and its token, and a CREATED demo order."""
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    tenant = services.create_tenant(name=f"{tenant_prefix}{random.randrange(10**6)}")
    client, secret = services.create_api_client(
        tenant=tenant, scopes=[scope for scope in ALL_SCOPES if scope not in VENDOR_SCOPES]
    )
    http = Client()
    form = {"grant_type": "client_credentials", "client_id": client.application.client_id, "client_secret": secret}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {http.post('/oauth/token', form).json()['access_token']}"}
    document = {**demo_order(random.Random(1), 1, timezone.now()), "status": "CREATED"}
    order = services.create_order(tenant=tenant, document=document, actor=Actor.system())
    return PatchTarget(tenant, order, http, auth)
