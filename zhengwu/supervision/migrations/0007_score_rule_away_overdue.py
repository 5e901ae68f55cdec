from decimal import Decimal

from django.db import migrations, models


def add_rule(apps, schema_editor):
    ScoreRule = apps.get_model("supervision", "ScoreRule")
    ScoreRule.objects.get_or_create(code="away_overdue", defaults=dict(
        points=Decimal("-1"), for_windows=False, for_officers=True, is_active=True,
        note="外出告知后超过预计返回时间仍未返岗（服务时间内），每满30分钟扣1分"))


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0006_accountability_rule_roles"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scorerule",
            name="code",
            field=models.CharField(choices=[("overdue_case", "超过承诺时限的办件（每件）"),
                                            ("bad_rating", "经核实的差评（每条）"), ("admonition", "效能告诫（每次）"),
                                            ("red_card", "办件红牌（每张）"), ("praise", "群众表扬（每次）"),
                                            ("away_overdue", "外出超过告知时间未返岗（每满30分钟）")],
                                   max_length=16, unique=True, verbose_name="项目"),
        ),
        migrations.RunPython(add_rule, migrations.RunPython.noop),
    ]
