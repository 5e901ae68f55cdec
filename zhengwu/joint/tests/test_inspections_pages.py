"""联合踏勘 pages: the lead's schedule form, confirm, the on-site record page, sign-off, who may open what,
and the 踏勘记录 and 缺席默认告知书 as HTML and PDF (the PDF text read back with pdftotext)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from zhengwu.core import clock
from zhengwu.core.models import AuditEvent
from zhengwu.joint import inspections as svc
from zhengwu.joint.models import Inspection, InspectionInvite, InspectionStatus

from .factories_inspection import DAY, attendance, build_joint, fresh

pytestmark = pytest.mark.django_db

INSPECT_DAY = dt.date(2026, 3, 12)


@pytest.fixture
def w():
    return build_joint()


def url(name, w, *args):
    return reverse(f"joint:{name}", args=[w.joint.case_no, *args])


def scheduled(w):
    with clock.frozen(DAY):
        return svc.inspection_schedule(joint=w.joint, staff=w.officer, date=INSPECT_DAY, place="建设路18号")


def signed(w, rows=None):
    ins = scheduled(w)
    with clock.frozen(INSPECT_DAY):
        svc.inspection_record(inspection=ins, staff=w.officer, attendance=rows or attendance(w),
                              conclusion="场地符合开办条件")
        svc.inspection_sign(inspection=ins, staff=w.chief)
    return fresh(ins)


def pdf_text(data: bytes, tmp_path, name: str = "doc.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_lead_schedules_on_the_form(client, w):
    client.force_login(w.officer.user)
    with clock.frozen(DAY):
        r = client.get(url("inspection_new", w))
        assert r.status_code == 200 and "组织联合踏勘" in r.content.decode()
        assert "2026-03-11" in r.content.decode()  # the next working day is offered
        r = client.post(url("inspection_new", w), {"date": "2026-03-12", "place": "建设路18号",
                                                   "department": [str(w.co2.pk)]})
    assert r.status_code == 302 and r["Location"] == url("inspection_detail", w, 1)
    ins = Inspection.objects.get()
    assert list(ins.invites.values_list("department_id", flat=True)) == [w.co2.pk]


def test_schedule_form_refusal_is_shown_and_nothing_written(client, w):
    client.force_login(w.officer.user)
    with clock.frozen(DAY):
        r = client.post(url("inspection_new", w), {"date": "2026-03-14", "place": "建设路18号"})
        assert r.status_code == 200 and "不是工作日" in r.content.decode()
        r = client.post(url("inspection_new", w), {"date": "三月", "place": "建设路18号"})
        assert "日期格式不正确" in r.content.decode()
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("who,status", [("co1_chief", 403), ("stranger", 403)])
def test_only_the_lead_opens_the_schedule_form(client, w, who, status):
    client.force_login(getattr(w, who).user)
    r = client.get(url("inspection_new", w))
    assert r.status_code == status
    assert "无权访问" in r.content.decode()


def test_unknown_joint_and_round(client, w):
    client.force_login(w.officer.user)
    assert client.get(reverse("joint:inspection_list", args=["LB-NONE"])).status_code == 404
    assert client.get(url("inspection_detail", w, 7)).status_code == 404
    assert client.get(url("inspection_detail", w, 10**30)).status_code == 404  # past the column: no 500
    scheduled(w)
    assert client.get(url("inspection_notice", w, 1, 10**30)).status_code == 404


def test_not_involved_department_cannot_read(client, w):
    scheduled(w)
    client.force_login(w.stranger.user)
    r = client.get(url("inspection_detail", w, 1))
    assert r.status_code == 403 and "不在您的管辖范围" in r.content.decode()


def test_invited_department_confirms_on_the_page(client, w):
    scheduled(w)
    client.force_login(w.co1_chief.user)
    page = client.get(url("inspection_detail", w, 1)).content.decode()
    assert page.count("确认参加</button>") == 1  # its own row only
    r = client.post(url("inspection_confirm", w, 1))
    assert r.status_code == 302
    assert InspectionInvite.objects.get(department=w.co1).confirmed_by == w.co1_chief


def test_confirm_by_a_department_not_invited(client, w):
    with clock.frozen(DAY):
        svc.inspection_schedule(joint=w.joint, staff=w.officer, date=INSPECT_DAY, place="x", department_ids=[w.co2.pk])
    client.force_login(w.co1_chief.user)  # its 子件 is in the case, so it reads the page, but was not invited
    r = client.post(url("inspection_confirm", w, 1))
    assert r.status_code == 403 and "未受邀" in r.content.decode()
    assert not InspectionInvite.objects.filter(confirmed_at__isnull=False).exists()


def test_record_page_is_made_for_a_phone(client, w):
    scheduled(w)
    client.force_login(w.officer.user)
    with clock.frozen(INSPECT_DAY):
        page = client.get(url("inspection_record", w, 1)).content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert page.count('data-testid="dept-row"') == 2
    for d in (w.co1, w.co2):
        for v in ("present", "excused", "absent"):
            assert f'name="att_{d.pk}" value="{v}"' in page
    assert "缺席有理由" in page and "视为同意踏勘议定事项" in page


def test_record_on_the_page_with_an_absent_department(client, w):
    scheduled(w)
    client.force_login(w.officer.user)
    form = {f"att_{w.co1.pk}": "present", f"attendee_{w.co1.pk}": "郑首代", f"opinion_{w.co1.pk}": "同意",
            f"att_{w.co2.pk}": "excused", f"reason_{w.co2.pk}": "", "conclusion": "场地符合开办条件"}
    with clock.frozen(INSPECT_DAY):
        r = client.post(url("inspection_record", w, 1), form)
        assert r.status_code == 200 and "须记录缺席理由" in r.content.decode()
        assert 'value="郑首代"' in r.content.decode()  # what was typed is kept
        assert fresh(Inspection.objects.get()).status == InspectionStatus.SCHEDULED
        r = client.post(url("inspection_record", w, 1), {**form, f"att_{w.co2.pk}": "absent"})
    assert r.status_code == 302
    inv = InspectionInvite.objects.get(department=w.co2)
    assert inv.deemed_agree and inv.notice_no


def test_co_department_sees_only_its_own_opinion_until_signed(client, w):
    ins = scheduled(w)
    rows = attendance(w, co2="present")
    rows[1]["opinion"] = "消防通道需拓宽至4米"
    with clock.frozen(INSPECT_DAY):
        svc.inspection_record(inspection=ins, staff=w.officer, attendance=rows, conclusion="按意见整改")
    client.force_login(w.co1_chief.user)
    assert "消防通道需拓宽至4米" not in client.get(url("inspection_detail", w, 1)).content.decode()
    assert "消防通道需拓宽至4米" not in client.get(url("inspection_sheet", w, 1)).content.decode()
    client.force_login(w.chief.user)
    assert client.post(url("inspection_sign", w, 1)).status_code == 302
    client.force_login(w.co1_chief.user)
    assert "消防通道需拓宽至4米" in client.get(url("inspection_detail", w, 1)).content.decode()


def test_sign_on_the_page_only_by_the_leads_chief(client, w):
    ins = scheduled(w)
    with clock.frozen(INSPECT_DAY):
        svc.inspection_record(inspection=ins, staff=w.officer, attendance=attendance(w), conclusion="同意")
    client.force_login(w.co1_chief.user)
    client.post(url("inspection_sign", w, 1))
    client.force_login(w.officer.user)
    assert "签认踏勘记录</button>" not in client.get(url("inspection_detail", w, 1)).content.decode()
    client.post(url("inspection_sign", w, 1))
    assert fresh(ins).status == InspectionStatus.RECORDED
    client.force_login(w.chief.user)
    assert "签认踏勘记录</button>" in client.get(url("inspection_detail", w, 1)).content.decode()
    client.post(url("inspection_sign", w, 1))
    assert fresh(ins).status == InspectionStatus.SIGNED


def test_record_pdf_has_the_chinese_text(client, w, tmp_path):
    ins = signed(w)
    client.force_login(w.co1_chief.user)
    r = client.get(url("inspection_sheet_pdf", w, 1))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content, tmp_path, "inspection-record.pdf")
    for s in ("联合踏勘记录", ins.record_no, "示范县市场监督管理局", "示范县公安局", "示范县消防救援大队",
              "建设路18号", "场地符合开办条件", "现场条件符合要求，同意", "视为同意"):
        assert s in text.replace("\n", ""), s
    assert AuditEvent.objects.filter(summary__contains="踏勘记录（PDF）").count() == 1


def test_record_pdf_only_once_signed(client, w):
    scheduled(w)
    client.force_login(w.officer.user)
    r = client.get(url("inspection_sheet_pdf", w, 1))
    assert r.status_code == 409 and "签认后" in r.content.decode()


def test_absence_notice_html_and_pdf(client, w, tmp_path):
    ins = signed(w)
    inv = ins.invites.get(department=w.co2)
    client.force_login(w.co2_chief.user)
    page = client.get(url("inspection_notice", w, 1, w.co2.pk)).content.decode()
    assert "缺席默认告知书" in page and inv.notice_no in page
    r = client.get(url("inspection_notice_pdf", w, 1, w.co2.pk))
    text = pdf_text(r.content, tmp_path, "absence-notice.pdf").replace("\n", "")
    for s in ("缺席默认告知书", "示范县消防救援大队：", inv.notice_no, "视为同意本次联合踏勘的议定事项"):
        assert s in text, s
    assert client.get(url("inspection_notice", w, 1, w.co1.pk)).status_code == 404  # co 1 attended


def test_absence_notice_not_for_another_department_before_signing(client, w):
    ins = scheduled(w)
    with clock.frozen(INSPECT_DAY):
        svc.inspection_record(inspection=ins, staff=w.officer, attendance=attendance(w), conclusion="同意")
    client.force_login(w.co1_chief.user)
    assert client.get(url("inspection_notice", w, 1, w.co2.pk)).status_code == 403
    client.force_login(w.co2_chief.user)
    assert client.get(url("inspection_notice", w, 1, w.co2.pk)).status_code == 200


def test_partial_lists_the_inspections_by_role(w):
    signed(w)
    with clock.frozen(INSPECT_DAY):
        svc.inspection_schedule(joint=w.joint, staff=w.officer, date=dt.date(2026, 3, 16), place="二期地块")
    lead = render_to_string("joint/_inspections.html", {"joint": w.joint, "staff": w.officer})
    assert lead.count('data-testid="inspection-row"') == 2
    assert "现场记录" in lead and "组织联合踏勘" in lead and "缺席默认" in lead
    assert url("inspection_sheet_pdf", w, 1) in lead
    co = render_to_string("joint/_inspections.html", {"joint": w.joint, "staff": w.co1_chief})
    assert "现场记录</a>" not in co and "组织联合踏勘</a>" not in co
