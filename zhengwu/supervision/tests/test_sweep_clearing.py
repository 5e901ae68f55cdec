"""What the sweep clears and when it reads the cards to clear them; unwatched kinds; the order cards are written in."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengwu.core import clock
from zhengwu.supervision.clocks import KindSpec, Subject, clock_finish, clock_kind_register, clock_start
from zhengwu.supervision.models import Card, ClockKind
from zhengwu.supervision.services import sweep_run

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def kinds():
    return (clock_kind_register(KindSpec(code="test_clear_a", name="发证时限", subject_label="许可证", due_label="发证期限",
                                         sort=220)),
            clock_kind_register(KindSpec(code="test_clear_b", name="答复时限", subject_label="申请", due_label="答复期限",
                                         sort=221)))


@pytest.fixture
def fresh_calendars():
    from zhengwu.workdays import engine

    engine.invalidate()
    yield
    engine.invalidate()


def start(w, kind, i, due):
    with clock.frozen(D(2026, 9, 28)):
        return clock_start(kind=kind, subject=Subject("clear", i, f"CL-{i:03d}", "", ""), region=w.county,
                           due_date=due, hall=w.center, department=w.dept, officer=w.officer)


def sweep(day):
    with clock.frozen(day), CaptureQueriesContext(connection) as q:
        r = sweep_run(today=day, deliver=False)
    clears = [x["sql"] for x in q.captured_queries if x["sql"].startswith("UPDATE supervision_card SET cleared_on")]
    return r, len(clears)


def test_the_cards_are_read_for_clearing_only_when_some_were_active(w, kinds):
    start(w, "test_clear_a", 1, D(2026, 10, 9))
    start(w, "test_clear_a", 2, D(2026, 10, 13))
    r, clears = sweep(D(2026, 10, 8))  # the first run: no card active before it, none of its own to clear
    assert (r.raised_yellow, r.raised_red, r.cleared, clears) == (1, 0, 0, 0)
    r, clears = sweep(D(2026, 10, 8))  # again: its yellow card is active, so the pass runs (and clears nothing)
    assert (r.raised, r.cleared, clears) == (0, 0, 1)
    r, clears = sweep(D(2026, 10, 12))  # CL-001 red (its yellow card upgraded), CL-002 yellow
    assert (r.raised_yellow, r.raised_red, r.cleared, clears) == (1, 1, 1, 1)
    assert Card.objects.get(clock__subject_no="CL-001", level="yellow").cleared_reason == "已升级为红牌"
    with clock.frozen(D(2026, 10, 12)):
        clock_finish(subject=Subject("clear", 1, "CL-001", "", ""), reason="已发证")
        clock_finish(subject=Subject("clear", 2, "CL-002", "", ""), reason="已发证")
    assert not Card.objects.filter(cleared_on__isnull=True).exists()
    start(w, "test_clear_b", 3, D(2026, 10, 9))
    r, clears = sweep(D(2026, 10, 13))  # nothing active again: no pass; the new clock's red card is raised
    assert (r.raised_red, r.cleared, clears) == (1, 0, 0)


def test_an_unwatched_kind_gets_no_card_and_loses_the_ones_it_had(w, kinds):
    start(w, "test_clear_a", 1, D(2026, 10, 9))   # red on 10-12
    start(w, "test_clear_b", 2, D(2026, 10, 9))   # red on 10-12, but its kind is not watched
    start(w, "test_clear_b", 3, D(2026, 10, 13))  # yellow on 10-12, not watched either
    ClockKind.objects.filter(pk="test_clear_b").update(is_active=False)
    r, _ = sweep(D(2026, 10, 12))
    assert (r.raised_red, r.raised_yellow) == (1, 0)
    assert list(Card.objects.values_list("clock__subject_no", "level")) == [("CL-001", "red")]

    ClockKind.objects.filter(pk="test_clear_b").update(is_active=True)
    r, _ = sweep(D(2026, 10, 12))
    assert (r.raised_red, r.raised_yellow) == (1, 1)
    ClockKind.objects.filter(pk="test_clear_b").update(is_active=False)
    r, _ = sweep(D(2026, 10, 12))
    assert (r.raised, r.cleared) == (0, 2)
    assert sorted(Card.objects.filter(cleared_on__isnull=False).values_list("clock__subject_no", "cleared_reason")) \
        == [("CL-002", "已停止监察"), ("CL-003", "已停止监察")]
    assert Card.objects.get(cleared_on__isnull=True).clock.subject_no == "CL-001"


def test_a_red_card_is_lifted_when_the_calendar_makes_today_a_rest_day(w, kinds, fresh_calendars):
    from zhengwu.workdays.models import DayOverride

    start(w, "test_clear_a", 1, D(2026, 10, 13))  # a Tuesday: red on Wednesday 10-14
    r, _ = sweep(D(2026, 10, 14))
    assert (r.raised_red, r.raised_yellow) == (1, 0)
    override = DayOverride.objects.create(date=D(2026, 10, 14), region=w.county, kind="holiday", name="县庆")
    r, _ = sweep(D(2026, 10, 14))  # 10-14 is off in this county now: not one working day past the due yet
    assert (r.raised_red, r.raised_yellow, r.cleared) == (0, 1, 1)
    assert Card.objects.get(level="red").cleared_reason == "预警条件已解除"
    assert Card.objects.get(level="yellow").cleared_on is None
    override.delete()
    # Red again, but that red card was raised before (one card per condition, ever): no new card, and the yellow
    # card is upgraded all the same.
    r, _ = sweep(D(2026, 10, 14))
    assert (r.raised, r.cleared) == (0, 1)
    assert Card.objects.get(level="yellow").cleared_reason == "已升级为红牌"


def test_a_run_writes_its_cards_in_the_order_of_their_clocks(w, kinds):
    # Later clocks fall due earlier: read by due date, the cards would come in the reverse order.
    clocks = [start(w, "test_clear_a", i, due) for i, due in
              enumerate([D(2026, 10, 9), D(2026, 10, 8), D(2026, 9, 30), D(2026, 9, 29)], start=1)]
    r, _ = sweep(D(2026, 10, 12))
    assert r.raised_red == 4
    assert list(Card.objects.filter(run_id=r.run_id).order_by("pk").values_list("clock_id", flat=True)) \
        == sorted(c.pk for c in clocks)
