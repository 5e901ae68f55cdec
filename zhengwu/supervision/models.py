"""Efficiency supervision (行政效能电子监察): cards, 超时默认, 效能告诫, accountability, assessment, statistics.

Policy (thresholds, score rules, accountability rules, which items are under 超时默认) is data an
admin edits; records (cards, notices, 告诫, flags, scores) are written only by ``services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from zhengwu.cases.models import Case
from zhengwu.catalog.models import Item
from zhengwu.org.models import Department, Hall, Staff, Window

# -- policy -------------------------------------------------------------------------------------------


class SupervisionPolicy(models.Model):
    """The one row of local settings (pk = 1); ``policy_get()`` creates it with the defaults."""

    warn_workdays = models.PositiveSmallIntegerField(
        "黄牌预警提前工作日", default=1, help_text="距办结期限不超过该工作日数时亮黄牌（默认 1）")
    step_cards = models.BooleanField("监察各审查环节时限", default=True,
                                     help_text="按事项各环节的环节时限分别亮黄牌、红牌")
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
    basis = models.TextField("依据", blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "问责规则"
        ordering = ["id"]

    def __str__(self):
        return self.name


# -- records ------------------------------------------------------------------------------------------


class Card(models.Model):
    """A yellow (预警) or red (超期) card on a case or on one review step's own share of time.

    One row per condition, ever: (case, scope, step, level, due date) is unique, so a second sweep
    finds the row and does nothing. Cleared when the condition ends (the case moves on).
    """

    class Level(models.TextChoices):
        YELLOW = "yellow", "黄牌"
        RED = "red", "红牌"

    class Scope(models.TextChoices):
        CASE = "case", "办结时限"
        STEP = "step", "环节时限"

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField("监察对象", max_length=8, choices=Scope.choices)
    step = models.PositiveSmallIntegerField("环节", default=0, help_text="办结时限为 0")
    step_name = models.CharField("环节名称", max_length=32, blank=True)
    level = models.CharField("等级", max_length=8, choices=Level.choices)
    due_date = models.DateField("期限")
    raised_on = models.DateField("亮牌日期")
    raised_at = models.DateTimeField("亮牌时间")
    officer = models.ForeignKey(Staff, verbose_name="责任人", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="supervision_cards")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="+")
    cleared_on = models.DateField("解除日期", null=True, blank=True)
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    cleared_reason = models.CharField("解除原因", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "红黄牌"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "scope", "step", "level", "due_date"],
                                    name="card_one_per_condition"),
            models.CheckConstraint(condition=Q(scope="case", step=0) | Q(scope="step", step__gt=0),
                                   name="card_step_matches_scope"),
        ]
        indexes = [
            models.Index(fields=["hall", "level"], condition=Q(cleared_on__isnull=True), name="card_active_hall"),
            models.Index(fields=["raised_on"], name="card_raised_on"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.case_id} {self.label}"

    @property
    def is_active(self) -> bool:
        return self.cleared_on is None

    @property
    def label(self) -> str:
        what = "办结期限" if self.scope == self.Scope.CASE else f"“{self.step_name}”环节"
        state = "已超期" if self.level == self.Level.RED else "即将到期"
        return f"{what}{state}（{self.due_date.month}月{self.due_date.day}日）"


class StepStart(models.Model):
    """When a running case's current review step began (from its ``review`` event).

    Kept by the sweep so that each run reads the event table only for the cases that moved on since.
    """

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField("环节")
    started_on = models.DateField("开始日期")

    class Meta:
        verbose_name = verbose_name_plural = "环节开始日期"

    def __str__(self):
        return f"{self.case_id}:{self.step}"


class SweepRun(models.Model):
    """One run of the sweep: when, for which day, and what it did."""

    today = models.DateField("监察日期")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    cases = models.PositiveIntegerField("检查办件数", default=0)
    raised_yellow = models.PositiveIntegerField("新亮黄牌", default=0)
    raised_red = models.PositiveIntegerField("新亮红牌", default=0)
    cleared = models.PositiveIntegerField("解除", default=0)
    deemed = models.PositiveIntegerField("超时默认通知单", default=0)
    flags = models.PositiveIntegerField("新问责提示", default=0)
    messages = models.PositiveIntegerField("发送通知", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "监察运行记录"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.today} 监察"


class DeemedApproval(models.Model):
    """超时默认: the notice (超时默认通知单) and the record that the late department is deemed to agree."""

    class Status(models.TextChoices):
        ISSUED = "issued", "已发通知单，待部门出具批准文书"
        CONFIRMED = "confirmed", "部门已出具批准文书"

    case = models.OneToOneField(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="deemed_approval")
    department = models.ForeignKey(Department, verbose_name="超时部门", on_delete=models.PROTECT, related_name="+")
    notice_no = models.CharField("通知单编号", max_length=40, unique=True)
    due_date = models.DateField("办结期限")
    issued_on = models.DateField("发出日期")
    overdue_workdays = models.PositiveSmallIntegerField("超期工作日")
    reply_by = models.DateField("出具批准文书期限")
    step_name = models.CharField("超时环节", max_length=32, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ISSUED)
    confirmed_on = models.DateField("批准文书出具日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(Staff, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirm_note = models.CharField("批准文书文号/说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "超时默认记录"
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return self.notice_no


class Admonition(models.Model):
    """效能告诫 issued by the 效能监察员, with its reason and evidence."""

    doc_no = models.CharField("告诫书编号", max_length=40, unique=True)
    staff = models.ForeignKey(Staff, verbose_name="被告诫人", on_delete=models.PROTECT, related_name="admonitions")
    department = models.ForeignKey(Department, verbose_name="所在部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(Window, verbose_name="所在窗口", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    case = models.ForeignKey(Case, verbose_name="相关办件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    issued_on = models.DateField("告诫日期")
    issued_by = models.ForeignKey(Staff, verbose_name="监察员", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("告诫事由")
    evidence = models.TextField("事实与证据")
    evidence_file = models.FileField("证据材料", upload_to="supervision/evidence/%Y/", blank=True)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoked_reason = models.CharField("撤销理由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "效能告诫"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["staff", "issued_on"])]

    def __str__(self):
        return self.doc_no


class Commendation(models.Model):
    """Praise from the public (表扬信、锦旗 …), an addition in the monthly assessment."""

    staff = models.ForeignKey(Staff, verbose_name="受表扬人", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    window = models.ForeignKey(Window, verbose_name="受表扬窗口", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    on = models.DateField("日期")
    source = models.CharField("形式", max_length=32, default="表扬信")
    note = models.CharField("事由", max_length=200)
    recorded_by = models.ForeignKey(Staff, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "群众表扬"
        ordering = ["-on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(staff__isnull=False) | Q(window__isnull=False),
                                              name="commendation_has_subject")]

    def __str__(self):
        return f"{self.on} {self.note}"


class AccountabilityFlag(models.Model):
    """Someone a rule flags (e.g. for removal from a leading post), with why; resolved by a supervisor."""

    rule = models.ForeignKey(AccountabilityRule, verbose_name="规则", on_delete=models.PROTECT, related_name="flags")
    staff = models.ForeignKey(Staff, verbose_name="被提示人", on_delete=models.PROTECT, related_name="+")
    key = models.CharField("触发标识", max_length=64)
    raised_on = models.DateField("提示日期")
    reason = models.TextField("理由")
    evidence = models.JSONField("依据记录", default=dict)
    resolved_on = models.DateField("处理日期", null=True, blank=True)
    resolved_by = models.ForeignKey(Staff, verbose_name="处理人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolution = models.CharField("处理结果", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "问责提示"
        ordering = ["-raised_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "staff", "key"], name="flag_once_per_trigger")]

    def __str__(self):
        return f"{self.staff} {self.rule}"


class MonthlyScore(models.Model):
    """One subject's monthly assessment (月考核): a window or an officer, ranked within its hall."""

    class Kind(models.TextChoices):
        WINDOW = "window", "窗口"
        OFFICER = "officer", "个人"

    class Award(models.TextChoices):
        NONE = "", "—"
        RED_FLAG = "red_flag", "红旗窗口"
        STAR = "star", "服务之星"

    month = models.DateField("月份", help_text="当月1日")
    kind = models.CharField("对象", max_length=8, choices=Kind.choices)
    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(Window, verbose_name="窗口", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    staff = models.ForeignKey(Staff, verbose_name="工作人员", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    cases = models.PositiveIntegerField("当月受理件数", default=0)
    base = models.DecimalField("基础分", max_digits=6, decimal_places=2)
    items = models.JSONField("加减分明细", default=list)
    raw_score = models.DecimalField("计算分", max_digits=7, decimal_places=2)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField("名次")
    excluded = models.CharField("不得评先原因", max_length=200, blank=True)
    award = models.CharField("评选结果", max_length=12, choices=Award.choices, blank=True, default="")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "月度考核"
        ordering = ["month", "hall_id", "kind", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "window"], condition=Q(kind="window"),
                                    name="score_window_once_a_month"),
            models.UniqueConstraint(fields=["month", "staff"], condition=Q(kind="officer"),
                                    name="score_officer_once_a_month"),
            models.CheckConstraint(condition=Q(kind="window", window__isnull=False)
                                   | Q(kind="officer", staff__isnull=False), name="score_subject_matches_kind"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.window or self.staff} {self.score}"


class CaseStat(models.Model):
    """The dashboard's rollup: per month, place (区划代码 of hall or village station), department and item.

    Each fact is counted in the month of its own date: 受理 by accepted_on, 办结 by completed_on, fees by
    paid_on, ``open_overdue`` as of the month's last day (or the refresh, for the running month).
    """

    month = models.DateField("月份")
    place_code = models.CharField("区划代码", max_length=12)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    accepted = models.PositiveIntegerField("受理", default=0)
    agent_accepted = models.PositiveIntegerField("代办受理", default=0)
    completed = models.PositiveIntegerField("办结", default=0)
    on_time = models.PositiveIntegerField("按时办结", default=0)
    open_overdue = models.PositiveIntegerField("月末在办超期", default=0)
    fees = models.DecimalField("收费（元）", max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = verbose_name_plural = "办件统计（按月汇总）"
        constraints = [models.UniqueConstraint(fields=["month", "place_code", "department", "item"],
                                               name="case_stat_key")]
        indexes = [models.Index(fields=["place_code", "month"], name="case_stat_place_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.place_code}"


class RatingStat(models.Model):
    """满意率 per month and hall, taken from the ratings app's metrics when the rollup is refreshed."""

    month = models.DateField("月份")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    satisfied = models.PositiveIntegerField("满意（基本满意及以上）", default=0)
    ratings = models.PositiveIntegerField("有效评价", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "满意度统计（按月汇总）"
        constraints = [models.UniqueConstraint(fields=["month", "hall"], name="rating_stat_key")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.hall_id}"


class StatRefresh(models.Model):
    """When each month of the rollup was last rebuilt."""

    month = models.DateField("月份", unique=True)
    refreshed_at = models.DateTimeField("刷新时间")
    rows = models.PositiveIntegerField("行数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "统计刷新记录"
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"
