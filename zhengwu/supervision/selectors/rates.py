"""按时办结率 (REFERENCE §7): on time ÷ (closed + open overdue) — late work cannot hide by staying open.

Read from clocks, so the same rate exists for every kind: 办结 of cases (kind ``case``, the default),
答复 of 依申请公开 requests (``gk_reply``), and whatever a new domain registers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Q

from zhengwu.org.models import Region

from ..models import Clock, ClockState

DEFAULT_KINDS = ("case",)


@dataclass(frozen=True)
class OnTimeRate:
    on_time: int  # finished in the period by the due date
    closed: int  # finished in the period
    open_overdue: int  # started, not finished at the end of ``as_of``, due date passed, clock not stopped

    @property
    def denominator(self) -> int:
        return self.closed + self.open_overdue

    @property
    def rate(self) -> float | None:
        return None if self.denominator == 0 else self.on_time / self.denominator


def rate_of(on_time: int, closed: int, open_overdue: int) -> float | None:
    return OnTimeRate(on_time, closed, open_overdue).rate


def _scope(kinds: Sequence[str], region: Region | None, department_id: int | None) -> Q:
    q = Q(kind_id__in=list(kinds), part=0)
    if region is not None:
        q &= Q(region__code__startswith=region.code_prefix)
    if department_id is not None:
        q &= Q(department_id=department_id)
    return q


def _open_overdue_q(as_of: dt.date) -> Q:
    """Started by ``as_of``, still open at its end (running now, or finished later), due before it."""
    open_then = (Q(state=ClockState.RUNNING)
                 | Q(state=ClockState.FINISHED, finished_on__gt=as_of))
    return open_then & Q(started_on__lte=as_of, due_date__lt=as_of)


def _done(start: dt.date, end: dt.date) -> Q:
    # A clock ended without the work being done (withdrawn, terminated) has ``late`` unset: not counted.
    return Q(state=ClockState.FINISHED, finished_on__gte=start, finished_on__lte=end, late__isnull=False)


def on_time_rate(*, start: dt.date, end: dt.date, as_of: dt.date | None = None, region: Region | None = None,
                 department_id: int | None = None, kinds: Sequence[str] = DEFAULT_KINDS) -> OnTimeRate:
    """The rate for clocks finished in [start, end], with the clocks open and overdue at the end of ``as_of``
    (default ``end``) in the denominator. Two aggregate queries."""
    as_of = as_of or end
    scope = _scope(kinds, region, department_id)
    done = Clock.objects.filter(scope & _done(start, end)).aggregate(
        closed=Count("id"), on_time=Count("id", filter=Q(finished_on__lte=F("due_date"))))
    overdue = Clock.objects.filter(scope & _open_overdue_q(as_of)).count()
    return OnTimeRate(done["on_time"], done["closed"], overdue)


def on_time_rates_by_department(*, start: dt.date, end: dt.date, as_of: dt.date | None = None,
                                region: Region | None = None,
                                kinds: Sequence[str] = DEFAULT_KINDS) -> dict[int, OnTimeRate]:
    """{department id: OnTimeRate} in two GROUP BY queries."""
    as_of = as_of or end
    scope = _scope(kinds, region, None)
    done = (Clock.objects.filter(scope & _done(start, end)).order_by().values("department_id")
            .annotate(closed=Count("id"), on_time=Count("id", filter=Q(finished_on__lte=F("due_date")))))
    overdue = dict(Clock.objects.filter(scope & _open_overdue_q(as_of)).order_by().values("department_id").annotate(n=Count("id")).values_list("department_id", "n"))
    out = {r["department_id"]: OnTimeRate(r["on_time"], r["closed"], overdue.get(r["department_id"], 0))
           for r in done}
    for dept, n in overdue.items():
        out.setdefault(dept, OnTimeRate(0, 0, n))
    return out
