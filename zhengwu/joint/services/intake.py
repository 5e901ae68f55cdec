"""一门受理: the lead's window accepts for every 子件 at once, tells one 补正 (一次性告知) covering every
department's missing materials, refuses (不予受理) for all; the applicant withdraws for all.

Each 子件 goes through the ordinary case action (``zhengwu.cases.services``) inside ``acting_for_joint``, so
acceptance starts its clocks (cases/clocks.py) and fixes its due date from its member limit, exactly as for
a case. HOTLINE-JOINT.md §5 (联合办理: 受理通知书 lists the items, departments and route; 一次性告知 all
materials; common materials reviewed once).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from zhengwu.cases.models import Case, CaseMaterial, Status, SupplementItem
from zhengwu.cases.plan import plan_for
from zhengwu.cases.selectors import supplement_open
from zhengwu.cases.services import (
    case_accept,
    case_reject,
    case_request_supplement,
    case_supplement,
    case_withdraw,
    clean_text,
)
from zhengwu.cases.services.common import acting_for_joint
from zhengwu.cases.services.supplement import _mark_received
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.org.models import Staff, Window
from zhengwu.supervision.clocks import department_head_pick

from ..models import JointCase, JointStatus
from .apply import bundle_plan_of, link_files
from .common import FRONT, check_lead, check_status, cn, event, lock, save, tell_applicant
from .refresh import ChildState, derive, joint_refresh

BEFORE_ACCEPTANCE = (JointStatus.SUBMITTED, JointStatus.SUPPLEMENT)


def _children(joint: JointCase, *, light: bool = False) -> list[Case]:
    """The 子件 in ``joint_seq`` order (the order every joint action writes them in); ``light``: only what
    the case actions need (their hall and region), names are then read when asked for."""
    related = ("hall__region",) if light else ("hall__region", "item", "item_version", "department")
    return list(Case.objects.select_related(*related).filter(joint_id=joint.pk).order_by("joint_seq"))


def _held(joint: JointCase) -> dict[int, set[int]]:
    """Per 子件, the ids of the materials it holds (uploaded or received on paper)."""
    have: dict[int, set[int]] = {}
    for case_id, mid in CaseMaterial.objects.filter(case__joint_id=joint.pk, material__isnull=False).values_list(
            "case_id", "material_id"):
        have.setdefault(case_id, set()).add(mid)
    return have


def _line_materials(bp, lines, child: Case) -> list[int]:
    """The material ids of ``child``'s item that the combined-list ``lines`` stand for."""
    out = []
    for no in lines:
        for item_id, material_id in bp.line(no).uses:
            if item_id == child.item_id:
                out.append(material_id)
    return out


def joint_missing(joint: JointCase, *, paper_lines=(), children=None, have=None) -> list[tuple[Case, list[str]]]:
    """Per 子件, the required materials still missing (neither uploaded nor received on paper)."""
    bp = bundle_plan_of(joint)
    children = _children(joint) if children is None else children
    have = _held(joint) if have is None else have
    out = []
    for c in children:
        plan = plan_for(c.item_version_id)
        paper = set(_line_materials(bp, paper_lines, c))
        missing = [name for mid, name in plan.required.items() if mid not in have.get(c.pk, set()) | paper]
        out.append((c, missing))
    return out


def _clock_people(children: list[Case], officer: Staff) -> dict[int, tuple[int | None, int | None]]:
    """Per department of the 子件: (who answers for its 子件's clocks, its department head).

    The officer: the accepting officer for their own department's 子件; else the department's 首席代表 in
    the hall (the first by 工号), else its head (``supervision.clocks.responsible_staff``'s rule). The head:
    ``supervision.clocks.department_head``'s. Read for all departments at once (two queries)."""
    from zhengwu.org.models import Role

    if not children:
        return {}
    depts = sorted({c.department_id for c in children})
    hall_id, region_code = children[0].hall_id, children[0].hall.region.code
    heads: dict[int, list] = {d: [] for d in depts}
    chiefs: dict[int, int] = {}
    for role, dept, sid, hall, code, level in (
            Staff.objects.filter(Q(roles__code=Role.DEPT_HEAD) | Q(roles__code=Role.CHIEF_REP, hall_id=hall_id),
                                 is_active=True, department_id__in=depts)
            .order_by("employee_no")
            .values_list("roles__code", "department_id", "id", "hall_id", "region__code", "region__level")):
        if role == Role.DEPT_HEAD:
            heads[dept].append((sid, code, level))
        elif hall == hall_id:
            chiefs.setdefault(dept, sid)
    out = {}
    for d in depts:
        head = department_head_pick(heads[d], region_code)
        out[d] = (officer.pk if officer.department_id == d else (chiefs.get(d) or head), head)
    return out


def joint_accept(*, joint: JointCase, officer: Staff, paper_lines=(), window: Window | None = None,
                 note: str = "") -> JointCase:
    """受理 for every 子件 at once (一门受理), by the lead department's window (or a 综合窗口)."""
    check_status(joint, BEFORE_ACCEPTANCE, "受理")
    check_lead(officer, joint, roles=FRONT, label="联办件受理")
    note = clean_text(note, field="note", label="受理意见")
    bp = bundle_plan_of(joint)
    today = clock.today()
    with transaction.atomic():
        j = lock(joint)
        check_status(j, BEFORE_ACCEPTANCE, "受理")
        frm = j.status
        children = _children(j, light=True)
        have = _held(j)
        gaps = [(c, m) for c, m in joint_missing(j, paper_lines=paper_lines, children=children, have=have) if m]
        if gaps:
            text = "；".join(f"{c.department.name}（{plan_for(c.item_version_id).item_name}）：{'、'.join(m)}"
                            for c, m in gaps)
            raise DomainError("materials_missing", f"缺少必要材料——{text}。请一次性告知申请人补正后再受理",
                              details={"missing": {c.case_no: m for c, m in gaps}})
        if any(c.status == Status.SUPPLEMENT for c in children):
            raise DomainError("supplement_open", "补正尚未完成，请待申请人补齐材料后再受理", status=409)
        people = _clock_people(children, officer)
        with acting_for_joint(j.pk):
            for c in children:
                who, head = people[c.department_id]
                immediate = plan_for(c.item_version_id).immediate  # a 即办件's clock ends at once, as it was
                case_accept(case=c, officer=officer, paper_materials=_line_materials(bp, paper_lines, c),
                            window=window, note=note, have_materials=have.get(c.pk, set()),
                            clock_officer="auto" if immediate else who, clock_head=head)
        dues = [c.due_date for c in children if c.due_date]
        promised = _promised_due(j, bp.version.promised_days, today)
        # the derived status (joint_refresh's rule) from the 子件 as just accepted: nothing can be deemed or
        # disagreed with before acceptance, so no read is needed and one UPDATE writes both
        j.accepted_on = today
        states = [ChildState(c.pk, c.case_no, c.status, c.due_date, c.decision, c.department_id, deemed=False)
                  for c in children]
        status = derive(j, states, open_disagree=False)
        save(joint, j, accepted_by=officer, accepted_window=window, accepted_on=today, promised_due=promised,
             due_date=max(dues) if dues else None, status=status)
        event(j, "accept", frm, frm, officer=officer, department_id=officer.department_id, note=note,
              data={"children": {c.case_no: c.due_date.isoformat() if c.due_date else None for c in children}})
        if status != frm:
            event(j, "status", frm, status, note="根据各子件办理情况更新")
        tell_applicant(j, "accepted", f"您申请的“{bp.version.name}”已统一受理，联办件编号{j.case_no}，"
                       f"共{len(children)}个事项并联办理，承诺于{cn(promised)}前办结。")
    return joint


def _promised_due(j: JointCase, days: int, today):
    from zhengwu.workdays import engine

    return engine.calendar_for(j.hall.region).due(today, days, []).due


def joint_request_supplement(*, joint: JointCase, officer: Staff, lines=(), missing=(), note: str = "",
                             window: Window | None = None) -> JointCase:
    """补正 for all (一次性告知): ``lines`` are combined-list line numbers (a shared material once: it is asked
    of every 子件 using it); ``missing`` free-text names go to the lead department's 子件."""
    check_status(joint, BEFORE_ACCEPTANCE, "一次性告知补正")
    check_lead(officer, joint, roles=FRONT, label="一次性告知补正")
    bp = bundle_plan_of(joint)
    lines = sorted({int(n) for n in lines})
    for n in lines:
        bp.line(n)
    missing = [m.strip() for m in missing if m and m.strip()]
    if not lines and not missing:
        raise DomainError("missing_empty", "请一次性列明需要补正的全部材料")
    note = clean_text(note, field="note", label="补正要求")
    with transaction.atomic():
        j = lock(joint)
        check_status(j, BEFORE_ACCEPTANCE, "一次性告知补正")
        if j.status == JointStatus.SUPPLEMENT:
            raise DomainError("supplement_open", "已发出补正告知，待申请人补齐后再受理", status=409)
        children = _children(j)
        lead = next((c for c in children if c.department_id == j.lead_department_id), children[0])
        asked = []
        with acting_for_joint(j.pk):
            for c in children:
                mids = _line_materials(bp, lines, c)
                extra = missing if c.pk == lead.pk else []
                if mids or extra:
                    case_request_supplement(case=c, officer=officer, material_ids=mids, missing=extra, note=note,
                                            window=window)
                    asked.append(c.case_no)
        names = [bp.line(n).name for n in lines] + missing
        event(j, "request_supplement", j.status, JointStatus.SUPPLEMENT, officer=officer,
              department_id=officer.department_id, note=note, data={"missing": names, "children": asked})
        joint_refresh(joint=j, locked=True, also=joint)
        tell_applicant(j, "supplement", f"您申请的“{bp.version.name}”（联办件编号{j.case_no}）需要补正材料："
                       f"{'、'.join(names)}。请一次性补齐后提交，可登录门户上传或到窗口递交。")
    return joint


def joint_supplement(*, joint: JointCase, user=None, officer: Staff | None = None, files=(), paper_lines=(),
                     note: str = "") -> JointCase:
    """The applicant (or the window for them) hands in the 补正 once, against the combined list."""
    check_status(joint, (JointStatus.SUPPLEMENT,), "补正材料")
    if officer is not None:
        check_lead(officer, joint, roles=FRONT, label="代为补正")
    elif user is None or joint.applicant_user_id != user.pk:
        raise PermissionDenied("只有申请人本人或受理窗口可以为该联办件补正")
    if paper_lines and officer is None:
        raise PermissionDenied("纸质材料须由窗口核收后登记，申请人请上传材料文件", code="paper_by_staff")
    bp = bundle_plan_of(joint)
    from zhengwu.cases.services import check_upload

    for n, upload in files:
        bp.line(n)
        check_upload(upload)
    note = clean_text(note, field="note", label="补正说明") or "联办件统一补正"
    today = clock.today()
    with transaction.atomic():
        j = lock(joint)
        check_status(j, (JointStatus.SUPPLEMENT,), "补正材料")
        children = [c for c in _children(j) if c.status == Status.SUPPLEMENT]
        uploader = user if user is not None else officer.user
        link_files({c.item_id: c for c in children}, bp, files, uploader=uploader)
        with acting_for_joint(j.pk):
            for c in children:
                got = set(_line_materials(bp, [n for n, _ in files], c))
                request = supplement_open(c)
                if request is not None and got:
                    _mark_received([i for i in request.items.all() if i.material_id in got
                                    and i.state == SupplementItem.State.PENDING], today=today)
                case_supplement(case=c, user=user, officer=officer, note=note,
                                paper_materials=_line_materials(bp, paper_lines, c))
        event(j, "supplement", j.status, j.status, officer=officer, user=user, note=note,
              data={"files": [u.name for _, u in files], "paper": list(paper_lines)})
        joint_refresh(joint=j, locked=True, also=joint)
    return joint


def joint_reject(*, joint: JointCase, officer: Staff, reason: str, window: Window | None = None) -> JointCase:
    """不予受理 for all, with the reason and legal basis."""
    check_status(joint, BEFORE_ACCEPTANCE, "不予受理")
    check_lead(officer, joint, roles=FRONT, label="不予受理")
    reason = clean_text(reason, field="reason", label="不予受理理由")
    if not reason:
        raise DomainError("reason_required", "不予受理必须说明理由和法律依据")
    with transaction.atomic():
        j = lock(joint)
        check_status(j, BEFORE_ACCEPTANCE, "不予受理")
        frm = j.status
        with acting_for_joint(j.pk):
            for c in _children(j):
                case_reject(case=c, officer=officer, reason=reason, window=window)
        save(joint, j, status=JointStatus.REJECTED, completed_at=clock.now())
        event(j, "reject", frm, JointStatus.REJECTED, officer=officer, department_id=officer.department_id,
              note=reason)
        tell_applicant(j, "rejected", f"您申请的联办事项（联办件编号{j.case_no}）不予受理，理由：{reason}。")
    return joint


_WITHDRAW_FROM = (JointStatus.SUBMITTED, JointStatus.SUPPLEMENT, JointStatus.IN_REVIEW, JointStatus.RULING,
                  JointStatus.SUSPENDED)
_CHILD_UNDECIDED = (Status.SUBMITTED, Status.PENDING, Status.SUPPLEMENT, Status.IN_REVIEW, Status.SUSPENDED)


def joint_may_withdraw(joint: JointCase) -> bool:
    """Whether the whole 联办件 may still be withdrawn (for the page's button; the service checks again)."""
    return joint.status in _WITHDRAW_FROM and not any(c.status not in _CHILD_UNDECIDED for c in _children(joint))


def joint_withdraw(*, joint: JointCase, user=None, officer: Staff | None = None, reason: str = "") -> JointCase:
    """The applicant withdraws the whole application (撤回), before any department has decided."""
    open_ = _WITHDRAW_FROM
    check_status(joint, open_, "撤回")
    if officer is not None:
        check_lead(officer, joint, roles=FRONT, label="代为撤回")
    elif user is None or joint.applicant_user_id != user.pk:
        raise PermissionDenied("只有申请人本人或受理窗口可以撤回该联办件")
    reason = clean_text(reason, field="reason", label="撤回原因")
    with transaction.atomic():
        j = lock(joint)
        check_status(j, open_, "撤回")
        children = _children(j)
        if any(c.status not in _CHILD_UNDECIDED for c in children):
            raise DomainError("child_decided", "已有部门作出决定，不能整体撤回，请联系牵头部门", status=409)
        frm = j.status
        with acting_for_joint(j.pk):
            for c in children:
                case_withdraw(case=c, user=user, officer=officer, reason=reason)
        save(joint, j, status=JointStatus.WITHDRAWN, completed_at=clock.now())
        event(j, "withdraw", frm, JointStatus.WITHDRAWN, officer=officer, user=user, note=reason)
    return joint
