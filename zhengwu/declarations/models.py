"""涉企活动申报: a department declares in advance any activity that touches enterprises (检查, 抽查, 考核评比,
会议, 培训, 收费); the 优化营商环境办 approves it with a 备案码 or refuses it; the department records the visit
per enterprise (执行登记) and closes it. An enterprise checks a code on the public page, rates the visit once,
and may report an undeclared visit (举报未备案涉企活动), which the 效能监察员 verifies.

Policy (limits, 免检期, working-day limits) is data: ``Policy`` per region (the nearest up the tree) and
``QuietPeriod`` rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.org.models import Department, Region, Staff

# The role of the 优化营商环境办 (created by this app's data migration 0002).
BUSINESS_ENV_ROLE = "business_env"
BUSINESS_ENV_ROLE_NAME = "优化营商环境办"


class ActivityType(models.TextChoices):
    INSPECTION = "inspection", "检查"
    SPOT_CHECK = "spot_check", "抽查"
    APPRAISAL = "appraisal", "考核评比"
    MEETING = "meeting", "会议"
    TRAINING = "training", "培训"
    CHARGE = "charge", "收费"
    OTHER = "other", "其他"


# The types the per-enterprise limit and the 免检期 apply to.
LIMITED_TYPES = (ActivityType.INSPECTION, ActivityType.SPOT_CHECK)


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审批"
    APPROVED = "approved", "已备案"
    REFUSED = "refused", "不予备案"
    WITHDRAWN = "withdrawn", "已撤回"
    CARRIED_OUT = "carried_out", "已执行"
    CLOSED = "closed", "已办结"


class OverLimitMode(models.TextChoices):
    REASON = "reason", "说明理由后可申报"
    REFUSE = "refuse", "一律不予申报"


class Policy(models.Model):
    """The region's rules (the nearest region up the tree with a row; else the defaults)."""

    region = models.OneToOneField(Region, verbose_name="区划", on_delete=models.CASCADE,
                                  related_name="declaration_policy")
    approval_workdays = models.PositiveSmallIntegerField("审批时限（工作日）", default=3)
    report_workdays = models.PositiveSmallIntegerField("举报核查时限（工作日）", default=5)
    max_inspections_per_year = models.PositiveSmallIntegerField(
        "同一部门对同一企业每年检查次数上限", default=2,
        help_text="检查、抽查；超过上限的须说明理由（如投诉举报、上级交办），或按下项一律不予申报")
    over_limit = models.CharField("超过上限或处于免检期时", max_length=8, choices=OverLimitMode.choices,
                                  default=OverLimitMode.REASON)
    min_lead_days = models.PositiveSmallIntegerField("至少提前申报天数", default=0,
                                                     help_text="0：开始日期不早于申报当日即可")

    class Meta:
        verbose_name = verbose_name_plural = "涉企活动申报规则"

    def __str__(self):
        return f"{self.region.name}涉企活动申报规则"


class QuietPeriod(models.Model):
    """“无事不扰” 免检期: no 检查/抽查 of enterprises in the region during these days without a reason."""

    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.CASCADE,
                               related_name="declaration_quiet_periods")
    name = models.CharField("名称", max_length=64)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")

    class Meta:
        verbose_name = verbose_name_plural = "免检期（无事不扰）"
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=models.Q(start__lte=models.F("end")),
                                              name="declarations_quiet_period_dates")]

    def __str__(self):
        return f"{self.name}（{self.start}～{self.end}）"


class Declaration(models.Model):
    department = models.ForeignKey(Department, verbose_name="申报部门", on_delete=models.PROTECT,
                                   related_name="enterprise_declarations")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT,
                               related_name="enterprise_declarations")
    created_by = models.ForeignKey(Staff, verbose_name="经办人", on_delete=models.PROTECT,
                                   related_name="declarations_created")
    activity_type = models.CharField("活动类型", max_length=16, choices=ActivityType.choices)
    title = models.CharField("活动事项", max_length=200)
    legal_basis = models.CharField("法律依据", max_length=500)
    content = models.TextField("活动内容", max_length=2000, blank=True)
    is_random = models.BooleanField("双随机", default=False)
    scope = models.CharField("抽查范围（行业/区域）", max_length=200, blank=True)
    is_joint = models.BooleanField("联合检查", default=False)
    joint_departments = models.CharField("联合部门", max_length=200, blank=True)
    start_date = models.DateField("计划开始日期")
    end_date = models.DateField("计划结束日期")
    over_limit_reason = models.CharField("超限理由", max_length=500, blank=True)
    status = models.CharField("状态", max_length=16, choices=DeclarationStatus.choices,
                              default=DeclarationStatus.DRAFT)
    code = models.CharField("备案码", max_length=20, unique=True, null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(Staff, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="declarations_decided")
    refuse_reason = models.CharField("不予备案理由", max_length=500, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "涉企活动申报"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "status"], name="decl_dept_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(start_date__lte=models.F("end_date")),
                                   name="declarations_dates_ordered"),
            models.CheckConstraint(condition=~models.Q(legal_basis=""), name="declarations_legal_basis"),
        ]

    def __str__(self):
        return f"{self.code or '（未备案）'} {self.title}"


class Target(models.Model):
    """An enterprise the activity touches; for a 双随机 activity the ones actually visited (added when recorded)."""

    declaration = models.ForeignKey(Declaration, verbose_name="申报", on_delete=models.CASCADE, related_name="targets")
    uscc = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("企业名称", max_length=100)
    visited_on = models.DateField("执行日期", null=True, blank=True)
    result = models.CharField("执行结果", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "涉及企业"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["declaration", "uscc"], name="declarations_target_once")]
        indexes = [models.Index(fields=["uscc"], name="decl_target_uscc")]

    def __str__(self):
        return self.name


class Inspector(models.Model):
    declaration = models.ForeignKey(Declaration, verbose_name="申报", on_delete=models.CASCADE,
                                    related_name="inspectors")
    name = models.CharField("姓名", max_length=32)
    cert_no = models.CharField("执法证号", max_length=32)

    class Meta:
        verbose_name = verbose_name_plural = "执法（检查）人员"
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}（{self.cert_no}）"


class Event(models.Model):
    declaration = models.ForeignKey(Declaration, verbose_name="申报", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=16)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("说明", max_length=500, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "申报记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class RatingLevel(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Rating(models.Model):
    """An enterprise's rating of a declared visit: once per enterprise per declaration."""

    declaration = models.ForeignKey(Declaration, verbose_name="申报", on_delete=models.CASCADE, related_name="ratings")
    uscc = models.CharField("统一社会信用代码", max_length=18)
    level = models.CharField("评价", max_length=12, choices=RatingLevel.choices)
    comment = models.CharField("意见", max_length=500, blank=True)
    created_at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = verbose_name_plural = "企业评价"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["declaration", "uscc"], name="declarations_rating_once")]

    def __str__(self):
        return self.get_level_display()


class ReportStatus(models.TextChoices):
    OPEN = "open", "待核查"
    UPHELD = "upheld", "属实"
    REJECTED = "rejected", "不属实"


class Report(models.Model):
    """举报未备案涉企活动: filed by an enterprise (no login), verified by the 效能监察员."""

    no = models.CharField("举报编号", max_length=20, unique=True)
    department = models.ForeignKey(Department, verbose_name="被举报部门", on_delete=models.PROTECT,
                                   related_name="undeclared_reports")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    visit_date = models.DateField("到企日期")
    description = models.TextField("情况描述", max_length=2000)
    enterprise_name = models.CharField("企业名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18)
    contact_name = models.CharField("联系人", max_length=32)
    contact_phone = models.CharField("联系电话", max_length=20)
    shown_code = models.CharField("对方出示的备案码", max_length=20, blank=True)
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    finding = models.CharField("核查结论", max_length=1000, blank=True)
    handled_by = models.ForeignKey(Staff, verbose_name="核查人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField("核查时间", null=True, blank=True)
    created_at = models.DateTimeField("举报时间")

    class Meta:
        verbose_name = verbose_name_plural = "未备案涉企活动举报"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "status"], name="decl_report_dept_status")]

    def __str__(self):
        return self.no
