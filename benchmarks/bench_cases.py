"""Full case lifecycles per second through the services, beside the bare ORM writing the same rows
and, on PostgreSQL, beside the raw-SQL floor sending those same statements through psycopg.

A lifecycle is submit (at the window) → accept → review → decide → complete on a three-step item
without materials or fees. The services check state, scope, role and input in memory, compute the
due date, and write one guarded UPDATE plus one event per action (submit: counter upsert, case
INSERT, event INSERT), plus the supervision clocks the action starts or ends; on PostgreSQL each action's
writes, its clocks' included, go as one statement (the clocks only if the guarded write applied). The peer writes the same rows with the ORM and nothing else: per step one
transaction with one Case UPDATE and one CaseEvent INSERT; submit is one Case INSERT and one event
INSERT.
The floor (PostgreSQL only) sends exactly the bare ORM path's statements in the same transactions,
hand-written SQL through the psycopg connection under Django's (no ORM, no Django cursor wrapper),
server-side bound and prepared: what the database and the driver cost, with nothing above them.

Run: .venv/bin/python benchmarks/bench_cases.py [N]     (default N=300; best of 3 rounds, paths taking turns)
     DATABASE_URL=postgres://…/zhengwu_bench …           (an empty database: it builds its own county)
Target: on PostgreSQL the services at least 0.5x the raw-SQL floor; at least 400 lifecycles/s on SQLite.
"""

from __future__ import annotations

import statistics
import sys
import time

from _setup import setup

ROUNDS = 3
CHUNK = 25
TX_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


def prepare():
    """Build the county and return the two lifecycles, each a generator yielding the step it finished."""
    from django.db import transaction
    from django.db.models import F
    from django.test.utils import override_settings

    from zhengwu.cases import services as s
    from zhengwu.cases.models import Case, CaseEvent, Channel, Decision, Status
    from zhengwu.cases.tests import factories
    from zhengwu.catalog.models import Item
    from zhengwu.catalog.services import item_upsert
    from zhengwu.core import clock
    from zhengwu.org.models import Role, Staff

    if Staff.objects.exists() or Case.objects.exists():
        sys.exit("bench_cases needs an empty database (it builds its own county); point DATABASE_URL at a new one")

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        w = factories.build_world()
    item, _ = item_upsert(impl_code="SFX-BENCH-001", department=w.dept,
                          fields=factories._fields(name="食品经营许可证变更（免材料）", special_procedures=[]),
                          steps=factories.STEPS, materials=[], fees=[])
    # What a request handler holds: the item with its current version, staff with roles cached.
    item = Item.objects.select_related("current", "department").get(pk=item.pk)
    officer, chief, head = (Staff.objects.select_related("hall__region", "region", "department").get(pk=x.pk)
                            for x in (w.officer, w.chief, w.head))
    for x in (officer, chief, head):
        x.role_codes()
    person = factories.applicant()
    hall = officer.hall

    # -- the service path --------------------------------------------------------------------------------
    def service_steps():
        case = s.case_submit(item=item, applicant=person, channel=Channel.WINDOW, officer=officer)
        yield "submit"
        s.case_accept(case=case, officer=officer)
        yield "accept"
        s.case_review(case=case, officer=chief)
        yield "review"
        s.case_decide(case=case, officer=head, decision=Decision.APPROVE)
        yield "decide"
        s.case_complete(case=case, officer=officer)
        assert case.status == Status.COMPLETED
        yield "complete"

    # -- the bare ORM doing the same row writes -------------------------------------------------------------
    seq = iter(range(10**9))
    a = s.clean_applicant(person)

    def orm_steps():
        today = clock.today()
        now = clock.now()
        with transaction.atomic():
            case = Case.objects.create(
                case_no=f"ORM-{next(seq):07d}", item=item, item_version_id=item.current_id,
                department_id=item.department_id, hall=hall, channel=Channel.WINDOW, status=Status.PENDING,
                applicant_kind=a.kind, applicant_name=a.name, id_number=a.id_number, contact_phone=a.phone,
                first_officer=officer, promised_days=5,
            )
            CaseEvent.objects.create(case_id=case.pk, action="submit", to_status=Status.PENDING,
                                     actor_id=officer.user_id, actor_name=officer.name, role=Role.WINDOW_OFFICER,
                                     data={"channel": Channel.WINDOW})
        yield "submit"
        steps = [
            ("accept", Status.PENDING, Status.IN_REVIEW, officer, Role.WINDOW_OFFICER, 1,
             dict(accepted_by_id=officer.pk, accepted_on=today, due_date=today, due_provisional=False,
                  current_step=2)),
            ("review", Status.IN_REVIEW, Status.IN_REVIEW, chief, Role.CHIEF_REP, 2, dict(current_step=3)),
            ("decide", Status.IN_REVIEW, Status.DECIDED, head, Role.DEPT_HEAD, 3,
             dict(decision=Decision.APPROVE, decision_reason="", decided_at=now)),
            ("complete", Status.DECIDED, Status.COMPLETED, officer, Role.WINDOW_OFFICER, 3,
             dict(completed_at=now, completed_on=today, closed_at=now)),
        ]
        version = 0
        for action, frm, to, who, role, step, changes in steps:
            with transaction.atomic():
                n_rows = Case.objects.filter(pk=case.pk, row_version=version).update(
                    status=to, row_version=F("row_version") + 1, **changes)
                assert n_rows == 1
                CaseEvent.objects.create(case_id=case.pk, action=action, from_status=frm, to_status=to,
                                         actor_id=who.user_id, actor_name=who.name, role=role, step=step)
            version += 1
            yield action

    raw_steps = _raw_steps(item=item, hall=hall, officer=officer, chief=chief, head=head, a=a)
    return service_steps, orm_steps, raw_steps


def _raw_steps(*, item, hall, officer, chief, head, a):
    """The raw-SQL floor on PostgreSQL (None elsewhere): the bare ORM path's statements, hand-written.

    The case INSERT's column list and constant values are taken from the model once, here, the way a
    person writing the SQL by hand would copy them; during the run only psycopg executes.
    """
    import datetime as dt
    import itertools

    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    import psycopg
    from psycopg.types.json import Jsonb

    from zhengwu.cases.models import Case, Channel, Decision, Status
    from zhengwu.core import clock
    from zhengwu.org.models import Role

    template = Case(
        case_no="", item=item, item_version_id=item.current_id, department_id=item.department_id, hall=hall,
        channel=Channel.WINDOW, status=Status.PENDING, applicant_kind=a.kind, applicant_name=a.name,
        id_number=a.id_number, contact_phone=a.phone, first_officer=officer, promised_days=5,
    )
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    values = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
    i_no, i_at = columns.index("case_no"), columns.index("submitted_at")
    insert_case = (f"INSERT INTO cases_case ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
                   "RETURNING id")
    insert_event = ("INSERT INTO cases_caseevent (case_id, at, action, from_status, to_status, actor_id, "
                    "actor_name, role, window_id, step, note, data) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, NULL, %s, '', %s)")
    updates = {
        "accept": "UPDATE cases_case SET status = %s, row_version = row_version + 1, accepted_by_id = %s, "
                  "accepted_on = %s, due_date = %s, due_provisional = %s, current_step = %s "
                  "WHERE id = %s AND row_version = %s",
        "review": "UPDATE cases_case SET status = %s, row_version = row_version + 1, current_step = %s "
                  "WHERE id = %s AND row_version = %s",
        "decide": "UPDATE cases_case SET status = %s, row_version = row_version + 1, decision = %s, "
                  "decision_reason = %s, decided_at = %s WHERE id = %s AND row_version = %s",
        "complete": "UPDATE cases_case SET status = %s, row_version = row_version + 1, completed_at = %s, "
                    "completed_on = %s, closed_at = %s WHERE id = %s AND row_version = %s",
    }
    submit_data = Jsonb({"channel": Channel.WINDOW})
    no_data = Jsonb({})
    seq = itertools.count()
    connection.ensure_connection()
    conn = connection.connection  # the psycopg connection itself, in autocommit mode
    cur = psycopg.Cursor(conn)  # server-side binding (Django's own cursors bind on the client)

    def raw_steps():
        today: dt.date = clock.today()
        now = clock.now()
        row = list(values)
        row[i_no], row[i_at] = f"RAW-{next(seq):07d}", now
        with conn.transaction():
            cur.execute(insert_case, row, prepare=True)
            case_id = cur.fetchone()[0]
            cur.execute(insert_event, (case_id, now, "submit", "", Status.PENDING, officer.user_id, officer.name,
                                       Role.WINDOW_OFFICER, 0, submit_data), prepare=True)
        yield "submit"
        steps = [
            ("accept", Status.PENDING, Status.IN_REVIEW, officer, Role.WINDOW_OFFICER, 1,
             (officer.pk, today, today, False, 2)),
            ("review", Status.IN_REVIEW, Status.IN_REVIEW, chief, Role.CHIEF_REP, 2, (3,)),
            ("decide", Status.IN_REVIEW, Status.DECIDED, head, Role.DEPT_HEAD, 3, (Decision.APPROVE, "", now)),
            ("complete", Status.DECIDED, Status.COMPLETED, officer, Role.WINDOW_OFFICER, 3, (now, today, now)),
        ]
        for version, (action, frm, to, who, role, step, changes) in enumerate(steps):
            with conn.transaction():
                cur.execute(updates[action], (to, *changes, case_id, version), prepare=True)
                assert cur.rowcount == 1
                cur.execute(insert_event, (case_id, clock.now(), action, frm, to, who.user_id, who.name, role, step,
                                           no_data), prepare=True)
            yield action

    return raw_steps


def run(steps, count: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds (of this process) spent on ``count`` lifecycles."""
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(count):
        for _step in steps():
            pass
    return time.perf_counter() - t0, time.process_time() - c0


def compare(paths: dict, n: int) -> tuple[dict, dict]:
    """Per path: lifecycles per wall second and per CPU second, best of ROUNDS rounds; and per path
    its wall time beside the first path's in each chunk (the median of those ratios).

    Within a round the paths take turns in chunks of CHUNK lifecycles, so a change in the load
    of the machine falls on all alike; the per-chunk ratios keep a busy machine (other processes
    coming and going) from deciding the ratio through which path's best round was the quieter.
    """
    best = {name: (0.0, 0.0) for name in paths}
    first = next(iter(paths))
    ratios: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(ROUNDS):
        spent = {name: [0.0, 0.0] for name in paths}
        done = 0
        while done < n:
            k = min(CHUNK, n - done)
            order = list(paths.items()) if (done // CHUNK) % 2 == 0 else list(reversed(paths.items()))
            chunk = {}
            for name, steps in order:
                wall, cpu = run(steps, k)
                chunk[name] = wall
                spent[name][0] += wall
                spent[name][1] += cpu
            for name in paths:
                ratios[name].append(chunk[name] / chunk[first])  # the other path's time ÷ the first's
            done += k
        for name, (wall, cpu) in spent.items():
            best[name] = max(best[name], (n / wall, n / cpu))
    return best, {name: statistics.median(r) for name, r in ratios.items()}


def main(n: int = 300) -> None:
    vendor = setup()
    import logging

    logging.getLogger("zhengwu.notify").setLevel(logging.WARNING)  # the console notifier logs each SMS
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    service_steps, orm_steps, raw_steps = prepare()
    paths = {"service": service_steps, "orm": orm_steps}
    if raw_steps is not None:
        paths["raw"] = raw_steps

    def queries(steps):
        """SQL statements per step, and how many of all were transaction control (BEGIN, COMMIT …).

        (Django's query log; the raw path bypasses it, and sends the ORM path's statements by construction.)
        """
        per_step, control = {}, 0
        it = steps()
        while True:
            with CaptureQueriesContext(connection) as ctx:
                step = next(it, None)
            if step is None:
                return per_step, control
            sqls = [q["sql"].split(None, 1)[0].upper() for q in ctx.captured_queries]
            n_control = sum(s in TX_CONTROL for s in sqls)
            per_step[step] = len(sqls) - n_control
            control += n_control

    # Warm up every path (plans, calendars, connection, prepared statements) as a running server is.
    for steps in paths.values():
        run(steps, 20)
    best, paired = compare(paths, n)
    (svc_wall, svc_cpu), (orm_wall, orm_cpu) = best["service"], best["orm"]
    q_service, c_service = queries(service_steps)
    q_orm, c_orm = queries(orm_steps)

    def fmt(q, c):
        steps = " + ".join(f"{k} {v}" for k, v in q.items())
        return f"{sum(q.values())} ({steps}; plus {c} transaction-control statements)"

    print(f"database: {vendor}; {n} lifecycles per path and round, best of {ROUNDS} rounds, taking turns "
          "(submit → accept → review → decide → complete, 3-step item, no materials, no fees)")
    print(f"zhengwu services           : {svc_wall:10,.0f} lifecycles/s  ({svc_cpu:,.0f} per CPU second of this process)")
    print(f"bare Django ORM, same rows : {orm_wall:10,.0f} lifecycles/s  ({orm_cpu:,.0f} per CPU second of this process)")
    if "raw" in best:
        raw_wall, raw_cpu = best["raw"]
        print(f"raw SQL floor (psycopg)    : {raw_wall:10,.0f} lifecycles/s  ({raw_cpu:,.0f} per CPU second of this process)")
        print(f"services / raw floor       : {paired['raw']:10.2f}x (target >= 0.5x; best rounds: {svc_wall / raw_wall:.2f}x,"
              f" CPU: {svc_cpu / raw_cpu:.2f}x)")
    else:
        print("raw SQL floor              : (PostgreSQL only)")
    print(f"services / bare ORM        : {paired['orm']:10.2f}x (best rounds: {svc_wall / orm_wall:.2f}x,"
          f" CPU: {svc_cpu / orm_cpu:.2f}x)")
    print(f"  (ratios: the median over the {ROUNDS * -(-n // CHUNK)} chunks of {CHUNK} lifecycles in which the paths"
          " ran back to back)")
    print(f"queries per lifecycle      : services {fmt(q_service, c_service)}")
    print(f"                             ORM      {fmt(q_orm, c_orm)}")
    if "raw" in best:
        print("                             raw      the ORM path's statements, by construction")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
