"""Demo data for 涉企活动申报, after ``load_demo``; idempotent (made once: a second call makes nothing).

The county's 优化营商环境办 (a new account ``yshj`` in the 发改局 with the ``business_env`` role) and the heads of
five departments declare through the services, each step frozen at its moment in the last month: declarations in
every status (草稿, 待审批 — one with an 超限理由 —, 已备案 — one a 双随机 spot check —, 不予备案, 已撤回, 已执行,
已办结), ratings by the enterprises visited, and three reports of undeclared visits (属实, 不属实, and one open for
the 效能监察员 ``xnjc``). Nothing is overdue when built."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db import transaction

from zhengwu.core import clock
from zhengwu.demo.build import DemoLogin
from zhengwu.demo.geography import COUNTY
from zhengwu.demo.kit import demo_token, demo_user, uscc_completed
from zhengwu.demo.people import DEMO_PASSWORD
from zhengwu.org.models import Department, Region, Role, Staff

from .models import BUSINESS_ENV_ROLE, BUSINESS_ENV_ROLE_NAME, Declaration, Policy, QuietPeriod
from .services import declaration_act, declaration_create, rating_record, report_act, report_file

OFFICE_USERNAME, OFFICE_EMPLOYEE_NO, OFFICE_NAME = "yshj", "YS0001", "郑营商"
SUPERVISOR_USERNAME = "xnjc"
DEPARTMENTS = {
    "SCJ": "示范县市场监督管理局", "YJGL": "示范县应急管理局", "HBFJ": "示范市生态环境局示范县分局",
    "XFDD": "示范县消防救援大队", "CGJ": "示范县城市管理综合行政执法局", "FGJ": "示范县发展和改革局",
}
ENTERPRISES = [(uscc_completed(f"91130621MA0DQ{n:04d}"), name) for n, name in enumerate(
    ["示范县宏达食品有限公司", "示范县永盛建材有限公司", "示范县鑫源化工有限公司", "示范县绿野农业专业合作社",
     "示范县顺通物流有限公司", "示范县福满楼餐饮有限公司", "示范县康宁药房连锁有限公司", "示范县华兴纺织有限公司"],
    start=1)]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC) - dt.timedelta(hours=8)


def _head(dept: Department) -> Staff:
    s = (Staff.objects.filter(department=dept, is_active=True, roles__code=Role.DEPT_HEAD)
         .order_by("employee_no").first())
    if s is None:
        raise RuntimeError(f"演示数据缺少{dept.name}的部门负责人，请先运行 load_demo")
    return s


def _people():
    county = Region.objects.get(code=COUNTY[0])
    role, _ = Role.objects.get_or_create(code=BUSINESS_ENV_ROLE, defaults={"name": BUSINESS_ENV_ROLE_NAME})
    depts = {k: Department.objects.get(name=v, region=county) for k, v in DEPARTMENTS.items()}
    user = demo_user(OFFICE_USERNAME, OFFICE_NAME, "13930739001", make_password(DEMO_PASSWORD))
    office = Staff.objects.filter(employee_no=OFFICE_EMPLOYEE_NO).first()
    if office is None:
        office = Staff.objects.create(user=user, employee_no=OFFICE_EMPLOYEE_NO, name=OFFICE_NAME,
                                      title="优化营商环境办公室主任", department=depts["FGJ"], region=county)
        office.roles.set([role])
    supervisor = Staff.objects.get(user__username=SUPERVISOR_USERNAME)
    return county, depts, office, supervisor


def _declare(staff: Staff, day: dt.date, *, targets, start_in: int = 3, days: int = 2, activity_type="inspection",
             title: str, basis: str, submit=True, **extra) -> Declaration:
    with clock.frozen(_at(day, 9)):
        d = declaration_create(
            user=staff.user, activity_type=activity_type, title=title, legal_basis=basis,
            start_date=day + dt.timedelta(days=start_in), end_date=day + dt.timedelta(days=start_in + days),
            targets=targets, inspectors=extra.pop("inspectors", [(f"{staff.name[0]}执法", f"1306210{staff.pk:04d}1"),
                                                                   ("刘检查", f"1306210{staff.pk:04d}2")]), **extra)
        if submit:
            declaration_act(declaration_id=d.pk, user=staff.user, action="submit",
                            data={"over_limit_reason": extra.get("over_limit_reason", "")})
    return d


def _act(user, d: Declaration, day: dt.date, action: str, hour: int = 11, **data) -> None:
    with clock.frozen(_at(day, hour)):
        declaration_act(declaration_id=d.pk, user=user, action=action, data=data)


def _story(county, depts, office, supervisor) -> dict:
    today = clock.today()
    ago = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    o = office.user
    scj, yj, hb, xf = (_head(depts[k]) for k in ("SCJ", "YJGL", "HBFJ", "XFDD"))
    Policy.objects.get_or_create(region=county, defaults={"approval_workdays": 3, "report_workdays": 5,
                                                          "max_inspections_per_year": 2})
    QuietPeriod.objects.get_or_create(region=county, name="春节前后“无事不扰”期",
                                      defaults={"start": dt.date(today.year + 1, 1, 25),
                                                "end": dt.date(today.year + 1, 2, 25)})
    food = "《中华人民共和国食品安全法》第一百一十条"
    # 已办结: the market regulator's food safety inspection, rated by both enterprises
    closed = _declare(scj, ago(30), targets=ENTERPRISES[:2], title="食品生产企业年度监督检查", basis=food)
    _act(o, closed, ago(29), "approve")
    for i, (code, _name) in enumerate(ENTERPRISES[:2]):
        _act(scj.user, closed, ago(27), "record", hour=15 + i, uscc=code, visited_on=ago(27).isoformat(),
             result="未发现问题" if i == 0 else "标签标识不规范，已责令整改")
    _act(scj.user, closed, ago(25), "close")
    with clock.frozen(_at(ago(26), 20)):
        rating_record(code=_code(closed), uscc=ENTERPRISES[0][0], level="satisfied", comment="提前告知，检查规范，没有影响生产")
        rating_record(code=_code(closed), uscc=ENTERPRISES[1][0], level="basic", comment="整改要求清楚，希望多指导")
    # 已执行: emergency management's safety inspection, one enterprise recorded and unhappy
    carried = _declare(yj, ago(12), targets=ENTERPRISES[2:4], title="危险化学品企业安全生产检查",
                       basis="《中华人民共和国安全生产法》第六十五条", is_joint=True, joint_departments="县消防救援大队")
    _act(o, carried, ago(11), "approve")
    _act(yj.user, carried, ago(8), "record", uscc=ENTERPRISES[2][0], visited_on=ago(8).isoformat(),
         result="发现隐患两处，已下达整改通知书")
    with clock.frozen(_at(ago(7), 20)):
        rating_record(code=_code(carried), uscc=ENTERPRISES[2][0], level="unsatisfied", comment="检查时间过长，影响生产")
    # 已备案 (upcoming): a market regulator's 双随机 spot check and a fire brigade inspection
    _act(o, _declare(scj, ago(3), targets=[], start_in=5, days=5, activity_type="spot_check", is_random=True,
                     title="“双随机、一公开”食品经营抽查", basis="《市场监督管理行政处罚程序规定》第十条",
                     scope="城关镇餐饮服务单位，随机抽取5家"), ago(2), "approve")
    _act(o, _declare(xf, ago(2), targets=ENTERPRISES[5:7], start_in=4, title="人员密集场所消防安全检查",
                     basis="《中华人民共和国消防法》第五十三条"), ago(1), "approve")
    # 不予备案: a training fee without basis
    refused = _declare(hb, ago(10), targets=ENTERPRISES[:3], activity_type="training", title="环保政策培训（收取资料费）",
                       basis="县生态环境分局工作安排")
    _act(o, refused, ago(9), "refuse", reason="所列依据不是法律、法规或规章；培训不得向企业收费")
    # 已撤回
    withdrawn = _declare(hb, ago(6), targets=ENTERPRISES[7:8], title="排污许可执行情况检查",
                         basis="《排污许可管理条例》第二十八条")
    _act(hb.user, withdrawn, ago(5), "withdraw", reason="与省厅专项检查合并开展")
    # 草稿 and 待审批 (one over the per-enterprise limit, with its reason)
    _declare(hb, today, targets=ENTERPRISES[3:4], title="畜禽养殖污染防治检查",
             basis="《畜禽规模养殖污染防治条例》第二十九条", submit=False)
    _declare(yj, today, targets=ENTERPRISES[4:5], title="道路运输企业安全生产标准化考评", activity_type="appraisal",
             basis="《中华人民共和国安全生产法》第二十一条")
    _declare(scj, today, targets=ENTERPRISES[:1], start_in=6, title="食品生产企业投诉核查", basis=food,
             over_limit_reason="群众投诉举报（12345工单）")
    _declare(scj, today, targets=ENTERPRISES[:1], start_in=7, title="食品生产许可条件核查", basis=food,
             over_limit_reason="企业申请许可变更，现场核查")
    # reports of undeclared visits
    upheld = _report(depts["CGJ"], ago(20), ENTERPRISES[5], "城管执法人员两人到店检查门头招牌，未出示备案码")
    with clock.frozen(_at(ago(17), 15)):
        report_act(report_id=upheld.pk, user=supervisor.user, action="uphold",
                   data={"finding": "经核实，县城管局当日未申报即入企检查，已责令作出书面说明并通报"})
    rejected = _report(depts["XFDD"], ago(9), ENTERPRISES[6], "消防人员到店检查，称是联合检查")
    with clock.frozen(_at(ago(6), 15)):
        report_act(report_id=rejected.pk, user=supervisor.user, action="reject",
                   data={"finding": "经核实，系已备案的联合检查（应急管理局牵头），执法人员未主动出示备案码，已提醒"})
    _report(depts["YJGL"], ago(1), ENTERPRISES[7], "两人自称安监检查，要求提供全部台账，未出示证件和备案码")
    return {"created": True}


def _code(d: Declaration) -> str:
    return Declaration.objects.values_list("code", flat=True).get(pk=d.pk)


def _report(dept, day, enterprise, text):
    with clock.frozen(_at(day, 16)):
        return report_file(department_id=dept.pk, visit_date=day.isoformat(), description=text,
                           enterprise_name=enterprise[1], uscc=enterprise[0], contact_name="企业联系人",
                           contact_phone="13930739100")


def build_declarations(*, stdout=None) -> dict:
    say = stdout.write if stdout is not None else (lambda _msg: None)
    with transaction.atomic():
        county, depts, office, supervisor = _people()
        created = not Declaration.objects.filter(region=county).exists()
        if created:
            _story(county, depts, office, supervisor)
        demo_token(office.user)
    n = Declaration.objects.filter(region=county).count()
    say(f"已生成涉企活动申报演示数据：{n} 件申报（各状态齐全）、3 件未备案举报；"
        f"优化营商环境办账号 {OFFICE_USERNAME}，举报核查用效能监察员 {SUPERVISOR_USERNAME}。\n")
    logins = [DemoLogin(role="优化营商环境办", username=OFFICE_USERNAME, password=DEMO_PASSWORD,
                        token=f"zw_demo_{OFFICE_USERNAME}", where="县发改局（审批涉企活动申报）")]
    return {"created": created, "declarations": n, "logins": logins}
