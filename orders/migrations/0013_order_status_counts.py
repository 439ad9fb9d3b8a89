"""Counter rows of orders per tenant and status (orders/counts.py), filled from the orders there are.

The fill counts under a SHARE lock on the orders: writes wait for the one scan, so none slips between the count
and the commit.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def fill_counts(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderStatusCount = apps.get_model("orders", "OrderStatusCount")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"LOCK TABLE {Order._meta.db_table} IN SHARE MODE")
    rows = Order.objects.order_by().values_list("tenant", "status").annotate(count=Count("pk"))
    OrderStatusCount.objects.bulk_create(
        OrderStatusCount(tenant_id=tenant, status=status, count=count) for tenant, status, count in rows
    )


def drop_counts(apps, schema_editor):
    apps.get_model("orders", "OrderStatusCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0012_status_labels_and_notes"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrderStatusCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(max_length=16)),
                ("count", models.BigIntegerField(default=0)),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="orders.tenant"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("tenant", "status"), name="order_status_count_unique")],
            },
        ),
        migrations.RunPython(fill_counts, drop_counts, elidable=False),
    ]
