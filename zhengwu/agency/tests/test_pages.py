"""The pages: the 代办员's list, the agreement page and its forms, import upload, referral, 我的代办, scope."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from zhengwu.agency.models import Agreement, Status, UpstreamStep
from zhengwu.core import clock
from zhengwu.core.models import AuditEvent

from .factories import DAY, PERSON_ID, active, build_world, draft, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def login(client, staff_or_user):
    client.force_login(getattr(staff_or_user, "user", staff_or_user))
    return client


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_list_by_status(client, w):
    active(w)
    draft(w, staff=w.village_agent)
    page = login(client, w.agent).get("/agency/").content.decode()
    assert "全程代办" in page and "新建代办协议" in page
    assert "SFXZW-DB2026-0001" in page and "SFXZW-DB2026-0002" in page
    assert 'data-count="pending">1<' in page and 'data-count="active">1<' in page
    page = client.get("/agency/?status=active").content.decode()
    assert "SFXZW-DB2026-0001" in page and "SFXZW-DB2026-0002" not in page


def test_draft_form_creates_a_pending_agreement(client, w):
    login(client, w.agent)
    assert "起草协议" in client.get("/agency/new/").content.decode()
    with clock.frozen(DAY):
        r = client.post("/agency/new/", {"kind": "person", "name": "张三", "phone": "13812345678",
                                         "id_number": PERSON_ID, "items": [str(w.eia.pk)], "stages": ["2"]})
    a = Agreement.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/agency/{a.agreement_no}/"
    assert a.status == Status.PENDING and a.stages == [2]
    r = client.post("/agency/new/", {"kind": "person", "name": "张三", "phone": "1", "id_number": PERSON_ID,
                                     "items": [str(w.eia.pk)]})
    assert r.status_code == 400 and "联系电话" in r.content.decode()
    assert Agreement.objects.count() == 1


def test_village_agent_refers_and_sees_only_their_referrals(client, w):
    login(client, w.village_agent)
    assert "转交中心代办" in client.get("/agency/").content.decode()
    page = client.get("/agency/refer/").content.decode()
    assert "林代办" in page and "外县代办" not in page
    r = client.post("/agency/refer/", {"center_agent": str(w.agent2.pk), "kind": "person", "name": "张三",
                                       "phone": "13812345678", "id_number": PERSON_ID, "items": [str(w.eia.pk)]})
    a = Agreement.objects.get()
    assert r.status_code == 302 and a.agent == w.agent2 and a.referred_by == w.village_agent
    page = client.get(f"/agency/{a.agreement_no}/").content.decode()
    assert 'data-action="sign"' not in page  # read-only for the referring agent
    assert login(client, w.other_village_agent).get(f"/agency/{a.agreement_no}/").status_code == 403
    assert client.get("/agency/new/").status_code == 403


def test_agreement_page_actions_and_upstream_note(client, w):
    a = draft(w)
    login(client, w.agent)
    page = client.get(f"/agency/{a.agreement_no}/").content.decode()
    assert 'data-action="sign"' in page and 'data-action="record_step"' not in page
    with clock.frozen(DAY):
        r = client.post(f"/agency/{a.agreement_no}/act/sign/", {"signed_on": "2026-03-02"})
    assert r.status_code == 302
    with clock.frozen(dt.date(2026, 3, 9)):
        client.post(f"/agency/{a.agreement_no}/act/record_step/", {
            "item": str(w.eia.pk), "department": "示范市生态环境局", "step_name": "受理", "filed_on": "2026-03-03"})
        page = client.get(f"/agency/{a.agreement_no}/").content.decode()
    assert "上级办理用时，不计入本县部门" in page
    assert "4 个工作日（至今）" in page
    assert UpstreamStep.objects.count() == 1
    # a refused action is shown as a message, nothing changes
    r = client.post(f"/agency/{a.agreement_no}/act/finish/", follow=True)
    assert "尚未登记办理结果交接" in r.content.decode()
    assert Agreement.objects.get().status == Status.ACTIVE
    r = client.post(f"/agency/{a.agreement_no}/act/record_step/", {"item": str(w.eia.pk), "department": "市局",
                                                                   "step_name": "x", "filed_on": "not-a-date"},
                    follow=True)
    assert "不是有效日期" in r.content.decode()
    assert client.post(f"/agency/{a.agreement_no}/act/fly/").status_code == 404


def test_import_upload_page(client, w):
    a = active(w)
    login(client, w.agent)
    good = xlsx_upload([("SFX-HB-001", "示范市生态环境局", "受理", "2026-03-03", "", "", "")])
    with clock.frozen(dt.date(2026, 3, 9)):
        r = client.post(f"/agency/{a.agreement_no}/import/", {"file": good}, follow=True)
        assert "导入完成：新增1条" in r.content.decode()
        bad = xlsx_upload([("SFX-HB-001", "", "审查", "2026-03-04", "", "", "")])
        r = client.post(f"/agency/{a.agreement_no}/import/", {"file": bad}, follow=True)
    assert "第2行" in r.content.decode()
    assert UpstreamStep.objects.count() == 1
    r = client.get("/agency/import-template.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_leader_and_supervisor_read_only(client, w):
    a = active(w)
    for who in (w.leader, w.supervisor, w.admin):
        page = login(client, who).get(f"/agency/{a.agreement_no}/").content.decode()
        assert "张*" in page and "张三" not in page and 'data-action="terminate"' not in page
        client.post(f"/agency/{a.agreement_no}/act/terminate/", {"reason": "想终止"})
        assert Agreement.objects.get().status == Status.ACTIVE
    assert login(client, w.foreign_agent).get(f"/agency/{a.agreement_no}/").status_code == 403
    assert login(client, w.officer).get("/agency/").status_code == 200
    assert "没有代办协议" in client.get("/agency/").content.decode()
    assert client.get("/agency/NOPE/").status_code == 404


def test_mine_shows_the_applicants_agreements(client, w):
    a = active(w, applicant_username="citizen")
    draft(w)
    page = login(client, w.citizen).get("/agency/mine/").content.decode()
    assert a.agreement_no in page and "SFXZW-DB2026-0002" not in page
    assert login(client, w.stranger).get("/agency/mine/").content.decode().count("SFXZW-DB") == 0
    assert client.get(f"/agency/{a.agreement_no}/agreement/").status_code == 404


def test_documents_render_with_chinese_text(client, w, tmp_path):
    a = active(w, applicant_username="citizen")
    with clock.frozen(DAY):
        from zhengwu.agency import services
        services.material_receive(agreement=a, staff=w.agent, name="环境影响报告书", original=False)
        h = services.handover_record(agreement=a, staff=w.agent, what="环评批复文件原件1份", handed_to="张三")
    login(client, w.agent)
    html = client.get(f"/agency/{a.agreement_no}/agreement/").content.decode()
    assert "全程代办服务协议" in html and PERSON_ID in html
    audits = AuditEvent.objects.filter(action="view", object_id=str(a.pk)).count()
    r = client.get(f"/agency/{a.agreement_no}/agreement.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content, tmp_path)
    for words in ("全程代办服务协议", "帮办代办不包办", "不收取任何费用", "由甲方自行承担", "建设项目环境影响评价文件审批",
                  "甲方（签字或盖章）", "陈代办"):
        assert words in text, words
    assert AuditEvent.objects.filter(action="view", object_id=str(a.pk)).count() == audits + 1
    r = client.get(f"/agency/{a.agreement_no}/receipts/{h.pk}.pdf")
    text = pdf_text(r.content, tmp_path)
    for words in ("交接单", "环评批复文件原件1份", h.receipt_no, "环境影响报告书", "接收人（签字）"):
        assert words in text, words
    # the leader reads it with the ID masked; the applicant reads their own
    html = login(client, w.leader).get(f"/agency/{a.agreement_no}/agreement/").content.decode()
    assert PERSON_ID not in html and "1101**********002X" in html
    assert login(client, w.citizen).get(f"/agency/{a.agreement_no}/receipts/{h.pk}/").status_code == 200
    assert login(client, w.stranger).get(f"/agency/{a.agreement_no}/agreement.pdf").status_code == 404
    assert login(client, w.foreign_agent).get(f"/agency/{a.agreement_no}/agreement/").status_code == 403
