"""The working-day engine: every deadline in zhengwu is computed here.

Rules (REFERENCE §3): periods count 工作日; weekends and statutory holidays are out,
调休 weekend working days are in; the start day is not counted (民法典 第201条);
clock-stop intervals (特别程序 and the like) are taken out.

Day status, most specific first: a regional override (village → town → county),
a nationwide override, the ``chinesecalendar`` package for the years it knows, and
for any other year a **provisional** rule: weekends plus the statutory holidays of
《全国年节及纪念日放假办法》(2025 revision) that can be computed, without 调休.

Answers come from a sorted array of working-day ordinals per calendar, so ``add``
and ``count`` are two binary searches; the arrays are rebuilt when overrides change.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_right
from dataclasses import dataclass

import chinese_calendar
from lunar_python import Lunar, Solar

from zhengwu.core.errors import DomainError
from zhengwu.core.localmemo import LocalMemo

PACKAGE_YEARS = range(2004, 2027)  # years chinesecalendar 1.11 carries; checked at import below
MIN_YEAR, MAX_YEAR = 1990, 2100

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


PACKAGE_YEARS = range(2004, max(y for y in range(2004, 2040) if _package_knows(y)) + 1)


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """Holidays of 《全国年节及纪念日放假办法》 computable for any year (no 调休)."""
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    first = Lunar.fromYmd(year, 1, 1).getSolar()
    spring = dt.date(first.getYear(), first.getMonth(), first.getDay())
    for offset in range(-1, 3):  # 除夕 and 正月初一至初三
        days[spring + dt.timedelta(days=offset)] = "春节"
    qingming = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    days[dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = "劳动节"
    for (lm, ld), name in {(5, 5): "端午节", (8, 15): "中秋节"}.items():
        s = Lunar.fromYmd(year, lm, ld).getSolar()
        days[dt.date(s.getYear(), s.getMonth(), s.getDay())] = name
    for d in (1, 2, 3):
        days[dt.date(year, 10, d)] = "国庆节"
    return days


@dataclass(frozen=True)
class DayStatus:
    date: dt.date
    workday: bool
    reason: str  # 工作日 / 周末 / 法定节假日：国庆节 / 调休上班：国庆节 / 地方节日：… / 中止计时
    provisional: bool


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    provisional: bool


class Calendar:
    """Working days for one region (None = nationwide), built from overrides and package data."""

    def __init__(self, overrides: list[tuple[dt.date, str, str, int]], confirmed_years: set[int]):
        # overrides: (date, kind, name, specificity); a higher specificity wins.
        chosen: dict[dt.date, tuple[str, str, int]] = {}
        for date, kind, name, spec in overrides:
            if date not in chosen or spec > chosen[date][2]:
                chosen[date] = (kind, name, spec)
        self._overrides = chosen
        self._confirmed = confirmed_years
        self._lock = threading.Lock()
        self._first_year = self._last_year = 0
        self._ords: list[int] = []

    # -- day status -------------------------------------------------------
    def is_provisional_year(self, year: int) -> bool:
        return year not in PACKAGE_YEARS and year not in self._confirmed

    def status(self, day: dt.date) -> DayStatus:
        self._check_year(day.year)
        prov = self.is_provisional_year(day.year)
        if day in self._overrides:
            kind, name, spec = self._overrides[day]
            if kind == "holiday":
                label = f"{'地方节日' if spec > 0 else '法定节假日'}：{name}"
                return DayStatus(day, False, label, prov)
            return DayStatus(day, True, f"调休上班：{name}", prov)
        if day.year in PACKAGE_YEARS:
            name = chinese_calendar.holidays.get(day)
            if name is not None:
                return DayStatus(day, False, f"法定节假日：{HOLIDAY_NAMES.get(name, name)}", False)
            name = chinese_calendar.workdays.get(day)
            if name is not None:
                return DayStatus(day, True, f"调休上班：{HOLIDAY_NAMES.get(name, name)}", False)
        else:
            name = _statutory_cached(day.year).get(day)
            if name is not None:
                return DayStatus(day, False, f"法定节假日：{name}", prov)
        if day.weekday() >= 5:
            return DayStatus(day, False, "周末", prov)
        return DayStatus(day, True, "工作日", prov)

    def is_workday(self, day: dt.date) -> bool:
        return self.status(day).workday

    # -- the ordinal table ------------------------------------------------
    @staticmethod
    def _check_year(year: int) -> None:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise DomainError("year_out_of_range", f"日期超出工作日历支持的范围（{MIN_YEAR}—{MAX_YEAR}年）")

    def _ensure(self, first_year: int, last_year: int) -> None:
        if self._ords and self._first_year <= first_year and last_year <= self._last_year:
            return
        self._check_year(first_year)
        self._check_year(last_year)
        with self._lock:
            lo = min(first_year, self._first_year or first_year)
            hi = max(last_year, self._last_year or last_year)
            day, end = dt.date(lo, 1, 1), dt.date(hi, 12, 31)
            ords, step = [], dt.timedelta(days=1)
            while day <= end:
                if self.status(day).workday:
                    ords.append(day.toordinal())
                day += step
            self._ords, self._first_year, self._last_year = ords, lo, hi

    def add(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (start not counted); n = 0 gives ``start``."""
        if n < 0:
            raise DomainError("invalid_days", "工作日天数不能为负数")
        if n == 0:
            return start
        # Working days are ≥ 240 a year; span enough years for n, extend if still short.
        span = n // 240 + 1
        self._ensure(start.year, start.year + span)
        ords = self._ords
        i = bisect_right(ords, start.toordinal()) + n - 1
        while i >= len(ords):
            self._ensure(start.year, self._last_year + 1)
            ords = self._ords
        return dt.date.fromordinal(ords[i])

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d ≤ end (0 when end ≤ start)."""
        if end <= start:
            return 0
        self._ensure(start.year, end.year)
        ords = self._ords
        return bisect_right(ords, end.toordinal()) - bisect_right(ords, start.toordinal())

    def provisional_between(self, start: dt.date, end: dt.date) -> bool:
        return any(self.is_provisional_year(y) for y in range(start.year, end.year + 1))

    def due(self, start: dt.date, n: int, stops: list[tuple[dt.date, dt.date]] = ()) -> Deadline:
        """Due date of an n-working-day period from ``start``, the days in ``stops`` not counted.

        Each stop ``(first, last)`` is inclusive: the clock does not run on those days.
        """
        remaining, cursor = n, start
        if n:
            for first, last in _merge(stops):
                if last <= cursor:
                    continue
                if first > cursor:
                    available = self.count(cursor, first - dt.timedelta(days=1))
                    if available >= remaining:
                        break
                    remaining -= available
                cursor = last
        due = self.add(cursor, remaining)
        return Deadline(due, self.provisional_between(start, due))

    def due_calendar_days(self, start: dt.date, n: int, stops: list[tuple[dt.date, dt.date]] = ()) -> Deadline:
        """Due date of an n-natural-day (自然日) period from ``start``, the days in ``stops`` not counted.

        The start day does not count (民法典第二百零一条); when the last day falls on a rest day
        (a weekend or statutory holiday, not a 调休 working day), the period ends on the next
        working day (民法典第二百零三条).
        """
        due = start + dt.timedelta(days=n)
        for first, last in _merge(stops):
            if last <= start:
                continue
            a = max(first, start + dt.timedelta(days=1))
            if a > due:
                break
            due += dt.timedelta(days=(last - a).days + 1)
        while not self.is_workday(due):
            due += dt.timedelta(days=1)
        return Deadline(due, self.provisional_between(start, due))

    def explain(self, start: dt.date, n: int, stops: list[tuple[dt.date, dt.date]] = ()) -> list[DayStatus]:
        """Each day from the start to the due date, counted or skipped, and why."""
        deadline = self.due(start, n, stops)
        merged = _merge(stops)
        rows = [DayStatus(start, False, "起始日不计入（民法典第二百零一条）", self.is_provisional_year(start.year))]
        day, counted = start + dt.timedelta(days=1), 0
        while day <= deadline.due:
            st = self.status(day)
            if any(a <= day <= b for a, b in merged):
                st = DayStatus(day, False, "中止计时（特别程序/补正等不计入期限）", st.provisional)
            elif st.workday:
                counted += 1
                st = DayStatus(day, True, f"{st.reason}，第{counted}个工作日", st.provisional)
            rows.append(st)
            day += dt.timedelta(days=1)
        return rows


def _merge(stops) -> list[tuple[dt.date, dt.date]]:
    out: list[list[dt.date]] = []
    for first, last in sorted(stops):
        if last < first:
            raise DomainError("invalid_stop", "中止计时的结束日期不能早于开始日期")
        if out and first <= out[-1][1] + dt.timedelta(days=1):
            out[-1][1] = max(out[-1][1], last)
        else:
            out.append([first, last])
    return [(a, b) for a, b in out]


_statutory: dict[int, dict[dt.date, str]] = {}


def _statutory_cached(year: int) -> dict[dt.date, str]:
    if year not in _statutory:
        _statutory[year] = statutory_holidays(year)
    return _statutory[year]


# -- calendars per region, shared in-process, invalidated across processes ----
_memo = LocalMemo("zhengwu:workdays:version")  # region id (None: nationwide) -> Calendar
_build_lock = threading.Lock()


def invalidate() -> None:
    """Drop the tables here and tell other processes (through the shared cache) to do the same, now and once
    the current transaction commits."""
    _memo.invalidate()


def calendar_for(region=None) -> Calendar:
    """The calendar of ``region`` (a Region or None for nationwide)."""
    key = region.pk if region is not None else None
    cal = _memo.fresh().get(key)
    if cal is not None:
        return cal
    from .models import DayOverride, YearNotice

    with _build_lock:
        generation = _memo.generation()
        chain = []
        if region is not None:
            chain = [region, *region.ancestors()]
        specificity = {r.pk: len(chain) - i for i, r in enumerate(chain)}
        rows = DayOverride.objects.filter(region__isnull=True)
        if chain:
            rows = rows | DayOverride.objects.filter(region_id__in=list(specificity))
        overrides = [(o.date, o.kind, o.name, specificity.get(o.region_id, 0)) for o in rows]
        confirmed = set(YearNotice.objects.filter(confirmed=True).values_list("year", flat=True))
        cal = Calendar(overrides, confirmed)
        _memo.keep(key, cal, generation)
    return cal


# -- the module-level API everything else uses -------------------------------
def add_workdays(start: dt.date, n: int, *, region=None) -> dt.date:
    return calendar_for(region).add(start, n)


def count_workdays(start: dt.date, end: dt.date, *, region=None) -> int:
    return calendar_for(region).count(start, end)


def due_date(start: dt.date, n: int, *, stops=(), region=None) -> Deadline:
    return calendar_for(region).due(start, n, list(stops))


def due_date_calendar_days(start: dt.date, n: int, *, stops=(), region=None) -> Deadline:
    return calendar_for(region).due_calendar_days(start, n, list(stops))


def is_workday(day: dt.date, *, region=None) -> bool:
    return calendar_for(region).is_workday(day)


def explain(start: dt.date, n: int, *, stops=(), region=None) -> list[DayStatus]:
    return calendar_for(region).explain(start, n, list(stops))


def provisional_years(*, upto: int | None = None) -> list[int]:
    """Years from now on (through ``upto``) still answered provisionally: the admin's standing warning."""
    today = dt.date.today()
    cal = calendar_for(None)
    return [y for y in range(today.year, (upto or today.year + 1) + 1) if cal.is_provisional_year(y)]
