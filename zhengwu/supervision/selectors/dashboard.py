"""The leaders' dashboard (统计大屏): one region and the tier below it, read from rollups only.

Every figure comes from the rollups of ``models.stats``, kept current by the incremental refresh
(``services.stats``: every minute by ``zhengwu supervise_minutes``, and by the sweep): today's 受理/办结
and fees, the months, the year, the children and the busiest items from the day and month sums; open
overdue cases from the count per place; active red and yellow cards from their count per hall and
department. All of these are as of ``refreshed_at`` (the last refresh, at most a minute behind the cases);
满意率, as the ratings app defines it per hall, as of the last sweep. Only the hall's queue today is
read live (today's tickets: small whatever the history). Where a case "is" is its village station for
代办 cases, else its hall: so a town's figures include what its villages' agents took in, wherever it
was handled. A page costs a fixed number of small queries, whatever the number of cases.

按时办结率 = on time ÷ (finished + open overdue): the running month and the year use the open overdue
cases as of the last refresh, a past month those open and overdue at its last day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Substr

from zhengwu.catalog.models import Item
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.models import Hall, Region, Role, Staff

from .. import hall_port
from ..models import CardStat, DayPlaceStat, ItemStat, MonthStat, OverdueStat, RatingStat, StatState
from ..periods import add_months, month_start
from .rates import rate_of

CHILD_LEN = {"city": 6, "county": 9, "town": 12, "village": 12}
SUMS = ("accepted", "agent_accepted", "completed", "on_time", "fees")


def dashboard_region_for_staff(*, staff: Staff, region_code: str = "") -> Region:
    """The region a leader or supervisor asks for: their own, or one below it."""
    if not staff.has_role(Role.LEADER, Role.SUPERVISOR):
        raise PermissionDenied("统计大屏仅限领导和效能监察员查看", code="no_dashboard")
    if not region_code or region_code == staff.region.code:
        return staff.region
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise NotFound("未找到该区划")
    if not region.code.startswith(staff.region.code_prefix):
        raise PermissionDenied("该区划不在您的管辖范围内", code="out_of_scope")
    return region


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _money(fen) -> float:
    """Fen (the rollups keep fees as integers) to yuan."""
    return float(Decimal(fen or 0) / 100)


def _sum_rows(rows) -> dict:
    out = dict.fromkeys(SUMS, 0)
    for r in rows:
        for k in SUMS:
            out[k] += r[k] or 0
    return out


def dashboard_data(*, region: Region, today: dt.date) -> dict:
    prefix = region.code_prefix
    n = CHILD_LEN[region.level]
    month = month_start(today)
    year_start = dt.date(today.year, 1, 1)
    trend_start = add_months(month, -11)
    place_range = {"place_code__gte": prefix.ljust(12, "0"), "place_code__lte": prefix.ljust(12, "9")}

    halls = list(Hall.objects.filter(region__code__startswith=prefix).values_list("id", "kind", "region__code"))
    handling = [h for h, kind, _ in halls if kind not in (Hall.Kind.VILLAGE_STATION, Hall.Kind.TRADING_CENTER)]
    hall_code = {h: code for h, _, code in halls}

    today_row = DayPlaceStat.objects.filter(day=today, **place_range).aggregate(
        accepted=Sum("accepted"), completed=Sum("completed"), fees=Sum("fees"))
    child = Substr("place_code", 1, n)
    overdue_rows = (OverdueStat.objects.filter(month__gte=trend_start, month__lte=month, **place_range)
                    .annotate(child=child).order_by().values_list("month", "child").annotate(k=Sum("open_overdue")))
    overdue_by_month: dict[dt.date, int] = {}
    overdue_by_child: dict[str, int] = {}
    for m_, code, k in overdue_rows:
        overdue_by_month[m_] = overdue_by_month.get(m_, 0) + k
        if m_ == month:
            overdue_by_child[code] = overdue_by_child.get(code, 0) + k
    open_overdue = overdue_by_month.get(month, 0)
    card_rows = (CardStat.objects.filter(hall_id__in=handling).order_by().values("department_id", "department__name")
                 .annotate(red=Sum("red"), yellow=Sum("yellow")))
    cards = sorted(({"name": r["department__name"], "red": r["red"], "yellow": r["yellow"]} for r in card_rows),
                   key=lambda r: (-r["red"], -r["yellow"], r["name"]))

    sums = {k: Sum(k) for k in SUMS}
    month_rows = list(MonthStat.objects.filter(month__gte=trend_start, month__lte=month, **place_range)
                      .annotate(child=child).order_by().values("month", "child").annotate(**sums))
    rows_of_month: dict[dt.date, list[dict]] = {}
    for r in month_rows:
        rows_of_month.setdefault(r["month"], []).append(r)
    by_month = {m_: _sum_rows(rows) for m_, rows in rows_of_month.items()}
    trend = []
    m = trend_start
    while m <= month:
        r = by_month.get(m) or dict.fromkeys(SUMS, 0)
        overdue_m = overdue_by_month.get(m, 0)
        trend.append({"month": f"{m:%Y-%m}", "accepted": r["accepted"], "completed": r["completed"],
                      "on_time": r["on_time"], "open_overdue": overdue_m,
                      "rate": _pct(rate_of(r["on_time"], r["completed"], overdue_m))})
        m = add_months(m, 1)
    this_month = by_month.get(month) or dict.fromkeys(SUMS, 0)
    year = _sum_rows(r for r in month_rows if r["month"] >= year_start)

    sat_rows = RatingStat.objects.filter(hall_id__in=handling, month__gte=year_start, month__lte=month).values_list(
        "month", "hall_id", "satisfied", "ratings")
    satisfaction_year: dict[str, list[int]] = {}
    satisfaction_month = [0, 0]
    for m_, hall_id, good, total in sat_rows:
        acc = satisfaction_year.setdefault(hall_code[hall_id][:n], [0, 0])
        acc[0] += good
        acc[1] += total
        if m_ == month:
            satisfaction_month[0] += good
            satisfaction_month[1] += total

    children = []
    if region.level != Region.Level.VILLAGE:
        names = {r.code[:n]: r.name for r in Region.objects.filter(parent=region)}
        names[region.code[:n]] = f"{region.name}本级"
        found = {}
        for r in month_rows:
            if r["month"] >= year_start:
                found.setdefault(r["child"], []).append(r)
        for code in sorted(set(found) | set(overdue_by_child)):
            r = _sum_rows(found.get(code, []))
            over = overdue_by_child.get(code, 0)
            sat = satisfaction_year.get(code)
            children.append({
                "code": code.ljust(12, "0"), "name": names.get(code, code), "own": code == region.code[:n],
                "accepted": r["accepted"], "completed": r["completed"], "agent": r["agent_accepted"],
                "open_overdue": over, "fees": _money(r["fees"]),
                "rate": _pct(rate_of(r["on_time"], r["completed"], over)),
                "satisfaction": _pct(sat[0] / sat[1]) if sat and sat[1] else None,
            })
    item_rows = list(ItemStat.objects.filter(area=prefix, month__gte=year_start, month__lte=month).order_by()
                     .values("item_id").annotate(n=Sum("accepted")).order_by("-n", "item_id")[:10])
    item_names = dict(Item.objects.filter(pk__in=[r["item_id"] for r in item_rows]).values_list("id", "name"))
    refreshed = StatState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()

    year_good = sum(v[0] for v in satisfaction_year.values())
    year_total = sum(v[1] for v in satisfaction_year.values())

    return {
        "region": {"code": region.code, "name": region.name, "level": region.level,
                   "level_label": region.get_level_display()},
        "today": today.isoformat(),
        "refreshed_at": refreshed.isoformat() if refreshed else None,
        "kpis": {
            "accepted_today": today_row["accepted"] or 0, "completed_today": today_row["completed"] or 0,
            "accepted_month": this_month["accepted"], "completed_month": this_month["completed"],
            "accepted_year": year["accepted"], "completed_year": year["completed"],
            "on_time_rate_month": _pct(rate_of(this_month["on_time"], this_month["completed"], open_overdue)),
            "on_time_rate_year": _pct(rate_of(year["on_time"], year["completed"], open_overdue)),
            "open_overdue": open_overdue,
            "satisfaction_month": _pct(satisfaction_month[0] / satisfaction_month[1]) if satisfaction_month[1] else None,
            "satisfaction_year": _pct(year_good / year_total) if year_total else None,
            "red_cards": sum(c["red"] for c in cards), "yellow_cards": sum(c["yellow"] for c in cards),
            "fees_today": _money(today_row["fees"]), "fees_month": _money(this_month["fees"]),
            "fees_year": _money(year["fees"]),
            "agent_month": this_month["agent_accepted"], "agent_year": year["agent_accepted"],
        },
        "hall": hall_port.hall_today(hall_ids=handling, today=today),
        "trend": trend,
        "cards_by_department": cards,
        "busiest_items": [{"name": item_names.get(r["item_id"], ""), "accepted": r["n"]} for r in item_rows],
        "children": children,
    }
