"""A GIN index (jsonb_path_ops) on the order document, on PostgreSQL only: it serves the q language's
containment tests (`document @> '{…}'`). SQLite has no such index; there the migration does nothing.

The index is built CONCURRENTLY so that adding it to a large live table does not block writes; hence
`atomic = False`. It is not part of the model state (models.py stays backend-neutral).
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

DOCUMENT_INDEX = GinIndex(fields=["document"], name="order_document_path_ops", opclasses=["jsonb_path_ops"])


def create_document_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("orders", "Order"), DOCUMENT_INDEX, concurrently=True)


def drop_document_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("orders", "Order"), DOCUMENT_INDEX, concurrently=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(create_document_index, drop_document_index, elidable=False)]
