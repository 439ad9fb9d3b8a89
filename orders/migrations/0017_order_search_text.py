"""The order list's search box reads a stored column: `search_text`, the upper-cased order id, customer email, name,
first and last name and company, kept by the database from the row itself (orders/models.py `searched_text`).

On PostgreSQL a trigram index over it (built CONCURRENTLY, hence `atomic = False`) serves `LIKE '%WORD%'` at a
million orders, and each row the index finds is checked against a short column instead of the order's document
(docs/performance.md, "Order search"). The expression index 0015 first built over the document is dropped where it
exists. Adding the column rewrites the table once (about N minutes at a million orders, see docs/performance.md).
"""

import django.db.models.fields.json
import django.db.models.functions.text
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

SEARCH_INDEX = GinIndex(fields=["search_text"], name="order_search_text_trgm", opclasses=["gin_trgm_ops"])


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS order_search_trgm")
        schema_editor.add_index(apps.get_model("orders", "Order"), SEARCH_INDEX, concurrently=True)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("orders", "Order"), SEARCH_INDEX, concurrently=True)


def customer_key(key: str):
    return django.db.models.fields.json.KeyTextTransform(
        key, django.db.models.fields.json.KeyTextTransform("customer", "document")
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0016_order_exports")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Upper(
                    django.db.models.functions.text.Concat(
                        models.F("order_id"),
                        models.Value(" "),
                        models.F("customer_email"),
                        models.Value(" "),
                        customer_key("name"),
                        models.Value(" "),
                        customer_key("firstName"),
                        models.Value(" "),
                        customer_key("lastName"),
                        models.Value(" "),
                        customer_key("company"),
                        output_field=models.TextField(),
                    )
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
