"""The 信息处理费 standard of 国办函〔2020〕109号 as editable rows."""

from django.db import migrations

BANDS = [
    ("per_request", 1, 10, 0, 0, 0),
    ("per_request", 11, 30, 100, 0, 0),
    ("per_request", 31, None, 200, 10, 100),
    ("per_page", 1, 30, 0, 0, 0),
    ("per_page", 31, 100, 10, 0, 0),
    ("per_page", 101, 200, 20, 0, 0),
    ("per_page", 201, None, 40, 0, 0),
]


def seed(apps, schema_editor):
    FeeBand = apps.get_model("disclosure", "FeeBand")
    for method, lower, upper, price, step, increase in BANDS:
        FeeBand.objects.get_or_create(method=method, lower=lower, defaults={
            "upper": upper, "unit_price": price, "step": step, "step_increase": increase})


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
