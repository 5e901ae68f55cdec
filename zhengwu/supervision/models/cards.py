"""Cards and the sweep's own records."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhengwu.cases.models import Case
from zhengwu.org.models import Department, Hall, Staff


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
