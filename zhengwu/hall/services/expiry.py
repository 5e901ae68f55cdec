"""Expiry (过期): a ticket nobody served on its day is void once the hall has closed.

A day's tickets expire ``expire_after_minutes`` (policy, default 60) after the afternoon session
ends (``pm_end``), so a hall still clearing its queue just after closing keeps its tail. What
expires is every ticket still 等候中 (never called, or transferred and not called again) and every
ticket 已叫号 whose visit never started or finished: the person did not come up or the officer
left it open, and an open ticket would keep its window busy the next morning. A ticket 办理中 is
left alone: the person is at the window and only the officer can say how the visit ended.

Per hall, one ``UPDATE … RETURNING`` (PostgreSQL and SQLite alike) marks the tickets and reads back
exactly those it changed, so each gets one ``expire`` event even if a window calls at the same
moment (a ticket called first is no longer in the UPDATE's set; one expired first is no longer
callable, since calling is a guarded UPDATE on 等候中).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.org.models import Hall

from ..models import QueuePolicy, Ticket, TicketEvent, TicketStatus
from ..policy import at_local, policy_for
from ._common import publish_windows

EXPIRABLE = (TicketStatus.WAITING, TicketStatus.CALLED)


def expiry_last_day(p: QueuePolicy, until: dt.datetime) -> dt.date:
    """The latest day whose tickets have expired at ``until`` (that day's closing plus the grace has passed)."""
    day = timezone.localtime(until).date()
    while at_local(day, p.pm_end) + dt.timedelta(minutes=p.expire_after_minutes) > until:
        day -= dt.timedelta(days=1)
    return day


def _expire_hall(hall: Hall, last_day: dt.date, now: dt.datetime) -> int:
    table = connection.ops.quote_name(Ticket._meta.db_table)
    ops = connection.ops
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {table} SET status = %s, finished_at = %s, row_version = row_version + 1 "
                "WHERE hall_id = %s AND day <= %s AND status IN (%s, %s) RETURNING id, window_id, group_id",
                [TicketStatus.EXPIRED, ops.adapt_datetimefield_value(now), hall.pk,
                 ops.adapt_datefield_value(last_day), *EXPIRABLE],
            )
            rows = cur.fetchall()
        if not rows:
            return 0
        # A waiting ticket has no window; a called one always has (check constraint): that tells them apart.
        TicketEvent.objects.bulk_create([
            TicketEvent(ticket_id=tid, action="expire", window_id=wid, at=now,
                        data={"was": TicketStatus.CALLED if wid else TicketStatus.WAITING})
            for tid, wid, _ in sorted(rows)
        ])
        publish_windows(hall, sorted({wid for _, wid, _ in rows if wid}),
                        group_ids=sorted({gid for _, _, gid in rows}))
    return len(rows)


def ticket_mark_expired(*, hall: Hall | None = None, until: dt.datetime | None = None) -> int:
    """Mark as 已过期 the tickets of every day whose closing (plus the policy's grace) is past at
    ``until`` (default and at most: now), in ``hall`` or in every hall; returns how many. Safe to
    run again: a second run finds nothing left to expire."""
    now = clock.now()
    until = min(until or now, now)
    halls = [hall] if hall is not None else list(
        Hall.objects.filter(pk__in=Ticket.objects.filter(status__in=EXPIRABLE).values("hall_id")).order_by("code"))
    total = 0
    for h in halls:
        total += _expire_hall(h, expiry_last_day(policy_for(h), until), now)
    return total
