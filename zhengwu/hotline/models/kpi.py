"""The KPI page's rollup: order counts per local day of intake, kept current incrementally.

Every order is counted once in each of three projections (``part``), each with only the columns its
readers group by, so a year of a county stays a few hundred thousand narrow rows whatever the orders'
spread over villages, units and categories:

- ``kind``: town × type (the dashboard's volumes, heat table and towns; the KPI rows by town and month);
- ``unit``: town × 主办 unit × whether the status counts as handled (the KPI rows by unit, late units);
- ``category``: town × dispatch category (the dashboard's categories).

Only the counts that do not depend on the current time are kept; 签收 overdue and open overdue orders are
read live from the open orders. ``KpiRollupState`` is the watermark (see ``services.rollup``).
"""

from __future__ import annotations

from django.db import models


class KpiPart(models.TextChoices):
    KIND = "kind", "按类型"
    UNIT = "unit", "按承办单位"
    CATEGORY = "category", "按类别"


class KpiDay(models.Model):
    """The counts of the orders taken on ``day`` (or in its month) in one town, for one key of one
    projection."""

    day = models.DateField("受理日期")
    # a month's row (``day`` its first day): the sum of its day rows, read for whole months of a period
    monthly = models.BooleanField("整月汇总", default=False)
    part = models.CharField("汇总口径", max_length=8, choices=KpiPart.choices)
    town = models.CharField("乡镇（街道）代码", max_length=9)
    kind = models.CharField("诉求类型", max_length=16, blank=True, default="")
    main_department_id = models.BigIntegerField("主办部门", null=True, blank=True)
    main_hall_id = models.BigIntegerField("主办服务中心", null=True, blank=True)
    handled = models.BooleanField("已派单处理", default=False)
    category_id = models.BigIntegerField("类别", null=True, blank=True)
    orders = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    signed_ok = models.IntegerField(default=0)
    signed_late = models.IntegerField(default=0)
    replied_ok = models.IntegerField(default=0)
    replied_late = models.IntegerField(default=0)
    callbacks = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    redone = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "热线统计日汇总"
        indexes = [models.Index(fields=["part", "monthly", "day", "town"], name="hotline_kpiday_part_day")]

    def __str__(self):
        return f"{self.day} {self.part} {self.town}"


class KpiRollupState(models.Model):
    """The one watermark row: the highest 工单记录 id processed, the one before it (re-read once, for
    transactions that commit late with lower ids), and the last whole day the rollup covers."""

    last_event_id = models.BigIntegerField(default=0)
    previous_event_id = models.BigIntegerField(default=0)
    through = models.DateField("汇总截至", null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "热线统计汇总水位"

    def __str__(self):
        return f"{self.through} #{self.last_event_id}"
