"""Indexes for the order list at a million orders, on PostgreSQL only (see docs/performance.md).

- `sort=created:desc` compiles to `ORDER BY created DESC NULLS LAST, order_id` (orders/query/sorting.py). The
  model's indexes hold `created DESC` with nulls first, which PostgreSQL cannot use for that order even though
  `created` is never null: it sorted every matching order, rendering each one's document, to return 16. These
  two indexes hold that order, with and without a status.
- The second one carries `total_gross` as a key, so a count over a date range with a range on totals (the orders
  of March between 100 and 200) tests both bounds inside the index: an index-only scan of the month.

Built CONCURRENTLY (hence `atomic = False`) so that adding them to a large live table does not block writes.
Like 0002 they are not part of the model state: models.py stays backend-neutral.
"""

from django.db import migrations, models
from django.db.models import F

LIST_INDEXES = [
    models.Index(
        F("tenant"), F("status"), F("created").desc(nulls_last=True), F("order_id"), name="order_status_created_sort"
    ),
    models.Index(F("tenant"), F("created").desc(nulls_last=True), F("total_gross"), name="order_created_sort"),
]


def create_list_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in LIST_INDEXES:
            schema_editor.add_index(apps.get_model("orders", "Order"), index, concurrently=True)


def drop_list_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in LIST_INDEXES:
            schema_editor.remove_index(apps.get_model("orders", "Order"), index, concurrently=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0003_catalog")]

    operations = [migrations.RunPython(create_list_indexes, drop_list_indexes, elidable=False)]
