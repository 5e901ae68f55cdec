"""The dashboard's rollups."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from zhengwu.catalog.models import Item
from zhengwu.org.models import Department, Hall


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
