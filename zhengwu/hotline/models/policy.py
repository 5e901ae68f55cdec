"""The hotline's local rules as rows an admin edits: time limits and the centre's settings."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhengwu.org.models import Hall, Region


class LimitUnit(models.TextChoices):
    MINUTE = "minute", "分钟"
    WORKDAY = "workday", "工作日"


class TimeLimitRule(models.Model):
    """A time limit (时限) as local policy. Codes are what the services look up; see ``services.limits``."""

    code = models.CharField("规则", max_length=24, unique=True)
    name = models.CharField("名称", max_length=64)
    amount = models.PositiveIntegerField("时限")
    unit = models.CharField("单位", max_length=8, choices=LimitUnit.choices)
    around_the_clock = models.BooleanField(
        "全天候计时",
        default=True,
        help_text="分钟时限：勾选为全天候（跨零点、节假日），否则只在服务时间内计时",
    )

    class Meta:
        verbose_name = verbose_name_plural = "热线时限规则"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=1), name="hotline_limit_positive")]

    def __str__(self):
        return f"{self.name}：{self.amount}{self.get_unit_display()}"


class HotlineSetting(models.Model):
    """The hotline centre's settings (one row): jurisdiction, the hall it records ratings under,
    service hours for minute limits that do not run around the clock, duplicate suggestions."""

    jurisdiction = models.ForeignKey(
        Region,
        verbose_name="受理辖区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空表示不限",
    )
    centre_hall = models.ForeignKey(
        Hall,
        verbose_name="热线中心所在大厅",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="回访评价记入好差评时所属的大厅（部门承办的工单）",
    )
    service_start = models.TimeField("服务时间开始", default="08:30")
    service_end = models.TimeField("服务时间结束", default="17:30")
    duplicate_days = models.PositiveSmallIntegerField("重复诉求提示天数", default=30)
    text_max_chars = models.PositiveIntegerField("诉求内容最大字数", default=2000)

    class Meta:
        verbose_name = verbose_name_plural = "热线设置"

    def __str__(self):
        return "热线设置"
