"""Statistics per hall, window and hour; time away in service hours."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict, defaultdict

from django.db.models import Avg, Count, Max, Q
from django.db.models.functions import ExtractHour
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.org.models import Hall, Window
from zhengwu.workdays import engine

from ..models import (
    QueuePolicy,
    StaffAbsence,
    Ticket,
    TicketStatus,
)
from ..policy import at_local, policy_for


def _minutes(seconds) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)

def _agg() -> dict:
    return {
        "tickets": Count("id"),
        "called": Count("id", filter=Q(called_at__isnull=False)),
        "served": Count("id", filter=Q(status=TicketStatus.DONE)),
        "no_shows": Count("id", filter=Q(status=TicketStatus.NO_SHOW)),
        "avg_wait": Avg("wait_seconds"),
        "avg_service": Avg("service_seconds", filter=Q(status=TicketStatus.DONE)),
        "max_wait": Max("wait_seconds"),
    }

def _row(r: dict) -> dict:
    return {"tickets": r["tickets"], "called": r["called"], "served": r["served"], "no_shows": r["no_shows"],
            "avg_wait_min": _minutes(r["avg_wait"]), "avg_service_min": _minutes(r["avg_service"]),
            "max_wait_min": _minutes(r["max_wait"])}

def hall_stats(*, hall: Hall, day: dt.date) -> dict:
    """Tickets, average wait, average service time and no-shows: the hall, each window, and by hour.

    The hall's hours bucket tickets by the hour they were issued; a window's hours by the hour it
    first called them. A ticket counts for the window that last handled it (after a transfer, the
    second window); its wait runs from issue to first call.
    """
    tickets = Ticket.objects.filter(hall=hall, day=day)
    total = _row(tickets.aggregate(**_agg()))
    windows = {w.pk: w for w in Window.objects.filter(hall=hall)}
    per_window = []
    for r in tickets.filter(window__isnull=False).values("window_id").annotate(**_agg()).order_by():
        w = windows[r["window_id"]]
        per_window.append({"window_id": w.pk, "number": w.number, "name": w.name, **_row(r)})
    per_window.sort(key=lambda r: r["number"])
    by_hour = [{"hour": r["hour"], **_row(r)} for r in
               tickets.annotate(hour=ExtractHour("issued_at")).values("hour").annotate(**_agg()).order_by("hour")]
    window_hours: dict[int, dict[int, int]] = defaultdict(dict)
    for r in (tickets.filter(window__isnull=False, called_at__isnull=False)
              .annotate(hour=ExtractHour("called_at")).values("window_id", "hour").annotate(n=Count("id"))
              .order_by()):
        window_hours[r["window_id"]][r["hour"]] = r["n"]
    hours = sorted({h for row in window_hours.values() for h in row} | {r["hour"] for r in by_hour})
    for row in per_window:
        row["by_hour"] = [window_hours[row["window_id"]].get(h, 0) for h in hours]
    ratings = (Ticket.objects.filter(hall=hall, day=day, rating__isnull=False)
               .aggregate(n=Count("rating"), avg=Avg("rating__score")))
    return {"hall": hall.code, "day": day.isoformat(), "total": total, "windows": per_window, "by_hour": by_hour,
            "hours": hours, "ratings": {"count": ratings["n"],
                                        "avg": round(ratings["avg"], 2) if ratings["avg"] else None}}

def away_seconds_in_service_hours(start: dt.datetime, end: dt.datetime, *, p: QueuePolicy, region) -> int:
    """Seconds of [start, end) that fall in the service hours of working days."""
    if end <= start:
        return 0
    total = 0
    day, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    while day <= last:
        if engine.is_workday(day, region=region):
            for a, b in p.sessions():
                lo, hi = max(start, at_local(day, a)), min(end, at_local(day, b))
                if hi > lo:
                    total += int((hi - lo).total_seconds())
        day += dt.timedelta(days=1)
    return total

def presence_report(*, hall: Hall, start: dt.date, end: dt.date) -> list[dict]:
    """Per member of staff: absences and minutes away during service hours, days ``start``–``end``."""
    p = policy_for(hall)
    lo, hi = at_local(start, dt.time(0, 0)), at_local(end + dt.timedelta(days=1), dt.time(0, 0))
    now = clock.now()
    rows = (StaffAbsence.objects.filter(Q(hall=hall) | Q(hall__isnull=True, staff__hall=hall))
            .filter(started_at__lt=hi).filter(Q(returned_at__isnull=True) | Q(returned_at__gt=lo))
            .select_related("staff__department").order_by("staff__employee_no", "started_at"))
    by_staff: OrderedDict[int, dict] = OrderedDict()
    for a in rows:
        until = min(a.returned_at or now, hi)
        secs = away_seconds_in_service_hours(max(a.started_at, lo), until, p=p, region=hall.region)
        entry = by_staff.setdefault(a.staff_id, {"staff": a.staff, "absences": 0, "seconds": 0, "kinds": defaultdict(int)})
        entry["absences"] += 1
        entry["seconds"] += secs
        entry["kinds"][a.get_kind_display()] += secs
    return [{"staff": e["staff"], "absences": e["absences"], "minutes": e["seconds"] // 60,
             "kinds": {k: v // 60 for k, v in e["kinds"].items()}} for e in by_staff.values()]
