"""A county for the declaration tests: two departments (市场监管局 with two staff, 应急管理局 with one), the
优化营商环境办 (a staff member of the 发改局 with the ``business_env`` role), a 效能监察员, a neighbouring county's
office, five enterprises; and a helper that makes a declaration through the service."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from zhengwu.core import clock
from zhengwu.core.validators import uscc_check_char
from zhengwu.declarations.models import BUSINESS_ENV_ROLE, BUSINESS_ENV_ROLE_NAME
from zhengwu.declarations.services import declaration_act, declaration_create
from zhengwu.org.models import Hall, Role
from zhengwu.org.tests import factories as f

# Monday 2 March 2026, a working day.
DAY = dt.date(2026, 3, 2)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def uscc(n: int) -> str:
    first17 = f"91130621MA{n:07d}"
    return first17 + uscc_check_char(first17)


ENTERPRISES = [(uscc(i), name) for i, name in enumerate(
    ["示范县宏达食品有限公司", "示范县永盛建材有限公司", "示范县鑫源化工有限公司", "示范县绿野农业合作社",
     "示范县顺通物流有限公司"], start=1)]
INSPECTORS = [("王执法", "13062100101"), ("李执法", "13062100102")]


def build_world() -> SimpleNamespace:
    Role.objects.get_or_create(code=BUSINESS_ENV_ROLE, defaults={"name": BUSINESS_ENV_ROLE_NAME})
    county = f.county()
    hall = f.hall(county, code="SFXZW", kind=Hall.Kind.CENTER, name="示范县政务服务中心")
    market = f.department(county, code="D001", name="示范县市场监督管理局")
    safety = f.department(county, code="D002", name="示范县应急管理局")
    reform = f.department(county, code="D003", name="示范县发展和改革局")
    clerk = f.staff("5001", Role.WINDOW_OFFICER, department=market, name="张经办")
    head = f.staff("5002", Role.DEPT_HEAD, department=market, name="赵局长")
    safety_clerk = f.staff("5003", Role.WINDOW_OFFICER, department=safety, name="孙安监")
    office = f.staff("5004", BUSINESS_ENV_ROLE, department=reform, name="钱营商")
    supervisor = f.staff("5005", Role.SUPERVISOR, hall=hall, name="周监察")
    other = f.county(code="130622000000", name="邻县")
    foreign_office = f.staff("5006", BUSINESS_ENV_ROLE, region=other, name="外县营商")
    return SimpleNamespace(county=county, hall=hall, market=market, safety=safety, reform=reform, clerk=clerk,
                           head=head, safety_clerk=safety_clerk, office=office, supervisor=supervisor,
                           other=other, foreign_office=foreign_office)


def declare(w, *, by=None, targets=None, activity_type="inspection", start=None, days=3, submit=True,
            approve=False, **extra):
    """A declaration by the market department's clerk (or ``by``), made on the frozen day."""
    start = start or clock.today() + dt.timedelta(days=2)
    kw = dict(activity_type=activity_type, title=extra.pop("title", "食品生产企业监督检查"),
              legal_basis=extra.pop("legal_basis", "《中华人民共和国食品安全法》第一百一十条"),
              start_date=start, end_date=start + dt.timedelta(days=days),
              targets=ENTERPRISES[:2] if targets is None else targets, inspectors=INSPECTORS, **extra)
    d = declaration_create(user=(by or w.clerk).user, **kw)
    if submit:
        declaration_act(declaration_id=d.pk, user=(by or w.clerk).user, action="submit")
    if approve:
        declaration_act(declaration_id=d.pk, user=w.office.user, action="approve")
    d.refresh_from_db()
    return d
