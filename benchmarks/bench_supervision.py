"""The supervision sweep over the clocks table, at the size of issue 10.

Seeds one county as before (a county centre, 25 town centres with 16 village stations each, 40
departments each with a head, a chief representative and two window officers, 400 items with three
steps) and then, instead of cases, N clocks (default 10,000,000) written straight into
``supervision_clock`` (COPY on PostgreSQL, with the table's secondary indexes rebuilt afterwards;
executemany elsewhere), about ``--open`` M of them (default 1,000,000) running on TODAY, Friday
2026-10-30:

- kinds ``case`` (a case's 办结时限, part 0), ``case_step`` (its 审核 and 批准 steps, parts 2 and 3) and,
  about 5 % of all clocks, ``gk_reply`` (the 20 working days to answer a 依申请公开 request);
- running clocks: about 5 % already past due, 3 % due within one working day (today or Monday), the
  rest later, up to 60 working days; about 3 % more are stopped (补正, 特别程序);
- finished clocks spread over the year before TODAY, with finished_on, finish_reason and late set,
  and the cards they had (yellow from the working day before the due, red from the day after, all
  cleared), so the card table holds a year of history as it will in production (``--no-history``:
  an empty card table, as on the day of the cutover; the planner then has no statistics on it);
- 超时默认 applies to two items (``DeemedRule``), so the first sweep issues a small backlog of notices.

Then it times, in the same run, each sweep beside a plain SQL pass (one ``GROUP BY`` over the same
running clock rows, with the cutoff dates of the working-day engine; median of 3 after a warm-up):

1. the first sweep (raises every card);
2. a second sweep the same day (nothing new);
3. the next working day (Monday 2026-11-02), after a day's work has finished about 2 % of the
   running clocks (every clock of one subject in 50; ``--no-churn`` leaves them running);
4. delivering the queued notices with the console notifier, in rows/s (not part of the target).

For each sweep it also prints the cards raised and cleared, checks the active cards against the plain
pass's counts, and splits the time into SQL statements (the longest shown), the commit (where the
deferred foreign-key checks of the new rows run) and the rest. The dashboard is no longer timed here:
it reads cases and the ``CaseStat`` rollups, which this benchmark does not seed any more. The load
average is printed too: on a busy machine the figures are not the database's; so is the CPU time the
database server process spent on the sweep (when it runs on this machine), which other work on the machine
does not inflate: compare old and new code by it.

Before each timed step, untimed and printed (PostgreSQL): what autovacuum would do by then with the tables'
settings (migration 0016: the clocks are vacuumed after every 10,000 rows changed or inserted, the cards
after every 1,000 and analysed as often; the test server runs with autovacuum off, so it is done by hand;
``--no-autovacuum`` leaves it out, as on a server with PostgreSQL's defaults), then a CHECKPOINT (the
checkpointer would have written the pages the reset and the day's work left dirty long before a nightly
sweep; ``--no-checkpoint`` leaves them for the sweep to write).

Run:  createdb -h 127.0.0.1 -U postgres zhengwu_bench_clocks
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengwu_bench_clocks \\
      .venv/bin/python benchmarks/bench_supervision.py [N] [--open M] [--reuse] [--no-churn] [--no-history]
      [--no-delivery] [--no-autovacuum] [--no-checkpoint]
      (``--reuse`` keeps the clocks of an earlier run and only resets what the sweeps wrote; seeding
      the full size takes about 12 minutes on 2 cores, the timed part about 5, most of it delivery)
Quick run (SQLite): .venv/bin/python benchmarks/bench_supervision.py 200000 --open 20000
Targets (issue 10), on PostgreSQL with 1,000,000 running clocks of 10,000,000: first sweep ≤ 2 s, a
second sweep the same day ≤ 0.5 s, the next working day ≤ 1 s; each within 10× of the plain SQL pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import statistics
import tempfile
import time

from _setup import setup

TODAY = dt.date(2026, 10, 30)  # a Friday
COUNTY = "130699000000"
TOWNS, VILLAGES, DEPARTMENTS, ITEMS_PER_DEPT = 25, 16, 40, 10
LIMITS = [(10, 15), (20, 30), (30, 25), (45, 20), (60, 10)]  # promised working days, weight %
GK_DAYS = 20  # 依申请公开: 20 working days to answer
GK_SHARE = 0.05  # of all clocks, and of the running ones
RED, YELLOW = 0.058, 0.036  # shares of running clocks drawn past due / due within one working day
CHURN_MOD, CHURN_REST = 50, 7  # between the days, subjects with id % 50 == 7 finish (≈ 2 %)
TARGETS = {"first": 2.0, "again": 0.5, "next": 1.0}
RATIO = 10.0

# supervision_clock, in table order (checked against the database before seeding)
COLS = ("id", "subject_type", "subject_id", "part", "part_name", "subject_no", "title", "url", "state", "started_on",
        "started_at", "due_date", "due_at", "remaining_seconds", "stopped_on", "deemable", "finished_on",
        "finished_at", "finish_reason", "late", "department_id", "hall_id", "head_id", "item_id", "officer_id",
        "region_id", "window_id", "kind_id")

# supervision_card, in table order: the cleared cards of the year's finished clocks (``--no-history``: none)
CARD_COLS = ("id", "part", "level", "due_date", "due_at", "raised_on", "raised_at", "cleared_on", "cleared_at",
             "cleared_reason", "department_id", "hall_id", "officer_id", "region_id", "run_id", "clock_id", "kind_id",
             "head_id")


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t0, out


# -- the county ------------------------------------------------------------------------------------------


def seed_org_and_catalog() -> None:
    from zhengwu.accounts.models import User
    from zhengwu.catalog.services import item_upsert
    from zhengwu.org.models import Department, Hall, Region, Role, Staff, Window

    county = Region.objects.create(code=COUNTY, name="大县", level="county")
    center = Hall.objects.create(code="DXZW", name="大县政务服务中心", kind="center", region=county)
    towns = []
    for t in range(1, TOWNS + 1):
        town = Region.objects.create(code=f"130699{t:03d}000", name=f"第{t}镇", level="town", parent=county)
        hall = Hall.objects.create(code=f"DXZ{t:02d}", name=f"第{t}镇便民服务中心", kind="town_center", region=town)
        towns.append(hall)
        for v in range(1, VILLAGES + 1):
            village = Region.objects.create(code=f"130699{t:03d}{v:03d}", name=f"第{t}镇{v}村", level="village",
                                            parent=town)
            Hall.objects.create(code=f"DXC{t:02d}{v:02d}", name=f"{village.name}便民服务站", kind="village_station",
                                region=village)
    roles = {r.code: r for r in Role.objects.all()}
    users, staff_rows = [], []

    def person(no, name, role, **kw):
        users.append(User(username=f"b{no}", real_name=name, phone=f"139{len(users):08d}"))
        staff_rows.append((no, name, role, kw))

    depts = []
    for d in range(1, DEPARTMENTS + 1):
        dept = Department.objects.create(code=f"BD{d:03d}", name=f"大县第{d}局", region=county)
        depts.append(dept)
        Window.objects.create(hall=center, number=str(d), name=dept.name, department=dept)
        person(f"H{d:03d}", f"局长{d}", Role.DEPT_HEAD, department=dept, region=county)
        person(f"C{d:03d}", f"首代{d}", Role.CHIEF_REP, department=dept, hall=center, region=county)
        for k in (1, 2):
            person(f"W{d:03d}{k}", f"窗口{d}-{k}", Role.WINDOW_OFFICER, department=dept, hall=center, region=county)
    for h in towns:
        Window.objects.create(hall=h, number="1", name="综合窗口")
    for i, h in enumerate(towns, start=1):
        person(f"T{i:03d}", f"镇窗口{i}", Role.WINDOW_OFFICER, hall=h, region=h.region)
    person("L001", "县长", Role.LEADER, region=county)
    person("S001", "监察员", Role.SUPERVISOR, region=county)
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    staff = Staff.objects.bulk_create([Staff(user=by_name[f"b{no}"], employee_no=no, name=name,
                                             phone=by_name[f"b{no}"].phone, **kw)
                                       for no, name, _role, kw in staff_rows])
    through = Staff.roles.through
    through.objects.bulk_create([through(staff_id=s.pk, role_id=roles[r].pk)
                                 for s, (_n, _nm, r, _kw) in zip(staff, staff_rows, strict=True)])

    rng = random.Random(7)
    for d, dept in enumerate(depts, start=1):
        for i in range(1, ITEMS_PER_DEPT + 1):
            p = rng.choices([x for x, _ in LIMITS], weights=[w for _, w in LIMITS])[0]
            review = max(1, p // 2)
            steps = [{"seq": 1, "name": "受理", "role": Role.WINDOW_OFFICER, "days": 1},
                     {"seq": 2, "name": "审核", "role": Role.CHIEF_REP, "days": review},
                     {"seq": 3, "name": "批准", "role": Role.DEPT_HEAD, "days": max(1, p - 1 - review)}]
            index = (d - 1) * ITEMS_PER_DEPT + i
            item_upsert(
                impl_code=f"DX-{d:03d}-{i:03d}", department=dept, steps=steps, fees=[],
                materials=[{"seq": 1, "name": "申请书", "necessity": "required", "form": "both", "source": "申请人自备",
                            "copies": 1, "spec": "A4", "notes": "", "acceptance_standard": ""}],
                fields={"name": f"第{d}局事项{i}", "kind": "license", "legal_limit": 60, "promised_limit": p,
                        "case_type": "promised", "handling_tiers": ["county", "town", "village"],
                        "village_intake": index % 13 == 0})


def load_world() -> dict:
    """The ids the clock rows refer to, read back from the database (so ``--reuse`` needs no seeding)."""
    from zhengwu.catalog.models import Item
    from zhengwu.org.models import Department, Hall, Region, Staff, Window

    county = Region.objects.get(code=COUNTY)
    staff = dict(Staff.objects.filter(employee_no__regex=r"^[HCWT]").values_list("employee_no", "id"))
    center = Hall.objects.get(code="DXZW")
    windows = {w.department_id: w.pk for w in Window.objects.filter(hall=center)}
    depts = []  # (dept id, head, chief rep, [window officers], centre window)
    for d, dept in enumerate(Department.objects.filter(code__startswith="BD").order_by("code"), start=1):
        depts.append((dept.pk, staff[f"H{d:03d}"], staff[f"C{d:03d}"],
                      [staff[f"W{d:03d}1"], staff[f"W{d:03d}2"]], windows[dept.pk]))
    towns = []  # (hall, region, officer, window)
    for t, hall in enumerate(Hall.objects.filter(kind="town_center", code__startswith="DXZ").order_by("code"), 1):
        towns.append((hall.pk, hall.region_id, staff[f"T{t:03d}"], Window.objects.get(hall=hall).pk))
    items = []  # (item id, department index, promised days, review days, name, index)
    for it in Item.objects.filter(impl_code__startswith="DX-").select_related("current").order_by("impl_code"):
        d, i = int(it.impl_code[3:6]), int(it.impl_code[7:10])
        p = it.current.promised_limit
        items.append((it.pk, d - 1, p, max(1, p // 2), it.current.name, (d - 1) * ITEMS_PER_DEPT + i))
    return dict(county=county.pk, center=center.pk, depts=depts, towns=towns, items=items)


def workdays() -> tuple[list[dt.date], int]:
    """Working days from well over a year before TODAY to a few months after, and TODAY's index."""
    from zhengwu.workdays import engine

    cal = engine.calendar_for(None)
    days, d = [], TODAY - dt.timedelta(days=560)
    while d <= TODAY + dt.timedelta(days=150):
        if cal.is_workday(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return days, days.index(TODAY)


# -- the clock rows ----------------------------------------------------------------------------------------


class Rows:
    """Generates clock rows as tuples of column values in COLS order: strings, or the NULL/boolean tokens
    of the target (COPY text format on PostgreSQL, Python values for executemany)."""

    def __init__(self, world: dict, vendor: str):
        self.w = world
        self.days, self.t0 = workdays()
        self.ds = [d.isoformat() for d in self.days]
        pg = vendor == "postgresql"
        self.NULL, self.T, self.F = ("\\N", "t", "f") if pg else (None, True, False)
        tz = "+00" if pg else ""
        self.times_start = [f"{h:02d}:{m:02d}:00{tz}" for h in (1, 2, 3, 5, 6) for m in range(0, 60, 7)]
        self.times_end = [f"{h:02d}:{m:02d}:00{tz}" for h in (6, 7, 8, 9) for m in range(0, 60, 7)]
        self.raised_time = f"00:30:00{tz}"  # the nightly sweep, 08:30 Beijing
        self.history: list | None = None  # cleared cards of finished clocks, when collected
        self.card_id = 1
        items = world["items"]
        weight = dict(LIMITS)
        self.items = items
        self.town_items = [x for x in items if x[5] <= 60]
        self.agent_items = [x for x in items if x[5] % 13 == 0]
        self.weights = {id(pool): [weight[x[2]] for x in pool]
                        for pool in (self.items, self.town_items, self.agent_items)}
        self.by_min_p = {c: [x for x in items if x[2] > c] for c in range(0, 61)}  # promised days > c
        self.by_min_review = {c: [x for x in items if x[3] >= c] for c in range(0, 61)}  # review days ≥ c

    # one row ---------------------------------------------------------------------------------------------
    def row(self, cid, stype, sid, part, part_name, no, title, url, state, start, due, stopped=None, deemable=True,
            finished=None, reason="", late=None, dept=None, hall=None, head=None, item=None, officer=None,
            region=None, window=None, kind="case"):
        N, ds = self.NULL, self.ds
        if self.history is not None and late is not None and finished >= due - 1:
            self.cards_of(cid, part, kind, start, due, finished, reason, late, dept, hall, officer, region)
        return (str(cid), stype, str(sid), str(part), part_name, no, title, url, state, ds[start],
                f"{ds[start]} {self.times_start[cid % len(self.times_start)]}", ds[due], N, N,
                N if stopped is None else ds[stopped], self.T if deemable else self.F,
                N if finished is None else ds[finished],
                N if finished is None else f"{ds[finished]} {self.times_end[cid % len(self.times_end)]}",
                reason, N if late is None else (self.T if late else self.F),
                N if dept is None else str(dept), N if hall is None else str(hall), N if head is None else str(head),
                N if item is None else str(item), N if officer is None else str(officer), str(region),
                N if window is None else str(window), kind)

    def cards_of(self, cid, part, kind, start, due, finished, reason, late, dept, hall, officer, region):
        """The cards a finished clock had: yellow from the working day before its due, then red from the
        day after it (the yellow one cleared as upgraded), each cleared when the clock finished."""
        N, ds, at = self.NULL, self.ds, self.raised_time
        common = (N if dept is None else str(dept), N if hall is None else str(hall),
                  N if officer is None else str(officer), str(region), N, str(cid), kind, N)
        yellow_on = max(start, due - 1)
        end_at = f"{ds[finished]} {self.times_end[cid % len(self.times_end)]}"
        if late:
            red_on = due + 1
            self.history.append((str(self.card_id), str(part), "yellow", ds[due], N, ds[yellow_on],
                                 f"{ds[yellow_on]} {at}", ds[red_on], f"{ds[red_on]} {at}", "已升级为红牌", *common))
            self.history.append((str(self.card_id + 1), str(part), "red", ds[due], N, ds[red_on],
                                 f"{ds[red_on]} {at}", ds[finished], end_at, reason, *common))
            self.card_id += 2
        else:
            self.history.append((str(self.card_id), str(part), "yellow", ds[due], N, ds[yellow_on],
                                 f"{ds[yellow_on]} {at}", ds[finished], end_at, reason, *common))
            self.card_id += 1

    def place(self, rng, pool=None):
        """Where a case is handled: the county centre (60 %), a town centre (30 %) or a village station's
        town centre for 代办 (10 %). Returns (item, hall, region, handler, window, chief rep or None)."""
        w = self.w
        r = rng.random()
        if pool is None:
            pool = self.items if r < 0.6 else self.town_items if r < 0.9 else self.agent_items
            item = rng.choices(pool, weights=self.weights[id(pool)])[0]
        else:
            item = rng.choice(pool)
        dept = w["depts"][item[1]]
        if r < 0.6:
            return item, w["center"], w["county"], dept[3][rng.randrange(2)], dept[4], dept[2]
        hall, region, officer, window = w["towns"][rng.randrange(TOWNS)]
        return item, hall, region, officer, window, None

    def case_rows(self, cid, sid, rng, *, item, hall, region, handler, window, chief, a, plan):
        """The clocks of one case accepted on working day ``a``. ``plan`` is a list of
        (part, state, start, due, finished, reason, late, stopped, deemable)."""
        item_id, d, _p, _review, name, _idx = item
        dept_id, head = self.w["depts"][d][0], self.w["depts"][d][1]
        no = f"DX-{sid:08d}"
        url = f"/workbench/cases/{no}/"
        out = []
        for part, state, start, due, finished, reason, late, stopped, deemable in plan:
            if part == 0:
                officer, kind, pname = handler, "case", ""
            elif part == 2:
                officer, kind, pname = chief or handler, "case_step", "审核"
            else:
                officer, kind, pname = head, "case_step", "批准"
            out.append(self.row(cid, "case", sid, part, pname, no, name, url, state, start, due, stopped, deemable,
                                finished, reason, late, dept_id, hall, head, item_id, officer, region, window, kind))
            cid += 1
        return out

    def gk_row(self, cid, gid, rng, *, state, start, due, finished=None, reason="", late=None, stopped=None):
        d = rng.randrange(DEPARTMENTS)
        dept_id, head, _chief, officers, _win = self.w["depts"][d]
        no = f"GK2026-{gid:07d}"
        return self.row(cid, "gk_request", gid, 0, "", no, f"申请公开大县第{d + 1}局政府信息", f"/disclosure/requests/{no}/",
                        state, start, due, stopped, True, finished, reason, late, dept_id, None, head, None,
                        officers[0], self.w["county"], None, "gk_reply")

    # the running (and stopped) clocks ------------------------------------------------------------------------
    def due_offset(self, rng, later_max: int) -> int:
        """Working days from TODAY to the due: past due, within one working day, or later."""
        r = rng.random()
        if r < RED:
            return -min(40, 1 + int(rng.expovariate(1 / 6)))
        if r < RED + YELLOW:
            return rng.randrange(2)
        return rng.randint(2, later_max)

    def open_rows(self, n_running: int, cid: int, sid: int, gid: int):
        """Open cases until ``n_running`` running clocks (less the gk share), then the gk requests."""
        rng = random.Random(2026)
        t0 = self.t0
        gk_running = round(n_running * GK_SHARE)
        running = 0
        while running < n_running - gk_running:
            if rng.random() < 0.45:  # in 审核 (step 2): the step's own due is the drawn one
                s2 = self.due_offset(rng, 30)
                item, hall, region, handler, window, chief = self.place(rng, self.by_min_review[s2] if s2 >= 2 else None)
                p, review = item[2], item[3]
                a = t0 + s2 - review  # accepted
                at_step3 = False
            else:  # in 批准 (step 3), whose due is the case's: the case's due is the drawn one
                c = self.due_offset(rng, 59)
                item, hall, region, handler, window, chief = self.place(rng, self.by_min_p[c] if c >= 2 else None)
                p, review = item[2], item[3]
                a = t0 + c - p
                at_step3 = True
            step2_due = a + review
            r = rng.random()
            status = "decided" if at_step3 and r < 0.03 else "suspended" if r < 0.06 else "running"
            stopped = t0 - rng.randint(1, 5) if status == "suspended" else None
            state = "stopped" if stopped is not None else "running"
            plan = [(0, state, a, a + p, None, "", None, stopped, status != "decided")]
            if at_step3:
                k2 = min(t0 - a, max(1, round(review * rng.uniform(0.6, 1.1))))
                plan.append((2, "finished", a, step2_due, a + k2, "已转入下一环节", a + k2 > step2_due, None, True))
                if status == "decided":
                    done = rng.randint(a + k2, t0)
                    plan.append((3, "finished", a + k2, a + p, done, "已作出决定", done > a + p, None, True))
                else:
                    plan.append((3, state, a + k2, a + p, None, "", None, stopped, True))
            else:
                plan.append((2, state, a, step2_due, None, "", None, stopped, True))
            rows = self.case_rows(cid, sid, rng, item=item, hall=hall, region=region, handler=handler, window=window,
                                  chief=chief, a=a, plan=plan)
            running += sum(1 for x in rows if x[8] == "running")
            cid += len(rows)
            sid += 1
            yield from rows
        n = 0
        while n < gk_running:
            c = self.due_offset(rng, GK_DAYS - 1)
            start = t0 + c - GK_DAYS
            if rng.random() < 0.03:  # 补正: the clock stands still
                yield self.gk_row(cid, gid, rng, state="stopped", start=start, due=start + GK_DAYS,
                                  stopped=t0 - rng.randint(1, 5))
            else:
                yield self.gk_row(cid, gid, rng, state="running", start=start, due=start + GK_DAYS)
                n += 1
            cid += 1
            gid += 1

    # the finished clocks -------------------------------------------------------------------------------------
    def finished_rows(self, n_rows: int, n_gk: int):
        """``n_rows`` finished clocks (``n_gk`` of them gk replies) finished over the year before TODAY."""
        rng = random.Random(2027)
        t0 = self.t0
        year = 245  # working days
        cid, sid, gid, done = 1, 1, 1, 0
        gk_left = n_gk
        while done < n_rows:
            f = t0 - year + int(done * year / n_rows)  # the working day it finished, in order
            left = n_rows - done
            g = gk_left / left  # the share of gk rows still to come; a case has about 3 rows
            if gk_left and rng.random() < 2.98 * g / (1 + 1.98 * g):
                k = max(1, round(GK_DAYS * rng.uniform(0.3, 1.08)))
                yield self.gk_row(cid, gid, rng, state="finished", start=f - k, due=f - k + GK_DAYS, finished=f,
                                  reason="已答复", late=k > GK_DAYS)
                cid, gid, done, gk_left = cid + 1, gid + 1, done + 1, gk_left - 1
                continue
            item, hall, region, handler, window, chief = self.place(rng)
            p, review = item[2], item[3]
            rest = max(1, p - 1 - review)
            k = max(2, round(p * rng.uniform(0.4, 1.04)))
            a = f - k
            k2 = max(1, min(k - 1, round(k * rng.uniform(0.4, 0.6))))
            if rng.random() < 0.01:  # withdrawn during review: nothing to judge
                plan = [(0, "finished", a, a + p, a + k2, "申请人已撤回", None, None, True),
                        (2, "finished", a, a + review, a + k2, "申请人已撤回", None, None, True)]
            else:
                plan = [(0, "finished", a, a + p, f, "办件已办结", k > p, None, True),
                        (2, "finished", a, a + review, a + k2, "已转入下一环节", k2 > review, None, True),
                        (3, "finished", a + k2, a + k2 + rest, f, "已作出决定", k - k2 > rest, None, True)]
            rows = self.case_rows(cid, sid, rng, item=item, hall=hall, region=region, handler=handler, window=window,
                                  chief=chief, a=a, plan=plan)[: n_rows - done]
            cid, sid, done = cid + len(rows), sid + 1, done + len(rows)
            yield from rows
        self.next_ids = (cid, sid, gid)


def check_columns() -> None:
    from django.db import connection

    for table, want in (("supervision_clock", COLS), ("supervision_card", CARD_COLS)):
        with connection.cursor() as cur:
            have = tuple(c.name for c in connection.introspection.get_table_description(cur, table))
        # The rows name their columns (COPY and INSERT): the order may differ (SQLite rebuilds a table on an
        # altered column and puts it last), not the set.
        if sorted(have) != sorted(want):
            raise SystemExit(f"{table} columns changed; update the benchmark:\n  have {have}\n  want {want}")


def seed_clocks(n: int, n_open: int, vendor: str, history: bool) -> None:
    from django.db import connection, transaction

    check_columns()
    gen = Rows(load_world(), vendor)
    t0 = time.perf_counter()
    n_open_rows = sum(1 for _ in gen.open_rows(n_open, 0, 0, 0))  # same seed: the same rows again below
    n_fin = n - n_open_rows
    if n_fin < 0:
        raise SystemExit(f"N={n:,} is less than the {n_open_rows:,} rows of {n_open:,} running clocks")
    n_gk_fin = max(0, round(n * GK_SHARE) - round(n_open * GK_SHARE))

    cards: list = []  # the history cards generated since the last flush

    def all_rows():
        gen.history = cards if history else None
        yield from gen.finished_rows(n_fin, n_gk_fin)
        gen.history = None
        yield from gen.open_rows(n_open, n_fin + 1, *gen.next_ids[1:])

    n_cards = 0
    with transaction.atomic(), connection.cursor() as cur:
        if vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")  # the rows are consistent: no FK triggers
            cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('supervision_clock', "
                        "'supervision_card') AND indexname NOT IN ('supervision_clock_pkey', 'supervision_card_pkey')")
            indexes = cur.fetchall()
            for name, _sql in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:  # the cards, while the clocks stream
                batch = []
                with cur.cursor.copy(f"COPY supervision_clock ({', '.join(COLS)}) FROM STDIN") as copy:
                    for r in all_rows():
                        batch.append("\t".join(r))
                        if len(batch) == 20000:
                            batch.append("")
                            copy.write("\n".join(batch))
                            batch = []
                            n_cards += len(cards)
                            spool.write("".join("\t".join(c) + "\n" for c in cards))
                            cards.clear()
                    if batch:
                        batch.append("")
                        copy.write("\n".join(batch))
                n_cards += len(cards)
                spool.write("".join("\t".join(c) + "\n" for c in cards))
                spool.seek(0)
                with cur.cursor.copy(f"COPY supervision_card ({', '.join(CARD_COLS)}) FROM STDIN") as copy:
                    while chunk := spool.read(1 << 20):
                        copy.write(chunk)
            t_copy = time.perf_counter() - t0
            t0 = time.perf_counter()
            for _name, sql in indexes:
                cur.execute(sql)
            for table in ("supervision_clock", "supervision_card"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM {table}))")
        else:
            sql = f"INSERT INTO supervision_clock ({', '.join(COLS)}) VALUES ({', '.join(['%s'] * len(COLS))})"
            card_sql = (f"INSERT INTO supervision_card ({', '.join(CARD_COLS)}) "
                        f"VALUES ({', '.join(['%s'] * len(CARD_COLS))})")
            batch = []
            for r in all_rows():
                batch.append(r)
                if len(batch) == 50000:
                    cur.executemany(sql, batch)
                    batch = []
                    if cards:
                        n_cards += len(cards)
                        cur.executemany(card_sql, cards)
                        cards.clear()
            if batch:
                cur.executemany(sql, batch)
            if cards:
                n_cards += len(cards)
                cur.executemany(card_sql, cards)
            t_copy = time.perf_counter() - t0
            t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE supervision_clock" if vendor == "postgresql" else "ANALYZE")
        if vendor == "postgresql":
            cur.execute("VACUUM ANALYZE supervision_card")
    t_index = time.perf_counter() - t0
    how = "generate + COPY" if vendor == "postgresql" else "generate + executemany"
    print(f"seeded {n:,} clocks and {n_cards:,} cleared cards of the year: {how} {t_copy:.1f} s, "
          f"indexes + VACUUM ANALYZE {t_index:.1f} s")


def seed(n: int, n_open: int, vendor: str, history: bool) -> None:
    from django.db import transaction

    from zhengwu.supervision.clocks import KindSpec, clock_kind_register, kinds_sync
    from zhengwu.supervision.models import ClockKind

    t0 = time.perf_counter()
    kinds_sync()
    if not ClockKind.objects.filter(pk="gk_reply").exists():  # until the disclosure app declares it
        clock_kind_register(KindSpec(code="gk_reply", name="答复时限", subject_label="政府信息公开申请",
                                     due_label="答复期限", weight=1, sort=30))
    with transaction.atomic():
        seed_org_and_catalog()
    print(f"seeded the county (org tree, 400 items): {time.perf_counter() - t0:.1f} s")
    seed_clocks(n, n_open, vendor, history)


def reset(vendor: str) -> None:
    """Undo what an earlier run's sweeps and churn wrote, keeping the seeded clocks."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        for sql in ("DELETE FROM supervision_notice", "DELETE FROM supervision_card WHERE run_id IS NOT NULL",
                    "DELETE FROM supervision_deemedapproval", "DELETE FROM supervision_clock WHERE kind_id = 'deemed_reply'",
                    "DELETE FROM supervision_sweeprun"):
            cur.execute(sql)
        cur.execute("UPDATE supervision_clock SET state = 'running', finished_on = NULL, finished_at = NULL, "
                    "finish_reason = '', late = NULL WHERE finished_on > %s", [TODAY])  # what churn() finished
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE supervision_clock")
            cur.execute("VACUUM ANALYZE supervision_card")


# -- measuring ---------------------------------------------------------------------------------------------


AUTOVACUUM_TABLES = ("supervision_clock", "supervision_card")
AUTOVACUUM_SETTINGS = ("autovacuum_vacuum_threshold", "autovacuum_vacuum_scale_factor",
                       "autovacuum_vacuum_insert_threshold", "autovacuum_vacuum_insert_scale_factor",
                       "autovacuum_analyze_threshold", "autovacuum_analyze_scale_factor")


def autovacuum() -> str:
    """Between the timed steps, what autovacuum does on a server running it (PostgreSQL's default) with the
    tables' own settings (migration 0016 gives clocks and cards theirs): VACUUM a table once its dead rows, or
    the rows inserted since its last vacuum, pass the threshold; ANALYZE it once the rows changed since its
    last analysis do. Done here, at once and untimed, because the test machine's server runs with autovacuum
    off; a server running it does the same in the background within a minute or so (``--no-autovacuum``:
    nothing, as on a server without it or with its defaults, where these tables wait for a fifth of their
    rows to change). Returns what it did, for the report."""
    from django.db import connection

    done = []
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")  # this session's counts of the rows it wrote
        cur.execute("SELECT 1")
        defaults = {}
        for name in AUTOVACUUM_SETTINGS:
            cur.execute("SELECT current_setting(%s)", [name])
            defaults[name] = float(cur.fetchone()[0])
        for table in AUTOVACUUM_TABLES:
            cur.execute("SELECT c.reltuples, c.reloptions, s.n_dead_tup, s.n_ins_since_vacuum, s.n_mod_since_analyze "
                        "FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = %s", [table])
            tuples, options, dead, inserted, changed = cur.fetchone()
            own = dict(o.split("=", 1) for o in options or [])

            def limit(kind, own=own, tuples=tuples):
                threshold, factor = f"autovacuum_{kind}_threshold", f"autovacuum_{kind}_scale_factor"
                return (float(own.get(threshold, defaults[threshold]))
                        + float(own.get(factor, defaults[factor])) * max(tuples, 0))

            vacuum = dead > limit("vacuum") or inserted > limit("vacuum_insert")
            analyze = changed > limit("analyze")
            if vacuum or analyze:
                what = "VACUUM (ANALYZE)" if vacuum and analyze else "VACUUM" if vacuum else "ANALYZE"
                t0 = time.perf_counter()
                cur.execute(f"{what} {table}")
                done.append(f"{what} {table} ({dead:,} dead, {inserted:,} inserted, {changed:,} changed rows) "
                            f"{time.perf_counter() - t0:.2f} s")
    return "; ".join(done) or "nothing past its thresholds"


def checkpoint() -> float:
    """Write out the pages the untimed work before a timed step left dirty (the reset, the day's work), as the
    checkpointer would have long before a nightly sweep. Without it the sweep, whose reads of the running
    clocks pass through the whole of a small buffer cache (the test server's is 128 MB), writes them itself
    on the way (over 10,000 pages on the first sweep after a reset). Returns the time it took."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("CHECKPOINT")
    return time.perf_counter() - t0


def between(label: str, args, vendor: str) -> None:
    """The untimed maintenance before a timed step (see ``autovacuum`` and ``checkpoint``), reported."""
    if vendor != "postgresql":
        return
    what = []
    if not args.no_autovacuum:
        what.append(f"autovacuum as configured: {autovacuum()}")
    if not args.no_checkpoint:
        what.append(f"CHECKPOINT {checkpoint():.1f} s")
    if what:
        print(f"  before {label} (not timed): {'; '.join(what)}")


def cutoffs(today: dt.date) -> tuple[dt.date, dt.date]:
    from zhengwu.supervision.policy import policy_get
    from zhengwu.supervision.services.conditions import calendar_groups

    policy = policy_get()
    g = calendar_groups(today, policy, {policy.warn_workdays})[-1]
    return g.red_before, g.yellow_before[policy.warn_workdays]


PLAIN = ("SELECT level, count(*) FROM (SELECT CASE WHEN due_date < %s THEN 'red' WHEN due_date < %s THEN 'yellow' END "
         "AS level FROM supervision_clock WHERE state='running' AND due_date IS NOT NULL) x GROUP BY level")


def plain_pass(today: dt.date) -> tuple[float, dict]:
    """The plain SQL pass over the running clocks with the day's cutoffs: median of 3 after a warm-up."""
    from django.db import connection

    red_before, yellow_before = cutoffs(today)

    def run():
        with connection.cursor() as cur:
            cur.execute(PLAIN, [red_before, yellow_before])
            return dict(cur.fetchall())

    run()
    times, out = [], {}
    for _ in range(3):
        t, out = timed(run)
        times.append(t)
    return statistics.median(times), out


def backend_cpu() -> float | None:
    """CPU seconds (user + system) the database server process of this connection has used so far, when the
    server runs on this machine (PostgreSQL on 127.0.0.1 or localhost); else None. Unlike the wall time it does
    not grow when other work on the machine takes the CPU, so old and new code compare in the same window.
    Parallel workers (the plain pass, the counts) are not in it."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.settings_dict.get("HOST") not in ("127.0.0.1", "localhost"):
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sweep(today: dt.date):
    """One sweep (no delivery), with the time each SQL statement took, the commit's, and the database's CPU."""
    from django.db import connection, transaction

    from zhengwu.core import clock
    from zhengwu.supervision.services import sweep_run

    stmts: list[tuple[float, str]] = []

    def wrapper(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            stmts.append((time.perf_counter() - t0, sql))

    # An outer transaction (the sweep's own becomes a savepoint) only to tell the commit apart: the
    # deferred foreign-key checks of the new cards and notices run there.
    cpu0 = backend_cpu()
    with connection.execute_wrapper(wrapper), clock.frozen(today):
        t0 = time.perf_counter()
        with transaction.atomic():
            result = sweep_run(today=today, deliver=False)
            t_body = time.perf_counter() - t0
        t = time.perf_counter() - t0
    cpu1 = backend_cpu()
    return t, result, stmts, t - t_body, (None if cpu0 is None or cpu1 is None else cpu1 - cpu0)


def active_cards() -> dict:
    from django.db.models import Count

    from zhengwu.supervision.models import Card

    return dict(Card.objects.filter(cleared_on__isnull=True).values_list("level").annotate(n=Count("id"))
                .order_by())


def churn(day: dt.date) -> int:
    """A day's work between the sweeps: every running clock of one subject in 50 finishes."""
    from django.db import connection, transaction

    from zhengwu.core import clock

    with transaction.atomic(), connection.cursor() as cur, clock.frozen(day) as now:
        cur.execute("UPDATE supervision_clock SET state = 'finished', finished_on = %s, finished_at = %s, "
                    "finish_reason = CASE WHEN subject_type = 'gk_request' THEN '已答复' WHEN part = 0 THEN '办件已办结' "
                    "ELSE '已转入下一环节' END, late = (due_date < %s) "
                    f"WHERE state = 'running' AND subject_id %% {CHURN_MOD} = {CHURN_REST} "
                    "AND kind_id IN ('case', 'case_step', 'gk_reply')", [day, now, day])
        n = cur.rowcount
        # what clock_finish does in the same transaction: clear the finished clocks' active cards
        cur.execute("UPDATE supervision_card SET cleared_on = %s, cleared_at = %s, cleared_reason = c.finish_reason "
                    "FROM supervision_clock c WHERE c.id = supervision_card.clock_id "
                    "AND supervision_card.cleared_on IS NULL AND c.finished_on = %s", [day, now, day])
        return n


def short(sql: str) -> str:
    """A statement in one line: its start and its WHERE clause."""
    q = " ".join(sql.split())
    where = q.find(" WHERE ")
    return q[:110] if where < 0 else f"{q[:40]} … {q[where + 1:where + 140]}"


def report(label: str, key: str, t: float, r, stmts, t_commit: float, cpu: float | None, t_plain: float, plain: dict,
           cards: dict) -> bool:
    ratio = t / t_plain if t_plain else float("inf")
    ok_t, ok_r = t <= TARGETS[key], ratio <= RATIO
    print(f"{label:<28}{t:8.3f} s   plain SQL pass {t_plain:7.3f} s   ratio {ratio:6.1f}×   "
          f"target ≤ {TARGETS[key]:g} s: {'met' if ok_t else 'MISSED'}; ≤ {RATIO:g}×: {'met' if ok_r else 'MISSED'}")
    match = cards.get("red", 0) == plain.get("red", 0) and cards.get("yellow", 0) == plain.get("yellow", 0)
    print(f"    {r.clocks:,} running clocks; raised {r.raised_yellow:,} yellow + {r.raised_red:,} red, cleared "
          f"{r.cleared:,}; {r.deemed:,} 超时默认; {r.messages:,} messages queued")
    print(f"    plain pass: {plain.get('red', 0):,} red, {plain.get('yellow', 0):,} yellow, {plain.get(None, 0):,} "
          f"later; active cards after: {cards.get('red', 0):,} red, {cards.get('yellow', 0):,} yellow "
          f"({'same as the plain pass' if match else 'DIFFERENT from the plain pass'})")
    top = sorted(stmts, key=lambda x: x[0], reverse=True)[:5]
    t_sql = sum(s for s, _q in stmts)
    print(f"    {len(stmts)} statements {t_sql:.3f} s, commit {t_commit:.3f} s, the rest (Python) "
          f"{t - t_sql - t_commit:.3f} s; database CPU {'n/a' if cpu is None else f'{cpu:.2f} s'}; "
          f"load {os.getloadavg()[0]:.1f}; the longest statements:")
    for s, q in top:
        print(f"      {s:7.3f} s  {short(q)}")
    return ok_t and ok_r


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=10_000_000, help="clocks in all")
    parser.add_argument("--open", type=int, default=1_000_000, help="running clocks")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded clocks of an earlier run")
    parser.add_argument("--no-history", action="store_true",
                        help="start with an empty card table (the day of the cutover), not a year of cleared cards")
    parser.add_argument("--no-churn", action="store_true", help="no clocks finish between the two days")
    parser.add_argument("--no-delivery", action="store_true", help="do not time delivering the queued notices")
    parser.add_argument("--no-autovacuum", action="store_true",
                        help="do not do between the steps what autovacuum would do with the tables' settings")
    parser.add_argument("--no-checkpoint", action="store_true",
                        help="no CHECKPOINT before a timed step (the sweep then writes the pages left dirty before it)")
    args = parser.parse_args()
    vendor = setup()
    logging.getLogger("zhengwu.notify").setLevel(logging.WARNING)  # the console notifier logs each message

    from django.db import connection
    from django.db.models import Count

    from zhengwu.supervision.models import Clock, DeemedRule
    from zhengwu.supervision.services import notices_deliver

    if args.reuse and Clock.objects.filter(kind_id="case").exists():
        reset(vendor)
        print("reusing the clocks of an earlier run")
    else:
        seed(args.n, args.open, vendor, not args.no_history)
    if not DeemedRule.objects.exists():
        for code in ("DX-001-001", "DX-002-001"):
            DeemedRule.objects.create(impl_code=code)
    states = dict(Clock.objects.values_list("state").annotate(n=Count("id")).order_by())
    kinds = dict(Clock.objects.filter(state="running").values_list("kind_id").annotate(n=Count("id")).order_by())
    total = sum(states.values())
    print(f"database: {vendor}; {total:,} clocks: {states.get('running', 0):,} running "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}), {states.get('stopped', 0):,} stopped, "
          f"{states.get('finished', 0):,} finished")
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_table_size('supervision_clock')), "
                        "pg_size_pretty(pg_indexes_size('supervision_clock'))")
            size, isize = cur.fetchone()
        print(f"supervision_clock: {size} of rows, {isize} of indexes")
    print(f"machine: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          "(figures taken on a busy machine are not the database's)")
    print()

    next_day = TODAY + dt.timedelta(days=3)  # Monday 2026-11-02, the next working day
    ok = True
    between("the first sweep", args, vendor)
    t_plain, plain = plain_pass(TODAY)
    t, r, stmts, t_commit, cpu = sweep(TODAY)
    ok &= report("first sweep (Fri 10-30)", "first", t, r, stmts, t_commit, cpu, t_plain, plain, active_cards())
    between("the second sweep", args, vendor)
    t_plain, plain = plain_pass(TODAY)
    t, r, stmts, t_commit, cpu = sweep(TODAY)
    ok &= report("again the same day", "again", t, r, stmts, t_commit, cpu, t_plain, plain, active_cards())
    if not args.no_churn:
        t_churn, n_churn = timed(churn, next_day)
        print(f"  between the days: {n_churn:,} running clocks finished (one subject in {CHURN_MOD}; "
              f"{t_churn:.1f} s, not timed)")
    between("the next working day", args, vendor)
    t_plain, plain = plain_pass(next_day)
    t, r, stmts, t_commit, cpu = sweep(next_day)
    ok &= report("next working day (Mon 11-02)", "next", t, r, stmts, t_commit, cpu, t_plain, plain, active_cards())

    if args.no_delivery:
        print(f"\nall sweep targets {'met' if ok else 'NOT met'} ({vendor}); load average at the end "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        return
    t, sent = timed(notices_deliver)
    print(f"\nnotices delivered (console notifier): {sent:,} in {t:.2f} s = {sent / t if t else 0:,.0f} rows/s "
          "(not part of the target)")
    print(f"\nall sweep targets {'met' if ok else 'NOT met'} ({vendor}); load average at the end "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
