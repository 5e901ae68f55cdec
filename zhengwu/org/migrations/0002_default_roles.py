from django.db import migrations

ROLES = [
    ("window_officer", "窗口人员"),
    ("chief_rep", "首席代表"),
    ("dept_head", "部门负责人"),
    ("hall_admin", "中心管理员"),
    ("supervisor", "效能监察员"),
    ("village_agent", "代办员"),
    ("leader", "领导"),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code, name in ROLES:
        Role.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
