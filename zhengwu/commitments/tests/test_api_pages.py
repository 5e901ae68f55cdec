"""公开承诺 through the API and the pages: public reads without who complained, the version actions, the
supervisor's complaints, refusals as {code, message}."""

from __future__ import annotations

import pytest

from zhengwu.commitments import services
from zhengwu.commitments.models import Breach, Commitment, CommitmentVersion
from zhengwu.commitments.services import ClauseIn

from .factories import auth, world

pytestmark = pytest.mark.django_db


def _published(w):
    v = services.commitment_open(actor=w.chief, department=w.dept)
    services.version_update(actor=w.chief, version_id=v.pk, standards="按指南办理", service_hours="工作日",
                            supervision_phone="0311-1234567", change_note="",
                            clauses=[ClauseIn("first_ask", "首问负责")])
    services.version_act(actor=w.chief, version_id=v.pk, action="submit")
    return services.version_act(actor=w.head, version_id=v.pk, action="sign").commitment


def test_the_api_writes_submits_and_signs_a_version(client):
    w = world()
    r = client.post("/api/commitments/versions", {}, content_type="application/json", headers=auth(w.chief))
    assert r.status_code == 201, r.content
    vid = r.json()["id"]
    body = {"standards": "服务标准", "clauses": [{"kind": "one_trip", "text": "最多跑一次"}]}
    r = client.put(f"/api/commitments/versions/{vid}", body, content_type="application/json", headers=auth(w.chief))
    assert r.status_code == 200 and r.json()["clauses"][0]["kind_label"] == "最多跑一次"
    r = client.post(f"/api/commitments/versions/{vid}/actions/submit", {}, content_type="application/json", headers=auth(w.chief))
    assert r.json().get("status") == "submitted", r.json()
    r = client.post(f"/api/commitments/versions/{vid}/actions/sign", {}, content_type="application/json", headers=auth(w.chief))
    assert r.status_code == 403 and r.json()["code"] == "commitment_forbidden"
    r = client.post(f"/api/commitments/versions/{vid}/actions/sign", {}, content_type="application/json", headers=auth(w.head))
    assert r.json()["status"] == "published" and r.json()["signed_by"] == "王局长"
    r = client.post(f"/api/commitments/versions/{vid}/actions/publish", {}, content_type="application/json", headers=auth(w.head))
    assert r.status_code == 422 and "message" in r.json()
    # a head of another department cannot even read it
    r = client.get(f"/api/commitments/versions/{vid}", headers=auth(w.other_head))
    assert r.status_code == 403
    listed = client.get("/api/commitments/commitments").json()
    assert [(c["owner"], c["version"]) for c in listed] == [("示范县市场监督管理局", 1)]


def test_bad_api_bodies_are_refused_and_change_nothing(client):
    w = world()
    v = services.commitment_open(actor=w.chief, department=w.dept)
    h = auth(w.chief)
    for body in [{"clauses": [{"kind": "first_ask", "text": "长" * 301}]}, {"standards": "x" * 4001},
                 {"clauses": [{"kind": "bribe", "text": "x"}]}, {"clauses": "nope"}]:
        r = client.put(f"/api/commitments/versions/{v.pk}", body, content_type="application/json", headers=h)
        assert r.status_code == 422 and r.json()["message"], body
    r = client.put(f"/api/commitments/versions/{v.pk}", b'{"standards": "\\u0000"}', content_type="application/json",
                   headers=h)
    assert r.status_code in (400, 422)
    assert CommitmentVersion.objects.get(pk=v.pk).standards == "" and not v.clauses.exists()
    assert client.get("/api/commitments/commitments?offset=-1").status_code == 422
    assert client.get("/api/commitments/commitments/99999999999999999999").status_code == 422


def test_complaints_through_the_api_and_what_the_public_sees(client):
    w = world()
    c = _published(w)
    body = {"commitment": c.pk, "clause_kind": "first_ask", "source": "letter", "source_no": "LX-7",
            "summary": "张三来信：咨询被推到别的窗口"}
    assert client.post("/api/commitments/breaches", body, content_type="application/json",
                       headers=auth(w.head)).status_code == 403
    r = client.post("/api/commitments/breaches", body, content_type="application/json", headers=auth(w.supervisor))
    assert r.status_code == 201, r.content
    bid = r.json()["id"]
    # pending: not on the public page or API
    detail = client.get(f"/api/commitments/commitments/{c.pk}").json()
    assert (detail["breaches_checked"], detail["breaches"]) == (0, [])
    r = client.post(f"/api/commitments/breaches/{bid}/actions/uphold", {"finding": "属实，已约谈首席代表"},
                    content_type="application/json", headers=auth(w.supervisor))
    assert r.json()["status"] == "upheld"
    detail = client.get(f"/api/commitments/commitments/{c.pk}").json()
    assert (detail["breaches_checked"], detail["breaches_upheld"]) == (1, 1)
    text = client.get(f"/api/commitments/commitments/{c.pk}").content.decode() + \
        client.get(f"/commitments/{c.pk}/").content.decode()
    for secret in ("张三", "LX-7", "周监察"):
        assert secret not in text
    assert "其中属实 1 件" in client.get(f"/commitments/{c.pk}/").content.decode()
    assert Breach.objects.get().status == "upheld"


def test_public_pages_and_the_hall_screen(client):
    w = world()
    c = _published(w)
    v2 = services.commitment_open(actor=w.chief, department=w.dept)
    services.version_update(actor=w.chief, version_id=v2.pk, standards="第二版标准", service_hours="",
                            supervision_phone="", change_note="修订", clauses=[ClauseIn("conduct", "文明服务")])
    services.version_act(actor=w.chief, version_id=v2.pk, action="submit")
    services.version_act(actor=w.head, version_id=v2.pk, action="sign")
    page = client.get("/commitments/").content.decode()
    assert "示范县市场监督管理局" in page and "第2版" in page
    now = client.get(f"/commitments/{c.pk}/").content.decode()
    assert "第二版标准" in now and "文明服务" in now and "?v=1" in now
    old = client.get(f"/commitments/{c.pk}/?v=1").content.decode()
    assert "按指南办理" in old and "历史版本" in old
    assert client.get(f"/commitments/{c.pk}/?v=9").status_code == 404
    screen = client.get(f"/commitments/screen/{w.hall.code}/").content.decode()
    assert "文明服务" in screen and "王局长 签发" in screen
    assert client.get("/commitments/screen/NOPE/").status_code == 404


def test_the_workbench_pages(client):
    w = world()
    client.force_login(w.chief.user)
    assert "起草" in client.get("/commitments/work/").content.decode()
    r = client.post("/commitments/work/start/", {"window": w.window.pk})
    v = CommitmentVersion.objects.get()
    assert r.status_code == 302 and v.commitment.scope == "window"
    r = client.post(f"/commitments/work/v/{v.pk}/", {"standards": "规范", "clause_kind": ["conduct", "other"],
                                                     "clause_text": ["亮牌上岗", ""]})
    assert r.status_code == 302 and [k.text for k in v.clauses.all()] == ["亮牌上岗"]
    client.post(f"/commitments/work/v/{v.pk}/act/submit/")
    client.force_login(w.head.user)
    client.post(f"/commitments/work/v/{v.pk}/act/sign/")
    assert Commitment.objects.get().current_id == v.pk
    client.force_login(w.officer.user)
    assert client.get(f"/commitments/work/v/{v.pk}/").status_code == 403
    assert client.get("/commitments/work/breaches/").status_code == 403
    client.force_login(w.supervisor.user)
    # nothing picked, a 12345 source without its number, no summary: all three beside their fields, nothing filed
    r = client.post("/commitments/work/breaches/", {"commitment": "", "clause_kind": "conduct",
                                                    "source": "hotline", "source_no": "", "summary": ""})
    page = r.content.decode()
    assert r.status_code == 400 and not Breach.objects.exists()
    for field in ("commitment", "source_no", "summary"):
        assert f'aria-describedby="f-{field}-error"' in page and f'href="#f-{field}"' in page, field
    r = client.post("/commitments/work/breaches/", {"commitment": v.commitment_id, "clause_kind": "conduct",
                                                    "source": "letter", "source_no": "", "summary": "态度生硬"})
    b = Breach.objects.get()
    assert r.status_code == 302
    r = client.post(f"/commitments/work/breaches/{b.pk}/", {"verdict": "dismissed", "finding": ""})
    assert r.status_code == 400 and "请填写核实情况" in r.content.decode()
    assert 'aria-describedby="f-finding-error"' in r.content.decode()
    assert 'value="dismissed" checked' in r.content.decode()  # the choice made is kept
    client.post(f"/commitments/work/breaches/{b.pk}/", {"verdict": "dismissed", "finding": "调取录像，服务规范"})
    b.refresh_from_db()
    assert b.status == "dismissed"
