"""The declaration lifecycle through the services: each action, and each refusal changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.declarations.models import (
    Declaration,
    DeclarationStatus,
    Event,
    Policy,
    QuietPeriod,
    Rating,
    Report,
    ReportStatus,
    Target,
)
from zhengwu.declarations.services import (
    declaration_act,
    declaration_create,
    rating_record,
    report_act,
    report_file,
)
from zhengwu.declarations.services.common import code_well_formed
from zhengwu.supervision.models import Clock, ClockState

from .factories import DAY, ENTERPRISES, INSPECTORS, at, build_world, declare

pytestmark = pytest.mark.django_db
S = DeclarationStatus


@pytest.fixture
def w():
    with clock.frozen(at(DAY)):
        yield build_world()


def snapshot():
    return (list(Declaration.objects.order_by("pk").values()), list(Target.objects.order_by("pk").values()),
            Event.objects.count(), list(Clock.objects.order_by("pk").values("pk", "state")),
            list(Report.objects.order_by("pk").values()), Rating.objects.count())


def refused(fn, expect: str | None = None, **kw):
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        fn(**kw)
    assert snapshot() == before
    if expect:
        assert exc.value.code == expect
    return exc.value


def base(**over):
    start = DAY + dt.timedelta(days=2)
    kw = dict(activity_type="inspection", title="食品生产企业监督检查", legal_basis="《食品安全法》第一百一十条",
              start_date=start, end_date=start + dt.timedelta(days=3), targets=ENTERPRISES[:2], inspectors=INSPECTORS)
    kw.update(over)
    return kw


def test_declare_submit_approve_record_close(w):
    d = declare(w)
    assert d.status == S.SUBMITTED and d.code is None
    c = Clock.objects.get(subject_type="declaration", subject_id=d.pk)
    assert c.kind_id == "declarations_approval" and c.state == ClockState.RUNNING
    assert c.due_date == dt.date(2026, 3, 5)  # 3 working days
    result = declaration_act(declaration_id=d.pk, user=w.office.user, action="approve")
    d.refresh_from_db()
    assert d.status == S.APPROVED and d.code == result["code"] and code_well_formed(d.code)
    assert d.code.startswith("SQ20260302") and d.decided_by == w.office
    c.refresh_from_db()
    assert c.state == ClockState.FINISHED and c.late is False
    with clock.frozen(at(DAY + dt.timedelta(days=2), 15)):
        declaration_act(declaration_id=d.pk, user=w.clerk.user, action="record",
                        data={"uscc": ENTERPRISES[0][0], "visited_on": "2026-03-04", "result": "未发现问题"})
        d.refresh_from_db()
        assert d.status == S.CARRIED_OUT
        declaration_act(declaration_id=d.pk, user=w.head.user, action="close")
    d.refresh_from_db()
    assert d.status == S.CLOSED and d.closed_at is not None
    t = d.targets.get(uscc=ENTERPRISES[0][0])
    assert (t.visited_on, t.result) == (dt.date(2026, 3, 4), "未发现问题")
    assert list(d.events.values_list("action", flat=True)) == ["create", "submit", "approve", "record", "close"]


def test_codes_are_random_and_checked(w):
    codes = {declare(w, approve=True, targets=[e]).code for e in ENTERPRISES}
    assert len(codes) == 5 and all(code_well_formed(c) for c in codes)
    c = codes.pop()
    assert not code_well_formed(c[:-1] + ("2" if c[-1] != "2" else "3"))


def test_without_legal_basis_refused_nothing_written(w):
    e = refused(declaration_create, "declarations_legal_basis", user=w.clerk.user, **base(legal_basis="  "))
    assert "法律依据" in e.message
    assert not Declaration.objects.exists()


@pytest.mark.parametrize("over, code", [
    ({"start_date": DAY - dt.timedelta(days=1)}, "declarations_dates"),
    ({"end_date": DAY}, "declarations_dates"),
    ({"targets": [("91130621MA0000001X", "错码企业")]}, "invalid_uscc"),
    ({"targets": []}, "declarations_targets"),
    ({"targets": [ENTERPRISES[0], ENTERPRISES[0]]}, "declarations_target_twice"),
    ({"inspectors": INSPECTORS[:1]}, "declarations_inspectors"),
    ({"activity_type": "raid"}, "declarations_type"),
    ({"is_random": True, "targets": []}, "declarations_scope"),
    ({"is_joint": True}, "declarations_joint"),
    ({"title": "检" * 201}, "declarations_title"),
])
def test_bad_input_refused(w, over, code):
    refused(declaration_create, code, user=w.clerk.user, **base(**over))


def test_random_spot_check_with_scope_and_no_list(w):
    d = declaration_create(user=w.clerk.user, **base(activity_type="spot_check", is_random=True,
                                                      scope="城关镇食品生产企业（双随机抽取5家）", targets=[]))
    declaration_act(declaration_id=d.pk, user=w.clerk.user, action="submit")
    declaration_act(declaration_id=d.pk, user=w.office.user, action="approve")
    with clock.frozen(at(DAY + dt.timedelta(days=3))):
        refused(declaration_act, "declarations_target_name", declaration_id=d.pk, user=w.clerk.user, action="record",
                data={"uscc": ENTERPRISES[3][0], "visited_on": "2026-03-05", "result": "合格"})
        declaration_act(declaration_id=d.pk, user=w.clerk.user, action="record",
                        data={"uscc": ENTERPRISES[3][0], "name": ENTERPRISES[3][1], "visited_on": "2026-03-05",
                              "result": "合格"})
    assert list(d.targets.values_list("name", flat=True)) == [ENTERPRISES[3][1]]


def test_refuse_needs_reason_and_ends_clock(w):
    d = declare(w)
    refused(declaration_act, "declarations_reason", declaration_id=d.pk, user=w.office.user, action="refuse")
    declaration_act(declaration_id=d.pk, user=w.office.user, action="refuse", data={"reason": "依据不充分，请补充"})
    d.refresh_from_db()
    assert (d.status, d.refuse_reason, d.code) == (S.REFUSED, "依据不充分，请补充", None)
    assert Clock.objects.get(subject_type="declaration", subject_id=d.pk).state == ClockState.FINISHED


def test_withdraw_pending_does_not_count(w):
    d = declare(w)
    declaration_act(declaration_id=d.pk, user=w.clerk.user, action="withdraw", data={"reason": "计划调整"})
    d.refresh_from_db()
    c = Clock.objects.get(subject_type="declaration", subject_id=d.pk)
    assert d.status == S.WITHDRAWN and c.state == ClockState.FINISHED and c.late is None


def test_who_may_do_what(w):
    d = declare(w)
    # the department does not approve itself, another department does not touch it, nor another county's office
    for user, action in [(w.clerk.user, "approve"), (w.safety_clerk.user, "withdraw"),
                         (w.foreign_office.user, "approve"), (w.supervisor.user, "approve"), (None, "approve")]:
        e = refused(declaration_act, declaration_id=d.pk, user=user, action=action)
        assert isinstance(e, PermissionDenied)
    e = refused(declaration_act, "declarations_status", declaration_id=d.pk, user=w.clerk.user, action="close")
    assert "待审批" in e.message
    refused(declaration_act, "declarations_status", declaration_id=d.pk, user=w.clerk.user, action="submit")
    refused(declaration_create, user=w.supervisor.user, **base())


def test_record_checks(w):
    d = declare(w, approve=True)
    with clock.frozen(at(DAY + dt.timedelta(days=3))):
        good = {"uscc": ENTERPRISES[0][0], "visited_on": "2026-03-05", "result": "合格"}
        for bad, code in [({"uscc": ENTERPRISES[4][0]}, "declarations_not_target"),
                          ({"visited_on": "2026-03-03"}, "declarations_visit_date"),
                          ({"visited_on": "2026-03-06"}, "declarations_visit_date"),
                          ({"result": ""}, "declarations_result")]:
            refused(declaration_act, code, declaration_id=d.pk, user=w.clerk.user, action="record",
                    data={**good, **bad})
        refused(declaration_act, "declarations_status", declaration_id=d.pk, user=w.clerk.user, action="close")


def test_submit_in_the_past_refused(w):
    d = declare(w, submit=False)
    with clock.frozen(at(DAY + dt.timedelta(days=5))):
        refused(declaration_act, "declarations_dates", declaration_id=d.pk, user=w.clerk.user, action="submit")


def test_yearly_limit_needs_a_reason(w):
    declare(w, approve=True, targets=ENTERPRISES[:1])
    declare(w, targets=ENTERPRISES[:1])  # pending counts too
    d = declare(w, submit=False, targets=ENTERPRISES[:2])
    e = refused(declaration_act, "declarations_over_limit", declaration_id=d.pk, user=w.clerk.user, action="submit")
    assert ENTERPRISES[0][1] in e.message and "上限" in e.message and ENTERPRISES[1][1] not in e.message
    declaration_act(declaration_id=d.pk, user=w.clerk.user, action="submit", data={"over_limit_reason": "群众投诉举报"})
    d.refresh_from_db()
    assert (d.status, d.over_limit_reason) == (S.SUBMITTED, "群众投诉举报")
    # another department's limit is its own; a meeting is not an inspection
    declare(w, by=w.safety_clerk, targets=ENTERPRISES[:1])
    declare(w, activity_type="meeting", targets=ENTERPRISES[:1])


def test_limit_refused_outright_by_policy(w):
    Policy.objects.create(region=w.county, max_inspections_per_year=1, over_limit="refuse")
    declare(w, targets=ENTERPRISES[:1])
    d = declare(w, submit=False, targets=ENTERPRISES[:1], over_limit_reason="上级交办")
    e = refused(declaration_act, "declarations_over_limit", declaration_id=d.pk, user=w.clerk.user, action="submit")
    assert "不予申报" in e.message


def test_quiet_period(w):
    QuietPeriod.objects.create(region=w.county, name="春节前后无事不扰期", start=DAY, end=DAY + dt.timedelta(days=10))
    d = declare(w, submit=False)
    e = refused(declaration_act, "declarations_over_limit", declaration_id=d.pk, user=w.clerk.user, action="submit")
    assert "免检期" in e.message
    declare(w, activity_type="training")  # a training is not an inspection


def test_rating_once_and_only_listed(w):
    d = declare(w, approve=True)
    rating_record(code=d.code.lower(), uscc=ENTERPRISES[0][0], level="satisfied", comment="规范文明")
    refused(rating_record, "declarations_rating_once", code=d.code, uscc=ENTERPRISES[0][0], level="unsatisfied")
    refused(rating_record, "declarations_rating_target", code=d.code, uscc=ENTERPRISES[3][0], level="satisfied")
    refused(rating_record, "declarations_rating_level", code=d.code, uscc=ENTERPRISES[1][0], level="great")
    refused(rating_record, "declarations_code_unknown", code="SQ2026030200000X", uscc=ENTERPRISES[1][0],
            level="basic")
    assert Rating.objects.get().level == "satisfied"


def test_report_opens_clock_and_supervisor_verifies(w, django_capture_on_commit_callbacks):
    from zhengwu.core.notify import ConsoleNotifier

    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = report_file(department_id=w.safety.pk, visit_date="2026-03-01", description="两人自称应急局检查，未出示备案码",
                        enterprise_name=ENTERPRISES[2][1], uscc=ENTERPRISES[2][0], contact_name="刘经理",
                        contact_phone="13900000001")
    [sent] = [m for m in ConsoleNotifier.sent if m.kind == "declarations_report"]
    assert sent.to_user_id == w.supervisor.user_id and r.no in sent.text and ENTERPRISES[2][1] not in sent.text
    c = Clock.objects.get(subject_type="decl_report", subject_id=r.pk)
    assert c.kind_id == "declarations_report" and c.department_id is None and ENTERPRISES[2][1] not in c.title
    assert c.due_date == dt.date(2026, 3, 9)  # 5 working days
    refused(report_act, report_id=r.pk, user=w.clerk.user, action="uphold", data={"finding": "x"})
    refused(report_act, "declarations_finding", report_id=r.pk, user=w.supervisor.user, action="uphold")
    report_act(report_id=r.pk, user=w.supervisor.user, action="uphold", data={"finding": "经核实，应急局未申报即入企检查"})
    r.refresh_from_db()
    c.refresh_from_db()
    assert (r.status, r.handled_by) == (ReportStatus.UPHELD, w.supervisor) and c.state == ClockState.FINISHED
    refused(report_act, "declarations_report_status", report_id=r.pk, user=w.supervisor.user, action="reject",
            data={"finding": "改判"})


@pytest.mark.parametrize("over, code", [
    ({"department_id": "x"}, "declarations_report_department"),
    ({"visit_date": "2026-03-03"}, "declarations_visit_date"),
    ({"uscc": "123"}, "invalid_uscc"),
    ({"contact_phone": "12345"}, "invalid_phone"),
    ({"description": " "}, "declarations_report_description"),
])
def test_report_bad_input(w, over, code):  # noqa: F811
    kw = dict(department_id=w.safety.pk, visit_date="2026-03-01", description="未出示备案码",
              enterprise_name=ENTERPRISES[2][1], uscc=ENTERPRISES[2][0], contact_name="刘经理",
              contact_phone="13900000001")
    refused(report_file, code, **{**kw, **over})
