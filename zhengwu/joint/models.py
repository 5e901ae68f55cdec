"""Joint approvals (并联审批): a 联办件 filed under a bundle, one 子件 (an ordinary ``cases.Case`` with
``joint`` set) per member item, the co-departments' opinions, the lead's rulings on a reasoned 不同意,
the combined result, and 联合踏勘 (joint site inspections) with 缺席默认.

The 联办件's status and due date are derived from its 子件 (``services.joint_refresh``) and stored for
lists and filters; the 子件 keep every action they have as ordinary cases.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.catalog.models import Bundle, BundleVersion
from zhengwu.core import clock
from zhengwu.org.models import Department, Hall, Staff, Window


class JointStatus(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    SUPPLEMENT = "supplement", "待补正"
    IN_REVIEW = "in_review", "并联审查中"
    RULING = "ruling", "待牵头部门处理不同意意见"
    SUSPENDED = "suspended", "牵头部门决定中止"
    READY = "ready", "待出具联合审批结果"
    COMPLETED = "completed", "已办结"
    REFUSED = "refused", "牵头部门决定不予办理"
    REJECTED = "rejected", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_JOINT_STATUSES = (JointStatus.SUBMITTED, JointStatus.SUPPLEMENT, JointStatus.IN_REVIEW, JointStatus.RULING,
                       JointStatus.SUSPENDED, JointStatus.READY)


class JointCase(models.Model):
    """联办件: one application for a bundle, accepted at one window (一门受理) for all member items."""

    case_no = models.CharField("联办件编号", max_length=40, unique=True)
    bundle = models.ForeignKey(Bundle, verbose_name="联办事项", on_delete=models.PROTECT, related_name="joint_cases")
    bundle_version = models.ForeignKey(BundleVersion, verbose_name="联办事项版本", on_delete=models.PROTECT,
                                       related_name="joint_cases")
    lead_department = models.ForeignKey(Department, verbose_name="牵头部门", on_delete=models.PROTECT,
                                        related_name="led_joint_cases")
    hall = models.ForeignKey(Hall, verbose_name="受理大厅", on_delete=models.PROTECT, related_name="joint_cases")
    status = models.CharField("状态", max_length=12, choices=JointStatus.choices, db_index=True)
    row_version = models.PositiveIntegerField(default=0, help_text="guards every update (optimistic lock)")
    # the applicant, as on every 子件 (kept here for lists and 我的办件)
    applicant_name = models.CharField("申请人", max_length=100)
    applicant_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人账号", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="joint_cases")
    contact_phone = models.CharField("联系电话", max_length=20)
    submitted_at = models.DateTimeField("提交时间", default=clock.now, db_index=True)
    accepted_by = models.ForeignKey(Staff, verbose_name="受理人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    accepted_window = models.ForeignKey(Window, verbose_name="受理窗口", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    promised_due = models.DateField("联办承诺期限", null=True, blank=True,
                                    help_text="受理日加联办事项总承诺时限（工作日）")
    due_date = models.DateField("办结期限", null=True, blank=True, db_index=True,
                                help_text="各子件办结期限中最晚者")
    result_no = models.CharField("联合审批结果文号", max_length=40, blank=True)
    result_issued_at = models.DateTimeField("联合结果出具时间", null=True, blank=True)
    result_issued_by = models.ForeignKey(Staff, verbose_name="出具人", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    result = models.JSONField("联合审批结果", default=dict, blank=True,
                              help_text="出具时各子件的结果（kind: approval 联合审批决定书 / completion 办结通知；lines）")

    class Meta:
        verbose_name = verbose_name_plural = "联办件"
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["lead_department", "status"]), models.Index(fields=["hall", "status"])]

    def __str__(self):
        return self.case_no

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_JOINT_STATUSES


class OpinionKind(models.TextChoices):
    AGREE = "agree", "同意"
    DISAGREE = "disagree", "不同意"
    ESCALATE = "escalate", "同意但需报上级审批"


class JointOpinion(models.Model):
    """A co-department's answer on its 子件 (同意 / 不同意 with reasons / 同意但需报上级); one per 子件."""

    case = models.OneToOneField("cases.Case", verbose_name="子件", on_delete=models.CASCADE,
                                related_name="joint_opinion")
    joint = models.ForeignKey(JointCase, verbose_name="联办件", on_delete=models.CASCADE, related_name="opinions")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("意见", max_length=10, choices=OpinionKind.choices)
    reason = models.TextField("理由", blank=True)
    by = models.ForeignKey(Staff, verbose_name="签署人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=clock.now)
    absent_invite = models.ForeignKey("InspectionInvite", verbose_name="缺席默认（联合踏勘邀请）", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      help_text="该部门无正当理由缺席联合踏勘，视为同意（缺席默认）；为空则是部门自己签署的意见")

    class Meta:
        verbose_name = verbose_name_plural = "协办部门意见"
        constraints = [models.CheckConstraint(condition=~models.Q(kind="disagree") | ~models.Q(reason=""),
                                              name="joint_disagree_has_reason")]

    def __str__(self):
        return self.get_kind_display()

    @property
    def deemed_absent(self) -> bool:
        """缺席默认 (``by`` is then the lead's staff who recorded the inspection)."""
        return self.absent_invite_id is not None


class RulingKind(models.TextChoices):
    REFUSE = "refuse", "不予办理"
    SUSPEND = "suspend", "中止办理"
    PROCEED = "proceed", "继续办理"


class JointRuling(models.Model):
    """The lead department's decision on a reasoned 不同意 (it refuses, suspends or goes on), recorded."""

    joint = models.ForeignKey(JointCase, verbose_name="联办件", on_delete=models.CASCADE, related_name="rulings")
    opinion = models.OneToOneField(JointOpinion, verbose_name="所涉不同意意见", on_delete=models.CASCADE,
                                   related_name="ruling")
    kind = models.CharField("处理决定", max_length=8, choices=RulingKind.choices)
    reason = models.TextField("理由")
    by = models.ForeignKey(Staff, verbose_name="决定人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=clock.now)

    class Meta:
        verbose_name = verbose_name_plural = "牵头部门处理决定"

    def __str__(self):
        return self.get_kind_display()


class JointEvent(models.Model):
    """The 联办件's own history (acceptance for all, opinions, rulings, inspections, the combined result)."""

    joint = models.ForeignKey(JointCase, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=clock.now)
    action = models.CharField("动作", max_length=24)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=64, blank=True)
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "联办件记录"
        ordering = ["at", "id"]

    def __str__(self):
        return self.action


# -- 联合踏勘 -------------------------------------------------------------------------------------------------


class InspectionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "已通知"
    RECORDED = "recorded", "已记录，待牵头部门签认"
    SIGNED = "signed", "已签认"
    CANCELLED = "cancelled", "已取消"


class Inspection(models.Model):
    """联合踏勘: one round of a joint site inspection organised by the lead department."""

    joint = models.ForeignKey(JointCase, verbose_name="联办件", on_delete=models.CASCADE, related_name="inspections")
    round = models.PositiveSmallIntegerField("轮次")
    date = models.DateField("踏勘日期")
    place = models.CharField("踏勘地点", max_length=200)
    status = models.CharField("状态", max_length=10, choices=InspectionStatus.choices,
                              default=InspectionStatus.SCHEDULED)
    organiser = models.ForeignKey(Staff, verbose_name="组织人", on_delete=models.PROTECT, related_name="+")
    note = models.TextField("踏勘说明", blank=True)
    conclusion = models.TextField("踏勘结论", blank=True)
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    signed_by = models.ForeignKey(Staff, verbose_name="牵头部门签认人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("签认时间", null=True, blank=True)
    record_no = models.CharField("踏勘记录编号", max_length=40, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    clock_stops = models.JSONField("暂停计时的子件", default=list, blank=True,
                                   help_text="[{case_id, officer_id}]: 子件 whose clock the inspection stopped")

    class Meta:
        verbose_name = verbose_name_plural = "联合踏勘"
        ordering = ["joint", "round"]
        constraints = [models.UniqueConstraint(fields=["joint", "round"], name="inspection_round_unique")]

    def __str__(self):
        return f"第{self.round}轮联合踏勘"


class Attendance(models.TextChoices):
    PENDING = "pending", "待记录"
    PRESENT = "present", "到场"
    EXCUSED = "excused", "缺席（已说明理由）"
    ABSENT = "absent", "缺席（未说明理由，缺席默认）"


class InspectionInvite(models.Model):
    """An invited department: its confirmation, attendance, opinion on the spot, or 缺席默认."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="invites")
    department = models.ForeignKey(Department, verbose_name="受邀部门", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(Staff, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    attendance = models.CharField("到场情况", max_length=8, choices=Attendance.choices, default=Attendance.PENDING)
    attendee = models.CharField("到场人员", max_length=100, blank=True)
    absence_reason = models.CharField("缺席理由", max_length=300, blank=True)
    opinion = models.TextField("踏勘意见", blank=True)
    deemed_agree = models.BooleanField("缺席默认同意", default=False)
    notice_no = models.CharField("缺席默认告知书编号", max_length=60, blank=True)
    notice_issued_at = models.DateTimeField("告知书发出时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "联合踏勘受邀部门"
        constraints = [models.UniqueConstraint(fields=["inspection", "department"], name="inspection_invite_unique")]

    def __str__(self):
        return self.get_attendance_display()
