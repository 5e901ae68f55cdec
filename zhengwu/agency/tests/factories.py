"""A county with a center (two 代办员), a village station (its 代办员), readers, and city/county items."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from zhengwu.agency import services
from zhengwu.catalog.services import item_upsert
from zhengwu.core import clock
from zhengwu.core.testing import upload
from zhengwu.org.models import Hall, Role
from zhengwu.org.tests import factories as f

PERSON_ID = "11010519491231002X"
USCC = "91350100M000100Y43"
STEPS = [{"seq": 1, "name": "受理", "role": Role.WINDOW_OFFICER, "days": 1}]
DAY = dt.date(2026, 3, 2)  # a Monday


def _item(code, dept, name, level):
    return item_upsert(impl_code=code, department=dept, steps=STEPS, materials=[], fees=[], fields=dict(
        name=name, kind="license", legal_limit=20, promised_limit=10, level=level,
        subject_name="示范市生态环境局" if level == "city" else dept.name))[0]


def build_world() -> SimpleNamespace:
    county = f.county()
    town = f.town(county)
    village = f.village(town)
    center = f.hall(county)
    station = f.hall(village, code="DGC", kind=Hall.Kind.VILLAGE_STATION)
    other_county = f.county(code="130622000000", name="邻县")
    other_center = f.hall(other_county, code="LXZW")
    dept = f.department(county, code="D010", name="示范县生态环境局")
    eia = _item("SFX-HB-001", dept, "建设项目环境影响评价文件审批", "city")
    water = _item("SFX-HB-002", dept, "取水许可", "province")
    local = _item("SFX-HB-003", dept, "排污许可证核发", "county")
    agent = f.staff("2001", Role.VILLAGE_AGENT, hall=center, name="陈代办")
    agent2 = f.staff("2002", Role.VILLAGE_AGENT, hall=center, name="林代办")
    foreign_agent = f.staff("2003", Role.VILLAGE_AGENT, hall=other_center, name="外县代办")
    village_agent = f.staff("2004", Role.VILLAGE_AGENT, hall=station, region=village, name="周村代")
    other_village_agent = f.staff("2005", Role.VILLAGE_AGENT, hall=station, region=village, name="吴村代")
    leader = f.staff("2006", Role.LEADER, region=county, name="吴县长")
    supervisor = f.staff("2007", Role.SUPERVISOR, hall=center, region=county, name="郑监察")
    admin = f.staff("2008", Role.HALL_ADMIN, hall=center, name="王主任")
    officer = f.staff("2009", Role.WINDOW_OFFICER, department=dept, hall=center, name="李窗口")
    citizen = get_user_model().objects.create_user(username="citizen", password="pass-123456", real_name="张三")
    stranger = get_user_model().objects.create_user(username="stranger", password="pass-123456", real_name="路人")
    return SimpleNamespace(**locals())


def applicant(**over) -> services.Applicant:
    base = dict(kind="person", name="张三", phone="13812345678", id_number=PERSON_ID)
    base.update(over)
    return services.Applicant(**base)


def company(**over) -> services.Applicant:
    base = dict(kind="legal", name="示范县宏达食品有限公司", phone="13912345678", uscc=USCC, legal_rep="刘宏达",
                contact_name="张三")
    base.update(over)
    return services.Applicant(**base)


def draft(w, *, staff=None, on=DAY, **kw):
    kw.setdefault("applicant", applicant())
    kw.setdefault("items", [w.eia])
    with clock.frozen(on):
        return services.agreement_draft(staff=staff or w.agent, **kw)


def active(w, *, on=DAY, **kw):
    a = draft(w, on=on, **kw)
    with clock.frozen(on):
        services.agreement_sign(agreement=a, staff=w.agent)
    return a


def xlsx(rows, header=None) -> bytes:
    from openpyxl import Workbook

    from zhengwu.agency.upstream import HEADERS

    wb = Workbook()
    ws = wb.active
    ws.append(header or HEADERS)
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_upload(rows, header=None, name="export.xlsx"):
    return upload(name, xlsx(rows, header))
