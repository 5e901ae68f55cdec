"""The demo's 联合踏勘: on the demo's joint cases (built by ``joint_cases.py``), one signed inspection where a
co-department stayed away without a reason and was deemed to agree (缺席默认, with its notice), and one
scheduled for the coming working day that the invited departments still have to confirm.

Call after the demo's joint cases: ``build_inspections(stdout=...)``. Skipped when any inspection exists.
Everything goes through ``zhengwu.joint.inspections`` (the same services as the pages), dated with
``clock.frozen`` where the signed one lies in the past.
"""

from __future__ import annotations

import datetime as dt

from zhengwu.cases.models import Status
from zhengwu.core import clock
from zhengwu.joint import inspections as svc
from zhengwu.joint.models import Inspection, JointCase, JointStatus
from zhengwu.org.models import Role, Staff
from zhengwu.workdays import engine


def _person(joint: JointCase, department_id: int) -> Staff | None:
    """A 首席代表 (else 部门负责人) of the department who may act at the joint's hall."""
    qs = Staff.objects.filter(department_id=department_id, is_active=True).order_by("employee_no")
    for role in (Role.CHIEF_REP, Role.DEPT_HEAD):
        for s in qs.filter(roles__code=role):
            if svc.is_department_staff(s, joint, department_id):
                return s
    return None


def _candidates() -> list[tuple[JointCase, Staff, list]]:
    """Joint cases the lead may inspect, the plainest first: 并联审查中 before 待牵头部门处理, fewest 子件 already
    decided, then by number."""
    out = []
    joints = (JointCase.objects.filter(status__in=svc.SCHEDULE_STATES, inspections__isnull=True)
              .select_related("bundle_version", "hall__region", "lead_department").order_by("case_no"))
    for joint in joints:
        lead = _person(joint, joint.lead_department_id)
        co = svc.co_departments(joint)
        if lead is not None and co:
            out.append((joint, lead, co))
    out.sort(key=lambda t: (t[0].status != JointStatus.IN_REVIEW,
                            t[0].children.exclude(status=Status.IN_REVIEW).count(), t[0].case_no))
    return out


def _past_day(joint: JointCase, today: dt.date) -> dt.date:
    """The last working day before today, not before the joint's acceptance (else today)."""
    region = joint.hall.region
    day = today - dt.timedelta(days=1)
    while not engine.is_workday(day, region=region):
        day -= dt.timedelta(days=1)
    start = joint.accepted_on or today
    return day if day >= start else today


def _next_day(joint: JointCase, today: dt.date) -> dt.date:
    day = today + dt.timedelta(days=1)
    while not engine.is_workday(day, region=joint.hall.region):
        day += dt.timedelta(days=1)
    return day


def _signed(joint: JointCase, lead: Staff, co: list, today: dt.date) -> Inspection:
    day = _past_day(joint, today)
    absent = co[-1]
    with clock.frozen(dt.datetime.combine(day, dt.time(9, 0))):
        ins = svc.inspection_schedule(joint=joint, staff=lead, date=day, place=f"{joint.applicant_name}经营场所现场",
                                      note="核查经营场所布局、消防通道、排水接入和招牌设置位置")
        for d in co[:-1]:
            who = _person(joint, d.pk)
            if who is not None:
                svc.inspection_confirm(invite=ins.invites.get(department=d), staff=who)
    rows = []
    for d in co:
        who = _person(joint, d.pk)
        if d.pk == absent.pk:
            rows.append({"department_id": d.pk, "attendance": "absent"})
        else:
            rows.append({"department_id": d.pk, "attendance": "present",
                         "attendee": who.name if who else f"{d.name}工作人员",
                         "opinion": "现场与申报材料一致，同意；请按平面图设置操作间和消防通道。"})
    with clock.frozen(dt.datetime.combine(day, dt.time(15, 0))):
        svc.inspection_record(inspection=ins, staff=lead, attendance=rows,
                              conclusion="经营场所与申报一致，具备开办条件。议定：申请人按平面图完成操作间隔断后，"
                                         "各部门在承诺时限内出具审批结果。")
        svc.inspection_sign(inspection=ins, staff=lead)
    return ins


def build_inspections(*, stdout=None, today: dt.date | None = None) -> int:
    """Returns how many inspections were made (0 when the demo already has some or no joint case fits)."""
    if Inspection.objects.exists():
        return 0
    say = stdout.write if stdout is not None else (lambda _msg: None)
    today = today or clock.today()
    found = _candidates()
    deemed_first = sorted(found, key=lambda t: not t[0].bundle_version.absent_deemed)  # stable: keeps the order
    made = 0
    if deemed_first:
        joint, lead, co = deemed_first[0]
        _signed(joint, lead, co, today)
        made += 1
        found = [t for t in found if t[0].pk != joint.pk]
    if found:
        joint, lead, _co = found[0]
        svc.inspection_schedule(joint=joint, staff=lead, date=_next_day(joint, today),
                                place=f"{joint.applicant_name}项目现场", note="请各部门携带现场核查记录表")
        made += 1
    say(f"  已生成 {made} 次联合踏勘（含缺席默认 1 次）。\n" if made else "  没有可组织联合踏勘的联办件。\n")
    return made
