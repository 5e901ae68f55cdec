"""After acceptance: each co-department's opinion on its 子件, the lead's ruling on a reasoned 不同意, and the
combined result (联合审批决定书 / 办结通知) once every 子件 has decided or is deemed to agree (超时默认).

HOTLINE-JOINT.md §5: a 协办部门 answers with exactly one of 同意 / 不同意 / 同意但需转报 (anything else is
refused by the form here, rather than deemed 同意); 不同意 needs its reasons; after a reasoned 不同意 the
主办部门 may approve (go on), refuse or suspend, and the decision is recorded. 超时默认 (东莞 东府〔2011〕56号
第六条, 泰州 泰政办发〔2022〕58号): the late department is deemed to agree, the next step proceeds and may not
be refused for it.
"""

from __future__ import annotations

from django.db import connection, transaction

from zhengwu.cases.models import Case, Decision, Status
from zhengwu.cases.services import clean_text
from zhengwu.core import clock, fastsql
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.org.models import Role, Staff
from zhengwu.org.scope import staff_can_act_at

from ..models import (
    InspectionInvite,
    JointCase,
    JointEvent,
    JointOpinion,
    JointRuling,
    JointStatus,
    OpinionKind,
    RulingKind,
)
from .common import check_lead, check_status, event, event_row, lock, lock_children, save, tell_applicant
from .refresh import FINAL, children_state, deemed_case_ids, joint_refresh, prepared_rows, refresh_with

OPINION_ROLES = frozenset({Role.CHIEF_REP, Role.DEPT_HEAD, Role.WINDOW_OFFICER})


def joint_opinion(*, case: Case, officer: Staff, kind: str, reason: str = "") -> JointOpinion:
    """A co-department's answer on its own 子件: 同意, 不同意 (reasons required) or 同意但需报上级审批."""
    if case.joint_id is None:
        raise DomainError("not_joint", "该办件不是联办件的子件，无需协办意见", status=409)
    if kind not in OpinionKind.values:
        raise DomainError("opinion_kind", "协办意见只能是“同意”“不同意”或“同意但需报上级审批”")
    reason = clean_text(reason, field="reason", label="意见理由")
    if kind == OpinionKind.DISAGREE and not reason:
        raise DomainError("reason_required", "提出不同意意见必须写明理由和依据")
    if not staff_can_act_at(officer, department_id=case.department_id, hall=case.hall) or not (
            officer.role_codes() & OPINION_ROLES) or officer.department_id != case.department_id:
        raise PermissionDenied("协办意见须由该子件的办理部门签署", code="out_of_scope")
    if kind == OpinionKind.DISAGREE and deemed_case_ids([case.pk]):
        raise DomainError("deemed", "该子件已按超时默认视为同意，不能再提出不同意意见；请于期限内出具批准文书",
                          status=409)
    with transaction.atomic():
        j = lock(JointCase(pk=case.joint_id))
        if case.department_id == j.lead_department_id:
            raise DomainError("lead_no_opinion", "牵头部门不出具协办意见，请在联办件上处理", status=409)
        check_status(j, (JointStatus.IN_REVIEW, JointStatus.RULING, JointStatus.READY), "签署协办意见")
        op = JointOpinion(case=case, joint=j, department_id=case.department_id, kind=kind, reason=reason,
                          by=officer)
        ev = event_row(j, "opinion", j.status, j.status, officer=officer, department_id=case.department_id,
                       note=reason, data={"case_no": case.case_no, "kind": kind})
        if not _insert_once(op, ev):
            raise DomainError("opinion_given", "该子件已签署协办意见", status=409)
        if kind == OpinionKind.DISAGREE:
            # only a 不同意 changes what the 联办件's status is derived from (it awaits the lead's ruling);
            # 同意 and 同意但需报上级审批 change neither a 子件's status or due date nor an open 不同意
            joint_refresh(joint=j, locked=True)
    return op


def joint_opinion_absent(*, joint: JointCase, invite: InspectionInvite, recorder: Staff) -> list[JointOpinion]:
    """缺席默认 (联合踏勘) as the department's opinion: 同意, marked deemed by absence (``absent_invite``), on
    each of that department's 子件 in this 联办件 that has no opinion yet (a department's own opinion stands).
    Called by ``inspections.inspection_record`` inside its transaction (the 联办件 locked first); ``by`` is
    the lead's staff who recorded the inspection. Returns the opinions written."""
    reason = (f"无正当理由未参加第{invite.inspection.round}轮联合踏勘，依照缺席默认制视为同意踏勘议定事项"
              f"（缺席默认告知书{invite.notice_no}）")
    out = []
    with transaction.atomic(savepoint=False):
        j = lock(joint)
        kids = Case.objects.filter(joint_id=j.pk, department_id=invite.department_id).exclude(
            department_id=j.lead_department_id).order_by("joint_seq").values_list("id", "case_no")
        for case_id, case_no in kids:
            op = JointOpinion(case_id=case_id, joint=j, department_id=invite.department_id, kind=OpinionKind.AGREE,
                              reason=reason, by=recorder, absent_invite=invite)
            ev = event_row(j, "opinion", j.status, j.status, officer=recorder, department_id=invite.department_id,
                           note=reason, data={"case_no": case_no, "kind": OpinionKind.AGREE, "deemed_absent": True,
                                              "notice_no": invite.notice_no})
            if _insert_once(op, ev):
                out.append(op)
    return out


_opinion_sql: dict[bool, tuple[str, list, list]] = {}


def _insert_once(op: JointOpinion, ev: JointEvent | None = None) -> bool:
    """INSERT the opinion unless its 子件 has one (one per 子件, a unique column), and then its event row
    ``ev``: on PostgreSQL one statement (``WITH o AS (INSERT … ON CONFLICT (case_id) DO NOTHING RETURNING
    id) INSERT INTO joint_jointevent … SELECT … FROM o``, SQL built once: the event is written only if the
    opinion was), elsewhere a look-up, the ORM's INSERT and the event's. False when there was one already."""
    if connection.vendor != "postgresql":
        if JointOpinion.objects.filter(case_id=op.case_id).exists():
            return False
        op.save(force_insert=True)
        if ev is not None:
            fastsql.insert([ev])
        return True
    key = ev is not None
    cached = _opinion_sql.get(key)
    if cached is None:
        qn = connection.ops.quote_name
        meta, emeta = JointOpinion._meta, JointEvent._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        ev_fields = [f for f in emeta.concrete_fields if not f.primary_key] if key else []
        sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({qn(meta.get_field('case').column)}) "
               f"DO NOTHING RETURNING {qn(meta.pk.column)}")
        if key:
            sql = (f"WITH o AS ({sql}), e AS (INSERT INTO {qn(emeta.db_table)} "
                   f"({', '.join(qn(f.column) for f in ev_fields)}) "
                   f"SELECT {', '.join(['%s'] * len(ev_fields))} FROM o) SELECT {qn(meta.pk.column)} FROM o")
        cached = _opinion_sql[key] = (sql, fields, ev_fields)
    sql, fields, ev_fields = cached
    params = [f.get_db_prep_save(f.pre_save(op, True), connection) for f in fields]
    if ev is not None:
        params += [f.get_db_prep_save(f.pre_save(ev, True), connection) for f in ev_fields]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    if row is None:
        return False
    op.pk = row[0]
    op._state.adding, op._state.db = False, connection.alias
    return True


def joint_ruling(*, joint: JointCase, officer: Staff, kind: str, reason: str, opinion_id: int | None = None
                 ) -> JointRuling:
    """The lead's decision on a reasoned 不同意: refuse (不予办理), suspend (中止) or go on (继续办理)."""
    if kind not in RulingKind.values:
        raise DomainError("ruling_kind", "处理决定应为不予办理、中止办理或继续办理")
    check_lead(officer, joint, roles=frozenset({Role.CHIEF_REP, Role.DEPT_HEAD}), label="处理不同意意见")
    reason = clean_text(reason, field="reason", label="处理理由")
    if not reason:
        raise DomainError("reason_required", "处理不同意意见须写明理由")
    with transaction.atomic():
        j = lock(joint)
        check_status(j, (JointStatus.RULING,), "处理不同意意见")
        pending = JointOpinion.objects.filter(joint=j, kind=OpinionKind.DISAGREE, ruling__isnull=True)
        if opinion_id is not None:
            pending = pending.filter(pk=opinion_id)
        op = pending.select_related("case", "department").order_by("at", "id").first()
        if op is None:
            raise DomainError("no_disagreement", "没有待处理的不同意意见", status=409)
        ruling = JointRuling.objects.create(joint=j, opinion=op, kind=kind, reason=reason, by=officer)
        frm = j.status
        if kind == RulingKind.REFUSE:
            save(joint, j, status=JointStatus.REFUSED, completed_at=clock.now())
        elif kind == RulingKind.SUSPEND:
            save(joint, j, status=JointStatus.SUSPENDED)
        event(j, "ruling", frm, j.status, officer=officer, department_id=j.lead_department_id, note=reason,
              data={"kind": kind, "opinion": op.pk, "case_no": op.case.case_no, "department": op.department.name})
        joint_refresh(joint=j, locked=True, also=joint)
        if kind == RulingKind.REFUSE:
            tell_applicant(j, "refused", f"您申请的联办事项（联办件编号{j.case_no}）经牵头部门研究不予办理，"
                           f"理由：{reason}。")
    return ruling


def joint_resume(*, joint: JointCase, officer: Staff, reason: str) -> JointCase:
    """The lead ends a suspension (中止) it decided: the 联办件 goes on."""
    check_lead(officer, joint, roles=frozenset({Role.CHIEF_REP, Role.DEPT_HEAD}), label="恢复办理")
    reason = clean_text(reason, field="reason", label="恢复理由")
    if not reason:
        raise DomainError("reason_required", "恢复办理须写明理由")
    with transaction.atomic():
        j = lock(joint)
        check_status(j, (JointStatus.SUSPENDED,), "恢复办理")
        save(joint, j, status=JointStatus.IN_REVIEW)
        event(j, "resume", JointStatus.SUSPENDED, JointStatus.IN_REVIEW, officer=officer,
              department_id=j.lead_department_id, note=reason)
        joint_refresh(joint=j, locked=True, also=joint)
    return joint


def result_lines(joint: JointCase, children=None) -> list[dict]:
    """Each 子件's result as the combined result states it; a deemed 子件 counts as agreed. ``children``:
    ``children_state(joint)`` when the caller has it."""
    children = {c.id: c for c in (children_state(joint) if children is None else children)}
    rows = prepared_rows("result_lines", lambda: (
        Case.objects.filter(joint_id=-1).order_by("joint_seq").values_list(
            "id", "case_no", "item__impl_code", "item_version__name", "department__name", "status", "decision",
            "decision_reason", "joint_opinion__kind", "joint_opinion__reason",
            "joint_opinion__absent_invite_id")), joint.pk)
    out = []
    for pk, case_no, impl_code, item_name, department, status, decision, decision_reason, kind, why, absent in rows:
        st = children[pk]
        op = (kind, why) if kind else None
        if decision == Decision.APPROVE:
            result = "准予许可"
        elif decision == Decision.DENY:
            result = "不予许可"
        elif st.deemed:
            result = "超时默认，视为同意"
        else:
            result = Status(status).label
        out.append({"case_no": case_no, "item_code": impl_code, "item_name": item_name,
                    "department": department, "status": status, "decision": decision or None,
                    "deemed": st.deemed, "result": result, "reason": decision_reason,
                    "opinion": (OpinionKind(op[0]).label + ("（缺席默认）" if absent else "")) if op else "",
                    "opinion_reason": op[1] if op else "", "opinion_deemed_absent": absent is not None})
    return out


def joint_result(*, joint: JointCase, officer: Staff, note: str = "") -> JointCase:
    """The combined result, issued by the lead when every 子件 has decided or is deemed (超时默认) → 已办结.

    Each department still issues its own permit (its 子件's documents); a deemed 子件 is listed as agreed
    ("deemed": true) and cannot hold the result back."""
    check_lead(officer, joint, roles=frozenset({Role.CHIEF_REP, Role.DEPT_HEAD, Role.WINDOW_OFFICER}),
               label="出具联合审批结果")
    note = clean_text(note, field="note", label="联合审批意见")
    with transaction.atomic():
        j, rows = lock_children(joint)
        children = refresh_with(j, rows)
        if j.status in FINAL:
            raise DomainError("bad_state", f"联办件当前状态为“{JointStatus(j.status).label}”，不能出具联合审批结果",
                              status=409)
        waiting = [c for c in children if not c.settled]
        if waiting:
            raise DomainError("children_open", "尚有部门未作出决定：" + "、".join(c.case_no for c in waiting), status=409)
        check_status(j, (JointStatus.READY,), "出具联合审批结果")
        lines = result_lines(j, children)
        all_ok = all(x["decision"] == Decision.APPROVE or (x["deemed"] and x["decision"] != Decision.DENY)
                     for x in lines)
        now = clock.now()
        save(joint, j, status=JointStatus.COMPLETED, result_no=f"LHSP-{j.case_no}"[:40], result_issued_at=now,
             result_issued_by=officer, completed_at=now,
             result={"kind": "approval" if all_ok else "completion", "note": note, "lines": lines})
        event(j, "result", JointStatus.READY, JointStatus.COMPLETED, officer=officer,
              department_id=j.lead_department_id, note=note, data={"result_no": j.result_no})
        tell_applicant(j, "completed", f"您申请的联办事项（联办件编号{j.case_no}）已办结，联合审批结果文号{j.result_no}；"
                       "各部门的许可证件请按约定方式领取。")
    return joint
