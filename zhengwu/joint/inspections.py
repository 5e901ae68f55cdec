"""联合踏勘 (joint site inspections) of a 联办件 with 缺席默认: services and their joint-only actions.

The rules come from ../shared/domain/HOTLINE-JOINT.md §5:

- the 主办窗口 (here the bundle's lead department) organises the 联合勘察 (联合办理 procedure,
  jianbiaoku.com/webarbs/book/8092/223768.shtml); a window that refuses or stays away →
  "视缺席窗口默认议定事项";
- 宜春 宜府办发〔2009〕66号 《行政审批并联审批缺席默认和超时默许暂行办法》: a unit that *without good
  reason* does not join the 联合踏勘 is deemed to agree (缺席默认) and the procedure continues; the
  units sign a 告知单 on receipt. Here: an invited department recorded "absent" with no reason is deemed
  to agree when the bundle version says ``absent_deemed``, and a 缺席默认告知书 is issued to it and
  recorded (``InspectionInvite.notice_no``); one whose reason is recorded ("excused") is not deemed.

What "deemed to agree" covers is the matters settled on the spot (踏勘结论), not the department's own
permit: that stays its decision on its 子件 (see §5 "What 超时默认 means legally").

Rounds: at most ``bundle_version.max_inspection_rounds`` inspections that were not cancelled, one open
at a time; the round number is the inspection's sequence on the 联办件 (a cancelled round keeps its
number, so a later one may be 第3轮 when two were held).

The clock: only where ``bundle_version.inspection_stops_clock`` is set, inspection time runs as the
特别程序 现场踏勘 (``SpecialProcedure.SITE_SURVEY``) on the 子件 of the departments taking part (the lead and
the invited): the stop starts on the day the record is taken on the spot (``inspection_record``,
refused before the inspection date) and ends when the lead signs the 踏勘记录 (``inspection_sign``).
It goes through the cases services ``case_suspend`` / ``case_resume`` (ClockStop rows, the supervised
clocks, the applicant told), never the clocks directly. A 子件 is stopped only when it is 审查中, its
item's 实施清单 lists 现场踏勘, and an officer may act on it: the recorder, else the department's staff
who confirmed the invitation. Others are left running and named in the event row.

Lock order (PostgreSQL; docs/joint.md): every service here locks the 联办件 row first and alone
(``FOR UPDATE OF`` the 联办件, never the rows joined to it: the hall, the department, the bundle version),
then the inspection or invitation row, then the 子件 in ``joint_seq`` order (``case_suspend`` /
``case_resume``) — the order of every other joint and case action.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhengwu.catalog.models import SpecialProcedure
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.notify import Message, notify_many
from zhengwu.org.models import Department, Role, Staff
from zhengwu.org.scope import staff_can_act_at, staff_can_read_region
from zhengwu.workdays import engine

from .actions import register_joint_action
from .models import (
    Attendance,
    Inspection,
    InspectionInvite,
    InspectionStatus,
    JointCase,
    JointEvent,
    JointStatus,
)
from .services.opinions import joint_opinion_absent

# the 联办件 states in which the lead may organise an inspection (during the parallel review)
SCHEDULE_STATES = (JointStatus.IN_REVIEW, JointStatus.RULING)
ACTIVE = (InspectionStatus.SCHEDULED, InspectionStatus.RECORDED)
SIGN_ROLES = frozenset({Role.CHIEF_REP, Role.DEPT_HEAD})
TEXT_MAX = 2000
RECORDED_CHOICES = (Attendance.PRESENT, Attendance.EXCUSED, Attendance.ABSENT)
MAX_AHEAD_DAYS = 366
MAX_ROUND = 32767  # the column's range (PositiveSmallIntegerField)


# -- checks ----------------------------------------------------------------------------------------------


def _text(value, *, label: str, max_len: int = TEXT_MAX, required: bool = False, code: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError("invalid_input", f"{label}应为文字")
    value = value.strip()
    if required and not value:
        raise DomainError(code or "required", f"请填写{label}")
    if len(value) > max_len:
        raise DomainError("too_long", f"{label}不能超过{max_len}个字（现为{len(value)}个字）", status=422)
    return value


def is_lead_staff(staff: Staff | None, joint: JointCase) -> bool:
    """Staff of the lead department who may act in the 联办件's hall (窗口人员, 首席代表, 部门负责人)."""
    return bool(staff is not None and staff.is_active and staff.department_id == joint.lead_department_id
                and staff_can_act_at(staff, department_id=joint.lead_department_id, hall=joint.hall))


def is_department_staff(staff: Staff | None, joint: JointCase, department_id: int) -> bool:
    return bool(staff is not None and staff.is_active and staff.department_id == department_id
                and staff_can_act_at(staff, department_id=department_id, hall=joint.hall))


def staff_can_read_joint(staff: Staff, joint: JointCase) -> bool:
    """Who may see a 联办件's inspections: the lead's staff, the hall's 中心管理员, the region's 领导 and
    效能监察员, and the staff of the 子件's departments and of the invited departments in the hall."""
    if not staff.is_active:
        return False
    if is_lead_staff(staff, joint):
        return True
    codes = staff.role_codes()
    if Role.HALL_ADMIN in codes and staff.hall_id == joint.hall_id:
        return True
    if codes & {Role.LEADER, Role.SUPERVISOR} and staff_can_read_region(staff, joint.hall.region):
        return True
    if staff.department_id is None:
        return False
    involved = (joint.children.filter(department_id=staff.department_id).exists()
                or InspectionInvite.objects.filter(inspection__joint=joint,
                                                   department_id=staff.department_id).exists())
    return involved and staff_can_act_at(staff, department_id=staff.department_id, hall=joint.hall)


def may_sign(staff: Staff | None, joint: JointCase) -> bool:
    return is_lead_staff(staff, joint) and bool(staff.role_codes() & SIGN_ROLES)


def _require_lead(staff: Staff, joint: JointCase, what: str) -> None:
    if not is_lead_staff(staff, joint):
        raise PermissionDenied(f"{what}由牵头部门（{joint.lead_department.name}）的工作人员办理", code="not_lead")


def _require_open_joint(joint: JointCase) -> None:
    if not joint.is_open:
        raise DomainError("joint_closed", f"联办件当前状态为“{JointStatus(joint.status).label}”，不能办理联合踏勘",
                          status=409)


def _require_status(inspection: Inspection, *allowed: str, what: str) -> None:
    if inspection.status not in allowed:
        raise DomainError("bad_state", f"该次联合踏勘当前状态为“{InspectionStatus(inspection.status).label}”，"
                          f"不能{what}", status=409)


def co_departments(joint: JointCase) -> list[Department]:
    """The departments of the 子件 other than the lead, in 子件 order (the default invitees)."""
    seen: dict[int, Department] = {}
    for case in joint.children.select_related("department").order_by("joint_seq", "id"):
        if case.department_id != joint.lead_department_id and case.department_id not in seen:
            seen[case.department_id] = case.department
    return list(seen.values())


def _event(joint: JointCase, action: str, *, staff: Staff, note: str = "", data: dict | None = None,
           department: Department | None = None) -> JointEvent:
    return JointEvent.objects.create(
        joint=joint, at=clock.now(), action=action, actor=staff.user, actor_name=staff.name,
        department=department or staff.department, note=note, data=data or {})


def _recipients(department_id: int, joint: JointCase) -> list[Staff]:
    """Who hears for a department: its 首席代表 in the 联办件's hall and its 部门负责人."""
    people = list(Staff.objects.filter(department_id=department_id, is_active=True,
                                       roles__code__in=[Role.CHIEF_REP, Role.DEPT_HEAD]).distinct())
    return [p for p in people if p.hall_id in (None, joint.hall_id) or p.has_role(Role.DEPT_HEAD)]


def _tell(departments: list[int], joint: JointCase, *, kind: str, text: str, data: dict) -> None:
    out = [Message(to_phone=p.phone, to_user_id=p.user_id, kind=kind, text=text, data=data)
           for d in departments for p in _recipients(d, joint)]
    notify_many(out)


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def record_no_for(inspection: Inspection) -> str:
    """The 踏勘记录's number: unique by (联办件, round), so no counter to race on."""
    return f"踏勘〔{inspection.date.year}〕{inspection.joint.case_no}-{inspection.round}号"


def notice_no_for(inspection: Inspection, seq: int) -> str:
    """The 缺席默认告知书's number: the invited department's place on the inspection's list."""
    return f"缺默〔{inspection.date.year}〕{inspection.joint.case_no}-{inspection.round}-{seq}号"


# -- locks ------------------------------------------------------------------------------------------------


def _lock_joint(joint_id: int, *related: str) -> JointCase:
    """The 联办件 row, locked first and alone (with what the caller reads of it joined, not locked)."""
    joint = JointCase.objects.select_for_update(of=("self",)).select_related(*related).filter(pk=joint_id).first()
    if joint is None:
        raise NotFound("未找到该联办件")
    return joint


def _lock_inspection(inspection: Inspection, joint: JointCase) -> Inspection:
    """The inspection row, locked after its 联办件's."""
    fresh = Inspection.objects.select_for_update(of=("self",)).filter(pk=inspection.pk, joint=joint).first()
    if fresh is None:
        raise NotFound("未找到该联合踏勘", code="inspection_not_found")
    fresh.joint = joint
    return fresh


# -- services ---------------------------------------------------------------------------------------------


def inspection_schedule(*, joint: JointCase, staff: Staff, date: dt.date, place: str,
                        department_ids: list[int] | None = None, note: str = "") -> Inspection:
    """The lead department schedules a round of 联合踏勘 and notifies the invited departments."""
    _require_lead(staff, joint, "组织联合踏勘")
    place = _text(place, label="踏勘地点", max_len=200, required=True, code="place_required")
    note = _text(note, label="踏勘说明")
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise DomainError("invalid_date", "踏勘日期格式不正确")
    today = clock.today()
    if date < today:
        raise DomainError("date_past", "踏勘日期不能早于今天")
    if date > today + dt.timedelta(days=MAX_AHEAD_DAYS):
        raise DomainError("date_too_far", "踏勘日期不能晚于一年以后")
    if not engine.is_workday(date, region=joint.hall.region):
        raise DomainError("date_not_workday", f"{_cn(date)}不是工作日，请选择工作日踏勘")
    with transaction.atomic():
        joint = JointCase.objects.select_for_update(of=("self",)).select_related(
            "bundle_version", "lead_department", "hall").get(pk=joint.pk)
        _require_open_joint(joint)
        if joint.status not in SCHEDULE_STATES:
            raise DomainError("joint_state", f"联办件当前状态为“{JointStatus(joint.status).label}”，"
                              "并联审查期间方可组织联合踏勘", status=409)
        held = list(joint.inspections.values_list("round", "status"))
        if any(s in ACTIVE for _r, s in held):
            raise DomainError("inspection_open", "本联办件尚有未签认的联合踏勘，请先完成或取消", status=409)
        cap = joint.bundle_version.max_inspection_rounds
        if sum(1 for _r, s in held if s != InspectionStatus.CANCELLED) >= cap:
            raise DomainError("rounds_exhausted", f"本联办事项的联合踏勘最多{cap}轮，已达上限", status=409)
        candidates = {d.pk: d for d in co_departments(joint)}
        if not candidates:
            raise DomainError("no_co_department", "本联办件没有需要邀请的协办部门")
        if department_ids is None or list(department_ids) == []:
            if department_ids is not None:
                raise DomainError("departments_required", "请至少邀请一个协办部门")
            invited = list(candidates.values())
        else:
            ids = []
            for raw in department_ids:
                if isinstance(raw, bool) or not isinstance(raw, int) or raw not in candidates:
                    raise DomainError("not_co_department", "受邀部门须为本联办件的协办部门")
                if raw not in ids:
                    ids.append(raw)
            invited = [candidates[i] for i in ids]
        rnd = max((r for r, _s in held), default=0) + 1
        inspection = Inspection.objects.create(joint=joint, round=rnd, date=date, place=place, organiser=staff,
                                               note=note, status=InspectionStatus.SCHEDULED)
        InspectionInvite.objects.bulk_create([InspectionInvite(inspection=inspection, department=d)
                                              for d in invited])
        names = "、".join(d.name for d in invited)
        _event(joint, "inspection_schedule", staff=staff,
               note=f"第{rnd}轮联合踏勘定于{_cn(date)}在{place}进行，邀请{names}",
               data={"inspection_id": inspection.pk, "round": rnd, "date": date.isoformat(), "place": place,
                     "departments": [d.pk for d in invited]})
        text = (f"【联合踏勘通知】{joint.lead_department.name}定于{_cn(date)}在{place}组织联办件{joint.case_no}"
                f"（{joint.bundle_version.name}）第{rnd}轮联合踏勘，请确认参加。无正当理由不参加的，"
                + ("视为同意踏勘议定事项（缺席默认）。" if joint.bundle_version.absent_deemed else "请事先说明理由。"))
        _tell([d.pk for d in invited], joint, kind="joint_inspection", text=text,
              data={"joint_no": joint.case_no, "round": rnd})
    inspection.joint = joint
    return inspection


def inspection_confirm(*, invite: InspectionInvite, staff: Staff) -> InspectionInvite:
    """The invited department confirms it will take part (any of its staff in the hall)."""
    joint_id = InspectionInvite.objects.filter(pk=invite.pk).values_list("inspection__joint_id", flat=True).first()
    if joint_id is None:
        raise NotFound("未找到该联合踏勘邀请")
    with transaction.atomic():
        joint = _lock_joint(joint_id, "hall", "lead_department")
        invite = InspectionInvite.objects.select_for_update(of=("self",)).select_related(
            "inspection", "department").get(pk=invite.pk)
        inspection = invite.inspection
        inspection.joint = joint
        if not is_department_staff(staff, joint, invite.department_id):
            raise PermissionDenied("只有受邀部门的工作人员可以确认参加", code="not_invited")
        _require_open_joint(joint)
        _require_status(inspection, InspectionStatus.SCHEDULED, what="确认参加")
        if invite.confirmed_at is not None:
            raise DomainError("already_confirmed", "本部门已确认参加本次联合踏勘", status=409)
        invite.confirmed_at, invite.confirmed_by = clock.now(), staff
        invite.save(update_fields=["confirmed_at", "confirmed_by"])
        _event(joint, "inspection_confirm", staff=staff, department=invite.department,
               note=f"{invite.department.name}确认参加第{inspection.round}轮联合踏勘",
               data={"inspection_id": inspection.pk, "round": inspection.round})
    return invite


def _clean_attendance(rows, invites: list[InspectionInvite]) -> dict[int, dict]:
    """One row per invited department, each a complete answer; nothing partial is accepted."""
    if not isinstance(rows, list) or not rows:
        raise DomainError("attendance_required", "请逐一记录受邀部门的到场情况")
    by_dept = {i.department_id: i for i in invites}
    out: dict[int, dict] = {}
    for row in rows:
        if not isinstance(row, dict):
            raise DomainError("invalid_input", "到场情况格式不正确")
        dept = row.get("department_id")
        if isinstance(dept, bool) or not isinstance(dept, int) or dept not in by_dept:
            raise DomainError("not_invited", "到场情况中有未受邀参加本次踏勘的部门")
        if dept in out:
            raise DomainError("duplicate_department", f"{by_dept[dept].department.name}重复记录")
        name = by_dept[dept].department.name
        kind = row.get("attendance")
        if kind not in RECORDED_CHOICES:
            raise DomainError("attendance_kind", f"请选择{name}的到场情况：到场、缺席（有理由）或缺席")
        attendee = _text(row.get("attendee"), label=f"{name}的到场人员", max_len=100)
        reason = _text(row.get("absence_reason"), label=f"{name}的缺席理由", max_len=300)
        opinion = _text(row.get("opinion"), label=f"{name}的踏勘意见")
        if kind == Attendance.PRESENT:
            if not attendee:
                raise DomainError("attendee_required", f"请填写{name}的到场人员")
            if not opinion:
                raise DomainError("opinion_required", f"请填写{name}的现场踏勘意见")
            reason = ""
        elif kind == Attendance.EXCUSED:
            if not reason:
                raise DomainError("reason_required", f"{name}缺席有理由的，须记录缺席理由")
            attendee = ""
        else:
            if reason:
                raise DomainError("reason_given", f"{name}已说明缺席理由的，请选择“缺席（有理由）”")
            attendee = opinion = ""
        out[dept] = {"attendance": kind, "attendee": attendee, "absence_reason": reason, "opinion": opinion}
    missing = [by_dept[d].department.name for d in by_dept if d not in out]
    if missing:
        raise DomainError("attendance_incomplete", f"尚未记录到场情况：{'、'.join(missing)}")
    return out


def _handlers() -> frozenset[str]:
    from zhengwu.cases.transitions import TRANSITIONS

    return frozenset(TRANSITIONS["suspend"].roles)


def _can_handle(officer: Staff | None, case) -> bool:
    if officer is None or not staff_can_act_at(officer, department_id=case.department_id, hall=case.hall):
        return False
    codes = officer.role_codes()
    return bool(codes & _handlers()) or Role.HALL_ADMIN in codes


def _stop_clocks(inspection: Inspection, joint: JointCase, staff: Staff, invites: list[InspectionInvite]):
    """特别程序 现场踏勘 on the taking-part 子件 (see the module docstring); returns (stopped, skipped)."""
    from zhengwu.cases import services as case_services
    from zhengwu.cases.models import Status
    from zhengwu.cases.plan import plan_for

    confirmers = {i.department_id: i.confirmed_by for i in invites}
    taking_part = {joint.lead_department_id, *confirmers}
    stopped, skipped = [], []
    reason = f"联合踏勘（第{inspection.round}轮，{_cn(inspection.date)}，{inspection.place}）"
    for case in joint.children.select_related("hall", "department").order_by("joint_seq", "id"):
        if case.department_id not in taking_part:
            continue
        if case.status != Status.IN_REVIEW:
            skipped.append({"case_no": case.case_no, "why": "not_in_review"})
            continue
        if SpecialProcedure.SITE_SURVEY not in plan_for(case.item_version_id).special_procedures:
            skipped.append({"case_no": case.case_no, "why": "not_listed"})
            continue
        officer = next((o for o in (staff, confirmers.get(case.department_id)) if _can_handle(o, case)), None)
        if officer is None:
            skipped.append({"case_no": case.case_no, "why": "no_officer"})
            continue
        case_services.case_suspend(case=case, officer=officer, kind=SpecialProcedure.SITE_SURVEY, reason=reason)
        stopped.append({"case_id": case.pk, "case_no": case.case_no, "officer_id": officer.pk})
    return stopped, skipped


def _resume_clocks(inspection: Inspection, staff: Staff):
    from zhengwu.cases import services as case_services
    from zhengwu.cases.models import Case, Status

    resumed, left = [], []
    result = f"联合踏勘已结束，踏勘记录{inspection.record_no}已签认"
    starters = {row["case_id"]: row.get("officer_id") for row in inspection.clock_stops}
    # the 子件 in joint_seq order (the lock order)
    for case in Case.objects.select_related("hall").filter(pk__in=list(starters)).order_by("joint_seq", "id"):
        if case.status != Status.SUSPENDED:
            continue
        starter = Staff.objects.filter(pk=starters[case.pk]).first()
        officer = next((o for o in (staff, starter) if _can_handle(o, case)), None)
        if officer is None:
            left.append(case.case_no)
            continue
        case_services.case_resume(case=case, officer=officer, result=result)
        resumed.append(case.case_no)
    return resumed, left


def inspection_record(*, inspection: Inspection, staff: Staff, attendance: list[dict],
                      conclusion: str) -> Inspection:
    """The lead records on the spot each invited department's attendance and opinion and the conclusion.

    An "absent" department (no reason recorded) is deemed to agree when the bundle applies 缺席默认, and a
    缺席默认告知书 is issued to it; an "excused" one must have its reason recorded and is not deemed.
    """
    conclusion = _text(conclusion, label="踏勘结论", required=True, code="conclusion_required")
    with transaction.atomic():
        joint = _lock_joint(inspection.joint_id, "bundle_version", "hall__region", "lead_department")
        inspection = _lock_inspection(inspection, joint)
        _require_lead(staff, joint, "记录联合踏勘")
        _require_open_joint(joint)
        _require_status(inspection, InspectionStatus.SCHEDULED, what="记录")
        if clock.today() < inspection.date:
            raise DomainError("too_early", f"踏勘日期为{_cn(inspection.date)}，当天方可记录", status=409)
        invites = list(inspection.invites.select_related("department", "confirmed_by").order_by("id"))
        rows = _clean_attendance(attendance, invites)
        deems = joint.bundle_version.absent_deemed
        now = clock.now()
        deemed = []
        for seq, inv in enumerate(invites, start=1):
            row = rows[inv.department_id]
            inv.attendance, inv.attendee = row["attendance"], row["attendee"]
            inv.absence_reason, inv.opinion = row["absence_reason"], row["opinion"]
            inv.deemed_agree = deems and inv.attendance == Attendance.ABSENT
            if inv.deemed_agree:
                inv.notice_no, inv.notice_issued_at = notice_no_for(inspection, seq), now
                deemed.append(inv)
            inv.save(update_fields=["attendance", "attendee", "absence_reason", "opinion", "deemed_agree",
                                    "notice_no", "notice_issued_at"])
        inspection.status, inspection.conclusion, inspection.recorded_at = InspectionStatus.RECORDED, conclusion, now
        stopped, skipped = ([], [])
        if joint.bundle_version.inspection_stops_clock:
            stopped, skipped = _stop_clocks(inspection, joint, staff, invites)
        inspection.clock_stops = [{"case_id": s["case_id"], "officer_id": s["officer_id"]} for s in stopped]
        inspection.save(update_fields=["status", "conclusion", "recorded_at", "clock_stops"])
        _event(joint, "inspection_record", staff=staff,
               note=f"记录第{inspection.round}轮联合踏勘：" + "；".join(
                   f"{i.department.name}{Attendance(i.attendance).label}" for i in invites),
               data={"inspection_id": inspection.pk, "round": inspection.round,
                     "attendance": {str(i.department_id): i.attendance for i in invites},
                     "deemed": [i.department_id for i in deemed],
                     "clock_stopped": [s["case_no"] for s in stopped], "clock_not_stopped": skipped})
        for inv in deemed:
            # recorded as the department's opinion (同意, deemed by absence) on its 子件: the lead's combined
            # result reads it there
            inv.inspection = inspection
            opinions = joint_opinion_absent(joint=joint, invite=inv, recorder=staff)
            _event(joint, "inspection_absent_deemed", staff=staff, department=inv.department,
                   note=f"{inv.department.name}无正当理由未参加第{inspection.round}轮联合踏勘，视为同意踏勘议定事项，"
                        f"已发出缺席默认告知书（{inv.notice_no}）",
                   data={"inspection_id": inspection.pk, "invite_id": inv.pk, "notice_no": inv.notice_no,
                         "opinions": [o.pk for o in opinions]})
            _tell([inv.department_id], joint, kind="joint_absent_deemed",
                  text=f"【缺席默认告知】贵单位未说明理由缺席{_cn(inspection.date)}联办件{joint.case_no}第{inspection.round}"
                       f"轮联合踏勘，依照缺席默认制视为同意踏勘议定事项，程序继续进行。告知书编号：{inv.notice_no}",
                  data={"joint_no": joint.case_no, "notice_no": inv.notice_no})
    return inspection


def inspection_sign(*, inspection: Inspection, staff: Staff) -> Inspection:
    """The lead's 首席代表 or 部门负责人 signs the 踏勘记录: it becomes final with its number; stopped clocks
    run again."""
    with transaction.atomic():
        joint = _lock_joint(inspection.joint_id, "lead_department", "hall")
        inspection = _lock_inspection(inspection, joint)
        _require_lead(staff, joint, "签认踏勘记录")
        if not may_sign(staff, joint):
            raise PermissionDenied("踏勘记录由牵头部门的首席代表或部门负责人签认", code="wrong_role")
        _require_status(inspection, InspectionStatus.RECORDED, what="签认")
        inspection.status, inspection.signed_by, inspection.signed_at = InspectionStatus.SIGNED, staff, clock.now()
        inspection.record_no = record_no_for(inspection)
        inspection.save(update_fields=["status", "signed_by", "signed_at", "record_no"])
        resumed, left = _resume_clocks(inspection, staff)
        _event(joint, "inspection_sign", staff=staff,
               note=f"签认第{inspection.round}轮联合踏勘记录（{inspection.record_no}）",
               data={"inspection_id": inspection.pk, "round": inspection.round, "record_no": inspection.record_no,
                     "clock_resumed": resumed, "clock_left_stopped": left})
    return inspection


def inspection_cancel(*, inspection: Inspection, staff: Staff, reason: str) -> Inspection:
    """The lead cancels a scheduled (not yet recorded) inspection; the invited departments are told."""
    reason = _text(reason, label="取消原因", max_len=300, required=True, code="reason_required")
    with transaction.atomic():
        joint = _lock_joint(inspection.joint_id, "lead_department", "hall")
        inspection = _lock_inspection(inspection, joint)
        _require_lead(staff, joint, "取消联合踏勘")
        _require_status(inspection, InspectionStatus.SCHEDULED, what="取消")
        inspection.status, inspection.cancel_reason = InspectionStatus.CANCELLED, reason
        inspection.save(update_fields=["status", "cancel_reason"])
        _event(joint, "inspection_cancel", staff=staff, note=f"取消第{inspection.round}轮联合踏勘：{reason}",
               data={"inspection_id": inspection.pk, "round": inspection.round})
        _tell(list(inspection.invites.values_list("department_id", flat=True)), joint, kind="joint_inspection",
              text=f"【联合踏勘取消】联办件{joint.case_no}原定{_cn(inspection.date)}的第{inspection.round}轮联合踏勘"
                   f"已取消：{reason}", data={"joint_no": joint.case_no, "round": inspection.round})
    return inspection


# -- joint-only actions (POST /api/cases/{joint_no}/actions/{action}) -----------------------------------------


def inspection_for_round(joint: JointCase, payload: dict) -> Inspection:
    rnd = payload.get("round")
    if isinstance(rnd, bool) or not isinstance(rnd, int) or not 1 <= rnd <= MAX_ROUND:
        raise DomainError("round_required", "请指明联合踏勘的轮次（round，正整数）")
    inspection = Inspection.objects.filter(joint=joint, round=rnd).first()
    if inspection is None:
        raise NotFound(f"本联办件没有第{rnd}轮联合踏勘", code="inspection_not_found")
    return inspection


def _payload(payload, *, joint: JointCase, staff: Staff | None) -> dict:
    """The request body, once the caller is known to be involved in the 联办件 (else the same 404 as for a
    missing number: nobody learns which rounds a case they do not handle has)."""
    if staff is None or not staff_can_read_joint(staff, joint):
        raise NotFound("未找到该办件")
    if not isinstance(payload, dict):
        raise DomainError("invalid_input", "请求内容应为 JSON 对象")
    return payload


def _date(value) -> dt.date:
    if not isinstance(value, str):
        raise DomainError("date_required", "请填写踏勘日期（YYYY-MM-DD）")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError("invalid_date", "踏勘日期格式不正确，应为 YYYY-MM-DD") from None


def _act_schedule(*, joint, staff, payload):
    p = _payload(payload, joint=joint, staff=staff)
    ids = p.get("department_ids")
    if ids is not None and not isinstance(ids, list):
        raise DomainError("invalid_input", "受邀部门（department_ids）应为部门编号列表")
    return inspection_schedule(joint=joint, staff=staff, date=_date(p.get("date")), place=p.get("place"),
                               department_ids=ids, note=p.get("note") or "")


def _act_confirm(*, joint, staff, payload):
    inspection = inspection_for_round(joint, _payload(payload, joint=joint, staff=staff))
    invite = inspection.invites.filter(department_id=staff.department_id).first() if staff.department_id else None
    if invite is None:
        raise PermissionDenied("您所在部门未受邀参加本次联合踏勘", code="not_invited")
    return inspection_confirm(invite=invite, staff=staff)


def _act_record(*, joint, staff, payload):
    p = _payload(payload, joint=joint, staff=staff)
    return inspection_record(inspection=inspection_for_round(joint, p), staff=staff,
                             attendance=p.get("attendance"), conclusion=p.get("conclusion"))


def _act_sign(*, joint, staff, payload):
    return inspection_sign(inspection=inspection_for_round(joint, _payload(payload, joint=joint, staff=staff)),
                           staff=staff)


def _act_cancel(*, joint, staff, payload):
    p = _payload(payload, joint=joint, staff=staff)
    return inspection_cancel(inspection=inspection_for_round(joint, p), staff=staff, reason=p.get("reason"))


register_joint_action("schedule_inspection", "组织联合踏勘", _act_schedule)
register_joint_action("confirm_inspection", "确认参加联合踏勘", _act_confirm)
register_joint_action("record_inspection", "记录联合踏勘", _act_record)
register_joint_action("sign_inspection", "签认踏勘记录", _act_sign)
register_joint_action("cancel_inspection", "取消联合踏勘", _act_cancel)
