"""The annual report (政府信息公开工作年度报告) of a body for a year."""

from __future__ import annotations

from django.db import models

from zhengwu.org.models import Staff

from .bodies import Body


class AnnualReport(models.Model):
    """Free-text sections and cell adjustments while a draft; a frozen copy of the tables once final.

    ``adjustments`` maps a cell (``"三|本年新收|自然人"``) to ``{"value": int, "reason": str}``: numbers
    the platform cannot know (paper applications before it went live, decisions made elsewhere).
    ``tables`` is empty while a draft (the tables are computed from the data each time) and holds
    the finalised tables afterwards, so a finalised report never changes.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        FINAL = "final", "已定稿"

    body = models.ForeignKey(Body, verbose_name="公开主体", on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.DRAFT)
    overview = models.TextField("一、总体情况", blank=True)
    problems = models.TextField("五、存在的主要问题及改进情况", blank=True)
    other = models.TextField("六、其他需要报告的事项", blank=True)
    adjustments = models.JSONField("人工调整", default=dict, blank=True)
    tables = models.JSONField("定稿表格", default=dict, blank=True)
    row_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finalised_by = models.ForeignKey(Staff, verbose_name="定稿人", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "政府信息公开工作年度报告"
        ordering = ["-year", "body__code"]
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="gk_report_unique")]

    def __str__(self):
        return f"{self.body.name}{self.year}年政府信息公开工作年度报告"
