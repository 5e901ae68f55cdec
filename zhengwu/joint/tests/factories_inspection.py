"""A 联办件 of three departments built straight through the ORM and the cases services (no joint services):
the lead 市场监管局 (the cases factories' department) and two co-departments, one 子件 each, all accepted
(审查中) at the county center."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from zhengwu.cases import services as s
from zhengwu.cases.models import Case
from zhengwu.cases.tests.factories import MATERIALS, STEPS, _fields, applicant, build_world, pdf
from zhengwu.catalog.models import Bundle, BundleMember, BundleVersion, ItemVersion
from zhengwu.catalog.services import item_upsert
from zhengwu.core import clock
from zhengwu.joint.models import JointCase, JointStatus
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

DAY = dt.date(2026, 3, 10)  # a Tuesday


def _item(code, dept, name, special=("site_survey",)):
    item, _ = item_upsert(impl_code=code, department=dept, fields=_fields(name=name, special_procedures=list(special)),
                          steps=STEPS, materials=MATERIALS, fees=[])
    return item


def _accepted(w, item, officer) -> Case:
    mats = list(item.current.materials.order_by("seq"))
    case = s.case_submit(item=item, applicant=applicant(), channel="window", officer=officer,
                         files=[(mats[0].pk, pdf()), (mats[1].pk, pdf())])
    s.case_accept(case=case, officer=officer)
    return case


def build_joint(*, stops_clock: bool = False, absent_deemed: bool = True, max_rounds: int = 2, day=DAY,
                special=("site_survey",)) -> SimpleNamespace:
    """``w``: the cases world plus ``joint``, ``children`` and the co-departments' staff.

    Lead: ``w.dept`` (officer 李窗口, chief 赵首代, head 钱局长). Co 1: ``w.other_dept`` (公安, officer
    ``w.outsider`` and chief ``w.co1_chief``). Co 2: 县消防救援大队 (chief ``w.co2_chief``). Not in the case:
    县自然资源局 (chief ``w.stranger``).
    """
    w = build_world(special_procedures=list(special))
    w.co1 = w.other_dept
    w.co2 = f.department(w.county, code="D003", name="示范县消防救援大队")
    w.unrelated = f.department(w.county, code="D004", name="示范县自然资源局")
    w.co1_window = f.window(w.center, "6", w.co1)
    w.co2_window = f.window(w.center, "7", w.co2)
    w.outsider.windows.add(w.co1_window)
    w.co1_chief = f.staff("2001", Role.CHIEF_REP, department=w.co1, hall=w.center, name="郑首代")
    w.co2_officer = f.staff("3001", Role.WINDOW_OFFICER, department=w.co2, hall=w.center, name="冯窗口")
    w.co2_officer.windows.add(w.co2_window)
    w.co2_chief = f.staff("3002", Role.CHIEF_REP, department=w.co2, hall=w.center, name="陈首代")
    w.stranger = f.staff("4001", Role.CHIEF_REP, department=w.unrelated, hall=w.center, name="褚首代")
    w.item1 = _item("SFX-GA-001", w.co1, "公章刻制业特种行业许可", special)
    w.item2 = _item("SFX-XF-001", w.co2, "公众聚集场所投入使用营业前消防安全检查", special)

    bundle = Bundle.objects.create(code="BD-TEST-001", name="开办餐饮店")
    version = BundleVersion.objects.create(
        bundle=bundle, version=1, state=ItemVersion.State.PUBLISHED, name="开办餐饮店", lead_department=w.dept, promised_days=10,
        absent_deemed=absent_deemed, inspection_stops_clock=stops_clock, max_inspection_rounds=max_rounds)
    for seq, item in enumerate([w.item, w.item1, w.item2], start=1):
        BundleMember.objects.create(version=version, seq=seq, item=item)
    Bundle.objects.filter(pk=bundle.pk).update(current=version)
    with clock.frozen(day):
        w.joint = JointCase.objects.create(
            case_no="LB2026031000001", bundle=bundle, bundle_version=version, lead_department=w.dept,
            hall=w.center, status=JointStatus.IN_REVIEW, applicant_name="张三", contact_phone="13812345678",
            accepted_by=w.officer, accepted_on=day)
        w.children = []
        for seq, (item, officer) in enumerate([(w.item, w.officer), (w.item1, w.outsider),
                                               (w.item2, w.co2_officer)], start=1):
            case = _accepted(w, item, officer)
            Case.objects.filter(pk=case.pk).update(joint=w.joint, joint_seq=seq)
            w.children.append(case)
    w.bundle, w.version = bundle, version
    return w


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def attendance(w, *, co1="present", co2="absent", co1_reason="", co2_reason=""):
    """An on-site record: co 1 and co 2 as given (present rows get an attendee and an opinion)."""
    def row(dept, kind, reason, person):
        r = {"department_id": dept.pk, "attendance": kind, "absence_reason": reason}
        if kind == "present":
            r.update(attendee=person, opinion="现场条件符合要求，同意")
        return r

    return [row(w.co1, co1, co1_reason, "郑首代"), row(w.co2, co2, co2_reason, "陈首代")]


def another_joint(w, *, case_no="LB2026031000002", day=DAY) -> JointCase:
    """A second 联办件 of the same bundle in the same world: the lead's and co 1's items."""
    with clock.frozen(day):
        joint = JointCase.objects.create(
            case_no=case_no, bundle=w.bundle, bundle_version=w.version, lead_department=w.dept, hall=w.center,
            status=JointStatus.IN_REVIEW, applicant_name="李四", contact_phone="13812345679", accepted_by=w.officer,
            accepted_on=day)
        for seq, (item, officer) in enumerate([(w.item, w.officer), (w.item1, w.outsider)], start=1):
            case = _accepted(w, item, officer)
            Case.objects.filter(pk=case.pk).update(joint=joint, joint_seq=seq)
    return joint
