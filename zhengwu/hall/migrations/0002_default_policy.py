from django.db import migrations


def create_default(apps, schema_editor):
    QueuePolicy = apps.get_model("hall", "QueuePolicy")
    if not QueuePolicy.objects.filter(hall__isnull=True).exists():
        QueuePolicy.objects.create(hall=None)


class Migration(migrations.Migration):
    dependencies = [("hall", "0001_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
