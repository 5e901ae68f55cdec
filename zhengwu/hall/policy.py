"""The queue and appointment policy in force at a hall: its own row, else the default row, else defaults."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhengwu.core import clock
from zhengwu.org.models import Hall

from .models import QueuePolicy

# The rule as a condition and an order, for this module and the hall's hand-written hot-path statements
# (services/_common.py): the hall's own row sorts before the default row (hall_id NULL).
POLICY_PICK = "(hall_id = %s OR hall_id IS NULL) ORDER BY hall_id IS NULL LIMIT 1"
_POLICY_SQL = f"SELECT * FROM {QueuePolicy._meta.db_table} WHERE {POLICY_PICK}"


def policy_for(hall: Hall) -> QueuePolicy:
    for p in QueuePolicy.objects.raw(_POLICY_SQL, [hall.pk]):
        return p
    return QueuePolicy()


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
