"""The demo county's 全程代办: a few items decided above the county, a center 代办员, and 代办协议 in
every state (待签订 from a village referral, 代办中 with upstream steps, 已办结 with a hand-over, 终止).

The higher-level items are written in the demo's item notation (``spec.S``) and expanded like the
county's own, then marked 市级/省级 with the upstream body as 实施主体名称; each is attached to the county
unit that liaises with that body (县直单位对口上级单位, REFERENCE.md §1). They are not handled in the
hall (``in_hall`` false). Idempotent: items go through ``item_upsert``; agreements are made once.
Call after ``load_demo`` and ``load_demo_cases``: ``build_agency(stdout=...)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from zhengwu.agency import services
from zhengwu.agency.models import Agreement
from zhengwu.catalog.models import Item, Level
from zhengwu.catalog.services import item_upsert
from zhengwu.core import clock
from zhengwu.core.validators import id_number_check_char, uscc_check_char
from zhengwu.org.models import Department, Hall, Role, Staff
from zhengwu.workdays import engine

from .geography import CENTER_CODE
from .people import CITIZEN, CITIZEN_NAME, DEMO_PASSWORD, DEMO_VILLAGE_HALL
from .spec import LEGAL, LIC, OTHER, S, Unit, expand_unit

CENTER_AGENT = ("zxdby", "SFDB01", "钟代办", "13930600101")

_EIA = "《中华人民共和国环境影响评价法》第二十二条；《建设项目环境保护管理条例》"
_LAND = "《中华人民共和国土地管理法》第五十二条；《建设项目用地预审管理办法》（自然资源部令第2号修正）"
_WATER = "《中华人民共和国水法》第四十八条；《取水许可和水资源费征收管理条例》（国务院令第460号）"
_INVEST = "《企业投资项目核准和备案管理条例》（国务院令第673号）"

# (county liaison unit's name, 实施主体 above the county, level, item)
HIGHER_ITEMS: tuple[tuple[str, str, str, S], ...] = (
    ("示范市生态环境局示范县分局", "示范市生态环境局", Level.CITY,
     S("建设项目环境影响评价文件审批（报告书，市级审批权限）", LIC, legal=60, promised=30, basis=_EIA,
       result="环境影响报告书批复", intermediary=True, scope="全市",
       materials=("建设项目环境影响报告书审批申请", "环境影响报告书（全本）", "公众参与说明", "营业执照"))),
    ("示范县自然资源和规划局", "示范市自然资源和规划局", Level.CITY,
     S("建设项目用地预审与选址意见书核发（市级）", LIC, legal=20, promised=15, basis=_LAND,
       result="建设项目用地预审与选址意见书", scope="全市",
       materials=("建设项目用地预审与选址申请表", "建设项目用地预审与选址申请报告", "拟选址位置图", "营业执照"))),
    ("示范县水利局", "河北省水利厅", Level.PROVINCE,
     S("取水许可（省级审批权限）", LIC, legal=45, promised=30, basis=_WATER, result="取水许可证", scope="全省",
       materials=("取水许可申请书", "建设项目水资源论证报告书", "取水工程位置图", "?营业执照"))),
    ("示范县发展和改革局", "河北省发展和改革委员会", Level.PROVINCE,
     S("企业投资项目核准（省级核准权限）", OTHER, legal=20, promised=20, basis=_INVEST, result="项目核准文件",
       intermediary=True, scope="全省",
       materials=("项目申请报告", "营业执照", "用地预审与选址意见书", "?环境影响评价审批文件"))),
)


def _id_number(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def _uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def higher_items() -> list[Item]:
    """Upsert the 市级/省级 items; returns them in the order of ``HIGHER_ITEMS``."""
    out = []
    for n, (unit_name, subject, level, spec) in enumerate(HIGHER_ITEMS, start=1):
        dept = Department.objects.get(name=unit_name)
        unit = Unit(key=f"SJ{n}", name=subject, short=subject, section="", zone="", windows=(), obj=LEGAL,
                    theme="工程建设", items=(replace(spec, tiers=("county",)),))
        (kw,) = expand_unit(unit, 900 + n, f"{dept.code}SJ", f"{subject}政务服务窗口（县政务服务中心代办窗口可全程代办）")
        fields = {**kw["fields"], "level": level, "subject_name": subject, "in_hall": False,
                  "power_source": "上级行使"}
        item, _ = item_upsert(impl_code=kw["impl_code"], department=dept, fields=fields, steps=kw["steps"],
                              materials=kw["materials"], fees=kw["fees"], note="示范县演示数据（全程代办）")
        out.append(item)
    return out


def _center_agent(center: Hall) -> Staff:
    username, employee_no, name, phone = CENTER_AGENT
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, real_name=name, phone=phone, password=make_password(DEMO_PASSWORD))
    staff = Staff.objects.filter(employee_no=employee_no).first()
    if staff is None:
        staff = Staff.objects.create(user=user, employee_no=employee_no, name=name, hall=center, region=center.region,
                                     title="全程代办服务专员", phone=phone)
        staff.roles.set(Role.objects.filter(code=Role.VILLAGE_AGENT))
    return staff


def _workdays_back(today: dt.date, n: int, region) -> dt.date:
    """The date ``n`` working days before ``today``."""
    cal = engine.calendar_for(region)
    day = today
    while n > 0:
        day -= dt.timedelta(days=1)
        if cal.is_workday(day):
            n -= 1
    return day


def build_agency(*, stdout=None) -> dict[str, int]:
    """Create the higher-level items, the center 代办员 and four agreements (once); return counts."""
    say = stdout.write if stdout is not None else (lambda _msg: None)
    center = Hall.objects.select_related("region").get(code=CENTER_CODE)
    with transaction.atomic():
        eia, land, water, invest = higher_items()
        agent = _center_agent(center)
        if Agreement.objects.filter(hall=center).exists():
            return {"agreements": Agreement.objects.filter(hall=center).count(), "created": 0}
        village_agent = Staff.objects.select_related("hall__region").get(user__username="dby",
                                                                         hall__code=DEMO_VILLAGE_HALL)
        today = clock.today()

        def on(n):
            return _workdays_back(today, n, center.region)

        def at(n):
            return clock.frozen(on(n))

        def step(a, item, dept, name, filed, result="", result_day=None, doc=""):
            services.upstream_step_record(agreement=a, staff=agent, step=services.StepIn(
                item=item, department=dept, step_name=name, filed_on=on(filed), result=result,
                result_on=on(result_day) if result_day is not None else None, document_no=doc))

        # 1. 待签订: a village station's 代办员 hands a cooperative over to the center.
        with at(1):
            services.agreement_draft(
                staff=village_agent, center_agent=agent, items=[water], project_name="清河村高效节水灌溉项目",
                applicant=services.Applicant(kind="legal", name="示范县清河种植专业合作社", phone="13930600201",
                                             uscc=_uscc("93130621MA0C8K2L1"), legal_rep="赵清河",
                                             contact_name="赵清河", address="示范县清河镇清河村"),
                note="合作社计划新打灌溉机井，需办理取水许可，转交中心全程代办。")

        # 2. 代办中: a food factory's planning stage, city-level items, upstream steps under way.
        with at(30):
            a2 = services.agreement_draft(
                staff=agent, items=[land, eia], stages=[1], project_name="宏达食品有限公司新建厂房项目",
                applicant=services.Applicant(kind="legal", name="示范县宏达食品有限公司", phone="13812340001",
                                             uscc=_uscc("91130621MA0D8K7L1"), legal_rep="刘宏达",
                                             contact_name=CITIZEN_NAME, address="示范县经济开发区纬二路8号"),
                applicant_username=CITIZEN.username)
        with at(29):
            services.agreement_sign(agreement=a2, staff=agent)
            for name, original in (("建设项目用地预审与选址申请报告", False), ("环境影响报告书（全本）", False),
                                   ("营业执照", True)):
                services.material_receive(agreement=a2, staff=agent, name=name, original=original)
        with at(3):
            step(a2, land, "示范市自然资源和规划局", "受理", 27, "受理", 27)
            step(a2, land, "示范市自然资源和规划局", "审查", 27, "准予", 12, "示自然资预〔2026〕31号")
            step(a2, eia, "示范市生态环境局", "受理", 20, "受理", 19)
            step(a2, eia, "示范市生态环境局", "技术评估", 19)
            services.material_return(agreement=a2, staff=agent, material_id=a2.materials.get(original=True).pk)

        # 3. 已办结: a province-approved investment project, handed back and finished.
        with at(60):
            a3 = services.agreement_draft(
                staff=agent, items=[invest], project_name="盛达建材年产30万吨新型建材项目",
                applicant=services.Applicant(kind="legal", name="示范县盛达建材有限公司", phone="13812340002",
                                             uscc=_uscc("91130621MA0E2P4Q1"), legal_rep="孙盛达"))
            services.agreement_sign(agreement=a3, staff=agent)
            services.material_receive(agreement=a3, staff=agent, name="项目申请报告", copies=3)
        with at(20):
            step(a3, invest, "示范市发展和改革委员会", "初审转报", 58, "同意转报", 52, "示发改转〔2026〕7号")
            step(a3, invest, "河北省发展和改革委员会", "核准", 51, "予以核准", 21, "冀发改核〔2026〕15号")
            services.handover_record(agreement=a3, staff=agent, what="项目核准文件（冀发改核〔2026〕15号）原件1份",
                                     handed_to="孙盛达")
            services.agreement_finish(agreement=a3, staff=agent, note="核准文件已交申请人，代办完成")

        # 4. 终止: the applicant dropped the project.
        with at(15):
            a4 = services.agreement_draft(
                staff=agent, items=[eia],
                applicant=services.Applicant(kind="person", name="王建国", phone="13812340003",
                                             id_number=_id_number("13062119750316003")),
                project_name="王建国养殖场扩建项目")
            services.agreement_sign(agreement=a4, staff=agent)
        with at(8):
            services.agreement_terminate(agreement=a4, staff=agent, reason="申请人因资金原因取消扩建项目，书面撤回委托")
    say("已生成全程代办演示数据：4 个市级、省级事项，4 份代办协议（待签订、代办中、已办结、终止各一）。\n")
    return {"agreements": 4, "created": 4}
