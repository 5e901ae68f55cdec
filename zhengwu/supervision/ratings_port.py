"""What supervision needs from 好差评 (``zhengwu.ratings``), behind one small interface.

The ratings app is built alongside this one, so it is imported lazily: while its selectors are
missing every answer is "no ratings" (assessment still runs; 满意率 shows as 暂无). Nothing
else in supervision touches ratings. Used from ``zhengwu.ratings.selectors``:
- ``bad_ratings_upheld_counts(*, month, by, region=None)`` → {staff id or window id: standing 差评}
  (差评 not set aside on appeal); everyone in it was rated 不满意 that month;
- ``rating_metrics(*, by="region", start, end, region)`` → rows with ``key`` (区划代码 prefix one
  tier below ``region``), ``satisfied`` (overall 3–5) and ``ratings`` (valid ratings).
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


def satisfaction_by_child(*, region, start: dt.date, end: dt.date) -> dict[str, tuple[int, int]] | None:
    """{区划代码 prefix of the tier below ``region``: (satisfied, total)}, or None without ratings."""
    fn = _selector("rating_metrics")
    if fn is None:
        return None
    return {str(r.key): (r.satisfied, r.ratings) for r in fn(by="region", start=start, end=end, region=region)
            if r.key is not None}
