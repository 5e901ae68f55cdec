"""Hotline KPIs, by 主办 unit, town or month.

Whole days up to the last refresh come from the daily rollup (``models.KpiDay``, kept current every
minute by ``services.rollup.kpi_refresh``); the days after it (today) are counted live from the orders,
and so are, over the whole period, the two counts that depend on the time (签收 overdue, open overdue: the
open orders at a unit, a small set). With no refresh yet, or a region below a town (a village's orders are
few and the rollup is kept per town), everything is counted live. The week's hot topics and keywords are
always live.

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

from django.db.models import Count, Q, Sum
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.org.models import Department, Hall, Region

from .models import Category, Kind, KpiDay, KpiPart, KpiRollupState, Order, Status

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
# Counted live over the open orders at a unit: they move with the time, not with the orders' events.
LIVE = ("unsigned_late", "open_overdue")
STORED = [c for c in COUNTS if c not in LIVE]


def _aggregates(now: dt.datetime, today: dt.date, counts=COUNTS) -> dict:
    aggs = dict(
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
    return {c: aggs[c] for c in counts}


def stored_aggregates() -> dict:
    """The counts the rollup keeps (those that do not depend on the time)."""
    return _aggregates(clock.now(), clock.today(), STORED)


def _scope(start: dt.date, end: dt.date, region: Region | None):
    """Orders taken in [start, end] in ``region``. The region is resolved to its ids first: a join with a
    code prefix misleads the planner (it expects two regions where a county has hundreds)."""
    qs = Order.objects.filter(created_on__gte=start, created_on__lte=end)
    if region is not None:
        ids = list(Region.objects.filter(code__startswith=region.code_prefix).values_list("pk", flat=True))
        qs = qs.filter(region_id__in=ids)
    return qs


def _unit_scope(qs):
    """The orders a 主办 unit answers for."""
    return qs.filter(status__in=HANDLED).exclude(main_department__isnull=True, main_hall__isnull=True)


def town_key(code: str) -> str:
    return code[:9]


def region_codes(region_ids) -> dict[int, str]:
    return dict(Region.objects.filter(pk__in=set(region_ids)).values_list("pk", "code"))


@dataclass
class _Period:
    """[start, end] split into the days read from the rollup and the days counted live."""

    start: dt.date
    end: dt.date
    region: Region | None
    rolled: tuple[dt.date, dt.date] | None = None
    live: tuple[dt.date, dt.date] | None = None
    _timed: list[dict] | None = None

    def timed(self) -> list[dict]:
        """The two counts that move with the time over the rolled-up days' orders at a unit, grouped by
        every column a grouping needs: one query per page, however many groupings read it."""
        if self._timed is None:
            at_unit = _scope(*self.rolled, self.region).filter(status__in=AT_UNIT)
            aggs = _aggregates(clock.now(), clock.today(), LIVE)
            fields = ("created_on", "region_id", "kind", "main_department_id", "main_hall_id")
            self._timed = [
                r for r in at_unit.values(*fields).annotate(**aggs).order_by() if r[LIVE[0]] or r[LIVE[1]]
            ]
        return self._timed

    @classmethod
    def of(cls, start: dt.date, end: dt.date, region: Region | None) -> _Period:
        p = cls(start, end, region)
        through = KpiRollupState.objects.filter(pk=1).values_list("through", flat=True).first()
        below_town = region is not None and len(region.code_prefix) > 9
        if through is None or below_town or start > through:
            p.live = (start, end)
        else:
            p.rolled = (start, min(end, through))
            if end > through:
                p.live = (through + dt.timedelta(days=1), end)
        return p


def _rolled_days(a: dt.date, b: dt.date) -> Q:
    """The rollup rows of [a, b]: the month rows of the whole months inside it, the day rows of the rest."""
    first = a if a.day == 1 else (a.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    months = []
    while (nxt := (first + dt.timedelta(days=32)).replace(day=1)) <= b + dt.timedelta(days=1):
        months.append(first)
        first = nxt
    if not months:
        return Q(monthly=False, day__gte=a, day__lte=b)
    return (
        Q(monthly=True, day__in=months)
        | Q(monthly=False, day__gte=a, day__lt=months[0])
        | Q(monthly=False, day__gte=first, day__lte=b)
    )


def _grouped(
    p: _Period, fields: tuple[str, ...], part: str, *, unit: bool = False, counts=COUNTS
) -> list[dict]:
    """The ``counts`` of the period's orders grouped by ``fields`` (``town``: the region's town code;
    ``created_on``: the local day of intake), from the rollup's ``part`` and the live queries."""
    now, today = clock.now(), clock.today()
    live_fields = ["region_id" if f == "town" else f for f in fields]
    raw: list[tuple[dict, tuple]] = []  # (row, counts it carries)

    def live(qs, aggs):
        if unit:
            qs = _unit_scope(qs)
        for r in qs.values(*live_fields).annotate(**aggs).order_by():
            raw.append((r, tuple(aggs)))

    if p.live:
        live(_scope(*p.live, p.region), _aggregates(now, today, counts))
    if p.rolled:
        rq = KpiDay.objects.filter(_rolled_days(*p.rolled), part=part)
        if p.region is not None:
            rq = rq.filter(town__startswith=p.region.code_prefix)
        if unit:
            rq = rq.filter(handled=True).exclude(main_department_id__isnull=True, main_hall_id__isnull=True)
        stored = [c for c in counts if c in STORED]
        names = {"day" if f == "created_on" else f: f for f in fields}
        for r in rq.values(*names).annotate(**{c: Sum(c) for c in stored}).order_by():
            raw.append(({names.get(k, k): v for k, v in r.items()}, tuple(stored)))
        timed = tuple(c for c in counts if c in LIVE)
        if timed:  # orders at a unit are all handled (``_unit_scope``)
            raw.extend(
                (dict(r), timed)
                for r in p.timed()
                if not unit or r["main_department_id"] or r["main_hall_id"]
            )
    codes = region_codes(r["region_id"] for r, _ in raw if "region_id" in r) if "town" in fields else {}
    acc: dict[tuple, dict] = {}
    for r, carried in raw:
        if codes and "region_id" in r:
            r["town"] = town_key(codes[r["region_id"]])
        key = tuple(r[f] for f in fields)
        row = acc.setdefault(key, {**dict(zip(fields, key, strict=True)), **dict.fromkeys(counts, 0)})
        for c in carried:
            row[c] += r[c]
    return list(acc.values())


def _town_rows(raw: list[dict]) -> list[KpiRow]:
    """Rows grouped by town (and maybe more) summed per town, labelled with the towns' names."""
    by_town: dict[str, KpiRow] = {}
    for r in raw:
        row = by_town.setdefault(r["town"], KpiRow(key=r["town"], label=r["town"]))
        for c in COUNTS:
            setattr(row, c, getattr(row, c) + r[c])
    names = dict(
        Region.objects.filter(code__in=[str(k).ljust(12, "0") for k in by_town]).values_list("code", "name")
    )
    for row in by_town.values():
        row.label = names.get(str(row.key).ljust(12, "0"), str(row.key))
        row.compute()
    return list(by_town.values())


def _with_total(rows: list[KpiRow], by: str) -> list[KpiRow]:
    rows.sort(key=lambda r: str(r.key) if by != "unit" else r.label)
    total = KpiRow(key=None, label="合计")
    for row in rows:
        for c in COUNTS:
            setattr(total, c, getattr(total, c) + getattr(row, c))
    return [*rows, total.compute()]


def kpi_rows(*, by: str, start: dt.date, end: dt.date, region: Region | None = None) -> list[KpiRow]:
    """KPI rows of orders taken in [start, end], grouped ``by`` unit, town or month; plus a total row last."""
    if by not in BY:
        raise ValueError(by)
    return _kpi_rows(by, _Period.of(start, end, region))


def _kpi_rows(by: str, p: _Period) -> list[KpiRow]:
    if by == "town":
        return _with_total(_town_rows(_grouped(p, ("town",), KpiPart.KIND)), by)
    rows = []
    if by == "unit":
        raw = _grouped(p, ("main_department_id", "main_hall_id"), KpiPart.UNIT, unit=True)
        depts = dict(
            Department.objects.filter(pk__in={r["main_department_id"] for r in raw}).values_list("pk", "name")
        )
        halls = dict(Hall.objects.filter(pk__in={r["main_hall_id"] for r in raw}).values_list("pk", "name"))
        for r in raw:
            d, h = r["main_department_id"], r["main_hall_id"]
            key, label = (("d", d), depts.get(d)) if d else (("h", h), halls.get(h))
            rows.append(KpiRow(key=key, label=label, **{c: r[c] for c in COUNTS}).compute())
    else:
        # by day, rolled up to months here: ``created_on`` is the local date of ``created_at``, and
        # grouping by it spares a time-zone conversion of every row
        months: dict[dt.date, KpiRow] = {}
        for r in _grouped(p, ("created_on",), KpiPart.KIND):
            first = r["created_on"].replace(day=1)
            row = months.setdefault(first, KpiRow(key=first, label=f"{first:%Y年%m月}"))
            for c in COUNTS:
                setattr(row, c, getattr(row, c) + r[c])
        tz = timezone.get_current_timezone()
        for first, row in months.items():
            row.key = timezone.make_aware(dt.datetime.combine(first, dt.time()), tz)
            rows.append(row.compute())
    return _with_total(rows, by)


def page(*, by: str, start: dt.date, end: dt.date, region: Region | None = None) -> tuple[dict, list[KpiRow]]:
    """What the KPI page shows: the dashboard and the KPI table grouped ``by``. The dashboard computes
    the rows by unit, by town (summed over its town × type pass: the counts add up) and by month
    anyway, so the table is the one it made rather than another pass over the period's orders."""
    if by not in BY:
        raise ValueError(by)
    tables: dict[str, list[KpiRow]] = {}
    data = dashboard(start=start, end=end, region=region, tables=tables)
    return data, tables[by]


def dashboard(
    *, start: dt.date, end: dt.date, region: Region | None = None, tables: dict | None = None
) -> dict:
    """What the hotline dashboard draws: volumes by type, category and town, a region × type heat
    table, the week's hot topics and keywords, and the units with most late orders.

    Towns, the heat table and the volumes by type come from one pass grouped by town and type.
    ``tables``: filled with the KPI rows (with their total) by unit, town and month it computed."""
    today = clock.today()
    p = _Period.of(start, end, region)
    kinds = dict(Kind.choices)
    raw = _grouped(p, ("town", "kind"), KpiPart.KIND)
    by_kind: Counter = Counter()
    heat: dict = {}
    for r in raw:
        by_kind[r["kind"]] += r["orders"]
        cells = heat.setdefault(r["town"], Counter())
        cells[r["kind"]] += r["orders"]
    town_rows = _with_total(_town_rows(raw), "town")
    towns = town_rows[:-1]
    by_cat = _top_categories(_grouped(p, ("category_id",), KpiPart.CATEGORY, counts=["orders"]), 10)
    week = today - dt.timedelta(days=6)
    recent = _scope(start, end, region).filter(created_on__gte=week)
    hot = _top_categories(recent.values("category_id").annotate(orders=Count("id")).order_by(), 5)
    words: Counter = Counter()
    for text, keywords in recent.values_list("text", "category__keywords")[:2000]:
        for w in keywords.replace(",", " ").split():
            if w and w in text:
                words[w] += 1
    unit_rows = _kpi_rows("unit", p)
    late_units = [r for r in unit_rows[:-1] if r.replied_late + r.open_overdue]
    late_units.sort(key=lambda r: -(r.replied_late + r.open_overdue))
    total = _kpi_rows("month", p)
    if tables is not None:
        tables.update(unit=unit_rows, town=town_rows, month=total)
    return {
        "kinds": [{"name": kinds[k], "value": by_kind.get(k, 0)} for k in Kind.values],
        "categories": by_cat,
        "towns": [{"name": t.label, "value": t.orders} for t in towns],
        "heat": [
            {"town": t.label, "cells": [heat.get(t.key, {}).get(k, 0) for k in Kind.values]} for t in towns
        ],
        "kind_labels": [kinds[k] for k in Kind.values],
        "hot": hot,
        "words": [{"name": w, "value": n} for w, n in words.most_common(10)],
        "late_units": [{"name": r.label, "late": r.replied_late + r.open_overdue} for r in late_units[:10]],
        "months": [{"month": r.label, "orders": r.orders, **r.rates} for r in total[:-1]],
        "total": total[-1],
    }


def _top_categories(rows, n: int) -> list[dict]:
    """The ``n`` categories with most orders (ties by name) of rows of ``category_id`` and ``orders``,
    counted by id and named afterwards."""
    counts = {r["category_id"]: r["orders"] for r in rows}
    names = dict(Category.objects.filter(pk__in=counts).values_list("pk", "name"))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], names.get(kv[0], "")))[:n]
    return [{"name": names.get(pk, ""), "value": c} for pk, c in top]
