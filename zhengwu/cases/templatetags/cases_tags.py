"""Display helpers for case pages: masking of personal data and the names of case events."""

from __future__ import annotations

from django import template

from zhengwu.catalog.models import SpecialProcedure
from zhengwu.core.validators import mask_id_number, mask_name, mask_phone
from zhengwu.org.models import Role

from ..models import Decision, Delivery, Status, SupplementItem
from ..transitions import TRANSITIONS

register = template.Library()

# What a step is called on the applicant's and the public pages.
EVENT_LABELS = {
    "submit": "提交申请",
    "add_materials": "补充上传材料",
    "prereview": "预审通过",
    "accept": "受理",
    "request_supplement": "补正告知",
    "supplement": "补正材料",
    "reject": "不予受理",
    "resume": "特别程序结束",
    "extend": "延期",
    "complete": "办结",
    "deliver": "送达",
    "withdraw": "撤回申请",
    "claim": "申请人认领办件（关联网上账号）",
    "supplement_item": "核对补正材料",
}

DUE_LABELS = {"ok": "正常", "soon": "即将到期", "overdue": "已超期", "paused": "暂停计时", "none": ""}


@register.filter
def mask_id(value) -> str:
    """1101**********002X."""
    return mask_id_number(value or "")


@register.filter(name="mask_phone")
def mask_phone_filter(value) -> str:
    return mask_phone(value or "") if value else ""


register.filter("mask_name", mask_name)  # 张三 → 张* (``zhengwu.core.validators``)


@register.filter
def event_label(event) -> str:
    data = event.data or {}
    if event.action == "review":
        return f"{data.get('step') or '审查'}通过"
    if event.action == "decide":
        decision = data.get("decision")
        return "作出决定：" + (Decision(decision).label if decision in Decision.values else "")
    if event.action == "suspend":
        kind = data.get("kind")
        label = SpecialProcedure(kind).label if kind in SpecialProcedure.values else ""
        return f"启动特别程序（{label}）" if label else "启动特别程序"
    if event.action == "supplement_item" and data.get("item"):
        state = SupplementItem.State(data["state"]).label if data.get("state") in SupplementItem.State.values else ""
        return f"补正材料“{data['item']}”{state}"
    if event.action == "supplement" and data.get("remaining"):
        return "补正材料（尚未补齐）"
    if event.action == "deliver" and data.get("method") in Delivery.values:
        return "送达（" + Delivery(data["method"]).label + "）"
    if event.action in EVENT_LABELS:
        return EVENT_LABELS[event.action]
    t = TRANSITIONS.get(event.action)
    return t.label if t else event.action


@register.filter
def status_label(value) -> str:
    return Status(value).label if value in Status.values else (value or "")


@register.filter
def role_label(value) -> str:
    if value == "applicant":
        return "申请人"
    return dict(Role.DEFAULTS).get(value, value or "")


@register.filter
def due_label(value) -> str:
    return DUE_LABELS.get(value, "")


@register.filter
def filesize(value) -> str:
    value = int(value or 0)
    if value >= 1048576:
        return f"{value / 1048576:.1f} MB"
    return f"{max(1, round(value / 1024))} KB" if value else "—"


@register.filter
def basename(value) -> str:
    return str(value or "").rsplit("/", 1)[-1]
