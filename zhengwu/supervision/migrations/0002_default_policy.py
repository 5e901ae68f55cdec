from django.db import migrations


def create_defaults(apps, schema_editor):
    from zhengwu.supervision.defaults import DEFAULT_ACCOUNTABILITY_RULES, DEFAULT_SCORE_RULES

    apps.get_model("supervision", "SupervisionPolicy").objects.get_or_create(pk=1)
    ScoreRule = apps.get_model("supervision", "ScoreRule")
    for code, points, windows, officers, active, note in DEFAULT_SCORE_RULES:
        ScoreRule.objects.get_or_create(code=code, defaults=dict(points=points, for_windows=windows,
                                                                 for_officers=officers, is_active=active, note=note))
    Rule = apps.get_model("supervision", "AccountabilityRule")
    # The defaults are today's code; keep to the fields this migration's model already has
    # (later migrations fill in the fields they add, e.g. 0006 the rule's roles).
    known = {f.name for f in Rule._meta.get_fields()}
    for row in DEFAULT_ACCOUNTABILITY_RULES:
        Rule.objects.get_or_create(code=row["code"],
                                   defaults={k: v for k, v in row.items() if k != "code" and k in known})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
