"""Applicant names by role (docs/cases-access.md): whole to the applicant, the agent who took the case
in and its handling officers; masked (李* / 欧阳**) to everyone else who may read the case."""

import pytest
from django.urls import reverse

from zhengwu.accounts.models import ApiToken
from zhengwu.cases import services as s
from zhengwu.core.validators import mask_name
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

from .factories import PERSON_ID, build_world

pytestmark = pytest.mark.django_db
JSON = "application/json"
PERSON = {"kind": "person", "name": "欧阳娜娜", "phone": "13812345678", "id_number": PERSON_ID}


@pytest.fixture
def w():
    world = build_world()
    world.supervisor = f.staff("3001", Role.SUPERVISOR, region=world.county, name="监察员")
    world.hall_admin = f.staff("3002", Role.HALL_ADMIN, hall=world.center, name="中心管理员")
    world.general = f.staff("3003", Role.WINDOW_OFFICER, hall=world.center, name="综合窗口")  # no department
    return world


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


@pytest.mark.parametrize(("name", "masked"), [("李明", "李*"), ("欧阳娜娜", "欧阳**"), ("司马光", "司马*"),
                                              ("欧阳", "欧*"), ("张", "张"), ("示范县好味道餐饮有限公司", "示" + "*" * 11)])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def _online_case(client, w) -> str:
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": PERSON}, content_type=JSON,
                    headers=token(w.citizen))
    return r.json()["case_no"]


HANDLERS = ["citizen", "officer", "chief", "head", "general"]
READERS = ["leader", "supervisor", "hall_admin"]


def _user(w, who):
    return w.citizen if who == "citizen" else getattr(w, who).user


@pytest.mark.parametrize("who", HANDLERS + READERS)
def test_the_detail_and_the_list_mask_the_name_for_readers_who_do_not_handle_the_case(client, w, who):
    no = _online_case(client, w)
    headers = token(_user(w, who))
    detail = client.get(f"/api/cases/{no}", headers=headers).json()
    listed = [(x["case_no"], x["applicant_name"]) for x in client.get("/api/cases", headers=headers).json()]
    expected = "欧阳娜娜" if who in HANDLERS else "欧阳**"
    assert (detail["applicant_name"], detail["applicant_name_masked"]) == (expected, who in READERS)
    assert listed == [(no, expected)]
    assert detail["id_number"] == "1101**********002X"  # the ID stays masked for everyone


def test_the_agent_who_took_the_case_in_sees_the_name_whole(client, w):
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "agent", "applicant": PERSON},
                    content_type=JSON, headers=token(w.agent.user))
    no = r.json()["case_no"]  # handled at the town centre
    assert client.get(f"/api/cases/{no}", headers=token(w.agent.user)).json()["applicant_name"] == "欧阳娜娜"
    assert client.get(f"/api/cases/{no}", headers=token(w.leader.user)).json()["applicant_name"] == "欧阳**"


def test_staff_outside_the_department_or_hall_see_no_case_at_all(client, w):
    no = _online_case(client, w)
    town = f.staff("3004", Role.WINDOW_OFFICER, department=w.dept, hall=w.town_hall, name="镇窗口")
    for who in (w.outsider, town):
        assert client.get(f"/api/cases/{no}", headers=token(who.user)).status_code == 404
        assert client.get("/api/cases", headers=token(who.user)).json() == []


def test_a_masked_name_cannot_be_confirmed_by_searching_for_it(client, w):
    no = _online_case(client, w)
    leader = token(w.leader.user)
    assert client.get("/api/cases", {"q": "欧阳娜娜"}, headers=leader).json() == []
    assert [x["case_no"] for x in client.get("/api/cases", {"q": no[-5:]}, headers=leader).json()] == [no]
    officer = token(w.officer.user)
    assert [x["case_no"] for x in client.get("/api/cases", {"q": "欧阳娜娜"}, headers=officer).json()] == [no]


def test_the_workbench_and_the_case_page_mask_the_name_likewise(client, w):
    case = s.case_submit(item=w.item, applicant=s.Applicant(**{**PERSON, "legal_rep": "", "address": "东大街1号"}),
                         channel="window", officer=w.officer)
    client.force_login(w.leader.user)
    inbox = client.get(reverse("cases:workbench")).content.decode()
    page = client.get(reverse("cases:staff_case", args=[case.case_no])).content.decode()
    assert "欧阳**" in inbox and "欧阳娜娜" not in inbox
    assert '<dd data-testid="applicant-name">欧阳**</dd>' in page
    assert "欧阳娜娜" not in page and "东大街1号" not in page
    client.force_login(w.officer.user)
    page = client.get(reverse("cases:staff_case", args=[case.case_no])).content.decode()
    assert '<dd data-testid="applicant-name">欧阳娜娜</dd>' in page and "东大街1号" in page


def test_a_readers_copy_of_a_document_masks_the_name(client, w):
    case = s.case_submit(item=w.item, applicant=s.Applicant(**PERSON), channel="window", officer=w.officer)
    s.case_accept(case=case, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])
    url = reverse("casedocs:document", args=[case.case_no, "acceptance"])
    client.force_login(w.supervisor.user)
    page = client.get(url).content.decode()
    assert "欧阳**" in page and "欧阳娜娜" not in page
    client.force_login(w.chief.user)
    assert "欧阳娜娜" in client.get(url).content.decode()
