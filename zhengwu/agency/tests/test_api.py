"""The API contract: list (scoped, filters, paging validated), detail, create, actions (enums in OpenAPI)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.accounts.models import ApiToken
from zhengwu.agency.models import Agreement, Status
from zhengwu.core import clock

from .factories import DAY, PERSON_ID, active, build_world, draft

pytestmark = pytest.mark.django_db

APPLICANT = {"kind": "person", "name": "张三", "phone": "13812345678", "id_number": PERSON_ID}


@pytest.fixture
def w():
    return build_world()


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def post(client, url, body, user):
    return client.post(url, body, content_type="application/json", headers=token(user))


def test_whole_life_through_the_api(client, w):
    with clock.frozen(DAY):
        r = post(client, "/api/agency/agreements", {"applicant": APPLICANT, "item_codes": ["SFX-HB-001"],
                                                    "stages": [1], "project_name": "宏达厂"}, w.agent.user)
        assert r.status_code == 201, r.content
        no = r.json()["agreement_no"]
        assert r.json() == {"agreement_no": no, "status": "pending", "status_label": "待签订"}
        act = f"/api/agency/agreements/{no}/actions/"
        assert post(client, act + "sign", {}, w.agent.user).json()["status"] == "active"
        r = post(client, act + "receive_material", {"material_name": "环评报告书", "copies": 2, "original": True},
                 w.agent.user)
        assert r.status_code == 200, r.content
        r = post(client, act + "record_step", {"step": {"item_code": "SFX-HB-001", "department": "示范市生态环境局",
                                                        "step_name": "受理", "filed_on": "2026-03-02"}}, w.agent.user)
        assert r.status_code == 200, r.content
    with clock.frozen(dt.date(2026, 3, 10)):
        detail = client.get(f"/api/agency/agreements/{no}", headers=token(w.agent.user)).json()
        step = detail["steps"][0]
        assert (step["workdays"], step["counted_against_county"], step["result"]) == (6, False, "")
        assert detail["id_number"] == "1101**********002X"
        mid = detail["materials"][0]["id"]
        assert post(client, act + "record_result", {"step_id": step["id"], "result": "准予许可"},
                    w.agent.user).status_code == 200
        assert post(client, act + "return_material", {"material_id": mid}, w.agent.user).status_code == 200
        assert post(client, act + "handover", {"what": "环评批复", "handed_to": "张三"}, w.agent.user).status_code == 200
        r = post(client, act + "finish", {}, w.agent.user)
    assert r.json()["status"] == "finished"
    detail = client.get(f"/api/agency/agreements/{no}", headers=token(w.agent.user)).json()
    assert detail["handovers"][0]["receipt_no"] == f"{no}-J01"
    assert [e["action"] for e in detail["events"]][-1] == "finish"
    assert detail["stages"] == [1]


def test_refusals_are_domain_errors_and_change_nothing(client, w):
    a = draft(w)
    act = f"/api/agency/agreements/{a.agreement_no}/actions/"
    r = post(client, act + "finish", {}, w.agent.user)
    assert r.status_code == 409 and r.json()["code"] == "bad_state"
    r = post(client, act + "terminate", {"reason": ""}, w.agent.user)
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = post(client, act + "sign", {}, w.leader.user)
    assert r.status_code == 403
    r = post(client, act + "fly", {}, w.agent.user)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = post(client, "/api/agency/agreements", {"applicant": {**APPLICANT, "id_number": "123"},
                                                "item_codes": ["SFX-HB-001"]}, w.agent.user)
    assert r.status_code == 400 and r.json()["code"] == "invalid_id_number"
    r = post(client, "/api/agency/agreements", {"applicant": APPLICANT, "item_codes": ["SFX-HB-003"]}, w.agent.user)
    assert r.status_code == 400 and r.json()["code"] == "item_not_upstream"
    r = post(client, "/api/agency/agreements", {"applicant": APPLICANT, "stages": [9]}, w.agent.user)
    assert r.status_code == 422
    r = post(client, "/api/agency/agreements", {"applicant": APPLICANT, "item_codes": ["SFX-HB-001"]}, w.citizen)
    assert r.status_code == 403
    assert Agreement.objects.get().status == Status.PENDING
    assert Agreement.objects.count() == 1


def test_list_scope_masking_filters_and_paging(client, w):
    mine = active(w)
    draft(w, staff=w.village_agent)
    draft(w, staff=w.foreign_agent)

    def nos(user, query=""):
        r = client.get(f"/api/agency/agreements{query}", headers=token(user))
        assert r.status_code == 200, r.content
        return sorted(x["agreement_no"] for x in r.json())

    assert nos(w.agent.user) == ["SFXZW-DB2026-0001", "SFXZW-DB2026-0002"]
    assert nos(w.agent.user, "?status=active") == ["SFXZW-DB2026-0001"]
    assert len(nos(w.agent.user, "?status=open&limit=1")) == 1
    assert nos(w.agent.user, "?offset=1&limit=5") == ["SFXZW-DB2026-0001"]  # newest first
    assert nos(w.village_agent.user) == ["SFXZW-DB2026-0002"]
    assert nos(w.other_village_agent.user) == []
    assert nos(w.foreign_agent.user) == ["LXZW-DB2026-0001"]
    assert nos(w.leader.user) == ["SFXZW-DB2026-0001", "SFXZW-DB2026-0002"]
    assert nos(w.officer.user) == []
    assert nos(w.citizen) == []
    rows = client.get("/api/agency/agreements", headers=token(w.leader.user)).json()
    assert {r["applicant_name"] for r in rows} == {"张*"}
    assert {r["id_number"] for r in rows} == {"1101**********002X"}
    rows = client.get("/api/agency/agreements", headers=token(w.agent.user)).json()
    assert {r["applicant_name"] for r in rows} == {"张三"}
    for q in ("?limit=0", "?limit=1001", "?offset=-1", "?status=nope"):
        r = client.get(f"/api/agency/agreements{q}", headers=token(w.agent.user))
        assert r.status_code == 422 and r.json()["code"] == "invalid_input", q
    # detail: out of scope is the same 404 as missing
    for user in (w.foreign_agent.user, w.officer.user, w.citizen):
        r = client.get(f"/api/agency/agreements/{mine.agreement_no}", headers=token(user))
        assert r.status_code == 404
    assert client.get("/api/agency/agreements/NOPE", headers=token(w.agent.user)).status_code == 404


def test_applicant_with_account_reads_own(client, w):
    a = draft(w, applicant_username="citizen")
    rows = client.get("/api/agency/agreements", headers=token(w.citizen)).json()
    assert [r["agreement_no"] for r in rows] == [a.agreement_no]
    assert client.get(f"/api/agency/agreements/{a.agreement_no}", headers=token(w.citizen)).status_code == 200
    r = post(client, f"/api/agency/agreements/{a.agreement_no}/actions/sign", {}, w.citizen)
    assert r.status_code == 404
    assert Agreement.objects.get().status == Status.PENDING


def test_openapi_enums(client):
    spec = client.get("/api/openapi.json").json()
    op = spec["paths"]["/api/agency/agreements/{agreement_no}/actions/{action}"]["post"]
    action = next(p for p in op["parameters"] if p["name"] == "action")
    assert set(action["schema"]["enum"]) == {"sign", "receive_material", "return_material", "record_step",
                                             "record_result", "handover", "finish", "terminate"}
    schemas = spec["components"]["schemas"]
    assert schemas["AgencyStatus"]["enum"] == ["pending", "active", "finished", "terminated"]
    assert schemas["AgencyStage"]["enum"] == [1, 2, 3, 4]
