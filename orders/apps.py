from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_staff_groups(sender, **kwargs) -> None:
    """Keep the order desk's groups in step with the permissions migrations create (idempotent)."""
    from .staff.access import ensure_staff_groups

    ensure_staff_groups()


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from config import browser  # noqa: F401  (registers the cookie checks of the browser-only middleware)

        from . import converters  # noqa: F401  (registers the "id" path converter the URLconfs use)
        from .api import schema  # noqa: F401  (registers the OpenAPI description of our token auth)

        post_migrate.connect(create_staff_groups, dispatch_uid="orders.create_staff_groups")
