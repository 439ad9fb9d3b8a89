"""pg_trgm for the order list's search box, on PostgreSQL only (a trusted extension: the database owner may create
it). Its index is built by 0017, over a stored column: this migration first built one over an expression reading
each order's document, which every row checked had to decode (0017 drops it where it was built).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0014_admin_list_indexes")]

    operations = [TrigramExtension()]
