"""What the sweep reads: deadlines and thresholds per calendar, review steps, when each step began.

Thresholds are dates: a deadline before ``red_before`` is red (at least one working day past it), before
``yellow_before`` yellow (at most ``warn_workdays`` working days left), before ``deemed_before`` due for
超时默认 (default: the 2nd working day past it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhengwu.cases.models import CaseEvent, ClockStop, Status
from zhengwu.catalog.models import Item, ProcessStep
from zhengwu.workdays import engine

from ..models import Card, DeemedRule, StepStart, SupervisionPolicy
from .bulk import insert_rows

RUNNING = (Status.IN_REVIEW, Status.DECIDED)  # the case's clock runs (办结 is the deadline)
HELD = (Status.SUSPENDED, Status.SUPPLEMENT)  # the clock is stopped: cards stay as they are

CHUNK = 900  # ids per IN (…) list: under SQLite's variable limit


def chunks(seq, n=CHUNK):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


@dataclass(frozen=True)
class StepInfo:
    seq: int
    name: str
    role: str
    days: int


@dataclass(frozen=True)
class Cutoffs:
    """Date thresholds for one calendar and day: a deadline before the date meets the condition."""

    red_before: dt.date
    deemed_before: dt.date
    yellow_before: dt.date

    def level(self, due: dt.date) -> str | None:
        if due < self.red_before:
            return Card.Level.RED
        if due < self.yellow_before:
            return Card.Level.YELLOW
        return None


def workday_back(cal: engine.Calendar, day: dt.date, n: int) -> dt.date:
    """The n-th working day counting back from ``day`` (``day`` itself is the first if it is one)."""
    seen = 0
    while True:
        if cal.is_workday(day):
            seen += 1
            if seen == n:
                return day
        day -= dt.timedelta(days=1)


def cutoffs_for(cal: engine.Calendar, today: dt.date, policy: SupervisionPolicy) -> Cutoffs:
    return Cutoffs(
        red_before=workday_back(cal, today, 1),
        deemed_before=workday_back(cal, today, max(1, policy.deemed_after_workdays)),
        yellow_before=cal.add(today, policy.warn_workdays + 1),
    )


def calendars_for(regions) -> dict[int, engine.Calendar]:
    """The working-day calendar of each region. Regions with no local override in their chain
    share the nationwide calendar (identical, and built once instead of once per village)."""
    from zhengwu.org.models import Region
    from zhengwu.workdays.models import DayOverride

    ids = DayOverride.objects.filter(region__isnull=False).values_list("region_id", flat=True).distinct()
    prefixes = [r.code_prefix for r in Region.objects.filter(pk__in=list(ids))]
    out = {}
    for region in regions:
        if region.pk not in out:
            local = any(region.code.startswith(p) for p in prefixes)
            out[region.pk] = engine.calendar_for(region if local else None)
    return out


def steps_by_version(version_ids) -> dict[int, tuple[StepInfo, ...]]:
    """Review steps per item version, numbered 1..n in order as ``cases.plan`` numbers them."""
    rows = ProcessStep.objects.filter(version_id__in=list(version_ids)).order_by("version_id", "seq")
    out: dict[int, list[StepInfo]] = {}
    for vid, name, role, days in rows.values_list("version_id", "name", "role", "days"):
        steps = out.setdefault(vid, [])
        steps.append(StepInfo(len(steps) + 1, name, role, days))
    return {vid: tuple(steps) for vid, steps in out.items()}


def step_starts(rows, steps) -> dict[int, dt.date]:
    """The local date each case beyond its first review step began its current step.

    It is the date of the ``review`` event that passed the step before. The sweep keeps what it
    found in ``StepStart`` (one row per case), so the event table is read only for the cases
    that moved to another step since the last run.
    """
    need: dict[int, int] = {}
    for cid, status, _due, k, vid, *_ in rows:
        plan = steps.get(vid)
        if status == Status.IN_REVIEW and k >= 3 and plan and k <= len(plan) and plan[k - 1].days > 0:
            need[cid] = k
    memo = {cid: (step, day) for cid, step, day in StepStart.objects.values_list("case_id", "step", "started_on")}
    found = {cid: memo[cid][1] for cid, k in need.items() if cid in memo and memo[cid][0] == k}
    missing = [cid for cid in need if cid not in found]
    if len(missing) > 20 * CHUNK:  # a first run: one join, the date computed by the database
        local_day = TruncDate("at", tzinfo=timezone.get_current_timezone())
        rows = (CaseEvent.objects.filter(action="review", case__status=Status.IN_REVIEW, case__current_step__gte=3,
                                         step=F("case__current_step") - 1)
                .order_by().values_list("case_id").annotate(day=Max(local_day)))
        found.update((cid, day) for cid, day in rows if cid in need)
    else:
        for chunk in chunks(missing):
            events = (CaseEvent.objects.filter(case_id__in=chunk, action="review").order_by("id")
                      .values_list("case_id", "step", "at"))
            for cid, step, at in events:
                if step == need[cid] - 1:
                    found[cid] = timezone.localdate(at)
    fresh = [(cid, need[cid], found[cid]) for cid in missing if cid in found]
    if fresh:
        _upsert_step_starts(fresh)
    gone = [cid for cid in memo if cid not in need]
    for chunk in chunks(gone):
        StepStart.objects.filter(case_id__in=chunk).delete()
    return found


def _upsert_step_starts(rows: list[tuple[int, int, dt.date]]) -> None:
    insert_rows(StepStart, [("case_id", "bigint"), ("step", "smallint"), ("started_on", "date")], rows,
                on_conflict="ON CONFLICT (case_id) DO UPDATE SET step = EXCLUDED.step, started_on = EXCLUDED.started_on")


def closed_stops() -> dict[int, list[tuple[dt.date, dt.date]]]:
    out: dict[int, list[tuple[dt.date, dt.date]]] = {}
    rows = ClockStop.objects.filter(case__status=Status.IN_REVIEW, end_on__isnull=False).order_by()
    for case_id, a, b in rows.values_list("case_id", "start_on", "end_on"):
        out.setdefault(case_id, []).append((a, b))
    return out


def deemed_scope() -> tuple[set[int], set[int]]:
    rules = list(DeemedRule.objects.filter(is_active=True).values_list("impl_code", "department_id"))
    codes = [c for c, _ in rules if c]
    items = set(Item.objects.filter(impl_code__in=codes).values_list("id", flat=True)) if codes else set()
    return items, {d for _, d in rules if d}


