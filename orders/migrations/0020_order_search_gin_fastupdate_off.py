"""The search index (0017) without GIN's pending list too, on PostgreSQL, for the reason 0018 gives for the document
index: with `fastupdate` the write that finds the pending list full merges it alone, holding its order's lock. Every
new order adds its search text's trigrams (a few dozen keys), so each write pays for its own instead.
"""

from django.db import migrations

INDEX = "order_search_text_trgm"


def fastupdate_off(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def fastupdate_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("orders", "0019_admin_status_index")]

    operations = [migrations.RunPython(fastupdate_off, fastupdate_default, elidable=False)]
