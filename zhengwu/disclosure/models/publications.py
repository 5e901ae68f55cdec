"""Proactive publication (主动公开): a publication, its approval chain and 保密审查."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhengwu.org.models import Staff

from .bodies import Body


class Category(models.TextChoices):
    ORG = "org", "机构职能"
    REGULATION = "regulation", "法规文件"
    PLAN = "plan", "规划计划"
    NEWS = "news", "政务动态"
    NOTICE = "notice", "公告公示"
    BUDGET = "budget", "财政预决算"
    LICENSE = "license", "行政许可"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    FEES = "fees", "收费"
    PERSONNEL = "personnel", "人事"
    VILLAGE_FINANCE = "village_finance", "村务公开·财务收支"
    VILLAGE_LAND = "village_land", "村务公开·土地"
    VILLAGE_SUBSIDY = "village_subsidy", "村务公开·补贴发放"
    VILLAGE_ASSETS = "village_assets", "村务公开·集体三资"
    VILLAGE_RELIEF = "village_relief", "村务公开·社会救助"
    VILLAGE_PROJECT = "village_project", "村务公开·工程项目"
    PARTY = "party", "党务公开"


VILLAGE_CATEGORIES = [Category.VILLAGE_FINANCE, Category.VILLAGE_ASSETS, Category.VILLAGE_RELIEF,
                      Category.VILLAGE_PROJECT, Category.VILLAGE_SUBSIDY, Category.VILLAGE_LAND, Category.PARTY]
GOVERNMENT_CATEGORIES = [c for c in Category if c not in VILLAGE_CATEGORIES]


class DocKind(models.TextChoices):
    """Whether a publication is a 规章 or 行政规范性文件 (counted in table 二 with 制发/废止)."""

    GENERAL = "general", "一般信息"
    RULE = "rule", "规章"
    NORMATIVE = "normative", "行政规范性文件"


class PubStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待分管领导审核"
    REVIEWED = "reviewed", "待领导小组签发"
    SIGNED = "signed", "已签发待公开"
    PUBLISHED = "published", "已公开"


class Publication(models.Model):
    body = models.ForeignKey(Body, verbose_name="公开主体", on_delete=models.PROTECT, related_name="publications")
    index_no = models.CharField("索引号", max_length=60, unique=True)
    title = models.CharField("标题", max_length=200)
    category = models.CharField("公开类别", max_length=20, choices=Category.choices)
    topic = models.CharField("主题分类", max_length=40, blank=True, help_text="如 教育、医疗、社会保障")
    doc_kind = models.CharField("文件性质", max_length=10, choices=DocKind.choices, default=DocKind.GENERAL)
    doc_no = models.CharField("文号", max_length=60, blank=True)
    content = models.TextField("正文")
    made_on = models.DateField("生成日期", help_text="信息形成或者变更之日，公开时限由此起算")
    publish_due = models.DateField("应公开期限")
    publish_due_provisional = models.BooleanField("期限为暂定", default=False)
    status = models.CharField("状态", max_length=10, choices=PubStatus.choices, default=PubStatus.DRAFT,
                              db_index=True)
    row_version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(Staff, verbose_name="提供人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(Staff, verbose_name="审核人（分管领导）", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField("审核日期", null=True, blank=True)
    secrecy_passed = models.BooleanField("保密审查通过", null=True, blank=True)
    secrecy_by = models.ForeignKey(Staff, verbose_name="保密审查人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    secrecy_on = models.DateField("保密审查日期", null=True, blank=True)
    secrecy_note = models.CharField("保密审查意见", max_length=300, blank=True)
    signed_by = models.ForeignKey(Staff, verbose_name="签发人", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    signed_on = models.DateField("签发日期", null=True, blank=True)
    published_by = models.ForeignKey(Staff, verbose_name="发布人", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_on = models.DateField("公开日期", null=True, blank=True, db_index=True)
    repealed_on = models.DateField("废止日期", null=True, blank=True)
    repeal_note = models.CharField("废止依据", max_length=200, blank=True)
    view_count = models.PositiveIntegerField("浏览次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "主动公开信息"
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["body", "status", "category"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(repealed_on__isnull=True) | ~models.Q(doc_kind="general"),
                name="gk_only_normative_repealed"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_normative(self) -> bool:
        return self.doc_kind != DocKind.GENERAL

    @property
    def validity(self) -> str:
        if not self.is_normative:
            return ""
        return "已废止" if self.repealed_on else "现行有效"

    @property
    def published_late(self) -> bool:
        return self.published_on is not None and self.published_on > self.publish_due


def attachment_upload_to(instance: PublicationAttachment, filename: str) -> str:
    """A directory nobody can guess: drafts' files are never reachable by their path.

    The file keeps its name inside the directory; ``name`` keeps it for display, and downloads go
    through ``disclosure:attachment``, which checks the publication is public.
    """
    return f"gk/attachments/{secrets.token_hex(16)}/{filename}"


class PublicationAttachment(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField("附件名称", max_length=200)
    file = models.FileField("文件", upload_to=attachment_upload_to, max_length=300)
    size = models.PositiveIntegerField("大小（字节）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self):
        return self.name


class PublicationEvent(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    label = models.CharField("环节", max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField("操作人", max_length=64, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)
    note = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公开审批记录"
        ordering = ["id"]

    def __str__(self):
        return f"{self.label} {self.actor_name}"
