"""The leaders' dashboard (统计大屏) over N cases (default 10,000,000) on PostgreSQL, beside DuckDB (issue 16).

Builds its own city (大市: a city centre, 10 counties each with a centre, 15 towns per county each with a
town centre, 2 village stations per town; 40 departments, 500 items) and writes N cases straight into
``cases_case`` with one ``INSERT … SELECT generate_series`` (the table's secondary indexes and foreign
keys are dropped first and re-created after, which also checks every foreign key once, then ANALYZE):

- accepted over the 400 days before TODAY (Wednesday 2026-11-18), items drawn with a strong skew
  (a few items take most of the cases; towns and villages only the commonest 120), 15 % at the city centre, 45 % at county centres, 35 % at town
  centres, 5 % taken in by village agents (代办) and handled by their town centre;
- 2 % never accepted (rejected, waiting), 2 % withdrawn, 1 % left open for good (open overdue), about
  8 % of the finished ones late; the rest finished within their promised days or still running, 3 % of
  the running ones stopped (补正, 特别程序);
- fee lines for the cases of one item in five (paid on acceptance or a day or two later, 5 % waived);
- a red card on every open overdue case, a yellow one on those due within two days, and the cleared
  red cards of the cases finished late (so the card table has history).

Then it times, on PostgreSQL:
1. ``stats_rebuild`` — every rollup built from the cases;
2. a day's work on the next day (NEXT: N/400 cases accepted, one running case in ten finished, their
   fee lines paid, each with its case event), then the incremental ``stats_refresh(minute=True)``; one
   with nothing new (what ``zhengwu supervise_minutes`` pays on a quiet minute); and the sweep's refresh
   (the set of open overdue cases rewritten from the cases);
3. ``dashboard_data`` for the city on NEXT: the first call on a new connection (cold), then best of 5;

and, in the same run, DuckDB computing the same figures (today's, the month's, the year's, the 12-month
trend with each month's open overdue cases at its last day, the counties, the busiest items, the cards
by department) from the raw rows: cases, fee lines, cards, halls, exported from PostgreSQL with
COPY … TO STDOUT into CSV files in /tmp and loaded into in-memory DuckDB tables before the timing (best of
5 after a first run). It prints both times, the ratio, and whether the figures agree (AGREE/DIFFERENT).
满意率 (no ratings here) and the hall's queue (no tickets) are empty on both sides and not compared.

Run:  createdb -h 127.0.0.1 -U postgres pb_bench
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_bench .venv/bin/python benchmarks/bench_dashboard.py [N]
      (``--reuse``: keep the city and cases of an earlier run of the same N, redo the day's work and
      everything after it — it needs a fresh database otherwise). Quick run: N = 1000000.
Target (issue 16): the dashboard's full page data within 2× of DuckDB's time over the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

from _setup import setup

TODAY = dt.date(2026, 11, 18)  # a Wednesday
NEXT = TODAY + dt.timedelta(days=1)
CITY = "139900000000"
COUNTIES, TOWNS, STATIONS, DEPARTMENTS, ITEMS = 10, 15, 2, 40, 500
TOWN_ITEMS = 120  # town centres and village agents handle the commonest items only
DAYS = 400
TARGET = 2.0
CSV = "/tmp/pb_bench_dashboard_{}.csv"
RUNNING, HELD = ("in_review", "decided"), ("suspended", "supplement")


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t0, out


def best(fn, n=5):
    times = []
    out = None
    for _ in range(n):
        t, out = timed(fn)
        times.append(t)
    return min(times), statistics.median(times), out


# -- the city ------------------------------------------------------------------------------------------------

def seed_city() -> None:
    from zhengwu.catalog.services import item_upsert
    from zhengwu.org.models import Department, Hall, Region

    city = Region.objects.create(code=CITY, name="大市", level="city")
    Hall.objects.create(code="DS", name="大市政务服务中心", kind="center", region=city)
    for c in range(1, COUNTIES + 1):
        county = Region.objects.create(code=f"1399{c:02d}000000", name=f"第{c}县", level="county", parent=city)
        Hall.objects.create(code=f"DS{c:02d}", name=f"第{c}县政务服务中心", kind="center", region=county)
        for t in range(1, TOWNS + 1):
            town = Region.objects.create(code=f"1399{c:02d}{t:03d}000", name=f"第{c}县{t}镇", level="town",
                                         parent=county)
            Hall.objects.create(code=f"DS{c:02d}{t:03d}", name=f"{town.name}便民服务中心", kind="town_center",
                                region=town)
            for v in range(1, STATIONS + 1):
                village = Region.objects.create(code=f"1399{c:02d}{t:03d}{v:03d}", name=f"{town.name}{v}村",
                                                level="village", parent=town)
                Hall.objects.create(code=f"DS{c:02d}{t:03d}{v}", name=f"{village.name}便民服务站",
                                    kind="village_station", region=village)
    depts = [Department.objects.create(code=f"DSB{d:03d}", name=f"大市第{d}局", region=city)
             for d in range(1, DEPARTMENTS + 1)]
    for i in range(ITEMS):
        p = (5, 10, 15, 20)[i % 4]
        item_upsert(
            impl_code=f"DS-{i:04d}", department=depts[i % DEPARTMENTS],
            steps=[{"seq": 1, "name": "受理", "role": "window_officer", "days": 1},
                   {"seq": 2, "name": "审核", "role": "chief_rep", "days": p - 1}],
            materials=[{"seq": 1, "name": "申请书", "necessity": "required", "form": "both", "source": "申请人自备",
                        "copies": 1, "spec": "A4", "notes": "", "acceptance_standard": ""}],
            fees=[], fields={"name": f"大市事项{i:03d}", "kind": "license", "legal_limit": 20, "promised_limit": p,
                             "case_type": "promised", "handling_tiers": ["city", "county", "town"]})


def world() -> dict:
    from zhengwu.catalog.models import Item
    from zhengwu.org.models import Hall

    halls = list(Hall.objects.filter(code__startswith="DS").order_by("code").values_list("id", "code", "kind"))
    by_code = {code: h for h, code, _ in halls}
    items = list(Item.objects.filter(impl_code__startswith="DS-").order_by("impl_code")
                 .values_list("id", "current_id", "department_id", "current__promised_limit"))
    stations = [(h, by_code[code[:7]]) for h, code, kind in halls if kind == "village_station"]
    return {
        "city": by_code["DS"],
        "counties": [by_code[f"DS{c:02d}"] for c in range(1, COUNTIES + 1)],
        "towns": [h for h, _, kind in halls if kind == "town_center"],
        "stations": [s for s, _ in stations], "station_towns": [t for _, t in stations],
        "items": [i[0] for i in items], "versions": [i[1] for i in items], "depts": [i[2] for i in items],
        "promised": [i[3] for i in items],
    }


# -- bulk load -----------------------------------------------------------------------------------------------

def _without_indexes(cur, table: str, load) -> float:
    """Run ``load`` with ``table``'s secondary indexes, unique and foreign-key constraints dropped; put them
    back (which checks them over every row) and ANALYZE. Returns the seconds spent putting them back."""
    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype IN ('f', 'u')", [table])
    constraints = cur.fetchall()
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
                [table, table])
    indexes = cur.fetchall()
    for name, _ in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    load()
    t0 = time.perf_counter()
    cur.execute("SET maintenance_work_mem = '512MB'")
    for _, ddl in indexes:
        cur.execute(ddl)
    for name, ddl in constraints:
        cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}')
    cur.execute(f"ANALYZE {table}")
    return time.perf_counter() - t0


CASE_COLS = ("case_no, item_id, item_version_id, department_id, hall_id, agent_station_id, channel, status, "
             "row_version, applicant_kind, applicant_name, id_number, uscc, legal_rep, contact_phone, address, "
             "submitted_at, accepted_on, promised_days, extension_days, due_date, due_provisional, current_step, "
             "decision, decision_reason, completed_at, completed_on, rejection_reason, delivery_method, tracking_no, "
             "closed_at, joint_seq")


def _case_select(first: int, n: int, *, day_sql: str, fixed_status: str = "") -> str:
    """SELECT of ``n`` generated case rows numbered from ``first``; ``day_sql`` gives each its acceptance day
    (an expression over the random ``r0``). ``fixed_status``: every case accepted and running."""
    local = "AT TIME ZONE 'Asia/Shanghai'"
    status = f"'{fixed_status}'" if fixed_status else """CASE
          WHEN rs < 0.01 THEN 'rejected' WHEN rs < 0.02 THEN (CASE WHEN rc < 0.5 THEN 'pending' ELSE 'submitted' END)
          WHEN rs < 0.04 AND acc + (done / 2) < %(today)s THEN 'withdrawn'
          WHEN rs < 0.05 THEN (CASE WHEN rc < 0.7 THEN 'in_review' ELSE 'decided' END)
          WHEN acc + done < %(today)s THEN (CASE WHEN rc < 0.7 THEN 'delivered' ELSE 'completed' END)
          WHEN rc < 0.015 THEN 'suspended' WHEN rc < 0.03 THEN 'supplement'
          WHEN rc < 0.7 THEN 'in_review' ELSE 'decided' END"""
    return f"""
      SELECT 'DS' || g, (%(items)s::bigint[])[it], (%(versions)s::bigint[])[it], (%(depts)s::bigint[])[it],
             CASE WHEN rp < 0.15 THEN %(city)s::bigint
                  WHEN rp < 0.60 THEN (%(counties)s::bigint[])[1 + floor(rh * {COUNTIES})::int]
                  WHEN rp < 0.95 THEN (%(towns)s::bigint[])[1 + floor(rh * {COUNTIES * TOWNS})::int]
                  ELSE (%(station_towns)s::bigint[])[st] END,
             CASE WHEN rp >= 0.95 THEN (%(stations)s::bigint[])[st] END,
             CASE WHEN rp >= 0.95 THEN 'agent' WHEN rc < 0.6 THEN 'online' ELSE 'window' END,
             status, 0, 'person', '申请人', '110101199001011234', '', '', '13900000000', '',
             (acc + time '09:00') {local}, CASE WHEN status NOT IN ('rejected', 'pending', 'submitted') THEN acc END,
             promised, 0, CASE WHEN status NOT IN ('rejected', 'pending', 'submitted') THEN acc + dur END, false, 1,
             '', '', CASE WHEN status IN ('completed', 'delivered') THEN (acc + done + time '15:00') {local} END,
             CASE WHEN status IN ('completed', 'delivered') THEN acc + done END, '', '', '',
             CASE WHEN status IN ('completed', 'delivered') THEN (acc + done + time '15:00') {local}
                  WHEN status = 'withdrawn' THEN (acc + done / 2 + time '11:00') {local}
                  WHEN status = 'rejected' THEN (acc + time '10:00') {local} END, 0
      FROM (
        SELECT *, {status} AS status FROM (
          SELECT g, rp, rh, rs, rc, it, st, acc, promised, ceil(promised * 1.4)::int AS dur,
                 floor(ceil(promised * 1.4) * (0.1 + rd * 0.98))::int AS done
          FROM (
            SELECT g, rp, rh, rs, rc, rd, it, 1 + floor(rh * {COUNTIES * TOWNS * STATIONS})::int AS st,
                   {day_sql} AS acc, (%(promised)s::int[])[it] AS promised
            FROM (SELECT *, 1 + floor(power(ri, 3) * CASE WHEN rp < 0.60 THEN {ITEMS} ELSE {TOWN_ITEMS} END)::int AS it
                  FROM (SELECT g, random() AS r0, random() AS rp, random() AS rh, random() AS rs, random() AS rc,
                               random() AS rd, random() AS ri FROM generate_series({first}, {first + n - 1}) g) r0) r
          ) a
        ) b
      ) c"""


def seed_cases(n: int, w: dict) -> None:
    from django.db import connection

    params = {**w, "today": TODAY}
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(0.16)")

        def load():
            t, _ = timed(cur.execute, f"INSERT INTO cases_case ({CASE_COLS}) "
                         + _case_select(1, n, day_sql=f"%(today)s::date - floor(r0 * {DAYS})::int"), params)
            print(f"  {n:,} cases inserted in {t:.0f} s")

        t = _without_indexes(cur, "cases_case", load)
        print(f"  indexes and foreign keys of cases_case put back and checked, ANALYZE: {t:.0f} s")

        def fees():
            t, _ = timed(cur.execute, """
                INSERT INTO cases_feeline (case_id, name, quantity, amount, waived, waiver_reason, paid_at, paid_on,
                                           receipt_no, pay_method)
                SELECT id, '工本费', CASE WHEN id %% 7 = 0 THEN 2 ELSE 1 END, (ARRAY[10, 20, 50, 80.5])[1 + id %% 4],
                       id %% 20 = 0, CASE WHEN id %% 20 = 0 THEN '依法减免' ELSE '' END,
                       CASE WHEN id %% 20 <> 0 AND paid <= %(today)s THEN (paid + time '10:30') AT TIME ZONE 'Asia/Shanghai' END,
                       CASE WHEN paid <= %(today)s THEN paid END,
                       CASE WHEN paid <= %(today)s THEN 'R' || id ELSE '' END, CASE WHEN paid <= %(today)s THEN 'cash' ELSE '' END
                FROM (SELECT id, accepted_on + (id %% 3)::int AS paid FROM cases_case
                      WHERE item_id %% 5 = 0 AND accepted_on IS NOT NULL) c""", {"today": TODAY})
            print(f"  {cur.rowcount:,} fee lines inserted in {t:.0f} s")

        t = _without_indexes(cur, "cases_feeline", fees)
        print(f"  fee line indexes put back: {t:.0f} s")
        t, _ = timed(cur.execute, """
            INSERT INTO supervision_card (clock_id, kind_id, part, level, due_date, raised_on, raised_at, cleared_on,
                                          cleared_at, cleared_reason, region_id, department_id, hall_id)
            SELECT c.id, 'case', 0, lv, c.due_date, raised, (raised + time '00:30') AT TIME ZONE 'Asia/Shanghai',
                   cleared, (cleared + time '15:00') AT TIME ZONE 'Asia/Shanghai',
                   CASE WHEN cleared IS NULL THEN '' ELSE '办件已办结' END, h.region_id, c.department_id, c.hall_id
            FROM (SELECT *, CASE WHEN status IN ('in_review', 'decided') AND due_date < %(today)s THEN 'red'
                                 WHEN status IN ('in_review', 'decided') THEN 'yellow' ELSE 'red' END AS lv,
                            CASE WHEN status IN ('completed', 'delivered') THEN completed_on END AS cleared,
                            CASE WHEN status IN ('in_review', 'decided') AND due_date >= %(today)s THEN %(today)s
                                 ELSE due_date + 1 END AS raised
                  FROM cases_case
                  WHERE (status IN ('in_review', 'decided') AND due_date < %(today)s + 2)
                     OR (status IN ('completed', 'delivered') AND completed_on > due_date)) c
            JOIN org_hall h ON h.id = c.hall_id""", {"today": TODAY})
        print(f"  {cur.rowcount:,} cards inserted in {t:.0f} s")
        cur.execute("ANALYZE supervision_card")
        cur.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case))")


def day_of_work(n: int, w: dict) -> dict:
    """NEXT: n/400 new cases accepted, one running case in ten finished, fee lines of the new cases paid; every
    change with its case event, as the services write them."""
    from django.db import connection

    new = max(1, n // DAYS)
    local = "AT TIME ZONE 'Asia/Shanghai'"
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM cases_case")
        first = cur.fetchone()[0] + 1
        cur.execute(f"INSERT INTO cases_case ({CASE_COLS}) "
                    + _case_select(first, new, day_sql="%(next)s::date", fixed_status="in_review"),
                    {**w, "today": NEXT, "next": NEXT})
        accepted = cur.rowcount
        cur.execute(f"""INSERT INTO cases_caseevent (case_id, at, action, from_status, to_status, actor_name, role,
                                                     step, note, data)
                        SELECT id, (%s::date + time '10:00') {local}, 'accept', 'pending', 'in_review', '', '', 1, '',
                               '{{}}' FROM cases_case WHERE id >= %s""", [NEXT, first])
        cur.execute(f"""UPDATE cases_case SET status = 'completed', completed_on = %s,
                               completed_at = (%s::date + time '15:00') {local}, closed_at = (%s::date + time '15:00') {local}
                        WHERE status IN ('in_review', 'decided') AND id %% 10 = 3 AND id < %s""",
                    [NEXT, NEXT, NEXT, first])
        completed = cur.rowcount
        cur.execute("""INSERT INTO cases_caseevent (case_id, at, action, from_status, to_status, actor_name, role,
                                                     step, note, data)
                        SELECT id, completed_at, 'complete', 'decided', 'completed', '', '', 3, '', '{}'
                        FROM cases_case WHERE completed_on = %s AND id < %s""", [NEXT, first])
        cur.execute(f"""UPDATE supervision_card SET cleared_on = %s, cleared_at = (%s::date + time '15:00') {local},
                               cleared_reason = '办件已办结'
                        WHERE cleared_on IS NULL AND clock_id IN (SELECT id FROM cases_case WHERE completed_on = %s)""",
                    [NEXT, NEXT, NEXT])
        cur.execute(f"""INSERT INTO cases_feeline (case_id, name, quantity, amount, waived, waiver_reason, paid_at,
                                                   paid_on, receipt_no, pay_method)
                        SELECT id, '工本费', 1, 20, false, '', (%s::date + time '10:30') {local}, %s, 'R' || id, 'cash'
                        FROM cases_case WHERE id >= %s AND item_id %% 5 = 0""", [NEXT, NEXT, first])
        paid = cur.rowcount
        cur.execute("""INSERT INTO cases_caseevent (case_id, at, action, from_status, to_status, actor_name, role,
                                                     step, note, data)
                        SELECT case_id, paid_at, 'fee_pay', 'in_review', 'in_review', '', '', 1, '', '{}'
                        FROM cases_feeline WHERE paid_on = %s AND case_id >= %s""", [NEXT, first])
        cur.execute("ANALYZE cases_case")
        cur.execute("ANALYZE cases_caseevent")
    return {"accepted": accepted, "completed": completed, "paid": paid}


# -- DuckDB ----------------------------------------------------------------------------------------------------

EXPORTS = {
    "cases": ("SELECT id, hall_id, agent_station_id, item_id, channel, status, accepted_on, completed_on, due_date, "
              "(closed_at AT TIME ZONE 'Asia/Shanghai')::date AS closed_on FROM cases_case",
              "id BIGINT, hall_id BIGINT, agent_station_id BIGINT, item_id BIGINT, channel VARCHAR, status VARCHAR, "
              "accepted_on DATE, completed_on DATE, due_date DATE, closed_on DATE"),
    "fees": ("SELECT case_id, paid_on, waived::int, amount, quantity FROM cases_feeline",
             "case_id BIGINT, paid_on DATE, waived INTEGER, amount DECIMAL(12,2), quantity INTEGER"),
    "cards": ("SELECT hall_id, department_id, level, cleared_on FROM supervision_card",
              "hall_id BIGINT, department_id BIGINT, level VARCHAR, cleared_on DATE"),
    "halls": ("SELECT h.id, h.kind, r.code FROM org_hall h JOIN org_region r ON r.id = h.region_id",
              "id BIGINT, kind VARCHAR, code VARCHAR"),
    "depts": ("SELECT id, name FROM org_department", "id BIGINT, name VARCHAR"),
    "items": ("SELECT id, name FROM catalog_item", "id BIGINT, name VARCHAR"),
}


def duck_load():
    import duckdb
    from django.db import connection

    db = duckdb.connect()
    sizes = {}
    with connection.cursor() as cur:
        raw = cur.cursor  # the psycopg cursor
        for name, (select, schema) in EXPORTS.items():
            path = CSV.format(name)
            with open(path, "wb") as out, raw.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    out.write(block)
            cols = ", ".join(f"'{c.split()[0]}': '{c.split(' ', 1)[1]}'" for c in schema.split(", "))
            db.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header=false, columns={{{cols}}})")
            sizes[name] = os.path.getsize(path)
            os.remove(path)
    return db, sizes


def duck_figures(db, *, prefix: str, n: int, today: dt.date) -> dict:
    """The dashboard's figures over the raw rows, in DuckDB (the same definitions as the rollups)."""
    from zhengwu.supervision.periods import add_months, month_end, month_start

    month = month_start(today)
    trend_start = add_months(month, -11)
    year_start = dt.date(today.year, 1, 1)
    ends = [min(month_end(add_months(trend_start, i)), today) for i in range(12)]
    place = f"""(SELECT c.*, substr(h.code, 1, {n}) AS child FROM cases c JOIN halls h
                 ON h.id = COALESCE(c.agent_station_id, c.hall_id) WHERE h.code LIKE '{prefix}%')"""
    facts = db.execute(f"""
        SELECT day, child, sum(acc), sum(agent), sum(done), sum(on_time), sum(fen) FROM (
          SELECT accepted_on AS day, child, count(*) AS acc, count(*) FILTER (WHERE channel = 'agent') AS agent,
                 0 AS done, 0 AS on_time, 0 AS fen
          FROM {place} WHERE accepted_on BETWEEN $1 AND $2 GROUP BY ALL
          UNION ALL
          SELECT completed_on, child, 0, 0, count(*), count(*) FILTER (WHERE completed_on <= due_date), 0
          FROM {place} WHERE completed_on BETWEEN $1 AND $2 GROUP BY ALL
          UNION ALL
          SELECT f.paid_on, c.child, 0, 0, 0, 0, sum(CAST(round(f.amount * 100) AS BIGINT) * f.quantity)
          FROM fees f JOIN {place} c ON c.id = f.case_id
          WHERE f.paid_on BETWEEN $1 AND $2 AND f.waived = 0 GROUP BY ALL
        ) GROUP BY ALL""", [trend_start, today]).fetchall()
    overdue = db.execute(f"""
        SELECT e.as_of, c.child, count(*) FROM {place} c
        JOIN (SELECT unnest($1::DATE[]) AS as_of) e
          ON c.accepted_on <= e.as_of AND c.due_date < e.as_of
         AND (c.status IN ('in_review', 'decided') OR (c.status IN ('completed', 'delivered') AND c.completed_on > e.as_of)
              OR (c.status = 'withdrawn' AND c.closed_on > e.as_of))
        WHERE c.status NOT IN ('suspended', 'supplement') GROUP BY ALL""", [ends]).fetchall()
    items = db.execute(f"""
        SELECT i.name, count(*) AS k FROM {place} c JOIN items i ON i.id = c.item_id
        WHERE c.accepted_on BETWEEN $1 AND $2 GROUP BY i.id, i.name ORDER BY k DESC, i.id LIMIT 10""",
                       [year_start, today]).fetchall()
    cards = db.execute(f"""
        SELECT d.name, count(*) FILTER (WHERE level = 'red'), count(*) FILTER (WHERE level = 'yellow')
        FROM cards k JOIN halls h ON h.id = k.hall_id JOIN depts d ON d.id = k.department_id
        WHERE k.cleared_on IS NULL AND h.code LIKE '{prefix}%' AND h.kind NOT IN ('village_station', 'trading_center')
        GROUP BY d.name""").fetchall()
    return {"facts": facts, "overdue": overdue, "items": items, "cards": cards, "ends": ends}


def duck_page(raw: dict, *, today: dt.date) -> dict:
    """DuckDB's rows folded into the figures the dashboard shows (cheap Python over a few hundred rows)."""
    from zhengwu.supervision.periods import month_start
    from zhengwu.supervision.selectors.rates import rate_of

    def pct(v):
        return None if v is None else round(v * 100, 1)

    month, year_start = month_start(today), dt.date(today.year, 1, 1)
    by_month: dict = {}
    by_child: dict = {}
    today_sum = [0, 0, 0]
    for day, child, acc, agent, done, on_time, fen in raw["facts"]:
        m = month_start(day)
        v = by_month.setdefault(m, [0, 0, 0, 0, 0])
        for i, x in enumerate((acc, agent, done, on_time, fen)):
            v[i] += int(x)
        if day >= year_start:
            c = by_child.setdefault(child, [0, 0, 0, 0, 0])
            for i, x in enumerate((acc, agent, done, on_time, fen)):
                c[i] += int(x)
        if day == today:
            today_sum[0] += int(acc)
            today_sum[1] += int(done)
            today_sum[2] += int(fen)
    end_of = {month_start(e): e for e in raw["ends"]}
    overdue_m: dict = {}
    overdue_child: dict = {}
    for as_of, child, k in raw["overdue"]:
        overdue_m[month_start(as_of)] = overdue_m.get(month_start(as_of), 0) + k
        if as_of == end_of[month]:
            overdue_child[child] = overdue_child.get(child, 0) + k
    zero = [0, 0, 0, 0, 0]
    this, year = by_month.get(month, zero), [sum(v[i] for m, v in by_month.items() if m >= year_start) for i in range(5)]
    now_overdue = overdue_m.get(month, 0)
    trend = []
    for m in sorted(end_of):
        v = by_month.get(m, zero)
        trend.append({"month": f"{m:%Y-%m}", "accepted": v[0], "completed": v[2], "on_time": v[3],
                      "open_overdue": overdue_m.get(m, 0), "rate": pct(rate_of(v[3], v[2], overdue_m.get(m, 0)))})
    children = {code: (v[0], v[2], v[1], overdue_child.get(code, 0), round(v[4] / 100, 2),
                       pct(rate_of(v[3], v[2], overdue_child.get(code, 0))))
                for code, v in by_child.items()}
    for code, k in overdue_child.items():
        children.setdefault(code, (0, 0, 0, k, 0.0, pct(rate_of(0, 0, k))))
    cards = sorted(({"name": n, "red": r, "yellow": y} for n, r, y in raw["cards"]),
                   key=lambda r: (-r["red"], -r["yellow"], r["name"]))
    return {
        "kpis": {"accepted_today": today_sum[0], "completed_today": today_sum[1], "fees_today": today_sum[2] / 100,
                 "accepted_month": this[0], "completed_month": this[2], "accepted_year": year[0],
                 "completed_year": year[2], "open_overdue": now_overdue,
                 "on_time_rate_month": pct(rate_of(this[3], this[2], now_overdue)),
                 "on_time_rate_year": pct(rate_of(year[3], year[2], now_overdue)),
                 "fees_month": this[4] / 100, "fees_year": year[4] / 100, "agent_month": this[1], "agent_year": year[1],
                 "red_cards": sum(c["red"] for c in cards), "yellow_cards": sum(c["yellow"] for c in cards)},
        "trend": trend, "children": children, "busiest_items": [{"name": n, "accepted": k} for n, k in raw["items"]],
        "cards_by_department": cards,
    }


def comparable(page: dict) -> dict:
    """The dashboard's page data reduced to what DuckDB computes."""
    kpis = {k: v for k, v in page["kpis"].items() if not k.startswith("satisfaction")}
    children = {c["code"][:6]: (c["accepted"], c["completed"], c["agent"], c["open_overdue"], c["fees"], c["rate"])
                for c in page["children"]}
    return {"kpis": kpis, "trend": page["trend"], "children": children, "busiest_items": page["busiest_items"],
            "cards_by_department": page["cards_by_department"]}


# -- the run ---------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=10_000_000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    vendor = setup()
    if vendor != "postgresql":
        raise SystemExit("DATABASE_URL must point at an empty PostgreSQL database (e.g. pb_bench)")
    from django.db import connection

    from zhengwu.core import clock
    from zhengwu.org.models import Region
    from zhengwu.supervision.selectors import dashboard_data
    from zhengwu.supervision.services import stats_rebuild, stats_refresh

    print(f"load average at start: {open('/proc/loadavg').read().strip()}")
    if not args.reuse:
        t0 = time.perf_counter()
        seed_city()
        print(f"city, departments and items: {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        seed_cases(args.n, world())
        print(f"{args.n:,} cases with fee lines and cards: {time.perf_counter() - t0:.0f} s in all")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(accepted_on), count(*) FILTER (WHERE status IN ('in_review', 'decided') "
                    "AND due_date < %s) FROM cases_case", [TODAY])
        total, accepted, overdue = cur.fetchone()
    print(f"cases: {total:,} ({accepted:,} accepted, {overdue:,} open overdue on {TODAY})")

    with clock.frozen(TODAY):
        t_build, rows = timed(stats_rebuild, today=TODAY)
    print(f"stats_rebuild (every rollup from the cases): {t_build:.1f} s, {rows:,} day rows")
    work = day_of_work(args.n, world())
    print(f"the day's work on {NEXT}: {work['accepted']:,} accepted, {work['completed']:,} finished, "
          f"{work['paid']:,} fee lines paid")
    with clock.frozen(NEXT):
        t_inc, result = timed(stats_refresh, today=NEXT, minute=True)
        t_quiet, quiet = timed(stats_refresh, today=NEXT, minute=True)
        t_sweep, _ = timed(stats_refresh, today=NEXT)
    print(f"stats_refresh (every-minute kind) after the day: {t_inc:.2f} s ({result.events:,} events, days "
          f"{', '.join(map(str, result.days))}, {result.changed:,} day/month/item rows moved)")
    print(f"stats_refresh (every-minute kind) with nothing new: {t_quiet:.2f} s ({quiet.changed} rows moved)")
    print(f"stats_refresh (the sweep's: the overdue set rewritten, 满意率): {t_sweep:.2f} s")

    city = Region.objects.get(code=CITY)
    connection.close()
    t_cold, page = timed(dashboard_data, region=city, today=NEXT)
    t_pg, t_pg_med, page = best(lambda: dashboard_data(region=city, today=NEXT))
    print(f"dashboard_data (city, full page data): cold {t_cold * 1000:.1f} ms, best {t_pg * 1000:.1f} ms "
          f"(median {t_pg_med * 1000:.1f} ms)")

    t_load, (db, sizes) = timed(duck_load)
    print(f"DuckDB: export (COPY to CSV) and load {sum(sizes.values()) / 1e6:,.0f} MB in {t_load:.0f} s (not timed below)")
    prefix, n = city.code_prefix, 6
    t_dcold, raw = timed(duck_figures, db, prefix=prefix, n=n, today=NEXT)
    t_duck, t_duck_med, raw = best(lambda: duck_figures(db, prefix=prefix, n=n, today=NEXT))
    duck = duck_page(raw, today=NEXT)
    print(f"DuckDB over the same rows: first {t_dcold * 1000:.0f} ms, best {t_duck * 1000:.0f} ms "
          f"(median {t_duck_med * 1000:.0f} ms)")
    ratio = t_pg / t_duck
    print(f"ratio PostgreSQL dashboard / DuckDB: {ratio:.3f} (target ≤ {TARGET}: {'met' if ratio <= TARGET else 'NOT met'})")
    ours = comparable(page)
    same = ours == duck
    print("figures:", "AGREE" if same else "DIFFERENT")
    if not same:
        for key in ours:
            if ours[key] != duck[key]:
                print(f"  {key}: dashboard {ours[key]}\n  {' ' * len(key)}  duckdb    {duck[key]}")
    k = page["kpis"]
    print(f"  e.g. accepted today {k['accepted_today']:,}, year {k['accepted_year']:,}, open overdue "
          f"{k['open_overdue']:,}, 按时办结率 year {k['on_time_rate_year']} %, red cards {k['red_cards']:,}")
    print(f"load average at end: {open('/proc/loadavg').read().strip()}")


if __name__ == "__main__":
    main()
