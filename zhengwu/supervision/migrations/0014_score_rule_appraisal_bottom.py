from decimal import Decimal

from django.db import migrations, models


def add_rule(apps, schema_editor):
    ScoreRule = apps.get_model("supervision", "ScoreRule")
    ScoreRule.objects.get_or_create(code="appraisal_bottom", defaults=dict(
        points=Decimal("-5"), for_windows=True, for_officers=False, is_active=True,
        note="重点科室评议结果公布当月，部门每有一个科室列入末位，该部门各窗口扣5分"))


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0013_incremental_stats"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scorerule",
            name="code",
            field=models.CharField(choices=[("overdue_case", "超过承诺时限的办件（每件）"),
                                            ("bad_rating", "经核实的差评（每条）"), ("admonition", "效能告诫（每次）"),
                                            ("red_card", "办件红牌（每张）"), ("praise", "群众表扬（每次）"),
                                            ("away_overdue", "外出超过告知时间未返岗（每满30分钟）"),
                                            ("appraisal_bottom", "重点科室评议末位（每个科室）")],
                                   max_length=16, unique=True, verbose_name="项目"),
        ),
        migrations.RunPython(add_rule, migrations.RunPython.noop),
    ]
