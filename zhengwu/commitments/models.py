"""Public commitments (公开承诺): what a department or a window promises the public, signed by its head,
in versions, and the complaints that say a promise was broken (违诺投诉) with the supervisor's finding.

A ``Commitment`` is the standing promise of one department (部门承诺) or one window (窗口承诺); its
``current`` version is the one in force. A version is written (草稿), submitted to the head (待签发),
signed and published (现行, the previous one becomes 已被新版本替代); the item limits (承诺时限) are copied
from the catalog when it is signed, so an old version still shows what was promised then.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhengwu.org.models import Department, Hall, Staff, Window


class Scope(models.TextChoices):
    DEPARTMENT = "department", "部门承诺"
    WINDOW = "window", "窗口承诺"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待负责人签发"
    PUBLISHED = "published", "现行"
    SUPERSEDED = "superseded", "已被新版本替代"


class ClauseKind(models.TextChoices):
    FIRST_ASK = "first_ask", "首问负责"
    ONE_NOTICE = "one_notice", "一次性告知"
    TIME_LIMIT = "time_limit", "限时办结"
    ONE_TRIP = "one_trip", "最多跑一次"
    NO_REFUSAL = "no_refusal", "否定备案（不让群众白跑）"
    EXTENDED = "extended", "延时、预约、上门服务"
    CONDUCT = "conduct", "文明服务"
    INTEGRITY = "integrity", "廉洁自律"
    FEES = "fees", "收费公开"
    OTHER = "other", "其他承诺"


class BreachSource(models.TextChoices):
    HOTLINE = "hotline", "12345热线工单"
    RATING = "rating", "好差评"
    APPRAISAL = "appraisal", "重点科室评议意见"
    LETTER = "letter", "来信来访"
    OTHER = "other", "其他"


class BreachStatus(models.TextChoices):
    PENDING = "pending", "待核实"
    UPHELD = "upheld", "属实"
    DISMISSED = "dismissed", "不属实"


class CommitmentPolicy(models.Model):
    """One row: the limits the supervisor works to (policy as data)."""

    verify_workdays = models.PositiveSmallIntegerField("违诺投诉核实时限（工作日）", default=5)
    review_months = models.PositiveSmallIntegerField("承诺复核周期（月）", default=12,
                                                     help_text="现行版本签发超过该月数，工作台提示重新审定")

    class Meta:
        verbose_name = verbose_name_plural = "公开承诺设置"

    def __str__(self):
        return "公开承诺设置"

    @classmethod
    def get(cls) -> CommitmentPolicy:
        row = cls.objects.order_by("id").first()
        return row if row is not None else cls.objects.create()


class Commitment(models.Model):
    scope = models.CharField("承诺主体类型", max_length=12, choices=Scope.choices)
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="commitments", help_text="综合窗口的承诺没有部门")
    window = models.ForeignKey(Window, verbose_name="窗口", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="commitments")
    hall = models.ForeignKey(Hall, verbose_name="大厅", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="commitments", help_text="窗口承诺所在大厅（大厅屏幕展示）")
    current = models.OneToOneField("CommitmentVersion", verbose_name="现行版本", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "公开承诺"
        ordering = ["scope", "department_id", "window_id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="department", department__isnull=False, window__isnull=True)
                           | Q(scope="window", window__isnull=False, hall__isnull=False)),
                name="commitment_scope_matches"),
            models.UniqueConstraint(fields=["department"], condition=Q(scope="department"),
                                    name="commitment_one_per_department"),
            models.UniqueConstraint(fields=["window"], condition=Q(scope="window"), name="commitment_one_per_window"),
        ]

    def __str__(self):
        return self.owner_name

    @property
    def owner_name(self) -> str:
        if self.scope == Scope.WINDOW:
            return f"{self.window.hall.name} {self.window.number}号窗口（{self.window.name}）"
        return self.department.name


class CommitmentVersion(models.Model):
    commitment = models.ForeignKey(Commitment, verbose_name="公开承诺", on_delete=models.PROTECT,
                                   related_name="versions")
    version = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    standards = models.TextField("服务标准", max_length=4000, blank=True,
                                 help_text="办事依据、流程、服务规范等，向社会公开")
    service_hours = models.CharField("服务时间", max_length=100, blank=True)
    supervision_phone = models.CharField("监督电话", max_length=40, blank=True)
    change_note = models.CharField("修订说明", max_length=300, blank=True)
    items = models.JSONField("事项承诺时限", default=list, blank=True,
                             help_text="签发时从事项清单复制：实施编码、事项名称、法定时限、承诺时限")
    drafted_by = models.ForeignKey(Staff, verbose_name="起草人", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    drafted_at = models.DateTimeField("起草时间")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    returned_reason = models.CharField("退回理由", max_length=300, blank=True)
    signed_by = models.ForeignKey(Staff, verbose_name="签发人", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    superseded_at = models.DateTimeField("废止时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "承诺版本"
        ordering = ["commitment_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "version"], name="commitment_version_unique"),
            models.UniqueConstraint(fields=["commitment"], condition=Q(status__in=["draft", "submitted"]),
                                    name="commitment_one_open_version"),
            models.CheckConstraint(condition=~Q(status__in=["published", "superseded"])
                                   | Q(signed_by__isnull=False, signed_at__isnull=False),
                                   name="commitment_version_signed"),
        ]

    def __str__(self):
        return f"{self.commitment} 第{self.version}版"


class Clause(models.Model):
    version = models.ForeignKey(CommitmentVersion, verbose_name="承诺版本", on_delete=models.CASCADE,
                                related_name="clauses")
    seq = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("承诺类别", max_length=12, choices=ClauseKind.choices)
    text = models.CharField("承诺内容", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "承诺条款"
        ordering = ["version_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["version", "seq"], name="commitment_clause_seq")]

    def __str__(self):
        return f"{self.seq}. {self.text}"


class Breach(models.Model):
    """A complaint that says a commitment was broken, and the supervisor's finding (核实属实/不属实)."""

    commitment = models.ForeignKey(Commitment, verbose_name="公开承诺", on_delete=models.PROTECT,
                                   related_name="breaches")
    version = models.ForeignKey(CommitmentVersion, verbose_name="被投诉时的现行版本", on_delete=models.PROTECT,
                                related_name="breaches")
    clause_kind = models.CharField("所涉承诺", max_length=12, choices=ClauseKind.choices)
    clause_text = models.CharField("承诺内容", max_length=300, help_text="登记时的条款原文或事项承诺时限")
    source = models.CharField("投诉来源", max_length=12, choices=BreachSource.choices)
    source_no = models.CharField("来源编号", max_length=40, blank=True,
                                 help_text="热线工单编号、好差评编号、评议意见编号或来信编号")
    summary = models.CharField("投诉内容摘要", max_length=500)
    status = models.CharField("核实结果", max_length=12, choices=BreachStatus.choices, default=BreachStatus.PENDING)
    finding = models.CharField("核实情况", max_length=500, blank=True)
    filed_by = models.ForeignKey(Staff, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("登记时间")
    decided_by = models.ForeignKey(Staff, verbose_name="核实人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "违诺投诉"
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "source", "source_no"], condition=~Q(source_no=""),
                                    name="commitment_breach_once_per_source"),
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_by__isnull=False, finding__gt=""),
                                   name="commitment_breach_decided"),
        ]

    def __str__(self):
        return f"{self.commitment} · {self.get_source_display()} {self.source_no}"
