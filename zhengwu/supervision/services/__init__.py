"""Every write of supervision: the sweep, 告诫 and praise, assessment, and the statistics rollup.

``supervise()`` is what ``zhengwu supervise`` (and a scheduler, and the demo) runs.
"""

from __future__ import annotations

import datetime as dt

from zhengwu.core import clock

from ..models import SweepRun
from ..periods import add_months, month_start
from .assessment import assessment_ensure, assessment_run, assessment_stale
from .discipline import (
    accountability_evaluate,
    admonition_issue,
    admonition_revoke,
    commendation_record,
    deemed_confirm,
    flag_resolve,
)
from .notices import notices_deliver
from .stats import stats_rebuild, stats_refresh
from .sweep import SweepResult, sweep_minutes, sweep_run

__all__ = [
    "accountability_evaluate", "admonition_issue", "admonition_revoke", "assessment_ensure", "assessment_run",
    "assessment_stale",
    "commendation_record", "deemed_confirm", "flag_resolve", "notices_deliver", "stats_rebuild", "stats_refresh",
    "supervise", "supervise_demo", "sweep_minutes", "sweep_run", "SweepResult",
]


def supervise(*, today: dt.date | None = None, stats: bool = True) -> SweepResult:
    """One scheduled run: cards and 超时默认, last month's assessment once, the rules, the rollup."""
    today = today or clock.today()
    # Due dates fixed on a provisional calendar first, so the cards judge the right dates.
    from zhengwu.cases.services import deadlines_refresh_provisional

    deadlines_refresh_provisional(today=today)
    result = sweep_run(today=today)
    last = add_months(month_start(today), -1)
    assessment_ensure(month=last, today=today)
    # Appeals against the month before last are still decided early in this month.
    before = add_months(last, -1)
    if assessment_stale(before):
        assessment_ensure(month=before, today=today)
    result.flags = accountability_evaluate(today=today)
    if result.flags:
        SweepRun.objects.filter(pk=result.run_id).update(flags=result.flags)
    if stats:
        stats_refresh(today=today)
    return result


def supervise_demo(*, today: dt.date | None = None, months: int = 3) -> SweepResult:
    """For the demo after it built its data: assess the last ``months`` months, rebuild all
    statistics, then run the sweep for today."""
    today = today or clock.today()
    current = month_start(today)
    for i in range(months, 0, -1):
        assessment_run(month=add_months(current, -i), today=today)
    stats_rebuild(today=today)
    return supervise(today=today, stats=False)
