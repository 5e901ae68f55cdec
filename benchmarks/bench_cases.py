"""Full case lifecycles per second through the services, beside the bare ORM writing the same rows.

A lifecycle is submit (at the window) → accept → review → decide → complete on a three-step item
without materials or fees. The services check state, scope, role and input in memory, compute the
due date, and write one guarded UPDATE plus one event per action (submit: counter upsert, case
INSERT, event INSERT). The peer writes the same rows with the ORM and nothing else: per step one
transaction with one Case UPDATE and one CaseEvent INSERT; submit is one Case INSERT and one event
INSERT.

Run: .venv/bin/python benchmarks/bench_cases.py [N]     (default N=300; best of 3 rounds, paths taking turns)
     DATABASE_URL=postgres://…/zhengwu_bench …           (an empty database: it builds its own county)
Target: the services at least 0.8x the bare ORM, and at least 400 lifecycles/s on SQLite.
"""

from __future__ import annotations

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

    return service_steps, orm_steps


def run(steps, count: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds (of this process) spent on ``count`` lifecycles."""
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(count):
        for _step in steps():
            pass
    return time.perf_counter() - t0, time.process_time() - c0


def compare(paths: dict, n: int) -> dict:
    """Per path: lifecycles per wall second and per CPU second, best of ROUNDS rounds.

    Within a round the paths take turns in chunks of CHUNK lifecycles, so a change in the load
    of the machine falls on both alike.
    """
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


def main(n: int = 300) -> None:
    vendor = setup()
    import logging

    logging.getLogger("zhengwu.notify").setLevel(logging.WARNING)  # the console notifier logs each SMS
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    service_steps, orm_steps = prepare()

    def queries(steps):
        """SQL statements per step, and how many of all were transaction control (BEGIN, COMMIT …)."""
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

    # Warm up both (plans, calendars, connection) as a running server is.
    run(service_steps, 20)
    run(orm_steps, 20)
    best = compare({"service": service_steps, "orm": orm_steps}, n)
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
    print(f"ratio                      : {svc_wall / orm_wall:10.2f}x (target >= 0.8x; CPU: {svc_cpu / orm_cpu:.2f}x)")
    print(f"queries per lifecycle      : services {fmt(q_service, c_service)}")
    print(f"                             ORM      {fmt(q_orm, c_orm)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
