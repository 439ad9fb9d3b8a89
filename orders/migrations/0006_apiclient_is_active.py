# API clients can be disabled: a disabled client gets no tokens and the tokens it holds stop working.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0005_staff_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="apiclient",
            name="is_active",
            field=models.BooleanField(default=True, help_text="A disabled client gets no tokens and its tokens fail."),
        ),
    ]
