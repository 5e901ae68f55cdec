"""The API contract of 联办件: POST /api/cases with bundle_code, GET of a 联办件 (kind: joint, children),
joint-only actions under /actions/{action}, opinion on a 子件, scope, and the OpenAPI enums."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import ApiToken
from zhengwu.cases.tests.factories import PERSON_ID, pdf
from zhengwu.core import clock
from zhengwu.joint.models import JointCase, JointOpinion

from .factories import DAY, build_bundle_world

pytestmark = pytest.mark.django_db

APPLICANT = {"kind": "person", "name": "张三", "phone": "13812345678", "id_number": PERSON_ID}


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def test_joint_case_through_the_api(client):
    w = build_bundle_world()
    citizen, officer, chief = token(w.citizen), token(w.officer.user), token(w.chief.user)
    co1, co2 = token(w.co1_chief.user), token(w.co2_chief.user)
    with clock.frozen(DAY):
        r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "bundle_code": "BD-CYD", "applicant": APPLICANT},
                        content_type="application/json", headers=citizen)
        assert r.status_code == 422 and r.json()["code"] == "item_or_bundle"
        r = client.post("/api/cases", {"channel": "online", "applicant": APPLICANT}, content_type="application/json",
                        headers=citizen)
        assert r.status_code == 422
        r = client.post("/api/cases", {"bundle_code": "BD-CYD", "channel": "online", "applicant": APPLICANT},
                        content_type="application/json", headers=citizen)
        assert r.status_code == 201, r.json()
        out = r.json()
        assert (out["kind"], out["status"]) == ("joint", "submitted")
        no = out["case_no"]
        d = client.get(f"/api/cases/{no}", headers=citizen).json()
        assert (d["kind"], d["lead_department"]) == ("joint", w.dept.name)
        assert [c["case_no"] for c in d["children"]] == [f"{no}-1", f"{no}-2", f"{no}-3"]
        lines = {m["name"]: m for m in d["materials"]}
        assert lines["营业执照"]["departments"] == ["示范县公安局", "示范县消防救援大队"]
        for m in d["materials"]:
            if m["required"]:
                r = client.post(f"/api/cases/{no}/materials", {"line": m["line"], "file": pdf()}, headers=citizen)
                assert r.status_code == 200, r.json()

        def act(case_no, action, headers, **data):
            return client.post(f"/api/cases/{case_no}/actions/{action}", data, content_type="application/json",
                               headers=headers)

        r = act(no, "accept", co1)
        assert r.status_code == 403
        r = act(f"{no}-2", "accept", officer)
        assert r.status_code == 409 and r.json()["code"] == "joint_child"
        r = act(no, "accept", officer)
        assert r.status_code == 200 and r.json()["status"] == "in_review", r.json()
        r = act(f"{no}-2", "opinion", co1, opinion="maybe")
        assert r.status_code == 422
        r = act(f"{no}-2", "opinion", co1, opinion="disagree")
        assert r.status_code == 400 and r.json()["code"] == "reason_required"
        r = act(f"{no}-2", "opinion", co1, opinion="disagree", reason="不符合布点要求")
        assert r.status_code == 200
        r = act(no, "ruling", chief, ruling="maybe", reason="x")
        assert r.status_code == 422
        r = act(no, "ruling", chief, ruling="proceed", reason="已协调")
        assert r.status_code == 200 and r.json()["status"] == "in_review"
        # scope: 消防 sees the summary, not 公安's opinion; the lead sees it
        d2 = client.get(f"/api/cases/{no}", headers=co2).json()
        assert [c["opinion"] for c in d2["children"]] == [None, None, None]
        assert not [e for e in d2["events"] if e["action"] in ("opinion", "ruling")]
        d1 = client.get(f"/api/cases/{no}", headers=chief).json()
        assert d1["children"][1]["opinion"] == "disagree"
        assert client.get(f"/api/cases/{no}-2", headers=co2).status_code == 404
        assert client.get(f"/api/cases/{no}", headers=token(w.leader.user)).status_code == 200

        assert act(f"{no}-3", "decide", co2, decision="approve").status_code == 200
        assert act(f"{no}-2", "decide", co1, decision="approve").status_code == 200
        assert act(f"{no}-1", "review", chief).status_code == 200
        assert act(f"{no}-1", "decide", token(w.head.user), decision="approve").status_code == 200
        assert client.get(f"/api/cases/{no}", headers=citizen).json()["status"] == "ready"
        r = act(no, "result", chief, note="准予")
        assert r.status_code == 200 and r.json()["status"] == "completed"
    d = client.get(f"/api/cases/{no}", headers=co2).json()
    assert d["result"]["kind"] == "approval"
    assert [c["decision"] for c in d["children"]] == ["approve"] * 3
    assert [c["deemed"] for c in d["children"]] == [False] * 3
    assert d["children"][1]["opinion"] == "disagree"  # after the combined result everyone sees it
    assert JointOpinion.objects.count() == 1
    child = client.get(f"/api/cases/{no}-2", headers=citizen).json()
    assert (child["kind"], child["joint_no"]) == ("single", no)


def test_stranger_gets_404_and_unknown_action(client):
    w = build_bundle_world()
    other = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model().objects.create_user(
        username="x", password="pass-123456")
    with clock.frozen(DAY):
        from .factories import window_apply

        joint = window_apply(w)
    assert client.get(f"/api/cases/{joint.case_no}", headers=token(other)).status_code == 404
    r = client.post(f"/api/cases/{joint.case_no}/actions/withdraw", {}, content_type="application/json",
                    headers=token(other))
    assert r.status_code == 404
    r = client.post(f"/api/cases/{joint.case_no}/actions/fly", {}, content_type="application/json",
                    headers=token(w.officer.user))
    assert r.status_code == 404 and r.json()["code"] == "unknown_action"
    assert JointCase.objects.get().status == "submitted"


def test_openapi_declares_enums_and_actions(client):
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["JointStatus"]["enum"]) >= {"submitted", "ruling", "ready", "completed"}
    assert schemas["JointOpinionKind"]["enum"] == ["agree", "disagree", "escalate"]
    assert schemas["JointRulingKind"]["enum"] == ["refuse", "suspend", "proceed"]
    assert schemas["CaseKind"]["enum"] == ["single", "joint"]
    op = spec["paths"]["/api/cases/{case_no}/actions/{action}"]["post"]
    assert "ruling" in op["description"] and "result" in op["description"] and "opinion" in op["description"]
