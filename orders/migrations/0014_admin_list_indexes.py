"""Indexes for the admin's order list at a million orders, on PostgreSQL only (see docs/performance.md).

- The admin lists orders of every tenant newest first (`created DESC, id DESC`): the model's indexes all start with
  the tenant, so PostgreSQL sorted every order to show 100. This one holds that order.
- The admin searches customer emails by their start (`customer_email LIKE 'anna%'`). The database collates by
  locale (C.UTF-8 here, en_US elsewhere), where a plain b-tree does not serve LIKE; `varchar_pattern_ops` does.

Built CONCURRENTLY (hence `atomic = False`) so that adding them to a large live table does not block writes.
Like 0002 and 0004 they are not part of the model state: models.py stays backend-neutral.
"""

from django.db import migrations, models
from django.db.models import F

ADMIN_INDEXES = [
    models.Index(F("created").desc(), F("id").desc(), name="order_created_id"),
    models.Index(fields=["customer_email"], opclasses=["varchar_pattern_ops"], name="order_customer_email_prefix"),
]


def create_admin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in ADMIN_INDEXES:
            schema_editor.add_index(apps.get_model("orders", "Order"), index, concurrently=True)


def drop_admin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in ADMIN_INDEXES:
            schema_editor.remove_index(apps.get_model("orders", "Order"), index, concurrently=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0013_order_status_counts")]

    operations = [migrations.RunPython(create_admin_indexes, drop_admin_indexes, elidable=False)]
