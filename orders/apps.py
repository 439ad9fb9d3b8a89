from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from .api import schema  # noqa: F401  (registers the OpenAPI description of our token auth)
