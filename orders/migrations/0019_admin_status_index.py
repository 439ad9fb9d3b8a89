"""An index for the admin's order list filtered by status alone, on PostgreSQL only (see docs/performance.md).

The admin lists orders of every tenant; its tenant filter is not even shown while there is one tenant. Filtered
by status, its count and its page (`created DESC, id DESC`) found no index starting with the status and read the
table until 10,000 matches turned up: 1 s at a million orders for a status of recent orders.

Built CONCURRENTLY (hence `atomic = False`) so that adding it to a large live table does not block writes.
Like 0002, 0004 and 0014 it is not part of the model state: models.py stays backend-neutral.
"""

from django.db import migrations, models
from django.db.models import F

STATUS_INDEX = models.Index(F("status"), F("created").desc(), F("id").desc(), name="order_status_created_id")


def create_status_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("orders", "Order"), STATUS_INDEX, concurrently=True)


def drop_status_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("orders", "Order"), STATUS_INDEX, concurrently=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0018_order_document_gin_fastupdate_off")]

    operations = [migrations.RunPython(create_status_index, drop_status_index, elidable=False)]
