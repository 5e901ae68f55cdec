"""The default deductions and veto items (policy as data; GB/T 39683-2020 Annex B lists veto items —
these defaults follow the local practice in TRADING-INTERMEDIARY.md §3.4 until the text is checked)."""

from decimal import Decimal

from django.db import migrations

RULES = [
    # code, name, source, points, veto, months, automatic
    ("late_delivery", "逾期提交服务成果", "market", "5", False, 12, True),
    ("decline_after_selection", "中选后无正当理由放弃", "market", "10", False, 12, True),
    ("poor_rating", "服务评价为差（综合评价低于60分）", "owner", "3", False, 12, True),
    ("price_violation", "超出公示收费标准或约定价格收费", "department", "10", False, 12, False),
    ("forced_service", "强制或变相强制服务、搭车收费", "department", "15", False, 12, False),
    ("false_materials", "提供虚假材料入驻或报名", "market", "0", True, 24, False),
    ("false_report", "出具虚假报告或结论", "department", "0", True, 36, False),
    ("collusion", "串通报价、围标", "market", "0", True, 24, False),
]


def create(apps, schema_editor):
    CreditRule = apps.get_model("intermediary", "CreditRule")
    for code, name, source, points, veto, months, automatic in RULES:
        CreditRule.objects.get_or_create(code=code, defaults={
            "name": name, "source": source, "points": Decimal(points), "veto": veto, "months": months,
            "automatic": automatic})


class Migration(migrations.Migration):
    dependencies = [("intermediary", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
