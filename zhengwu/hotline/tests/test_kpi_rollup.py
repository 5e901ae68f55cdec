"""The KPI page from its daily rollup: the same figures as counting every order live, kept current by
incremental refreshes (changed orders picked up, nothing new changes nothing, equal to a rebuild)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from zhengwu.core import clock
from zhengwu.hotline import kpi, services
from zhengwu.hotline.models import KpiDay, KpiRollupState, Order, Status
from zhengwu.hotline.services.rollup import kpi_refresh

from .factories import build_world, dispatched, new_order
from .test_kpi import at, orders_of_september_24

pytestmark = pytest.mark.django_db
D = dt.date
SEP = (D(2026, 9, 1), D(2026, 9, 30))


@pytest.fixture
def w():
    """Orders in every state on two days of September, in the town and one of its villages."""
    world = build_world()
    orders_of_september_24(world)
    with clock.frozen(at(9, 25)):
        r = services.order_sign(order=dispatched(world), staff=world.officer)
        r = services.order_reply(order=r, staff=world.officer, text="已修", solved=True)
        r = services.order_approve(order=r, staff=world.head)
        services.order_callback(
            order=r, staff=world.taker, result="dissatisfied", solved=False, unit_fault=True, note="没修好"
        )  # 重办
        world.late = services.order_sign(order=dispatched(world, region=world.village), staff=world.officer)
        new_order(world, region=world.village, category=world.food)
    return world


def figures(start, end, region=None):
    """Everything the page shows, for every grouping (rows compared field by field)."""
    out = {}
    for by in kpi.BY:
        data, rows = kpi.page(by=by, start=start, end=end, region=region)
        out[by] = [vars(r) for r in rows]
        out[f"plain {by}"] = [vars(r) for r in kpi.kpi_rows(by=by, start=start, end=end, region=region)]
    out["dashboard"] = {**data, "total": vars(data["total"])}
    return out


def live(start, end, region=None):
    """The figures counted from the orders alone (no refresh: the page's plain computation)."""
    state = list(KpiRollupState.objects.values())
    KpiRollupState.objects.all().delete()
    try:
        return figures(start, end, region)
    finally:
        KpiRollupState.objects.bulk_create(KpiRollupState(**s) for s in state)


def stored():
    rows = (tuple(v for k, v in r.items() if k != "id") for r in KpiDay.objects.values())
    return sorted(rows, key=repr)


def test_figures_from_the_rollup_equal_the_live_count(w):
    with clock.frozen(at(10, 21)):
        result = kpi_refresh()
        assert result.rebuilt and result.rows > 0
        assert KpiRollupState.objects.get().through == D(2026, 10, 20)
        for region in (None, w.county, w.town, w.village):
            assert figures(*SEP, region) == live(*SEP, region), region
        # whole months come from the month rows, the days around them from the day rows, today live
        for period in ((D(2026, 9, 25), D(2026, 10, 21)), (D(2026, 8, 15), D(2026, 10, 3))):
            assert figures(*period, w.county) == live(*period, w.county), period
        assert KpiDay.objects.filter(monthly=True, day=D(2026, 9, 1)).exists()
        data = kpi.dashboard(start=SEP[0], end=SEP[1], region=w.county)
    assert {k["name"]: k["value"] for k in data["kinds"]}["投诉"] == 6
    assert data["categories"] == [{"name": "市政道路", "value": 6}, {"name": "食品安全", "value": 1}]
    assert data["heat"] == [{"town": "城关镇", "cells": [1, 0, 6, 0, 0, 0]}]
    # the page reads the rollup: a row changed by hand shows (and would not if it counted live)
    KpiDay.objects.filter(part="kind", kind="consult").update(orders=7)
    with clock.frozen(at(10, 21)):
        data = kpi.dashboard(start=SEP[0], end=SEP[1], region=w.county)
    assert {k["name"]: k["value"] for k in data["kinds"]}["咨询"] == 7


def test_today_is_counted_live_and_time_dependent_counts_move_with_the_clock(w):
    with clock.frozen(at(9, 25, 12)):
        kpi_refresh()  # covers up to 24 September
        new_order(w)  # today, after the refresh
        assert figures(D(2026, 9, 1), D(2026, 9, 25)) == live(D(2026, 9, 1), D(2026, 9, 25))
    with clock.frozen(at(10, 30)):  # the unsigned and the unreplied orders are late now, no refresh between
        now = figures(D(2026, 9, 1), D(2026, 9, 25))
        assert now == live(D(2026, 9, 1), D(2026, 9, 25))
    total = now["unit"][-1]
    assert (total["unsigned_late"], total["open_overdue"]) == (1, 3)


def test_an_order_changed_after_the_refresh_is_picked_up_by_the_next(w):
    with clock.frozen(at(10, 21)):
        kpi_refresh()
        before = figures(*SEP)
        unsigned = Order.objects.get(status=Status.DISPATCHED)
        services.order_sign(order=unsigned, staff=w.officer)  # signed late
        late = services.order_reply(order=w.late, staff=w.officer, text="已处理", solved=True)
        late = services.order_approve(order=late, staff=w.head)
        services.order_callback(order=late, staff=w.taker, result="basic", solved=True)
        assert (
            figures(*SEP)["unit"][-1]["signed_late"] == before["unit"][-1]["signed_late"]
        )  # as of the refresh
        result = kpi_refresh()
        assert result.events > 0 and result.days == [D(2026, 9, 24), D(2026, 9, 25)]
        after = figures(*SEP)
        assert after == live(*SEP)
    total, was = after["unit"][-1], before["unit"][-1]
    assert (total["signed_late"], total["callbacks"], total["satisfied"]) == (
        was["signed_late"] + 1,
        was["callbacks"] + 1,
        was["satisfied"] + 1,
    )
    # the incremental rows are those a rebuild writes
    rows = stored()
    KpiRollupState.objects.update(through=None)
    with clock.frozen(at(10, 21)):
        assert kpi_refresh().rebuilt
    assert stored() == rows


def test_a_refresh_with_nothing_new_changes_nothing(w):
    with clock.frozen(at(10, 21)):
        kpi_refresh()
        rows, state = stored(), KpiRollupState.objects.values("last_event_id", "through").get()
        kpi_refresh()
        result = kpi_refresh()
    assert (result.events, result.days) == (0, [])
    assert stored() == rows
    assert KpiRollupState.objects.values("last_event_id", "through").get() == state


def test_the_next_day_is_rolled_up_and_the_minute_job_refreshes(w):
    with clock.frozen(at(9, 25, 12)):
        kpi_refresh()
        assert not KpiDay.objects.filter(day=D(2026, 9, 25)).exists()
    with clock.frozen(at(9, 26, 8)):
        call_command("supervise_minutes", verbosity=0)
        assert KpiDay.objects.filter(day=D(2026, 9, 25)).exists()
        assert KpiRollupState.objects.get().through == D(2026, 9, 25)
        assert figures(*SEP) == live(*SEP)
