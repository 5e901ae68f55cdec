from django.db import migrations

ROLES = [
    ("call_taker", "话务员"),
    ("hotline_admin", "热线管理员"),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code, name in ROLES:
        Role.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("org", "0003_staff_photo")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
