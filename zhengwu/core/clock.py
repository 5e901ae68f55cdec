"""The platform's clock. Tests move time with ``frozen``; the demo may run at another moment of the
calendar with ``set_offset`` (time still passes); code asks ``now()`` / ``today()``."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone

_frozen: list[dt.datetime] = []
_offset = dt.timedelta(0)


def now() -> dt.datetime:
    return _frozen[-1] if _frozen else timezone.now() + _offset


def set_offset(delta: dt.timedelta) -> None:
    """Run this process ``delta`` ahead of (or behind) the wall clock — the demo's ``--at``; time passes
    as usual from there. Only for a single-process demo: production never sets it."""
    global _offset
    _offset = delta


def offset() -> dt.timedelta:
    return _offset


def today() -> dt.date:
    """Today's date in Asia/Shanghai (legal dates are local dates)."""
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen(at: dt.date | dt.datetime):
    """Pretend it is ``at`` (a date means 10:00 Beijing time that day)."""
    if isinstance(at, dt.datetime):
        moment = at if timezone.is_aware(at) else timezone.make_aware(at)
    else:
        moment = timezone.make_aware(dt.datetime.combine(at, dt.time(10, 0)))
    _frozen.append(moment)
    try:
        yield moment
    finally:
        _frozen.pop()
