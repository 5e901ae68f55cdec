"""Holiday overrides and year notices; the engine itself is in ``engine.py``."""

from __future__ import annotations

from django.db import models

from zhengwu.org.models import Region


class DayOverride(models.Model):
    """A day whose status differs from the package data: a holiday, or a 调休 working day.

    Nationwide rows (no region) carry the 国务院办公厅 notice for a year the package lacks;
    regional rows carry local festivals (e.g. 民族自治地方的节日). Overrides win over the package.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "上班（调休）"

    date = models.DateField("日期")
    region = models.ForeignKey(Region, verbose_name="适用区划", null=True, blank=True, on_delete=models.CASCADE,
                               help_text="为空表示全国")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    name = models.CharField("名称", max_length=32, help_text="如 春节、国庆节、那达慕")
    note = models.CharField("依据", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日调整"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "region"], name="override_unique_per_region"),
            models.UniqueConstraint(fields=["date"], condition=models.Q(region__isnull=True),
                                    name="override_unique_national"),
        ]

    def __str__(self):
        return f"{self.date} {self.name}（{self.get_kind_display()}）"


class YearNotice(models.Model):
    """Marks a year's official holiday arrangement as entered (国务院办公厅关于某年部分节假日安排的通知)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    document = models.CharField("通知文号", max_length=100, blank=True)
    confirmed = models.BooleanField("已按通知录入", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度放假通知"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年 {self.document}"
