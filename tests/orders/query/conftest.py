"""About thirty orders stored once per test module (rolled into the database outside the tests' transactions)."""

from dataclasses import dataclass, field

import pytest

from orders.actors import Actor
from orders.models import Order, Tenant
from orders.services import create_order, create_tenant

from .documents import all_order_documents


@dataclass(frozen=True)
class StoredOrders:
    tenant: Tenant
    documents: dict[str, dict] = field(repr=False)  # order id → the document as stored

    def orders(self):
        return Order.objects.filter(tenant=self.tenant)

    def ids(self, queryset) -> set[str]:
        return set(queryset.values_list("order_id", flat=True))


@pytest.fixture(scope="module")
def stored_orders(django_db_setup, django_db_blocker) -> StoredOrders:
    with django_db_blocker.unblock():
        tenant = create_tenant(name="qlang")
        for document in all_order_documents():
            create_order(tenant=tenant, document=document, actor=Actor(label="test"))
        documents = dict(Order.objects.filter(tenant=tenant).values_list("order_id", "document"))
        yield StoredOrders(tenant, documents)
        tenant.delete()


@pytest.fixture
def orders(db, stored_orders) -> StoredOrders:
    return stored_orders
