"""The services read their policy rows once per step: the admin's limits, and no settings for an empty note."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.hotline import services
from zhengwu.hotline.models import LimitUnit, Status, TimeLimitRule

from .factories import build_world, new_order

pytestmark = pytest.mark.django_db


def at(m, d, hh=10, mm=0, ss=0):
    return timezone.make_aware(dt.datetime(2026, m, d, hh, mm, ss))


def reads(ctx, table: str) -> int:
    return sum(q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"] for q in ctx.captured_queries)


def test_dispatch_takes_the_admins_limits_in_one_read():
    w = build_world()
    for code, amount in (("return", 3), ("reply_complaint", 5)):
        TimeLimitRule.objects.update_or_create(
            code=code, defaults={"name": code, "amount": amount, "unit": LimitUnit.WORKDAY}
        )
    with clock.frozen(at(11, 10)):  # a Tuesday, no holiday near
        order = new_order(w)
        with CaptureQueriesContext(connection) as ctx:
            order = services.order_dispatch(order=order, staff=w.taker)
    unit = order.units.get()
    assert reads(ctx, "hotline_timelimitrule") == 1
    assert (order.status, unit.sign_due_at, unit.return_until, order.due_on) == (
        Status.DISPATCHED,
        at(11, 11, 23, 59, 59),  # the default: 1 working day
        dt.date(2026, 11, 13),
        dt.date(2026, 11, 17),
    )


def test_an_empty_optional_note_reads_no_settings_and_a_long_one_is_refused():
    w = build_world()
    with clock.frozen(at(11, 10)):
        order = services.order_dispatch(order=new_order(w), staff=w.taker)
        order = services.order_sign(order=order, staff=w.officer)
        order = services.order_reply(order=order, staff=w.officer, text="已修", solved=True)
        with pytest.raises(services.common.DomainError) as exc:
            services.order_approve(order=order, staff=w.head, note="很" * 2001)
        assert exc.value.code == "too_long"
        order.refresh_from_db()
        assert order.status == Status.REVIEWING
        with CaptureQueriesContext(connection) as ctx:
            order = services.order_approve(order=order, staff=w.head)
    assert reads(ctx, "hotline_hotlinesetting") == 0
    assert order.status == Status.CALLBACK
