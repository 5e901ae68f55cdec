"""What supervision needs from the service hall (``zhengwu.hall``), behind one small interface.

- ``away_overdue_minutes(start=, end=)`` → {staff id: minutes}: time an officer stayed away
  beyond the return time they declared on the 外出告知 (or has not come back yet), counted only in
  the hall's service hours on working days. A declared absence within its time is not held
  against anyone (会议、外出办事、休假 are duties or leave); overstaying it is 脱岗.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import F, Q

from zhengwu.core import clock


def away_overdue_minutes(*, start: dt.date, end: dt.date) -> dict[int, int]:
    from zhengwu.hall.models import StaffAbsence
    from zhengwu.hall.policy import at_local, policy_for
    from zhengwu.hall.selectors.reports import away_seconds_in_service_hours

    lo, hi = at_local(start, dt.time(0, 0)), at_local(end + dt.timedelta(days=1), dt.time(0, 0))
    now = clock.now()
    rows = (StaffAbsence.objects.filter(expected_return__lt=min(hi, now))
            .filter(Q(returned_at__isnull=True) | Q(returned_at__gt=F("expected_return")))
            .filter(Q(returned_at__isnull=True) | Q(returned_at__gt=lo))
            .select_related("hall__region", "staff__hall__region"))
    policies = {}
    seconds: Counter = Counter()
    for a in rows:
        hall = a.hall or a.staff.hall
        if hall is None:
            continue
        if hall.pk not in policies:
            policies[hall.pk] = policy_for(hall)
        until = min(a.returned_at or now, hi)
        seconds[a.staff_id] += away_seconds_in_service_hours(max(a.expected_return, lo), until,
                                                             p=policies[hall.pk], region=hall.region)
    return {sid: s // 60 for sid, s in seconds.items() if s >= 60}


def hall_today(*, hall_ids: list[int], today) -> dict:
    """The halls' queue today: numbers issued, waiting now, served, no-shows, average and longest wait
    (minutes, over the numbers called today). Today's rows only: small, read live."""
    from django.db.models import Avg, Count, Max

    from zhengwu.hall.models import Ticket, TicketStatus

    row = Ticket.objects.filter(hall_id__in=hall_ids, day=today).aggregate(
        issued=Count("id"), waiting=Count("id", filter=Q(status=TicketStatus.WAITING)),
        served=Count("id", filter=Q(status=TicketStatus.DONE)),
        no_shows=Count("id", filter=Q(status=TicketStatus.NO_SHOW)),
        avg_wait=Avg("wait_seconds"), max_wait=Max("wait_seconds"))
    return {"tickets_today": row["issued"], "waiting_now": row["waiting"], "served_today": row["served"],
            "no_shows_today": row["no_shows"],
            "avg_wait_minutes": round(row["avg_wait"] / 60, 1) if row["avg_wait"] is not None else None,
            "max_wait_minutes": round(row["max_wait"] / 60, 1) if row["max_wait"] is not None else None}
