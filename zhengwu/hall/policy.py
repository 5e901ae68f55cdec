"""The queue and appointment policy in force at a hall: its own row, else the default row, else defaults."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.org.models import Hall

from .models import QueuePolicy


def policy_for(hall: Hall) -> QueuePolicy:
    rows = {p.hall_id: p for p in QueuePolicy.objects.filter(Q(hall=hall) | Q(hall__isnull=True))}
    return rows.get(hall.pk) or rows.get(None) or QueuePolicy()


def local_now() -> dt.datetime:
    return timezone.localtime(clock.now())


def at_local(day: dt.date, t: dt.time) -> dt.datetime:
    """An aware datetime for a local (Asia/Shanghai) wall-clock time."""
    return timezone.make_aware(dt.datetime.combine(day, t))


def slot_starts(p: QueuePolicy) -> list[tuple[dt.time, dt.time]]:
    """Appointment slots of a day: each session cut into ``slot_minutes`` pieces (the last may be shorter)."""
    slots = []
    step = dt.timedelta(minutes=p.slot_minutes)
    day = dt.date(2000, 1, 3)
    for begin, end in p.sessions():
        cursor, stop = dt.datetime.combine(day, begin), dt.datetime.combine(day, end)
        while cursor < stop:
            nxt = min(cursor + step, stop)
            slots.append((cursor.time(), nxt.time()))
            cursor = nxt
    return slots
