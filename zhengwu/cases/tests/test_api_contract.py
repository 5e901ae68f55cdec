"""The API contract used by outside checks: POST /api/cases, POST …/actions/{action}, GET /api/cases/{no}."""

import datetime as dt

import pytest

from zhengwu.accounts.models import ApiToken
from zhengwu.cases.models import Case
from zhengwu.core import clock

from .factories import PERSON_ID, build_world, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


APPLICANT = {"kind": "person", "name": "张三", "phone": "13812345678", "id_number": PERSON_ID}


def test_full_lifecycle_through_the_api(client, w):
    citizen, officer, chief, head = (token(x) for x in (w.citizen, w.officer.user, w.chief.user, w.head.user))
    with clock.frozen(dt.date(2026, 9, 28)):
        resp = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "online", "applicant": APPLICANT},
                           content_type="application/json", headers=citizen)
        assert resp.status_code == 201, resp.content
        body = resp.json()
        no = body["case_no"]
        assert (no, body["status"], body["due_date"]) == ("SFXZW-20260928-00001", "submitted", None)
        for mat in (w.m1, w.m2):
            r = client.post(f"/api/cases/{no}/materials", {"material_id": mat.pk, "file": pdf()}, headers=citizen)
            assert r.status_code == 200, r.content

        def act(action, headers, **data):
            r = client.post(f"/api/cases/{no}/actions/{action}", data, content_type="application/json",
                            headers=headers)
            assert r.status_code == 200, r.content
            return r.json()

        assert act("accept", officer) == {"case_no": no, "status": "in_review", "status_label": "审查中",
                                          "due_date": "2026-10-10", "due_provisional": False}
        act("review", chief, note="同意")
        act("decide", head, decision="approve")
        assert act("complete", officer)["status"] == "completed"
        assert act("deliver", officer, method="pickup")["status"] == "delivered"
    detail = client.get(f"/api/cases/{no}", headers=citizen).json()
    assert detail["due_date"] == "2026-10-10"
    assert detail["id_number"] == "1101**********002X"
    assert [e["action"] for e in detail["events"]] == ["submit", "add_materials", "add_materials", "accept", "review",
                                                       "decide", "complete", "deliver"]


def test_refusals_are_json_with_chinese_messages(client, w):
    officer = token(w.officer.user)
    bad = {**APPLICANT, "id_number": "110105194912310021"}
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": bad}, content_type="application/json",
                    headers=token(w.citizen))
    assert (r.status_code, r.json()) == (400, {"code": "invalid_id_number", "message": "身份证号校验位错误，请核对后重新输入"})
    assert Case.objects.count() == 0
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": APPLICANT},
                    content_type="application/json", headers=token(w.citizen))
    no = r.json()["case_no"]
    r = client.post(f"/api/cases/{no}/actions/decide", {"decision": "approve"}, content_type="application/json",
                    headers=officer)
    assert (r.status_code, r.json()["message"]) == (409, "办件当前状态为“待预审”，不能作出决定")
    r = client.post(f"/api/cases/{no}/actions/fly", {}, content_type="application/json", headers=officer)
    assert r.status_code == 404
    r = client.post(f"/api/cases/{no}/actions/accept", {}, content_type="application/json",
                    headers=token(w.outsider.user))
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")


def test_reading_is_scoped(client, w):
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": APPLICANT},
                    content_type="application/json", headers=token(w.citizen))
    no = r.json()["case_no"]
    assert client.get(f"/api/cases/{no}", headers=token(w.outsider.user)).status_code == 404
    assert client.get(f"/api/cases/{no}", headers=token(w.leader.user)).status_code == 200
    assert client.get(f"/api/cases/{no}").status_code == 401
    rows = client.get("/api/cases", headers=token(w.officer.user)).json()
    assert [(r["case_no"], r["id_number"]) for r in rows] == [(no, "1101**********002X")]
    assert client.get("/api/cases", headers=token(w.outsider.user)).json() == []


def test_window_and_agent_channels(client, w):
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "window", "applicant": APPLICANT},
                    content_type="application/json", headers=token(w.officer.user))
    assert (r.status_code, r.json()["status"]) == (201, "pending")
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "agent", "applicant": APPLICANT},
                    content_type="application/json", headers=token(w.agent.user))
    assert r.json()["case_no"].startswith("CGZ-")
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "agent", "applicant": APPLICANT},
                    content_type="application/json", headers=token(w.citizen))
    assert r.status_code == 403
