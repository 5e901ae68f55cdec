"""The staff pages: the workbench's form, the detail with its QR code, the office's queue, the supervisor's page
and Excel export; who may open what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from zhengwu.core import clock
from zhengwu.declarations.models import Declaration, DeclarationStatus

from .factories import DAY, ENTERPRISES, at, build_world, declare

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with clock.frozen(at(DAY)):
        yield build_world()


def form(**over):
    data = {"activity_type": "inspection", "title": "食品经营企业检查", "legal_basis": "《食品安全法》第一百一十条",
            "start_date": "2026-03-04", "end_date": "2026-03-06",
            "targets": "\n".join(f"{u} {n}" for u, n in ENTERPRISES[:2]), "inspectors": "王执法 13062100101\n李执法，13062100102"}
    data.update(over)
    return data


def test_the_declaration_form_names_every_problem_beside_its_field(w, client):
    """No legal basis, an end before the start, a bad line of inspectors: all three at once, each beside its
    field, with what was typed kept and nothing written."""
    client.force_login(w.clerk.user)
    with clock.frozen(at(DAY, 10)):
        bad = client.post("/declarations/work/new", form(legal_basis="", end_date="2026-03-01",
                                                         inspectors="王执法"))
    page = bad.content.decode()
    assert bad.status_code == 400 and not Declaration.objects.exists()
    assert "申报未登记，请修改以下内容" in page
    for field in ("legal_basis", "end_date", "inspectors"):
        assert f'href="#f-{field}"' in page and f'aria-describedby="f-{field}-error"' in page, field
    assert 'aria-describedby="f-title-error"' not in page and 'value="食品经营企业检查"' in page


def test_workbench_declare_submit_and_office_approves(w, client):
    client.force_login(w.clerk.user)
    with clock.frozen(at(DAY, 10)):
        assert "登记新的申报" in client.get("/declarations/work/").content.decode()
        bad = client.post("/declarations/work/new", form(legal_basis=""))
        assert bad.status_code == 400 and "法律依据" in bad.content.decode() and not Declaration.objects.exists()
        assert client.post("/declarations/work/new", form(inspectors="王执法")).status_code == 400
        resp = client.post("/declarations/work/new", form())
        d = Declaration.objects.get()
        assert resp.status_code == 302 and d.targets.count() == 2 and d.inspectors.count() == 2
        client.post(f"/declarations/work/{d.pk}/submit")
        d.refresh_from_db()
        assert d.status == DeclarationStatus.SUBMITTED
        client.force_login(w.office.user)
        queue = client.get("/declarations/queue/").content.decode()
        assert "食品经营企业检查" in queue and "《食品安全法》" in queue
        resp = client.post(f"/declarations/work/{d.pk}/approve", {"next": "/declarations/queue/"})
        assert resp.status_code == 302 and resp["Location"] == "/declarations/queue/"
    d.refresh_from_db()
    assert d.status == DeclarationStatus.APPROVED
    client.force_login(w.clerk.user)
    page = client.get(f"/declarations/work/{d.pk}/").content.decode()
    assert d.code in page and "<svg" in page and "执行登记" in page


def test_who_may_open_what(w, client):
    d = declare(w)
    assert client.get("/declarations/work/").status_code == 302  # to the login
    client.force_login(w.safety_clerk.user)
    assert client.get(f"/declarations/work/{d.pk}/").status_code == 404
    assert client.post(f"/declarations/work/{d.pk}/approve").status_code == 404
    assert client.get("/declarations/queue/").status_code == 403
    assert client.get("/declarations/supervise/").status_code == 403
    assert client.get("/declarations/supervise/stats.xlsx").status_code == 403
    client.force_login(w.clerk.user)
    resp = client.post(f"/declarations/work/{d.pk}/approve", follow=True)
    assert resp.status_code == 403
    d.refresh_from_db()
    assert d.status == DeclarationStatus.SUBMITTED


def test_refusal_on_page_shows_message_and_changes_nothing(w, client):
    d = declare(w)
    client.force_login(w.office.user)
    resp = client.post(f"/declarations/work/{d.pk}/refuse", {"reason": ""}, follow=True)
    assert "请填写不予备案的理由" in resp.content.decode()
    d.refresh_from_db()
    assert d.status == DeclarationStatus.SUBMITTED


def test_supervisor_page_and_export(w, client):
    declare(w, approve=True)
    client.force_login(w.supervisor.user)
    page = client.get("/declarations/supervise/").content.decode()
    assert "示范县市场监督管理局" in page and "暂无待核查的举报" in page
    resp = client.get("/declarations/supervise/stats.xlsx", {"year": "2026"})
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.values)
    assert rows[0][:3] == ("部门", "申报", "备案") and rows[1][:3] == ("示范县市场监督管理局", 1, 1)


def test_office_sees_why_a_declaration_is_over_the_limit(w, client):
    declare(w, targets=ENTERPRISES[:1])
    declare(w, targets=ENTERPRISES[:1])
    d = declare(w, targets=ENTERPRISES[:1], over_limit_reason="群众投诉举报")
    client.force_login(w.office.user)
    page = client.get(f"/declarations/work/{d.pk}/").content.decode()
    assert "达到每年2次的上限" in page and "群众投诉举报" in page and "同意备案" in page


def test_past_start_refused_on_the_form(w, client):
    client.force_login(w.clerk.user)
    with clock.frozen(at(DAY + dt.timedelta(days=10))):
        resp = client.post("/declarations/work/new", form())
    assert resp.status_code == 400 and "事前申报" in resp.content.decode()
