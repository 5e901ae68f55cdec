"""联办件 (a bundle of 4 departments) through their whole life per second, beside the bare ORM writing the
same rows.

One lifecycle: 窗口收件 of the bundle (one 联办件, four 子件, materials received on paper at acceptance) →
统一受理 (every 子件 accepted through the case service: due dates from the member limits, clocks started)
→ three co-departments' opinions (同意) → each department's decision (准予, at its 审核决定 step) → the
lead's combined result (已办结). The services check status, actor and scope at every step, lock the
联办件, refresh its derived status, and write their event rows. The peer writes the same kinds of rows with
the ORM, one transaction per step, and nothing else (no reads, no checks, due dates precomputed): the
counter upsert, the 联办件 and 子件 INSERTs and UPDATEs, the paper CaseMaterial rows, the case and step
Clock INSERTs and their UPDATEs, CaseEvent and JointEvent rows, the opinions. Statements per step are
printed for both.

Run: .venv/bin/python benchmarks/bench_joint.py [N]      (default N=100; best of 3 rounds)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengwu_bench_joint .venv/bin/python benchmarks/bench_joint.py
Target: the services at least 0.8x the bare ORM.
"""

from __future__ import annotations

import os
import sys

from _setup import setup
from bench_hotline import ROUNDS, compare, load, queries

RATIO_TARGET = 0.8


def prepare():
    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import override_settings

    from zhengwu.cases.models import Case, CaseEvent, CaseMaterial, Status
    from zhengwu.cases.plan import plan_for
    from zhengwu.cases.services.common import _next_case_no
    from zhengwu.cases.tests.factories import applicant
    from zhengwu.catalog.bundles import bundle_upsert
    from zhengwu.catalog.services import item_upsert
    from zhengwu.core import clock
    from zhengwu.joint import services as js
    from zhengwu.joint.models import JointCase, JointEvent, JointOpinion, JointStatus
    from zhengwu.joint.tests.factories import TWO_STEPS, _fields, _mat, build_bundle_world
    from zhengwu.org.models import Role, Staff
    from zhengwu.org.tests import factories as f
    from zhengwu.supervision.models import Clock
    from zhengwu.workdays import engine

    if Staff.objects.exists():
        sys.exit("bench_joint needs an empty database (it builds its own county); point DATABASE_URL at a new one")
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        w = build_bundle_world()
        co3 = f.department(w.county, code="D005", name="示范县生态环境分局")
        co3_chief = f.staff("5001", Role.CHIEF_REP, department=co3, hall=w.center, name="卫首代")
    lead_item, _ = item_upsert(impl_code="SFX-SCJG-009", department=w.dept, fields=_fields("食品经营许可", 5),
                               steps=TWO_STEPS, materials=[_mat(1, "食品经营许可申请书"), _mat(2, "经营场所平面图")],
                               fees=[])
    item3, _ = item_upsert(impl_code="SFX-HB-001", department=co3, fields=_fields("排污许可", 8), steps=TWO_STEPS,
                           materials=[_mat(1, "营业执照"), _mat(2, "排污口设置说明")], fees=[])
    bundle, _ = bundle_upsert(code="BD-BENCH", fields={
        "name": "开办餐饮店（基准）", "lead_department": w.dept, "mode": "notify", "promised_days": 10,
        "deemed": True, "absent_deemed": True, "inspection_stops_clock": False, "max_inspection_rounds": 2,
        "project_stage": 0, "description": ""}, members=[lead_item, w.item1, w.item2, item3])
    officer, chief, c1, c2, c3 = (Staff.objects.select_related("region", "hall__region", "department").get(pk=x.pk)
                                  for x in (w.officer, w.chief, w.co1_chief, w.co2_chief, co3_chief))
    for x in (officer, chief, c1, c2, c3):
        x.role_codes()
    window = officer.windows.first()
    chiefs = {w.dept.pk: chief, w.co1.pk: c1, w.co2.pk: c2, co3.pk: c3}
    bp = js.bundle_plan(bundle)
    paper = [n for n, ln in enumerate(bp.lines, start=1) if ln.necessity == "required"]
    a = applicant()

    def service_steps():
        joint = js.joint_submit(bundle=bundle, applicant=a, channel="window", officer=officer, window=window)
        yield "submit"
        js.joint_accept(joint=joint, officer=officer, paper_lines=paper, window=window)
        yield "accept"
        kids = list(Case.objects.select_related("hall__region").filter(joint=joint).order_by("joint_seq"))
        for c in kids[1:]:
            js.joint_opinion(case=c, officer=chiefs[c.department_id], kind="agree")
        yield "opinions"
        from zhengwu.cases.services import case_decide

        for c in kids:
            case_decide(case=c, officer=chiefs[c.department_id], decision="approve", window=window)
        yield "decide"
        js.joint_result(joint=joint, officer=chief)
        assert JointCase.objects.get(pk=joint.pk).status == JointStatus.COMPLETED
        yield "result"

    # -- the bare ORM, same rows --------------------------------------------------------------------------
    members = [(m.item, js.member_limit(m, bp.version), plan_for(m.item.current_id)) for m in bp.members]
    hall, region = w.center, w.center.region
    cal = engine.calendar_for(region)
    from zhengwu.supervision.clocks import department_head

    heads = {d: department_head(d, region.code) for d in chiefs}  # precomputed, like the due dates

    def orm_steps():
        today, now = clock.today(), clock.now()
        with transaction.atomic():
            no = _next_case_no(hall, today)
            joint = JointCase.objects.create(case_no=no, bundle=bundle, bundle_version=bp.version,
                                             lead_department=w.dept, hall=hall, status=JointStatus.SUBMITTED,
                                             applicant_name=a.name, contact_phone=a.phone)
            kids = [Case.objects.create(
                case_no=f"{no}-{k}", item=item, item_version_id=item.current_id, department_id=item.department_id,
                hall=hall, channel="window", status=Status.PENDING, applicant_kind=a.kind, applicant_name=a.name,
                id_number=a.id_number, contact_phone=a.phone, first_officer=officer, promised_days=days,
                joint=joint, joint_seq=k) for k, (item, days, _p) in enumerate(members, start=1)]
            CaseEvent.objects.bulk_create([CaseEvent(case=c, action="submit", to_status=Status.PENDING,
                                                     actor_id=officer.user_id, actor_name=officer.name,
                                                     role="window_officer", window=window) for c in kids])
            JointEvent.objects.create(joint=joint, action="submit", to_status=JointStatus.SUBMITTED,
                                      actor_id=officer.user_id, actor_name=officer.name)
        yield "submit"
        with transaction.atomic():
            dues = []
            for c, (item, days, plan) in zip(kids, members, strict=True):
                due = cal.due(today, days, []).due
                dues.append(due)
                Case.objects.filter(pk=c.pk, row_version=0).update(
                    status=Status.IN_REVIEW, accepted_by=officer, accepted_window=window, accepted_on=today,
                    due_date=due, current_step=2, row_version=F("row_version") + 1)
                for kind, part, d in (("case", 0, due), ("case_step", 2, None)):
                    if kind == "case_step":
                        continue
                    Clock.objects.create(kind_id=kind, subject_type="case", subject_id=c.pk, part=part,
                                         subject_no=c.case_no, title=plan.item_name, item_id=item.pk, region=region,
                                         hall=hall, department_id=c.department_id, window=window,
                                         officer_id=chiefs[c.department_id].pk, head_id=heads[c.department_id],
                                         started_on=today, started_at=now, due_date=d)
                CaseMaterial.objects.bulk_create([CaseMaterial(case=c, material_id=m, name=n, paper_received=True,
                                                               uploaded_by_id=officer.user_id)
                                                  for m, n in plan.required.items()])
                CaseEvent.objects.create(case=c, action="accept", from_status=Status.PENDING,
                                         to_status=Status.IN_REVIEW, actor_id=officer.user_id,
                                         actor_name=officer.name, window=window, step=1)
            JointCase.objects.filter(pk=joint.pk).update(
                status=JointStatus.IN_REVIEW, accepted_by=officer, accepted_window=window, accepted_on=today,
                promised_due=cal.due(today, 10, []).due, due_date=max(dues), row_version=F("row_version") + 1)
            JointEvent.objects.create(joint=joint, action="accept", from_status=JointStatus.SUBMITTED,
                                      to_status=JointStatus.SUBMITTED, actor_id=officer.user_id,
                                      actor_name=officer.name)
            JointEvent.objects.create(joint=joint, action="status", from_status=JointStatus.SUBMITTED,
                                      to_status=JointStatus.IN_REVIEW)
        yield "accept"
        for c in kids[1:]:
            with transaction.atomic():
                who = chiefs[c.department_id]
                JointOpinion.objects.create(case=c, joint=joint, department_id=c.department_id, kind="agree",
                                            by=who)
                JointEvent.objects.create(joint=joint, action="opinion", actor_id=who.user_id, actor_name=who.name,
                                          department_id=c.department_id, data={"case_no": c.case_no})
        yield "opinions"
        for c in kids:
            with transaction.atomic():
                who = chiefs[c.department_id]
                Case.objects.filter(pk=c.pk, row_version=1).update(
                    status=Status.DECIDED, decision="approve", decided_at=now, row_version=F("row_version") + 1)
                Clock.objects.filter(subject_type="case", subject_id=c.pk, kind_id="case").update(deemable=False)
                CaseEvent.objects.create(case=c, action="decide", from_status=Status.IN_REVIEW,
                                         to_status=Status.DECIDED, actor_id=who.user_id, actor_name=who.name, step=2)
                if c is kids[-1]:  # the last decision makes the 联办件 ready, in the same transaction
                    JointCase.objects.filter(pk=joint.pk).update(status=JointStatus.READY,
                                                                 row_version=F("row_version") + 1)
                    JointEvent.objects.create(joint=joint, action="status", from_status=JointStatus.IN_REVIEW,
                                              to_status=JointStatus.READY)
        yield "decide"
        with transaction.atomic():
            JointCase.objects.filter(pk=joint.pk).update(
                status=JointStatus.COMPLETED, result_no=f"LHSP-{no}", result_issued_at=now, result_issued_by=chief,
                completed_at=now, result={"kind": "approval", "lines": []}, row_version=F("row_version") + 1)
            JointEvent.objects.create(joint=joint, action="result", from_status=JointStatus.READY,
                                      to_status=JointStatus.COMPLETED, actor_id=chief.user_id, actor_name=chief.name)
        yield "result"

    del connection
    return service_steps, orm_steps


def main() -> None:
    import logging
    from collections import Counter

    vendor = setup()
    logging.getLogger("zhengwu.notify").setLevel(logging.WARNING)  # the console notifier logs each SMS
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    service_steps, orm_steps = prepare()
    for steps in (service_steps, orm_steps):
        for _ in range(5):
            for _s in steps():
                pass
    print(f"machine: {os.cpu_count()} CPUs, load average {load()} (before)")
    best = compare({"service": service_steps, "orm": orm_steps}, n)
    (svc_wall, svc_cpu), (orm_wall, orm_cpu) = best["service"], best["orm"]
    q_svc, c_svc = queries(service_steps)
    q_orm, c_orm = queries(orm_steps)
    ratio = svc_wall / orm_wall

    def fmt(q, c):
        steps = " + ".join(f"{k} {len(v)}" for k, v in q.items())
        return f"{sum(len(v) for v in q.values())} ({steps}; plus {c} transaction-control statements)"

    print(f"database: {vendor}; {n} lifecycles per path and round, best of {ROUNDS} rounds, taking turns "
          "(联办件 of 4: 收件 → 统一受理 → 3 份协办意见 → 4 个部门决定 → 联合审批结果, 已办结)")
    print(f"zhengwu services           : {svc_wall:10,.1f} joint cases/s  ({svc_cpu:,.1f} per CPU second)")
    print(f"bare Django ORM, same rows : {orm_wall:10,.1f} joint cases/s  ({orm_cpu:,.1f} per CPU second)")
    print(f"ratio                      : {ratio:10.2f}x (target >= {RATIO_TARGET}x: "
          f"{'met' if ratio >= RATIO_TARGET else 'MISSED'}; CPU: {svc_cpu / orm_cpu:.2f}x)")
    print(f"queries per lifecycle      : services {fmt(q_svc, c_svc)}")
    print(f"                             ORM      {fmt(q_orm, c_orm)}")
    writes = lambda q: Counter(k for v in q.values() for k in v if not k.startswith("SELECT"))  # noqa: E731
    print(f"rows-writing statements    : services {dict(sorted(writes(q_svc).items()))}")
    print(f"                             ORM      {dict(sorted(writes(q_orm).items()))}")
    reads = Counter(k for v in q_svc.values() for k in v if k.startswith("SELECT"))
    print(f"services' reads per lifecycle: {', '.join(f'{k} ×{n}' for k, n in reads.most_common())}")
    print(f"load average {load()} (after)")


if __name__ == "__main__":
    main()
