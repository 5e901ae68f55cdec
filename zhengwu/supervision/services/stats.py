"""The dashboard's monthly rollup (``CaseStat``), rebuilt per month from indexed GROUP BY queries.

The sweep refreshes the running month on every run (and the previous month until it has been
refreshed after its end); ``zhengwu supervise --rebuild-stats`` rebuilds every month.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from zhengwu.cases.models import Case, FeeLine, Status
from zhengwu.core import clock
from zhengwu.org.models import Hall

from .. import ratings_port
from ..models import CaseStat, RatingStat, StatRefresh
from ..periods import add_months, month_end, month_start
from .bulk import insert_rows

RUNNING = (Status.IN_REVIEW, Status.DECIDED)  # the case's clock runs (办结 is the deadline)
HELD = (Status.SUSPENDED, Status.SUPPLEMENT)  # the clock is stopped

KEY = ("hall_id", "agent_station_id", "department_id", "item_id")
STAT_COLUMNS = [("month", "date"), ("place_code", "varchar"), ("department_id", "bigint"), ("item_id", "bigint"),
                ("accepted", "integer"), ("agent_accepted", "integer"), ("completed", "integer"), ("on_time", "integer"),
                ("open_overdue", "integer"), ("fees", "numeric")]


def day_start(day: dt.date) -> dt.datetime:
    """Midnight (Asia/Shanghai) at the start of ``day``, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def open_overdue_q(as_of: dt.date) -> Q:
    """Cases accepted, not closed by the end of ``as_of``, whose due date has passed (clock running)."""
    after = day_start(as_of + dt.timedelta(days=1))
    still_open = (Q(status__in=RUNNING)
                  | Q(status__in=[Status.COMPLETED, Status.DELIVERED], completed_at__gte=after)
                  | Q(status=Status.WITHDRAWN, closed_at__gte=after))
    return still_open & Q(accepted_on__lte=as_of, due_date__lt=as_of)


def _refresh_month(month: dt.date, today: dt.date, places: dict[int, str]) -> int:
    start, end = month_start(month), month_end(month)
    as_of = min(end, today)
    rows: dict[tuple, dict] = {}

    def row(hall_id, station_id, dept, item):
        key = (places[station_id or hall_id], dept, item)
        return rows.setdefault(key, {"accepted": 0, "agent_accepted": 0, "completed": 0, "on_time": 0,
                                     "open_overdue": 0, "fees": Decimal(0)})

    accepted = (Case.objects.filter(accepted_on__gte=start, accepted_on__lte=end).order_by().values(*KEY)
                .annotate(n=Count("id"), agent=Count("id", filter=Q(channel="agent"))))
    for r in accepted:
        x = row(r["hall_id"], r["agent_station_id"], r["department_id"], r["item_id"])
        x["accepted"] += r["n"]
        x["agent_accepted"] += r["agent"]
    completed = (Case.objects.filter(completed_at__gte=day_start(start), completed_at__lt=day_start(end + dt.timedelta(days=1)))
                 .order_by().values(*KEY)
                 .annotate(n=Count("id"), on_time=Count("id", filter=Q(completed_on__lte=F("due_date")))))
    for r in completed:
        x = row(r["hall_id"], r["agent_station_id"], r["department_id"], r["item_id"])
        x["completed"] += r["n"]
        x["on_time"] += r["on_time"]
    overdue = Case.objects.filter(open_overdue_q(as_of)).exclude(status__in=HELD).order_by().values(*KEY).annotate(
        n=Count("id"))
    for r in overdue:
        row(r["hall_id"], r["agent_station_id"], r["department_id"], r["item_id"])["open_overdue"] += r["n"]
    fees = (FeeLine.objects.filter(paid_on__gte=start, paid_on__lte=end, waived=False).order_by()
            .values("case__hall_id", "case__agent_station_id", "case__department_id", "case__item_id")
            .annotate(s=Sum(F("amount") * F("quantity"))))
    for r in fees:
        row(r["case__hall_id"], r["case__agent_station_id"], r["case__department_id"],
            r["case__item_id"])["fees"] += r["s"] or 0
    objs = [(start, place, dept, item, v["accepted"], v["agent_accepted"], v["completed"], v["on_time"],
             v["open_overdue"], v["fees"]) for (place, dept, item), v in rows.items()]
    sats = [(start, hall, good, total)
            for hall, (good, total) in ratings_port.satisfaction_by_hall(start=start, end=end).items()]
    with transaction.atomic():
        CaseStat.objects.filter(month=start).delete()
        insert_rows(CaseStat, STAT_COLUMNS, objs)
        RatingStat.objects.filter(month=start).delete()
        insert_rows(RatingStat, [("month", "date"), ("hall_id", "bigint"), ("satisfied", "integer"),
                                 ("ratings", "integer")], sats)
        StatRefresh.objects.update_or_create(month=start, defaults={"refreshed_at": clock.now(), "rows": len(objs)})
    return len(objs)


def stats_refresh(*, months: list[dt.date] | None = None, today: dt.date | None = None) -> int:
    """Rebuild the given months (default: the running month, and the previous one until it is final)."""
    today = today or clock.today()
    if months is None:
        current = month_start(today)
        previous = add_months(current, -1)
        done = StatRefresh.objects.filter(month=previous, refreshed_at__gte=day_start(current)).exists()
        months = [current] if done else [previous, current]
    places = {h: code for h, code in Hall.objects.values_list("id", "region__code")}
    places[None] = ""
    return sum(_refresh_month(m, today, places) for m in months)


def stats_rebuild(*, today: dt.date | None = None) -> int:
    """Rebuild every month from the first accepted case to today."""
    today = today or clock.today()
    first = Case.objects.aggregate(first=Min("accepted_on"))["first"]
    if first is None:
        return stats_refresh(months=[month_start(today)], today=today)
    months, m = [], month_start(first)
    while m <= today:
        months.append(m)
        m = add_months(m, 1)
    return stats_refresh(months=months, today=today)
