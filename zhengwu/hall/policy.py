"""The queue and appointment policy in force at a hall: its own row, else the default row, else defaults.

The policy is read on every ticket issued, recalled, skipped and rated but changes a few times a year,
so it is kept in-process the way the hotline keeps its time limits (``hotline.services.policy``): saving
or deleting a ``QueuePolicy`` row (admin, demo, tests) clears this process's copy at once and again when
the change commits, and tells the other processes through the shared cache, which each checks at most
every ``RECHECK_SECONDS``; an edit made with a bulk ``update()`` must call ``policy_invalidate``.

Only committed rows are kept: a policy read inside a transaction (which may yet roll back its own
edit) is used but not remembered, and a read that raced an invalidation is not stored either. The
instance returned is shared: read it, never change it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.core.cache import cache
from django.db import connections, transaction
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.org.models import Hall

from .models import QueuePolicy

# The rule as a condition and an order, for this module and the hall's hand-written hot-path statements
# (services/_common.py): the hall's own row sorts before the default row (hall_id NULL).
POLICY_PICK = "(hall_id = %s OR hall_id IS NULL) ORDER BY hall_id IS NULL LIMIT 1"
_POLICY_SQL = f"SELECT * FROM {QueuePolicy._meta.db_table} WHERE {POLICY_PICK}"

VERSION_KEY = "zhengwu:hall:policy"
RECHECK_SECONDS = 30.0
_policies: dict[int, QueuePolicy] = {}  # by hall id: the row in force there
_state = {"version": None, "checked": 0.0, "generation": 0}
_lock = threading.Lock()


def _forget() -> None:
    with _lock:
        _policies.clear()
        _state["generation"] += 1


def _announce() -> None:
    _forget()
    try:
        cache.set(VERSION_KEY, time.time_ns(), None)
    except Exception:  # a cache outage must not block saving a policy
        pass


def policy_invalidate(**_kwargs) -> None:
    """Forget the policies here, now and once the change commits, and then tell the other processes
    (a receiver of ``QueuePolicy``'s saves and deletes; outside a transaction all at once)."""
    _forget()
    transaction.on_commit(_announce)


def _recheck() -> None:
    now = time.monotonic()
    if now - _state["checked"] < RECHECK_SECONDS:
        return
    _state["checked"] = now
    try:
        version = cache.get(VERSION_KEY)
    except Exception:
        return
    if version != _state["version"]:
        _state["version"] = version
        _forget()


def policy_for(hall: Hall) -> QueuePolicy:
    """The policy in force at the hall (shared: do not change it)."""
    _recheck()
    p = _policies.get(hall.pk)
    if p is not None:
        return p
    generation = _state["generation"]
    p = next(iter(QueuePolicy.objects.raw(_POLICY_SQL, [hall.pk], using="default")), None) or QueuePolicy()
    if not connections["default"].in_atomic_block:
        with _lock:
            if generation == _state["generation"]:
                _policies[hall.pk] = p
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
