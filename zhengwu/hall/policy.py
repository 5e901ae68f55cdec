"""The queue and appointment policy in force at a hall: its own row, else the default row, else defaults.

The policy is read on every ticket issued, recalled, skipped and rated but changes a few times a year,
so it is kept in-process the way the hotline keeps its time limits (``hotline.services.policy``): saving
or deleting a ``QueuePolicy`` row (admin, demo, tests) clears this process's copy at once and again when
the change commits, and tells the other processes through the shared cache, which each checks at most
every 30 seconds; an edit made with a bulk ``update()`` must call ``policy_invalidate``.

Only committed rows are kept: a policy read inside a transaction (which may yet roll back its own
edit) is used but not remembered, and a read that raced an invalidation is not stored either. The
instance returned is shared: read it, never change it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.localmemo import LocalMemo
from zhengwu.org.models import Hall

from .models import QueuePolicy

# The rule as a condition and an order, for this module and the hall's hand-written hot-path statements
# (services/_common.py): the hall's own row sorts before the default row (hall_id NULL).
POLICY_PICK = "(hall_id = %s OR hall_id IS NULL) ORDER BY hall_id IS NULL LIMIT 1"
_POLICY_SQL = f"SELECT * FROM {QueuePolicy._meta.db_table} WHERE {POLICY_PICK}"

_memo = LocalMemo("zhengwu:hall:policy")  # by hall id: the row in force there (zhengwu.core.localmemo)


def policy_invalidate(**_kwargs) -> None:
    """Forget the policies here and tell the other processes, now and once the change commits (a receiver
    of ``QueuePolicy``'s saves and deletes; outside a transaction all at once)."""
    _memo.invalidate()


def policy_for(hall: Hall) -> QueuePolicy:
    """The policy in force at the hall (shared: do not change it)."""
    p = _memo.fresh().get(hall.pk)
    if p is not None:
        return p
    generation = _memo.generation()
    p = next(iter(QueuePolicy.objects.raw(_POLICY_SQL, [hall.pk], using="default")), None) or QueuePolicy()
    _memo.keep(hall.pk, p, generation, committed_only=True)
    return p


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
