"""The 优化营商环境办 role, which approves or refuses declarations of activities touching enterprises."""

from django.db import migrations

CODE, NAME = "business_env", "优化营商环境办"


def add_role(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    Role.objects.get_or_create(code=CODE, defaults={"name": NAME})


class Migration(migrations.Migration):
    dependencies = [("declarations", "0001_initial"), ("org", "0007_intermediary_roles")]

    operations = [migrations.RunPython(add_role, migrations.RunPython.noop)]
