"""An API-only client can take a case from application to acceptance with nothing but API responses:
the case detail lists the item's materials with their ids, what has come in and what is missing."""

import datetime as dt

import pytest

from zhengwu.accounts.models import ApiToken
from zhengwu.core import clock

from .factories import PERSON_ID, build_world, pdf

pytestmark = pytest.mark.django_db
JSON = "application/json"
APPLICANT = {"kind": "person", "name": "张三", "phone": "13812345678", "id_number": PERSON_ID}


@pytest.fixture
def w():
    return build_world()


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def test_the_applicant_uploads_by_the_ids_in_the_detail_and_the_window_accepts(client, w):
    citizen, officer = token(w.citizen), token(w.officer.user)
    with clock.frozen(dt.date(2026, 3, 10)):
        no = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": APPLICANT}, content_type=JSON,
                         headers=citizen).json()["case_no"]
        detail = client.get(f"/api/cases/{no}", headers=citizen).json()
        assert [(m["seq"], m["name"], m["necessity"], m["required"], m["received"]) for m in detail["materials"]] == [
            (1, "食品经营许可申请书", "required", True, False), (2, "经营场所平面图", "required", True, False),
            (3, "授权委托书", "optional", False, False)]
        missing = detail["missing_required"]
        assert [m["name"] for m in missing] == ["食品经营许可申请书", "经营场所平面图"]
        r = client.post(f"/api/cases/{no}/actions/accept", {}, content_type=JSON, headers=officer)
        assert (r.status_code, r.json()["code"]) == (400, "materials_missing")

        for m in missing:  # only ids read from the response
            r = client.post(f"/api/cases/{no}/materials", {"material_id": m["material_id"], "file": pdf()},
                            headers=citizen)
            assert r.status_code == 200, r.content
        detail = client.get(f"/api/cases/{no}", headers=officer).json()
        assert detail["missing_required"] == []
        assert [(m["received"], len(m["files"])) for m in detail["materials"]] == [(True, 1), (True, 1), (False, 0)]
        assert detail["materials"][0]["files"][0]["paper_received"] is False
        r = client.post(f"/api/cases/{no}/actions/accept", {}, content_type=JSON, headers=officer)
    assert (r.status_code, r.json()["status"], r.json()["due_date"]) == (200, "in_review", "2026-03-17")


def test_the_window_records_paper_originals_by_the_ids_in_the_detail(client, w):
    officer = token(w.officer.user)
    with clock.frozen(dt.date(2026, 3, 10)):
        no = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "window", "applicant": APPLICANT},
                         content_type=JSON, headers=officer).json()["case_no"]
        missing = client.get(f"/api/cases/{no}", headers=officer).json()["missing_required"]
        r = client.post(f"/api/cases/{no}/actions/accept", {"paper_materials": [m["material_id"] for m in missing]},
                        content_type=JSON, headers=officer)
    assert (r.status_code, r.json()["status"]) == (200, "in_review")
    detail = client.get(f"/api/cases/{no}", headers=officer).json()
    assert [(m["received"], [x["paper_received"] for x in m["files"]]) for m in detail["materials"]] == [
        (True, [True]), (True, [True]), (False, [])]
    assert (detail["extension_days"], detail["extension_limit"], detail["supplement"]) == (0, 10, None)


def test_the_detail_documents_the_materials_in_the_openapi(client):
    parts = client.get("/api/openapi.json").json()["components"]["schemas"]
    case_out = parts["CaseOut"]["properties"]
    assert {"materials", "missing_required", "supplement", "extra_files", "extension_limit"} <= set(case_out)
    material = parts["CaseMaterialOut"]["properties"]
    assert "POST /api/cases/{case_no}/materials" in material["material_id"]["description"]
    assert parts["CaseMaterialNecessity"]["enum"] == ["required", "optional", "conditional"]
