"""The document index (0002) inserts each write's keys at once instead of through a pending list, on PostgreSQL.

With GIN's default `fastupdate`, writes append to a pending list that the write finding it past
`gin_pending_list_limit` (4 MB) merges into the index, alone and inside its own transaction: at a million orders
that write took 1.2–1.6 s (seconds more on a busy disk), holding its order's row lock meanwhile. Without it each
write pays its own insertion (one-field document updates: p50 13 → 26 ms, p99 40 → 109 ms on a loaded machine)
and none pays for the others: no stall above 261 ms (docs/performance.md). A smaller pending list stalled as long
and more often. The list left over is merged now, so no later write inherits it.
"""

from django.db import migrations

INDEX = "order_document_path_ops"


def fastupdate_off(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def fastupdate_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("orders", "0017_order_search_text")]

    operations = [migrations.RunPython(fastupdate_off, fastupdate_default, elidable=False)]
