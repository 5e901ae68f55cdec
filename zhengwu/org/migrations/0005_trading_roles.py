from django.db import migrations

ROLES = [
    ("trading_admin", "交易中心管理员"),
    ("trading_supervisor", "交易监督人员"),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code, name in ROLES:
        Role.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("org", "0004_hotline_roles")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
