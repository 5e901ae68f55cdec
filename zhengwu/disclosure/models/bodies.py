"""Publishing bodies (公开主体), who works for them, counters and editable policy."""

from __future__ import annotations

from django.db import models

from zhengwu.org.models import Department, Region, Staff


class Body(models.Model):
    """A body that must publish and answer requests: a government, a department, a town, a village.

    A department body points at its ``org.Department``; a government, town or village body at its
    region. ``parent`` builds the tree a government's report aggregates (县政府 → its departments and
    towns). Villages and communities publish 村务公开/党务公开 but file no annual report.
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "人民政府"
        DEPARTMENT = "department", "政府部门"
        TOWN = "town", "乡镇人民政府（街道办事处）"
        VILLAGE = "village", "村（居）民委员会"

    code = models.CharField("主体编码", max_length=32, unique=True, help_text="用于网址和接口，字母或数字")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="gk_bodies")
    department = models.ForeignKey(Department, verbose_name="对应部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="gk_bodies")
    parent = models.ForeignKey("self", verbose_name="上级主体", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", help_text="本级政府年度报告汇总其下级主体")
    # what the 政府信息公开指南 tells the public
    office = models.CharField("政府信息公开工作机构", max_length=100, blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    office_hours = models.CharField("办公时间", max_length=100, blank=True,
                                    default="工作日 上午9:00-12:00 下午13:30-17:00")
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    fax = models.CharField("传真", max_length=40, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    guide_notes = models.TextField("指南补充说明", blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "公开主体"
        ordering = ["region__code", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Za-z0-9]+$"), name="gk_body_code_alnum"),
        ]

    def __str__(self):
        return self.name

    @property
    def files_reports(self) -> bool:
        return self.kind != self.Kind.VILLAGE


class BodyMember(models.Model):
    """A member of staff and their duty in a body's disclosure work (the seed's 提供 → 审核 → 签发)."""

    class Duty(models.TextChoices):
        OFFICER = "officer", "经办人"
        REVIEWER = "reviewer", "分管领导"
        SECRECY = "secrecy", "保密审查人"
        SIGNER = "signer", "领导小组组长"
        HEAD = "head", "公开工作机构负责人"

    body = models.ForeignKey(Body, verbose_name="公开主体", on_delete=models.CASCADE, related_name="members")
    staff = models.ForeignKey(Staff, verbose_name="工作人员", on_delete=models.CASCADE, related_name="gk_duties")
    duty = models.CharField("职责", max_length=10, choices=Duty.choices)

    class Meta:
        verbose_name = verbose_name_plural = "公开工作人员"
        constraints = [models.UniqueConstraint(fields=["body", "staff", "duty"], name="gk_member_unique")]

    def __str__(self):
        return f"{self.body} {self.staff} {self.get_duty_display()}"


class Counter(models.Model):
    """Per body, kind (``pub`` 索引号 / ``req`` 申请编号) and year: the last number handed out."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE)
    kind = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "kind", "year"], name="gk_counter_unique")]

    def __str__(self):
        return f"{self.body_id}:{self.kind}:{self.year}:{self.last}"


class Setting(models.Model):
    """Editable policy (working-day limits, warning threshold); code defaults apply when absent."""

    key = models.CharField("参数", max_length=40, unique=True)
    value = models.CharField("取值", max_length=200)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "政务公开参数"
        ordering = ["key"]

    def __str__(self):
        return f"{self.key}={self.value}"


class FeeBand(models.Model):
    """One band of the 信息处理费 standard (国办函〔2020〕109号), editable; defaults in ``reference``.

    ``unit_price`` applies from ``lower`` to ``upper`` (inclusive; empty = no upper bound); with a
    ``step``, the price rises by ``step_increase`` for every further ``step`` units (按件: 31 件以上
    以10件为一档，每增加一档提高100元/件).
    """

    class Method(models.TextChoices):
        PER_REQUEST = "per_request", "按件计收"
        PER_PAGE = "per_page", "按量计收"

    method = models.CharField("计收方式", max_length=12, choices=Method.choices)
    lower = models.PositiveIntegerField("起（含）")
    upper = models.PositiveIntegerField("止（含）", null=True, blank=True)
    unit_price = models.PositiveIntegerField("单价（元）")
    step = models.PositiveIntegerField("每档数量", default=0)
    step_increase = models.PositiveIntegerField("每档加价（元）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "信息处理费标准"
        ordering = ["method", "lower"]
        constraints = [models.UniqueConstraint(fields=["method", "lower"], name="gk_fee_band_unique")]

    def __str__(self):
        upper = self.upper if self.upper is not None else "以上"
        return f"{self.get_method_display()} {self.lower}–{upper}：{self.unit_price}元"


class FeeWaiverReason(models.Model):
    """A ground on which the body reduces or waives the 信息处理费 (减免情形), editable in the admin.

    国办函〔2020〕109号 leaves the body room to reduce or waive the fee for an applicant in financial
    difficulty; which groups qualify and whether proof must be on file is local practice (the 2008
    rule named 最低生活保障对象, 特困（五保）供养人员 and 优抚对象, each on proof from the town).
    Seeded by migration; with ``requires_proof`` a waiver is refused without a proof file.
    """

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("减免情形", max_length=100)
    requires_proof = models.BooleanField("须提供证明材料", default=True)
    proof_hint = models.CharField("证明材料", max_length=200, blank=True,
                                  help_text="如 最低生活保障证或乡镇（街道）出具的证明")
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息处理费减免情形"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name
