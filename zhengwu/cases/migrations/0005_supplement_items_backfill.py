"""One SupplementItem per name each existing 补正告知 listed.

A name equal to a material of the case's item version is that material; others are free text.
Items of a request already complete are received on its 补齐日期; the rest are pending.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    SupplementRequest = apps.get_model("cases", "SupplementRequest")
    SupplementItem = apps.get_model("cases", "SupplementItem")
    Material = apps.get_model("catalog", "Material")
    rows = []
    for req in SupplementRequest.objects.select_related("case").order_by("id").iterator():
        materials = {}
        for mid, name in (Material.objects.filter(version_id=req.case.item_version_id).order_by("seq")
                          .values_list("id", "name")):
            materials.setdefault(name, mid)
        seen = set()
        for name in req.missing or []:
            name = str(name).strip()[:200]
            if not name or name in seen:
                continue
            seen.add(name)
            rows.append(SupplementItem(
                request_id=req.pk, seq=len(seen), name=name, material_id=materials.get(name),
                state="received" if req.received_on else "pending", resolved_on=req.received_on,
            ))
        if len(rows) >= 1000:
            SupplementItem.objects.bulk_create(rows)
            rows = []
    SupplementItem.objects.bulk_create(rows)


def backwards(apps, schema_editor):
    apps.get_model("cases", "SupplementItem").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0004_supplement_items_one_extension"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
