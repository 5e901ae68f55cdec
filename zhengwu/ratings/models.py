"""Ratings (好差评): the people's ratings of a service, and what a 差评 sets in motion.

- ``Rating``: 现场服务一次一评 (kind ``hall``) or 网上服务一事一评 (kind ``online``), five levels
  with the dimensions of GB/T 39734-2020 (offline) or GB/T 39735-2020 (online).
- ``RatingInvite``: a one-use link sent by SMS (智能邀评) or printed as a QR code.
- ``Rectification``: the 整改 of each 差评, 待核实 → 整改中 → 待回访 → 已办结.
- ``Appeal``: the officer's 申诉复核 of a mistaken or malicious rating, decided by a 效能监察员.
- ``RatingPolicy``: the local rules an admin edits (invite after N days, 15 working days …).

Every write goes through ``services.py``; every read with rules through ``selectors.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhengwu.cases.models import Case
from zhengwu.org.models import Department, Hall, Staff, Window


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


BAD_MAX = 2  # a 差评 is a rating whose overall level is 不满意 or 非常不满意


class Kind(models.TextChoices):
    HALL = "hall", "现场服务（一次一评）"
    ONLINE = "online", "网上服务（一事一评）"


class Channel(models.TextChoices):
    PAD = "pad", "窗口评价器"
    WEB = "web", "网上评价"
    SMS = "sms", "短信链接"
    QR = "qr", "二维码"
    HOTLINE = "12345", "12345热线"


# The dimensions (评价维度) of each kind: (field name, label). ``overall`` comes first in both.
OFFLINE_DIMENSIONS = [
    ("overall", "整体满意度"),
    ("efficiency", "服务效率"),
    ("competence", "服务水平"),
    ("attitude", "服务态度"),
]
ONLINE_DIMENSIONS = [
    ("overall", "整体满意度"),
    ("efficiency", "办事效率"),
    ("guide_accuracy", "办事指南精确度"),
    ("convenience", "办事便捷度"),
    ("usability", "平台操作性"),
]
DIMENSIONS = {Kind.HALL: OFFLINE_DIMENSIONS, Kind.ONLINE: ONLINE_DIMENSIONS}
ALL_DIMENSION_FIELDS = ["overall", "efficiency", "competence", "attitude", "guide_accuracy", "convenience",
                        "usability"]


def _level_field(label: str, *, null: bool = True):
    return models.PositiveSmallIntegerField(label, choices=Level.choices, null=null, blank=null)


def _in_range(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 1, f"{field}__lte": 5})


class Rating(models.Model):
    kind = models.CharField("评价类型", max_length=8, choices=Kind.choices)
    channel = models.CharField("评价渠道", max_length=8, choices=Channel.choices)
    overall = models.PositiveSmallIntegerField("整体满意度", choices=Level.choices)
    efficiency = _level_field("服务效率/办事效率")
    competence = _level_field("服务水平")
    attitude = _level_field("服务态度")
    guide_accuracy = _level_field("办事指南精确度")
    convenience = _level_field("办事便捷度")
    usability = _level_field("平台操作性")
    comment = models.TextField("评价意见", blank=True)
    is_bad = models.BooleanField("差评", default=False, db_index=True, help_text="整体满意度为不满意或非常不满意")

    case = models.ForeignKey(Case, verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="ratings")
    ticket_ref = models.CharField("排队票号", max_length=40, blank=True,
                                  help_text="大厅排队叫号的票号，在本大厅内唯一（如 20260928-A012）")
    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="ratings")
    window = models.ForeignKey(Window, verbose_name="窗口", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="ratings")
    officer = models.ForeignKey(Staff, verbose_name="被评价人员", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="ratings")
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="ratings")
    invite = models.OneToOneField("RatingInvite", verbose_name="邀评", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="rating")
    rater_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评价人账号", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    contact_phone = models.CharField("回访电话", max_length=20, blank=True,
                                     help_text="未关联办件的差评由评价人自愿留下，用于回访")
    rated_at = models.DateTimeField("评价时间", db_index=True)
    rated_on = models.DateField("评价日期", db_index=True, help_text="北京时间的日期，统计期间按此划分")
    excluded = models.BooleanField("不计入统计", default=False,
                                   help_text="申诉复核成立的评价不计入满意率和考核")

    class Meta:
        verbose_name = verbose_name_plural = "评价"
        ordering = ["-rated_at", "-id"]
        indexes = [
            models.Index(fields=["rated_on", "hall"]),
            models.Index(fields=["officer", "rated_on"]),
            models.Index(fields=["department", "rated_on"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], condition=Q(case__isnull=False),
                                    name="rating_one_per_case_and_kind"),
            models.UniqueConstraint(fields=["hall", "ticket_ref"], condition=~Q(ticket_ref=""),
                                    name="rating_one_per_ticket"),
            models.CheckConstraint(condition=Q(overall__gte=1, overall__lte=5), name="rating_overall_1_5"),
            *[models.CheckConstraint(condition=_in_range(f), name=f"rating_{f}_1_5")
              for f in ALL_DIMENSION_FIELDS[1:]],
            models.CheckConstraint(condition=Q(is_bad=True, overall__lte=BAD_MAX) | Q(is_bad=False,
                                                                                      overall__gt=BAD_MAX),
                                   name="rating_is_bad_iff_overall_le_2"),
            models.CheckConstraint(
                condition=~Q(kind="hall") | Q(guide_accuracy__isnull=True, convenience__isnull=True,
                                              usability__isnull=True),
                name="rating_hall_has_offline_dimensions"),
            models.CheckConstraint(
                condition=~Q(kind="online") | Q(competence__isnull=True, attitude__isnull=True, case__isnull=False),
                name="rating_online_has_online_dimensions_and_case"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {Level(self.overall).label} {self.rated_on}"

    def dimensions(self) -> list[tuple[str, int | None]]:
        """(label, level) of this kind's dimensions, in order."""
        return [(label, getattr(self, name)) for name, label in DIMENSIONS[Kind(self.kind)]]


class RatingInvite(models.Model):
    """A one-use link to rate a finished case: sent by SMS (智能邀评) or printed as a QR code.

    Only the SHA-256 of the token is stored; the token itself travels in the message.
    """

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="rating_invites")
    kind = models.CharField("评价类型", max_length=8, choices=Kind.choices)
    channel = models.CharField("方式", max_length=8, choices=[(Channel.SMS, "短信链接"), (Channel.QR, "二维码")])
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    sent_to = models.CharField("发送号码", max_length=20, blank=True, help_text="已脱敏")
    created_at = models.DateTimeField("发出时间")
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    issued_by = models.ForeignKey("org.Staff", verbose_name="打印人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  help_text="二维码评价条由谁打印（最后一次）；短信邀评为空")

    class Meta:
        verbose_name = verbose_name_plural = "邀请评价"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="invite_one_per_case_and_kind"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="invite_expires_later"),
        ]

    def __str__(self):
        return f"邀评 {self.case_id} {self.get_channel_display()}"


class RectificationStatus(models.TextChoices):
    VERIFY = "verify", "待核实"
    RECTIFY = "rectify", "整改中"
    CALLBACK = "callback", "待回访"
    CLOSED = "closed", "已办结"
    CANCELLED = "cancelled", "申诉成立已撤销"


class Finding(models.TextChoices):
    TRUE = "true", "情况属实"
    PARTLY = "partly", "部分属实"
    UNTRUE = "untrue", "情况不属实"


class CallbackResult(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


CALLBACK_OK = [CallbackResult.SATISFIED, CallbackResult.BASIC]


class Rectification(models.Model):
    """整改 of one 差评, assigned to the department, due a number of working days after it opens."""

    rating = models.OneToOneField(Rating, verbose_name="差评", on_delete=models.PROTECT,
                                  related_name="rectification")
    department = models.ForeignKey(Department, verbose_name="责任部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="rectifications",
                                   help_text="为空时由大厅管理员负责（如综合窗口的排队评价）")
    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="rectifications")
    status = models.CharField("状态", max_length=12, choices=RectificationStatus.choices,
                              default=RectificationStatus.VERIFY, db_index=True)
    opened_at = models.DateTimeField("生成时间")
    opened_on = models.DateField("生成日期")
    due_on = models.DateField("整改期限", db_index=True)
    due_provisional = models.BooleanField("期限为暂定", default=False)

    finding = models.CharField("核实结论", max_length=8, choices=Finding.choices, blank=True)
    verify_note = models.TextField("核实情况", blank=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verified_by = models.ForeignKey(Staff, verbose_name="核实人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    measures = models.TextField("整改措施", blank=True)
    rectified_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    rectified_by = models.ForeignKey(Staff, verbose_name="整改人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    callback_result = models.CharField("回访结果", max_length=16, choices=CallbackResult.choices, blank=True)
    callback_note = models.TextField("回访情况", blank=True)
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    callback_by = models.ForeignKey(Staff, verbose_name="回访人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closed_by = models.ForeignKey(Staff, verbose_name="办结人", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "差评整改"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["department", "status"]), models.Index(fields=["hall", "status"])]
        constraints = [
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(callback_result=""),
                                   name="rectification_closed_has_callback"),
            models.CheckConstraint(condition=~Q(status__in=["callback", "closed"]) | ~Q(measures=""),
                                   name="rectification_rectified_has_measures"),
        ]

    def __str__(self):
        return f"差评整改 #{self.pk}"

    @property
    def closed_on_time(self) -> bool | None:
        return None if self.closed_on is None else self.closed_on <= self.due_on


class AppealStatus(models.TextChoices):
    PENDING = "pending", "待复核"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "申诉不成立"


class AppealReason(models.TextChoices):
    MISTAKEN = "mistaken", "误评（评价对象或事项错误）"
    MALICIOUS = "malicious", "恶意差评"
    OUT_OF_SCOPE = "out_of_scope", "非本人服务原因（如政策规定、系统故障）"


class Appeal(models.Model):
    """申诉复核: the rated officer asks a 效能监察员 to set a rating aside. One appeal per rating."""

    rating = models.OneToOneField(Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="appeal")
    officer = models.ForeignKey(Staff, verbose_name="申诉人", on_delete=models.PROTECT, related_name="appeals")
    reason = models.CharField("申诉理由", max_length=16, choices=AppealReason.choices)
    statement = models.TextField("申诉说明")
    filed_at = models.DateTimeField("申诉时间")
    status = models.CharField("状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING,
                              db_index=True)
    decided_by = models.ForeignKey(Staff, verbose_name="复核人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="appeals_decided")
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    decision_note = models.TextField("复核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申诉复核"
        ordering = ["filed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="pending") | ~Q(decision_note=""),
                                   name="appeal_decision_has_note"),
        ]

    def __str__(self):
        return f"申诉 #{self.pk} {self.get_status_display()}"


class RatingEvent(models.Model):
    """One row per thing that happened to a rating: recorded, rectification steps, appeal."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    action = models.CharField("动作", max_length=24)
    label = models.CharField("说明", max_length=32)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=64, blank=True)
    note = models.TextField("内容", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价记录"
        ordering = ["id"]

    def __str__(self):
        return f"{self.rating_id} {self.label}"


class RatingPolicy(models.Model):
    """The local rules of 好差评, one row an admin edits; the defaults below apply until then."""

    key = models.CharField(max_length=16, default="default", unique=True, editable=False)
    invite_after_days = models.PositiveSmallIntegerField(
        "办结后几天未评价即邀评（自然日）", default=3)
    invite_max_age_days = models.PositiveSmallIntegerField(
        "只邀请最近多少天内办结的办件（自然日）", default=30,
        help_text="避免上线时向很久以前办结的办件批量发短信")
    invite_valid_days = models.PositiveSmallIntegerField("邀评链接有效期（自然日）", default=7)
    rectify_workdays = models.PositiveSmallIntegerField("差评整改时限（工作日）", default=15)
    appeal_workdays = models.PositiveSmallIntegerField("评价后可申诉的期限（工作日）", default=5)

    class Meta:
        verbose_name = verbose_name_plural = "好差评规则"
        constraints = [
            models.CheckConstraint(condition=Q(invite_valid_days__gte=1), name="policy_invite_valid_positive"),
            models.CheckConstraint(condition=Q(rectify_workdays__gte=1), name="policy_rectify_positive"),
            models.CheckConstraint(condition=Q(invite_max_age_days__gt=models.F("invite_after_days")),
                                   name="policy_invite_window_nonempty"),
        ]

    def __str__(self):
        return "好差评规则"
