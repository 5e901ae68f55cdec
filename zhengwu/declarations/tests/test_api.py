"""The API: create, the actions, the reports and their verification, statistics; refusals as {code, message}."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.declarations.models import Declaration, DeclarationStatus, Report, ReportStatus
from zhengwu.declarations.services import report_file

from .factories import DAY, ENTERPRISES, INSPECTORS, at, build_world, declare

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with clock.frozen(at(DAY)):
        yield build_world()


def body(**over):
    start = DAY + dt.timedelta(days=3)
    b = {"activity_type": "inspection", "title": "安全生产检查", "legal_basis": "《安全生产法》第六十五条",
         "start_date": start.isoformat(), "end_date": (start + dt.timedelta(days=2)).isoformat(),
         "targets": [{"uscc": u, "name": n} for u, n in ENTERPRISES[:2]],
         "inspectors": [{"name": n, "cert_no": c} for n, c in INSPECTORS]}
    b.update(over)
    return b


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_declare_and_act_through_the_api(w, client):
    client.force_login(w.clerk.user)
    resp = post(client, "/api/declarations/declarations", body())
    assert resp.status_code == 201, resp.content
    did = resp.json()["id"]
    assert resp.json()["status"] == "draft" and len(resp.json()["targets"]) == 2
    assert post(client, f"/api/declarations/declarations/{did}/actions/submit").json()["status"] == "submitted"
    assert post(client, f"/api/declarations/declarations/{did}/actions/approve").status_code == 403
    client.force_login(w.office.user)
    out = post(client, f"/api/declarations/declarations/{did}/actions/approve").json()
    assert out["status"] == "approved" and out["code"] == out["result"]["code"]
    client.force_login(w.clerk.user)
    with clock.frozen(at(DAY + dt.timedelta(days=3), 16)):
        out = post(client, f"/api/declarations/declarations/{did}/actions/record",
                   {"uscc": ENTERPRISES[1][0], "visited_on": "2026-03-05", "result": "责令整改一项"})
        assert out.status_code == 200, out.content
        assert out.json()["status"] == "carried_out"
        assert post(client, f"/api/declarations/declarations/{did}/actions/close").json()["status"] == "closed"
    got = client.get(f"/api/declarations/declarations/{did}").json()
    assert got["targets"][1]["result"] == "责令整改一项"
    assert [d["id"] for d in client.get("/api/declarations/declarations").json()] == [did]


def test_refusals_are_chinese_and_change_nothing(w, client):
    client.force_login(w.clerk.user)
    resp = post(client, "/api/declarations/declarations", body(legal_basis=""))
    assert resp.status_code == 400 and resp.json()["code"] == "declarations_legal_basis"
    assert "法律依据" in resp.json()["message"] and not Declaration.objects.exists()
    assert post(client, "/api/declarations/declarations", body(title="x" * 201)).status_code == 422
    assert post(client, "/api/declarations/declarations", body(activity_type="raid")).status_code == 422
    assert post(client, "/api/declarations/declarations/999/actions/submit").status_code == 404
    assert post(client, "/api/declarations/declarations/1/actions/explode").status_code == 422
    d = declare(w, submit=False)
    client.force_login(w.safety_clerk.user)
    assert client.get(f"/api/declarations/declarations/{d.pk}").status_code == 404
    assert post(client, f"/api/declarations/declarations/{d.pk}/actions/submit").status_code == 403
    d.refresh_from_db()
    assert d.status == DeclarationStatus.DRAFT
    client.logout()
    assert client.get("/api/declarations/declarations").status_code == 401


def test_reports_api(w, client):
    resp = post(client, "/api/declarations/reports", {
        "department_id": w.safety.pk, "visit_date": "2026-03-01", "description": "未出示备案码",
        "enterprise_name": ENTERPRISES[0][1], "uscc": ENTERPRISES[0][0], "contact_name": "刘经理",
        "contact_phone": "13900000001"})
    assert resp.status_code == 201 and resp.json()["status"] == "open"
    r = Report.objects.get()
    assert client.get("/api/declarations/reports").status_code == 401
    client.force_login(w.clerk.user)
    assert client.get("/api/declarations/reports").status_code == 403
    assert post(client, f"/api/declarations/reports/{r.pk}/actions/reject", {"finding": "x"}).status_code == 403
    client.force_login(w.supervisor.user)
    assert [x["no"] for x in client.get("/api/declarations/reports").json()] == [r.no]
    bad = post(client, f"/api/declarations/reports/{r.pk}/actions/reject", {"finding": ""})
    assert bad.status_code == 400 and bad.json()["code"] == "declarations_finding"
    out = post(client, f"/api/declarations/reports/{r.pk}/actions/reject", {"finding": "系已备案的联合检查"}).json()
    assert out["status"] == "rejected" and out["status_label"] == "不属实"


def test_stats(w, client):
    declare(w, approve=True)
    declare(w, targets=ENTERPRISES[2:3])
    d3 = declare(w, by=w.safety_clerk, targets=ENTERPRISES[3:4])
    from zhengwu.declarations.services import declaration_act

    declaration_act(declaration_id=d3.pk, user=w.office.user, action="refuse", data={"reason": "依据不足"})
    r = report_file(department_id=w.safety.pk, visit_date="2026-03-01", description="未备案检查",
                    enterprise_name=ENTERPRISES[0][1], uscc=ENTERPRISES[0][0], contact_name="刘",
                    contact_phone="13900000001")
    Report.objects.filter(pk=r.pk).update(status=ReportStatus.UPHELD)
    client.force_login(w.supervisor.user)
    rows = {r["department"]: r for r in client.get("/api/declarations/stats", {"year": 2026}).json()}
    assert (rows["示范县市场监督管理局"]["declared"], rows["示范县市场监督管理局"]["approved"]) == (2, 1)
    safety = rows["示范县应急管理局"]
    assert (safety["declared"], safety["refused"], safety["reported"], safety["upheld"]) == (1, 1, 1, 1)
    client.force_login(w.clerk.user)
    assert client.get("/api/declarations/stats").status_code == 403
