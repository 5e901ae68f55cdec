"""Calendar months and quarters (assessment periods are natural months)."""

from __future__ import annotations

import calendar
import datetime as dt


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, n: int) -> dt.date:
    """The same day ``n`` months later (or earlier), clamped to the month's length."""
    index = day.year * 12 + day.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_month(text: str) -> dt.date:
    """'2026-04' → 2026-04-01; raises ValueError."""
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def quarter_months(year: int, quarter: int) -> list[dt.date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter")
    return [dt.date(year, 3 * (quarter - 1) + i, 1) for i in (1, 2, 3)]


def cn_month(day: dt.date) -> str:
    return f"{day.year}年{day.month}月"


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
