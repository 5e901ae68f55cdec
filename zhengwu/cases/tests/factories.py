"""A small county with one department, its officers and a three-step licence item."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from zhengwu.cases.services import Applicant
from zhengwu.catalog.services import item_upsert
from zhengwu.core.testing import pdf_bytes, upload
from zhengwu.org.models import Hall, Role
from zhengwu.org.tests import factories as f

PERSON_ID = "11010519491231002X"
PERSON = dict(kind="person", name="张三", phone="13812345678", id_number=PERSON_ID)
USCC = "91350100M000100Y43"


def applicant(**over) -> Applicant:
    return Applicant(**{**PERSON, **over})


def pdf(name="材料.pdf", size=None):
    """A real PDF (uploads are opened by a parser), padded to ``size`` bytes when given."""
    return upload(name, pdf_bytes(size=size))


STEPS = [
    {"seq": 1, "name": "受理", "role": Role.WINDOW_OFFICER, "days": 1},
    {"seq": 2, "name": "审核", "role": Role.CHIEF_REP, "days": 2},
    {"seq": 3, "name": "批准", "role": Role.DEPT_HEAD, "days": 2},
]


def _fields(**over):
    base = dict(name="食品经营许可证核发", kind="license", legal_limit=20, promised_limit=5, case_type="promised",
                visits=1, online_depth=4, handling_tiers=["county", "town", "village"], village_intake=True,
                special_procedures=["site_survey", "expert_review"], result_name="食品经营许可证")
    base.update(over)
    return base


MATERIALS = [
    {"seq": 1, "name": "食品经营许可申请书", "necessity": "required", "form": "both", "source": "申请人自备",
     "copies": 1, "spec": "A4", "notes": "", "acceptance_standard": ""},
    {"seq": 2, "name": "经营场所平面图", "necessity": "required", "form": "both", "source": "申请人自备",
     "copies": 1, "spec": "A4", "notes": "", "acceptance_standard": ""},
    {"seq": 3, "name": "授权委托书", "necessity": "optional", "form": "paper", "source": "申请人自备",
     "copies": 1, "spec": "A4", "notes": "委托办理时提供", "acceptance_standard": ""},
]
FEES = [{"seq": 1, "name": "工本费", "amount": Decimal("10.00"), "unit": "件", "standard": "10元/件",
         "basis": "示例依据", "waivable": True, "waiver_basis": "小微企业免收"}]


def build_world(**item_over) -> SimpleNamespace:
    county = f.county()
    town = f.town(county)
    village = f.village(town)
    center = f.hall(county)
    town_hall = f.hall(town, code="CGZ", kind=Hall.Kind.TOWN_CENTER)
    station = f.hall(village, code="DGC", kind=Hall.Kind.VILLAGE_STATION)
    dept = f.department(county)
    other_dept = f.department(county, code="D002", name="示范县公安局")
    window = f.window(center, "5", dept)
    item, _ = item_upsert(impl_code="SFX-SCJG-001", department=dept, fields=_fields(**item_over), steps=STEPS,
                          materials=MATERIALS, fees=FEES)
    immediate, _ = item_upsert(impl_code="SFX-SCJG-002", department=dept,
                               fields=_fields(name="个体工商户名称自主申报", promised_limit=0, case_type="immediate",
                                              special_procedures=[]),
                               steps=[{"seq": 1, "name": "受理并办结", "role": Role.WINDOW_OFFICER, "days": 0}],
                               materials=MATERIALS[:1], fees=[])
    officer = f.staff("1001", Role.WINDOW_OFFICER, department=dept, hall=center, name="李窗口")
    officer.windows.add(window)
    officer2 = f.staff("1002", Role.WINDOW_OFFICER, department=dept, hall=center, name="王窗口")
    chief = f.staff("1003", Role.CHIEF_REP, department=dept, hall=center, name="赵首代")
    head = f.staff("1004", Role.DEPT_HEAD, department=dept, region=county, name="钱局长")
    outsider = f.staff("1005", Role.WINDOW_OFFICER, department=other_dept, hall=center, name="孙公安")
    agent = f.staff("1006", Role.VILLAGE_AGENT, hall=station, region=village, name="周代办")
    leader = f.staff("1007", Role.LEADER, region=county, name="吴县长")
    citizen = get_user_model().objects.create_user(username="citizen", password="pass-123456", real_name="张三")
    m1, m2, m3 = list(item.current.materials.order_by("seq"))
    return SimpleNamespace(**locals())


def staff_fresh(staff):
    """Staff as the request path loads it (roles cached)."""
    staff.role_codes()
    return staff
