"""The hotline's restricted values (statuses, channels, kinds …), shared by every model and the API."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    PENDING = "pending", "待派单"
    DISPATCHED = "dispatched", "待签收"
    HANDLING = "handling", "办理中"
    RETURNED = "returned", "退单待审"
    REVIEWING = "reviewing", "待审核"
    CALLBACK = "callback", "待回访"
    CLOSED = "closed", "已办结"
    MERGED = "merged", "已并单"
    TRANSFERRED = "transferred", "已转警"


OPEN_STATUSES = [
    Status.PENDING,
    Status.DISPATCHED,
    Status.HANDLING,
    Status.RETURNED,
    Status.REVIEWING,
    Status.CALLBACK,
]
# The unit's work is still to do (the 办结 clock runs).
UNIT_STATUSES = [Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    WECHAT = "wechat", "微信/小程序"
    SMS = "sms", "短信"
    LETTER = "letter", "来信"
    OPEN311 = "open311", "Open311接口"


class Source(models.TextChoices):
    """The line the 诉求 came in on: 12345 itself or a merged local line (整合热线)."""

    HOTLINE = "12345", "12345"
    L8890 = "8890", "8890服务热线"
    L961890 = "961890", "961890"
    LEADER = "leader", "书记县长热线"


class Kind(models.TextChoices):
    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    UTILITY = "utility", "水电气热"
    DANGER = "danger", "危及生命财产安全"


class Emergency(models.TextChoices):
    POLICE = "110", "110 报警"
    FIRE = "119", "119 火警"
    MEDICAL = "120", "120 急救"
    TRAFFIC = "122", "122 交通事故"


class Callback(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"
