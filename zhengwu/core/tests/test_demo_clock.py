"""The demo's clock (``zhengwu demo --at``) and its boxed one-time codes: a newcomer on a Sunday evening gets
the next working morning, so numbers can be taken and called; the 认领 code stands out in the terminal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.management.commands.demo import demo_moment
from zhengwu.core.notify import ConsoleNotifier, DemoConsoleNotifier, Message

pytestmark = pytest.mark.django_db


def local(y, m, d, hh=0, mm=0):
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


@pytest.mark.parametrize("real, expected", [
    (local(2026, 12, 6, 20, 0), local(2026, 12, 7, 9, 30)),   # Sunday evening → Monday morning
    (local(2026, 12, 7, 7, 45), local(2026, 12, 7, 9, 30)),   # a working day before opening → that morning
    (local(2026, 12, 7, 10, 0), None),                        # office hours: the wall clock
    (local(2026, 12, 7, 17, 30), local(2026, 12, 8, 9, 30)),  # after closing → the next day
    (local(2026, 9, 30, 18, 0), local(2026, 10, 8, 9, 30)),   # before 国庆 (10月1日至7日) → 10月8日
])
def test_by_default_the_demo_runs_on_the_next_working_morning(real, expected):
    assert demo_moment("", real=real) == expected


def test_at_takes_a_moment_a_date_or_now():
    assert demo_moment("2026-12-07 10:00") == local(2026, 12, 7, 10, 0)
    assert demo_moment("2026-12-09") == local(2026, 12, 9, 9, 30)
    assert demo_moment("now") is None
    with pytest.raises(CommandError) as e:
        demo_moment("下周一")
    assert "--at 的格式应为" in str(e.value)


def test_the_offset_moves_now_and_time_still_passes():
    try:
        clock.set_offset(local(2030, 1, 7, 9, 30) - timezone.now())
        first = clock.now()
        assert (first.year, clock.today()) == (2030, dt.date(2030, 1, 7))
        assert clock.now() >= first
    finally:
        clock.set_offset(dt.timedelta(0))
    assert clock.now().year < 2030


def test_one_time_codes_are_boxed_and_other_messages_are_not():
    out = io.StringIO()
    DemoConsoleNotifier.out = out
    try:
        DemoConsoleNotifier().send_many([
            Message(to_phone="13812345678", kind="case_claim_code", text="验证码123456，用于认领办件"),
            Message(to_phone="13812345678", kind="rating_invite", text="请评价"),
        ])
    finally:
        DemoConsoleNotifier.out = None
    text = out.getvalue()
    assert "★" * 30 in text and "验证码123456" in text and "138****5678" in text
    assert "请评价" not in text and len(ConsoleNotifier.sent) >= 2
