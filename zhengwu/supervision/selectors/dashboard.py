"""The leaders' dashboard (统计大屏): one region and the tier below it, fast on a year of cases.

Months come from the ``CaseStat`` and ``RatingStat`` rollups (refreshed by the sweep; 满意率 as the
ratings app defines it, per hall); today's figures, open overdue
cases, fees paid today and active cards are live indexed queries. Where a case "is" is its
village station for 代办 cases, else its hall: so a town's figures include what its villages'
agents took in, wherever it was handled.

按时办结率 = on time ÷ (finished + open overdue): the running month and the year use the open
overdue cases of today, a past month those open and overdue at its last day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr

from zhengwu.cases.models import Case, FeeLine
from zhengwu.catalog.models import Item
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.models import Hall, Region, Role, Staff

from .. import hall_port
from ..models import Card, CaseStat, RatingStat, StatRefresh
from ..periods import add_months, month_start
from ..services.stats import RUNNING, day_start
from .rates import rate_of

CHILD_LEN = {"city": 6, "county": 9, "town": 12, "village": 12}
SUMS = ("accepted", "agent_accepted", "completed", "on_time", "open_overdue", "fees")


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


def _money(value) -> float:
    return float(round(Decimal(value or 0), 2))


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

    halls = list(Hall.objects.filter(region__code__startswith=prefix).values_list("id", "kind", "region__code"))
    stations = [h for h, kind, _ in halls if kind == Hall.Kind.VILLAGE_STATION]
    handling = [h for h, kind, _ in halls if kind not in (Hall.Kind.VILLAGE_STATION, Hall.Kind.TRADING_CENTER)]
    hall_code = {h: code for h, _, code in halls}
    place_q = Q(agent_station_id__in=stations) | Q(agent_station__isnull=True, hall_id__in=handling)

    # -- live -------------------------------------------------------------------------------------------
    tomorrow = day_start(today + dt.timedelta(days=1))
    live = Case.objects.filter(place_q).filter(
        Q(accepted_on=today) | Q(completed_at__gte=day_start(today), completed_at__lt=tomorrow)).aggregate(
        accepted=Count("id", filter=Q(accepted_on=today)),
        completed=Count("id", filter=Q(completed_at__gte=day_start(today), completed_at__lt=tomorrow)))
    overdue_rows = (Case.objects.filter(place_q, status__in=RUNNING, due_date__lt=today).order_by()
                    .values_list("hall_id", "agent_station_id").annotate(n=Count("id")))
    overdue_by_child: dict[str, int] = {}
    for hall_id, station_id, k in overdue_rows:
        child = hall_code[station_id or hall_id][:n]
        overdue_by_child[child] = overdue_by_child.get(child, 0) + k
    open_overdue = sum(overdue_by_child.values())
    fees_today = FeeLine.objects.filter(paid_on=today, waived=False).filter(
        Q(case__agent_station_id__in=stations) | Q(case__agent_station__isnull=True, case__hall_id__in=handling)
    ).aggregate(s=Sum(F("amount") * F("quantity")))["s"]
    card_rows = (Card.objects.filter(cleared_on__isnull=True, hall_id__in=handling).order_by()
                 .values("department_id", "department__name")
                 .annotate(red=Count("id", filter=Q(level="red")), yellow=Count("id", filter=Q(level="yellow"))))
    cards = sorted(({"name": r["department__name"], "red": r["red"], "yellow": r["yellow"]} for r in card_rows),
                   key=lambda r: (-r["red"], -r["yellow"], r["name"]))

    # -- rollup -------------------------------------------------------------------------------------------
    stats = CaseStat.objects.filter(place_code__gte=prefix.ljust(12, "0"), place_code__lte=prefix.ljust(12, "9"))
    sums = {k: Sum(k) for k in SUMS}
    by_month = {r["month"]: r for r in stats.filter(month__gte=trend_start, month__lte=month).order_by()
                .values("month").annotate(**sums)}
    trend = []
    m = trend_start
    while m <= month:
        r = by_month.get(m) or dict.fromkeys(SUMS, 0)
        overdue_m = open_overdue if m == month else r["open_overdue"]
        trend.append({"month": f"{m:%Y-%m}", "accepted": r["accepted"], "completed": r["completed"],
                      "on_time": r["on_time"], "open_overdue": overdue_m,
                      "rate": _pct(rate_of(r["on_time"], r["completed"], overdue_m))})
        m = add_months(m, 1)
    this_month = by_month.get(month) or dict.fromkeys(SUMS, 0)
    year = _sum_rows(r for mm, r in by_month.items() if mm >= year_start)

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
        child_rows = (stats.filter(month__gte=year_start, month__lte=month).annotate(child=Substr("place_code", 1, n))
                      .order_by().values("child").annotate(**sums))
        found = {r["child"]: r for r in child_rows}
        for code in sorted(set(found) | set(overdue_by_child)):
            r = found.get(code) or dict.fromkeys(SUMS, 0)
            sat = satisfaction_year.get(code)
            children.append({
                "code": code.ljust(12, "0"), "name": names.get(code, code), "own": code == region.code[:n],
                "accepted": r["accepted"], "completed": r["completed"], "agent": r["agent_accepted"],
                "open_overdue": overdue_by_child.get(code, 0), "fees": _money(r["fees"]),
                "rate": _pct(rate_of(r["on_time"], r["completed"], overdue_by_child.get(code, 0))),
                "satisfaction": _pct(sat[0] / sat[1]) if sat and sat[1] else None,
            })
    item_rows = list(stats.filter(month__gte=year_start, month__lte=month).order_by().values("item_id")
                     .annotate(n=Sum("accepted")).order_by("-n", "item_id")[:10])
    item_names = dict(Item.objects.filter(pk__in=[r["item_id"] for r in item_rows]).values_list("id", "name"))
    refreshed = StatRefresh.objects.filter(month=month).values_list("refreshed_at", flat=True).first()

    year_good = sum(v[0] for v in satisfaction_year.values())
    year_total = sum(v[1] for v in satisfaction_year.values())

    return {
        "region": {"code": region.code, "name": region.name, "level": region.level,
                   "level_label": region.get_level_display()},
        "today": today.isoformat(),
        "refreshed_at": refreshed.isoformat() if refreshed else None,
        "kpis": {
            "accepted_today": live["accepted"], "completed_today": live["completed"],
            "accepted_month": this_month["accepted"], "completed_month": this_month["completed"],
            "accepted_year": year["accepted"], "completed_year": year["completed"],
            "on_time_rate_month": _pct(rate_of(this_month["on_time"], this_month["completed"], open_overdue)),
            "on_time_rate_year": _pct(rate_of(year["on_time"], year["completed"], open_overdue)),
            "open_overdue": open_overdue,
            "satisfaction_month": _pct(satisfaction_month[0] / satisfaction_month[1]) if satisfaction_month[1] else None,
            "satisfaction_year": _pct(year_good / year_total) if year_total else None,
            "red_cards": sum(c["red"] for c in cards), "yellow_cards": sum(c["yellow"] for c in cards),
            "fees_today": _money(fees_today), "fees_month": _money(this_month["fees"]),
            "fees_year": _money(year["fees"]),
            "agent_month": this_month["agent_accepted"], "agent_year": year["agent_accepted"],
        },
        "hall": hall_port.hall_today(hall_ids=handling, today=today),
        "trend": trend,
        "cards_by_department": cards,
        "busiest_items": [{"name": item_names.get(r["item_id"], ""), "accepted": r["n"]} for r in item_rows],
        "children": children,
    }
