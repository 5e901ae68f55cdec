"""The dashboard's rollups (``models.stats``), kept current incrementally.

The watermark is the highest case event id seen (``StatState``). Every change of a case that moves a
figure — 受理, 办结, 缴费 and 减免 — writes its event in the same transaction and dates its facts with the
day of the action. So a refresh recomputes ``DayStat`` only for the days that can have changed: the fact
dates of the cases with new events, from the day of the first new event on, plus the day of the previous
refresh and today (which also catches a write whose transaction committed just after the previous
refresh read the watermark). The month tables then move by the difference between the new and the old
day rows, so the work follows the changes, not the history. The running month's open-overdue count is
counted on every refresh from the set of open overdue cases (``OverdueCase``): the sweep rewrites the set
from the cases, the every-minute refresh only moves the cases of its new events and those whose due date
passed since the previous refresh. The active cards are recounted every time (the partial index of
uncleared cards). A past month's overdue figure is frozen at its last day by the first refresh after it.

A correction dated before the day of its own event (a repair by hand in the database) is not seen:
``zhengwu supervise --rebuild-stats`` rebuilds everything. A case whose event committed just after a
minute refresh read the watermark stays in or out of the overdue set until the next sweep rewrites it.

The sweep (``zhengwu supervise``) refreshes with 满意率; ``zhengwu supervise_minutes`` refreshes every
minute without it, so today's figures on the dashboard are at most a minute old.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from zhengwu.cases.models import Case, CaseEvent, Channel, FeeLine, Status
from zhengwu.core import clock
from zhengwu.org.models import Hall, Region

from .. import ratings_port
from ..models import (
    Card,
    CardStat,
    DayPlaceStat,
    DayStat,
    ItemStat,
    MonthStat,
    OverdueCase,
    OverdueStat,
    RatingStat,
    StatRefresh,
    StatState,
)
from ..periods import add_months, month_end, month_start
from .bulk import insert_rows

RUNNING = (Status.IN_REVIEW, Status.DECIDED)  # the case's clock runs (办结 is the deadline)
HELD = (Status.SUSPENDED, Status.SUPPLEMENT)  # the clock is stopped

FACTS = ("accepted", "agent_accepted", "completed", "on_time", "fees")
# (significant length of a region level's code, length of the level above): ItemStat keeps one row per
# region a place lies in, keyed by that region's code prefix (Region.code_prefix).
LEVELS = ((4, 0), (6, 4), (9, 6), (12, 9))

CASE, FEE = Case._meta.db_table, FeeLine._meta.db_table
EVENT, HALL, REGION = CaseEvent._meta.db_table, Hall._meta.db_table, Region._meta.db_table
OVERDUE = OverdueCase._meta.db_table
PLACE_JOIN = (f"JOIN {Hall._meta.db_table} h ON h.id = COALESCE(c.agent_station_id, c.hall_id) "
              f"JOIN {Region._meta.db_table} r ON r.id = h.region_id")
DAY, DAY_PLACE = DayStat._meta.db_table, DayPlaceStat._meta.db_table
MONTH, ITEM = MonthStat._meta.db_table, ItemStat._meta.db_table


@dataclass
class StatsRefreshResult:
    days: list[dt.date] = field(default_factory=list)  # DayStat days recomputed
    months: list[dt.date] = field(default_factory=list)  # months whose figures moved or were recounted
    events: int = 0  # new case events read
    changed: int = 0  # month and item rows moved by a difference
    rebuilt: bool = False


def day_start(day: dt.date) -> dt.datetime:
    """Midnight (Asia/Shanghai) at the start of ``day``, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def open_overdue_q(as_of: dt.date) -> Q:
    """Cases accepted, not closed by the end of ``as_of``, whose due date has passed (clock running)."""
    after = day_start(as_of + dt.timedelta(days=1))
    still_open = (Q(status__in=RUNNING)
                  | Q(status__in=[Status.COMPLETED, Status.DELIVERED], completed_at__gte=after)
                  | Q(status=Status.WITHDRAWN, closed_at__gte=after))
    return still_open & Q(accepted_on__lte=as_of, due_date__lt=as_of)


def area_prefixes(place_code: str) -> list[str]:
    """The code prefixes of the regions ``place_code`` lies in: a county centre's code gives its city's and
    its county's, a village's all four."""
    return [place_code[:n] for n, above in LEVELS if not above or place_code[above:n].strip("0")]


# -- SQL ------------------------------------------------------------------------------------------------

def _d(day: dt.date):
    return connection.ops.adapt_datefield_value(day)


def _in(column: str, values: list) -> tuple[str, list]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _day_select(days: list[dt.date] | None) -> tuple[str, list]:
    """The DayStat rows of ``days`` (None: every day) computed from cases and fee lines, in table order."""
    place = "COALESCE(c.agent_station_id, c.hall_id)"
    if days is None:
        acc_w, acc_p, done_w, done_p, fee_w, fee_p = "1 = 1", [], "1 = 1", [], "1 = 1", []
    else:
        acc_w, acc_p = _in("c.accepted_on", [_d(d) for d in days])
        ranges = []
        done_p = []
        for d in days:
            ranges.append("(c.completed_at >= %s AND c.completed_at < %s)")
            done_p += [connection.ops.adapt_datetimefield_value(day_start(d)),
                       connection.ops.adapt_datetimefield_value(day_start(d + dt.timedelta(days=1)))]
        done_w = f"({' OR '.join(ranges)})"
        fee_w, fee_p = _in("l.paid_on", [_d(d) for d in days])
    sql = f"""
        SELECT f.day, r.code, f.item_id, SUM(f.acc), SUM(f.agent), SUM(f.done), SUM(f.on_time), SUM(f.fees)
        FROM (
          SELECT c.accepted_on AS day, {place} AS place, c.item_id AS item_id, COUNT(*) AS acc,
                 SUM(CASE WHEN c.channel = %s THEN 1 ELSE 0 END) AS agent, 0 AS done, 0 AS on_time, 0 AS fees
          FROM {CASE} c WHERE c.accepted_on IS NOT NULL AND {acc_w}
          GROUP BY c.accepted_on, {place}, c.item_id
          UNION ALL
          SELECT c.completed_on, {place}, c.item_id, 0, 0, COUNT(*),
                 SUM(CASE WHEN c.completed_on <= c.due_date THEN 1 ELSE 0 END), 0
          FROM {CASE} c WHERE c.completed_at IS NOT NULL AND {done_w}
          GROUP BY c.completed_on, {place}, c.item_id
          UNION ALL
          SELECT l.paid_on, {place}, c.item_id, 0, 0, 0, 0, SUM(CAST(ROUND(l.amount * 100) AS BIGINT) * l.quantity)
          FROM {FEE} l JOIN {CASE} c ON c.id = l.case_id
          WHERE l.paid_on IS NOT NULL AND l.waived = %s AND {fee_w}
          GROUP BY l.paid_on, {place}, c.item_id
        ) f JOIN {HALL} h ON h.id = f.place JOIN {REGION} r ON r.id = h.region_id
        GROUP BY f.day, r.code, f.item_id"""
    return sql, [Channel.AGENT.value, *acc_p, *done_p, False, *fee_p]


def _exec(sql: str, params: list) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return max(cur.rowcount, 0)


def _write_days(days: list[dt.date] | None) -> int:
    select, params = _day_select(days)
    if days is None:
        _exec(f"DELETE FROM {DAY}", [])
    else:
        where, p = _in("day", [_d(d) for d in days])
        _exec(f"DELETE FROM {DAY} WHERE {where}", p)
    cols = "day, place_code, item_id, accepted, agent_accepted, completed, on_time, fees"
    return _exec(f"INSERT INTO {DAY} ({cols}) {select}", params)


def _read_days(days: list[dt.date]) -> dict[tuple, tuple]:
    rows = DayStat.objects.filter(day__in=days).values_list("day", "place_code", "item_id", *FACTS)
    return {r[:3]: r[3:] for r in rows}


def _months_from_days(months: list[dt.date]) -> None:
    """Rebuild DayPlaceStat, MonthStat and ItemStat from DayStat (the full rebuild)."""
    sums = ", ".join(f"SUM({f})" for f in FACTS)
    _exec(f"DELETE FROM {DAY_PLACE}", [])
    _exec(f"INSERT INTO {DAY_PLACE} (day, place_code, {', '.join(FACTS)}) "
          f"SELECT day, place_code, {sums} FROM {DAY} GROUP BY day, place_code", [])
    for m in months:
        lo, hi = _d(m), _d(month_end(m))
        _exec(f"DELETE FROM {MONTH} WHERE month = %s", [lo])
        _exec(f"DELETE FROM {ITEM} WHERE month = %s", [lo])
        _exec(f"INSERT INTO {MONTH} (month, place_code, {', '.join(FACTS)}) "
              f"SELECT %s, place_code, {sums} FROM {DAY} WHERE day >= %s AND day <= %s GROUP BY place_code",
              [lo, lo, hi])
        for n, above in LEVELS:
            level = "" if not above else f"AND SUBSTR(place_code, {above + 1}, {n - above}) <> '{'0' * (n - above)}'"
            _exec(f"INSERT INTO {ITEM} (month, area, item_id, accepted) "
                  f"SELECT %s, SUBSTR(place_code, 1, {n}), item_id, SUM(accepted) FROM {DAY} "
                  f"WHERE day >= %s AND day <= %s {level} GROUP BY SUBSTR(place_code, 1, {n}), item_id "
                  f"HAVING SUM(accepted) > 0", [lo, lo, hi])


def _apply_differences(old: dict[tuple, tuple], new: dict[tuple, tuple]) -> tuple[int, set[dt.date]]:
    """Move MonthStat and ItemStat by (new − old) day rows; rows left at zero are dropped."""
    by_day: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(FACTS))
    by_month: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(FACTS))
    by_item: dict[tuple, int] = defaultdict(int)
    zero = (0,) * len(FACTS)
    for key in old.keys() | new.keys():
        a, b = old.get(key, zero), new.get(key, zero)
        if a == b:
            continue
        day, place, item = key
        m = month_start(day)
        on_day, in_month = by_day[(day, place)], by_month[(m, place)]
        for i in range(len(FACTS)):
            on_day[i] += int(b[i]) - int(a[i])
            in_month[i] += int(b[i]) - int(a[i])
        if b[0] != a[0]:
            for area in area_prefixes(place):
                by_item[(m, area, item)] += int(b[0]) - int(a[0])
    day_rows = [(_d(d), place, *v) for (d, place), v in by_day.items() if any(v)]
    month_rows = [(_d(m), place, *v) for (m, place), v in by_month.items() if any(v)]
    item_rows = [(_d(m), area, item, n) for (m, area, item), n in by_item.items() if n]
    cols = ", ".join(FACTS)
    for table, key, rows in ((DAY_PLACE, "day", day_rows), (MONTH, "month", month_rows)):
        if rows:
            adds = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in FACTS)
            with connection.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({key}, place_code, {cols}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                                f"ON CONFLICT ({key}, place_code) DO UPDATE SET {adds}", rows)
    if item_rows:
        with connection.cursor() as cur:
            cur.executemany(f"INSERT INTO {ITEM} (month, area, item_id, accepted) VALUES (%s, %s, %s, %s) "
                            f"ON CONFLICT (area, month, item_id) DO UPDATE SET accepted = {ITEM}.accepted "
                            f"+ excluded.accepted", item_rows)
    months = {m for m, _ in by_month} | {m for m, _, _ in by_item}
    nothing = " AND ".join(f"{f} = 0" for f in FACTS)
    if day_rows:
        where, p = _in("day", sorted({r[0] for r in day_rows}))
        _exec(f"DELETE FROM {DAY_PLACE} WHERE {where} AND {nothing}", p)
    if months:
        where, p = _in("month", [_d(m) for m in months])
        _exec(f"DELETE FROM {MONTH} WHERE {where} AND {nothing}", p)
        _exec(f"DELETE FROM {ITEM} WHERE {where} AND accepted = 0", p)
    return len(day_rows) + len(month_rows) + len(item_rows), months


def _places() -> dict[int, str]:
    return dict(Hall.objects.values_list("id", "region__code"))


def _overdue_now(today: dt.date, *, window: tuple[int, int, dt.date] | None = None) -> None:
    """Bring ``OverdueCase`` to the running cases past due on ``today``. Without ``window``: rewrite the set.
    With ``window`` (events after id a up to id b, the previous refresh's day): only its cases can have
    left or joined the set, and those whose due date passed since that day."""
    select = (f"SELECT c.id, r.code FROM {CASE} c {PLACE_JOIN} "
              f"WHERE c.status IN (%s, %s) AND c.due_date < %s")
    params = [*RUNNING, _d(today)]
    if window is None:
        _exec(f"DELETE FROM {OVERDUE}", [])
        _exec(f"INSERT INTO {OVERDUE} (case_id, place_code) {select}", params)
        return
    first, last, since = window
    touched = f"SELECT case_id FROM {EVENT} WHERE id > %s AND id <= %s"
    _exec(f"DELETE FROM {OVERDUE} WHERE case_id IN ({touched})", [first, last])
    # Two statements, not one with OR: each is an index read (the events' cases by id; the running cases
    # by (status, due_date)), where the OR made PostgreSQL read every running case past due.
    _exec(f"INSERT INTO {OVERDUE} (case_id, place_code) {select} AND c.id IN ({touched}) "
          f"ON CONFLICT (case_id) DO NOTHING", [*params, first, last])
    _exec(f"INSERT INTO {OVERDUE} (case_id, place_code) {select} AND c.due_date >= %s "
          f"ON CONFLICT (case_id) DO NOTHING", [*params, _d(since)])


def _count_overdue(month: dt.date, as_of: dt.date, today: dt.date, places: dict[int, str]) -> None:
    """OverdueStat of ``month`` as of ``as_of``: for today from ``OverdueCase``, for a past day
    ``open_overdue_q`` over the cases."""
    counts: dict[str, int] = defaultdict(int)
    if as_of >= today:
        counts.update(OverdueCase.objects.order_by().values_list("place_code").annotate(n=Count("case_id")))
    else:
        qs = Case.objects.filter(open_overdue_q(as_of)).exclude(status__in=HELD)
        for hall_id, station_id, n in (qs.order_by().values_list("hall_id", "agent_station_id")
                                       .annotate(n=Count("id"))):
            counts[places[station_id or hall_id]] += n
    OverdueStat.objects.filter(month=month).delete()
    insert_rows(OverdueStat, [("month", "date"), ("place_code", "varchar"), ("open_overdue", "integer")],
                [(month, code, n) for code, n in counts.items()])


def _count_cards() -> None:
    """CardStat recounted: the active cards are few (the partial index of uncleared cards), whatever the history."""
    CardStat.objects.all().delete()
    _exec(f"INSERT INTO {CardStat._meta.db_table} (hall_id, department_id, red, yellow) "
          f"SELECT hall_id, department_id, SUM(CASE WHEN level = %s THEN 1 ELSE 0 END), "
          f"SUM(CASE WHEN level = %s THEN 1 ELSE 0 END) FROM {Card._meta.db_table} "
          f"WHERE cleared_on IS NULL AND hall_id IS NOT NULL GROUP BY hall_id, department_id",
          [Card.Level.RED.value, Card.Level.YELLOW.value])


def _count_ratings(month: dt.date) -> None:
    sats = [(month, hall, good, total) for hall, (good, total)
            in ratings_port.satisfaction_by_hall(start=month, end=month_end(month)).items()]
    RatingStat.objects.filter(month=month).delete()
    insert_rows(RatingStat, [("month", "date"), ("hall_id", "bigint"), ("satisfied", "integer"),
                             ("ratings", "integer")], sats)


def _close_months(months: set[dt.date], today: dt.date, *, ratings: bool, day_rows: dict[dt.date, int],
                  window: tuple[int, int, dt.date] | None = None) -> None:
    _count_cards()
    _overdue_now(today, window=window)
    places = _places()
    now = clock.now()
    for m in sorted(months):
        if m > today:
            continue
        as_of = min(month_end(m), today)
        _count_overdue(m, as_of, today, places)
        if ratings:
            _count_ratings(m)
        final = as_of < today  # counted after the month's last day: no later change can move it
        StatRefresh.objects.update_or_create(month=m, defaults={"refreshed_at": now, "as_of": as_of if final else None,
                                                                "rows": day_rows.get(m, 0)})


def _locked_state(*, wait: bool = True) -> StatState | None:
    """The watermark row, locked: one refresh at a time. ``wait=False``: None while another one runs."""
    StatState.objects.get_or_create(pk=1)
    return StatState.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()


def _event_top() -> int:
    return CaseEvent.objects.aggregate(top=Max("id"))["top"] or 0


# -- the two entry points ---------------------------------------------------------------------------------

def stats_rebuild(*, today: dt.date | None = None) -> int:
    """Rebuild every rollup from the cases (``zhengwu supervise --rebuild-stats``, the demo); returns the
    number of day rows."""
    today = today or clock.today()
    with transaction.atomic():
        _locked_state()
        if connection.vendor == "postgresql":  # millions of groups: hash them in memory, not in spill files
            _exec("SET LOCAL work_mem = '256MB'", [])
        top = _event_top()  # read first: a change committed during the rebuild is seen again next time
        rows = _write_days(None)
        first = DayStat.objects.aggregate(first=Min("day"))["first"] or today
        months, m = [], month_start(min(first, today))
        while m <= today:
            months.append(m)
            m = add_months(m, 1)
        _exec(f"DELETE FROM {MONTH}", [])
        _exec(f"DELETE FROM {ITEM}", [])
        OverdueStat.objects.all().delete()
        _months_from_days(months)
        per_month: dict[dt.date, int] = defaultdict(int)
        for day, n in DayStat.objects.values_list("day").annotate(n=Count("id")).order_by():
            per_month[month_start(day)] += n
        _close_months(set(months), today, ratings=True, day_rows=per_month)
        StatState.objects.filter(pk=1).update(last_event_id=top, last_day=today, refreshed_at=clock.now())
    return rows


def stats_refresh(*, today: dt.date | None = None, minute: bool = False) -> StatsRefreshResult:
    """Bring the rollups up to date with the case events since the last refresh (see the module
    docstring). The sweep's refresh also recounts 满意率 of the running month (and of the previous one until
    it is final) and rewrites the set of open overdue cases. ``minute`` (the every-minute job): neither, the
    set moves by the cases of the new events and those whose due date passed; and nothing happens while
    another refresh or a rebuild holds the watermark."""
    today = today or clock.today()
    with transaction.atomic():
        state = _locked_state(wait=not minute)
        if state is None:
            return StatsRefreshResult()
        if state.last_day is None:
            stats_rebuild(today=today)
            return StatsRefreshResult(rebuilt=True)
        result = StatsRefreshResult()
        new = CaseEvent.objects.filter(id__gt=state.last_event_id).aggregate(top=Max("id"), first=Min("at"),
                                                                                n=Count("id"))
        top = new["top"] or state.last_event_id
        result.events = new["n"]
        days = {state.last_day, today}
        if new["top"]:
            since = timezone.localdate(new["first"])
            touched = CaseEvent.objects.filter(id__gt=state.last_event_id, id__lte=top).values("case_id")
            cases = Case.objects.filter(id__in=touched)
            days |= set(cases.filter(accepted_on__gte=since).values_list("accepted_on", flat=True).distinct())
            days |= set(cases.filter(completed_on__gte=since).values_list("completed_on", flat=True).distinct())
            days |= set(FeeLine.objects.filter(case_id__in=touched, paid_on__gte=since)
                        .values_list("paid_on", flat=True).distinct())
        result.days = sorted(d for d in days if d <= today)
        old = _read_days(result.days)
        _write_days(result.days)
        fresh = _read_days(result.days)
        result.changed, moved = _apply_differences(old, fresh)
        day_rows: dict[dt.date, int] = defaultdict(int)
        for day, *_ in fresh:
            day_rows[month_start(day)] += 1
        # Recounted: the running month; the previous one until it was counted at its last day; a past
        # month whose figures moved (a late event), as its month-end overdue figure may have moved too.
        current = month_start(today)
        previous = add_months(current, -1)
        months = {current} | {m for m in moved if m < current}
        if not StatRefresh.objects.filter(month=previous, as_of=month_end(previous)).exists():
            months.add(previous)
        window = (state.last_event_id, top, state.last_day) if minute else None
        _close_months(months, today, ratings=not minute, day_rows=day_rows, window=window)
        result.months = sorted(months | moved)
        StatState.objects.filter(pk=state.pk).update(last_event_id=top, last_day=today, refreshed_at=clock.now())
    return result
