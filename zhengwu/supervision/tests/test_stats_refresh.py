"""The dashboard's rollups kept current incrementally: a refresh reads the case events since the last one,
recomputes only the days they touch, moves the month tables by the difference, and ends where a full
rebuild would."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from zhengwu.cases.fees import fee_pay
from zhengwu.core import clock
from zhengwu.supervision.models import (
    CardStat,
    DayPlaceStat,
    DayStat,
    ItemStat,
    MonthStat,
    OverdueCase,
    OverdueStat,
    StatRefresh,
    StatState,
)
from zhengwu.supervision.selectors import dashboard_data
from zhengwu.supervision.services import stats_rebuild, stats_refresh

from .conftest import accept_case, finish_case

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 4, 10)
MARCH, APRIL = D(2026, 3, 1), D(2026, 4, 1)


def figures() -> dict:
    """Every rollup row, without ids."""
    return {
        "day": sorted(DayStat.objects.values_list("day", "place_code", "item_id", "accepted", "agent_accepted",
                                                  "completed", "on_time", "fees")),
        "month": sorted(MonthStat.objects.values_list("month", "place_code", "accepted", "agent_accepted",
                                                      "completed", "on_time", "fees")),
        "item": sorted(ItemStat.objects.values_list("month", "area", "item_id", "accepted")),
        "overdue": sorted(OverdueStat.objects.values_list("month", "place_code", "open_overdue")),
        "day_place": sorted(DayPlaceStat.objects.values_list("day", "place_code", "accepted", "agent_accepted",
                                                             "completed", "on_time", "fees")),
        "cards": sorted(CardStat.objects.values_list("hall_id", "department_id", "red", "yellow")),
        "overdue_cases": sorted(OverdueCase.objects.values_list("case_id", "place_code")),
    }


def march_rows() -> tuple:
    """March's rows with their ids: unchanged ids mean the refresh did not rewrite them."""
    return (sorted(DayStat.objects.filter(day__lt=APRIL).values_list("id", "day", "accepted", "completed")),
            sorted(MonthStat.objects.filter(month=MARCH).values_list("id", "accepted", "completed", "on_time")),
            sorted(ItemStat.objects.filter(month=MARCH).values_list("id", "area", "accepted")),
            sorted(OverdueStat.objects.filter(month=MARCH).values_list("id", "open_overdue")))


@pytest.fixture
def built(w):
    """March: A (03-02, finished late 03-12), B (03-02, on time 03-05), C (03-16, open, due 03-23);
    April: F (04-01, due 04-09, open). Rolled up on TODAY."""
    a = accept_case(w, D(2026, 3, 2), name="甲")
    b = accept_case(w, D(2026, 3, 2), name="乙")
    w.c = accept_case(w, D(2026, 3, 16), name="丙")
    finish_case(w, a, D(2026, 3, 12))
    finish_case(w, b, D(2026, 3, 5))
    w.f = accept_case(w, D(2026, 4, 1), name="戊")
    with clock.frozen(TODAY):
        stats_rebuild(today=TODAY)
    return w


def test_refresh_picks_up_cases_accepted_completed_and_paid_since_the_last_one(built):
    w = built
    march = march_rows()
    before = dashboard_data(region=w.county, today=TODAY)["kpis"]
    assert (before["accepted_today"], before["completed_today"], before["open_overdue"]) == (0, 0, 2)
    accept_case(w, TODAY, name="己")
    finish_case(w, w.f, TODAY)
    with clock.frozen(TODAY):
        fee_pay(case=w.f, cashier=w.officer, method="cash")
        result = stats_refresh(today=TODAY)
    assert result.days == [TODAY]  # the only day with new facts
    assert result.months == [APRIL] and result.events > 0
    assert march_rows() == march  # March untouched, row for row
    kpis = dashboard_data(region=w.county, today=TODAY)["kpis"]
    assert (kpis["accepted_today"], kpis["completed_today"], kpis["fees_today"]) == (1, 1, 10.0)
    assert (kpis["accepted_month"], kpis["completed_month"], kpis["accepted_year"]) == (2, 1, 5)
    assert kpis["open_overdue"] == 1  # F was overdue (due 04-09); now finished, only C is left
    assert kpis["on_time_rate_month"] == 0.0  # F finished a day late: 0 ÷ (1 + 1)

    incremental = figures()
    with clock.frozen(TODAY):
        stats_rebuild(today=TODAY)
    assert figures() == incremental


def test_a_refresh_with_nothing_new_changes_nothing(built):
    accept_case(built, TODAY, name="己")
    with clock.frozen(TODAY):
        stats_refresh(today=TODAY)
    state = StatState.objects.get()
    before = figures()
    with clock.frozen(TODAY):
        result = stats_refresh(today=TODAY)
    assert (result.events, result.changed, result.days) == (0, 0, [TODAY])
    assert figures() == before
    assert StatState.objects.get().last_event_id == state.last_event_id


def test_a_late_event_on_an_earlier_day_moves_that_month_only(built):
    """C finished with the clock set back to 03-20 (on time, due 03-23): March's figures and its month-end
    overdue count move; the result equals a full rebuild."""
    w = built
    finish_case(w, w.c, D(2026, 3, 20))
    with clock.frozen(TODAY):
        result = stats_refresh(today=TODAY)
    assert result.days == [D(2026, 3, 20), TODAY]
    assert result.months == [MARCH, APRIL]
    trend = {t["month"]: t for t in dashboard_data(region=w.county, today=TODAY)["trend"]}
    assert (trend["2026-03"]["completed"], trend["2026-03"]["on_time"], trend["2026-03"]["open_overdue"]) == (3, 2, 0)
    assert StatRefresh.objects.get(month=MARCH).as_of == D(2026, 3, 31)
    incremental = figures()
    with clock.frozen(TODAY):
        stats_rebuild(today=TODAY)
    assert figures() == incremental


def test_the_next_day_and_the_next_month(built):
    """Days pass with no events: the running month's overdue count follows the date, and the first refresh
    in May counts April at its last day."""
    w = built
    may = D(2026, 5, 4)
    with clock.frozen(D(2026, 4, 30)):
        stats_refresh(today=D(2026, 4, 30))
    with clock.frozen(may):
        result = stats_refresh(today=may)
    assert result.events == 0 and APRIL in result.months
    assert StatRefresh.objects.get(month=APRIL).as_of == D(2026, 4, 30)
    data = dashboard_data(region=w.county, today=may)
    assert data["kpis"]["open_overdue"] == 2  # C and F, still open
    assert [t["open_overdue"] for t in data["trend"][-3:]] == [1, 2, 2]  # March 31, April 30, today
    incremental = figures()
    with clock.frozen(may):
        stats_rebuild(today=may)
    assert figures() == incremental


def test_the_first_refresh_rebuilds(w):
    accept_case(w, D(2026, 4, 1), name="甲")
    with clock.frozen(TODAY):
        result = stats_refresh(today=TODAY)
    assert result.rebuilt
    assert MonthStat.objects.get(month=APRIL).accepted == 1
    assert StatState.objects.get().last_day == TODAY


def test_the_minute_job_refreshes(built):
    """The every-minute refresh moves the set of open overdue cases by the cases of its events: F (overdue
    since 04-09) finished today leaves it; the figures equal a full rebuild."""
    w = built
    accept_case(w, TODAY, name="己")
    finish_case(w, w.f, TODAY)
    out = io.StringIO()
    with clock.frozen(TODAY):
        call_command("supervise_minutes", stdout=out)
    assert "统计汇总按" in out.getvalue()
    assert DayPlaceStat.objects.get(day=TODAY).accepted == 1
    assert list(OverdueCase.objects.values_list("case_id", flat=True)) == [w.c.pk]
    assert dashboard_data(region=w.county, today=TODAY)["kpis"]["open_overdue"] == 1
    incremental = figures()
    with clock.frozen(TODAY):
        stats_rebuild(today=TODAY)
    assert figures() == incremental


def test_the_minute_refresh_adds_the_cases_that_fell_due(built):
    """Days later with no events: C and F stay; a case due on 04-10 (accepted 04-02) joins on the next
    working day."""
    w = built
    g = accept_case(w, D(2026, 4, 2), name="庚")
    assert g.due_date == TODAY
    with clock.frozen(TODAY):
        stats_refresh(today=TODAY, minute=True)
    assert OverdueCase.objects.count() == 2
    with clock.frozen(D(2026, 4, 13)):
        stats_refresh(today=D(2026, 4, 13), minute=True)
    assert sorted(OverdueCase.objects.values_list("case_id", flat=True)) == sorted([w.c.pk, w.f.pk, g.pk])
