"""The hotline KPIs: exact counts and rates per unit, town and month; open overdue orders count as late."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.hotline import kpi, services

from .factories import build_world, dispatched, new_order

pytestmark = pytest.mark.django_db
D = dt.date


def at(m, d, hh=10):
    return timezone.make_aware(dt.datetime(2026, m, d, hh, 0))


def orders_of_september_24(world) -> None:
    """One order in each state, taken on 2026-09-24: replied, approved and called back; dispatched and never
    signed; returned by the unit; a consultation never dispatched. Shared with test_kpi_rollup."""
    with clock.frozen(at(9, 24)):
        a = dispatched(world)
        a = services.order_sign(order=a, staff=world.officer)
        a = services.order_reply(order=a, staff=world.officer, text="已修", solved=True)
        a = services.order_approve(order=a, staff=world.head)
        services.order_callback(order=a, staff=world.taker, result="satisfied", solved=True)
        dispatched(world)  # never signed, never replied
        c = services.order_sign(order=dispatched(world), staff=world.officer)
        services.order_return(order=c, staff=world.officer, reason="不归本单位")
        new_order(world, kind="consult")  # not dispatched: no unit


@pytest.fixture
def w():
    world = build_world()
    orders_of_september_24(world)
    return world


def test_kpis_by_unit_with_open_overdue_counted_late(w):
    with clock.frozen(at(10, 21)):
        rows = kpi.kpi_rows(by="unit", start=D(2026, 9, 1), end=D(2026, 9, 30))
    dept, total = rows
    assert (
        dept.label,
        dept.orders,
        dept.signed_ok,
        dept.unsigned_late,
        dept.replied_ok,
        dept.open_overdue,
    ) == ("示范县住房和城乡建设局", 3, 2, 1, 1, 1)
    assert dept.rates == {
        "sign": 66.7,
        "on_time": 50.0,
        "solved": 100.0,
        "satisfied": 100.0,
        "callback": 100.0,
        "return": 33.3,
        "redo": 0.0,
    }
    assert (total.label, total.orders) == ("合计", 3)


def test_before_the_limits_nothing_is_late(w):
    with clock.frozen(at(9, 24, 12)):
        dept, _ = kpi.kpi_rows(by="unit", start=D(2026, 9, 1), end=D(2026, 9, 30))
    assert (dept.unsigned_late, dept.open_overdue, dept.rates["sign"], dept.rates["on_time"]) == (
        0,
        0,
        100.0,
        100.0,
    )


def test_kpis_by_town_and_month_and_the_dashboard(w):
    with clock.frozen(at(10, 21)):
        towns = kpi.kpi_rows(by="town", start=D(2026, 9, 1), end=D(2026, 9, 30))
        months = kpi.kpi_rows(by="month", start=D(2026, 9, 1), end=D(2026, 9, 30))
        data = kpi.dashboard(start=D(2026, 9, 1), end=D(2026, 9, 30))
    assert [(r.label, r.orders) for r in towns] == [("城关镇", 4), ("合计", 4)]
    assert [(r.label, r.orders) for r in months] == [("2026年09月", 4), ("合计", 4)]
    assert {k["name"]: k["value"] for k in data["kinds"]}["投诉"] == 3
    assert data["categories"] == [{"name": "市政道路", "value": 4}]
    assert data["late_units"] == [{"name": "示范县住房和城乡建设局", "late": 1}]
    assert data["heat"] == [{"town": "城关镇", "cells": [1, 0, 3, 0, 0, 0]}]


def test_villages_roll_up_to_their_town_and_months_follow_the_local_date(w):
    # 00:00 on 1 October in China is still 30 September in UTC: the order counts in October
    with clock.frozen(at(10, 1, 0)):
        new_order(w, region=w.village, category=w.food)
    with clock.frozen(at(10, 21)):
        towns = kpi.kpi_rows(by="town", start=D(2026, 9, 1), end=D(2026, 10, 31), region=w.county)
        months = kpi.kpi_rows(by="month", start=D(2026, 9, 1), end=D(2026, 10, 31), region=w.town)
        only_oct = kpi.kpi_rows(by="month", start=D(2026, 10, 1), end=D(2026, 10, 31), region=w.village)
        data = kpi.dashboard(start=D(2026, 9, 1), end=D(2026, 10, 31), region=w.county)
    assert [(r.label, r.orders) for r in towns] == [("城关镇", 5), ("合计", 5)]
    assert [(r.label, r.orders) for r in months] == [("2026年09月", 4), ("2026年10月", 1), ("合计", 5)]
    assert months[1].key == at(10, 1, 0)
    assert [(r.label, r.orders) for r in only_oct] == [("2026年10月", 1), ("合计", 1)]
    assert data["categories"] == [{"name": "市政道路", "value": 4}, {"name": "食品安全", "value": 1}]
    assert data["heat"] == [{"town": "城关镇", "cells": [1, 0, 4, 0, 0, 0]}]
    assert data["towns"] == [{"name": "城关镇", "value": 5}]
    assert [(m["month"], m["orders"]) for m in data["months"]] == [("2026年09月", 4), ("2026年10月", 1)]


def test_the_page_table_is_the_plain_computation_on_a_mixed_set(w):
    """The page takes its table from the dashboard's passes: the same rows as ``kpi_rows`` for every
    grouping, on orders in every state, with a 重办 and a reply signed off late added to the fixture's."""
    with clock.frozen(at(9, 25)):
        r = services.order_sign(order=dispatched(w), staff=w.officer)
        r = services.order_reply(order=r, staff=w.officer, text="已修", solved=True)
        r = services.order_approve(order=r, staff=w.head)
        services.order_callback(
            order=r, staff=w.taker, result="dissatisfied", solved=False, unit_fault=True, note="没修好"
        )  # 重办: back to the unit, a second round
        late = services.order_sign(order=dispatched(w, region=w.village), staff=w.officer)
    with clock.frozen(at(10, 30)):  # past its 13 working days (National Day between)
        late = services.order_reply(order=late, staff=w.officer, text="已处理", solved=True)
        services.order_approve(order=late, staff=w.head)
    with clock.frozen(at(11, 2)):
        for by in kpi.BY:
            data, rows = kpi.page(by=by, start=D(2026, 9, 1), end=D(2026, 9, 30), region=w.county)
            plain = kpi.kpi_rows(by=by, start=D(2026, 9, 1), end=D(2026, 9, 30), region=w.county)
            assert [vars(x) for x in rows] == [vars(x) for x in plain], by
        assert data["total"].orders == 6
        total = rows[-1]
        assert (total.redone, total.replied_late, total.callbacks) == (1, 1, 2)
    with pytest.raises(ValueError):
        kpi.page(by="week", start=D(2026, 9, 1), end=D(2026, 9, 30))
