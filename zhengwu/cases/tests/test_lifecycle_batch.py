"""A case action and the supervision clocks it moves go to PostgreSQL as one statement (``clocks_batch``):
the clocks come out as before, a stale case is refused with nothing of the action written, and on SQLite
the same actions give the same rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengwu.cases import services as s
from zhengwu.cases.models import Case, CaseEvent, Status
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.supervision.models import Clock, ClockState

from .factories import applicant, build_world

# committed rows (transactional tests): the department head and 首席代表 are then kept in-process, as in a
# running server, and each action's statements can be counted exactly
pytestmark = pytest.mark.django_db(transaction=True)
DAY = dt.date(2026, 3, 10)  # a Tuesday
TX = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


@pytest.fixture
def w():
    return build_world()


class Sent(list):
    """The statements an action sent, transaction control left out (compares as their number)."""

    def __eq__(self, n):
        return len(self) == n

    def __gt__(self, n):
        return len(self) > n

    def __repr__(self):
        return f"{len(self)} statements: " + " | ".join(sql[:60] for sql in self)


def statements(fn) -> Sent:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return Sent(q["sql"] for q in ctx.captured_queries if q["sql"].split(None, 1)[0].upper() not in TX)


def clocks_of(case) -> list[tuple]:
    return sorted((c.kind_id, c.part, c.state, c.officer_id, c.head_id, c.deemable, c.finish_reason, c.late)
                  for c in Clock.objects.filter(subject_type="case", subject_id=case.pk))


def submitted(w):
    return s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)


def test_the_lifecycle_moves_its_clocks_in_the_action_s_statement(w):
    pg = connection.vendor == "postgresql"
    one = (lambda n: n == 1) if pg else (lambda n: n > 0)
    with clock.frozen(DAY):
        warm = submitted(w)  # as a running server is: calendars read, the head and 首席代表 kept
        s.case_accept(case=warm, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])
        s.case_review(case=warm, officer=w.chief)
        s.case_decide(case=warm, officer=w.head, decision="approve")  # (and the staff's roles read)
        s.case_complete(case=warm, officer=w.officer)
        case = submitted(w)
        n = statements(lambda: s.case_accept(case=case, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk]))
        # the materials held (a SELECT), the batch, then the paper materials and the fee line (an INSERT each)
        assert (n == 4) if pg else (n > 4), n
        R, F = ClockState.RUNNING, ClockState.FINISHED
        assert clocks_of(case) == [("case", 0, R, w.officer.pk, w.head.pk, True, "", None),
                                   ("case_step", 2, R, w.chief.pk, w.head.pk, True, "", None)]
        assert one(statements(lambda: s.case_review(case=case, officer=w.chief)))
        assert clocks_of(case) == [("case", 0, R, w.officer.pk, w.head.pk, True, "", None),
                                   ("case_step", 2, F, w.chief.pk, w.head.pk, True, "已转入下一环节", False),
                                   ("case_step", 3, R, w.head.pk, w.head.pk, True, "", None)]
        assert one(statements(lambda: s.case_decide(case=case, officer=w.head, decision="approve")))
        assert clocks_of(case) == [("case", 0, R, w.officer.pk, w.head.pk, False, "", None),
                                   ("case_step", 2, F, w.chief.pk, w.head.pk, True, "已转入下一环节", False),
                                   ("case_step", 3, F, w.head.pk, w.head.pk, True, "已作出决定", False)]
    with clock.frozen(dt.date(2026, 3, 30)):  # after the due date: the case's clock ends late
        assert one(statements(lambda: s.case_complete(case=case, officer=w.officer)))
    assert clocks_of(case)[0] == ("case", 0, F, w.officer.pk, w.head.pk, False, "办件已办结", True)
    case.refresh_from_db()
    assert (case.status, case.row_version, case.current_step) == (Status.COMPLETED, 4, 3)
    assert list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action", flat=True)) == [
        "submit", "accept", "review", "decide", "complete"]


def test_submit_numbers_the_case_in_its_statement(w):
    with clock.frozen(DAY):
        cases = [submitted(w) for _ in range(3)]
        n = statements(lambda: cases.append(submitted(w)))
    assert n == (1 if connection.vendor == "postgresql" else 3)
    assert [c.case_no for c in cases] == [f"{w.center.code}-20260310-{i:05d}" for i in range(1, 5)]
    assert [c.case_no for c in Case.objects.order_by("id")] == [c.case_no for c in cases]
    assert CaseEvent.objects.filter(action="submit", case__in=cases).count() == 4


def test_a_stale_case_is_refused_with_nothing_of_its_action_written(w):
    """Two officers pass the same step from the same page: the second is refused (409) and neither its event
    nor its clocks are written — its next step's clock would be a second open one, which the database refuses."""
    with clock.frozen(DAY):
        case = submitted(w)
        s.case_accept(case=case, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])
        stale = Case.objects.get(pk=case.pk)
        s.case_review(case=case, officer=w.chief)
        before = (clocks_of(case), CaseEvent.objects.filter(case=case).count())
        with pytest.raises(DomainError) as e:
            s.case_review(case=stale, officer=w.chief)
        assert (e.value.code, e.value.status) == ("conflict", 409)
        assert (clocks_of(case), CaseEvent.objects.filter(case=case).count()) == before
        # the refused copy still shows what it was read as
        assert (stale.row_version, stale.current_step, stale.status) == (1, 2, Status.IN_REVIEW)
        # and a copy behind by a state is told the state
        stale = Case.objects.get(pk=case.pk)
        s.case_decide(case=case, officer=w.head, decision="approve")
        with pytest.raises(DomainError) as e:
            s.case_decide(case=stale, officer=w.head, decision="approve")
        assert e.value.code == "bad_state"
        assert (stale.status, stale.decision) == (Status.IN_REVIEW, "")
        assert CaseEvent.objects.filter(case=case, action="decide").count() == 1


def test_an_immediate_case_starts_and_ends_its_clock_on_the_spot(w):
    with clock.frozen(DAY):
        case = s.case_submit(item=w.immediate, applicant=applicant(), channel="window", officer=w.officer)
        s.case_accept(case=case, officer=w.officer,
                      paper_materials=[m.pk for m in w.immediate.current.materials.all()])
    assert case.status == Status.COMPLETED
    assert [(c[0], c[2], c[6], c[7]) for c in clocks_of(case)] == [
        ("case", ClockState.FINISHED, "办件已办结", False)]
    assert list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action", flat=True)) == [
        "submit", "accept", "decide", "complete"]
