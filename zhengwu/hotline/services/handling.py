"""The units' steps after dispatch: 签收, 退单, 延期申请, 办结反馈 and the head's 审核 (or 退回).
Each is one transaction with its event row and its clocks; the centre's steps are in ``centre.py``."""

from __future__ import annotations

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.uploads import check_upload
from zhengwu.org.models import Staff

from .. import clocks as order_clocks
from ..models import (
    Attachment,
    Extension,
    Order,
    OrderUnit,
    Status,
    UnitRole,
    UnitState,
)
from . import common
from .orders import MAX_FILES, UPLOAD_TYPES, _field_error, _text
from .policy import limit, text_max_chars, workdays_after


def _note(value: str, *, field: str, label: str, required: bool = True) -> str:
    # an empty optional note needs no length limit (and no read of the settings)
    most = text_max_chars() if (value or "").strip() else 0
    return _text(value, field=field, label=label, limit_chars=most, required=required)


def order_sign(*, order: Order, staff: Staff) -> Order:
    """签收 by a 主办 or 协办 unit; a second 签收 of the same unit is refused. The 主办's 签收 moves
    the order to 办理中."""
    now = clock.now()
    with transaction.atomic():
        order = common.locked(order, units=True)
        t, unit = common.check(order, "sign", staff)
        if unit.state != UnitState.DISPATCHED:
            raise DomainError(
                "already_signed",
                f"{unit.unit_name}已于{order_clocks_fmt(unit.signed_at)}签收该工单",
                status=409,
            )
        late = now > unit.sign_due_at
        OrderUnit.objects.filter(pk=unit.pk).update(state=UnitState.SIGNED, signed_at=now, signed_by=staff)
        order_clocks.sign_finish(order, unit)
        frm = order.status
        fields = []
        if unit.role == UnitRole.MAIN and order.status == Status.DISPATCHED:
            order.status, order.signed_at, order.signed_late = Status.HANDLING, now, late
            fields = ["status", "signed_at", "signed_late"]
        common.save(order, fields)
        common.event(
            order,
            "sign",
            frm=frm,
            staff=staff,
            unit=unit,
            public=unit.role == UnitRole.MAIN,
            note=f"{unit.unit_name}已签收" + ("（超时）" if late else ""),
            detail={"late": late},
        )
    return order


def order_clocks_fmt(at) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else ""


def order_return(*, order: Order, staff: Staff, reason: str) -> Order:
    """退单: the 主办 unit says it is not its duty, within the return limit from its dispatch."""
    why = _note(reason, field="reason", label="退单理由")
    today = clock.today()
    with transaction.atomic():
        order = common.locked(order, units=True)
        t, unit = common.check(order, "return", staff)
        if today > unit.return_until:
            raise DomainError(
                "return_too_late",
                f"退单须在派单后{limit('return').amount}个工作日内（{unit.return_until:%Y-%m-%d}前）提出，"
                "已超过退单时限",
                status=409,
            )
        prior = unit.state
        OrderUnit.objects.filter(pk=unit.pk).update(state=UnitState.RETURNED)
        order_clocks.sign_finish(order, unit, reason=order_clocks.RETURNED, counts=False)
        order_clocks.reply_finish(order, reason=order_clocks.RETURNED, counts=False)
        frm = order.status
        order.status, order.returns = Status.RETURNED, order.returns + 1
        common.save(order, ["status", "returns"])
        order_clocks.review_start(
            order, due_date=workdays_after(today, limit("review").amount, region=order.region)
        )
        common.event(
            order,
            "return",
            frm=frm,
            staff=staff,
            unit=unit,
            note=why,
            detail={"unit_id": unit.pk, "prior_state": prior},
        )
    return order


def order_extend_request(*, order: Order, staff: Staff, days: int, reason: str) -> Extension:
    """延期申请: before the 办结 limit, at most the policy's maximum working days, one pending at a time."""
    why = _note(reason, field="reason", label="延期理由")
    most = limit("extension_max").amount
    if not isinstance(days, int) or not 1 <= days <= most:
        raise _field_error("extension_days", "days", f"延期应为1至{most}个工作日")
    today, now = clock.today(), clock.now()
    with transaction.atomic():
        order = common.locked(order, pending=True)
        t, unit = common.check(order, "extend_request", staff)
        if order.due_on is not None and today > order.due_on:
            raise DomainError(
                "extension_too_late", f"延期须在办结期限（{order.due_on:%Y-%m-%d}）届满前申请", status=409
            )
        if common.pending_extension(order):
            raise DomainError("extension_pending", "已有一项延期申请待审批", status=409)
        ext = Extension.objects.create(
            order=order, days=days, reason=why, requested_by=staff, requested_at=now, old_due=order.due_on
        )
        common.save(order, [])
        common.event(
            order,
            "extend_request",
            frm=order.status,
            staff=staff,
            unit=unit,
            note=f"申请延期{days}个工作日：{why}",
            detail={"extension": ext.pk, "days": days},
        )
    return ext


def order_reply(*, order: Order, staff: Staff, text: str, solved: bool, attachments=()) -> Order:
    """办结反馈 by the 主办 unit: what was done and whether solved; its head signs it off next."""
    body = _note(text, field="text", label="办理结果")
    files = list(attachments or ())
    if len(files) > MAX_FILES:
        raise _field_error("too_many_files", "attachments", f"附件最多{MAX_FILES}个")
    for f in files:
        check_upload(f, allowed_types=UPLOAD_TYPES)
    now, today = clock.now(), clock.today()
    with transaction.atomic():
        order = common.locked(order, pending=True)
        t, unit = common.check(order, "reply", staff)
        if common.pending_extension(order):
            raise DomainError("extension_pending", "延期申请审批前不能提交办结反馈", status=409)
        frm = order.status
        order.status, order.reply_text, order.reply_solved = Status.REVIEWING, body, bool(solved)
        order.replied_at, order.replied_on = now, today
        common.save(order, ["status", "reply_text", "reply_solved", "replied_at", "replied_on"])
        for f in files:
            Attachment.objects.create(
                order=order, file=f, name=f.name[:200], size=f.size, by_unit=True, uploaded_at=now
            )
        common.event(
            order,
            "reply",
            frm=frm,
            staff=staff,
            unit=unit,
            note=body,
            detail={"solved": bool(solved), "files": len(files)},
        )
    return order


def order_approve(*, order: Order, staff: Staff, note: str = "") -> Order:
    """审核通过 (the unit head's sign-off): the unit's 办结 clock ends; the centre's 回访 clock starts."""
    why = _note(note, field="note", label="审核意见", required=False)
    today = clock.today()
    with transaction.atomic():
        order = common.locked(order)
        t, unit = common.check(order, "approve", staff)
        order_clocks.reply_finish(order)
        frm = order.status
        order.status = Status.CALLBACK
        order.reply_late = bool(order.due_on and order.replied_on and order.replied_on > order.due_on)
        common.save(order, ["status", "reply_late"])
        order_clocks.callback_start(
            order, due_date=workdays_after(today, limit("callback").amount, region=order.region)
        )
        common.event(
            order,
            "approve",
            frm=frm,
            staff=staff,
            unit=unit,
            public=True,
            note=f"{unit.unit_name}办理结果：{order.reply_text}",
            detail={"head_note": why},
        )
    return order


def order_send_back(*, order: Order, staff: Staff, note: str) -> Order:
    """审核退回: the head sends the reply back to the unit's officers."""
    why = _note(note, field="note", label="退回理由")
    with transaction.atomic():
        order = common.locked(order)
        t, unit = common.check(order, "send_back", staff)
        frm = order.status
        order.status = Status.HANDLING
        common.save(order, ["status"])
        common.event(order, "send_back", frm=frm, staff=staff, unit=unit, note=why)
    return order
