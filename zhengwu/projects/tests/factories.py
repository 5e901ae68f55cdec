"""A county with four stage bundles and joint cases written straight through the ORM (the joint services
are another app's; these tests only read ``JointCase`` rows as those services leave them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from zhengwu.cases.models import Case, Status
from zhengwu.cases.tests.factories import MATERIALS, STEPS, USCC, _fields, build_world
from zhengwu.catalog.models import Bundle, BundleVersion, ItemVersion
from zhengwu.catalog.services import item_upsert
from zhengwu.joint.models import JointCase, JointStatus
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

from .. import services

CODE = "2026-130621-47-01-000001"
CODE2 = "2026-130621-47-03-000002"
STAGE_NAMES = {1: "立项用地规划许可", 2: "工程建设许可", 3: "施工许可", 4: "竣工验收", 5: "并行推进"}


def world() -> SimpleNamespace:
    w = build_world()
    w.housing = f.department(w.county, code="D003", name="示范县住房和城乡建设局")
    w.resources = f.department(w.county, code="D004", name="示范县自然资源和规划局")
    w.housing_item, _ = item_upsert(impl_code="SFX-ZJ-001", department=w.housing,
                                    fields=_fields(name="建筑工程施工许可证核发", promised_limit=5),
                                    steps=STEPS, materials=MATERIALS, fees=[])
    w.resources_item, _ = item_upsert(impl_code="SFX-ZR-001", department=w.resources,
                                      fields=_fields(name="建设工程规划许可证核发", promised_limit=10),
                                      steps=STEPS, materials=MATERIALS, fees=[])
    w.bundles = {s: bundle(s, lead=w.resources if s in (1, 2) else w.housing) for s in (1, 2, 3, 4, 5)}
    w.admin = f.staff("1101", Role.HALL_ADMIN, hall=w.center, name="中心管理员")
    w.clerk = f.staff("1100", Role.WINDOW_OFFICER, hall=w.center, name="综合窗口")  # 综合窗口: no department
    w.housing_officer = f.staff("1102", Role.WINDOW_OFFICER, department=w.housing, hall=w.center, name="住建窗口")
    w.resources_head = f.staff("1103", Role.DEPT_HEAD, department=w.resources, region=w.county, name="自规局长")
    w.supervisor = f.staff("1104", Role.SUPERVISOR, region=w.county, name="郑监察")
    w.town_leader = f.staff("1105", Role.LEADER, region=w.town, name="镇长")
    return w


def bundle(stage: int, *, lead, days: int = 20) -> Bundle:
    b = Bundle.objects.create(code=f"SFX-GC-{stage}", name=f"{STAGE_NAMES[stage]}阶段联办", status="active")
    v = BundleVersion.objects.create(bundle=b, version=1, state=ItemVersion.State.PUBLISHED, name=b.name,
                                     lead_department=lead, promised_days=days, project_stage=stage,
                                     published_at=timezone.now())
    b.current = v
    b.save(update_fields=["current"])
    return b


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


_seq = {"n": 0}


def joint(w, stage: int, *, accepted_on: dt.date | None, completed_on: dt.date | None = None,
          status: str | None = None, children=(), hall=None) -> JointCase:
    """A 联办件 for ``stage``'s bundle; ``children`` are (item, status, due_date) for its 子件."""
    _seq["n"] += 1
    n = _seq["n"]
    b = w.bundles[stage]
    if status is None:
        status = (JointStatus.COMPLETED if completed_on else
                  JointStatus.IN_REVIEW if accepted_on else JointStatus.SUBMITTED)
    j = JointCase.objects.create(
        case_no=f"LB2026{n:06d}", bundle=b, bundle_version=b.current, lead_department=b.current.lead_department,
        hall=hall or w.center, status=status, applicant_name="示范县城投建设有限公司", contact_phone="13812345678",
        submitted_at=at(accepted_on or dt.date(2026, 9, 1), 9), accepted_on=accepted_on,
        due_date=None, completed_at=at(completed_on, 16) if completed_on else None)
    for k, (item, st, due) in enumerate(children, start=1):
        Case.objects.create(
            case_no=f"{j.case_no}-{k}", item=item, item_version=item.current, department=item.department,
            hall=j.hall, channel="window", status=st, applicant_kind="legal", applicant_name=j.applicant_name,
            uscc=USCC, contact_phone="13812345678", accepted_on=accepted_on, due_date=due, joint=j, joint_seq=k)
    return j


def register(w, *, code: str = CODE, staff=None, **over):
    fields = dict(code=code, name="示范县标准化厂房建设项目", owner_name="示范县城投建设有限公司", owner_uscc=USCC,
                  investment=Decimal("12000.50"), land_source="auction", land_area=Decimal("33350.00"),
                  building_area=Decimal("42000.00"))
    fields.update(over)
    return services.project_register(staff=staff or w.clerk, **fields)


def complete(j: JointCase, day: dt.date) -> None:
    JointCase.objects.filter(pk=j.pk).update(status=JointStatus.COMPLETED, completed_at=at(day, 16))
    Case.objects.filter(joint=j).update(status=Status.COMPLETED)
