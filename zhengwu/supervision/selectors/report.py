"""The quarterly 通报 (季通报): three months of window and officer scores, 按时办结率 by department,
cards, 效能告诫 and accountability flags, for one region."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from zhengwu.org.models import Department, Region

from ..models import AccountabilityFlag, Admonition, Card, MonthlyScore
from ..periods import cn_month, month_end, quarter_months
from .rates import on_time_rates_by_department


def _pct(v):
    return None if v is None else round(v * 100, 1)


def quarter_report(*, region: Region, year: int, quarter: int, today: dt.date) -> dict:
    months = quarter_months(year, quarter)
    start, end = months[0], month_end(months[-1])
    prefix = region.code_prefix
    scores = (MonthlyScore.objects.filter(month__in=months, hall__region__code__startswith=prefix)
              .select_related("hall", "window", "staff", "department").order_by("hall_id", "kind", "month"))
    subjects: dict[tuple, dict] = {}
    for s in scores:
        key = (s.kind, s.window_id or s.staff_id)
        row = subjects.setdefault(key, {
            "kind": s.kind, "hall": s.hall.name,
            "name": (f"{s.window.number}号窗口 {s.window.name}" if s.window_id else f"{s.staff.name}（{s.staff.employee_no}）"),
            "department": s.department.name if s.department_id else "综合窗口",
            "months": {}, "awards": 0, "excluded": []})
        row["months"][s.month] = (s.score, s.rank)
        if s.award:
            row["awards"] += 1
        if s.excluded:
            row["excluded"].append(f"{s.month.month}月：{s.excluded}")
    rows = []
    for row in subjects.values():
        got = [v[0] for v in row["months"].values()]
        row["average"] = (sum(got, Decimal(0)) / len(got)).quantize(Decimal("0.01")) if got else None
        row["cells"] = [row["months"].get(m) for m in months]
        rows.append(row)
    rows.sort(key=lambda r: (r["hall"], -(r["average"] or 0), r["name"]))
    windows = [r for r in rows if r["kind"] == MonthlyScore.Kind.WINDOW]
    officers = [r for r in rows if r["kind"] == MonthlyScore.Kind.OFFICER]
    awards = (MonthlyScore.objects.filter(month__in=months, hall__region__code__startswith=prefix)
              .exclude(award="").select_related("hall", "window", "staff").order_by("month", "kind", "rank"))

    as_of = min(end, today)
    rates = on_time_rates_by_department(start=start, end=end, as_of=as_of, region=region)
    names = dict(Department.objects.filter(pk__in=list(rates)).values_list("id", "name"))
    cards = {r["department_id"]: r for r in Card.objects.filter(
        raised_on__range=(start, end), region__code__startswith=prefix, part=0).order_by()
        .values("department_id").annotate(red=Count("id", filter=Q(level="red")),
                                          yellow=Count("id", filter=Q(level="yellow")))}
    departments = sorted(({
        "name": names.get(dept, "—"), "closed": r.closed, "on_time": r.on_time, "late": r.closed - r.on_time,
        "open_overdue": r.open_overdue, "rate": _pct(r.rate),
        "red": cards.get(dept, {}).get("red", 0), "yellow": cards.get(dept, {}).get("yellow", 0),
    } for dept, r in rates.items()), key=lambda d: (d["rate"] is None, -(d["rate"] or 0), d["name"]))
    admonitions = list(Admonition.objects.filter(issued_on__range=(start, end), revoked_on__isnull=True,
                                                 staff__region__code__startswith=prefix)
                       .select_related("staff", "department").order_by("issued_on", "id"))
    flags = list(AccountabilityFlag.objects.filter(raised_on__range=(start, end),
                                                   staff__region__code__startswith=prefix)
                 .select_related("rule", "staff__department").order_by("raised_on", "id"))
    return {
        "title": f"{region.name}{year}年第{quarter}季度政务服务效能通报",
        "region": region, "year": year, "quarter": quarter, "months": months,
        "month_labels": [cn_month(m) for m in months], "start": start, "end": end, "as_of": as_of,
        "windows": windows, "officers": officers, "awards": list(awards), "departments": departments,
        "admonitions": admonitions, "flags": flags,
        "summary": _summary(departments, windows, officers),
    }


def _summary(departments, windows, officers) -> dict:
    closed = sum(d["closed"] for d in departments)
    on_time = sum(d["on_time"] for d in departments)
    overdue = sum(d["open_overdue"] for d in departments)
    by_kind = defaultdict(int)
    for r in windows + officers:
        by_kind[r["kind"]] += r["awards"]
    return {"closed": closed, "on_time": on_time, "open_overdue": overdue,
            "rate": _pct(on_time / (closed + overdue)) if closed + overdue else None,
            "red_flags": by_kind[MonthlyScore.Kind.WINDOW], "stars": by_kind[MonthlyScore.Kind.OFFICER]}
