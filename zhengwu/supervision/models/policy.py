"""Policy an admin edits: thresholds, score rules, 超时默认 scope, accountability rules."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from zhengwu.org.models import Department


class SupervisionPolicy(models.Model):
    """The one row of local settings (pk = 1); ``policy_get()`` creates it with the defaults."""

    warn_workdays = models.PositiveSmallIntegerField(
        "黄牌预警提前工作日", default=1,
        help_text="距期限不超过该工作日数时亮黄牌（默认 1）；各监察时钟类型可另行设定")
    notify_head = models.BooleanField("同时通知部门负责人", default=True)
    deemed_after_workdays = models.PositiveSmallIntegerField(
        "超时默认：超期第几个工作日发出通知单", default=2)
    deemed_reply_workdays = models.PositiveSmallIntegerField(
        "超时默认：部门须在几个工作日内出具批准文书", default=1)
    # assessment (月考核)
    base_score = models.DecimalField("考核基础分", max_digits=6, decimal_places=2, default=Decimal("100"))
    max_score = models.DecimalField("考核最高分", max_digits=6, decimal_places=2, default=Decimal("110"))
    min_score = models.DecimalField("考核最低分", max_digits=6, decimal_places=2, default=Decimal("0"))
    red_flag_windows = models.PositiveSmallIntegerField("每月红旗窗口名额（每个大厅）", default=5)
    service_stars = models.PositiveSmallIntegerField("每月服务之星名额（每个大厅）", default=3)
    min_cases_for_award = models.PositiveSmallIntegerField(
        "参评最少受理件数", default=1, help_text="当月受理办件少于该数的窗口和人员不参加评先")
    exclude_admonished = models.BooleanField("当期受效能告诫者不得评先", default=True)
    exclude_unsatisfied = models.BooleanField("当期被评“不满意”者不得评先", default=True)
    exclude_red_card = models.BooleanField("当期被亮红牌者不得评先", default=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "效能监察设置"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="supervision_policy_singleton"),
                       models.CheckConstraint(condition=Q(max_score__gte=models.F("min_score")),
                                              name="supervision_policy_score_range")]

    def __str__(self):
        return "效能监察设置"


class ScoreRule(models.Model):
    """One deduction or addition of the monthly assessment (月考核加减分标准)."""

    class Code(models.TextChoices):
        OVERDUE_CASE = "overdue_case", "超过承诺时限的办件（每件）"
        BAD_RATING = "bad_rating", "经核实的差评（每条）"
        ADMONITION = "admonition", "效能告诫（每次）"
        RED_CARD = "red_card", "办件红牌（每张）"
        PRAISE = "praise", "群众表扬（每次）"
        AWAY_OVERDUE = "away_overdue", "外出超过告知时间未返岗（每满30分钟）"
        APPRAISAL_BOTTOM = "appraisal_bottom", "重点科室评议末位（每个科室）"

    code = models.CharField("项目", max_length=16, choices=Code.choices, unique=True)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, help_text="扣分填负数，加分填正数")
    for_windows = models.BooleanField("适用于窗口", default=True)
    for_officers = models.BooleanField("适用于个人", default=True)
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核加减分规则"
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_code_display()} {self.points:+}"


class DeemedRule(models.Model):
    """Items under 超时默认 (a late department is deemed to agree): by 实施编码 or by department."""

    impl_code = models.CharField("事项实施编码", max_length=64, blank=True)
    department = models.ForeignKey(Department, verbose_name="部门（全部事项）", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField("启用", default=True)
    basis = models.CharField("依据", max_length=200, blank=True, default="超时默认制")

    class Meta:
        verbose_name = verbose_name_plural = "超时默认适用事项"
        constraints = [
            models.CheckConstraint(
                condition=(Q(impl_code="") & Q(department__isnull=False))
                | (~Q(impl_code="") & Q(department__isnull=True)),
                name="deemed_rule_item_or_department"),
        ]

    def __str__(self):
        return self.impl_code or str(self.department)


class AccountabilityRule(models.Model):
    """One accountability rule of essay 4 (七项措施) as data, evaluated by the sweep."""

    class Kind(models.TextChoices):
        ADMONITIONS = "admonitions", "一定期限内受效能告诫达到次数"
        RANK_BOTTOM = "rank_bottom", "窗口月考核连续排名末位"

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    count = models.PositiveSmallIntegerField("次数", default=2,
                                             help_text="告诫次数，或连续排名末位的月数")
    months = models.PositiveSmallIntegerField("期限（月）", default=12, help_text="仅用于告诫次数规则")
    bottom = models.PositiveSmallIntegerField("末位名次数", default=1,
                                              help_text="1 表示最后一名，3 表示后三名；仅用于排名规则")
    consequence = models.CharField("处理意见", max_length=200)
    roles = models.JSONField("适用角色", default=list, blank=True,
                             help_text="角色代码列表（如 chief_rep、dept_head）；为空表示适用于所有人员。"
                                       "如“免去领导职务”只适用于担任领导职务的人员")
    basis = models.TextField("依据", blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "问责规则"
        ordering = ["id"]

    def __str__(self):
        return self.name
