"""The KPI page's daily rollup (``models.KpiDay``) kept current incrementally.

``kpi_refresh`` (every minute, from ``zhengwu supervise_minutes``) recomputes only the days of intake of
the orders that have 工单记录 (events) newer than the watermark before the last one (so a transaction
that committed late with a lower id, within a refresh interval, is still picked up), plus the whole days
since the last refresh; it deletes and writes those days' rows in one transaction and moves the
watermark, and rewrites the month rows (sums of the day rows) of the months those days fall in. The
rollup covers whole days up to yesterday: today is counted live by the page. The first
refresh rebuilds everything. Every step of an order writes an event, so an order whose counts moved
(signed, replied, approved, called back, returned, redone) is always among the recomputed days.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Min, Q, Sum

from zhengwu.core import clock

from .. import kpi
from ..models import KpiDay, KpiPart, KpiRollupState, Order, OrderEvent

log = logging.getLogger(__name__)

# the columns each projection groups by besides the day and the town (``status``: reduced to ``handled``)
PARTS = {
    KpiPart.KIND: ("kind",),
    KpiPart.UNIT: ("main_department_id", "main_hall_id", "status"),
    KpiPart.CATEGORY: ("category_id",),
}


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


@dataclass
class KpiRefreshResult:
    rebuilt: bool = False
    skipped: bool = False
    events: int = 0
    days: list[dt.date] = field(default_factory=list)
    rows: int = 0


def _day_rows(where: Q) -> list[KpiDay]:
    """The rollup rows of the orders matching ``where`` (whole days of intake)."""
    qs = Order.objects.filter(where)
    aggs = kpi.stored_aggregates()
    handled = set(kpi.HANDLED)
    rows: list[KpiDay] = []
    for part, fields in PARTS.items():
        raw = list(qs.values("created_on", "region_id", *fields).annotate(**aggs).order_by())
        codes = kpi.region_codes(r["region_id"] for r in raw)
        acc: dict[tuple, KpiDay] = {}
        for r in raw:
            town = kpi.town_key(codes[r["region_id"]])
            if part == KpiPart.UNIT:
                dims = dict(
                    main_department_id=r["main_department_id"],
                    main_hall_id=r["main_hall_id"],
                    handled=r["status"] in handled,
                )
            else:
                dims = {f: r[f] for f in fields}
            key = (r["created_on"], town, *dims.values())
            row = acc.get(key)
            if row is None:
                row = acc[key] = KpiDay(day=r["created_on"], part=part, town=town, **dims)
            for c in kpi.STORED:
                setattr(row, c, getattr(row, c) + r[c])
        rows.extend(acc.values())
    return rows


DIMS = ("part", "town", "kind", "main_department_id", "main_hall_id", "handled", "category_id")


def _write(where: Q, days: Q) -> int:
    KpiDay.objects.filter(days, monthly=False).delete()
    rows = _day_rows(where)
    KpiDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _write_months(firsts: set[dt.date]) -> None:
    """The month rows of the months starting on ``firsts``, summed from their day rows."""
    for first in sorted(firsts):
        KpiDay.objects.filter(monthly=True, day=first).delete()
        days = KpiDay.objects.filter(monthly=False, day__gte=first, day__lte=_month_end(first))
        sums = days.values(*DIMS).annotate(**{f"n_{c}": Sum(c) for c in kpi.STORED}).order_by()
        rows = [
            KpiDay(day=first, monthly=True, **{d: r[d] for d in DIMS}, **{c: r[f"n_{c}"] for c in kpi.STORED})
            for r in sums
        ]
        KpiDay.objects.bulk_create(rows, batch_size=2000)


def kpi_refresh(*, today: dt.date | None = None) -> KpiRefreshResult:
    """Bring the rollup up to date (see the module docstring); skipped while another refresh runs."""
    today = today or clock.today()
    through = today - dt.timedelta(days=1)
    result = KpiRefreshResult()
    with transaction.atomic():
        KpiRollupState.objects.bulk_create([KpiRollupState(pk=1)], ignore_conflicts=True)
        state = KpiRollupState.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if state is None:
            result.skipped = True
            return result
        top = OrderEvent.objects.aggregate(top=Max("id"))["top"] or 0
        if state.through is None:
            result.rebuilt = True
            KpiDay.objects.all().delete()
            first = Order.objects.aggregate(first=Min("created_on"))["first"]
            day = first
            while day is not None and day <= through:
                last = min(_month_end(day), through)
                rows = _day_rows(Q(created_on__gte=day, created_on__lte=last))
                KpiDay.objects.bulk_create(rows, batch_size=2000)
                result.rows += len(rows)
                _write_months({day.replace(day=1)})  # a full rebuild goes a month at a time
                day = last + dt.timedelta(days=1)
            previous = top
        else:
            through = max(through, state.through)
            new = OrderEvent.objects.filter(id__gt=state.previous_event_id)
            result.events = OrderEvent.objects.filter(id__gt=state.last_event_id).count()
            days = set(
                Order.objects.filter(id__in=new.values("order_id"), created_on__lte=through)
                .values_list("created_on", flat=True)
                .distinct()
            )
            day = state.through + dt.timedelta(days=1)
            while day <= through:
                days.add(day)
                day += dt.timedelta(days=1)
            result.days = sorted(days)
            if days:
                result.rows = _write(Q(created_on__in=result.days), Q(day__in=result.days))
                _write_months({d.replace(day=1) for d in days})
            previous = state.last_event_id
        KpiRollupState.objects.filter(pk=1).update(
            last_event_id=top, previous_event_id=previous, through=through, refreshed_at=clock.now()
        )
    return result


def kpi_refresh_logged() -> KpiRefreshResult | None:
    """``kpi_refresh`` for the minute job: a failure is logged and does not stop the job's other work."""
    try:
        return kpi_refresh()
    except Exception:  # noqa: BLE001 - the supervision work around it must go on
        log.exception("hotline KPI rollup refresh failed")
        return None
