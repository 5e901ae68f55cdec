from django.db import migrations


def create_defaults(apps, schema_editor):
    from zhengwu.supervision.defaults import DEFAULT_ACCOUNTABILITY_RULES, DEFAULT_SCORE_RULES

    apps.get_model("supervision", "SupervisionPolicy").objects.get_or_create(pk=1)
    ScoreRule = apps.get_model("supervision", "ScoreRule")
    for code, points, windows, officers, active, note in DEFAULT_SCORE_RULES:
        ScoreRule.objects.get_or_create(code=code, defaults=dict(points=points, for_windows=windows,
                                                                 for_officers=officers, is_active=active, note=note))
    Rule = apps.get_model("supervision", "AccountabilityRule")
    for row in DEFAULT_ACCOUNTABILITY_RULES:
        Rule.objects.get_or_create(code=row["code"], defaults={k: v for k, v in row.items() if k != "code"})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
