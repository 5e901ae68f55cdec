"""Monthly assessment (月考核) results."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhengwu.org.models import Department, Hall, Staff, Window


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
