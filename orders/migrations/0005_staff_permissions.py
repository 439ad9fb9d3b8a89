# The staff back office's permission to change orders (transitions, delivered amounts, splits).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0004_order_list_indexes"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="order",
            options={"permissions": [("manage_orders", "Can manage orders")]},
        ),
    ]
