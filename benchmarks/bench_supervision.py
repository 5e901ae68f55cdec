"""The supervision sweep and the leaders' dashboard on a year of a large county.

Seeds N cases (default 1,000,000) accepted over the year to 2026-10-30 in one county: a county
centre, 25 town centres and 400 village stations, 40 departments, 400 items with 3 review steps;
about ``--open`` (default 100,000) cases are still open on the last day. Rows go in with COPY on
PostgreSQL, executemany in big batches elsewhere. Then it times, in the same run:

- the sweep (``sweep_run``) over the open cases: first run (raises every card), a second run the
  same day (nothing new) and the next working day; beside a plain SQL GROUP BY over the same
  open rows;
- the rollup: refreshing the running month, and rebuilding the whole year;
- the dashboard's full page data (``dashboard_data``) for the county and one town, beside a plain
  SQL GROUP BY over the year's rows of the county.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengwu_bench_sup \\
      .venv/bin/python benchmarks/bench_supervision.py [N] [--open M] [--reuse]
A quick run: .venv/bin/python benchmarks/bench_supervision.py 20000 --open 2000   (SQLite)
Targets (issue 4): sweep < 5 s; dashboard full page data < 1 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import statistics
import time

from _setup import setup

TODAY = dt.date(2026, 10, 30)  # a Friday
FIRST = dt.date(2025, 11, 1)
COUNTY = "130699000000"
TOWNS, VILLAGES, DEPARTMENTS, ITEMS_PER_DEPT = 25, 16, 40, 10
LIMITS = [(10, 15), (20, 30), (30, 25), (45, 20), (60, 10)]  # promised working days, weight %


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t0, out


def median_time(fn, runs=5):
    times = []
    for _ in range(runs):
        t, _ = timed(fn)
        times.append(t)
    return statistics.median(times), min(times)


# -- seeding ---------------------------------------------------------------------------------------------


def seed_org_and_catalog():
    from zhengwu.accounts.models import User
    from zhengwu.catalog.services import item_upsert
    from zhengwu.org.models import Department, Hall, Region, Role, Staff, Window

    county = Region.objects.create(code=COUNTY, name="大县", level="county")
    center = Hall.objects.create(code="DXZW", name="大县政务服务中心", kind="center", region=county)
    towns, stations = [], []
    for t in range(1, TOWNS + 1):
        town = Region.objects.create(code=f"130699{t:03d}000", name=f"第{t}镇", level="town", parent=county)
        hall = Hall.objects.create(code=f"DXZ{t:02d}", name=f"第{t}镇便民服务中心", kind="town_center", region=town)
        towns.append(hall)
        for v in range(1, VILLAGES + 1):
            village = Region.objects.create(code=f"130699{t:03d}{v:03d}", name=f"第{t}镇{v}村", level="village",
                                            parent=town)
            stations.append((hall, Hall.objects.create(code=f"DXC{t:02d}{v:02d}", name=f"{village.name}便民服务站",
                                                       kind="village_station", region=village)))
    roles = {r.code: r for r in Role.objects.all()}
    users, staff_rows = [], []

    def person(no, name, role, **kw):
        users.append(User(username=f"b{no}", real_name=name))
        staff_rows.append((no, name, role, kw))

    depts, windows = [], []
    for d in range(1, DEPARTMENTS + 1):
        dept = Department.objects.create(code=f"BD{d:03d}", name=f"大县第{d}局", region=county)
        depts.append(dept)
        windows.append(Window.objects.create(hall=center, number=str(d), name=dept.name, department=dept))
        person(f"H{d:03d}", f"局长{d}", Role.DEPT_HEAD, department=dept, region=county)
        person(f"C{d:03d}", f"首代{d}", Role.CHIEF_REP, department=dept, hall=center, region=county)
        for k in (1, 2):
            person(f"W{d:03d}{k}", f"窗口{d}-{k}", Role.WINDOW_OFFICER, department=dept, hall=center, region=county)
    town_windows = [Window.objects.create(hall=h, number="1", name="综合窗口") for h in towns]
    for i, h in enumerate(towns, start=1):
        person(f"T{i:03d}", f"镇窗口{i}", Role.WINDOW_OFFICER, hall=h, region=h.region)
    person("L001", "县长", Role.LEADER, region=county)
    person("S001", "监察员", Role.SUPERVISOR, region=county)
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    staff = Staff.objects.bulk_create([Staff(user=by_name[f"b{no}"], employee_no=no, name=name, **kw)
                                       for no, name, _role, kw in staff_rows])
    through = Staff.roles.through
    through.objects.bulk_create([through(staff_id=s.pk, role_id=roles[r].pk)
                                 for s, (_n, _nm, r, _kw) in zip(staff, staff_rows, strict=True)])
    officers = {s.employee_no: s for s in staff}

    rng = random.Random(7)
    items = []
    for d, dept in enumerate(depts, start=1):
        for i in range(1, ITEMS_PER_DEPT + 1):
            p = rng.choices([x for x, _ in LIMITS], weights=[w for _, w in LIMITS])[0]
            review = max(1, p // 2)
            steps = [{"seq": 1, "name": "受理", "role": Role.WINDOW_OFFICER, "days": 1},
                     {"seq": 2, "name": "审核", "role": Role.CHIEF_REP, "days": review},
                     {"seq": 3, "name": "批准", "role": Role.DEPT_HEAD, "days": max(1, p - 1 - review)}]
            fees = ([{"seq": 1, "name": "工本费", "amount": rng.choice([10, 20, 50, 200]), "unit": "件",
                      "standard": "", "basis": "", "waivable": False, "waiver_basis": ""}] if rng.random() < 0.3 else [])
            index = (d - 1) * ITEMS_PER_DEPT + i
            item, _ = item_upsert(
                impl_code=f"DX-{d:03d}-{i:03d}", department=dept, steps=steps, fees=fees,
                materials=[{"seq": 1, "name": "申请书", "necessity": "required", "form": "both", "source": "申请人自备",
                            "copies": 1, "spec": "A4", "notes": "", "acceptance_standard": ""}],
                fields={"name": f"第{d}局事项{i}", "kind": "license", "legal_limit": 60, "promised_limit": p,
                        "case_type": "promised", "handling_tiers": ["county", "town", "village"],
                        "village_intake": index % 13 == 0})
            items.append((item, p, index))
    return dict(county=county, center=center, towns=towns, stations=stations, depts=depts, windows=windows,
                town_windows=town_windows, officers=officers, items=items)


def workdays():
    from zhengwu.workdays import engine

    cal = engine.calendar_for(None)
    days, d = [], FIRST
    while d <= TODAY + dt.timedelta(days=200):
        if cal.is_workday(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def generate(world, n: int, n_open: int):
    """Case rows plus their events, fee lines and clock stops (as tuples in column order)."""
    rng = random.Random(2026)
    days = workdays()
    past = [d for d in days if d <= TODAY]
    index_of = {d: i for i, d in enumerate(days)}
    items = world["items"]
    town_items = [x for x in items if x[2] <= 60]
    agent_items = [x for x in items if x[1] and x[2] % 13 == 0] or items[:5]
    officers = world["officers"]
    center = world["center"]
    versions = {it.pk: it.current_id for it, _p, _i in items}
    fees = {}
    from zhengwu.catalog.models import Fee

    for vid, amount in Fee.objects.values_list("version_id", "amount"):
        fees[vid] = amount
    plan = []
    for i in range(n):
        accepted = past[min(len(past) - 1, int(i * len(past) / n))]
        r = rng.random()
        if r < 0.6:
            item, p, idx = rng.choice(items)
            hall, station, channel = center, None, "window"
            d = (idx - 1) // ITEMS_PER_DEPT + 1
            officer = officers[f"W{d:03d}{rng.randint(1, 2)}"]
            window = world["windows"][d - 1]
        elif r < 0.9:
            item, p, idx = rng.choice(town_items)
            t = rng.randrange(TOWNS)
            hall, station, channel = world["towns"][t], None, "window"
            officer, window = officers[f"T{t + 1:03d}"], world["town_windows"][t]
        else:
            item, p, idx = rng.choice(agent_items)
            hall, station = rng.choice(world["stations"])
            channel = "agent"
            t = int(hall.code[3:])
            officer, window = officers[f"T{t:03d}"], world["town_windows"][t - 1]
        a = index_of[accepted]
        due = days[a + p]
        k = max(0, round(p * rng.uniform(0.4, 1.04)))
        done = days[a + k] if a + k < len(days) else None
        plan.append([accepted, due, k, done, item, p, hall, station, channel, officer, window])
    open_idx = [i for i, x in enumerate(plan) if x[3] is None or x[3] > TODAY]
    closed_idx = [i for i, x in enumerate(plan) if x[3] is not None and x[3] <= TODAY]
    if len(open_idx) < n_open:  # stuck cases: older ones never finished (these are the overdue ones)
        for i in rng.sample(closed_idx, n_open - len(open_idx)):
            plan[i][3] = None
    else:
        for i in open_idx[: len(open_idx) - n_open]:
            plan[i][3] = TODAY
    utc = dt.UTC
    cases, events, fee_lines, stops = [], [], [], []
    for cid, (accepted, due, k, done, item, p, hall, station, channel, officer, window) in enumerate(plan, start=1):
        version = versions[item.pk]
        at = dt.datetime.combine(accepted, dt.time(2, 0), utc)  # 10:00 Beijing
        step3_on = days[index_of[accepted] + max(1, k // 2)] if k else accepted
        is_open = done is None or done > TODAY
        step = 3 if (not is_open or step3_on <= TODAY) else 2
        if is_open:
            roll = rng.random()
            status = "decided" if roll < 0.03 else "suspended" if roll < 0.06 else "in_review"
            completed_at = completed_on = closed_at = None
            if status == "suspended":
                stops.append((cid, "expert_review", "专家评审", TODAY - dt.timedelta(days=3), None, "",
                              officer.pk))
        else:
            status = "withdrawn" if rng.random() < 0.01 else "delivered"
            completed_on = None if status == "withdrawn" else done
            completed_at = dt.datetime.combine(done, dt.time(7, 0), utc)
            closed_at = completed_at
            completed_at = completed_at if completed_on else None
        cases.append((
            cid, f"DX-{cid:08d}", channel, status, 0, "person", f"申请人{cid}", "11010519491231002X", "", "",
            "13800000000", "", at, accepted, p, 0, due, False, step,
            "approve" if completed_on or status == "decided" else "", "", completed_at, completed_at, completed_on, "",
            "pickup" if completed_on else "", "", completed_at, closed_at, officer.pk, window.pk, None,
            station.pk if station else None, None, item.department_id, officer.pk, hall.pk, item.pk, version))
        events.append((at, "accept", "pending", "in_review", officer.name, "window_officer", 1, "", "{}", cid))
        if step == 3:
            events.append((dt.datetime.combine(step3_on, dt.time(3, 0), utc), "review", "in_review", "in_review",
                           "首代", "chief_rep", 2, "", "{}", cid))
        if completed_on:
            events.append((completed_at, "complete", "decided", "completed", officer.name, "window_officer", 3, "",
                           "{}", cid))
            if version in fees:
                waived = rng.random() < 0.05
                fee_lines.append(("工本费", 1, fees[version], waived, "", None if waived else completed_at,
                                  None if waived else completed_on, "" if waived else f"R{cid}", "", cid))
    return cases, events, fee_lines, stops


CASE_COLS = ("id, case_no, channel, status, row_version, applicant_kind, applicant_name, id_number, uscc, legal_rep, "
             "contact_phone, address, submitted_at, accepted_on, promised_days, extension_days, due_date, "
             "due_provisional, current_step, decision, decision_reason, decided_at, completed_at, completed_on, "
             "rejection_reason, delivery_method, tracking_no, delivered_at, closed_at, accepted_by_id, "
             "accepted_window_id, agent_id, agent_station_id, applicant_user_id, department_id, first_officer_id, "
             "hall_id, item_id, item_version_id")
EVENT_COLS = "at, action, from_status, to_status, actor_name, role, step, note, data, case_id"
FEE_COLS = "name, quantity, amount, waived, waiver_reason, paid_at, paid_on, receipt_no, pay_method, case_id"
STOP_COLS = "case_id, kind, reason, start_on, end_on, result, started_by_id"


def _text(v) -> str:
    """A value in COPY's text format (the seeded strings carry no tabs, newlines or backslashes)."""
    if v is None:
        return "\\N"
    if v is True or v is False:
        return "t" if v else "f"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def bulk_insert(table: str, cols: str, rows) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for i in range(0, len(rows), 20000):
                    copy.write("".join("\t".join(map(_text, row)) + "\n" for row in rows[i:i + 20000]))
        else:
            marks = ", ".join(["%s"] * len(cols.split(",")))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
            for i in range(0, len(rows), 50000):
                cur.executemany(sql, rows[i:i + 50000])


def seed(n: int, n_open: int) -> dict:
    from django.db import connection, transaction

    t0 = time.perf_counter()
    with transaction.atomic():
        world = seed_org_and_catalog()
    t_org = time.perf_counter() - t0
    t0 = time.perf_counter()
    cases, events, fee_lines, stops = generate(world, n, n_open)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":  # generated rows are consistent: skip the per-row FK triggers
            with connection.cursor() as cur:
                cur.execute("SET LOCAL session_replication_role = replica")
        bulk_insert("cases_case", CASE_COLS, cases)
        bulk_insert("cases_caseevent", EVENT_COLS, events)
        bulk_insert("cases_feeline", FEE_COLS, fee_lines)
        bulk_insert("cases_clockstop", STOP_COLS, stops)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in ("cases_case", "cases_caseevent", "cases_feeline", "cases_clockstop"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM {table}))")
            cur.execute("ANALYZE")
    t_copy = time.perf_counter() - t0
    print(f"seeded {len(cases):,} cases, {len(events):,} events, {len(fee_lines):,} fee lines, {len(stops):,} clock "
          f"stops: org+catalog {t_org:.1f} s, generate {t_gen:.1f} s, "
          f"{'COPY' if connection.vendor == 'postgresql' else 'executemany'} {t_copy:.1f} s")
    return world


# -- measuring ---------------------------------------------------------------------------------------------


def plain_sql(sql: str, params) -> tuple[float, list]:
    from django.db import connection

    def run():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    run()
    t, rows = timed(run)
    return t, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded cases of an earlier run")
    args = parser.parse_args()
    vendor = setup()
    logging.getLogger("zhengwu.notify").setLevel(logging.WARNING)  # the console notifier logs each message

    from django.db import connection

    from zhengwu.cases.models import Case
    from zhengwu.core import clock
    from zhengwu.org.models import Region
    from zhengwu.supervision.models import Card, DeemedApproval, DeemedRule, StepStart
    from zhengwu.supervision.selectors.dashboard import dashboard_data
    from zhengwu.supervision.services import stats_rebuild, stats_refresh, sweep_run

    if not (args.reuse and Case.objects.exists()):
        seed(args.n, args.open)
    else:
        Card.objects.all().delete()
        DeemedApproval.objects.all().delete()
        StepStart.objects.all().delete()
    DeemedRule.objects.get_or_create(department_id=Case.objects.values_list("department_id", flat=True).first())
    county = Region.objects.get(code=COUNTY)
    town = Region.objects.get(code="130699001000")
    total = Case.objects.count()
    running = Case.objects.filter(status__in=["in_review", "decided"]).count()
    open_all = Case.objects.filter(status__in=["in_review", "decided", "suspended", "supplement"]).count()
    print(f"database: {vendor}; {total:,} cases in one county, {open_all:,} open ({running:,} with the clock running)")

    next_day = dt.date(2026, 11, 2)
    with clock.frozen(TODAY):
        t_first, r1 = timed(sweep_run, today=TODAY)
        t_again, r2 = timed(sweep_run, today=TODAY)
    with clock.frozen(next_day):
        t_next, r3 = timed(sweep_run, today=next_day)
    t_sql, rows = plain_sql(
        "SELECT department_id, count(*), count(*) FILTER (WHERE due_date < %s) FROM cases_case "
        "WHERE status IN ('in_review', 'decided') GROUP BY department_id", [TODAY])
    print(f"sweep, first run            : {t_first:8.3f} s  ({r1.cases:,} cases; raised {r1.raised_yellow:,} yellow, "
          f"{r1.raised_red:,} red; {r1.deemed:,} 超时默认; {r1.messages:,} messages)")
    print(f"sweep, again the same day   : {t_again:8.3f} s  (raised {r2.raised}, cleared {r2.cleared})")
    print(f"sweep, next working day     : {t_next:8.3f} s  (raised {r3.raised:,}, cleared {r3.cleared:,})")
    print(f"plain SQL GROUP BY, same rows: {t_sql:8.3f} s  ({len(rows)} departments)      target: sweep < 5 s")

    with clock.frozen(TODAY):
        t_month, n_month = timed(stats_refresh, months=[dt.date(2026, 10, 1)], today=TODAY)
        t_year, n_year = timed(stats_rebuild, today=TODAY)
    if vendor == "postgresql":
        with connection.cursor() as cur:  # what autovacuum does soon after a bulk rebuild
            cur.execute("ANALYZE supervision_casestat, supervision_ratingstat, supervision_card")
    print(f"rollup, refresh running month: {t_month:8.3f} s  ({n_month:,} rows)")
    print(f"rollup, rebuild the year     : {t_year:8.3f} s  ({n_year:,} rows)")

    t_dash, t_dash_min = median_time(lambda: dashboard_data(region=county, today=TODAY))
    t_town, _ = median_time(lambda: dashboard_data(region=town, today=TODAY))
    connection.queries_log.clear()
    year_start = dt.date(TODAY.year, 1, 1)
    t_raw, raw = plain_sql(
        "SELECT date_trunc('month', c.accepted_on) AS m, count(*), count(c.completed_on), "
        "count(*) FILTER (WHERE c.completed_on <= c.due_date) FROM cases_case c "
        "JOIN org_hall h ON h.id = c.hall_id JOIN org_region r ON r.id = h.region_id "
        "WHERE r.code LIKE %s AND c.accepted_on >= %s GROUP BY 1 ORDER BY 1"
        if vendor == "postgresql" else
        "SELECT strftime('%%Y-%%m', c.accepted_on) AS m, count(*), count(c.completed_on), "
        "sum(c.completed_on <= c.due_date) FROM cases_case c "
        "JOIN org_hall h ON h.id = c.hall_id JOIN org_region r ON r.id = h.region_id "
        "WHERE r.code LIKE %s AND c.accepted_on >= %s GROUP BY 1 ORDER BY 1",
        [COUNTY[:6] + "%", year_start])
    data = dashboard_data(region=county, today=TODAY)
    print(f"dashboard full page data, county: {t_dash:8.3f} s median of 5 (best {t_dash_min:.3f} s); "
          f"{data['kpis']['accepted_year']:,} accepted this year, {len(data['children'])} towns")
    print(f"dashboard full page data, town  : {t_town:8.3f} s median of 5")
    print(f"plain SQL GROUP BY, the county's year by month: {t_raw:8.3f} s  ({len(raw)} months)   "
          "target: dashboard < 1 s")
    k = data["kpis"]
    print(f"  kpis: 按时办结率 this year {k['on_time_rate_year']}%, open overdue {k['open_overdue']:,}, "
          f"red {k['red_cards']:,}, yellow {k['yellow_cards']:,}, fees this year {k['fees_year']:,.2f} 元")


if __name__ == "__main__":
    main()
