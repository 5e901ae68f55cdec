"""联合踏勘 services: scheduling by the lead, confirmation, the on-site record with 缺席默认, sign-off, the
rounds cap, refusals that change nothing, the clock stopped only where the bundle says so, and the
joint-only actions' payload checks."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.cases.models import Case, ClockStop, Status
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.joint import inspections as svc
from zhengwu.joint.actions import JOINT_ACTIONS
from zhengwu.joint.models import Attendance, Inspection, InspectionInvite, InspectionStatus, JointEvent

from .factories_inspection import DAY, attendance, build_joint, fresh

pytestmark = pytest.mark.django_db

INSPECT_DAY = dt.date(2026, 3, 12)  # Thursday
SATURDAY = dt.date(2026, 3, 14)


@pytest.fixture
def w():
    return build_joint()


def schedule(w, *, day=DAY, date=INSPECT_DAY, staff=None, ids=None):
    with clock.frozen(day):
        return svc.inspection_schedule(joint=w.joint, staff=staff or w.officer, date=date, place="建设路18号",
                                       department_ids=ids)


def record(w, inspection, *, rows=None, staff=None, day=INSPECT_DAY, conclusion="场地符合开办条件，议定按图施工"):
    with clock.frozen(day):
        return svc.inspection_record(inspection=inspection, staff=staff or w.officer,
                                     attendance=rows if rows is not None else attendance(w),
                                     conclusion=conclusion)


def sign(w, inspection, *, staff=None, day=INSPECT_DAY):
    with clock.frozen(day):
        return svc.inspection_sign(inspection=inspection, staff=staff or w.chief)


def snapshot(w):
    return (list(Inspection.objects.values_list("id", "status", "conclusion", "record_no", "clock_stops")),
            list(InspectionInvite.objects.values_list("id", "confirmed_at", "attendance", "deemed_agree",
                                                      "notice_no", "absence_reason")),
            JointEvent.objects.count(),
            list(Case.objects.filter(joint=w.joint).values_list("id", "status", "row_version")),
            ClockStop.objects.count())


def refused(w, call, code=None, exc=DomainError):
    before = snapshot(w)
    with pytest.raises(exc) as info:
        call()
    assert snapshot(w) == before
    if code:
        assert info.value.code == code
    return info.value


# -- schedule ------------------------------------------------------------------------------------------


def test_lead_schedules_and_co_departments_are_invited_and_told(w, django_capture_on_commit_callbacks):
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ins = schedule(w)
    assert (ins.round, ins.status, ins.date, ins.organiser) == (1, InspectionStatus.SCHEDULED, INSPECT_DAY, w.officer)
    assert set(ins.invites.values_list("department_id", flat=True)) == {w.co1.pk, w.co2.pk}
    ev = JointEvent.objects.get(joint=w.joint, action="inspection_schedule")
    assert ev.actor_name == "李窗口" and ev.data["departments"] == [w.co1.pk, w.co2.pk]
    told = {m.to_user_id for m in ConsoleNotifier.sent if m.kind == "joint_inspection"}
    assert told == {w.co1_chief.user_id, w.co2_chief.user_id}
    assert "缺席默认" in next(m.text for m in ConsoleNotifier.sent if m.kind == "joint_inspection")


def test_subset_of_co_departments(w):
    ins = schedule(w, ids=[w.co2.pk])
    assert list(ins.invites.values_list("department_id", flat=True)) == [w.co2.pk]


@pytest.mark.parametrize("who", ["co1_chief", "stranger", "leader", "outsider"])
def test_only_the_lead_schedules(w, who):
    err = refused(w, lambda: schedule(w, staff=getattr(w, who)), exc=PermissionDenied)
    assert err.code == "not_lead" and "牵头部门" in err.message


@pytest.mark.parametrize("date,code", [(SATURDAY, "date_not_workday"), (dt.date(2026, 3, 9), "date_past"),
                                       (dt.date(2026, 4, 6), "date_not_workday")])  # 2026-04-06: 清明 holiday
def test_schedule_date_must_be_a_coming_working_day(w, date, code):
    refused(w, lambda: schedule(w, date=date), code)


def test_schedule_refuses_departments_outside_the_case(w):
    refused(w, lambda: schedule(w, ids=[w.unrelated.pk]), "not_co_department")
    refused(w, lambda: schedule(w, ids=[w.dept.pk]), "not_co_department")  # the lead does not invite itself
    refused(w, lambda: schedule(w, ids=[]), "departments_required")


def test_schedule_refused_when_joint_not_in_review(w):
    type(w.joint).objects.filter(pk=w.joint.pk).update(status="completed")
    w.joint.refresh_from_db()
    refused(w, lambda: schedule(w), "joint_closed")


def test_rounds_capped_and_one_open_at_a_time(w):
    first = schedule(w)
    refused(w, lambda: schedule(w), "inspection_open")
    record(w, first)
    sign(w, first)
    second = schedule(w, day=INSPECT_DAY, date=dt.date(2026, 3, 16))
    assert second.round == 2
    with clock.frozen(INSPECT_DAY):
        svc.inspection_cancel(inspection=second, staff=w.officer, reason="天气原因")
    third = schedule(w, day=INSPECT_DAY, date=dt.date(2026, 3, 17))  # a cancelled round is not counted
    assert third.round == 3
    record(w, third, day=dt.date(2026, 3, 17))
    sign(w, third, day=dt.date(2026, 3, 17))
    err = refused(w, lambda: schedule(w, day=dt.date(2026, 3, 17), date=dt.date(2026, 3, 18)), "rounds_exhausted")
    assert "最多2轮" in err.message


def test_rounds_cap_is_the_bundle_versions():
    w = build_joint(max_rounds=1)
    ins = schedule(w)
    record(w, ins)
    sign(w, ins)
    refused(w, lambda: schedule(w, day=INSPECT_DAY, date=dt.date(2026, 3, 16)), "rounds_exhausted")


# -- confirm ---------------------------------------------------------------------------------------------


def test_invited_department_confirms(w):
    ins = schedule(w)
    inv = ins.invites.get(department=w.co1)
    with clock.frozen(DAY):
        svc.inspection_confirm(invite=inv, staff=w.co1_chief)
    inv = fresh(inv)
    assert inv.confirmed_by == w.co1_chief and inv.confirmed_at is not None
    assert JointEvent.objects.filter(action="inspection_confirm", department=w.co1).count() == 1
    refused(w, lambda: svc.inspection_confirm(invite=inv, staff=w.co1_chief), "already_confirmed")


@pytest.mark.parametrize("who", ["stranger", "officer", "co2_chief"])
def test_non_invited_staff_cannot_confirm(w, who):
    ins = schedule(w)
    inv = ins.invites.get(department=w.co1)
    refused(w, lambda: svc.inspection_confirm(invite=inv, staff=getattr(w, who)), "not_invited", PermissionDenied)


def test_confirm_action_for_a_department_not_invited(w):
    schedule(w, ids=[w.co2.pk])
    _label, handler = JOINT_ACTIONS["confirm_inspection"]
    err = refused(w, lambda: handler(joint=w.joint, staff=w.co1_chief, payload={"round": 1}), "not_invited",
                  PermissionDenied)
    assert err.message == "您所在部门未受邀参加本次联合踏勘"


def test_actions_answer_a_stranger_as_for_a_missing_case(w):
    schedule(w)
    for action in ("confirm_inspection", "record_inspection", "sign_inspection", "cancel_inspection"):
        _label, handler = JOINT_ACTIONS[action]
        err = refused(w, lambda h=handler: h(joint=w.joint, staff=w.stranger, payload={"round": 1, "reason": "x"}))
        assert (err.status, err.code, err.message) == (404, "not_found", "未找到该办件")


# -- record: 缺席默认 ------------------------------------------------------------------------------------------


def test_absent_without_reason_is_deemed_to_agree_with_a_notice(w, django_capture_on_commit_callbacks):
    ins = schedule(w)
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record(w, ins, rows=attendance(w, co1="excused", co1_reason="同日另有执法检查，已书面请假", co2="absent"))
    co1, co2 = fresh(ins.invites.get(department=w.co1)), fresh(ins.invites.get(department=w.co2))
    assert (co2.attendance, co2.deemed_agree) == (Attendance.ABSENT, True)
    assert co2.notice_no == "缺默〔2026〕LB2026031000001-1-2号" and co2.notice_issued_at is not None
    assert (co1.attendance, co1.deemed_agree, co1.notice_no) == (Attendance.EXCUSED, False, "")
    assert co1.absence_reason == "同日另有执法检查，已书面请假"
    ev = JointEvent.objects.get(action="inspection_absent_deemed")
    assert ev.department == w.co2 and ev.data["notice_no"] == co2.notice_no
    assert fresh(ins).status == InspectionStatus.RECORDED
    deemed_msgs = [m for m in ConsoleNotifier.sent if m.kind == "joint_absent_deemed"]
    assert {m.to_user_id for m in deemed_msgs} == {w.co2_chief.user_id}
    assert "视为同意" in deemed_msgs[0].text


def test_present_department_is_not_deemed(w):
    ins = schedule(w)
    record(w, ins, rows=attendance(w, co1="present", co2="present"))
    assert not InspectionInvite.objects.filter(deemed_agree=True).exists()
    assert fresh(ins.invites.get(department=w.co1)).opinion == "现场条件符合要求，同意"
    assert not JointEvent.objects.filter(action="inspection_absent_deemed").exists()


def test_no_deemed_consent_when_the_bundle_does_not_apply_it():
    w = build_joint(absent_deemed=False)
    ins = schedule(w)
    record(w, ins)
    co2 = fresh(ins.invites.get(department=w.co2))
    assert (co2.attendance, co2.deemed_agree, co2.notice_no) == (Attendance.ABSENT, False, "")


@pytest.mark.parametrize("rows,code", [
    (lambda w: attendance(w, co2="excused"), "reason_required"),
    (lambda w: attendance(w, co2="absent", co2_reason="临时有事"), "reason_given"),
    (lambda w: attendance(w)[:1], "attendance_incomplete"),
    (lambda w: attendance(w) + attendance(w)[:1], "duplicate_department"),
    (lambda w: [{**attendance(w)[0], "department_id": w.unrelated.pk}, attendance(w)[1]], "not_invited"),
    (lambda w: [{**attendance(w)[0], "attendance": "pending"}, attendance(w)[1]], "attendance_kind"),
    (lambda w: [{**attendance(w)[0], "attendee": ""}, attendance(w)[1]], "attendee_required"),
    (lambda w: [{**attendance(w)[0], "opinion": " "}, attendance(w)[1]], "opinion_required"),
    (lambda w: "not a list", "attendance_required"),
    (lambda w: [1, 2], "invalid_input"),
])
def test_record_refusals_change_nothing(w, rows, code):
    ins = schedule(w)
    refused(w, lambda: record(w, ins, rows=rows(w)), code)


def test_record_needs_a_conclusion_the_lead_and_the_day(w):
    ins = schedule(w)
    refused(w, lambda: record(w, ins, conclusion="  "), "conclusion_required")
    refused(w, lambda: record(w, ins, staff=w.co1_chief), "not_lead", PermissionDenied)
    refused(w, lambda: record(w, ins, day=dt.date(2026, 3, 11)), "too_early")
    record(w, ins)
    refused(w, lambda: record(w, ins), "bad_state")


# -- sign and cancel -------------------------------------------------------------------------------------


def test_only_the_leads_chief_or_head_signs(w):
    ins = schedule(w)
    refused(w, lambda: sign(w, ins), "bad_state")  # not recorded yet
    record(w, ins)
    refused(w, lambda: sign(w, ins, staff=w.co1_chief), "not_lead", PermissionDenied)
    refused(w, lambda: sign(w, ins, staff=w.officer), "wrong_role", PermissionDenied)
    sign(w, ins, staff=w.head)
    ins = fresh(ins)
    assert (ins.status, ins.signed_by, ins.record_no) == (InspectionStatus.SIGNED, w.head,
                                                          "踏勘〔2026〕LB2026031000001-1号")
    assert JointEvent.objects.get(action="inspection_sign").data["record_no"] == ins.record_no


def test_cancel_needs_a_reason_and_the_lead(w):
    ins = schedule(w)
    refused(w, lambda: svc.inspection_cancel(inspection=ins, staff=w.officer, reason=""), "reason_required")
    refused(w, lambda: svc.inspection_cancel(inspection=ins, staff=w.co2_chief, reason="x"), "not_lead",
            PermissionDenied)
    svc.inspection_cancel(inspection=ins, staff=w.officer, reason="申请人申请改期")
    assert fresh(ins).status == InspectionStatus.CANCELLED
    refused(w, lambda: record(w, ins), "bad_state")


# -- the clock -------------------------------------------------------------------------------------------


def statuses(w):
    return [fresh(c).status for c in w.children]


def test_clock_not_stopped_unless_the_bundle_says_so(w):
    ins = schedule(w)
    record(w, ins, rows=attendance(w, co1="present", co2="present"))
    assert statuses(w) == [Status.IN_REVIEW] * 3
    assert not ClockStop.objects.exists() and fresh(ins).clock_stops == []


def test_clock_stops_from_the_record_to_the_sign_off_as_site_survey():
    w = build_joint(stops_clock=True)
    ins = schedule(w)
    due_before = [fresh(c).due_date for c in w.children]
    with clock.frozen(DAY):
        for inv, who in ((ins.invites.get(department=w.co1), w.co1_chief),
                         (ins.invites.get(department=w.co2), w.co2_chief)):
            svc.inspection_confirm(invite=inv, staff=who)
    record(w, ins, rows=attendance(w, co1="present", co2="absent"))
    assert statuses(w) == [Status.SUSPENDED] * 3
    stops = list(ClockStop.objects.order_by("case_id").values_list("case_id", "kind", "start_on", "end_on",
                                                                     "started_by"))
    assert stops == [(w.children[0].pk, "site_survey", INSPECT_DAY, None, w.officer.pk),
                     (w.children[1].pk, "site_survey", INSPECT_DAY, None, w.co1_chief.pk),
                     (w.children[2].pk, "site_survey", INSPECT_DAY, None, w.co2_chief.pk)]
    sign(w, ins, day=dt.date(2026, 3, 13))
    assert statuses(w) == [Status.IN_REVIEW] * 3
    assert set(ClockStop.objects.values_list("end_on", flat=True)) == {dt.date(2026, 3, 13)}
    due_after = [fresh(c).due_date for c in w.children]
    assert all(a > b for a, b in zip(due_after, due_before, strict=True))  # two working days not counted


def test_clock_left_running_where_nobody_of_that_department_may_act():
    """Co 2 did not confirm and the recorder cannot act on its 子件: its clock runs, and the event says so."""
    w = build_joint(stops_clock=True)
    ins = schedule(w, ids=[w.co2.pk])
    record(w, ins, rows=[attendance(w)[1]])
    assert statuses(w) == [Status.SUSPENDED, Status.IN_REVIEW, Status.IN_REVIEW]  # co 1 not invited
    ev = JointEvent.objects.get(action="inspection_record")
    assert ev.data["clock_not_stopped"] == [{"case_no": w.children[2].case_no, "why": "no_officer"}]


def test_clock_not_stopped_when_the_item_lists_no_site_survey():
    w = build_joint(stops_clock=True, special=("expert_review",))
    ins = schedule(w)
    record(w, ins)
    assert statuses(w) == [Status.IN_REVIEW] * 3


# -- the joint-only actions --------------------------------------------------------------------------------


def test_actions_registered():
    assert {"schedule_inspection", "confirm_inspection", "record_inspection", "sign_inspection",
            "cancel_inspection"} <= set(JOINT_ACTIONS)


@pytest.mark.parametrize("action,payload,code", [
    ("schedule_inspection", {}, "date_required"),
    ("schedule_inspection", {"date": "2026-13-01", "place": "x"}, "invalid_date"),
    ("schedule_inspection", {"date": "2026-03-12", "place": "x", "department_ids": "all"}, "invalid_input"),
    ("schedule_inspection", {"date": "2026-03-12", "place": "x", "department_ids": ["a"]}, "not_co_department"),
    ("schedule_inspection", {"date": "2026-03-12"}, "place_required"),
    ("schedule_inspection", {"date": "2026-03-12", "place": 5}, "invalid_input"),
    ("schedule_inspection", [], "invalid_input"),
    ("record_inspection", {}, "round_required"),
    ("record_inspection", {"round": "1"}, "round_required"),
    ("record_inspection", {"round": 9}, "inspection_not_found"),
    ("sign_inspection", {"round": True}, "round_required"),
    ("sign_inspection", {"round": 10**30}, "round_required"),
    ("sign_inspection", {"round": 0}, "round_required"),
    ("schedule_inspection", {"date": "9999-12-31", "place": "x"}, "date_too_far"),
    ("schedule_inspection", {"date": "2026-03-12", "place": "x", "department_ids": [10**30]}, "not_co_department"),
    ("cancel_inspection", {"round": 9, "reason": "x"}, "inspection_not_found"),
])
def test_action_payloads_are_checked(w, action, payload, code):
    _label, handler = JOINT_ACTIONS[action]
    with clock.frozen(DAY):
        refused(w, lambda: handler(joint=w.joint, staff=w.officer, payload=payload), code)


def test_actions_drive_a_whole_inspection(w):
    act = {k: v[1] for k, v in JOINT_ACTIONS.items()}
    with clock.frozen(DAY):
        ins = act["schedule_inspection"](joint=w.joint, staff=w.officer,
                                         payload={"date": "2026-03-12", "place": "建设路18号"})
        act["confirm_inspection"](joint=w.joint, staff=w.co1_chief, payload={"round": ins.round})
    with clock.frozen(INSPECT_DAY):
        act["record_inspection"](joint=w.joint, staff=w.officer,
                                 payload={"round": 1, "attendance": attendance(w), "conclusion": "同意"})
        act["sign_inspection"](joint=w.joint, staff=w.chief, payload={"round": 1})
    assert fresh(ins).status == InspectionStatus.SIGNED
    assert list(JointEvent.objects.filter(joint=w.joint).values_list("action", flat=True)) == [
        "inspection_schedule", "inspection_confirm", "inspection_record", "opinion", "inspection_absent_deemed",
        "inspection_sign"]  # 缺席默认 is also 消防's opinion on its 子件 (test_inspection_opinions.py)
