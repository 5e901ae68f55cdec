"""On PostgreSQL, range-partition the audit trail (``core_auditevent``) by month (see docs/partitions.md).

Nothing changes on SQLite, nor in Django's model state: the table is rebuilt by
``zhengwu.core.partitions.convert`` with the same columns, identity (its sequence goes on), indexes,
foreign keys and rights, a primary key of (id, at) because PostgreSQL requires the partition key in
every unique constraint, month partitions for the months present plus a default partition, and the
rows copied over.

The unique index ``core_auditevent_one_successor`` (two rows must never chain to the same
predecessor, a fork) cannot exist on a partitioned table: it lacks the partition key ``at``, and
PostgreSQL has no unique index across partitions. It is kept on each partition instead, as
``<partition>_one_successor``, created here and by ``zhengwu partitions ensure`` for every new
partition. A fork whose two rows fall in different months is no longer refused by the database;
the writer's advisory lock still prevents it (both rows take their time and predecessor under that
lock), and ``zhengwu audit verify`` would report it. The model keeps its UniqueConstraint so that
SQLite keeps the guarantee whole; do not write a migration that drops that constraint by name on
PostgreSQL (there is no index of that name there). Going back makes it a plain table again.
"""

from django.db import migrations

from zhengwu.core.partitions import convert, unconvert


def forward(apps, schema_editor):
    convert(schema_editor, "core_auditevent")


def backward(apps, schema_editor):
    unconvert(schema_editor, "core_auditevent")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_idempotencyrecord"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
