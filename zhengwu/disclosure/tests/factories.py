"""A small county for 政务公开: its government, two departments, a town, a village, and their staff."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth import get_user_model

from zhengwu.disclosure.models import Body, BodyMember
from zhengwu.disclosure.services import Applicant
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

PERSON_ID = "11010519491231002X"
USCC = "91350100M000100Y43"


def _id(first17: str) -> str:
    from zhengwu.core.validators import id_number_check_char

    return first17 + id_number_check_char(first17)


def person(name="张三", id_number=PERSON_ID, **over) -> Applicant:
    return Applicant(kind="person", name=name, phone="13812345678", id_number=id_number, **over)


def legal(subkind="commercial", name="示范县某某商贸有限公司", **over) -> Applicant:
    return Applicant(kind="legal", name=name, phone="0311-82345678", uscc=USCC, legal_rep="李四",
                     legal_subkind=subkind, **over)


def person_n(i: int) -> Applicant:
    """The i-th distinct citizen (valid 身份证号)."""
    return person(name=f"市民{i}", id_number=_id(f"11010519800101{i:03d}"))


def body(code: str, name: str, kind: str, region, *, department=None, parent=None) -> Body:
    return Body.objects.create(code=code, name=name, kind=kind, region=region, department=department,
                               parent=parent, office=f"{name}办公室", address="示范县人民路1号", phone="0311-1234567")


def member(b: Body, staff, *duties: str) -> None:
    for duty in duties:
        BodyMember.objects.create(body=b, staff=staff, duty=duty)


def build_world() -> SimpleNamespace:
    D = BodyMember.Duty
    county = f.county()
    town_region = f.town(county)
    village_region = f.village(town_region)
    dept = f.department(county)
    dept2 = f.department(county, code="D002", name="示范县自然资源局")
    gov = body("SFX", "示范县人民政府", Body.Kind.GOVERNMENT, county)
    scj = body("SFXSCJ", "示范县市场监督管理局", Body.Kind.DEPARTMENT, county, department=dept, parent=gov)
    zrj = body("SFXZRJ", "示范县自然资源局", Body.Kind.DEPARTMENT, county, department=dept2, parent=gov)
    town = body("CGZ", "城关镇人民政府", Body.Kind.TOWN, town_region, parent=gov)
    village = body("DGC", "东关村村民委员会", Body.Kind.VILLAGE, village_region, parent=town)
    officer = f.staff("2001", Role.WINDOW_OFFICER, department=dept, name="刘经办")
    reviewer = f.staff("2002", Role.DEPT_HEAD, department=dept, name="陈分管")
    secrecy = f.staff("2003", Role.WINDOW_OFFICER, department=dept, name="杨保密")
    signer = f.staff("2004", Role.DEPT_HEAD, department=dept, name="黄组长")
    head = f.staff("2005", Role.DEPT_HEAD, department=dept, name="周主任")
    outsider = f.staff("2006", Role.WINDOW_OFFICER, department=dept2, name="吴外单位")
    member(scj, officer, D.OFFICER)
    member(scj, reviewer, D.REVIEWER)
    member(scj, secrecy, D.SECRECY)
    member(scj, signer, D.SIGNER)
    member(scj, head, D.HEAD)
    member(zrj, outsider, D.OFFICER, D.HEAD, D.SIGNER)
    gov_officer = f.staff("2007", Role.LEADER, region=county, name="郑政府办")
    member(gov, gov_officer, D.OFFICER, D.HEAD, D.SIGNER)
    member(town, gov_officer, D.OFFICER, D.HEAD, D.SIGNER)
    village_officer = f.staff("2008", Role.VILLAGE_AGENT, region=village_region, name="孙村委")
    member(village, village_officer, D.OFFICER, D.REVIEWER, D.SECRECY, D.SIGNER)
    citizen = get_user_model().objects.create_user(username="citizen", password="pass-123456", real_name="张三",
                                                   phone="13812345678")
    return SimpleNamespace(**locals())
