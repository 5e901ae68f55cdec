"""村务公开 and 党务公开: the village catalogue as policy rows, the periods it makes due, and the structured
content (财务收支表, 救助名单) of a village disclosure.

A village disclosure is a ``Publication`` of the village body (same 索引号, approval chain and public pages)
plus a ``VillageDisclosure`` row that says which category and period it answers and carries its table.
The catalogue (``VillageCategory``) and its calendar (the latest day to publish each period, overrides in
``VillageDueOverride``, a village's own cadence in ``VillageCadence``) are rows an administrator edits.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models.functions import Abs
from django.db.models.lookups import LessThan

from zhengwu.org.models import Staff

from .bodies import Body
from .publications import Category, Publication


class Catalogue(models.TextChoices):
    VILLAGE = "village", "村务公开"
    PARTY = "party", "党务公开"


class Cadence(models.TextChoices):
    """How often a category is published; the value's period length is ``CADENCE_MONTHS``."""

    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF = "half", "每半年"
    YEAR = "year", "每年"


CADENCE_MONTHS = {Cadence.MONTH: 1, Cadence.QUARTER: 3, Cadence.HALF: 6, Cadence.YEAR: 12}


class VillageAction(models.TextChoices):
    """The steps of a village disclosure's chain (``POST …/village-disclosures/{id}/actions/{action}``)."""

    SUBMIT = "submit", "提交村务监督委员会审核"
    APPROVE = "approve", "村务监督委员会审核通过"
    RETURN = "return", "退回修改"
    SIGN = "sign", "签发"
    PUBLISH = "publish", "公开"


class ContentKind(models.TextChoices):
    FINANCE = "finance", "财务收支表"
    RELIEF = "relief", "救助名单"
    TEXT = "text", "文字说明"


class VillageCategory(models.Model):
    """One line of the 村务公开目录 (or 党务公开目录): what is published, how often, by when."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("公开事项", max_length=60)
    catalogue = models.CharField("目录", max_length=10, choices=Catalogue.choices, default=Catalogue.VILLAGE)
    content_kind = models.CharField("内容形式", max_length=10, choices=ContentKind.choices, default=ContentKind.TEXT)
    pub_category = models.CharField("公开类别", max_length=20, choices=Category.choices,
                                    help_text="在政务公开目录中的类别")
    cadence = models.CharField("公开频次", max_length=10, choices=Cadence.choices, default=Cadence.QUARTER,
                               help_text="各村可在“村务公开频次”中另行设定（如财务收支按月公开）")
    due_months_after = models.PositiveSmallIntegerField("期满后第几个月", default=1)
    due_day = models.PositiveSmallIntegerField("当月几日前公开", default=10,
                                               help_text="如 10：季度结束后次月10日前公开；超过当月天数按月末计")
    roll_to_workday = models.BooleanField("遇节假日顺延", default=True,
                                          help_text="期限日不是该村所在地工作日的，顺延至下一个工作日")
    basis = models.CharField("依据", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "村务（党务）公开目录"
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_day__gte=1, due_day__lte=31), name="gk_vcat_due_day"),
            models.CheckConstraint(condition=models.Q(due_months_after__lte=12), name="gk_vcat_due_months"),
        ]

    def __str__(self):
        return f"{self.get_catalogue_display()}·{self.name}"


class VillageCadence(models.Model):
    """A village's own cadence for a category (财务收支 monthly in a large village, quarterly elsewhere)."""

    body = models.ForeignKey(Body, verbose_name="村（居）", on_delete=models.CASCADE, related_name="village_cadences",
                             limit_choices_to={"kind": Body.Kind.VILLAGE})
    category = models.ForeignKey(VillageCategory, verbose_name="公开事项", on_delete=models.CASCADE,
                                 related_name="cadences")
    cadence = models.CharField("公开频次", max_length=10, choices=Cadence.choices)

    class Meta:
        verbose_name = verbose_name_plural = "村务公开频次（各村设定）"
        constraints = [models.UniqueConstraint(fields=["body", "category"], name="gk_vcadence_unique")]

    def __str__(self):
        return f"{self.body} {self.category.name} {self.get_cadence_display()}"


class VillageDueOverride(models.Model):
    """A different latest day for one period of a category (e.g. after a long holiday)."""

    category = models.ForeignKey(VillageCategory, verbose_name="公开事项", on_delete=models.CASCADE,
                                 related_name="due_overrides")
    period_end = models.DateField("所属期间截止日", help_text="如 2026-09-30 表示第三季度（或9月）")
    due_date = models.DateField("公开期限")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "村务公开期限调整"
        ordering = ["-period_end"]
        constraints = [models.UniqueConstraint(fields=["category", "period_end"], name="gk_vdue_unique"),
                       models.CheckConstraint(condition=models.Q(due_date__gt=models.F("period_end")),
                                              name="gk_vdue_after_period")]

    def __str__(self):
        return f"{self.category.name} {self.period_end} → {self.due_date}"


class VillagePeriod(models.Model):
    """One category of one village for one period: due on ``due_date``, watched by a supervised clock
    (kind ``gk_village``) from the day it is opened until the disclosure for it is published."""

    class State(models.TextChoices):
        OPEN = "open", "未公开"
        PUBLISHED = "published", "已公开"

    body = models.ForeignKey(Body, verbose_name="村（居）", on_delete=models.PROTECT, related_name="village_periods")
    category = models.ForeignKey(VillageCategory, verbose_name="公开事项", on_delete=models.PROTECT,
                                 related_name="periods")
    cadence = models.CharField("公开频次", max_length=10, choices=Cadence.choices)
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")
    label = models.CharField("期间", max_length=20)
    due_date = models.DateField("公开期限")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    published_on = models.DateField("公开日期", null=True, blank=True)
    opened_on = models.DateField("开始监察日期")

    class Meta:
        verbose_name = verbose_name_plural = "村务公开期次"
        ordering = ["body__region__code", "category__catalogue", "category__order", "-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["body", "category", "period_start", "period_end"],
                                    name="gk_vperiod_unique"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="gk_vperiod_range"),
            models.CheckConstraint(condition=models.Q(state="open", published_on__isnull=True)
                                   | models.Q(state="published", published_on__isnull=False),
                                   name="gk_vperiod_published_on"),
        ]

    def __str__(self):
        return f"{self.body.name} {self.category.name}（{self.label}）"

    @property
    def late(self) -> bool:
        return self.published_on is not None and self.published_on > self.due_date


class VillageDisclosure(models.Model):
    """The village content of a publication: which period it answers and, for a finance table, the
    declared balances (the lines are ``FinanceLine``; a relief list's rows are ``ReliefRow``)."""

    publication = models.OneToOneField(Publication, verbose_name="公开信息", on_delete=models.CASCADE,
                                       related_name="village")
    period = models.ForeignKey(VillagePeriod, verbose_name="期次", on_delete=models.PROTECT,
                               related_name="disclosures")
    content_kind = models.CharField("内容形式", max_length=10, choices=ContentKind.choices)
    opening_balance = models.DecimalField("期初余额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    income_total = models.DecimalField("本期收入合计（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    expense_total = models.DecimalField("本期支出合计（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    closing_balance = models.DecimalField("期末余额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(Staff, verbose_name="填报人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "村务公开内容"
        constraints = [
            # 期初 + 收入 − 支出 = 期末, to the cent (SQLite computes in floating point, hence the half cent)
            models.CheckConstraint(
                condition=~models.Q(content_kind="finance")
                | models.Q(models.Q(opening_balance__isnull=False, income_total__isnull=False,
                                    expense_total__isnull=False, closing_balance__isnull=False),
                           LessThan(Abs(models.F("closing_balance") - models.F("opening_balance")
                                        - models.F("income_total") + models.F("expense_total")),
                                    Decimal("0.005"))),
                name="gk_vdisc_balances_add_up"),
        ]

    def __str__(self):
        return str(self.publication)


class FinanceLine(models.Model):
    class Direction(models.TextChoices):
        INCOME = "income", "收入"
        EXPENSE = "expense", "支出"

    disclosure = models.ForeignKey(VillageDisclosure, on_delete=models.CASCADE, related_name="finance_lines")
    direction = models.CharField("收支", max_length=8, choices=Direction.choices)
    item = models.CharField("项目", max_length=60)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    note = models.CharField("摘要", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "财务收支明细"
        ordering = ["direction", "order", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="gk_vline_amount_positive")]

    def __str__(self):
        return f"{self.get_direction_display()} {self.item} {self.amount}"


class ReliefRow(models.Model):
    """One household of a 低保/特困/临时救助 list; the full name and 身份证号 are for the village's staff only."""

    disclosure = models.ForeignKey(VillageDisclosure, on_delete=models.CASCADE, related_name="relief_rows")
    relief_type = models.CharField("救助类别", max_length=20)
    name = models.CharField("户主姓名", max_length=30)
    id_number = models.CharField("身份证号", max_length=18)
    household_size = models.PositiveSmallIntegerField("保障人数")
    amount = models.DecimalField("月保障金额（元）", max_digits=10, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "救助名单"
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(household_size__gte=1, amount__gte=0),
                                              name="gk_vrelief_sane")]

    def __str__(self):
        return f"{self.relief_type} {self.name}"
