"""Work orders (工单), their units, events, extensions and attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhengwu.core import clock
from zhengwu.org.models import Department, Hall, Region, Staff

from .catalogue import Category
from .choices import OPEN_STATUSES, Callback, Channel, Emergency, Kind, Source, Status, Urgency


class OrderCounter(models.Model):
    """Per day, the last order sequence number handed out (upserted atomically)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}:{self.last}"


class Order(models.Model):
    """A work order (工单). The 主办 unit is ``main_department`` or ``main_hall`` (属地), never both."""

    no = models.CharField("工单编号", max_length=24, unique=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    source = models.CharField("来源热线", max_length=8, choices=Source.choices, default=Source.HOTLINE)
    kind = models.CharField("诉求类型", max_length=12, choices=Kind.choices)
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    category = models.ForeignKey(
        Category, verbose_name="派单目录", on_delete=models.PROTECT, related_name="orders"
    )
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    text = models.TextField("诉求内容")
    caller_name = models.CharField("来电人", max_length=32, blank=True)
    caller_phone = models.CharField("联系电话", max_length=20, blank=True, db_index=True)
    anonymous = models.BooleanField("匿名", default=False)
    confidential = models.BooleanField("保密", default=False, help_text="承办单位看不到来电人信息")
    publish_consent = models.BooleanField("同意公开诉求内容", default=False)
    created_at = models.DateTimeField("受理时间", default=clock.now, db_index=True)
    created_on = models.DateField("受理日期", db_index=True)
    created_by = models.ForeignKey(
        Staff, verbose_name="受理话务员", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    main_department = models.ForeignKey(
        Department,
        verbose_name="主办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_orders",
    )
    main_hall = models.ForeignKey(
        Hall,
        verbose_name="主办属地",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_orders",
    )
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    sign_due_at = models.DateTimeField("签收时限", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_late = models.BooleanField("超时签收", null=True, blank=True)
    due_on = models.DateField("办结期限", null=True, blank=True, db_index=True)
    round = models.PositiveSmallIntegerField("办理轮次", default=1, help_text="重办一次加一")

    reply_text = models.TextField("办理结果", blank=True)
    reply_solved = models.BooleanField("已解决", null=True, blank=True)
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)
    replied_on = models.DateField("反馈日期", null=True, blank=True)
    reply_late = models.BooleanField("超期办结", null=True, blank=True)

    callback_result = models.CharField("回访结果", max_length=12, choices=Callback.choices, blank=True)
    callback_solved = models.BooleanField("回访确认已解决", null=True, blank=True)
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True, db_index=True)
    closed_on = models.DateField("办结日期", null=True, blank=True, db_index=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    emergency = models.CharField("转警去向", max_length=4, choices=Emergency.choices, blank=True)
    returns = models.PositiveSmallIntegerField("退单次数", default=0)
    redos = models.PositiveSmallIntegerField("重办次数", default=0)
    urges = models.PositiveSmallIntegerField("催办次数", default=0)
    supervised = models.BooleanField("已督办", default=False)
    row_version = models.PositiveIntegerField(default=0, help_text="guards every update (optimistic lock)")

    class Meta:
        verbose_name = verbose_name_plural = "工单"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["main_department", "status"]),
            models.Index(fields=["main_hall", "status"]),
            models.Index(fields=["category", "created_on"]),
            # The KPI page reads only these columns of a period's orders: on PostgreSQL an index-only
            # scan reads this index instead of the orders' wide rows (text, replies).
            models.Index(
                fields=["created_on"],
                include=[
                    "id",
                    "region",
                    "kind",
                    "status",
                    "category",
                    "main_department",
                    "main_hall",
                    "created_at",
                    "dispatched_at",
                    "sign_due_at",
                    "signed_late",
                    "due_on",
                    "reply_late",
                    "callback_at",
                    "callback_solved",
                    "callback_result",
                    "returns",
                    "redos",
                ],
                name="hotline_order_kpi",
            ),
            # The KPI page counts 签收 overdue and open overdue orders live (they depend on the time): the
            # orders at a unit, with every column that query reads (index-only on PostgreSQL).
            models.Index(
                fields=["created_on", "region", "kind", "main_department", "main_hall", "status", "sign_due_at",
                        "due_on"],
                condition=models.Q(status__in=["dispatched", "handling", "reviewing"]),
                name="hotline_order_at_unit",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(main_department__isnull=False) & Q(main_hall__isnull=False)),
                name="hotline_order_one_main_unit",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=True) | ~Q(caller_phone=""), name="hotline_order_phone_unless_anonymous"
            ),
            models.CheckConstraint(
                condition=Q(status="transferred") | Q(emergency=""),
                name="hotline_order_emergency_only_transferred",
            ),
        ]

    def __str__(self):
        return self.no

    @property
    def main_unit(self):
        """The 主办 unit: a Department, a Hall (属地), or None before dispatch."""
        return self.main_department or self.main_hall

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class UnitRole(models.TextChoices):
    MAIN = "main", "主办"
    ASSIST = "assist", "协办"


class UnitState(models.TextChoices):
    DISPATCHED = "dispatched", "待签收"
    SIGNED = "signed", "已签收"
    RETURNED = "returned", "已退单"
    REPLIED = "replied", "已反馈"
    WITHDRAWN = "withdrawn", "已改派"


class OrderUnit(models.Model):
    """One dispatch of an order to a unit (主办 or 协办); a re-dispatch withdraws the old rows."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="units")
    seq = models.PositiveSmallIntegerField("序号", help_text="本工单的第几次派单（监察时钟的环节号）")
    role = models.CharField("承办类型", max_length=8, choices=UnitRole.choices)
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hall = models.ForeignKey(
        Hall, verbose_name="属地", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=12, choices=UnitState.choices, default=UnitState.DISPATCHED)
    dispatched_at = models.DateTimeField("派单时间")
    dispatched_on = models.DateField("派单日期")
    sign_due_at = models.DateTimeField("签收时限")
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        Staff, verbose_name="签收人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_until = models.DateField("可退单至")
    note = models.TextField("协办说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单承办单位"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=True) ^ Q(hall__isnull=True), name="hotline_unit_one_unit"
            ),
            models.UniqueConstraint(fields=["order", "seq"], name="hotline_unit_seq_unique"),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(role="main") & ~Q(state__in=["withdrawn", "returned"]),
                name="hotline_one_live_main_unit",
            ),
            models.CheckConstraint(
                condition=Q(state="dispatched")
                | Q(state="withdrawn")
                | Q(state="returned")
                | Q(signed_at__isnull=False),
                name="hotline_unit_signed_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.order_id} {self.get_role_display()} {self.unit}"

    @property
    def unit(self):
        return self.department or self.hall

    @property
    def unit_name(self) -> str:
        u = self.unit
        return u.name if u is not None else ""


class OrderEvent(models.Model):
    """One row per step. ``public`` events are what the caller, the 曝光台 and Open311 clients see."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=clock.now, db_index=True)
    action = models.CharField("动作", max_length=24)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=64, blank=True)
    unit_name = models.CharField("单位", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    public = models.BooleanField("公开", default=False, help_text="诉求人和公众可见")
    detail = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["public", "at"])]

    def __str__(self):
        return f"{self.order_id} {self.action}"


class ExtensionState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class Extension(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日")
    reason = models.TextField("理由")
    state = models.CharField(
        "状态", max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    requested_by = models.ForeignKey(Staff, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    old_due = models.DateField("原办结期限")
    new_due = models.DateField("新办结期限", null=True, blank=True)
    decided_by = models.ForeignKey(
        Staff, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(state="pending"), name="hotline_one_pending_extension"
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="hotline_extension_days_positive"),
        ]

    def __str__(self):
        return f"{self.order_id} 延期{self.days}个工作日"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """A random directory per file: the name of one file never leads to another."""
    import os
    import secrets

    ext = os.path.splitext(filename)[1].lower()[:8]
    return f"hotline/{secrets.token_hex(16)}/file{ext}"


class Attachment(models.Model):
    """A file of the caller's 诉求 (``by_unit`` false) or of a unit's 办结反馈 (true)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_upload_to, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    by_unit = models.BooleanField("承办单位上传", default=False)
    uploaded_at = models.DateTimeField("上传时间", default=clock.now)

    class Meta:
        verbose_name = verbose_name_plural = "工单附件"
        ordering = ["id"]

    def __str__(self):
        return self.name
