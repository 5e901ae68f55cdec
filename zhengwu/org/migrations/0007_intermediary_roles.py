from django.db import migrations

ROLES = [
    ("intermediary_admin", "中介超市管理员"),
    ("intermediary_supervisor", "中介服务监管人员"),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code, name in ROLES:
        Role.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("org", "0006_hall_kind_trading_center")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
