"""The 村务公开 publication calendar: which period a day belongs to, and by when each period is published.

Periods are calendar months, quarters, half-years or years (``Cadence``). A period is due on the
category's ``due_day`` of the ``due_months_after``-th month after it ends (day 31 means the month's last
day), moved to the next working day of the village's own calendar when ``roll_to_workday`` is set;
a ``VillageDueOverride`` row for the category and the period's end replaces the rule.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from zhengwu.workdays import engine

from .models import Body, VillageCadence, VillageCategory, VillageDueOverride
from .models.village import CADENCE_MONTHS, Cadence

QUARTERS = "一二三四"


@dataclass(frozen=True)
class Period:
    cadence: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        y, m = self.start.year, self.start.month
        if self.cadence == Cadence.MONTH:
            return f"{y}年{m}月"
        if self.cadence == Cadence.QUARTER:
            return f"{y}年第{QUARTERS[(m - 1) // 3]}季度"
        if self.cadence == Cadence.HALF:
            return f"{y}年{'上' if m == 1 else '下'}半年"
        return f"{y}年"

    @property
    def key(self) -> str:
        """``2026Q3``, ``2026M09``, ``2026H2``, ``2026Y``: stable text for forms and addresses."""
        y, m = self.start.year, self.start.month
        return {Cadence.MONTH: f"{y}M{m:02d}", Cadence.QUARTER: f"{y}Q{(m - 1) // 3 + 1}",
                Cadence.HALF: f"{y}H{1 if m == 1 else 2}", Cadence.YEAR: f"{y}Y"}[Cadence(self.cadence)]


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def period_containing(day: dt.date, cadence: str) -> Period:
    months = CADENCE_MONTHS[Cadence(cadence)]
    first = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first, 1)
    ey, em = _add_months(day.year, first, months - 1)
    return Period(cadence, start, dt.date(ey, em, calendar.monthrange(ey, em)[1]))


def period_before(period: Period) -> Period:
    return period_containing(period.start - dt.timedelta(days=1), period.cadence)


def last_ended(today: dt.date, cadence: str) -> Period:
    """The latest period that ended before ``today``."""
    return period_before(period_containing(today, cadence))


def period_from_key(key: str) -> Period | None:
    """The period a ``Period.key`` names, or None for anything else (never an exception)."""
    key = (key or "").strip().upper()
    if len(key) < 5 or not key[:4].isdigit() or not 2000 <= int(key[:4]) <= 2100:
        return None
    year, rest = int(key[:4]), key[4:]
    try:
        if rest == "Y":
            return period_containing(dt.date(year, 1, 1), Cadence.YEAR)
        n = int(rest[1:]) if rest[1:].isdigit() and len(rest) <= 3 else 0
        if rest[:1] == "M" and 1 <= n <= 12:
            return period_containing(dt.date(year, n, 1), Cadence.MONTH)
        if rest[:1] == "Q" and 1 <= n <= 4:
            return period_containing(dt.date(year, 3 * n - 2, 1), Cadence.QUARTER)
        if rest[:1] == "H" and 1 <= n <= 2:
            return period_containing(dt.date(year, 6 * n - 5, 1), Cadence.HALF)
    except ValueError:
        return None
    return None


def cadence_for(body: Body, category: VillageCategory, overrides: dict | None = None) -> str:
    """The village's own cadence for the category, else the catalogue's. ``overrides``: preloaded
    {(body_id, category_id): cadence} for code that asks for many villages."""
    if overrides is not None:
        return overrides.get((body.pk, category.pk), category.cadence)
    row = VillageCadence.objects.filter(body=body, category=category).values_list("cadence", flat=True).first()
    return row or category.cadence


def due_date(category: VillageCategory, period: Period, *, region=None, override: dt.date | None = None,
             overrides: dict | None = None) -> dt.date:
    """The latest day to publish ``period`` of ``category`` for a village in ``region``."""
    if overrides is not None:
        override = overrides.get((category.pk, period.end))
    elif override is None:
        override = (VillageDueOverride.objects.filter(category=category, period_end=period.end)
                    .values_list("due_date", flat=True).first())
    if override is not None:
        return override
    y, m = _add_months(period.end.year, period.end.month, category.due_months_after)
    day = dt.date(y, m, min(category.due_day, calendar.monthrange(y, m)[1]))
    if category.roll_to_workday:
        while not engine.is_workday(day, region=region):
            day += dt.timedelta(days=1)
    return day
