"""A county center with four windows in three queues, its officers and a few items.

Windows: 01 and 02 市场准入 (group A), 03 户政 (group B), 04 综合受理 (group C, no item list:
takes any item of its group). Window 01 handles both market items, 02 only the licence.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from zhengwu.cases.services import Applicant
from zhengwu.catalog.services import item_upsert
from zhengwu.core.validators import id_number_check_char
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

from ..models import QueuePolicy, WindowGroup

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"



def id_number(n: int) -> str:
    """A valid 身份证号 (Beijing 东城, born 1980-01-01) with sequence ``n``."""
    first17 = f"11010119800101{n:03d}"
    return first17 + id_number_check_char(first17)


# Tuesday 10 March 2026, a working day.
DAY = dt.date(2026, 3, 10)


def at(hour: int, minute: int = 0, second: int = 0, day: dt.date = DAY) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


def applicant(**over) -> Applicant:
    return Applicant(**{"kind": "person", "name": "张三", "phone": PHONE, "id_number": ID_NUMBER, **over})


STEP = [{"seq": 1, "name": "受理并办结", "role": Role.WINDOW_OFFICER, "days": 0}]
MATERIAL = [{"seq": 1, "name": "申请书", "necessity": "required", "form": "both", "source": "申请人自备",
             "copies": 1, "spec": "A4", "notes": "", "acceptance_standard": ""}]


def make_item(code: str, name: str, dept, **over):
    fields = dict(name=name, kind="license", legal_limit=20, promised_limit=0, case_type="immediate", visits=1,
                  online_depth=3, handling_tiers=["county"], appointment=True)
    fields.update(over)
    item, _ = item_upsert(impl_code=code, department=dept, fields=fields, steps=STEP, materials=MATERIAL, fees=[])
    return item


def build_hall() -> SimpleNamespace:
    county = f.county()
    town = f.town(county)
    village = f.village(town)
    hall = f.hall(county)
    hall.address, hall.phone = "示范县人民路1号", "0311-88880000"
    hall.save(update_fields=["address", "phone"])
    station = f.hall(village, code="DGC", kind="village_station", name="东关村便民服务站")
    market = f.department(county)
    market.phone = "0311-88881111"
    market.save(update_fields=["phone"])
    police = f.department(county, code="D002", name="示范县公安局")
    licence = make_item("SFX-SCJG-001", "食品经营许可证核发", market, village_intake=True)
    naming = make_item("SFX-SCJG-002", "个体工商户名称自主申报", market)
    hukou = make_item("SFX-GA-001", "户口迁移", police)
    no_booking = make_item("SFX-GA-002", "居民身份证换领", police, appointment=False)
    w1 = f.window(hall, "01", market)
    w2 = f.window(hall, "02", market)
    w3 = f.window(hall, "03", police)
    w4 = f.window(hall, "04")
    for w, floor in ((w1, "一楼A区"), (w2, "一楼A区"), (w3, "二楼"), (w4, "一楼A区")):
        w.floor = floor
        w.save(update_fields=["floor"])
    w1.items.set([licence, naming])
    w2.items.set([licence])
    w3.items.set([hukou, no_booking])
    group_a = WindowGroup.objects.create(hall=hall, code="A", name="市场准入", sort=1)
    group_a.windows.set([w1, w2])
    group_b = WindowGroup.objects.create(hall=hall, code="B", name="公安户政", sort=2)
    group_b.windows.set([w3])
    group_c = WindowGroup.objects.create(hall=hall, code="C", name="综合受理", sort=3)
    group_c.windows.set([w4])
    o1 = f.staff("2001", Role.WINDOW_OFFICER, department=market, hall=hall, name="李明")
    o1.windows.add(w1)
    o2 = f.staff("2002", Role.WINDOW_OFFICER, department=market, hall=hall, name="王芳")
    o2.windows.add(w2)
    o3 = f.staff("2003", Role.WINDOW_OFFICER, department=police, hall=hall, name="赵强")
    o3.windows.add(w3)
    o4 = f.staff("2004", Role.WINDOW_OFFICER, hall=hall, name="陈静")
    o4.windows.add(w4)
    admin = f.staff("2009", Role.HALL_ADMIN, hall=hall, name="周主任")
    agent = f.staff("2010", Role.VILLAGE_AGENT, hall=station, region=village, name="吴代办")
    agent.phone = "13900001111"
    agent.save(update_fields=["phone"])
    outsider = f.staff("2011", Role.WINDOW_OFFICER, department=police, hall=hall, name="钱外")
    return SimpleNamespace(**locals())


def policy(**values) -> QueuePolicy:
    """Change the default policy row (created by the migration) for this test."""
    p = QueuePolicy.objects.get(hall__isnull=True)
    for k, v in values.items():
        setattr(p, k, v)
    p.save()
    return p
