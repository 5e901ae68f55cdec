"""Hotline KPIs, by 主办 unit, town or month, each from one aggregate query over orders.

Definitions (shown under the tables too):

- 签收及时率 = 主办 signed in time ÷ (signed + still unsigned past the limit), orders dispatched in the period.
- 按时办结率 = replies signed off by the limit ÷ (replies signed off + open orders past their limit)
  — open overdue orders count as late (the project's rule).
- 解决率 = call-backs where the caller says it is solved ÷ call-backs.
- 满意率 = call-backs 满意 or 基本满意 ÷ call-backs.
- 回访率 = orders called back ÷ orders whose reply was signed off.
- 退单率, 重办率 = orders returned / redone at least once ÷ orders dispatched.
- 接诉即办 "三率": 响应率 (= 签收及时率), 解决率, 满意率.

A rate with nothing to divide by is None (“—”).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.org.models import Region

from .models import Kind, Order, Status

HANDLED = [
    Status.DISPATCHED,
    Status.HANDLING,
    Status.RETURNED,
    Status.REVIEWING,
    Status.CALLBACK,
    Status.CLOSED,
]
AT_UNIT = [Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]
BY = {"unit": "承办单位", "town": "乡镇（街道）", "month": "月份"}


def _rate(n: int, d: int) -> float | None:
    return round(100 * n / d, 1) if d else None


@dataclass
class KpiRow:
    key: object
    label: str
    orders: int = 0
    dispatched: int = 0
    signed_ok: int = 0
    signed_late: int = 0
    unsigned_late: int = 0
    replied_ok: int = 0
    replied_late: int = 0
    open_overdue: int = 0
    callbacks: int = 0
    solved: int = 0
    satisfied: int = 0
    approved: int = 0
    returned: int = 0
    redone: int = 0
    rates: dict = field(default_factory=dict)

    def compute(self) -> KpiRow:
        self.rates = {
            "sign": _rate(self.signed_ok, self.signed_ok + self.signed_late + self.unsigned_late),
            "on_time": _rate(self.replied_ok, self.replied_ok + self.replied_late + self.open_overdue),
            "solved": _rate(self.solved, self.callbacks),
            "satisfied": _rate(self.satisfied, self.callbacks),
            "callback": _rate(self.callbacks, self.approved),
            "return": _rate(self.returned, self.dispatched),
            "redo": _rate(self.redone, self.dispatched),
        }
        return self


COUNTS = [
    "orders",
    "dispatched",
    "signed_ok",
    "signed_late",
    "unsigned_late",
    "replied_ok",
    "replied_late",
    "open_overdue",
    "callbacks",
    "solved",
    "satisfied",
    "approved",
    "returned",
    "redone",
]


def _aggregates(now: dt.datetime, today: dt.date) -> dict:
    return dict(
        orders=Count("id"),
        dispatched=Count("id", filter=Q(dispatched_at__isnull=False)),
        signed_ok=Count("id", filter=Q(signed_late=False)),
        signed_late=Count("id", filter=Q(signed_late=True)),
        unsigned_late=Count("id", filter=Q(status=Status.DISPATCHED, sign_due_at__lt=now)),
        replied_ok=Count("id", filter=Q(reply_late=False)),
        replied_late=Count("id", filter=Q(reply_late=True)),
        open_overdue=Count("id", filter=Q(status__in=AT_UNIT, due_on__lt=today)),
        callbacks=Count("id", filter=Q(callback_at__isnull=False)),
        solved=Count("id", filter=Q(callback_solved=True)),
        satisfied=Count("id", filter=Q(callback_result__in=["satisfied", "basic"])),
        approved=Count("id", filter=Q(reply_late__isnull=False)),
        returned=Count("id", filter=Q(returns__gt=0)),
        redone=Count("id", filter=Q(redos__gt=0)),
    )


def kpi_rows(*, by: str, start: dt.date, end: dt.date, region: Region | None = None) -> list[KpiRow]:
    """KPI rows of orders taken in [start, end], grouped ``by`` unit, town or month; plus a total row last."""
    if by not in BY:
        raise ValueError(by)
    now, today = clock.now(), clock.today()
    qs = Order.objects.filter(created_on__gte=start, created_on__lte=end)
    if region is not None:
        qs = qs.filter(region__code__startswith=region.code_prefix)
    if by == "unit":
        qs = qs.filter(status__in=HANDLED + [Status.CLOSED]).exclude(
            main_department__isnull=True, main_hall__isnull=True
        )
        keys = {
            "d": F("main_department_id"),
            "h": F("main_hall_id"),
            "dn": F("main_department__name"),
            "hn": F("main_hall__name"),
        }
    elif by == "town":
        keys = {"k": Substr("region__code", 1, 9)}
    else:
        keys = {"k": TruncMonth("created_at", tzinfo=timezone.get_current_timezone())}
    rows = []
    for r in qs.values(**keys).annotate(**_aggregates(now, today)).order_by():
        if by == "unit":
            key, label = (("d", r["d"]) if r["d"] else ("h", r["h"])), r["dn"] or r["hn"]
        elif by == "town":
            key, label = r["k"], r["k"]
        else:
            key, label = r["k"], f"{timezone.localtime(r['k']):%Y年%m月}" if r["k"] else "—"
        rows.append(KpiRow(key=key, label=label, **{c: r[c] for c in COUNTS}).compute())
    if by == "town":
        names = dict(
            Region.objects.filter(
                code__in=[str(k).ljust(12, "0") for k in {r.key for r in rows}]
            ).values_list("code", "name")
        )
        for row in rows:
            row.label = names.get(str(row.key).ljust(12, "0"), str(row.key))
    rows.sort(key=lambda r: str(r.key) if by != "unit" else r.label)
    total = KpiRow(key=None, label="合计")
    for row in rows:
        for c in COUNTS:
            setattr(total, c, getattr(total, c) + getattr(row, c))
    return [*rows, total.compute()]


def dashboard(*, start: dt.date, end: dt.date, region: Region | None = None) -> dict:
    """What the hotline dashboard draws: volumes by type, category and town, a region × type heat
    table, the week's hot topics and keywords, and the units with most late orders."""
    today = clock.today()
    qs = Order.objects.filter(created_on__gte=start, created_on__lte=end)
    if region is not None:
        qs = qs.filter(region__code__startswith=region.code_prefix)
    kinds = dict(Kind.choices)
    by_kind = {r["kind"]: r["n"] for r in qs.values("kind").annotate(n=Count("id")).order_by()}
    by_cat = list(qs.values("category__name").annotate(n=Count("id")).order_by("-n", "category__name")[:10])
    towns = kpi_rows(by="town", start=start, end=end, region=region)[:-1]
    heat = {}
    for r in qs.values("kind", town=Substr("region__code", 1, 9)).annotate(n=Count("id")).order_by():
        heat.setdefault(r["town"], {})[r["kind"]] = r["n"]
    week = today - dt.timedelta(days=6)
    recent = qs.filter(created_on__gte=week)
    hot = list(recent.values("category__name").annotate(n=Count("id")).order_by("-n", "category__name")[:5])
    words: Counter = Counter()
    for text, keywords in recent.values_list("text", "category__keywords")[:2000]:
        for w in keywords.replace(",", " ").split():
            if w and w in text:
                words[w] += 1
    late_units = [
        r
        for r in kpi_rows(by="unit", start=start, end=end, region=region)[:-1]
        if r.replied_late + r.open_overdue
    ]
    late_units.sort(key=lambda r: -(r.replied_late + r.open_overdue))
    total = kpi_rows(by="month", start=start, end=end, region=region)
    return {
        "kinds": [{"name": kinds[k], "value": by_kind.get(k, 0)} for k in Kind.values],
        "categories": [{"name": r["category__name"], "value": r["n"]} for r in by_cat],
        "towns": [{"name": t.label, "value": t.orders} for t in towns],
        "heat": [
            {"town": t.label, "cells": [heat.get(t.key, {}).get(k, 0) for k in Kind.values]} for t in towns
        ],
        "kind_labels": [kinds[k] for k in Kind.values],
        "hot": [{"name": r["category__name"], "value": r["n"]} for r in hot],
        "words": [{"name": w, "value": n} for w, n in words.most_common(10)],
        "late_units": [{"name": r.label, "late": r.replied_late + r.open_overdue} for r in late_units[:10]],
        "months": [{"month": r.label, "orders": r.orders, **r.rates} for r in total[:-1]],
        "total": total[-1],
    }
