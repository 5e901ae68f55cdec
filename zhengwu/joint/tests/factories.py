"""A 联办事项 of three departments on top of the cases world: the lead 市场监管局 (the cases factories'
department and item, 5 working days), 公安 (8 days) and 消防 (its share set to 3 days), 10 days in all,
超时默认 on. 经营场所平面图 is asked by the lead and 公安, 营业执照 by 公安 and 消防: each once in the
combined list."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from zhengwu.cases.tests.factories import applicant, build_world, pdf
from zhengwu.catalog.bundles import bundle_upsert
from zhengwu.catalog.selectors import bundle_materials
from zhengwu.catalog.services import item_upsert
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

DAY = dt.date(2026, 3, 10)  # a Tuesday

TWO_STEPS = [{"seq": 1, "name": "受理", "role": Role.WINDOW_OFFICER, "days": 1},
             {"seq": 2, "name": "审核决定", "role": Role.CHIEF_REP, "days": 0}]


def _mat(seq, name, necessity="required"):
    return {"seq": seq, "name": name, "necessity": necessity, "form": "both", "source": "申请人自备", "copies": 1,
            "spec": "A4", "notes": "", "acceptance_standard": ""}


def _fields(name, promised):
    return dict(name=name, kind="license", legal_limit=20, promised_limit=promised, case_type="promised", visits=1,
                online_depth=4, handling_tiers=["county"], village_intake=True, special_procedures=["site_survey"],
                result_name=name)


def build_bundle_world(*, deemed: bool = True, promised_days: int = 10) -> SimpleNamespace:
    w = build_world()
    w.co1 = w.other_dept
    w.co2 = f.department(w.county, code="D003", name="示范县消防救援大队")
    w.co1_window = f.window(w.center, "6", w.co1)
    w.co2_window = f.window(w.center, "7", w.co2)
    w.outsider.windows.add(w.co1_window)
    w.co1_chief = f.staff("2001", Role.CHIEF_REP, department=w.co1, hall=w.center, name="郑首代")
    w.co2_officer = f.staff("3001", Role.WINDOW_OFFICER, department=w.co2, hall=w.center, name="冯窗口")
    w.co2_officer.windows.add(w.co2_window)
    w.co2_chief = f.staff("3002", Role.CHIEF_REP, department=w.co2, hall=w.center, name="陈首代")
    w.item1, _ = item_upsert(impl_code="SFX-GA-001", department=w.co1, fields=_fields("特种行业许可", 8),
                             steps=TWO_STEPS, materials=[_mat(1, "营业执照"), _mat(2, "经营场所平面图")], fees=[])
    w.item2, _ = item_upsert(impl_code="SFX-XF-001", department=w.co2, fields=_fields("消防安全检查", 8),
                             steps=TWO_STEPS, materials=[_mat(1, "营业执照"), _mat(2, "消防设计图")], fees=[])
    w.bundle, _ = bundle_upsert(code="BD-CYD", fields={
        "name": "开办餐饮店", "lead_department": w.dept, "mode": "notify", "promised_days": promised_days,
        "deemed": deemed, "absent_deemed": True, "inspection_stops_clock": False, "max_inspection_rounds": 2,
        "project_stage": 0, "description": "一次告知、一表申请、一窗受理、并联审批"},
        members=[w.item, w.item1, {"item": w.item2, "promised_days": 3}])
    w.lines = {m.name: n for n, m in enumerate(bundle_materials(w.bundle.current), start=1)}
    return w


def all_files(w, *, skip=()):
    return [(n, pdf(f"{name}.pdf")) for name, n in w.lines.items() if name not in skip and name != "授权委托书"]


def window_apply(w, *, skip=(), user=None):
    from zhengwu.joint.services import joint_submit

    return joint_submit(bundle=w.bundle, applicant=applicant(), channel="window", officer=w.officer,
                        files=all_files(w, skip=skip))


def online_apply(w, *, skip=()):
    from zhengwu.joint.services import joint_submit

    return joint_submit(bundle=w.bundle, applicant=applicant(), channel="online", user=w.citizen,
                        files=all_files(w, skip=skip))


def children(joint):
    from zhengwu.cases.models import Case

    return list(Case.objects.select_related("hall__region").filter(joint=joint).order_by("joint_seq"))


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)
