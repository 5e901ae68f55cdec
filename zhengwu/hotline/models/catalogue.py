"""The dispatch catalogue (派单目录) with its rules, and the knowledge base (知识库)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhengwu.core import clock
from zhengwu.org.models import Department, Hall, Region

from .choices import Urgency


class Category(models.Model):
    """An entry of the dispatch catalogue (派单目录); ``code`` is the Open311 ``service_code``."""

    code = models.CharField("目录编码", max_length=32, unique=True, help_text="字母、数字、短横线，如 CG-01")
    name = models.CharField("名称", max_length=64)
    description = models.CharField("说明", max_length=500, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级目录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    keywords = models.CharField("关键词", max_length=200, blank=True, help_text="以空格或逗号分隔")
    urgency = models.CharField("默认紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = verbose_name_plural = "派单目录"
        ordering = ["sort", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Za-z0-9_-]{1,32}$"), name="hotline_category_code_ascii"
            )
        ]

    def __str__(self):
        return self.name


class DispatchRule(models.Model):
    """Who handles a category: in ``region`` and below (none: the whole jurisdiction), a department
    or a hall (a town's 便民服务中心 or a village's 便民服务站, 属地). The most specific region wins."""

    category = models.ForeignKey(
        Category, verbose_name="派单目录", on_delete=models.CASCADE, related_name="rules"
    )
    region = models.ForeignKey(
        Region,
        verbose_name="适用区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空表示全辖区",
    )
    department = models.ForeignKey(
        Department, verbose_name="承办部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hall = models.ForeignKey(
        Hall,
        verbose_name="属地承办（便民服务中心/站）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "派单规则"
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=True) ^ Q(hall__isnull=True), name="hotline_rule_one_unit"
            ),
            models.UniqueConstraint(fields=["category", "region"], name="hotline_rule_unique"),
        ]

    def __str__(self):
        return f"{self.category} → {self.department or self.hall}"


class Article(models.Model):
    """A knowledge-base article (知识库): the answer a call-taker reads out or the rule behind it."""

    title = models.CharField("标题", max_length=100)
    title_pinyin = models.CharField("标题全拼", max_length=800, blank=True, db_index=True)
    title_initials = models.CharField("标题首字母", max_length=100, blank=True, db_index=True)
    body = models.TextField("内容")
    category = models.ForeignKey(
        Category,
        verbose_name="派单目录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="提供部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    keywords = models.CharField("关键词", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", default=clock.now)

    class Meta:
        verbose_name = verbose_name_plural = "知识库"
        ordering = ["category__sort", "title"]

    def __str__(self):
        return self.title
