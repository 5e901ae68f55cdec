"""A county marketplace for the intermediary tests: the marketplace administrator, two 行业主管部门 (生态环境局,
住建局) with a supervisor each, three services (环评报告表编制 as a 受理条件 of an item, 施工图审查 commissioned
during review, 房产测绘), qualifications, eight admitted agencies (a user each, certificates valid for a year,
offering all three services), an enterprise owner, a person owner, and a government owner.

Purchases are made here as rows in 待发布 (``purchase``); the services that publish and run them are what the
tests test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from zhengwu.catalog.tests import factories as cf
from zhengwu.core import clock
from zhengwu.core.validators import id_number_check_char, uscc_check_char
from zhengwu.intermediary.models import (
    Agency,
    AgencyStatus,
    Certificate,
    Funding,
    LinkStage,
    Mode,
    Offering,
    Owner,
    OwnerKind,
    Policy,
    Practitioner,
    PriceMode,
    Purchase,
    Qualification,
    Service,
    ServiceLink,
)
from zhengwu.org.models import Hall, Role
from zhengwu.org.tests import factories as f

# Monday 2 March 2026, a working day (the 2026 holidays: 清明 4–6 April, 劳动节 1–5 May).
DAY = dt.date(2026, 3, 2)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def uscc(n: int) -> str:
    first17 = f"91130621MA{n:07d}"
    return first17 + uscc_check_char(first17)


def id_number(n: int) -> str:
    first17 = f"13062119800101{n:03d}"
    return first17 + id_number_check_char(first17)


def user(username: str, real_name: str):
    return get_user_model().objects.create_user(username=username, password="pass-123456", real_name=real_name)


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A Beijing-time moment as an aware datetime."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def agency(n: int, name: str, region, services, quals, *, status=AgencyStatus.ACTIVE, valid_until=None,
           username: str | None = None) -> Agency:
    a = Agency.objects.create(name=name, uscc=uscc(n), legal_rep=f"法人{n}", contact_name=f"授权人{n}",
                              contact_id_number=id_number(n), contact_phone=f"1391234{n:04d}", region=region,
                              home_region="河北省石家庄市" if n % 3 else "北京市", address=f"示范县建设路{n}号",
                              status=status, pledge_signed_at=clock.now(), submitted_at=clock.now(),
                              reviewed_at=clock.now() if status == AgencyStatus.ACTIVE else None)
    a.members.add(user(username or f"agency{n}", f"机构经办人{n}"))
    for q in quals:
        Certificate.objects.create(agency=a, qualification=q, number=f"ZZ-{n:03d}-{q.code}", level="甲级",
                                   issuer="河北省住房和城乡建设厅", valid_until=valid_until or DAY + dt.timedelta(days=365))
    Practitioner.objects.create(agency=a, name=f"工程师{n}", id_number=id_number(100 + n), title="注册环评工程师",
                                certificate_no=f"HP{n:05d}")
    for s in services:
        Offering.objects.create(agency=a, service=s, price_min=Decimal("5000"), price_max=Decimal("50000"))
    return a


def build_world() -> SimpleNamespace:
    county = f.county()
    hall = f.hall(county, code="SFXZW", kind=Hall.Kind.CENTER, name="示范县政务服务中心")
    env = f.department(county, code="D201", name="示范县生态环境局")
    housing = f.department(county, code="D101", name="示范县住房和城乡建设局")
    nature = f.department(county, code="D202", name="示范县自然资源和规划局")
    admin = f.staff("4001", Role.INTERMEDIARY_ADMIN, hall=hall, name="钱超市")
    env_supervisor = f.staff("4002", Role.INTERMEDIARY_SUPERVISOR, department=env, name="赵环监")
    housing_supervisor = f.staff("4003", Role.INTERMEDIARY_SUPERVISOR, department=housing, name="孙建监")
    other = f.county(code="130622000000", name="邻县")
    foreign_admin = f.staff("4004", Role.INTERMEDIARY_ADMIN, region=other, department=None,
                            hall=f.hall(other, code="LXZW", name="邻县政务服务中心"), name="外县超市")
    policy = Policy.objects.create(region=county, grade_bands={"A": 90, "B": 80, "C": 70, "D": 60})

    q_env = Qualification.objects.create(code="HP", name="环境影响评价能力", issuer="生态环境部门")
    q_draw = Qualification.objects.create(code="TS", name="施工图审查机构认定", issuer="住房和城乡建设部门")
    q_survey = Qualification.objects.create(code="CH", name="测绘资质（不动产测绘）", issuer="自然资源部门")

    env_item = cf.item(impl_code="11130621MB0201-01", dept=env, name="建设项目环境影响报告表审批",
                       basic_code="00012345601Y", business_code="0001234560101")
    build_item = cf.item(impl_code="11130621MB0101-01", dept=housing, name="建筑工程施工许可证核发",
                         basic_code="00012345602Y", business_code="0001234560201")
    eia = Service.objects.create(code="ZJ001", name="编制建设项目环境影响报告表", category="评估",
                                 basis="《中华人民共和国环境影响评价法》第十九条", region=county, department=env,
                                 time_limit=20, fee_mode="market", fee_standard="市场调节价")
    eia.qualifications.add(q_env)
    drawings = Service.objects.create(code="ZJ002", name="施工图设计文件审查", category="审图",
                                      basis="《建设工程质量管理条例》第十一条", region=county, department=housing,
                                      time_limit=15, fee_mode="standard", fee_standard="按建筑面积每平方米1.2元")
    drawings.qualifications.add(q_draw)
    survey = Service.objects.create(code="ZJ003", name="房产测绘", category="测绘",
                                    basis="《中华人民共和国测绘法》第二十七条", region=county, department=nature,
                                    time_limit=10, fee_mode="market", fee_standard="市场调节价")
    survey.qualifications.add(q_survey)
    ServiceLink.objects.create(service=eia, item=env_item, basis="《环境影响评价法》第二十二条",
                               stage=LinkStage.PRECONDITION)
    ServiceLink.objects.create(service=drawings, item=build_item, basis="《建筑工程施工许可管理办法》第四条",
                               stage=LinkStage.REVIEW, review_limit=30)

    services = [eia, drawings, survey]
    quals = [q_env, q_draw, q_survey]
    names = ["河北清源环境科技有限公司", "石家庄华测检测技术有限公司", "示范县正源工程咨询有限公司", "北京绿城环评有限公司",
             "河北天衡测绘有限公司", "示范县筑信审图中心", "保定中诚工程咨询有限公司", "河北恒信环境工程有限公司"]
    agencies = [agency(i, name, county, services, quals) for i, name in enumerate(names, start=1)]

    enterprise = Owner.objects.create(kind=OwnerKind.ENTERPRISE, name="示范县宏达食品有限公司", uscc=uscc(900),
                                      contact_name="刘经理", contact_phone="13900000001")
    enterprise.members.add(user("owner", "刘经理"))
    person = Owner.objects.create(kind=OwnerKind.PERSON, name="张三", id_number=id_number(901),
                                  contact_name="张三", contact_phone="13900000002")
    person.members.add(user("person", "张三"))
    government = Owner.objects.create(kind=OwnerKind.GOVERNMENT, name="示范县住房和城乡建设局", uscc=uscc(902),
                                      contact_name="王科长", contact_phone="13900000003", department=housing)
    government.members.add(user("govowner", "王科长"))
    return SimpleNamespace(county=county, hall=hall, env=env, housing=housing, nature=nature, admin=admin,
                           env_supervisor=env_supervisor, housing_supervisor=housing_supervisor,
                           foreign_admin=foreign_admin, policy=policy, q_env=q_env, q_draw=q_draw,
                           q_survey=q_survey, env_item=env_item, build_item=build_item, eia=eia,
                           drawings=drawings, survey=survey, agencies=agencies, enterprise=enterprise,
                           person=person, government=government)


_COUNTER = [0]


def purchase(w: SimpleNamespace, *, owner=None, service=None, mode=Mode.RANDOM, funding=Funding.PRIVATE,
             signup_deadline: dt.datetime | None = None, select_at: dt.datetime | None = None,
             min_participants: int = 1, **fields) -> Purchase:
    """A 待发布 purchase row (publish it with the service under test)."""
    _COUNTER[0] += 1
    service = service or w.eia
    deadline = signup_deadline or at(DAY + dt.timedelta(days=7), 17)
    values = dict(code=f"ZJCG-2026-{_COUNTER[0]:05d}", title=f"宏达食品扩建项目{service.name}",
                  owner=owner or w.enterprise, service=service, region=w.county, content="编制报告并取得批复前的技术服务",
                  qualification=service.qualifications.first(), service_days=service.time_limit, funding=funding,
                  price_mode=PriceMode.RANGE, price_max=Decimal("30000"), price_min=Decimal("10000"), mode=mode,
                  min_participants=min_participants, signup_deadline=deadline,
                  select_at=select_at or deadline + dt.timedelta(hours=16), contact_name="刘经理",
                  contact_phone="13900000001", created_at=clock.now())
    values.update(fields)
    return Purchase.objects.create(**values)
