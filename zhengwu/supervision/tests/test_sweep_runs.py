"""A run's cards are the ids from where it started: counted as written, delivered from there, each kind warned
on its own period in one statement per calendar."""

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.supervision.clocks import KindSpec, Subject, clock_kind_register, clock_start
from zhengwu.supervision.models import Card, SweepRun
from zhengwu.supervision.services import notices_deliver, sweep_run

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def kinds():
    """Two kinds warned on different periods: the default and three working days ahead."""
    return (clock_kind_register(KindSpec(code="test_runs_a", name="发证时限", subject_label="许可证", due_label="发证期限",
                                         sort=210)),
            clock_kind_register(KindSpec(code="test_runs_b", name="答复时限", subject_label="申请", due_label="答复期限",
                                         warn_workdays=3, sort=211)))


def start(w, kind, i, due):
    with clock.frozen(D(2026, 9, 28)):
        clock_start(kind=kind, subject=Subject("runs", i, f"RN-{i:03d}", "", ""), region=w.county, due_date=due,
                    hall=w.center, department=w.dept, officer=w.officer)


def test_a_later_run_counts_and_delivers_only_its_own_cards(w, kinds, django_capture_on_commit_callbacks):
    start(w, "test_runs_a", 1, D(2026, 10, 9))   # yellow on 10-08 (one working day left), red from 10-12
    start(w, "test_runs_b", 2, D(2026, 10, 12))  # three working days left on 10-08: yellow at once
    start(w, "test_runs_a", 3, D(2026, 10, 13))  # the default period: not yet on 10-08
    with clock.frozen(D(2026, 10, 8)):
        first = sweep_run(today=D(2026, 10, 8), deliver=False)
    assert (first.raised_red, first.raised_yellow) == (0, 2)
    cards = Card.objects.filter(run_id=first.run_id)
    assert sorted(c.clock.subject_no for c in cards) == ["RN-001", "RN-002"]
    assert SweepRun.objects.get(pk=first.run_id).cards_sent_to == min(c.pk for c in cards) - 1

    with clock.frozen(D(2026, 10, 12)):
        second = sweep_run(today=D(2026, 10, 12), deliver=False)
    # RN-001 is red (its yellow card upgraded); RN-003 has one working day left.
    assert (second.raised_red, second.raised_yellow, second.cleared) == (1, 1, 1)
    new = sorted(Card.objects.filter(run_id=second.run_id).values_list("pk", flat=True))
    assert SweepRun.objects.get(pk=second.run_id).cards_sent_to == new[0] - 1 > max(c.pk for c in cards) - 1
    assert second.messages == 2 * len(new)  # the officer and the department head for each

    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_deliver(run_id=second.run_id) == second.messages
    assert sorted({m.data["card_id"] for m in ConsoleNotifier.sent}) == new
    run = SweepRun.objects.get(pk=second.run_id)
    assert (run.cards_pending, run.cards_sent_to) == (False, new[-1])
    assert SweepRun.objects.get(pk=first.run_id).cards_pending  # the first run's messages still owed
