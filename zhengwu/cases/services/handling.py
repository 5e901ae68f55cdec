"""The officer's handling (办理) of an accepted case: 预审, 受理, 不予受理, the review steps, 特别程序,
延期 and the decision, and the due dates recomputed once a holiday notice is published."""

from __future__ import annotations

import datetime as dt

from zhengwu.core import clock, fastsql
from zhengwu.core.errors import DomainError
from zhengwu.org.models import Staff, Window
from zhengwu.supervision.clocks import clocks_batch

from .. import clocks as case_clocks
from ..models import Case, CaseEvent, CaseMaterial, ClockStop, Decision, Extension, FeeLine, Status
from ..plan import plan_for
from ..transitions import TRANSITIONS
from .common import (
    _check_state,
    _closed_stops,
    _cn,
    _deadline,
    _event,
    _joint_follow,
    _log,
    _officer_role,
    _tell_applicant,
    _update,
    case_tx,
    clean_text,
)

# -- officer actions --------------------------------------------------------------------------------------


def case_prereview(*, case: Case, officer: Staff, window: Window | None = None, note: str = "") -> Case:
    """预审 of an online application: the materials look complete, it may be accepted."""
    t = TRANSITIONS["prereview"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    note = clean_text(note, field="note", label="预审意见")
    frm = case.status
    with case_tx(case):
        _update(case, t, Status.PENDING, first_officer_id=case.first_officer_id or officer.pk)
        _log(case, t.action, frm, case.status, officer=officer, role=role, window=window, note=note)
    return case


def case_accept(*, case: Case, officer: Staff, paper_materials=(), window: Window | None = None,
                note: str = "", have_materials: set[int] | None = None, clock_officer: object = "auto",
                clock_head: object = "auto") -> Case:
    """受理: fixes the due date from the item's promised limit; a 即办件 is decided and finished at once.

    For the joint service's 一门受理 (which has read them for every 子件 at once, under the 联办件's lock):
    ``have_materials``, the case's material ids already held; ``clock_officer``/``clock_head``, who answers
    for the case's clocks (its department's 首席代表) and the department head to notify."""
    t = TRANSITIONS["accept"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    note = clean_text(note, field="note", label="受理意见")
    paper = [m for m in paper_materials if m in plan.materials]
    have: set[int] = set()
    if have_materials is not None:
        have = set(have_materials)
    elif plan.required or paper:  # an item with no required material and nothing on paper skips the query
        have = set(CaseMaterial.objects.filter(case=case, material__isnull=False)
                   .values_list("material_id", flat=True))
    missing = [name for mid, name in plan.required.items() if mid not in have and mid not in paper]
    if missing:
        raise DomainError("materials_missing", f"缺少必要材料：{'、'.join(missing)}。请一次性告知申请人补正后再受理",
                          details={"missing": missing})
    now = clock.now()
    today = clock.today()
    deadline = _deadline(case, plan, start=today, extension_days=0, stops=[])
    frm = case.status
    first = case.first_officer_id or officer.pk
    with case_tx(case):
        with clocks_batch():  # the UPDATE, its event and the clocks: one statement
            if plan.immediate:
                _update(case, t, Status.COMPLETED, accepted_by_id=officer.pk, accepted_window=window, accepted_on=today,
                        due_date=today, due_provisional=deadline.provisional, current_step=plan.last_seq,
                        decision=Decision.APPROVE, decided_at=now, completed_at=now, completed_on=today, closed_at=now,
                        first_officer_id=first)
                events = [
                    _event(case, "accept", frm, Status.IN_REVIEW, officer=officer, role=role, window=window, step=1,
                           note=note, data={"due_date": today.isoformat(), "immediate": True}),
                    _event(case, "decide", Status.IN_REVIEW, Status.DECIDED, officer=officer, role=role, window=window,
                           step=plan.last_seq, data={"decision": Decision.APPROVE}),
                    _event(case, "complete", Status.DECIDED, Status.COMPLETED, officer=officer, role=role,
                           window=window, step=plan.last_seq, note="即办件当场办结"),
                ]
                _tell_applicant(case, "completed", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）已当场办结。")
            else:
                _update(case, t, Status.IN_REVIEW, accepted_by_id=officer.pk, accepted_window=window, accepted_on=today,
                        due_date=deadline.due, due_provisional=deadline.provisional,
                        current_step=min(2, plan.last_seq), first_officer_id=first,
                        event=_event(case, t.action, frm, Status.IN_REVIEW, officer=officer, role=role, window=window,
                                     step=1, note=note, data={"due_date": deadline.due.isoformat(),
                                                              "provisional": deadline.provisional}))
                events = []  # written with the update
                _tell_applicant(case, "accepted", f"您申请的“{plan.item_name}”已受理，办件编号{case.case_no}，"
                                f"承诺于{_cn(deadline.due)}{'（暂定）' if deadline.provisional else ''}前办结。")
            case_clocks.case_clocks_accept(case, plan, today=today, officer=clock_officer, head=clock_head)
        if paper:
            CaseMaterial.objects.bulk_create(
                [CaseMaterial(case=case, material_id=m, name=plan.materials[m], paper_received=True,
                              uploaded_by_id=officer.user_id) for m in paper if m not in have]
            )
        if plan.fees:
            FeeLine.objects.bulk_create(
                [FeeLine(case=case, fee_id=f.fee_id, name=f.name, amount=f.amount) for f in plan.fees]
            )
        fastsql.insert(events)
    return case


def case_reject(*, case: Case, officer: Staff, reason: str, window: Window | None = None) -> Case:
    """不予受理, with the legal reason (written into the 不予受理决定书)."""
    t = TRANSITIONS["reject"]
    _check_state(case, t)
    if case.accepted_on is not None:
        raise DomainError("already_accepted", "办件已受理，不能再作不予受理；请在决定环节作出不予许可决定", status=409)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    reason = clean_text(reason, field="reason", label="不予受理理由")
    if not reason:
        raise DomainError("reason_required", "不予受理必须说明理由和法律依据")
    now = clock.now()
    frm = case.status
    with case_tx(case):
        _update(case, t, Status.REJECTED, rejection_reason=reason, closed_at=now,
                first_officer_id=case.first_officer_id or officer.pk)
        _log(case, t.action, frm, case.status, officer=officer, role=role, window=window, note=reason)
        _tell_applicant(case, "rejected", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）不予受理，"
                        f"理由：{reason}。可凭办件编号领取不予受理决定书。")
    return case


def case_review(*, case: Case, officer: Staff, note: str = "", window: Window | None = None) -> Case:
    """Pass the current review step (承办 → 审核 → …) on to the next one."""
    t = TRANSITIONS["review"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    if case.current_step >= plan.last_seq:
        raise DomainError("decision_step", f"当前环节“{plan.step(case.current_step).name}”为决定环节，请作出决定",
                          status=409)
    role = _officer_role(officer, t, case, plan)
    note = clean_text(note, field="note", label="审查意见")
    step = case.current_step
    with case_tx(case):
        with clocks_batch():  # the UPDATE, its event, the passed step's clock and the next one's: one statement
            _update(case, t, Status.IN_REVIEW, current_step=step + 1,
                    event=_event(case, t.action, Status.IN_REVIEW, Status.IN_REVIEW, officer=officer, role=role,
                                 window=window, step=step, note=note, data={"step": plan.step(step).name}))
            case_clocks.case_clocks_next_step(case, plan, passed=step, today=clock.today())
    return case


def case_suspend(*, case: Case, officer: Staff, kind: str, reason: str, window: Window | None = None) -> Case:
    """Start a 特别程序 (听证、检验、检测、检疫、鉴定、专家评审、现场踏勘…): the clock stops."""
    t = TRANSITIONS["suspend"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    from zhengwu.catalog.models import SpecialProcedure

    if kind not in SpecialProcedure.values:
        raise DomainError("procedure_kind", "特别程序应为听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审、现场踏勘或中介服务")
    if kind not in plan.special_procedures:
        raise DomainError("procedure_not_allowed",
                          f"该事项的实施清单未设定“{SpecialProcedure(kind).label}”特别程序，不能中止计时")
    reason = clean_text(reason, field="reason", label="特别程序原因")
    if not reason:
        raise DomainError("reason_required", "启动特别程序须写明原因（将书面告知申请人）")
    today = clock.today()
    with case_tx(case):
        _update(case, t, Status.SUSPENDED)
        stop = ClockStop.objects.create(case=case, kind=kind, reason=reason, start_on=today, started_by=officer)
        case_clocks.case_clocks_stop(case, today=today)
        _log(case, t.action, Status.IN_REVIEW, Status.SUSPENDED, officer=officer, role=role, window=window,
               step=case.current_step, note=reason, data={"kind": kind, "stop_id": stop.pk})
        _tell_applicant(case, "special", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）需进行"
                        f"{SpecialProcedure(kind).label}（{reason}），所需时间不计入办理期限，结束后办结期限相应顺延。")
    return case


def case_resume(*, case: Case, officer: Staff, result: str, window: Window | None = None) -> Case:
    """End the 特别程序 with its result; the clock runs again and the due date moves."""
    t = TRANSITIONS["resume"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    result = clean_text(result, field="result", label="特别程序结果")
    if not result:
        raise DomainError("result_required", "请填写特别程序的结果")
    today = clock.today()
    with case_tx(case):
        ClockStop.objects.filter(case=case, end_on__isnull=True).exclude(kind="supplement").update(
            end_on=today, result=result)
        stops = _closed_stops(case)
        deadline = _deadline(case, plan, start=case.accepted_on, extension_days=case.extension_days, stops=stops)
        _update(case, t, Status.IN_REVIEW, due_date=deadline.due, due_provisional=deadline.provisional)
        case_clocks.case_clocks_resume(case, plan, stops=stops)
        _log(case, t.action, Status.SUSPENDED, Status.IN_REVIEW, officer=officer, role=role, window=window,
               step=case.current_step, note=result, data={"due_date": deadline.due.isoformat()})
    return case


def case_extend(*, case: Case, head: Staff, reason: str, days: int | None = None) -> Case:
    """延期 (行政许可法第四十二条), approved by the 部门负责人 with the reason told to the applicant.

    Decided before the period runs out (a case past its due date is late, not extended), once, and
    by no more than the item version allows (``ItemVersion.extension_limit``: 10 working days on the
    20-day rule unless the catalog names another law's figure). ``days`` defaults to that limit.
    """
    t = TRANSITIONS["extend"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(head, t, case, plan)
    reason = clean_text(reason, field="reason", label="延期理由")
    if not reason:
        raise DomainError("reason_required", "延期须写明理由，并告知申请人")
    if Extension.objects.filter(case=case).exists():
        raise DomainError("already_extended", "该办件已延期，不能再次延期", status=409)
    today = clock.today()
    # While a 特别程序 stops the clock the period cannot run out: what counts is the day it stopped.
    running_on = today
    if case.status == Status.SUSPENDED:
        running_on = (ClockStop.objects.filter(case=case, end_on__isnull=True).order_by("start_on")
                      .values_list("start_on", flat=True).first()) or today
    if case.due_date is not None and running_on > case.due_date:
        raise DomainError("deadline_passed", "办结期限已届满，不能延期", status=409)
    limit = plan.extension_limit
    if limit <= 0:
        raise DomainError("extension_not_allowed", f"事项“{plan.item_name}”依法不得延长办理期限")
    days = limit if days is None else int(days)
    if not 1 <= days <= limit:
        raise DomainError("extension_days", f"该事项最多可延长{limit}个工作日（{plan.extension_basis}），"
                                            f"请填写1至{limit}之间的天数")
    total = case.extension_days + days
    deadline = _deadline(case, plan, start=case.accepted_on, extension_days=total, stops=_closed_stops(case))
    with case_tx(case):
        frm = case.status
        _update(case, t, case.status, extension_days=total, due_date=deadline.due,
                due_provisional=deadline.provisional)
        Extension.objects.create(case=case, days=days, reason=reason, approved_by=head)
        case_clocks.case_clocks_move(case)
        _log(case, t.action, frm, case.status, officer=head, role=role, step=case.current_step, note=reason,
               data={"days": days, "due_date": deadline.due.isoformat()})
        _tell_applicant(case, "extended", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）因{reason}，"
                        f"经负责人批准延长办理期限{days}个工作日，办结期限延至{_cn(deadline.due)}。")
    return case


def case_decide(*, case: Case, officer: Staff, decision: str, reason: str = "",
                window: Window | None = None) -> Case:
    """The decision (准予/不予许可) at the last step; 不予 needs its reasons."""
    t = TRANSITIONS["decide"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    if case.current_step < plan.last_seq:
        raise DomainError("not_decision_step", f"当前环节为“{plan.step(case.current_step).name}”，尚未到决定环节",
                          status=409)
    role = _officer_role(officer, t, case, plan)
    if decision not in Decision.values:
        raise DomainError("decision", "决定应为准予或不予")
    reason = clean_text(reason, field="reason", label="决定理由")
    if decision == Decision.DENY and not reason:
        raise DomainError("reason_required", "作出不予许可决定必须说明理由")
    with case_tx(case):
        with clocks_batch():  # the UPDATE, its event, the step clocks' end and the case clock's: one statement
            _update(case, t, Status.DECIDED, decision=decision, decision_reason=reason, decided_at=clock.now(),
                    event=_event(case, t.action, Status.IN_REVIEW, Status.DECIDED, officer=officer, role=role,
                                 window=window, step=case.current_step, note=reason, data={"decision": decision}))
            case_clocks.case_clocks_decided(case, plan)
    return case


def deadlines_refresh_provisional(*, today: dt.date | None = None) -> int:
    """Recompute the due dates that were fixed on a provisional calendar (a year whose holiday notice
    was not yet published), now that the calendar may know better. Returns how many changed.

    Only cases whose clock runs (审查中) are recomputed; a stopped one is recomputed when it
    restarts. Each change is its own guarded UPDATE with an event row; a case changed meanwhile
    by someone else is left for the next run.
    """
    changed = 0
    for case in Case.objects.select_related("hall__region").filter(status=Status.IN_REVIEW, due_provisional=True,
                                                                   accepted_on__isnull=False):
        plan = plan_for(case.item_version_id)
        deadline = _deadline(case, plan, start=case.accepted_on, extension_days=case.extension_days,
                             stops=_closed_stops(case))
        if (deadline.due, deadline.provisional) == (case.due_date, case.due_provisional):
            continue
        with case_tx(case):
            n = fastsql.update_guarded(Case, pk=case.pk, version=case.row_version,
                                       values={"due_date": deadline.due, "due_provisional": deadline.provisional})
            if n != 1:
                continue
            before, case.due_date = case.due_date, deadline.due
            case.due_provisional, case.row_version = deadline.provisional, case.row_version + 1
            case_clocks.case_clocks_move(case)
            if case.joint_id is not None:  # a 子件: its 联办件's due date (the latest of its 子件') follows
                _joint_follow(case)
            fastsql.insert([CaseEvent(case_id=case.pk, action="recalc", from_status=case.status,
                                      to_status=case.status, actor_name="系统", step=case.current_step,
                                      note="节假日安排公布后重新计算办结期限",
                                      data={"from": before.isoformat(), "due_date": deadline.due.isoformat(),
                                            "provisional": deadline.provisional})])
            if deadline.due != before:
                _tell_applicant(case, "recalc", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）的办结期限"
                                f"已按公布的节假日安排调整为{_cn(deadline.due)}。")
        changed += 1
    return changed
