"""Statistics per hall, window and hour (satisfaction from 好差评); time away in service hours."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict, defaultdict

from django.db.models import Avg, Count, Max, Q
from django.db.models.functions import ExtractHour
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.org.models import Hall, Window
from zhengwu.ratings.models import Kind, Rating
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
        "expired": Count("id", filter=Q(status=TicketStatus.EXPIRED)),
        "avg_wait": Avg("wait_seconds"),
        "avg_service": Avg("service_seconds", filter=Q(status=TicketStatus.DONE)),
        "max_wait": Max("wait_seconds"),
    }

def _row(r: dict) -> dict:
    return {"tickets": r["tickets"], "called": r["called"], "served": r["served"], "no_shows": r["no_shows"],
            "expired": r["expired"], "avg_wait_min": _minutes(r["avg_wait"]),
            "avg_service_min": _minutes(r["avg_service"]), "max_wait_min": _minutes(r["max_wait"])}

def hall_stats(*, hall: Hall, day: dt.date) -> dict:
    """Tickets, average wait, average service time, no-shows, expired tickets (已过期: not served by
    closing, see ``services/expiry.py``) and satisfaction: the hall, each window, and by hour.

    The hall's hours bucket tickets by the hour they were issued; a window's hours by the hour it
    first called them. A ticket counts for the window that last handled it (after a transfer, the
    second window); its wait runs from issue to first call. Satisfaction is the day's on-site
    好差评 ratings (``ratings.Rating``), see ``_ratings``.
    """
    tickets = Ticket.objects.filter(hall=hall, day=day)
    total = _row(tickets.aggregate(**_agg()))
    windows = {w.pk: w for w in Window.objects.filter(hall=hall)}
    ratings = _ratings(hall, day)
    per_window = []
    for r in tickets.filter(window__isnull=False).values("window_id").annotate(**_agg()).order_by():
        w = windows[r["window_id"]]
        per_window.append({"window_id": w.pk, "number": w.number, "name": w.name, **_row(r)})
    for wid in ratings["windows"].keys() - {row["window_id"] for row in per_window}:
        if wid in windows:  # rated today without a ticket of today (e.g. a case rated on the 好差评 pad)
            w = windows[wid]
            per_window.append({"window_id": w.pk, "number": w.number, "name": w.name, **_row(_EMPTY)})
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
        row.update(ratings["windows"].get(row["window_id"], _rating_row(0, 0, 0)))
    return {"hall": hall.code, "day": day.isoformat(), "total": total, "windows": per_window, "by_hour": by_hour,
            "hours": hours, "ratings": ratings["total"]}


_EMPTY = {"tickets": 0, "called": 0, "served": 0, "no_shows": 0, "expired": 0, "avg_wait": None,
          "avg_service": None, "max_wait": None}


def _rating_row(n: int, satisfied: int, bad: int) -> dict:
    return {"ratings": n, "satisfied": satisfied, "bad": bad,
            "satisfaction_pct": round(satisfied * 100 / n, 1) if n else None}


def _ratings(hall: Hall, day: dt.date) -> dict:
    """The day's on-site 好差评 ratings (现场服务) of the hall, in total and per window, in one query.

    Read from ``ratings.Rating`` with 好差评's definitions: ratings set aside by an upheld appeal do
    not count; 满意率 is the share rated 基本满意 or better, 差评 those rated 不满意 or worse. Every
    on-site rating counts, whichever way it came (the hall's pad, the 好差评 pad, a link).
    """
    rows = (Rating.objects.filter(hall=hall, kind=Kind.HALL, rated_on=day, excluded=False)
            .values("window_id").annotate(n=Count("id"), satisfied=Count("id", filter=Q(is_bad=False)),
                                          bad=Count("id", filter=Q(is_bad=True))).order_by())
    per_window, n, satisfied, bad = {}, 0, 0, 0
    for r in rows:
        n, satisfied, bad = n + r["n"], satisfied + r["satisfied"], bad + r["bad"]
        if r["window_id"] is not None:
            per_window[r["window_id"]] = _rating_row(r["n"], r["satisfied"], r["bad"])
    return {"total": _rating_row(n, satisfied, bad), "windows": per_window}


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
