"""The demo county's 工程建设项目: two projects in different stages, registered at the county centre by its
中心管理员 and linked to the stage joint cases (联办件) through the project services.

- 示范县智能制造产业园标准化厂房项目: 立项用地规划许可 and 工程建设许可 finished, 施工许可 running with two
  open 子件 (one past its due date, so the project page shows a blocker marked 超期);
- 示范县城关街道保障性安置住房项目: 立项用地规划许可 running.

Stage joint cases come from the demo's joint cases when there are unlinked ones of the right stage and state
(``demo/joint_cases.py``); otherwise, and for stages without a demo bundle (``demo/bundles.py``), this module
writes its own bundle and 联办件 rows through the ORM, as the project tests do (their history is the
projects', not a joint workflow's). Idempotent: nothing is made when the first project exists.
Call after ``load_demo`` and ``load_demo_cases`` (and the bundles and joint cases): ``build_projects(stdout=...)``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhengwu.cases.models import Case, Status
from zhengwu.catalog.models import Bundle, BundleMember, BundleVersion, Item, ItemVersion
from zhengwu.core import clock
from zhengwu.core.validators import uscc_check_char
from zhengwu.joint.models import JointCase, JointStatus
from zhengwu.org.models import Department, Hall, Region, Staff
from zhengwu.projects import services
from zhengwu.projects.models import Project, ProjectStage
from zhengwu.workdays import engine

from .geography import CENTER_CODE, TOWNS
from .people import DEMO_ACCOUNTS

REGISTRAR = next(a.username for a in DEMO_ACCOUNTS if a.username == "zxgly")
# stage: (lead department, bundle name) for the fallback bundles
STAGE_BUNDLES = {
    1: ("示范县自然资源和规划局", "工程建设项目立项用地规划许可阶段（一件事）"),
    2: ("示范县自然资源和规划局", "工程建设项目工程建设许可阶段（一件事）"),
    3: ("示范县住房和城乡建设局", "工程建设项目施工许可阶段（一件事）"),
    4: ("示范县住房和城乡建设局", "工程建设项目竣工验收阶段（联合验收）"),
}
STAGE_DAYS = {1: 20, 2: 25, 3: 20, 4: 20}


def _uscc(body: str) -> str:
    first17 = f"91130621{body}"
    return first17 + uscc_check_char(first17)


PROJECTS = [
    dict(code="2026-130621-47-01-000101", name="示范县智能制造产业园标准化厂房项目", owner_name="示范县产业投资发展有限公司",
         owner_uscc=_uscc("MA0C1P2Q3"), investment=Decimal("18500.00"), land_source="auction",
         land_area=Decimal("46690.00"), building_area=Decimal("58200.00")),
    dict(code="2026-130621-47-03-000102", name="示范县城关街道保障性安置住房项目", owner_name="示范县城市建设投资有限公司",
         owner_uscc=_uscc("MA0C1P2R1"), investment=Decimal("9600.00"), land_source="allocation",
         land_area=Decimal("21340.00"), building_area=Decimal("38600.00")),
]


def _workdays_before(today: dt.date, n: int, region) -> dt.date:
    d, k = today, 0
    while k < n:
        d -= dt.timedelta(days=1)
        if engine.is_workday(d, region=region):
            k += 1
    return d


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _stage_bundle(stage: int) -> Bundle:
    """The demo's published bundle for ``stage``, or this module's own (with the lead's items as members)."""
    found = (Bundle.objects.filter(current__project_stage=stage, current__state=ItemVersion.State.PUBLISHED)
             .select_related("current").order_by("code").first())
    if found is not None:
        return found
    lead_name, name = STAGE_BUNDLES[stage]
    lead = Department.objects.get(name=lead_name)
    b = Bundle.objects.create(code=f"SFX-GCXM-{stage}", name=name, status="active")
    v = BundleVersion.objects.create(bundle=b, version=1, state=ItemVersion.State.PUBLISHED, name=name,
                                     lead_department=lead, promised_days=STAGE_DAYS[stage], project_stage=stage,
                                     published_at=clock.now(), description="演示数据：工程建设项目审批阶段")
    items = list(Item.objects.filter(department=lead, current__isnull=False).order_by("impl_code")[:2])
    BundleMember.objects.bulk_create([BundleMember(version=v, seq=k, item=i) for k, i in enumerate(items, 1)])
    b.current = v
    b.save(update_fields=["current"])
    return b


def _members(b: Bundle) -> list[Item]:
    items = [m.item for m in b.current.members.select_related("item__current", "item__department").order_by("seq")]
    return [i for i in items if i.current_id]


def _joint(stage: int, *, center: Hall, owner: dict, accepted: dt.date, mode: str, today: dt.date,
           after: dt.date | None = None, before: dt.date | None = None) -> tuple[JointCase, bool]:
    """A demo 联办件 for ``stage`` and whether it was written here: an unlinked one of the demo's joint cases if
    one fits the project's timeline (accepted on or after ``after``, finished before ``before``), else a new one
    accepted on ``accepted`` (``mode``: ``done`` its 子件 to be decided, ``late`` one 子件 past its due date,
    ``on_time``), left 并联审查中 for the caller to complete."""
    want = JointStatus.COMPLETED if mode == "done" else JointStatus.IN_REVIEW
    found = JointCase.objects.filter(bundle_version__project_stage=stage, project_stage__isnull=True, status=want,
                                     accepted_on__isnull=False, hall=center)
    if after is not None:
        found = found.filter(accepted_on__gte=after)
    if before is not None:
        found = found.filter(completed_at__lt=_at(before, 0))
    found = found.order_by("accepted_on", "id").first()
    if found is not None:
        return found, False
    b = _stage_bundle(stage)
    no = f"LBGC{accepted:%Y%m%d}{stage:02d}{Project.objects.count():02d}"
    j = JointCase.objects.create(
        case_no=no, bundle=b, bundle_version=b.current, lead_department=b.current.lead_department, hall=center,
        status=JointStatus.IN_REVIEW, applicant_name=owner["owner_name"], contact_phone="03126012345",
        submitted_at=_at(accepted, 9), accepted_on=accepted,
        promised_due=engine.add_workdays(accepted, b.current.promised_days, region=center.region))
    dues = []
    for k, item in enumerate(_members(b), start=1):
        days = item.current.promised_limit or 5
        if mode == "late" and k == 1:
            due = _workdays_before(today, 2, center.region)
        elif mode == "done":
            due = engine.add_workdays(accepted, days, region=center.region)
        else:
            due = engine.add_workdays(today, 5, region=center.region)
        dues.append(due)
        Case.objects.create(
            case_no=f"{no}-{k}", item=item, item_version=item.current, department=item.department, hall=center,
            channel="window", status=Status.IN_REVIEW, applicant_kind="legal", applicant_name=owner["owner_name"],
            uscc=owner["owner_uscc"], legal_rep="王建国", contact_phone="03126012345", submitted_at=_at(accepted, 9),
            accepted_on=accepted, promised_days=days, due_date=due, joint=j, joint_seq=k)
    if dues:
        JointCase.objects.filter(pk=j.pk).update(due_date=max(dues))
    return j, True


def _complete(j: JointCase, day: dt.date) -> None:
    """The 子件 decided and finished, the lead's combined result issued on ``day`` (rows written here only)."""
    Case.objects.filter(joint=j).update(status=Status.COMPLETED, decision="approve", decided_at=_at(day, 11),
                                        completed_at=_at(day, 15), completed_on=day)
    JointCase.objects.filter(pk=j.pk).update(status=JointStatus.COMPLETED, completed_at=_at(day, 16),
                                             result_issued_at=_at(day, 16), result_no=f"LHSP-{j.case_no}"[:40])


def build_projects(*, stdout=None) -> int:
    """Create the two demo projects once; returns how many were made (0 when they exist)."""
    if Project.objects.filter(code=PROJECTS[0]["code"]).exists():
        return 0
    say = stdout.write if stdout is not None else (lambda _m: None)
    center = Hall.objects.select_related("region").get(code=CENTER_CODE)
    staff = Staff.objects.select_related("hall__region", "region").get(user__username=REGISTRAR)
    town = Region.objects.get(code=TOWNS[0].code)
    today = clock.today()

    def day(n: int) -> dt.date:  # n working days ago
        return _workdays_before(today, n, center.region)

    own = 0
    with transaction.atomic():
        with clock.frozen(_at(day(60), 10)):
            a = services.project_register(staff=staff, **PROJECTS[0])
        with clock.frozen(_at(day(20), 10)):
            b = services.project_register(staff=staff, region=town, **PROJECTS[1])
        # A: 立项用地规划许可 (18 working days), 工程建设许可 (22), 施工许可 running for 9 with a late 子件
        plan = [(1, day(58), day(40), day(36)), (2, day(36), day(14), day(9)), (3, day(9), None, None)]
        after = None
        for stage, accepted, completed, before in plan:
            j, made = _joint(stage, center=center, owner=PROJECTS[0], accepted=max(accepted, after or accepted),
                             today=today, mode="late" if completed is None else "done", after=after, before=before)
            own += made
            with clock.frozen(_at(j.accepted_on, 17)):
                services.project_stage_link(project=a, stage=stage, joint=j, staff=staff)
            if made and completed:
                _complete(j, completed)
                with clock.frozen(_at(completed, 17)):
                    services.project_stage_refresh(project=a)
            after = ProjectStage.objects.get(project=a, stage=stage).finished_on
        # B: 立项用地规划许可 running for 6 working days, on time
        j, made = _joint(1, center=center, owner=PROJECTS[1], accepted=day(6), mode="on_time", today=today)
        own += made
        with clock.frozen(_at(j.accepted_on, 17)):
            services.project_stage_link(project=b, stage=1, joint=j, staff=staff)
    note = f"，其中 {own} 个阶段联办件为本模块直接生成" if own else ""
    say(f"工程建设项目演示数据已就绪：2 个项目（施工许可阶段、立项用地规划许可阶段）{note}。\n")
    return 2
