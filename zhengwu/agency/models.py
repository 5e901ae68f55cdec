"""全程代办 (full-process agency) of items decided above the county.

A 代办协议 (agreement) is signed between the applicant and the county 政务服务中心: the center's 代办员
(a member of staff with the 代办员 role at a 政务服务中心) collects the materials, files them with the
city or provincial department, records each upstream step and result, and hands the result back.
GB/T 38227-2019 《投资项目建设审批代办服务规范》; states after the public model ``AeaProjApplyAgent``
(aplanmis: 待签订 / 代办中 / 代办终止) plus 已办结; "自愿委托、无偿服务、帮办代办不包办" after
大姚县 2023 帮办代办 方案 (see ../shared/domain/HOTLINE-JOINT.md §6).

Upstream time is shown in working days but is never a supervised clock of a county department.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.catalog.models import Item, Level
from zhengwu.org.models import Hall, Staff

# Items exercised above the county (行使层级): the ones a county center may take on for 全程代办.
UPSTREAM_LEVELS = (Level.CITY, Level.PROVINCE, Level.NATION)

# The statement of terms printed in every agreement (kept on the row as signed).
TERMS = (
    "一、本协议遵循自愿委托、无偿服务原则，乙方提供代办服务不收取任何费用。\n"
    "二、依法应当缴纳的行政事业性收费、税费及中介服务费用由甲方自行承担、直接缴纳，乙方不代收代缴。\n"
    "三、帮办代办不包办：审批部门依法独立作出审批决定，乙方不对审批结果作出承诺；甲方对所提交材料的真实性负责。\n"
    "四、乙方负责咨询指导、材料初审、向上级部门报送、跟踪进度并及时告知甲方，办理结果及原件及时交还甲方。\n"
    "五、甲方可随时书面终止委托；因甲方材料不全且逾期不补正或申请事项不符合法定条件的，乙方可终止代办并说明理由。"
)


class Status(models.TextChoices):
    PENDING = "pending", "待签订"
    ACTIVE = "active", "代办中"
    FINISHED = "finished", "已办结"
    TERMINATED = "terminated", "终止"


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL = "legal", "企业或其他组织"


class AgreementCounter(models.Model):
    """Per hall and year, the last agreement number handed out (one atomic upsert)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "year"], name="agency_counter_hall_year")]

    def __str__(self):
        return f"{self.hall_id}/{self.year}: {self.last}"


class Agreement(models.Model):
    """代办协议: 甲方 the applicant, 乙方 the center (its 代办员)."""

    agreement_no = models.CharField("协议编号", max_length=40, unique=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    hall = models.ForeignKey(Hall, verbose_name="代办中心", on_delete=models.PROTECT, related_name="agreements")
    agent = models.ForeignKey(Staff, verbose_name="代办员", on_delete=models.PROTECT, related_name="agreements")
    referred_by = models.ForeignKey(Staff, verbose_name="转交代办员（村站）", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="agency_referrals")
    # 甲方
    applicant_kind = models.CharField("申请人类型", max_length=8, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人（单位）名称", max_length=100)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_rep = models.CharField("法定代表人", max_length=32, blank=True)
    contact_name = models.CharField("联系人", max_length=32, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("联系地址", max_length=200, blank=True)
    applicant_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人网上账号", null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="agency_agreements")
    project_name = models.CharField("项目名称", max_length=200, blank=True)
    # what is covered
    items = models.ManyToManyField(Item, verbose_name="委托代办事项", blank=True, related_name="agency_agreements")
    stages = models.JSONField("委托代办阶段", default=list, blank=True,
                              help_text="工程建设项目审批阶段代码（1 立项用地规划许可 … 4 竣工验收）")
    terms = models.TextField("协议条款", default=TERMS)
    note = models.TextField("备注", blank=True)
    # life
    created_at = models.DateTimeField("创建时间")
    signed_on = models.DateField("签订日期", null=True, blank=True)
    signed_by = models.ForeignKey(Staff, verbose_name="确认签订的代办员", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    finished_on = models.DateField("办结日期", null=True, blank=True)
    terminated_on = models.DateField("终止日期", null=True, blank=True)
    terminate_reason = models.TextField("终止原因", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "代办协议"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=Status.TERMINATED) | ~models.Q(terminate_reason=""),
                name="agency_terminated_has_reason"),
            models.CheckConstraint(
                condition=models.Q(status=Status.PENDING) | models.Q(signed_on__isnull=False)
                | models.Q(status=Status.TERMINATED),
                name="agency_signed_date"),
        ]

    def __str__(self):
        return self.agreement_no

    @property
    def is_open(self) -> bool:
        return self.status in (Status.PENDING, Status.ACTIVE)


class AgreementEvent(models.Model):
    """What happened to an agreement, by whom (append-only)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=24)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField("操作人", max_length=64, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "代办协议记录"
        ordering = ["id"]

    def __str__(self):
        return f"{self.agreement_id} {self.action}"


class AgreementMaterial(models.Model):
    """A material the 代办员 received from the applicant (and returned, for originals)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField("材料名称", max_length=200)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    original = models.BooleanField("原件", default=False)
    received_on = models.DateField("接收日期")
    received_by = models.ForeignKey(Staff, verbose_name="接收人", on_delete=models.PROTECT, related_name="+")
    returned_on = models.DateField("退还日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "代办材料"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(returned_on__isnull=True)
                                   | models.Q(returned_on__gte=models.F("received_on")),
                                   name="agency_material_returned_after_received"),
        ]

    def __str__(self):
        return self.name


class UpstreamStep(models.Model):
    """One step of a covered item at the upstream (city or provincial) department."""

    class Source(models.TextChoices):
        MANUAL = "manual", "手工录入"
        IMPORT = "import", "导入"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="steps")
    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.PROTECT, related_name="+")
    department = models.CharField("上级部门", max_length=100)
    step_name = models.CharField("环节", max_length=100)
    filed_on = models.DateField("报送日期")
    result = models.CharField("办理结果", max_length=200, blank=True)
    result_on = models.DateField("结果日期", null=True, blank=True)
    document_no = models.CharField("文号", max_length=64, blank=True)
    recorded_by = models.ForeignKey(Staff, verbose_name="录入人", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        verbose_name = verbose_name_plural = "上级办理环节"
        ordering = ["filed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "item", "step_name", "filed_on"],
                                    name="agency_step_unique"),
            models.CheckConstraint(condition=models.Q(result_on__isnull=True)
                                   | models.Q(result_on__gte=models.F("filed_on")),
                                   name="agency_step_result_after_filed"),
        ]

    def __str__(self):
        return f"{self.department} {self.step_name}"


class HandOver(models.Model):
    """A result (批文、证照) or originals handed back to the applicant, with its receipt (交接单)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="handovers")
    receipt_no = models.CharField("交接单编号", max_length=48, unique=True)
    what = models.CharField("交接内容", max_length=300)
    handed_on = models.DateField("交接日期")
    handed_to = models.CharField("接收人", max_length=32)
    handed_by = models.ForeignKey(Staff, verbose_name="交付人", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "结果交接"
        ordering = ["id"]

    def __str__(self):
        return self.receipt_no
