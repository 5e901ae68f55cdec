"""Staff presence (外出告知: shown on the board and the window screen, away time in service hours)
and the statistics of a fixture day with exact numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError

from .. import selectors, services
from ..models import StaffAbsence, TicketStatus
from . import factories as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = fx.build_hall()
    with clock.frozen(fx.at(8, 40)):
        for window, officer in ((world.w1, world.o1), (world.w2, world.o2), (world.w3, world.o3)):
            services.window_sign_in(window=window, officer=officer)
    return world


def test_away_mark_shows_on_board_and_window_screen(w):
    with clock.frozen(fx.at(10)):
        services.presence_mark_away(staff=w.o1, kind="meeting", until=fx.at(11, 30), note="县局业务培训")
        state = selectors.window_state(w.w1)
        snapshot = selectors.board_snapshot(w.hall)
    assert (state["state"], state["label"], state["away"]) == (
        "away", "会议外出", {"kind": "meeting", "kind_label": "会议", "note": "县局业务培训", "until": "11:30",
                           "overdue": False})
    assert [(a["staff"]["name"], a["window"], a["until"]) for a in snapshot["away"]] == [("李明", "01", "11:30")]
    with clock.frozen(fx.at(11, 45)):
        assert selectors.window_state(w.w1)["away"]["overdue"] is True
        with pytest.raises(DomainError) as exc:
            services.ticket_call_next(window=w.w1, officer=w.o1)
        assert exc.value.code == "officer_away"
        services.presence_mark_back(staff=w.o1)
        assert selectors.window_state(w.w1)["state"] == "idle"
        assert selectors.board_snapshot(w.hall)["away"] == []


def test_away_refused_while_a_number_is_open_and_twice(w):
    with clock.frozen(fx.at(9)):
        services.ticket_issue(hall=w.hall, group=w.group_a)
        services.ticket_call_next(window=w.w1, officer=w.o1)
        with pytest.raises(DomainError) as exc:
            services.presence_mark_away(staff=w.o1, kind="errand", until=fx.at(10))
        assert exc.value.code == "window_busy"
        services.presence_mark_away(staff=w.o2, kind="errand", until=fx.at(10))
        with pytest.raises(DomainError) as exc:
            services.presence_mark_away(staff=w.o2, kind="errand", until=fx.at(10, 30))
        assert exc.value.code == "already_away"
        with pytest.raises(DomainError) as exc:
            services.presence_mark_away(staff=w.o3, kind="errand", until=fx.at(8))
        assert exc.value.code == "return_time"
    assert StaffAbsence.objects.count() == 1


def test_away_time_is_counted_in_service_hours_of_working_days_only(w):
    with clock.frozen(fx.at(11, 30)):
        services.presence_mark_away(staff=w.o1, kind="errand", until=fx.at(14))
    with clock.frozen(fx.at(14)):
        services.presence_mark_back(staff=w.o1)  # 11:30–12:00 and 13:30–14:00
    friday, tuesday = dt.date(2026, 4, 3), dt.date(2026, 4, 7)  # 清明节 04-04…06 in between
    with clock.frozen(fx.at(16, 30, day=friday)):
        services.presence_mark_away(staff=w.o2, kind="leave", until=fx.at(9, 30, day=tuesday))
    with clock.frozen(fx.at(9, 30, day=tuesday)):
        services.presence_mark_back(staff=w.o2)  # Friday 16:30–17:00 and Tuesday 9:00–9:30
    with clock.frozen(fx.at(10, 15)):
        services.presence_mark_away(staff=w.o3, kind="meeting", until=fx.at(11))  # still away at 10:45
    with clock.frozen(fx.at(10, 45)):
        day_report = selectors.presence_report(hall=w.hall, start=fx.DAY, end=fx.DAY)
    with clock.frozen(fx.at(10, 50)):
        services.presence_mark_back(staff=w.o3)
    with clock.frozen(fx.at(10, day=dt.date(2026, 4, 30))):
        april = selectors.presence_report(hall=w.hall, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))
    assert [(r["staff"].name, r["absences"], r["minutes"]) for r in day_report] == [
        ("李明", 1, 60), ("赵强", 1, 30)]
    assert [(r["staff"].name, r["minutes"], r["kinds"]) for r in april] == [("王芳", 60, {"休假": 60})]


def _serve(w, window, officer, *, issued, called, started=None, finished=None, recalls=0, group=None):
    with clock.frozen(issued):
        t = services.ticket_issue(hall=w.hall, group=group or w.group_a)
    if called is None:
        return t
    with clock.frozen(called):
        t = services.ticket_call_next(window=window, officer=officer)
        for _ in range(recalls):
            services.ticket_recall(ticket=t, window=window, officer=officer)
    if started is None:
        with clock.frozen(called + dt.timedelta(minutes=3)):
            services.ticket_skip(ticket=t, window=window, officer=officer)
        return t
    with clock.frozen(started):
        services.ticket_start(ticket=t, window=window, officer=officer)
    with clock.frozen(finished):
        services.ticket_finish(ticket=t, window=window, officer=officer)
    return t


@pytest.fixture
def day(w):
    """A morning at the center (see the test for the exact figures)."""
    at = fx.at
    fx.policy(max_recalls=2)
    a1 = _serve(w, w.w1, w.o1, issued=at(9), called=at(9, 10), started=at(9, 11), finished=at(9, 21))
    a2 = _serve(w, w.w2, w.o2, issued=at(9, 5), called=at(9, 15), started=at(9, 16), finished=at(9, 31))
    _serve(w, w.w1, w.o1, issued=at(9, 20), called=at(9, 22), recalls=2)                 # no-show
    _serve(w, w.w3, w.o3, issued=at(10), called=at(10, 30), started=at(10, 31), finished=at(10, 36),
           group=w.group_b)
    with clock.frozen(at(10, 10)):
        services.ticket_issue(hall=w.hall, group=w.group_c)                               # never called
    with clock.frozen(at(10, 20)):
        a5 = services.ticket_issue(hall=w.hall, group=w.group_a)
    with clock.frozen(at(11)):
        services.ticket_call_next(window=w.w1, officer=w.o1)
        a5.refresh_from_db()
        services.ticket_start(ticket=a5, window=w.w1, officer=w.o1)
    with clock.frozen(at(11, 20)):
        services.ticket_finish(ticket=a5, window=w.w1, officer=w.o1)
        services.ticket_rate(ticket=a5, window=w.w1, operator=w.o1, overall=2, comment="等候太久")
    with clock.frozen(at(9, 22)):
        services.ticket_rate(ticket=a1, window=w.w1, operator=w.o1, overall=5)
    return {"a1": a1, "a2": a2}


def test_statistics_of_a_fixture_day(w, day, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        s = selectors.hall_stats(hall=w.hall, day=fx.DAY)
    rated = ("ratings", "satisfied", "bad", "satisfaction_pct")
    assert s["total"] == {"tickets": 6, "called": 5, "served": 4, "no_shows": 1, "expired": 0, "avg_wait_min": 18.4,
                          "avg_service_min": 12.5, "max_wait_min": 40.0}
    assert s["hours"] == [9, 10, 11]
    assert [(r["number"], r["tickets"], r["called"], r["served"], r["no_shows"], r["avg_wait_min"],
             r["avg_service_min"], r["by_hour"]) for r in s["windows"]] == [
        ("01", 3, 3, 2, 1, 17.3, 15.0, [2, 0, 1]),
        ("02", 1, 1, 1, 0, 10.0, 15.0, [1, 0, 0]),
        ("03", 1, 1, 1, 0, 30.0, 5.0, [0, 1, 0]),
    ]
    assert [(r["hour"], r["tickets"], r["called"], r["served"], r["no_shows"], r["avg_wait_min"],
             r["avg_service_min"]) for r in s["by_hour"]] == [
        (9, 3, 3, 2, 1, 7.3, 12.5),
        (10, 3, 2, 2, 0, 35.0, 12.5),
    ]
    assert s["ratings"] == {"ratings": 2, "satisfied": 1, "bad": 1, "satisfaction_pct": 50.0}
    assert [(r["number"], *(r[k] for k in rated)) for r in s["windows"]] == [
        ("01", 2, 1, 1, 50.0), ("02", 0, 0, 0, None), ("03", 0, 0, 0, None)]


def test_statistics_read_satisfaction_from_haochaping(w, day):
    """A rating set aside by an upheld appeal no longer counts; one given elsewhere in the hall does."""
    from zhengwu.ratings.models import Rating
    from zhengwu.ratings.services import rating_record

    bad = Rating.objects.get(is_bad=True)
    Rating.objects.filter(pk=bad.pk).update(excluded=True)  # what appeal_decide(upheld=True) leaves
    with clock.frozen(fx.at(15)):
        rating_record(kind="hall", channel="pad", overall=4, window=w.w4, ticket_ref="20260310-Z001")
    s = selectors.hall_stats(hall=w.hall, day=fx.DAY)
    assert s["ratings"] == {"ratings": 2, "satisfied": 2, "bad": 0, "satisfaction_pct": 100.0}
    assert [(r["number"], r["tickets"], r["ratings"], r["by_hour"]) for r in s["windows"]] == [
        ("01", 3, 1, [2, 0, 1]), ("02", 1, 0, [1, 0, 0]), ("03", 1, 0, [0, 1, 0]), ("04", 0, 1, [0, 0, 0])]


def test_rating_rules(w, day):
    a1 = day["a1"]
    with clock.frozen(fx.at(9, 23)), pytest.raises(DomainError) as exc:
        services.ticket_rate(ticket=a1, window=w.w1, operator=w.o1, overall=3)
    assert (exc.value.code, exc.value.message) == ("already_rated", "该排队号的服务已经评价过")
    a2 = day["a2"]
    with clock.frozen(fx.at(10, 2)), pytest.raises(DomainError) as exc:
        services.ticket_rate(ticket=a2, window=w.w2, operator=w.o2, overall=3)  # finished 9:31, closes after 30 min
    assert exc.value.code == "rating_closed"
    with clock.frozen(fx.at(9, 40)):
        with pytest.raises(DomainError) as exc:
            services.ticket_rate(ticket=a2, window=w.w1, operator=w.o1, overall=3)
        assert exc.value.code == "not_ratable"
        with pytest.raises(DomainError):
            services.ticket_rate(ticket=a2, window=w.w2, operator=w.o2, overall=6)
        assert selectors.pad_ticket(w.w2) == a2
        rating = services.ticket_rate(ticket=a2, window=w.w2, operator=w.o2, overall=2, comment="等候太久")
        assert selectors.pad_ticket(w.w2) is None
    a2.refresh_from_db()
    assert (a2.status, rating.ticket_ref, rating.overall, rating.officer, rating.is_bad) == (
        TicketStatus.DONE, "20260310-A002", 2, w.o2, True)
    assert rating.rectification.status == "verify"
