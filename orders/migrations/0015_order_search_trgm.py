"""A trigram index for the order list's search box (orders/search.py), on PostgreSQL only.

It holds the upper-cased text of the fields searched (order id, customer email, name, first and last name, company),
which is what `icontains` compares, so a substring search of a few characters is an index scan at a million orders
(docs/performance.md). pg_trgm is a trusted extension: the database owner may create it.

Built CONCURRENTLY (hence `atomic = False`) so that adding it to a large live table does not block writes. Like 0002
it is not part of the model state: models.py stays backend-neutral.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models import F, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Concat, Upper

SEARCH_INDEX = GinIndex(
    OpClass(
        Upper(
            Concat(
                F("order_id"),
                Value(" "),
                F("customer_email"),
                Value(" "),
                KT("document__customer__name"),
                Value(" "),
                KT("document__customer__firstName"),
                Value(" "),
                KT("document__customer__lastName"),
                Value(" "),
                KT("document__customer__company"),
                output_field=TextField(),
            )
        ),
        name="gin_trgm_ops",
    ),
    name="order_search_trgm",
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("orders", "Order"), SEARCH_INDEX, concurrently=True)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("orders", "Order"), SEARCH_INDEX, concurrently=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("orders", "0014_admin_list_indexes")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
