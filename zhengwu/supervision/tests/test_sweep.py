"""The sweep with time moved day by day across 2026 holidays (REFERENCE §3 facts)."""

import datetime as dt

import pytest

from zhengwu.cases import services as cs
from zhengwu.core import clock
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.supervision.models import Card, Clock, DeemedApproval, DeemedRule, SweepRun
from zhengwu.supervision.services import sweep_run

from .conftest import accept_case, case_cards, finish_case, scope

pytestmark = pytest.mark.django_db
D = dt.date


def days(first: dt.date, last: dt.date):
    d = first
    while d <= last:
        yield d
        d += dt.timedelta(days=1)


def sweep(day):
    with clock.frozen(day):
        return sweep_run(today=day)


def card_keys(case):
    return sorted((*scope(c), c.level, c.due_date, c.raised_on, c.cleared_on, c.cleared_reason)
                  for c in case_cards(case))


def test_cards_across_national_day(w):
    # Accepted Monday 09-28: 5 working days → 09-29, 09-30, 10-08, 10-09, 10-10 (调休 Saturday).
    case = accept_case(w, D(2026, 9, 28))
    assert case.due_date == D(2026, 10, 10)
    raised = {}
    for day in days(D(2026, 9, 28), D(2026, 10, 12)):
        r = sweep(day)
        again = sweep(day)
        assert again.raised == 0 and again.cleared == 0, day  # a second run the same day does nothing
        if r.raised:
            raised[day] = sorted((*scope(c), c.level) for c in Card.objects.filter(run_id=r.run_id))
    # 审核 (2 working days from 09-28) is due 09-30: yellow on 09-29, red on the first working day after the
    # deadline, 10-08, not during the National Day holiday. The case (due 10-10) turns yellow exactly one working
    # day before, 10-09, and red on Monday 10-12, the first working day after Saturday 10-10 (Sunday 10-11 is not).
    assert raised == {
        D(2026, 9, 29): [("step", 2, "yellow")],
        D(2026, 10, 8): [("step", 2, "red")],
        D(2026, 10, 9): [("case", 0, "yellow")],
        D(2026, 10, 12): [("case", 0, "red")],
    }
    assert card_keys(case) == [
        ("case", 0, "red", D(2026, 10, 10), D(2026, 10, 12), None, ""),
        ("case", 0, "yellow", D(2026, 10, 10), D(2026, 10, 9), D(2026, 10, 12), "已升级为红牌"),
        ("step", 2, "red", D(2026, 9, 30), D(2026, 10, 8), None, ""),
        ("step", 2, "yellow", D(2026, 9, 30), D(2026, 9, 29), D(2026, 10, 8), "已升级为红牌"),
    ]
    step_red = case_cards(case).get(part__gt=0, level="red")
    assert (step_red.officer, step_red.clock.part_name) == (w.chief, "审核")
    assert case_cards(case).get(part=0, level="red").officer == w.officer
    assert SweepRun.objects.count() == 30


def test_cards_are_the_same_through_the_bulk_copy_path(w, monkeypatch):
    """Large sweeps insert cards with COPY on PostgreSQL (ids drawn from the sequence first); forcing
    that path for every insert must give the very same cards and ids that point at them."""
    from zhengwu.supervision.services import bulk

    monkeypatch.setattr(bulk, "COPY_MIN", 1)
    test_cards_across_national_day(w)


def test_cards_across_spring_festival(w):
    # Accepted Thursday 02-12: 02-13, 02-14 (调休 Saturday), then 02-15…02-23 off, 02-24, 02-25, 02-26.
    case = accept_case(w, D(2026, 2, 12))
    assert case.due_date == D(2026, 2, 26)
    raised = {}
    for day in days(D(2026, 2, 12), D(2026, 2, 27)):
        r = sweep(day)
        if r.raised:
            raised[day] = sorted((*scope(c), c.level) for c in Card.objects.filter(run_id=r.run_id))
    assert raised == {
        D(2026, 2, 13): [("step", 2, "yellow")],  # 审核 due 02-14 (the 调休 Saturday)
        D(2026, 2, 24): [("step", 2, "red")],  # first working day after 02-14: the festival is skipped
        D(2026, 2, 25): [("case", 0, "yellow")],
        D(2026, 2, 27): [("case", 0, "red")],
    }


def test_notifications_go_to_officer_and_department_head(w, django_capture_on_commit_callbacks):
    case = accept_case(w, D(2026, 9, 28))
    sweep(D(2026, 10, 9))
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = sweep(D(2026, 10, 12))
    assert r.raised_red == 1 and r.messages == 2
    sent = [(m.to_user_id, m.kind) for m in ConsoleNotifier.sent]
    assert sent == [(w.officer.user_id, "card_red"), (w.head.user_id, "card_red")]
    assert ConsoleNotifier.sent[0].text == (
        f"【效能监察·红牌】办件{case.case_no}（食品经营许可证核发）已超过办结期限（2026年10月10日），"
        "请立即办理并说明超期原因。")


def test_step_cards_follow_the_case_and_clear_when_it_moves_on(w):
    case = accept_case(w, D(2026, 9, 28))
    sweep(D(2026, 10, 8))  # 审核 red
    with clock.frozen(D(2026, 10, 8)):
        cs.case_review(case=case, officer=w.chief, note="同意")
    # cleared by the review itself (the clock service), not by the next sweep
    red = case_cards(case).get(part=2, level="red")
    assert (red.cleared_on, red.cleared_reason) == (D(2026, 10, 8), "已转入下一环节")
    r = sweep(D(2026, 10, 8))
    assert (r.raised, r.cleared) == (0, 0)
    # 批准 began 10-08 with 2 working days of its own: due 10-10, yellow on 10-09 for the department head.
    r = sweep(D(2026, 10, 9))
    step3 = case_cards(case).get(part=3)
    assert (step3.level, step3.due_date, step3.officer, step3.clock.part_name) == (
        "yellow", D(2026, 10, 10), w.head, "批准")
    # Step 3 has its own clock, started the day step 2 was passed.
    assert Clock.objects.get(subject_id=case.pk, kind="case_step", part=3).started_on == D(2026, 10, 8)
    finish_case(w, case, D(2026, 10, 9))
    assert set(case_cards(case).filter(cleared_on__isnull=True)) == set()  # at 办结, not at the next sweep
    r = sweep(D(2026, 10, 9))
    assert r.cleared == 0
    assert sorted((*scope(c), c.level, c.cleared_reason) for c in case_cards(case)) == [
        ("case", 0, "yellow", "办件已办结"), ("step", 2, "red", "已转入下一环节"),
        ("step", 3, "yellow", "已作出决定")]  # step 3's clock ended with the decision, before 办结


def test_stopped_clock_keeps_cards_and_a_new_due_date_clears_them(w):
    case = accept_case(w, D(2026, 9, 28))
    sweep(D(2026, 10, 9))
    yellow = case_cards(case).get(part=0)
    with clock.frozen(D(2026, 10, 9)):
        cs.case_suspend(case=case, officer=w.chief, kind="site_survey", reason="现场核查")
    r = sweep(D(2026, 10, 12))  # suspended: nothing raised, nothing cleared
    assert (r.raised, r.cleared) == (0, 0)
    with clock.frozen(D(2026, 10, 13)):
        cs.case_resume(case=case, officer=w.chief, result="符合要求")
    case.refresh_from_db()
    assert case.due_date == D(2026, 10, 15)  # 09-29, 09-30, 10-08; 10-09…10-13 stopped; 10-14, 10-15
    r = sweep(D(2026, 10, 13))
    yellow.refresh_from_db()
    assert (yellow.cleared_on, yellow.cleared_reason) == (D(2026, 10, 13), "办结期限已变更")


def test_deemed_approval_on_the_second_working_day_past_the_limit(w, django_capture_on_commit_callbacks):
    DeemedRule.objects.create(impl_code="SFX-SCJG-001")
    case = accept_case(w, D(2026, 9, 28))  # due Saturday 10-10
    assert sweep(D(2026, 10, 11)).deemed == 0  # Sunday: no working day past yet
    assert sweep(D(2026, 10, 12)).deemed == 0  # 1st working day past: red card only
    with django_capture_on_commit_callbacks(execute=True):
        ConsoleNotifier.sent.clear()
        r = sweep(D(2026, 10, 13))
    assert r.deemed == 1
    rec = DeemedApproval.objects.get()
    assert ((rec.clock.subject_type, rec.clock.subject_id), rec.department, rec.due_date, rec.issued_on,
            rec.overdue_workdays, rec.reply_by, rec.status, rec.step_name) == (("case", case.pk), w.dept, D(2026, 10, 10), D(2026, 10, 13), 2, D(2026, 10, 14),
                                           "issued", "审核")
    assert rec.notice_no == f"CSMR-{case.case_no}"
    assert [m.to_user_id for m in ConsoleNotifier.sent if m.kind == "deemed_approval"] == [
        w.head.user_id, w.officer.user_id]
    assert sweep(D(2026, 10, 14)).deemed == 0  # once per case
    assert DeemedApproval.objects.count() == 1
    case.refresh_from_db()
    assert case.status == "in_review"  # the case itself is left to the cases services


def test_deemed_approval_only_for_configured_items(w):
    DeemedRule.objects.create(department=w.other_dept)
    accept_case(w, D(2026, 9, 28))
    assert sweep(D(2026, 10, 14)).deemed == 0
    DeemedRule.objects.create(department=w.dept)
    assert sweep(D(2026, 10, 14)).deemed == 1


def test_sweep_query_count_does_not_grow_with_cases(w, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(6):
        accept_case(w, D(2026, 9, 28), name=f"申请人{i}")
    # A constant set of statements per calendar and per distinct warning period among the registered kinds
    # (one card INSERT each; gk_village warns 2 working days ahead), plus on PostgreSQL the SET LOCAL jit and the
    # 超时默认 scope's lock of its candidate 联办件 before any write (joint lock order): 31 there, 29 on SQLite;
    # never per case.
    limit = 31 if connection.vendor == "postgresql" else 29
    with django_assert_max_num_queries(limit):
        r = sweep(D(2026, 10, 12))
    assert (r.cases, r.raised_red) == (12, 12)  # 6 case clocks and 6 step clocks running
    for i in range(6, 18):
        accept_case(w, D(2026, 9, 29), name=f"申请人{i}")
    with CaptureQueriesContext(connection) as first, clock.frozen(D(2026, 10, 13)):
        sweep_run(today=D(2026, 10, 13))
    with CaptureQueriesContext(connection) as again, clock.frozen(D(2026, 10, 14)):
        sweep_run(today=D(2026, 10, 14))
    assert len(first) == len(again) <= limit


@pytest.fixture
def fresh_calendars():
    """The engine caches calendars per region id; a rolled-back override must not outlive its test."""
    from zhengwu.workdays import engine

    engine.invalidate()
    yield
    engine.invalidate()


def test_a_local_holiday_moves_the_cards(w, fresh_calendars):
    from zhengwu.workdays.models import DayOverride

    DayOverride.objects.create(date=D(2026, 10, 9), region=w.county, kind="holiday", name="县庆")
    case = accept_case(w, D(2026, 9, 28))
    assert case.due_date == D(2026, 10, 12)  # 09-29, 09-30, 10-08, 10-10, 10-12: 10-09 is off in this county
    assert sweep(D(2026, 10, 9)).raised_yellow == 0  # 审核 red came on 10-08; the case is not yet yellow
    r = sweep(D(2026, 10, 10))
    assert [(scope(c)[0], c.level) for c in Card.objects.filter(run_id=r.run_id)] == [("case", "yellow")]
    assert sweep(D(2026, 10, 12)).raised_red == 0
    assert sweep(D(2026, 10, 13)).raised_red == 1


def test_a_step_clock_starts_when_the_step_before_is_passed(w):
    case = accept_case(w, D(2026, 9, 28))
    with clock.frozen(D(2026, 10, 8)):
        cs.case_review(case=case, officer=w.chief)
    sweep(D(2026, 10, 9))
    assert case_cards(case).get(part=3).due_date == D(2026, 10, 10)
    assert list(Clock.objects.filter(subject_id=case.pk).order_by("kind", "part").values_list(
        "kind", "part", "state", "finish_reason")) == [
        ("case", 0, "running", ""), ("case_step", 2, "finished", "已转入下一环节"), ("case_step", 3, "running", "")]
