"""按时办结率 (REFERENCE §7): on time ÷ (closed + open overdue) — late cases cannot hide by staying open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q

from zhengwu.cases.models import Case
from zhengwu.org.models import Region

from ..services.stats import HELD, day_start, open_overdue_q


@dataclass(frozen=True)
class OnTimeRate:
    on_time: int  # finished in the period by the due date
    closed: int  # finished (办结) in the period
    open_overdue: int  # accepted, not finished at the end of ``as_of``, due date passed

    @property
    def denominator(self) -> int:
        return self.closed + self.open_overdue

    @property
    def rate(self) -> float | None:
        return None if self.denominator == 0 else self.on_time / self.denominator


def rate_of(on_time: int, closed: int, open_overdue: int) -> float | None:
    return OnTimeRate(on_time, closed, open_overdue).rate


def on_time_rate(*, start: dt.date, end: dt.date, as_of: dt.date | None = None, region: Region | None = None,
                 department_id: int | None = None) -> OnTimeRate:
    """The rate for cases finished in [start, end], with the cases open and overdue at the end of ``as_of``
    (default ``end``) in the denominator. Two aggregate queries."""
    as_of = as_of or end
    scope = Q()
    if region is not None:
        scope &= Q(hall__region__code__startswith=region.code_prefix)
    if department_id is not None:
        scope &= Q(department_id=department_id)
    done = Case.objects.filter(scope, completed_at__gte=day_start(start),
                               completed_at__lt=day_start(end + dt.timedelta(days=1))).aggregate(
        closed=Count("id"), on_time=Count("id", filter=Q(completed_on__lte=F("due_date"))))
    overdue = Case.objects.filter(scope).filter(open_overdue_q(as_of)).exclude(status__in=HELD).count()
    return OnTimeRate(done["on_time"], done["closed"], overdue)


def on_time_rates_by_department(*, start: dt.date, end: dt.date, as_of: dt.date | None = None,
                                region: Region | None = None) -> dict[int, OnTimeRate]:
    """{department id: OnTimeRate} in two GROUP BY queries."""
    as_of = as_of or end
    scope = Q(hall__region__code__startswith=region.code_prefix) if region is not None else Q()
    done = (Case.objects.filter(scope, completed_at__gte=day_start(start),
                                completed_at__lt=day_start(end + dt.timedelta(days=1)))
            .order_by().values("department_id")
            .annotate(closed=Count("id"), on_time=Count("id", filter=Q(completed_on__lte=F("due_date")))))
    overdue = dict(Case.objects.filter(scope).filter(open_overdue_q(as_of)).exclude(status__in=HELD).order_by()
                   .values("department_id").annotate(n=Count("id")).values_list("department_id", "n"))
    out = {r["department_id"]: OnTimeRate(r["on_time"], r["closed"], overdue.get(r["department_id"], 0))
           for r in done}
    for dept, n in overdue.items():
        out.setdefault(dept, OnTimeRate(0, 0, n))
    return out
