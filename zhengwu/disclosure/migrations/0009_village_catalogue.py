"""The default 村务公开目录 and 党务公开目录 (``zhengwu.disclosure.village_defaults``)."""

from django.db import migrations


def seed(apps, schema_editor):
    from zhengwu.disclosure.village_defaults import seed as seed_rows

    seed_rows(apps.get_model("disclosure", "VillageCategory"))


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0008_village")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
