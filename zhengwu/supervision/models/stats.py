"""The dashboard's rollups (统计大屏), each at the smallest grain the dashboard reads.

- ``DayStat`` (day × place × item): the base. Every fact counted on its own date: 受理 by accepted_on,
  办结 and 按时办结 by completed_on, fees (not waived) by paid_on. The month tables are sums of it.
- ``DayPlaceStat`` (day × place): the same sums, for today's figures.
- ``MonthStat`` (month × place): the same sums, for the trend, the month, the year and the children.
- ``ItemStat`` (month × region prefix × item): 受理 per item for every region a place lies in (busiest items).
- ``OverdueStat`` (month × place): cases open and overdue at the month's last day, or, for the running
  month, as of the last refresh (counted from ``OverdueCase``, the set of those cases).
- ``CardStat`` (hall × department): active red and yellow cards.
- ``RatingStat`` (month × hall): 满意率 from the ratings app.

A place (区划代码) is the region code of the village station for 代办 cases, else of the hall. Fees are
kept in fen (integers), so the sums are exact on every database. Written only by ``services.stats``.
"""

from __future__ import annotations

from django.db import models

from zhengwu.catalog.models import Item
from zhengwu.org.models import Department, Hall


class _Facts(models.Model):
    accepted = models.IntegerField("受理", default=0)
    agent_accepted = models.IntegerField("代办受理", default=0)
    completed = models.IntegerField("办结", default=0)
    on_time = models.IntegerField("按时办结", default=0)
    fees = models.BigIntegerField("收费（分）", default=0)

    class Meta:
        abstract = True


class DayStat(_Facts):
    day = models.DateField("日期")
    place_code = models.CharField("区划代码", max_length=12)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)

    class Meta:
        verbose_name = verbose_name_plural = "办件统计（按日汇总）"
        constraints = [models.UniqueConstraint(fields=["day", "place_code", "item"], name="day_stat_key")]

    def __str__(self):
        return f"{self.day} {self.place_code}"


class DayPlaceStat(_Facts):
    """DayStat summed over items: today's figures for a region read a row per place."""

    day = models.DateField("日期")
    place_code = models.CharField("区划代码", max_length=12)

    class Meta:
        verbose_name = verbose_name_plural = "办件统计（按日按地汇总）"
        constraints = [models.UniqueConstraint(fields=["day", "place_code"], name="day_place_stat_key")]

    def __str__(self):
        return f"{self.day} {self.place_code}"


class MonthStat(_Facts):
    month = models.DateField("月份")
    place_code = models.CharField("区划代码", max_length=12)

    class Meta:
        verbose_name = verbose_name_plural = "办件统计（按月汇总）"
        constraints = [models.UniqueConstraint(fields=["month", "place_code"], name="month_stat_key")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.place_code}"


class ItemStat(models.Model):
    """受理 per month and item within a region, keyed by the region's significant code prefix."""

    month = models.DateField("月份")
    area = models.CharField("区划代码前缀", max_length=12)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    accepted = models.IntegerField("受理", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "事项受理统计（按月汇总）"
        constraints = [models.UniqueConstraint(fields=["area", "month", "item"], name="item_stat_key")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.area} {self.item_id}"


class OverdueCase(models.Model):
    """The cases open and overdue now (clock running, due date passed) and their place: the set the refresh
    keeps, so that counting the running month's overdue cases reads this small table, not the cases."""

    case_id = models.BigIntegerField("办件", primary_key=True)
    place_code = models.CharField("区划代码", max_length=12)

    class Meta:
        verbose_name = verbose_name_plural = "在办超期办件"

    def __str__(self):
        return f"{self.case_id}"


class OverdueStat(models.Model):
    """Cases open and overdue (clock running, due date passed) per place, as of ``StatRefresh.as_of``."""

    month = models.DateField("月份")
    place_code = models.CharField("区划代码", max_length=12)
    open_overdue = models.IntegerField("在办超期", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "在办超期统计"
        constraints = [models.UniqueConstraint(fields=["month", "place_code"], name="overdue_stat_key")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.place_code}"


class CardStat(models.Model):
    """Active (uncleared) cards per hall and department, recounted by every refresh."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+", null=True,
                                   db_constraint=False, db_index=False)
    red = models.IntegerField("红牌", default=0)
    yellow = models.IntegerField("黄牌", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "红黄牌统计"

    def __str__(self):
        return f"{self.hall_id} {self.department_id}"


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
    """When each month of the rollup was last refreshed; ``as_of`` is the month's last day once its
    open-overdue figure was counted after that day (final), empty before."""

    month = models.DateField("月份", unique=True)
    refreshed_at = models.DateTimeField("刷新时间")
    as_of = models.DateField("在办超期截至（已定）", null=True, blank=True)
    rows = models.PositiveIntegerField("重算日汇总行数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "统计刷新记录"
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class StatState(models.Model):
    """The incremental refresh's watermark (one row): the highest case event id seen, and the day and
    moment of the last refresh."""

    last_event_id = models.BigIntegerField("已处理办件记录", default=0)
    last_day = models.DateField("上次刷新日期", null=True, blank=True)
    refreshed_at = models.DateTimeField("上次刷新时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "统计刷新水位"

    def __str__(self):
        return f"{self.last_event_id}"
