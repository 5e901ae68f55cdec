"""超时默认 of a 子件: the daily sweep marks a department that never answered on exactly the 2nd working day
after its limit (across National Day 2026), once; the 超时默认通知单 exists; the combined result counts it
as agreed and cannot be held back by it."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.cases import services as cs
from zhengwu.cases.models import Case
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.joint import services as js
from zhengwu.joint.models import JointEvent, JointStatus
from zhengwu.supervision.documents import deemed_notice_pdf
from zhengwu.supervision.models import Clock, ClockState, DeemedApproval
from zhengwu.supervision.services import sweep_run
from zhengwu.workdays import engine

from .factories import build_bundle_world, children, fresh, window_apply

pytestmark = pytest.mark.django_db

ACCEPTED = dt.date(2026, 9, 29)  # Tuesday before National Day


def _accepted(w):
    with clock.frozen(ACCEPTED):
        joint = window_apply(w)
        js.joint_accept(joint=joint, officer=w.officer)
        kids = children(joint)
        # the lead and 公安 decide; 消防 (3 working days) never answers
        lead = Case.objects.get(pk=kids[0].pk)
        cs.case_review(case=lead, officer=w.chief)
        cs.case_decide(case=lead, officer=w.head, decision="approve")
        cs.case_decide(case=Case.objects.get(pk=kids[1].pk), officer=w.co1_chief, decision="approve")
    return fresh(joint), kids


def _nth_workday_after(day, n):
    cal = engine.calendar_for(None)
    while n:
        day += dt.timedelta(days=1)
        if cal.is_workday(day):
            n -= 1
    return day


def test_silent_department_is_deemed_on_the_second_working_day_after_its_limit_once():
    w = build_bundle_world()
    joint, kids = _accepted(w)
    late = fresh(kids[2])
    due = late.due_date
    assert due == engine.calendar_for(None).due(ACCEPTED, 3, []).due
    assert due > dt.date(2026, 10, 7)  # the limit runs across the National Day holiday
    deem_day = _nth_workday_after(due, 2)
    day = due
    while day < deem_day:  # every day before it (working days, weekends, the 调休 Saturday): nothing
        day += dt.timedelta(days=1)
        if day == deem_day:
            break
        with clock.frozen(day):
            assert sweep_run(today=day).deemed == 0, day
    assert not DeemedApproval.objects.exists()
    assert fresh(joint).status == JointStatus.IN_REVIEW

    with clock.frozen(deem_day):
        first = sweep_run(today=deem_day)
        again = sweep_run(today=deem_day)
    assert (first.deemed, again.deemed) == (1, 0)
    with clock.frozen(_nth_workday_after(deem_day, 1)):
        assert sweep_run().deemed == 0
    rec = DeemedApproval.objects.get()
    assert (rec.subject_no, rec.department_id, rec.due_date, rec.issued_on) == (late.case_no, w.co2.pk, due, deem_day)
    assert rec.reply_by == _nth_workday_after(deem_day, 1)  # approval within 1 working day
    assert Clock.objects.filter(kind_id="deemed_reply", subject_id=rec.pk, state=ClockState.RUNNING,
                                due_date=rec.reply_by).exists()
    # the late 办结时限 clock stays on the department's 首席代表 (the monthly assessment counts it there)
    assert Clock.objects.get(subject_type="case", subject_id=late.pk, kind_id="case").officer_id == w.co2_chief.pk
    assert deemed_notice_pdf(rec)[:4] == b"%PDF"

    joint = fresh(joint)
    assert joint.status == JointStatus.READY  # a deemed 子件 counts as agreed
    assert JointEvent.objects.filter(joint=joint, action="deemed").count() == 1
    # the deemed department may no longer object
    with clock.frozen(deem_day), pytest.raises(DomainError) as e:
        js.joint_opinion(case=fresh(late), officer=w.co2_chief, kind="disagree", reason="逾期后提出")
    assert e.value.code == "deemed"
    with clock.frozen(deem_day):
        js.joint_result(joint=joint, officer=w.chief)
    joint = fresh(joint)
    assert joint.status == JointStatus.COMPLETED
    line = joint.result["lines"][2]
    assert (line["case_no"], line["deemed"], line["decision"], line["result"]) == (
        late.case_no, True, None, "超时默认，视为同意")
    assert joint.result["kind"] == "approval"


def test_no_deemed_when_the_bundle_does_not_say_so():
    w = build_bundle_world(deemed=False)
    joint, kids = _accepted(w)
    deem_day = _nth_workday_after(fresh(kids[2]).due_date, 2)
    with clock.frozen(deem_day):
        assert sweep_run(today=deem_day).deemed == 0
    assert fresh(joint).status == JointStatus.IN_REVIEW
