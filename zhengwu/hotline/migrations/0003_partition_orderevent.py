"""On PostgreSQL, range-partition 工单记录 (``hotline_orderevent``) by month (see docs/partitions.md).

Nothing changes on SQLite, nor in Django's model state: the table is rebuilt by
``zhengwu.core.partitions.convert`` with the same columns, identity (its sequence goes on), indexes,
foreign keys and rights, a primary key of (id, at) because PostgreSQL requires the partition key in
every unique constraint, month partitions for the months present plus a default partition, and the
rows copied over. Going back makes it a plain table again.
"""

from django.db import migrations

from zhengwu.core.partitions import convert, unconvert


def forward(apps, schema_editor):
    convert(schema_editor, "hotline_orderevent")


def backward(apps, schema_editor):
    unconvert(schema_editor, "hotline_orderevent")


class Migration(migrations.Migration):

    dependencies = [
        ("hotline", "0002_order_kpi_index"),
        ("core", "0006_partition_auditevent"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
