"""The centre's steps after dispatch: 改派 or 驳回 a 退单, 延期审批, 催办, 督办, and 回访 (办结 or 重办).
Each is one transaction with its event row and its clocks."""

from __future__ import annotations

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.org.models import Staff

from .. import clocks as order_clocks
from ..models import (
    Callback,
    Extension,
    ExtensionState,
    Order,
    OrderUnit,
    Status,
    UnitRole,
    UnitState,
)
from . import common
from .handling import _note
from .orders import _field_error, _send, _text, _units_arg
from .policy import reply_limit, setting_get, workdays_after

# 回访 levels as 好差评 levels (ratings.Level)
CALLBACK_LEVEL = {Callback.SATISFIED: 4, Callback.BASIC: 3, Callback.DISSATISFIED: 2}


def order_reassign(*, order: Order, staff: Staff, main=None, assist=(), note: str = "") -> Order:
    """改派: the centre accepts the 退单 and dispatches the order again (the 协办 rows are withdrawn too)."""
    why = _note(note, field="note", label="改派说明", required=False)
    now, today = clock.now(), clock.today()
    with transaction.atomic():
        order = common.locked(order, units=True)
        common.check(order, "reassign", staff)
        units = _units_arg(order, main, assist)
        for u in common.live_units(order):
            order_clocks.sign_finish(order, u, reason=order_clocks.WITHDRAWN, counts=False)
        order.units.filter(state__in=[UnitState.DISPATCHED, UnitState.SIGNED]).update(
            state=UnitState.WITHDRAWN
        )
        order_clocks.review_finish(order)
        rows = _send(order, units, staff=staff, now=now, today=today)
        frm, order.status = order.status, Status.DISPATCHED
        common.save(
            order,
            [
                "status",
                "main_department",
                "main_hall",
                "dispatched_at",
                "sign_due_at",
                "signed_at",
                "signed_late",
                "due_on",
            ],
        )
        common.event(
            order,
            "reassign",
            frm=frm,
            staff=staff,
            unit=rows[0],
            public=True,
            note=f"改派至{'、'.join(r.unit_name for r in rows)}办理，办结期限{order.due_on:%Y-%m-%d}",
            detail={"units": [{"role": r.role, "name": r.unit_name} for r in rows], "note": why},
        )
    return order


def order_reject_return(*, order: Order, staff: Staff, note: str) -> Order:
    """驳回退单: the unit keeps the order; its 办结 clock runs again to the same limit."""
    why = _note(note, field="note", label="驳回理由")
    with transaction.atomic():
        order = common.locked(order)
        common.check(order, "reject_return", staff)
        unit = order.units.filter(role=UnitRole.MAIN, state=UnitState.RETURNED).order_by("-id").first()
        ev = order.events.filter(action="return").order_by("-id").first()
        prior = (ev.detail or {}).get("prior_state", UnitState.DISPATCHED) if ev else UnitState.DISPATCHED
        OrderUnit.objects.filter(pk=unit.pk).update(state=prior)
        unit.state = prior
        order_clocks.review_finish(order)
        if prior == UnitState.DISPATCHED:
            order_clocks.sign_start(
                order, unit, minutes=False, due_date=workdays_after(clock.today(), 1, region=order.region)
            )
        frm = order.status
        order.status = Status.HANDLING if prior == UnitState.SIGNED else Status.DISPATCHED
        common.save(order, ["status"])
        if not _reply_open(order):
            order_clocks.reply_start(order)
        common.event(order, "reject_return", frm=frm, staff=staff, unit=unit, note=why)
        common.tell_unit(
            unit,
            f"工单{order.no}的退单申请未获同意：{why[:60]}，请继续办理。",
            "hotline_return_rejected",
            order,
        )
    return order


def _reply_open(order: Order) -> bool:
    from zhengwu.supervision.models import Clock, ClockState

    return (
        Clock.objects.filter(
            subject_type=order_clocks.SUBJECT_TYPE,
            subject_id=order.pk,
            kind_id=order_clocks.REPLY.code,
            part=order.round,
        )
        .exclude(state=ClockState.FINISHED)
        .exists()
    )


def order_extend_decide(*, extension: Extension, staff: Staff, approve: bool, note: str = "") -> Extension:
    """延期审批 by the centre; approved, the 办结 limit and its clock move and the caller is told."""
    why = _note(note, field="note", label="审批意见", required=not approve)
    now = clock.now()
    with transaction.atomic():
        order = common.locked(extension.order)
        common.check(order, "extend_decide", staff)
        ext = Extension.objects.select_for_update().get(pk=extension.pk)
        if ext.state != ExtensionState.PENDING:
            raise DomainError("extension_decided", "该延期申请已审批", status=409)
        ext.state = ExtensionState.APPROVED if approve else ExtensionState.REJECTED
        ext.decided_by, ext.decided_at, ext.decision_note = staff, now, why
        if approve:
            ext.new_due = workdays_after(order.due_on, ext.days, region=order.region)
            order.due_on = ext.new_due
            common.save(order, ["due_on"])
            order_clocks.reply_move(order)
            common.tell_caller(
                order,
                f"您反映的诉求（工单{order.no}）因{ext.reason[:40]}，办理期限延长至"
                f"{ext.new_due:%Y年%m月%d日}。",
                "hotline_extended",
            )
        else:
            common.save(order, [])
        ext.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "new_due"])
        common.event(
            order,
            "extend_decide",
            frm=order.status,
            staff=staff,
            public=approve,
            note=(
                f"同意延期{ext.days}个工作日，办结期限延至{ext.new_due:%Y-%m-%d}"
                if approve
                else f"不同意延期：{why}"
            ),
            detail={"extension": ext.pk, "approved": approve},
        )
    return ext


def order_urge(*, order: Order, staff: Staff, note: str = "") -> Order:
    """催办: the centre reminds the units (SMS to whoever may act for them)."""
    why = _note(note, field="note", label="催办说明", required=False)
    with transaction.atomic():
        order = common.locked(order, units=True)
        common.check(order, "urge", staff)
        order.urges += 1
        common.save(order, ["urges"])
        for u in common.live_units(order):
            common.tell_unit(
                u,
                f"工单{order.no}催办：请于{order.due_on:%Y-%m-%d}前办结反馈。{why[:60]}",
                "hotline_urge",
                order,
            )
        common.event(
            order, "urge", frm=order.status, staff=staff, note=why or "催办", detail={"n": order.urges}
        )
    return order


def order_supervise(*, order: Order, staff: Staff, note: str) -> Order:
    """督办: a formal 督办通知 to the 主办 unit (and its head); the notice text is the event's note."""
    why = _note(note, field="note", label="督办意见")
    with transaction.atomic():
        order = common.locked(order)
        common.check(order, "supervise", staff)
        unit = common.main_unit(order)
        order.supervised = True
        common.save(order, ["supervised"])
        common.tell_unit(unit, f"督办通知：工单{order.no}，{why[:80]}", "hotline_supervise", order)
        common.event(
            order,
            "supervise",
            frm=order.status,
            staff=staff,
            unit=unit,
            note=why,
            detail={
                "notice": f"督办通知〔{order.no}〕",
                "due_on": order.due_on.isoformat() if order.due_on else None,
            },
        )
    return order


def order_callback(
    *, order: Order, staff: Staff, result: str, solved: bool, unit_fault: bool = False, note: str = ""
) -> Order:
    """回访: the caller's verdict is recorded as a 12345 rating of the 主办 unit. 不满意 for a reason the
    unit controls (``unit_fault``) sends the order back to it for 重办 (a new round and 办结 limit);
    otherwise the order is closed (办结)."""
    from zhengwu.ratings.models import Channel as RatingChannel
    from zhengwu.ratings.models import Kind as RatingKind
    from zhengwu.ratings.services import rating_record

    if result not in Callback.values:
        raise _field_error("invalid_callback", "result", "回访结果应为满意、基本满意或不满意")
    setting = setting_get()
    why = _text(
        note,
        field="note",
        label="回访记录",
        limit_chars=setting.text_max_chars,
        required=result == Callback.DISSATISFIED,
    )
    if unit_fault and result != Callback.DISSATISFIED:
        raise _field_error("redo_needs_dissatisfied", "unit_fault", "只有回访不满意的工单才能退回重办")
    now, today = clock.now(), clock.today()
    with transaction.atomic():
        order = common.locked(order)
        common.check(order, "callback", staff)
        unit = common.main_unit(order)
        hall = unit.hall if unit.hall_id else setting.centre_hall
        rating = None
        if hall is not None:
            rating = rating_record(
                kind=RatingKind.HALL,
                channel=RatingChannel.HOTLINE,
                overall=CALLBACK_LEVEL[result],
                comment=why,
                ticket_ref=f"{order.no}-{order.round}",
                hall=hall,
                department_id=unit.department_id,
                contact_phone="" if order.confidential else order.caller_phone,
            )
        order_clocks.callback_finish(order)
        frm = order.status
        order.callback_result, order.callback_solved, order.callback_at = result, bool(solved), now
        fields = ["status", "callback_result", "callback_solved", "callback_at"]
        detail = {
            "result": result,
            "solved": bool(solved),
            "rating": rating.pk if rating else None,
            "round": order.round,
        }
        if unit_fault:
            order.status, order.round, order.redos = Status.HANDLING, order.round + 1, order.redos + 1
            order.due_on = workdays_after(today, reply_limit(order.kind).amount, region=order.region)
            order.reply_text, order.reply_solved, order.replied_at, order.replied_on = "", None, None, None
            common.save(
                order,
                [
                    *fields,
                    "round",
                    "redos",
                    "due_on",
                    "reply_text",
                    "reply_solved",
                    "replied_at",
                    "replied_on",
                ],
            )
            order_clocks.reply_start(order)
            common.tell_unit(
                unit,
                f"工单{order.no}回访不满意，请重新办理，办结期限{order.due_on:%Y-%m-%d}。",
                "hotline_redo",
                order,
            )
            common.event(
                order,
                "callback",
                frm=frm,
                staff=staff,
                unit=unit,
                public=True,
                note=f"回访{Callback(result).label}，退回{unit.unit_name}重新办理",
                detail=detail,
            )
        else:
            order.status, order.closed_at, order.closed_on = Status.CLOSED, now, today
            common.save(order, [*fields, "closed_at", "closed_on"])
            common.event(
                order,
                "callback",
                frm=frm,
                staff=staff,
                unit=unit,
                public=True,
                note=f"回访{Callback(result).label}，工单办结",
                detail=detail,
            )
    return order
