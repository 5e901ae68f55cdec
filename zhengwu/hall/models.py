"""The service hall (服务大厅): queue tickets, appointments, window seats and staff presence.

A hall's windows are gathered into window groups (叫号分组). A ticket takes its number from the
group it is issued in (prefix + sequence per day, from an atomic upsert counter) and is called at
a window of its current group that can handle its item. Policy (recalls before a no-show,
priority ranks, slot capacity, service hours) is the ``QueuePolicy`` row an admin edits.

What the window's rating pad (评价器) records is a 好差评 rating, ``zhengwu.ratings.Rating``: the
hall keeps no ratings of its own (see ``services/ratings.py``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from zhengwu.catalog.models import Item
from zhengwu.core import clock
from zhengwu.org.models import Hall, Staff, Window


class QueuePolicy(models.Model):
    """Queue and appointment rules of one hall; the row without a hall is the default for all halls."""

    hall = models.OneToOneField(Hall, verbose_name="大厅", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="queue_policy", help_text="留空表示所有未单独设置的大厅的默认规则")
    # calling
    max_recalls = models.PositiveSmallIntegerField(
        "过号前重呼次数", default=2, help_text="叫号后重呼达到该次数仍未到，方可过号并记为未到")
    green_rank = models.PositiveSmallIntegerField(
        "绿色通道优先级", default=2, help_text="老年人、残疾人、孕妇等；数字越大越先叫，普通号为0")
    appointment_rank = models.PositiveSmallIntegerField(
        "按时签到预约号优先级", default=1, help_text="数字越大越先叫，普通号为0")
    priority_streak_limit = models.PositiveSmallIntegerField(
        "连续叫优先号上限", default=0,
        help_text="同一窗口连续叫了这么多个优先号后，若有普通号等候则先叫一个普通号；0 表示不限")
    default_service_minutes = models.PositiveSmallIntegerField(
        "预计每号办理分钟数", default=6, help_text="当天尚无办结记录时用于估算等候时间")
    # service hours (also the hours in which time away is counted)
    am_start = models.TimeField("上午开始", default=dt.time(9, 0))
    am_end = models.TimeField("上午结束", default=dt.time(12, 0))
    pm_start = models.TimeField("下午开始", default=dt.time(13, 30))
    pm_end = models.TimeField("下午结束", default=dt.time(17, 0))
    enforce_hours = models.BooleanField("仅在工作日办公时间内取号", default=True)
    issue_before_minutes = models.PositiveSmallIntegerField("上班前可提前取号分钟数", default=30)
    stop_issue_minutes = models.PositiveSmallIntegerField("下班前停止取号分钟数", default=15)
    expire_after_minutes = models.PositiveSmallIntegerField(
        "下班后作废未办号分钟数", default=60,
        help_text="下午下班后经过该分钟数，当天仍在等候或已叫号未办理的号记为已过期，不能再叫")
    # appointments
    slot_minutes = models.PositiveSmallIntegerField("预约时段长度（分钟）", default=30)
    slot_capacity = models.PositiveSmallIntegerField("每时段每事项可预约人数", default=4,
                                                     help_text="可按事项在“预约容量”中单独设置")
    booking_days = models.PositiveSmallIntegerField("可预约天数", default=7, help_text="可预约今天起多少天内的时段")
    checkin_early_minutes = models.PositiveSmallIntegerField("预约可提前签到分钟数", default=30)
    checkin_late_minutes = models.PositiveSmallIntegerField(
        "预约迟到宽限分钟数", default=10, help_text="超过时段开始时间该分钟数后签到，按普通号排队")
    no_show_limit = models.PositiveSmallIntegerField("爽约次数上限", default=3,
                                                     help_text="在统计天数内爽约达到该次数，暂停预约；0 表示不限制")
    no_show_days = models.PositiveSmallIntegerField("爽约统计天数", default=30)
    # rating pad
    rating_minutes = models.PositiveSmallIntegerField("办结后可评价分钟数", default=30)

    class Meta:
        verbose_name = verbose_name_plural = "叫号与预约规则"
        constraints = [
            models.UniqueConstraint(Coalesce("hall", models.Value(0)), name="one_queue_policy_per_hall"),
            models.CheckConstraint(
                condition=models.Q(am_start__lt=models.F("am_end"), am_end__lte=models.F("pm_start"),
                                   pm_start__lt=models.F("pm_end")),
                name="queue_policy_hours_in_order"),
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=5), name="queue_policy_slot_min_5"),
        ]

    def __str__(self):
        return f"{self.hall.name}的叫号与预约规则" if self.hall_id else "默认叫号与预约规则"

    def sessions(self) -> list[tuple[dt.time, dt.time]]:
        return [(self.am_start, self.am_end), (self.pm_start, self.pm_end)]


class WindowGroup(models.Model):
    """A queue (叫号分组): windows that call from one line of tickets, e.g. A 商事登记."""

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="window_groups")
    code = models.CharField("号码前缀", max_length=3, help_text="一至三个大写字母，如 A")
    name = models.CharField("分组名称", max_length=50, help_text="取号机上显示的业务类别，如“商事登记”")
    description = models.CharField("说明", max_length=200, blank=True)
    windows = models.ManyToManyField(Window, verbose_name="窗口", related_name="queue_groups", blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "叫号分组"
        ordering = ["hall_id", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="window_group_code_unique_in_hall"),
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Z]{1,3}$"), name="window_group_code_letters"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class TicketCounter(models.Model):
    """Per group and day, the last sequence number handed out (upserted atomically)."""

    group = models.ForeignKey(WindowGroup, on_delete=models.CASCADE)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "day"], name="ticket_counter_unique")]

    def __str__(self):
        return f"{self.group_id}:{self.day}:{self.last}"


class TicketKind(models.TextChoices):
    NORMAL = "normal", "普通"
    GREEN = "green", "绿色通道"
    APPOINTMENT = "appointment", "预约"


class GreenReason(models.TextChoices):
    ELDERLY = "elderly", "老年人"
    DISABLED = "disabled", "残疾人"
    PREGNANT = "pregnant", "孕妇"
    OTHER = "other", "其他优先对象"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    SERVING = "serving", "办理中"
    DONE = "done", "已办结"
    NO_SHOW = "no_show", "过号未到"
    EXPIRED = "expired", "已过期"


ACTIVE_STATUSES = [TicketStatus.CALLED, TicketStatus.SERVING]


class Ticket(models.Model):
    """A queue ticket (排队号). ``group`` is where it waits now; ``issued_group`` gave its number."""

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="tickets")
    issued_group = models.ForeignKey(WindowGroup, verbose_name="取号分组", on_delete=models.PROTECT,
                                     related_name="+")
    group = models.ForeignKey(WindowGroup, verbose_name="当前分组", on_delete=models.PROTECT,
                              related_name="tickets")
    day = models.DateField("日期")
    seq = models.PositiveIntegerField("当日序号")
    number = models.CharField("号码", max_length=12)
    token = models.CharField("查询码", max_length=16, unique=True, help_text="手机查看排队进度的链接码")
    item = models.ForeignKey(Item, verbose_name="事项", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tickets")
    kind = models.CharField("类型", max_length=12, choices=TicketKind.choices, default=TicketKind.NORMAL)
    green_reason = models.CharField("优先原因", max_length=10, choices=GreenReason.choices, blank=True)
    priority = models.PositiveSmallIntegerField("优先级", default=0, help_text="取号时按规则确定，越大越先叫")
    phone = models.CharField("手机号码", max_length=20, blank=True)
    status = models.CharField("状态", max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    row_version = models.PositiveIntegerField(default=0, help_text="guards every update (optimistic lock)")

    issued_at = models.DateTimeField("取号时间", default=clock.now)
    queued_at = models.DateTimeField("排队时间", default=clock.now, help_text="排序依据；转移后保留原取号时间")
    window = models.ForeignKey(Window, verbose_name="窗口", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="tickets")
    officer = models.ForeignKey(Staff, verbose_name="工作人员", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="hall_tickets")
    called_at = models.DateTimeField("首次叫号时间", null=True, blank=True)
    last_called_at = models.DateTimeField("最近叫号时间", null=True, blank=True)
    recalls = models.PositiveSmallIntegerField("重呼次数", default=0)
    transfers = models.PositiveSmallIntegerField("转移次数", default=0)
    started_at = models.DateTimeField("开始办理时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    wait_seconds = models.PositiveIntegerField("等候秒数", null=True, blank=True)
    service_seconds = models.PositiveIntegerField("办理秒数", null=True, blank=True)
    case = models.ForeignKey("cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="hall_tickets")

    class Meta:
        verbose_name = verbose_name_plural = "排队号"
        ordering = ["-day", "hall_id", "issued_group_id", "seq"]
        indexes = [
            models.Index(fields=["group", "status", "day"]),
            models.Index(fields=["hall", "day"]),
            models.Index(fields=["window", "day"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["issued_group", "day", "seq"], name="ticket_seq_unique"),
            models.UniqueConstraint(fields=["window"], condition=models.Q(status__in=ACTIVE_STATUSES),
                                    name="one_active_ticket_per_window"),
            models.CheckConstraint(condition=~models.Q(status__in=ACTIVE_STATUSES) | models.Q(window__isnull=False),
                                   name="active_ticket_has_window"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="ticket_seq_positive"),
        ]

    def __str__(self):
        return self.number

    @property
    def rating_ref(self) -> str:
        """The ticket as 好差评 knows it (``ratings.Rating.ticket_ref``): unique in its hall, e.g. 20260310-A001."""
        return f"{self.day:%Y%m%d}-{self.number}"


class TicketEvent(models.Model):
    """One row per ticket action: issue, call, recall, skip, start, finish, transfer."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=clock.now)
    action = models.CharField("动作", max_length=12)
    window = models.ForeignKey(Window, verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    officer = models.ForeignKey(Staff, verbose_name="工作人员", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "排队号记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["window", "action", "-id"])]

    def __str__(self):
        return f"{self.ticket_id} {self.action}"


class WindowSeat(models.Model):
    """Who sits at a window now (坐席签到); the window screen and the board show them."""

    window = models.OneToOneField(Window, verbose_name="窗口", primary_key=True, on_delete=models.CASCADE,
                                  related_name="seat")
    officer = models.ForeignKey(Staff, verbose_name="当前工作人员", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="seats")
    since = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口坐席"

    def __str__(self):
        return f"{self.window_id}: {self.officer_id or '—'}"


class AbsenceKind(models.TextChoices):
    MEETING = "meeting", "会议"
    ERRAND = "errand", "外出办事"
    LEAVE = "leave", "休假"


class StaffAbsence(models.Model):
    """工作人员外出告知: an officer away from their seat, with the expected return time."""

    staff = models.ForeignKey(Staff, verbose_name="工作人员", on_delete=models.CASCADE, related_name="absences")
    hall = models.ForeignKey(Hall, verbose_name="大厅", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="absences")
    kind = models.CharField("事由", max_length=10, choices=AbsenceKind.choices)
    note = models.CharField("说明", max_length=100, blank=True)
    started_at = models.DateTimeField("离岗时间", default=clock.now)
    expected_return = models.DateTimeField("预计返回时间")
    returned_at = models.DateTimeField("实际返回时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员外出告知"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["staff"], condition=models.Q(returned_at__isnull=True),
                                    name="one_open_absence_per_staff"),
            models.CheckConstraint(condition=models.Q(expected_return__gt=models.F("started_at")),
                                   name="absence_return_after_start"),
        ]

    def __str__(self):
        return f"{self.staff} {self.get_kind_display()}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    CANCELLED = "cancelled", "已取消"
    CHECKED_IN = "checked_in", "已签到"
    NO_SHOW = "no_show", "爽约"


class Appointment(models.Model):
    """预约: a slot for an item at a hall; checked in at the kiosk, where it becomes a ticket."""

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="appointments")
    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.PROTECT, related_name="appointments")
    day = models.DateField("预约日期")
    start = models.TimeField("时段开始")
    end = models.TimeField("时段结束")
    code = models.CharField("预约码", max_length=6)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号码", max_length=20)
    id_number = models.CharField("身份证号", max_length=18)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="预约账号", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="hall_appointments")
    status = models.CharField("状态", max_length=12, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.BOOKED)
    booked_at = models.DateTimeField("预约时间", default=clock.now)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    late = models.BooleanField("迟到签到", default=False)
    ticket = models.OneToOneField(Ticket, verbose_name="排队号", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="appointment")

    class Meta:
        verbose_name = verbose_name_plural = "预约"
        ordering = ["-day", "start"]
        indexes = [models.Index(fields=["hall", "day", "status"]), models.Index(fields=["id_number", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["hall", "day", "code"], name="appointment_code_unique"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"),
        ]

    def __str__(self):
        return f"{self.day} {self.start:%H:%M} {self.item}"


class SlotCounter(models.Model):
    """Bookings held per hall, item and slot; incremented only while below capacity (one UPDATE)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE)
    item = models.ForeignKey(Item, on_delete=models.CASCADE)
    day = models.DateField()
    start = models.TimeField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "item", "day", "start"], name="slot_counter_unique")]

    def __str__(self):
        return f"{self.hall_id}:{self.item_id}:{self.day} {self.start}={self.booked}"


class SlotCapacity(models.Model):
    """Per-item capacity of each slot at a hall, overriding the policy default (0 closes booking)."""

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="slot_capacities")
    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.CASCADE, related_name="+")
    capacity = models.PositiveSmallIntegerField("每时段可预约人数", help_text="0 表示该事项在本大厅不开放预约")

    class Meta:
        verbose_name = verbose_name_plural = "预约容量"
        constraints = [models.UniqueConstraint(fields=["hall", "item"], name="slot_capacity_unique")]

    def __str__(self):
        return f"{self.item}：{self.capacity}人/时段"


class KioskDevice(models.Model):
    """A machine marked as the hall's 取号机 (its browser holds a signed cookie naming this row).

    Revoking the row (a machine lost, replaced or moved) ends its kiosk standing at once; the
    cookie alone proves nothing without a live row.
    """

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="kiosk_devices")
    nonce = models.CharField("设备标识", max_length=32, unique=True, editable=False)
    label = models.CharField("设备名称", max_length=50, blank=True, help_text="如：一楼大厅1号取号机")
    created_by = models.ForeignKey(Staff, verbose_name="设置人", on_delete=models.PROTECT, related_name="+",
                                   editable=False)
    created_at = models.DateTimeField("设置时间", editable=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "取号机设备"
        ordering = ["hall", "-created_at"]

    def __str__(self):
        return f"{self.hall.name} {self.label or self.nonce[:8]}"


class ScreenKind(models.TextChoices):
    BOARD = "board", "叫号大屏"
    COMMITMENTS = "commitments", "公开承诺轮播"


class HallScreen(models.Model):
    """One display screen of the hall (a hall has several: the main board, a screen per floor or zone): what
    it shows and at which address the TV opens it. Kept by the hall's 中心管理员 on ``/hall/<code>/screens/``."""

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="screens")
    code = models.CharField("屏幕编号", max_length=20,
                            help_text="字母、数字和短横线，如 1F-EAST；显示屏地址的一部分")
    name = models.CharField("屏幕名称", max_length=50, help_text="如：一楼东侧叫号屏")
    kind = models.CharField("显示内容", max_length=12, choices=ScreenKind.choices, default=ScreenKind.BOARD)
    groups = models.ManyToManyField(WindowGroup, verbose_name="显示的叫号分组", related_name="screens", blank=True,
                                    help_text="不选则显示全部分组")
    page_seconds = models.PositiveSmallIntegerField("翻页间隔（秒）", default=10)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "大厅显示屏"
        ordering = ["hall_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="hall_screen_code_unique_in_hall"),
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Za-z0-9-]{1,20}$"),
                                   name="hall_screen_code_chars"),
            models.CheckConstraint(condition=models.Q(page_seconds__gte=5, page_seconds__lte=120),
                                   name="hall_screen_page_seconds_range"),
        ]

    def __str__(self):
        return f"{self.hall.name} {self.name}"
