"""The shapes of the hotline API: enums for every restricted value (the actions among them), column
lengths on every string bound for a CharField."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum

from ninja import Field, Schema

from zhengwu.api import column

from .models import Callback, Category, Channel, Emergency, Kind, Order, Source, Status
from .transitions import TRANSITIONS

TEXT_MAX = 10_000


def _enum(name: str, values) -> type[Enum]:
    return Enum(name, {v: v for v in values}, type=str)


OrderStatus = _enum("HotlineOrderStatus", Status.values)
OrderStatusFilter = _enum("HotlineOrderStatusFilter", ["open", *Status.values])
OrderChannel = _enum("HotlineOrderChannel", Channel.values)
OrderSource = _enum("HotlineOrderSource", Source.values)
OrderKind = _enum("HotlineOrderKind", Kind.values)
OrderUrgency = _enum("HotlineOrderUrgency", ["normal", "utility", "danger"])
OrderAction = _enum("HotlineOrderAction", [a for a in TRANSITIONS if a != "create"])
OrderCallback = _enum("HotlineCallbackResult", Callback.values)
OrderEmergency = _enum("HotlineEmergency", Emergency.values)


class ErrorOut(Schema):
    code: str = Field(description="错误代码（供程序判断）")
    message: str = Field(description="中文提示（原样显示给用户）")
    details: dict | list | None = None


def _errors(*codes: int) -> dict:
    return dict.fromkeys(codes, ErrorOut)


class OrderIn(Schema):
    channel: OrderChannel = OrderChannel("phone")
    source: OrderSource = OrderSource("12345")
    kind: OrderKind
    category: str = column(Category, "code", description="派单目录编码")
    region: str = Field(max_length=12, description="所在区划的12位代码（可到村、社区）")
    text: str = Field(max_length=TEXT_MAX, description="诉求内容")
    caller_phone: str = column(Order, "caller_phone", "")
    caller_name: str = column(Order, "caller_name", "")
    anonymous: bool = False
    confidential: bool = False
    publish_consent: bool = False
    address: str = column(Order, "address", "")
    lat: Decimal | None = Field(None, ge=-90, le=90)
    lon: Decimal | None = Field(None, ge=-180, le=180)
    urgency: OrderUrgency | None = None


class ReplyFormIn(Schema):
    text: str = Field(max_length=TEXT_MAX, description="办理结果")
    solved: bool = Field(description="是否解决")


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    by_unit: bool = Field(description="true：承办单位办结反馈的附件；false：诉求的附件")
    uploaded_at: dt.datetime
    url: str = Field(description="下载地址（登录后的页面；下载记入审计）")


class UnitOut(Schema):
    role: str
    name: str
    state: str
    sign_due_at: dt.datetime
    signed_at: dt.datetime | None


class EventOut(Schema):
    action: str
    label: str
    at: dt.datetime
    actor_name: str
    unit_name: str
    note: str
    public: bool


class OrderBrief(Schema):
    no: str
    status: OrderStatus
    status_label: str
    kind: OrderKind
    category: str
    category_name: str
    region: str
    main_unit: str
    created_at: dt.datetime
    due_on: dt.date | None
    caller_name: str
    caller_phone: str


class OrderOut(OrderBrief):
    channel: OrderChannel
    source: OrderSource
    urgency: OrderUrgency
    address: str
    lat: Decimal | None
    lon: Decimal | None
    text: str
    confidential: bool
    anonymous: bool
    reply_text: str
    reply_solved: bool | None
    callback_result: str
    closed_at: dt.datetime | None
    merged_into: str | None
    emergency: str
    round: int
    units: list[UnitOut]
    events: list[EventOut]
    attachments: list[AttachmentOut] = Field(
        description="附件：来电人的附件只对能看到来电人的人列出（保密工单不对承办单位列出），办结反馈的附件对能看工单的人列出"
    )
    actions: list[str] = Field(description="当前用户此刻可做的操作")


class ActionIn(Schema):
    note: str = Field("", max_length=TEXT_MAX, description="说明、意见、答复内容（answer）、回访记录")
    reason: str = Field("", max_length=TEXT_MAX, description="退单、延期、转警的理由")
    text: str = Field("", max_length=TEXT_MAX, description="reply：办理结果")
    solved: bool = Field(False, description="reply、callback：是否已解决")
    main_department: str = Field(
        "", max_length=32, description="dispatch、reassign：主办部门编码（留空按派单目录）"
    )
    main_hall: str = Field("", max_length=16, description="dispatch、reassign：属地主办的大厅编码")
    assist_departments: list[str] = Field([], max_length=10, description="协办部门编码")
    days: int = Field(0, ge=0, le=100, description="extend_request：延长的工作日数")
    approve: bool = Field(False, description="extend_decide：是否同意")
    result: OrderCallback | None = Field(None, description="callback：满意、基本满意、不满意")
    unit_fault: bool = Field(False, description="callback：不满意且属承办单位原因，退回重办")
    to: OrderEmergency | None = Field(None, description="transfer：110、119、120、122")
    into: str = Field("", max_length=24, description="merge：主工单编号")


class ActionOut(Schema):
    no: str
    status: OrderStatus
    status_label: str
    due_on: dt.date | None


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    category: str
    department: str


class ItemOut(Schema):
    impl_code: str
    name: str
    department: str
    url: str


class KnowledgeOut(Schema):
    articles: list[ArticleOut]
    items: list[ItemOut]


class ProgressIn(Schema):
    no: str = Field("", max_length=24, description="工单编号，如 RX2026110200001")
    phone: str = Field("", max_length=20, description="来电（或留下）的电话号码；匿名来电的工单无法查询")


class ProgressEventOut(Schema):
    action: str
    at: dt.datetime
    note: str = Field(description="公开的办理记录（只写单位，不写工作人员姓名）")


class ProgressOut(Schema):
    no: str
    category: str
    kind: OrderKind
    status: OrderStatus = Field(description="工单本身的状态（并单后为 merged）")
    status_label: str = Field(description="办理状态（并单的为主工单的状态）")
    created_at: dt.datetime
    merged_into: str = Field(description="并入的主工单编号；未并单为空")
    main_unit: str = Field(description="主办单位名称；尚未派单为空")
    assist_units: list[str] = Field(description="协办单位名称")
    sign_due_at: dt.datetime | None = Field(description="签收时限（待签收时）")
    due_on: dt.date | None = Field(description="办结期限")
    reply_text: str = Field(description="承办单位的办理结果（办结后）")
    reply_solved: bool | None
    replied_at: dt.datetime | None
    events: list[ProgressEventOut]
