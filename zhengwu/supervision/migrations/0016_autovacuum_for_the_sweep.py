"""Autovacuum settings of the clocks and cards tables (PostgreSQL only; nothing in Django's model state).

The daily sweep counts the running clocks through an index-only scan and probes the card index once per
candidate clock (one card per condition, ever): both skip a table's rows only on pages the visibility map
marks all-visible, and only VACUUM sets those marks. With PostgreSQL's defaults a table is vacuumed once a
fifth of it has changed: at 10,000,000 clocks and 3,000,000 cards, every few weeks, so on most nights the
sweep reads the rows of every page the day's work left unmarked (clocks finished and started, cards raised,
cleared by a finish, upgraded): at the size of issue 10, 280,000 row reads for the count and 30,000–60,000
for the probes the day after a sweep.

Here the clocks are vacuumed after every 10,000 rows changed or inserted and the cards after every 1,000
(the cards a day's finishes clear are a few thousand, spread over the pages of the cards still active), the
cards analysed as often (the planner then knows how many are active after a sweep). Both always vacuum
their indexes (``vacuum_index_cleanup``): with few dead rows PostgreSQL would skip them and leave the dead
rows' line pointers behind, and a page with those is not marked all-visible. At the size of issue 10 such a
vacuum takes 1–4 s for the clocks (their indexes are 1.2 GB) and 0.2 s for the cards, in the background.
"""

from django.db import migrations

SETTINGS = {
    "supervision_clock": {
        "autovacuum_vacuum_threshold": 10000,
        "autovacuum_vacuum_scale_factor": 0,
        "autovacuum_vacuum_insert_threshold": 10000,
        "autovacuum_vacuum_insert_scale_factor": 0,
        "vacuum_index_cleanup": "on",
    },
    "supervision_card": {
        "autovacuum_vacuum_threshold": 1000,
        "autovacuum_vacuum_scale_factor": 0,
        "autovacuum_vacuum_insert_threshold": 1000,
        "autovacuum_vacuum_insert_scale_factor": 0,
        "autovacuum_analyze_threshold": 1000,
        "autovacuum_analyze_scale_factor": 0,
        "vacuum_index_cleanup": "on",
    },
}


def tune(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, settings in SETTINGS.items():
        schema_editor.execute(f"ALTER TABLE {table} SET ({', '.join(f'{k} = {v}' for k, v in settings.items())})")


def untune(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, settings in SETTINGS.items():
        schema_editor.execute(f"ALTER TABLE {table} RESET ({', '.join(settings)})")


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0015_card_indexes_for_the_sweep"),
    ]

    operations = [
        migrations.RunPython(tune, untune),
    ]
