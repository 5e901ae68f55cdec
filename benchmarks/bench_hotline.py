"""The 12345 hotline: work orders through their whole life per second beside the bare ORM, and the KPI
page's data over a million orders beside one plain GROUP BY.

Part 1, ``lifecycles`` (SQLite or PostgreSQL): one lifecycle is 受理 (call-taker) → 派单 (call-taker, to
the 派单目录's department) → 签收 (the unit's officer) → 办结反馈 (the officer) → 审核通过 (the unit head)
→ 回访 满意 (call-taker; the order is 已办结). The services check status, actor and scope, compute the
limits on the working-day engine and write per lifecycle: the day's counter upsert, the order INSERT and
five order UPDATEs, one OrderUnit INSERT and its 签收 UPDATE, six OrderEvent rows, three supervision
Clock rows (签收 and 办结 in one INSERT at 派单, 回访) and their three finishing UPDATEs, and the 12345
rating with its rating event. The peer writes exactly those rows with the ORM, in as few statements
(the two clocks of 派单 in one ``bulk_create``), one transaction per step, and nothing else (no reads, no
checks, limits precomputed). Statements per step are printed for both.

Part 2, ``kpi`` (PostgreSQL only): N orders (default 1,000,000) over twelve months in a county of 20
towns and 240 villages, 40 departments and the towns' centres, 60 categories, every status in a
realistic mix, seeded with COPY. The KPI code reads only ``hotline_order`` (joined to the regions,
departments and halls for names and the region filter), so those are the rows seeded; units, events
and ratings are not read by the KPI page (nor are events: the rollup's first refresh is a rebuild). The
daily rollup is built first (timed, with a refresh that finds nothing new) and the page's figures are
compared with counting every order live. Timed: what the KPI page computes from the rollup
(``kpi.page``: the dashboard and its table) for the county over one month, for the county over the
twelve months (by month), and for one town over the twelve months (by unit) — median of 3 after a warm-up — beside one plain SQL
``GROUP BY`` over the same rows with the same counts.

Run: .venv/bin/python benchmarks/bench_hotline.py lifecycles [N]      (default N=200; best of 3 rounds)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengwu_bench_hotline \\
       .venv/bin/python benchmarks/bench_hotline.py kpi [--orders N] [--reuse]
     (an empty database for the first run; ``--reuse`` keeps the seeded orders of an earlier run)
Targets: the services at least 0.8x the bare ORM; the KPI page's data under 1 s at 1,000,000 orders.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

from _setup import setup

ROUNDS = 3
CHUNK = 25
TX_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}
RATIO_TARGET = 0.8
KPI_TARGET = 1.0


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


# -- part 1: lifecycles ------------------------------------------------------------------------------------


def prepare_lifecycles():
    """Build the county; return the two lifecycles, each a generator yielding the step it finished."""
    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import override_settings

    from zhengwu.core import clock
    from zhengwu.hotline import clocks as oc
    from zhengwu.hotline import services as s
    from zhengwu.hotline.models import Order, OrderEvent, OrderUnit, Status, UnitRole, UnitState
    from zhengwu.hotline.services.policy import end_of_day, workdays_after
    from zhengwu.hotline.tests import factories as hf
    from zhengwu.org.models import Staff
    from zhengwu.ratings.models import Rating, RatingEvent
    from zhengwu.supervision.clocks import department_head
    from zhengwu.supervision.models import Clock, ClockState

    if Staff.objects.exists() or Order.objects.exists():
        sys.exit(
            "bench_hotline needs an empty database (it builds its own county); point DATABASE_URL at a new one"
        )
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        w = hf.build_world()
    s.limits_ensure()
    # What a request handler holds: staff with their roles and region cached.
    taker, officer, head = (
        Staff.objects.select_related("region", "hall", "department").get(pk=x.pk)
        for x in (w.taker, w.officer, w.head)
    )
    for x in (taker, officer, head):
        x.role_codes()
    cat, town, dept, centre = w.roads, w.town, w.dept, w.center
    text = "城关镇东大街路灯坏了三天，晚上出行不便"

    def service_steps():
        o = s.order_create(
            channel="phone",
            kind="complaint",
            category=cat,
            region=town,
            text=text,
            caller_phone=hf.PHONE,
            caller_name="张大明",
            address="城关镇东大街12号",
            actor=taker,
        )
        yield "create"
        o = s.order_dispatch(order=o, staff=taker)
        yield "dispatch"
        o = s.order_sign(order=o, staff=officer)
        yield "sign"
        o = s.order_reply(order=o, staff=officer, text="已更换路灯灯泡", solved=True)
        yield "reply"
        o = s.order_approve(order=o, staff=head)
        yield "approve"
        o = s.order_callback(order=o, staff=taker, result="satisfied", solved=True)
        assert o.status == Status.CLOSED
        yield "callback"

    # -- the bare ORM writing the same rows (limits precomputed: the peer has no policy) ---------------
    head_of_dept = department_head(dept.pk, town.code)

    def ev(order_id, action, frm, to, who, unit_name="", note="", public=False, detail=None):
        OrderEvent.objects.create(
            order_id=order_id,
            at=clock.now(),
            action=action,
            from_status=frm,
            to_status=to,
            actor_id=who.user_id,
            actor_name=who.name,
            unit_name=unit_name,
            note=note,
            public=public,
            detail=detail or {},
        )

    def clock_row(order, kind, part, part_name="", due_date=None, due_at=None, department=None, head=None):
        return Clock(
            kind_id=kind,
            subject_type=oc.SUBJECT_TYPE,
            subject_id=order.pk,
            part=part,
            part_name=part_name,
            subject_no=order.no,
            title=f"{cat.name}：{text}",
            url=f"/hotline/orders/{order.no}/",
            region=town,
            department_id=department,
            head_id=head,
            started_on=clock.today(),
            started_at=clock.now(),
            due_date=due_date,
            due_at=due_at,
        )

    def clock_done(pk, reason):
        Clock.objects.filter(pk=pk).update(
            state=ClockState.FINISHED,
            finished_on=clock.today(),
            finished_at=clock.now(),
            finish_reason=reason,
            late=False,
        )

    def orm_steps():
        today, now = clock.today(), clock.now()
        sign_due = workdays_after(today, 1, region=town)
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO hotline_ordercounter (day, last) VALUES (%s, 1) ON CONFLICT (day) "
                    "DO UPDATE SET last = hotline_ordercounter.last + 1 RETURNING last",
                    [today],
                )
                seq = cur.fetchone()[0]
            o = Order.objects.create(
                no=f"RX{today:%Y%m%d}{seq:05d}",
                status=Status.PENDING,
                channel="phone",
                source="12345",
                kind="complaint",
                urgency="normal",
                category=cat,
                region=town,
                address="城关镇东大街12号",
                text=text,
                caller_name="张大明",
                caller_phone=hf.PHONE,
                created_at=now,
                created_on=today,
                created_by=taker,
            )
            ev(
                o.pk,
                "create",
                "",
                Status.PENDING,
                taker,
                note=f"电话受理，投诉：{cat.name}",
                public=True,
                detail={"channel": "phone", "source": "12345", "files": 0},
            )
        yield "create"
        now = clock.now()
        due_on = workdays_after(today, 13, region=town)
        with transaction.atomic():
            u = OrderUnit.objects.create(
                order=o,
                seq=1,
                role=UnitRole.MAIN,
                state=UnitState.DISPATCHED,
                dispatched_at=now,
                dispatched_on=today,
                sign_due_at=end_of_day(sign_due),
                return_until=workdays_after(today, 2, region=town),
                department=dept,
            )
            c_sign = clock_row(
                o, oc.SIGN.code, 1, dept.name, due_date=sign_due, department=dept.pk, head=head_of_dept
            )
            c_reply = clock_row(o, oc.REPLY.code, 1, due_date=due_on, department=dept.pk, head=head_of_dept)
            Clock.objects.bulk_create([c_sign, c_reply])  # one INSERT for both, as the services do
            Order.objects.filter(pk=o.pk, row_version=0).update(
                status=Status.DISPATCHED,
                main_department=dept,
                main_hall=None,
                dispatched_at=now,
                sign_due_at=end_of_day(sign_due),
                signed_at=None,
                signed_late=None,
                due_on=due_on,
                row_version=F("row_version") + 1,
            )
            ev(
                o.pk,
                "dispatch",
                Status.PENDING,
                Status.DISPATCHED,
                taker,
                dept.name,
                f"派至{dept.name}办理",
                public=True,
                detail={"units": [{"role": "main", "name": dept.name}], "due_on": due_on.isoformat()},
            )
        yield "dispatch"
        now = clock.now()
        with transaction.atomic():
            OrderUnit.objects.filter(pk=u.pk).update(state=UnitState.SIGNED, signed_at=now, signed_by=officer)
            clock_done(c_sign.pk, oc.SIGNED)
            Order.objects.filter(pk=o.pk, row_version=1).update(
                status=Status.HANDLING, signed_at=now, signed_late=False, row_version=F("row_version") + 1
            )
            ev(
                o.pk,
                "sign",
                Status.DISPATCHED,
                Status.HANDLING,
                officer,
                dept.name,
                f"{dept.name}已签收",
                public=True,
                detail={"late": False},
            )
        yield "sign"
        now = clock.now()
        with transaction.atomic():
            Order.objects.filter(pk=o.pk, row_version=2).update(
                status=Status.REVIEWING,
                reply_text="已更换路灯灯泡",
                reply_solved=True,
                replied_at=now,
                replied_on=today,
                row_version=F("row_version") + 1,
            )
            ev(
                o.pk,
                "reply",
                Status.HANDLING,
                Status.REVIEWING,
                officer,
                dept.name,
                "已更换路灯灯泡",
                detail={"solved": True, "files": 0},
            )
        yield "reply"
        with transaction.atomic():
            clock_done(c_reply.pk, oc.REPLIED)
            Order.objects.filter(pk=o.pk, row_version=3).update(
                status=Status.CALLBACK, reply_late=False, row_version=F("row_version") + 1
            )
            c_cb = clock_row(o, oc.CALLBACK.code, 1, due_date=workdays_after(today, 1, region=town))
            c_cb.save(force_insert=True)
            ev(
                o.pk,
                "approve",
                Status.REVIEWING,
                Status.CALLBACK,
                head,
                dept.name,
                f"{dept.name}办理结果：已更换路灯灯泡",
                public=True,
                detail={"head_note": ""},
            )
        yield "approve"
        now = clock.now()
        with transaction.atomic():
            r = Rating.objects.create(
                kind="hall",
                channel="hotline",
                overall=4,
                comment="",
                is_bad=False,
                ticket_ref=f"{o.no}-1",
                hall=centre,
                department_id=dept.pk,
                contact_phone=hf.PHONE,
                rated_at=now,
                rated_on=today,
            )
            RatingEvent.objects.create(rating=r, at=now, action="rate", label="评价", note="12345热线：满意")
            clock_done(c_cb.pk, oc.CALLED_BACK)
            Order.objects.filter(pk=o.pk, row_version=4).update(
                status=Status.CLOSED,
                callback_result="satisfied",
                callback_solved=True,
                callback_at=now,
                closed_at=now,
                closed_on=today,
                row_version=F("row_version") + 1,
            )
            ev(
                o.pk,
                "callback",
                Status.CALLBACK,
                Status.CLOSED,
                taker,
                dept.name,
                "回访满意，工单办结",
                public=True,
                detail={"result": "satisfied", "solved": True, "rating": r.pk, "round": 1},
            )
        yield "callback"

    return service_steps, orm_steps


def run(steps, count: int) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(count):
        for _step in steps():
            pass
    return time.perf_counter() - t0, time.process_time() - c0


def compare(paths: dict, n: int) -> dict:
    """Per path: lifecycles per wall and per CPU second, best of ROUNDS; the paths take turns in chunks."""
    best = {name: (0.0, 0.0) for name in paths}
    for _ in range(ROUNDS):
        spent = {name: [0.0, 0.0] for name in paths}
        done = 0
        while done < n:
            k = min(CHUNK, n - done)
            order = list(paths.items()) if (done // CHUNK) % 2 == 0 else list(reversed(paths.items()))
            for name, steps in order:
                wall, cpu = run(steps, k)
                spent[name][0] += wall
                spent[name][1] += cpu
            done += k
        for name, (wall, cpu) in spent.items():
            best[name] = max(best[name], (n / wall, n / cpu))
    return best


def queries(steps):
    """Per step: the statements (but transaction control) as (verb table, …); and the control count."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    per_step, control = {}, 0
    it = steps()
    while True:
        with CaptureQueriesContext(connection) as ctx:
            step = next(it, None)
        if step is None:
            return per_step, control
        kinds = []
        for q in ctx.captured_queries:
            verb = q["sql"].split(None, 1)[0].upper()
            if verb in TX_CONTROL:
                control += 1
                continue
            m = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', q["sql"])
            kinds.append(f"{verb} {m.group(1) if m else '?'}")
        per_step[step] = kinds


def lifecycles(n: int, vendor: str) -> None:
    from collections import Counter

    service_steps, orm_steps = prepare_lifecycles()
    run(service_steps, 20)
    run(orm_steps, 20)
    print(f"machine: {os.cpu_count()} CPUs, load average {load()} (before)")
    best = compare({"service": service_steps, "orm": orm_steps}, n)
    (svc_wall, svc_cpu), (orm_wall, orm_cpu) = best["service"], best["orm"]
    q_svc, c_svc = queries(service_steps)
    q_orm, c_orm = queries(orm_steps)
    ratio = svc_wall / orm_wall

    def fmt(q, c):
        steps = " + ".join(f"{k} {len(v)}" for k, v in q.items())
        return f"{sum(len(v) for v in q.values())} ({steps}; plus {c} transaction-control statements)"

    print(
        f"database: {vendor}; {n} lifecycles per path and round, best of {ROUNDS} rounds, taking turns "
        "(受理 → 派单 → 签收 → 办结反馈 → 审核通过 → 回访 满意, 已办结)"
    )
    print(
        f"zhengwu services           : {svc_wall:10,.0f} lifecycles/s  ({svc_cpu:,.0f} per CPU second of this process)"
    )
    print(
        f"bare Django ORM, same rows : {orm_wall:10,.0f} lifecycles/s  ({orm_cpu:,.0f} per CPU second of this process)"
    )
    print(
        f"ratio                      : {ratio:10.2f}x (target >= {RATIO_TARGET}x: "
        f"{'met' if ratio >= RATIO_TARGET else 'MISSED'}; CPU: {svc_cpu / orm_cpu:.2f}x)"
    )
    print(f"queries per lifecycle      : services {fmt(q_svc, c_svc)}")
    print(f"                             ORM      {fmt(q_orm, c_orm)}")
    writes = lambda q: Counter(k for v in q.values() for k in v if not k.startswith("SELECT"))  # noqa: E731
    print(f"rows-writing statements    : services {dict(sorted(writes(q_svc).items()))}")
    print(f"                             ORM      {dict(sorted(writes(q_orm).items()))}")
    reads = Counter(k for v in q_svc.values() for k in v if k.startswith("SELECT"))
    print(f"services' reads per lifecycle: {', '.join(f'{k} ×{n}' for k, n in reads.most_common())}")
    print(f"load average {load()} (after)")


# -- part 2: the KPI page over a million orders ------------------------------------------------------------

N_TOWNS, VILLAGES_PER_TOWN, N_DEPTS, N_CATS = 20, 12, 40, 60
COUNTY = "130621000000"

ORDER_COLS = [
    "no", "status", "channel", "source", "kind", "urgency", "category_id", "region_id", "address", "text",
    "caller_name", "caller_phone", "anonymous", "confidential", "publish_consent", "created_at", "created_on",
    "main_department_id", "main_hall_id", "dispatched_at", "sign_due_at", "signed_at", "signed_late", "due_on",
    "round", "reply_text", "reply_solved", "replied_at", "replied_on", "reply_late", "callback_result",
    "callback_solved", "callback_at", "closed_at", "closed_on", "emergency", "returns", "redos", "urges",
    "supervised", "row_version",
]  # fmt: skip


def seed_world() -> None:
    """The county, its towns and villages, departments, the towns' centres, the categories (ORM, small)."""
    from zhengwu.hotline.models import Category, HotlineSetting
    from zhengwu.org.models import Department, Hall, Region

    county = Region.objects.create(code=COUNTY, name="示范县", level="county")
    centre = Hall.objects.create(
        code="SFXZW", name="示范县政务服务中心", kind=Hall.Kind.CENTER, region=county
    )
    HotlineSetting.objects.create(jurisdiction=county, centre_hall=centre)
    for t in range(N_TOWNS):
        town = Region.objects.create(
            code=f"130621{100 + t:03d}000", name=f"第{t + 1}镇", level="town", parent=county
        )
        Hall.objects.create(
            code=f"T{t:03d}", name=f"{town.name}便民服务中心", kind=Hall.Kind.TOWN_CENTER, region=town
        )
        Region.objects.bulk_create(
            Region(
                code=f"130621{100 + t:03d}{201 + v:03d}",
                name=f"{town.name}{v + 1}村",
                level="village",
                parent=town,
            )
            for v in range(VILLAGES_PER_TOWN)
        )
    Department.objects.bulk_create(
        Department(
            code=f"D{d:03d}", name=f"示范县第{d + 1}局", region=county, approval_section="行政审批服务科"
        )
        for d in range(N_DEPTS)
    )
    Category.objects.bulk_create(
        Category(code=f"C{c:03d}", name=f"诉求类别{c + 1}", keywords=f"路灯{c} 噪音 停水 物业{c % 7}")
        for c in range(N_CATS)
    )


def world_ids() -> dict:
    """The ids the order rows refer to (read before COPY starts: the connection is busy during it)."""
    from zhengwu.hotline.models import Category
    from zhengwu.org.models import Department, Hall, Region

    towns = dict(Region.objects.filter(level="town").values_list("code", "pk"))
    return dict(
        villages=list(Region.objects.filter(level="village").values_list("pk", "code")),
        towns=towns,
        town_hall={
            towns[c]: h
            for c, h in Hall.objects.filter(kind=Hall.Kind.TOWN_CENTER).values_list("region__code", "pk")
        },
        depts=list(Department.objects.values_list("pk", flat=True)),
        cats=list(Category.objects.values_list("pk", flat=True)),
    )


def order_rows(n: int, today: dt.date, world: dict):
    """N orders spread over the last twelve months, each as a COPY text line."""
    rng = random.Random(12345)
    villages, towns, town_hall = world["villages"], world["towns"], world["town_hall"]
    depts, cats = world["depts"], world["cats"]
    kinds = ["consult", "help", "complaint", "report", "suggestion", "praise"]
    kind_w = [25, 15, 35, 8, 12, 5]
    tz8 = dt.timezone(dt.timedelta(hours=8))
    start = today - dt.timedelta(days=365)
    N = r"\N"

    def ts(t: dt.datetime) -> str:
        return t.isoformat()

    for i in range(n):
        day = start + dt.timedelta(days=int(365 * i / n))
        at = dt.datetime.combine(day, dt.time(8), tzinfo=tz8) + dt.timedelta(seconds=rng.randrange(12 * 3600))
        age = (today - day).days
        vid, vcode = villages[rng.randrange(len(villages))]
        kind = rng.choices(kinds, kind_w)[0]
        long_ = kind in ("complaint", "report", "suggestion")
        x = rng.random()
        # where an order stands depends on its age: old ones are mostly closed
        if x < 0.02:
            status = "pending" if age < 2 else "closed"
        elif x < 0.03:
            status = "transferred"
        elif x < 0.05:
            status = "merged"
        elif x < 0.08:
            status = "closed_direct"
        elif age < 20 and x < 0.30:
            status = rng.choice(["dispatched", "handling", "handling", "reviewing", "callback", "returned"])
        elif x < 0.087:
            status = rng.choice(["handling", "dispatched"])  # old and still open: overdue
        else:
            status = "closed"
        dispatched = status not in ("pending", "transferred", "closed_direct") and not (
            status == "merged" and x < 0.04
        )
        hall = dept = None
        if dispatched:
            if rng.random() < 0.7:
                dept = depts[rng.randrange(len(depts))]
            else:
                hall = town_hall[towns[vcode[:9] + "000"]]
        d_at = at + dt.timedelta(minutes=rng.randrange(5, 90)) if dispatched else None
        sign_due = d_at + dt.timedelta(days=1) if d_at else None
        signed = (
            dispatched and status not in ("dispatched",) and not (status == "returned" and rng.random() < 0.5)
        )
        s_at = d_at + dt.timedelta(minutes=rng.randrange(10, 36 * 60)) if signed else None
        due = day + dt.timedelta(days=19 if long_ else 5) if dispatched else None
        replied = status in ("reviewing", "callback", "closed") and dispatched
        r_on = day + dt.timedelta(days=rng.randrange(1, 24 if long_ else 8)) if replied else None
        approved = status in ("callback", "closed") and dispatched
        called = status == "closed" and dispatched
        result = rng.choices(["satisfied", "basic", "dissatisfied"], [85, 11, 4])[0] if called else ""
        closed = status in ("closed", "closed_direct", "transferred", "merged")
        c_at = (
            (at + dt.timedelta(days=(r_on - day).days + 1) if r_on else at + dt.timedelta(minutes=8))
            if closed
            else None
        )
        returns = 1 if status == "returned" or (dispatched and rng.random() < 0.03) else 0
        redos = 1 if called and result == "dissatisfied" and rng.random() < 0.4 else 0
        st = "closed" if status == "closed_direct" else status
        yield "\t".join(str(v) for v in [
            f"RX{day:%Y%m%d}{i:07d}", st, rng.choice(["phone"] * 6 + ["web", "wechat", "sms", "open311"]),
            rng.choice(["12345"] * 8 + ["8890", "961890"]), kind, rng.choices(["normal", "utility", "danger"], [90, 8, 2])[0],
            cats[min(int(rng.paretovariate(1.2)) - 1, len(cats) - 1)], vid, f"第{i % 500}号", f"反映路灯{i % 60}不亮、噪音扰民",
            "张先生", f"139{i % 100000000:08d}", "f", "t" if i % 50 == 0 else "f", "t" if i % 3 == 0 else "f",
            ts(at), day.isoformat(),
            dept or N, hall or N, ts(d_at) if d_at else N, ts(sign_due) if sign_due else N,
            ts(s_at) if s_at else N, ("t" if s_at > sign_due else "f") if s_at and status != "returned" else N,
            due.isoformat() if due else N, 1 + redos,
            "已办理" if (replied or status == "closed_direct") else "", ("t" if rng.random() < 0.9 else "f") if replied else N,
            ts(at + dt.timedelta(days=(r_on - day).days)) if r_on else N, r_on.isoformat() if r_on else N,
            ("t" if r_on > due else "f") if approved else N,
            result, ("t" if result != "dissatisfied" else "f") if called else N, ts(c_at) if called else N,
            ts(c_at) if c_at else N, c_at.astimezone(tz8).date().isoformat() if c_at else N,
            rng.choice(["110", "119", "120", "122"]) if status == "transferred" else "",
            returns, redos, 0, "f", 1,
        ])  # fmt: skip


def seed_orders(n: int, today: dt.date) -> None:
    from django.db import connection

    world = world_ids()
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'hotline_order' "
            "AND indexname NOT LIKE '%%pkey'"
        )
        indexes = cur.fetchall()
        cons = [r[0] for r in indexes if "UNIQUE" in r[1]]
        for name, _ in indexes:
            if name in cons:
                cur.execute(f'ALTER TABLE hotline_order DROP CONSTRAINT IF EXISTS "{name}"')
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
        with cur.cursor.copy(f"COPY hotline_order ({', '.join(ORDER_COLS)}) FROM STDIN") as copy:
            batch = []
            for line in order_rows(n, today, world):
                batch.append(line)
                if len(batch) == 20000:
                    copy.write("\n".join(batch) + "\n")
                    batch = []
            if batch:
                copy.write("\n".join(batch) + "\n")
        t_copy = time.perf_counter() - t0
        t1 = time.perf_counter()
        for name, sql in indexes:
            if name in cons:
                col = sql[sql.index("(") + 1 : sql.index(")")]
                cur.execute(f'ALTER TABLE hotline_order ADD CONSTRAINT "{name}" UNIQUE ({col})')
            else:
                cur.execute(sql)
        cur.execute("VACUUM ANALYZE hotline_order")
    print(
        f"seeded {n:,} orders: COPY {t_copy:.1f} s, indexes + VACUUM ANALYZE {time.perf_counter() - t1:.1f} s"
    )


def plain_pass(start: dt.date, end: dt.date, prefix: str, by: str) -> tuple[int, int]:
    """One GROUP BY over the same orders with the same counts as the KPI rows (by 主办 unit or month)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT {keys}, count(*),
                   count(*) FILTER (WHERE o.dispatched_at IS NOT NULL),
                   count(*) FILTER (WHERE NOT o.signed_late), count(*) FILTER (WHERE o.signed_late),
                   count(*) FILTER (WHERE o.status = 'dispatched' AND o.sign_due_at < now()),
                   count(*) FILTER (WHERE NOT o.reply_late), count(*) FILTER (WHERE o.reply_late),
                   count(*) FILTER (WHERE o.status IN ('dispatched', 'handling', 'reviewing') AND o.due_on < %s),
                   count(*) FILTER (WHERE o.callback_at IS NOT NULL), count(*) FILTER (WHERE o.callback_solved),
                   count(*) FILTER (WHERE o.callback_result IN ('satisfied', 'basic')),
                   count(*) FILTER (WHERE o.reply_late IS NOT NULL),
                   count(*) FILTER (WHERE o.returns > 0), count(*) FILTER (WHERE o.redos > 0)
            FROM hotline_order o
            WHERE o.created_on BETWEEN %s AND %s
              AND o.region_id = ANY(ARRAY(SELECT id FROM org_region WHERE code LIKE %s)) {where}
            GROUP BY {group}
            """.format(
                keys="o.main_department_id, o.main_hall_id"
                if by == "unit"
                else "date_trunc('month', o.created_at AT TIME ZONE 'Asia/Shanghai')",
                group="1, 2" if by == "unit" else "1",
                where="AND o.status IN ('dispatched', 'handling', 'returned', 'reviewing', 'callback', 'closed') "
                "AND (o.main_department_id IS NOT NULL OR o.main_hall_id IS NOT NULL)"
                if by == "unit"
                else "",
            ),
            [dt.date.today(), start, end, prefix + "%"],
        )
        rows = cur.fetchall()
    n_keys = 2 if by == "unit" else 1
    return len(rows), sum(r[n_keys] for r in rows)


def kpi_part(n: int, reuse: bool, vendor: str) -> None:
    from django.db import connection

    from zhengwu.core import clock
    from zhengwu.hotline import kpi
    from zhengwu.hotline.models import Order
    from zhengwu.org.models import Region

    if vendor != "postgresql":
        sys.exit("the KPI part needs PostgreSQL: DATABASE_URL=postgres://…/zhengwu_bench_hotline")
    today = clock.today()
    print(f"machine: {os.cpu_count()} CPUs, load average {load()}")
    have = Order.objects.count() if reuse else 0
    if reuse and have:
        print(f"--reuse: {have:,} orders already seeded")
    else:
        if Order.objects.exists() or Region.objects.exists():
            sys.exit("the KPI part needs an empty database for seeding (or --reuse)")
        seed_world()
        seed_orders(n, today)
    with connection.cursor() as cur:
        cur.execute("SELECT status, count(*) FROM hotline_order GROUP BY 1 ORDER BY 2 DESC")
        mix = cur.fetchall()
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('hotline_order'))")
        size = cur.fetchone()[0]
    print(f"orders: {sum(c for _, c in mix):,} ({', '.join(f'{s} {c:,}' for s, c in mix)}); table {size}")

    county = Region.objects.get(code=COUNTY)
    rollup_build()

    town = Region.objects.filter(level="town").order_by("code").first()
    month_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    year_start = today - dt.timedelta(days=365)
    page_start = (today.replace(day=1) - dt.timedelta(days=62)).replace(day=1)  # the page's default period
    cases = [
        (f"county, {month_start:%Y-%m} (by unit)", county, month_start, month_end, "unit"),
        (f"county, default {page_start:%m-%d}–{today:%m-%d} (by unit)", county, page_start, today, "unit"),
        ("county, 12 months (by month)", county, year_start, today, "month"),
        (f"{town.name}, 12 months (by unit)", town, year_start, today, "unit"),
    ]
    failed = None
    for label, region, start, end, by in cases:

        def page(region=region, start=start, end=end, by=by):
            return kpi.page(by=by, start=start, end=end, region=region)

        def plain(region=region, start=start, end=end, by=by):
            return plain_pass(start, end, region.code_prefix, by)

        data, rows = page()
        plain()
        times, p_times = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            data, rows = page()
            times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            groups, counted = plain()
            p_times.append(time.perf_counter() - t0)
        t, p = statistics.median(times), statistics.median(p_times)
        ok = t < KPI_TARGET
        if not ok and failed is None:
            failed = (label, region, start, end, by)
        total = data["total"]
        same = (
            "same orders" if rows[-1].orders == counted else f"DIFFERENT ({rows[-1].orders:,} vs {counted:,})"
        )
        print(
            f"KPI page, {label:34}: {t:6.3f} s (median of 3: {', '.join(f'{x:.3f}' for x in times)}) "
            f"vs plain GROUP BY {p:.3f} s ({t / p:.1f}x); {total.orders:,} orders, {len(rows) - 1} rows, "
            f"满意率 {total.rates['satisfied']}%, 按时办结率 {total.rates['on_time']}% ({same}); "
            f"target < {KPI_TARGET:g} s: {'met' if ok else 'MISSED'}"
        )
    compare_live(county, year_start, today)
    print(f"load average {load()} (after)")
    if failed is not None:
        profile_page(failed)


def figures(data: dict, rows: list) -> tuple:
    """What the page shows, comparable: the table's rows field by field and the dashboard."""
    return [vars(r) for r in rows], {**data, "total": vars(data["total"])}


def rollup_build() -> None:
    """The rollup built from scratch (timed), then a refresh with nothing new (timed)."""
    from django.db import connection

    from zhengwu.hotline.models import KpiRollupState
    from zhengwu.hotline.services.rollup import kpi_refresh

    KpiRollupState.objects.all().delete()
    t0 = time.perf_counter()
    built = kpi_refresh()
    t_build = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE hotline_kpiday")
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('hotline_kpiday'))")
        size = cur.fetchone()[0]
    t0 = time.perf_counter()
    quiet = kpi_refresh()
    t_quiet = time.perf_counter() - t0
    print(
        f"rollup: rebuild {t_build:.1f} s ({built.rows:,} rows, {size}); "
        f"a refresh with nothing new {t_quiet:.3f} s ({len(quiet.days)} days)"
    )


def compare_live(county, start: dt.date, end: dt.date) -> None:
    """The county's year from the rollup and counted from every order (the page with no rollup), at the
    same frozen moment (the 签收-overdue count moves with the clock): the figures must be the same."""
    from zhengwu.core import clock
    from zhengwu.hotline import kpi
    from zhengwu.hotline.models import KpiRollupState

    with clock.frozen(clock.now()):
        rolled = figures(*kpi.page(by="month", start=start, end=end, region=county))
        state = list(KpiRollupState.objects.values())
        KpiRollupState.objects.all().delete()
        try:
            t0 = time.perf_counter()
            live = figures(*kpi.page(by="month", start=start, end=end, region=county))
            t_live = time.perf_counter() - t0
        finally:
            KpiRollupState.objects.bulk_create(KpiRollupState(**s) for s in state)
    print(
        f"the county's year counted live from the orders (no rollup): {t_live:.3f} s; figures from the rollup "
        f"{'= live (every row and panel)' if rolled == live else 'DIFFER from live'}"
    )


def profile_page(case) -> None:
    """The statements of one page render with their times (what dominates)."""
    from django.db import connection

    from zhengwu.hotline import kpi

    _, region, start, end, by = case
    spent = []

    def wrapper(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append((time.perf_counter() - t0, sql))

    with connection.execute_wrapper(wrapper):
        kpi.page(by=by, start=start, end=end, region=region)
    print(f"statements of one page ({case[0]}), slowest first:")
    for t, sql in sorted(spent, reverse=True)[:8]:
        print(f"  {t:6.3f} s  {' '.join(sql.split())[:160]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["lifecycles", "kpi"], nargs="?", default="lifecycles")
    parser.add_argument("n", type=int, nargs="?", default=200, help="lifecycles per path and round")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the orders seeded by an earlier run")
    args = parser.parse_args()
    vendor = setup()
    import logging

    logging.getLogger("zhengwu.notify").setLevel(logging.WARNING)  # the console notifier logs each SMS
    if args.part == "lifecycles":
        lifecycles(args.n, vendor)
    else:
        kpi_part(args.orders, args.reuse, vendor)


if __name__ == "__main__":
    main()
