"""重点科室评议 (section appraisal): a campaign rates the key sections of the departments through
one-time links sent to invited raters, ranks them, publishes the bottom ones and supervises their
rectification (整改).

Anonymity (what we chose, and why):
- ``Invitation`` knows the rater (name, phone — masked when the campaign closes) and whether the link
  was used, on which *day* (``used_on``); nothing finer.
- ``Answer`` (one per section a rater rated) has **no** foreign key to the invitation, no rater kind,
  no timestamp at all, and a random UUID primary key: an auto-increment id would follow the order of
  the invitations' use and join them back. ``AnswerScore`` hangs off the answer only.
- Pages and exports list comments ordered by the answer's random id, never by insertion order.
- Submitting writes no audit row and no log line (those carry time and would join); the link's token is
  never stored (its SHA-256 is) nor logged.
What stays out of the app's reach: the database's own physical row order (an administrator with raw SQL
access to both tables could still guess an order); the county must keep the database itself closed.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q

from zhengwu.org.models import Department, Region, Staff


class AppraisalCampaignStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "评议中"
    CLOSED = "closed", "已结束"
    PUBLISHED = "published", "已公布"


CampaignStatus = AppraisalCampaignStatus  # the short name in code; the prefixed one names the enum in OpenAPI


class AppraisalDutyType(models.TextChoices):
    ENFORCEMENT = "enforcement", "执法类"
    COMPREHENSIVE = "comprehensive", "综合类"
    SERVICE = "service", "服务类"


DutyType = AppraisalDutyType  # the short name in code; the prefixed one names the enum in OpenAPI


class AppraisalQuestionKind(models.TextChoices):
    SCORE5 = "score5", "1–5分"
    SATISFACTION = "satisfaction", "满意/基本满意/不满意"


QuestionKind = AppraisalQuestionKind  # the short name in code; the prefixed one names the enum in OpenAPI


class AppraisalRaterKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业代表"
    CITIZEN = "citizen", "办事群众"
    DEPUTY = "deputy", "人大代表"
    MEMBER = "member", "政协委员"


RaterKind = AppraisalRaterKind  # the short name in code; the prefixed one names the enum in OpenAPI


class AppraisalRectificationStatus(models.TextChoices):
    RUNNING = "running", "整改中"
    FILED = "filed", "已报送整改报告"
    ACCEPTED = "accepted", "已验收"


RectificationStatus = AppraisalRectificationStatus  # the short name in code; the prefixed one names the enum in OpenAPI


SATISFACTION_LABELS = {3: "满意", 2: "基本满意", 1: "不满意"}
SCORE5_LABELS = {5: "5分", 4: "4分", 3: "3分", 2: "2分", 1: "1分"}


class Campaign(models.Model):
    """评议活动: draft → open (invitations sent) → closed (results computed) → published."""

    title = models.CharField("活动名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="组织区划", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("评议开始日期")
    ends_on = models.DateField("评议截止日期")
    status = models.CharField("状态", max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT,
                              db_index=True)
    bottom_n = models.PositiveSmallIntegerField("公布末位科室数", default=3)
    min_answers = models.PositiveSmallIntegerField("最少有效评议数", default=5,
                                                   help_text="少于此数的科室为“样本不足”，不排名、不显示意见")
    rectify_workdays = models.PositiveSmallIntegerField("整改期限（工作日）", default=20)
    basic_points = models.PositiveSmallIntegerField("“基本满意”折合分", default=60,
                                                    help_text="满意100分、不满意0分；1–5分题按每分20分折算")
    intro = models.CharField("评议说明", max_length=500, blank=True)
    created_by = models.ForeignKey(Staff, verbose_name="创建人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")
    opened_on = models.DateField("发出邀请日期", null=True, blank=True)
    closed_on = models.DateField("结束日期", null=True, blank=True)
    published_on = models.DateField("公布日期", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "评议活动"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="appraisal_period_order"),
            models.CheckConstraint(condition=Q(bottom_n__gte=1), name="appraisal_bottom_n_positive"),
            models.CheckConstraint(condition=Q(basic_points__lte=100), name="appraisal_basic_points_le_100"),
        ]

    def __str__(self):
        return self.title


class Section(models.Model):
    """评议科室: one key section of a department, in one campaign."""

    campaign = models.ForeignKey(Campaign, verbose_name="评议活动", on_delete=models.CASCADE, related_name="sections")
    name = models.CharField("科室名称", max_length=64)
    department = models.ForeignKey(Department, verbose_name="所属部门", on_delete=models.PROTECT, related_name="+")
    duty_type = models.CharField("职能类型", max_length=16, choices=DutyType.choices)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "评议科室"
        ordering = ["campaign", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "department", "name"],
                                               name="appraisal_section_unique")]

    def __str__(self):
        return f"{self.department.name}{self.name}"


class Question(models.Model):
    """评议内容: one dimension every section is scored on."""

    campaign = models.ForeignKey(Campaign, verbose_name="评议活动", on_delete=models.CASCADE,
                                 related_name="questions")
    text = models.CharField("评议内容", max_length=100)
    kind = models.CharField("评分方式", max_length=16, choices=QuestionKind.choices, default=QuestionKind.SATISFACTION)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2, default=Decimal("1"))
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "评议内容"
        ordering = ["campaign", "sort", "id"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="appraisal_question_weight_positive")]

    def __str__(self):
        return self.text

    def choices(self) -> list[tuple[int, str]]:
        labels = SATISFACTION_LABELS if self.kind == QuestionKind.SATISFACTION else SCORE5_LABELS
        return list(labels.items())

    def points(self, value: int, basic_points: int) -> Decimal:
        """A value as points out of 100."""
        if self.kind == QuestionKind.SATISFACTION:
            return Decimal({3: 100, 2: basic_points, 1: 0}[value])
        return Decimal(value * 20)


class Invitation(models.Model):
    """评议邀请: one rater's one-time link. Only the SHA-256 of the token is stored (once sent)."""

    campaign = models.ForeignKey(Campaign, verbose_name="评议活动", on_delete=models.CASCADE,
                                 related_name="invitations")
    rater_kind = models.CharField("评议人类别", max_length=12, choices=RaterKind.choices)
    name = models.CharField("评议人", max_length=64)
    org_name = models.CharField("单位/企业", max_length=100, blank=True)
    phone = models.CharField("手机号码", max_length=20, help_text="评议结束后脱敏")
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, null=True, blank=True)
    sent_on = models.DateField("发送日期", null=True, blank=True)
    used_on = models.DateField("提交日期", null=True, blank=True, help_text="只记日期，不记时刻")
    created_on = models.DateField("登记日期")

    class Meta:
        verbose_name = verbose_name_plural = "评议邀请"
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phone"], name="appraisal_invite_one_per_phone"),
            models.CheckConstraint(condition=Q(used_on__isnull=True) | Q(token_hash__isnull=False),
                                   name="appraisal_invite_used_only_if_sent"),
        ]

    def __str__(self):
        return f"{self.get_rater_kind_display()} {self.name}"


class Answer(models.Model):
    """One rater's rating of one section: **not** linked to the invitation (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    section = models.ForeignKey(Section, verbose_name="评议科室", on_delete=models.CASCADE, related_name="answers")
    unknown = models.BooleanField("不了解", default=False)
    comment = models.TextField("意见建议", blank=True, max_length=1000)

    class Meta:
        verbose_name = verbose_name_plural = "评议答卷"
        ordering = ["section", "id"]

    def __str__(self):
        return f"{self.section_id}:{self.pk}"


class AnswerScore(models.Model):
    answer = models.ForeignKey(Answer, verbose_name="答卷", on_delete=models.CASCADE, related_name="scores")
    question = models.ForeignKey(Question, verbose_name="评议内容", on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField("评分")

    class Meta:
        verbose_name = verbose_name_plural = "评议得分"
        constraints = [
            models.UniqueConstraint(fields=["answer", "question"], name="appraisal_score_once"),
            models.CheckConstraint(condition=Q(value__gte=1, value__lte=5), name="appraisal_score_1_5"),
        ]

    def __str__(self):
        return f"{self.question_id}={self.value}"


class SectionResult(models.Model):
    """The result of one section, computed when the campaign closes."""

    section = models.OneToOneField(Section, verbose_name="评议科室", on_delete=models.CASCADE, related_name="result")
    answers = models.PositiveIntegerField("有效评议数")
    unknown = models.PositiveIntegerField("不了解")
    score = models.DecimalField("得分", max_digits=5, decimal_places=2, null=True, blank=True,
                                help_text="样本不足时为空")
    rank = models.PositiveSmallIntegerField("名次", null=True, blank=True)
    is_bottom = models.BooleanField("末位", default=False)
    question_scores = models.JSONField("各项得分", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评议结果"

    def __str__(self):
        return f"{self.section_id}: {self.score}"

    @property
    def insufficient(self) -> bool:
        return self.score is None


class Rectification(models.Model):
    """整改: one bottom section's rectification, due a number of working days after publication."""

    section = models.OneToOneField(Section, verbose_name="评议科室", on_delete=models.PROTECT,
                                   related_name="rectification")
    campaign = models.ForeignKey(Campaign, verbose_name="评议活动", on_delete=models.PROTECT,
                                 related_name="rectifications")
    department = models.ForeignKey(Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=RectificationStatus.choices,
                              default=RectificationStatus.RUNNING, db_index=True)
    opened_on = models.DateField("开始日期")
    due_date = models.DateField("整改期限")
    report = models.TextField("整改报告", blank=True, max_length=4000)
    filed_on = models.DateField("报送日期", null=True, blank=True)
    filed_by = models.ForeignKey(Staff, verbose_name="报送人", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    return_note = models.CharField("退回意见", max_length=500, blank=True)
    returns = models.PositiveSmallIntegerField("退回次数", default=0)
    public_note = models.TextField("公开的整改情况", blank=True, max_length=4000)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    accepted_by = models.ForeignKey(Staff, verbose_name="验收人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "评议整改"
        ordering = ["campaign", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="accepted") | ~Q(public_note=""),
                                   name="appraisal_accepted_has_public_note"),
        ]

    def __str__(self):
        return f"{self.section} 整改"
