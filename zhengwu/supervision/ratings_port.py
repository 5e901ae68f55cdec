"""What supervision needs from 好差评 (``zhengwu.ratings``), behind one small interface.

The ratings app is built alongside this one, so it is imported lazily: while its selectors are
missing every answer is "no ratings" (assessment still runs; 满意率 shows as 暂无). Nothing
else in supervision touches ratings. Used from ``zhengwu.ratings.selectors``:
- ``bad_ratings_upheld_counts(*, month, by, region=None)`` → {staff id or window id: standing 差评}
  (差评 not set aside on appeal); everyone in it was rated 不满意 that month;
- ``rating_metrics(*, by="hall", start, end, with_cases=False)`` → rows with ``key`` (hall id),
  ``satisfied`` (overall 3–5) and ``ratings`` (valid ratings), in one query over ratings. Called
  when the dashboard's rollup is refreshed, not per page view.
"""

from __future__ import annotations

import datetime as dt
import importlib


def _selector(name: str):
    try:
        module = importlib.import_module("zhengwu.ratings.selectors")
    except ImportError:
        return None
    return getattr(module, name, None)


def bad_rating_counts(*, month: dt.date) -> tuple[dict[int, int], dict[int, int]]:
    """({officer id: n}, {window id: n}) of the standing 差评 given in ``month``."""
    fn = _selector("bad_ratings_upheld_counts")
    if fn is None:
        return {}, {}
    return dict(fn(month=month, by="officer")), dict(fn(month=month, by="window"))


def satisfaction_by_hall(*, start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """{hall id: (satisfied, valid ratings)} for ratings given in [start, end]; empty without ratings."""
    fn = _selector("rating_metrics")
    if fn is None:
        return {}
    return {r.key: (r.satisfied, r.ratings) for r in fn(by="hall", start=start, end=end, with_cases=False)
            if r.key is not None and r.ratings}
