"""Cases (办件): an application for a service item, from submission to delivery.

The transition table in ``transitions.py`` is the only place that says which action
may move a case from which status to which; ``services.py`` has one function per action.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.catalog.models import Fee, Item, ItemVersion, Material, SpecialProcedure
from zhengwu.core import clock
from zhengwu.org.models import Department, Hall, Staff, Window


class Status(models.TextChoices):
    SUBMITTED = "submitted", "待预审"
    PENDING = "pending", "待受理"
    SUPPLEMENT = "supplement", "待补正"
    REJECTED = "rejected", "不予受理"
    IN_REVIEW = "in_review", "审查中"
    SUSPENDED = "suspended", "特别程序中"
    DECIDED = "decided", "已决定"
    COMPLETED = "completed", "已办结"
    DELIVERED = "delivered", "已送达"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATUSES = [Status.SUBMITTED, Status.PENDING, Status.SUPPLEMENT, Status.IN_REVIEW, Status.SUSPENDED]


class Channel(models.TextChoices):
    ONLINE = "online", "网上申请"
    WINDOW = "window", "窗口申请"
    AGENT = "agent", "代办员代办"


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL = "legal", "法人或其他组织"


class Decision(models.TextChoices):
    APPROVE = "approve", "准予"
    DENY = "deny", "不予"


class Delivery(models.TextChoices):
    PICKUP = "pickup", "窗口领取"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"


class CaseCounter(models.Model):
    """Per hall and day, the last case sequence number handed out (upserted atomically)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "day"], name="case_counter_unique")]

    def __str__(self):
        return f"{self.hall_id}:{self.day}:{self.last}"


class Case(models.Model):
    case_no = models.CharField("办件编号", max_length=40, unique=True)
    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.PROTECT, related_name="cases")
    item_version = models.ForeignKey(ItemVersion, verbose_name="事项版本", on_delete=models.PROTECT,
                                     related_name="cases")
    department = models.ForeignKey(Department, verbose_name="实施部门", on_delete=models.PROTECT,
                                   related_name="cases")
    hall = models.ForeignKey(Hall, verbose_name="受理大厅", on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField("申请渠道", max_length=8, choices=Channel.choices)
    status = models.CharField("状态", max_length=12, choices=Status.choices, db_index=True)
    row_version = models.PositiveIntegerField(default=0, help_text="guards every update (optimistic lock)")

    # applicant
    applicant_kind = models.CharField("申请人类型", max_length=8, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人", max_length=100)
    id_number = models.CharField("身份证号", max_length=18, blank=True,
                                 help_text="自然人本人，或法人的法定代表人")
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_rep = models.CharField("法定代表人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("联系地址", max_length=200, blank=True)
    applicant_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人账号", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="cases")
    agent = models.ForeignKey(Staff, verbose_name="代办员", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="agent_cases")
    agent_station = models.ForeignKey(Hall, verbose_name="代办站点", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="agent_cases")
    first_officer = models.ForeignKey(Staff, verbose_name="首问负责人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="first_asked_cases")

    # handling
    submitted_at = models.DateTimeField("提交时间", default=clock.now, db_index=True)
    accepted_by = models.ForeignKey(Staff, verbose_name="受理人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="accepted_cases")
    accepted_window = models.ForeignKey(Window, verbose_name="受理窗口", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="accepted_cases")
    accepted_on = models.DateField("受理日期", null=True, blank=True, db_index=True)
    promised_days = models.PositiveIntegerField("承诺时限", default=0)
    extension_days = models.PositiveIntegerField("延期天数", default=0)
    due_date = models.DateField("办结期限", null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField("期限为暂定", default=False)
    current_step = models.PositiveSmallIntegerField("当前环节", default=0)
    decision = models.CharField("决定", max_length=8, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True, db_index=True)
    completed_on = models.DateField("办结日期", null=True, blank=True)
    rejection_reason = models.TextField("不予受理理由", blank=True)
    delivery_method = models.CharField("送达方式", max_length=12, choices=Delivery.choices, blank=True)
    tracking_no = models.CharField("快递单号", max_length=40, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    # 并联审批: a 子件 of a 联办件 (None for an ordinary case)
    joint = models.ForeignKey("joint.JointCase", verbose_name="所属联办件", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="children")
    joint_seq = models.PositiveSmallIntegerField("子件序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "办件"
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["hall", "status"]),
            models.Index(fields=["status", "due_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(applicant_kind="legal") | ~models.Q(uscc=""), name="legal_applicant_has_uscc"
            ),
            models.CheckConstraint(
                condition=~models.Q(applicant_kind="person") | ~models.Q(id_number=""),
                name="person_applicant_has_id",
            ),
        ]

    def __str__(self):
        return self.case_no

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(models.Model):
    """One row per action: who, in which role and window, from which status to which, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=clock.now)
    action = models.CharField("动作", max_length=24)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL)
    actor_name = models.CharField("操作人姓名", max_length=64, blank=True)
    role = models.CharField("角色", max_length=32, blank=True)
    window = models.ForeignKey(Window, verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL)
    step = models.PositiveSmallIntegerField("环节", default=0)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件记录"
        ordering = ["id"]

    def __str__(self):
        return f"{self.case_id} {self.action}"


CLAIM_CODE_TRIES = 5  # wrong entries a claim code survives; the database refuses more


class ClaimCode(models.Model):
    """认领办件: a one-time code sent by SMS to a case's recorded phone, so a web account can take
    over a case taken in at a window or by a village agent.

    Only an HMAC of the code is kept (keyed by SECRET_KEY, salted per row). The newest code of a
    user for a case is the only one that counts; it expires, is used once, and dies after
    ``CLAIM_CODE_TRIES`` wrong entries.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请认领的账号", on_delete=models.CASCADE,
                             related_name="+")
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="claim_codes")
    phone = models.CharField("发送至", max_length=20, help_text="办件登记的联系电话（发送时）")
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField("发送时间", default=clock.now)
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("已输入次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件认领验证码"
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "case"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(attempts__lte=CLAIM_CODE_TRIES), name="claim_code_tries"),
        ]

    def __str__(self):
        return f"{self.case_id}:{self.user_id}:{self.created_at:%Y-%m-%d %H:%M}"


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, verbose_name="清单材料", null=True, blank=True,
                                 on_delete=models.PROTECT)
    name = models.CharField("材料名称", max_length=200)
    file = models.FileField("文件", upload_to="cases/%Y/%m/", blank=True)
    file_name = models.CharField("原文件名", max_length=200, blank=True, help_text="提交人上传时的文件名")
    size = models.PositiveIntegerField("大小（字节）", default=0)
    paper_received = models.BooleanField("已收纸质原件", default=False)
    uploaded_at = models.DateTimeField("提交时间", default=clock.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = verbose_name_plural = "办件材料"
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def shown_file_name(self) -> str:
        """The name the user gave; rows from before it was kept show the storage name."""
        return self.file_name or (self.file.name.rsplit("/", 1)[-1] if self.file else "")


class SupplementRequest(models.Model):
    """补正: one complete list of what is missing (一次性告知)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supplements")
    requested_on = models.DateField("告知日期")
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    during_review = models.BooleanField("审查中补正", default=False)
    missing = models.JSONField("需补正材料", default=list)
    note = models.TextField("补正要求", blank=True)
    received_on = models.DateField("补齐日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "补正告知"
        ordering = ["id"]

    def __str__(self):
        return f"补正告知 {self.requested_on}"


class SupplementItem(models.Model):
    """One thing a 补正告知 listed, and whether it has come in.

    A catalog material is matched by its id when a file or paper original for it arrives; a free-text
    item (anything not on the item's material list) is marked 已收到 or 不再需要 by an officer, who
    may also waive a catalog material. The 补正 is complete when no item is pending.
    """

    class State(models.TextChoices):
        PENDING = "pending", "待补正"
        RECEIVED = "received", "已收到"
        WAIVED = "waived", "不再需要"

    request = models.ForeignKey(SupplementRequest, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=200)
    material = models.ForeignKey(Material, verbose_name="清单材料", null=True, blank=True, on_delete=models.PROTECT)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    resolved_on = models.DateField("收到或免交日期", null=True, blank=True)
    resolved_by = models.ForeignKey(Staff, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", help_text="空：申请人上传的清单材料自动核对")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "补正材料"
        ordering = ["request_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["request", "seq"], name="supplement_item_seq_unique"),
            models.CheckConstraint(
                condition=models.Q(state="pending", resolved_on__isnull=True)
                | (~models.Q(state="pending") & models.Q(resolved_on__isnull=False)),
                name="supplement_item_resolved_on",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_state_display()}）"


class ClockStop(models.Model):
    """A 特别程序 (or a mid-review 补正) during which the case's clock does not run."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clock_stops")
    kind = models.CharField("程序", max_length=16,
                            choices=[*SpecialProcedure.choices, ("supplement", "审查中补正")])
    reason = models.TextField("原因")
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期", null=True, blank=True)
    result = models.TextField("结果", blank=True)
    started_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "中止计时"
        ordering = ["start_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start_on}—{self.end_on or ''}"


class Extension(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日")
    reason = models.TextField("延期理由（已告知申请人）")
    approved_by = models.ForeignKey(Staff, verbose_name="批准人（部门负责人）", on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = verbose_name_plural = "延期"
        # 行政许可法第四十二条: one extension per case
        constraints = [models.UniqueConstraint(fields=["case"], name="one_extension_per_case")]

    def __str__(self):
        return f"延期{self.days}个工作日"


class FeeLine(models.Model):
    """集中收费: one line per fee rule of the item, paid at the central cashier."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="fee_lines")
    fee = models.ForeignKey(Fee, null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField("收费项目", max_length=100)
    quantity = models.PositiveIntegerField("数量", default=1)
    amount = models.DecimalField("应收金额（元）", max_digits=12, decimal_places=2)
    waived = models.BooleanField("减免", default=False)
    waiver_reason = models.CharField("减免依据", max_length=300, blank=True)
    paid_at = models.DateTimeField("缴费时间", null=True, blank=True, db_index=True)
    paid_on = models.DateField("缴费日期", null=True, blank=True, db_index=True)
    receipt_no = models.CharField("票据号", max_length=40, blank=True)
    cashier = models.ForeignKey(Staff, verbose_name="收费员", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    pay_method = models.CharField("缴费方式", max_length=16, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "收费明细"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="fee_amount_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def payable(self):
        return 0 if self.waived else self.amount * self.quantity


class PolicySetting(models.Model):
    """Case-handling policy an admin can edit (extension days, upload limits …)."""

    key = models.CharField("键", max_length=64, unique=True)
    value = models.CharField("值", max_length=200)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件规则设置"

    def __str__(self):
        return f"{self.key}={self.value}"
