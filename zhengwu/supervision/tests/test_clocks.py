"""Clocks of any kind: a kind registered by a new domain needs no change in supervision; minute clocks
run round the clock; the sweep is all-or-nothing; weights reach the assessment; backfill."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.supervision.clocks import (
    KindSpec,
    Subject,
    clock_finish,
    clock_kind_register,
    clock_resume,
    clock_start,
    clock_stop,
    clocks_backfill,
)
from zhengwu.supervision.models import Card, Clock, ClockKind, MonthlyScore, Notice, SweepRun
from zhengwu.supervision.services import assessment_run, notices_deliver, sweep_minutes, sweep_run

from .conftest import accept_case
from .test_pages import client_for, get

pytestmark = pytest.mark.django_db
D = dt.date


def at(y, m, d, hh, mm, ss=0):
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm, ss))


@pytest.fixture
def permit_kind():
    """A kind no code in supervision knows about, as a new domain would declare it."""
    return clock_kind_register(KindSpec(code="test_permit", name="发证时限", subject_label="许可证",
                                        due_label="发证期限", weight=3, sort=200))


@pytest.fixture
def sign_kind():
    """A 15-minute 签收 limit, round the clock (as the hotline's)."""
    return clock_kind_register(KindSpec(code="test_sign", name="签收时限", subject_label="工单", due_label="签收时限",
                                        unit=ClockKind.Unit.MINUTE, warn_minutes=5, sort=201))


def test_a_new_kind_needs_no_change_in_supervision(w, permit_kind, client, django_capture_on_commit_callbacks):
    """Register a kind, start clocks, sweep: cards, notices, the board, the API, clearing on finish."""
    with clock.frozen(D(2026, 9, 28)):
        for i, due in enumerate([D(2026, 9, 30), D(2026, 10, 9)], start=1):
            clock_start(kind="test_permit", subject=Subject("permit", i, f"XK-{i:03d}", "某某许可证", f"/permits/{i}/"),
                        region=w.county, due_date=due, hall=w.center, department=w.dept, officer=w.officer)
    with clock.frozen(D(2026, 10, 8)):
        r = sweep_run(today=D(2026, 10, 8))
    # XK-001 (due 09-30) is one working day past on 10-08 (the holiday is not counted); XK-002 (due 10-09)
    # has one working day left.
    assert sorted((c.clock.subject_no, c.level) for c in Card.objects.filter(run_id=r.run_id)) == [
        ("XK-001", "red"), ("XK-002", "yellow")]
    # officer and the department head are told, in the kind's own words
    assert r.messages == 4 and SweepRun.objects.get(pk=r.run_id).cards_pending
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_deliver(run_id=r.run_id) == 4
    texts = sorted((m.to_user_id, m.kind) for m in ConsoleNotifier.sent)
    assert texts == sorted([(w.officer.user_id, "card_red"), (w.head.user_id, "card_red"),
                            (w.officer.user_id, "card_yellow"), (w.head.user_id, "card_yellow")])
    assert not SweepRun.objects.get(pk=r.run_id).cards_pending and notices_deliver(run_id=r.run_id) == 0
    from zhengwu.supervision.services.notices import card_text

    red = Card.objects.get(run_id=r.run_id, level="red")
    assert card_text(red) == "【效能监察·红牌】许可证XK-001（某某许可证）已超过发证期限（2026年9月30日），请立即办理并说明超期原因。"
    c = client_for(client, w.supervisor)
    page = get(c, "/supervision/?kind=test_permit").content.decode()
    assert 'href="/permits/1/">XK-001</a>' in page and "许可证发证时限" in page
    api = get(c, "/api/supervision/cards?kind=test_permit").json()
    assert sorted((x["subject_no"], x["level"], x["kind_label"]) for x in api) == [
        ("XK-001", "red", "许可证发证时限"), ("XK-002", "yellow", "许可证发证时限")]
    with clock.frozen(D(2026, 10, 9)):
        clock_finish(subject=("permit", 1), reason="已发证")
        r = sweep_run(today=D(2026, 10, 9))
    assert Card.objects.get(clock__subject_id=1).cleared_reason == "已发证"
    assert Clock.objects.get(subject_id=1).late is True


def test_the_weight_of_a_kind_reaches_the_monthly_assessment(w, permit_kind):
    with clock.frozen(D(2026, 3, 2)):
        clock_start(kind="test_permit", subject=Subject("permit", 7, "XK-007"), region=w.county,
                    due_date=D(2026, 3, 9), hall=w.center, department=w.dept, window=w.window, officer=w.officer)
    assessment_run(month=D(2026, 3, 1), today=D(2026, 4, 1))
    officer = MonthlyScore.objects.get(month=D(2026, 3, 1), kind="officer", staff=w.officer)
    # one late clock of weight 3 at −5 points each (the overdue rule's default)
    assert officer.score == Decimal("85")
    assert [(i["code"], i["count"]) for i in officer.items] == [("overdue_case", 3)]


def test_a_minute_clock_turns_red_at_minute_16_across_midnight_and_a_holiday(w, sign_kind):
    # 2026-10-01 is the National Day holiday: minute clocks run round the clock, holidays included.
    start = at(2026, 10, 1, 23, 55)
    with clock.frozen(start):
        clock_start(kind="test_sign", subject=Subject("order", 1, "GD-0001", "噪音扰民"), region=w.county,
                    due_at=start + dt.timedelta(minutes=15), department=w.dept, officer=w.officer)
    seen = {}
    for minute in range(0, 18):
        now = start + dt.timedelta(minutes=minute)
        r = sweep_minutes(now=now)
        again = sweep_minutes(now=now)
        assert again.raised == 0 and again.cleared == 0
        for card in Card.objects.filter(run_id=r.run_id):
            seen[minute] = card.level
    # yellow 5 minutes before the limit (00:05), red in the 16th minute, after midnight
    assert seen == {10: "yellow", 16: "red"}
    red = Card.objects.get(level="red")
    assert (red.raised_on, timezone.localtime(red.raised_at).time()) == (D(2026, 10, 2), dt.time(0, 11))
    assert Card.objects.get(level="yellow").cleared_reason == "已升级为红牌"
    assert SweepRun.objects.filter(minutes=True).count() == 36


def test_a_stopped_minute_clock_resumes_with_the_time_it_had_left(w, sign_kind):
    start = at(2026, 10, 12, 9, 0)
    with clock.frozen(start):
        clock_start(kind="test_sign", subject=Subject("order", 2, "GD-0002"), region=w.county,
                    due_at=start + dt.timedelta(minutes=15))
    with clock.frozen(start + dt.timedelta(minutes=10)):
        clock_stop(subject=("order", 2))
    assert sweep_minutes(now=start + dt.timedelta(minutes=40)).raised == 0  # stopped: nothing raised
    with clock.frozen(start + dt.timedelta(minutes=60)):
        clock_resume(subject=("order", 2))
    assert Clock.objects.get(subject_id=2).due_at == start + dt.timedelta(minutes=65)
    assert sweep_minutes(now=start + dt.timedelta(minutes=65)).raised_red == 0
    assert sweep_minutes(now=start + dt.timedelta(minutes=66)).raised_red == 1


def test_a_sweep_that_fails_halfway_leaves_nothing(w, monkeypatch):
    accept_case(w, D(2026, 9, 28))
    from zhengwu.supervision.services import sweep as sweep_module

    def boom(self):
        raise RuntimeError("断电")

    monkeypatch.setattr(sweep_module._Sweep, "_enqueue", boom)
    with clock.frozen(D(2026, 10, 12)), pytest.raises(RuntimeError):
        sweep_run(today=D(2026, 10, 12))
    assert (Card.objects.count(), SweepRun.objects.count(), Notice.objects.count()) == (0, 0, 0)
    monkeypatch.undo()
    with clock.frozen(D(2026, 10, 12)):
        assert sweep_run(today=D(2026, 10, 12)).raised_red == 2


def test_card_messages_resume_after_a_failed_delivery_and_go_once(w, permit_kind, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    """The cards' messages are read from the run's cards in id order; a batch whose sending fails rolls
    back with its cursor, so the next delivery sends it again, and nothing already sent goes twice."""
    from zhengwu.supervision.services import notices as notices_module

    with clock.frozen(D(2026, 9, 28)):
        for i in range(1, 4):
            clock_start(kind="test_permit", subject=Subject("permit", i, f"XK-{i:03d}", "", ""), region=w.county,
                        due_date=D(2026, 9, 30), hall=w.center, department=w.dept, officer=w.officer)
    with clock.frozen(D(2026, 10, 8)):
        r = sweep_run(today=D(2026, 10, 8), deliver=False)
    assert r.messages == 6
    cards = list(Card.objects.filter(run_id=r.run_id).order_by("pk").values_list("pk", flat=True))
    monkeypatch.setattr(notices_module, "BATCH", 1)
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_deliver(limit=2) == 2  # the first card: officer and head
    assert SweepRun.objects.get(pk=r.run_id).cards_sent_to == cards[0]

    def down(messages):
        raise ConnectionError("短信网关不可用")

    monkeypatch.setattr(notices_module, "notify_many", down)
    with pytest.raises(ConnectionError):
        notices_deliver()
    assert SweepRun.objects.get(pk=r.run_id).cards_sent_to == cards[0]  # the failed batch rolled back
    monkeypatch.undo()
    monkeypatch.setattr(notices_module, "BATCH", 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_deliver() == 4
    sent = [m.data["card_id"] for m in ConsoleNotifier.sent]
    assert sent == [cards[0], cards[0], cards[1], cards[1], cards[2], cards[2]]
    run = SweepRun.objects.get(pk=r.run_id)
    assert (run.cards_pending, run.cards_sent_to) == (False, cards[2])


def test_backfill_recreates_the_clocks_of_open_cases(w):
    case = accept_case(w, D(2026, 9, 28))
    before = sorted(Clock.objects.values_list("kind", "part", "due_date", "officer_id", "started_on"))
    Clock.objects.all().delete()
    with clock.frozen(D(2026, 9, 29)):
        done = clocks_backfill()
    assert done["zhengwu.cases.clocks"] == 2
    assert sorted(Clock.objects.values_list("kind", "part", "due_date", "officer_id", "started_on")) == before
    with clock.frozen(D(2026, 9, 29)):
        assert clocks_backfill()["zhengwu.cases.clocks"] == 0  # a second run starts nothing
    assert case.due_date == D(2026, 10, 10)


def test_a_yellow_card_past_its_date_on_a_rest_day_says_when_it_turns_red(w):
    from zhengwu.supervision.services.notices import card_text

    case = accept_case(w, D(2026, 9, 28))  # due Saturday 10-10 (a 调休 working day); Sunday 10-11 is off
    with clock.frozen(D(2026, 10, 9)):
        sweep_run(today=D(2026, 10, 9))
    card = Card.objects.get(clock__subject_id=case.pk, part=0)
    with clock.frozen(D(2026, 10, 9)):
        assert card.state_text == "即将到期"
    with clock.frozen(D(2026, 10, 11)):
        assert card.state_text == "已到期，10月12日转红牌"
        assert card.label == "办结期限已到期，10月12日转红牌（10月10日）"
        assert "已到期，2026年10月12日起将亮红牌" in card_text(card)


def test_the_deemed_approval_document_has_its_own_one_working_day_clock(w):
    from zhengwu.supervision.models import DeemedApproval, DeemedRule

    DeemedRule.objects.create(impl_code="SFX-SCJG-001")
    accept_case(w, D(2026, 9, 28))  # due Saturday 10-10; the notice goes out on the 2nd working day past it
    for day in (D(2026, 10, 12), D(2026, 10, 13)):
        with clock.frozen(day):
            sweep_run(today=day)
    with clock.frozen(D(2026, 10, 13)):
        assert sweep_run(today=D(2026, 10, 13)).raised == 0  # the second run that day: nothing new
    rec = DeemedApproval.objects.get()
    reply = Clock.objects.get(subject_type="deemed", subject_id=rec.pk)
    assert (reply.kind_id, reply.due_date, reply.officer_id) == ("deemed_reply", D(2026, 10, 14), w.head.pk)
    raised = {}
    for day in (D(2026, 10, 14), D(2026, 10, 15)):
        with clock.frozen(day):
            r = sweep_run(today=day)
        raised[day] = [c.level for c in Card.objects.filter(run_id=r.run_id, clock=reply)]
    assert raised == {D(2026, 10, 14): ["yellow"], D(2026, 10, 15): ["red"]}
