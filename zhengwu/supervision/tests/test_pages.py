"""The supervision pages and API through the test client: scope, forms, documents."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from zhengwu.core import clock
from zhengwu.supervision.models import AccountabilityFlag, Admonition, Clock, DeemedApproval, DeemedRule
from zhengwu.supervision.services import assessment_run, stats_refresh, sweep_run

from .conftest import accept_case

pytestmark = pytest.mark.django_db
D = dt.date
DAY = D(2026, 10, 13)


@pytest.fixture
def swept(w):
    DeemedRule.objects.create(impl_code="SFX-SCJG-001")
    w.case = accept_case(w, D(2026, 9, 28))
    with clock.frozen(DAY):
        sweep_run()
    return w


def client_for(client, staff):
    client.force_login(staff.user)
    return client


def get(client, url, **kw):
    with clock.frozen(DAY):
        return client.get(url, **kw)


def post(client, url, data, **kw):
    with clock.frozen(DAY):
        return client.post(url, data, **kw)


def test_board_shows_cards_to_the_supervisor_only(swept, client):
    w = swept
    page = get(client_for(client, w.supervisor), "/supervision/")
    html = page.content.decode()
    assert page.status_code == 200
    assert w.case.case_no in html and 'data-testid="red-total">2<' in html
    assert html.count('data-testid="board-card"') == 2
    client.logout()
    refused = get(client_for(client, w.officer), "/supervision/")
    assert refused.status_code == 403
    assert "监察看板仅限效能监察员、领导、中心管理员和部门负责人查看" in refused.content.decode()


def test_deemed_notice_page_pdf_and_confirmation(swept, client):
    w = swept
    no = f"CSMR-{w.case.case_no}"
    c = client_for(client, w.supervisor)
    assert no in get(c, "/supervision/deemed/").content.decode()
    page = get(c, f"/supervision/deemed/{no}/").content.decode()
    assert "超时默认通知单" in page and "视为你单位对该申请<strong>同意（超时默认）</strong>" in page
    assert "2026年10月14日" in page  # reply by: one working day
    pdf = get(c, f"/supervision/deemed/{no}/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.logout()
    c = client_for(client, w.head)
    assert post(c, f"/supervision/deemed/{no}/confirm/", {"note": "示市监准〔2026〕88号"}).status_code == 302
    rec = DeemedApproval.objects.get()
    assert rec.status == "confirmed"
    # the 1-working-day limit to issue the document was itself a supervised clock, now finished
    assert Clock.objects.filter(subject_type="deemed", subject_id=rec.pk).values_list("state", "finish_reason").get() == (
        "finished", "已出具批准文书")


def test_supervisor_issues_an_admonition_through_the_form(swept, client):
    w = swept
    c = client_for(client, w.supervisor)
    r = post(c, "/supervision/admonitions/", {"staff": w.chief.pk, "reason": "审核环节超期未办理",
                                               "evidence": "办件审核环节超期，见监察看板红牌", "case_no": w.case.case_no})
    adm = Admonition.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/supervision/admonitions/{adm.pk}/"
    assert (adm.staff, adm.case, adm.issued_on) == (w.chief, w.case, DAY)
    detail = get(c, f"/supervision/admonitions/{adm.pk}/").content.decode()
    assert "效能告诫书" in detail and "效告〔2026〕1号" in detail
    assert get(c, f"/supervision/admonitions/{adm.pk}/?format=pdf").content.startswith(b"%PDF")
    client.logout()
    # A department head sees the record but may not issue one.
    c = client_for(client, w.head)
    assert "效告〔2026〕1号" in get(c, "/supervision/admonitions/").content.decode()
    r = post(c, "/supervision/admonitions/", {"staff": w.officer.pk, "reason": "x", "evidence": "y"})
    assert r.status_code == 403 and Admonition.objects.count() == 1


def test_flags_page_lists_who_and_why(swept, client):
    w = swept
    with clock.frozen(D(2026, 9, 1)):
        from zhengwu.supervision.services import admonition_issue

        admonition_issue(supervisor=w.supervisor, staff=w.chief, reason="脱岗", evidence="监控记录")
        admonition_issue(supervisor=w.supervisor, staff=w.chief, reason="超期", evidence="监察记录")
    c = client_for(client, w.supervisor)
    html = get(c, "/supervision/accountability/").content.decode()
    assert "赵首代" in html and "12个月内受到2次效能告诫" in html and "免去领导职务" in html
    flag = AccountabilityFlag.objects.get()
    post(c, "/supervision/accountability/?state=open", {"flag": flag.pk, "resolution": "已免去首席代表职务"})
    flag.refresh_from_db()
    assert flag.resolution == "已免去首席代表职务"


def test_assessment_page_and_quarterly_report(swept, client):
    w = swept
    with clock.frozen(DAY):
        assessment_run(month=D(2026, 9, 1))
    c = client_for(client, w.supervisor)
    html = get(c, "/supervision/assessment/2026-09/").content.decode()
    assert "2026年9月窗口和工作人员考核" in html and "5号窗口" in html and "红旗窗口" in html
    r = post(c, "/supervision/assessment/2026-10/", {"do": "run"})
    assert r.status_code == 302
    report = get(c, "/supervision/report/2026/Q3/").content.decode()
    assert "示范县2026年第3季度政务服务效能通报" in report
    pdf = get(c, "/supervision/report/2026/Q3/pdf/")
    assert pdf.content.startswith(b"%PDF")
    xlsx = get(c, "/supervision/report/2026/Q3/xlsx/")
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["窗口考核", "个人考核", "部门按时办结率", "评先结果", "效能告诫", "问责提示"]
    assert wb["窗口考核"]["A1"].value == "示范县2026年第3季度政务服务效能通报"
    assert [c.value for c in wb["窗口考核"][4]][:4] == ["示范县政务服务中心", "5号窗口 示范县市场监督管理局",
                                                      "示范县市场监督管理局", None]  # July: no score
    client.logout()
    assert get(client_for(client, w.officer), "/supervision/assessment/").status_code == 403


def test_dashboard_page_for_the_leader(swept, client):
    w = swept
    c = client_for(client, w.leader)
    html = get(c, "/supervision/dashboard/").content.decode()
    assert "示范县政务服务统计大屏" in html and "vendor/echarts/echarts.min.js" in html
    assert 'id="dashboard-data"' in html
    assert get(c, "/supervision/dashboard/?region=130621100000").status_code == 200
    assert get(c, "/supervision/dashboard/?region=130622000000").status_code == 404


def test_api(swept, client):
    w = swept
    c = client_for(client, w.supervisor)
    cards = get(c, "/api/supervision/cards").json()
    assert sorted((x["kind"], x["part"], x["level"]) for x in cards) == [("case", 0, "red"), ("case_step", 2, "red")]
    assert {x["subject_no"] for x in cards} == {w.case.case_no}
    assert get(c, "/api/supervision/cards?kind=case_step").json()[0]["part_name"] == "审核"
    assert get(c, "/api/supervision/cards?limit=-5").status_code == 422
    with clock.frozen(DAY):
        r = c.post("/api/supervision/admonitions", {"employee_no": "1003", "reason": "超期", "evidence": "见红牌"},
                   content_type="application/json")
    assert r.status_code == 201 and r.json()["doc_no"] == "效告〔2026〕1号"
    with clock.frozen(DAY):
        stats_refresh()  # the dashboard counts the cards as of the last refresh (every minute in production)
    assert get(c, "/api/supervision/dashboard").json()["kpis"]["red_cards"] == 2
    client.logout()
    assert get(client_for(client, w.officer), "/api/supervision/dashboard").status_code == 403


def test_pdfs_share_the_process_fonts_and_parse_the_print_stylesheet_once(swept, monkeypatch, tmp_path):
    """Supervision's letters and 通报 render through zhengwu.core.pdf like the case documents: one
    WeasyPrint FontConfiguration per process (one per render took workers past 1 GB), the print
    stylesheet parsed once and applied (the page footer is in the PDF), the CJK font embedded."""
    import subprocess

    from pypdf import PdfReader
    from weasyprint import CSS
    from weasyprint.text import fonts

    from zhengwu.core import pdf
    from zhengwu.supervision import documents
    from zhengwu.supervision.services import admonition_issue

    w = swept
    fonts_made, sheets_parsed = [], []
    real_fonts, real_css = fonts.FontConfiguration.__init__, CSS.__init__

    def counting_fonts(self, *args, **kwargs):
        fonts_made.append(self)
        real_fonts(self, *args, **kwargs)

    def counting_css(self, *args, **kwargs):
        sheets_parsed.append(self)
        real_css(self, *args, **kwargs)

    monkeypatch.setattr(fonts.FontConfiguration, "__init__", counting_fonts)
    monkeypatch.setattr(CSS, "__init__", counting_css)
    monkeypatch.setattr(pdf, "_tools", None)
    with clock.frozen(DAY):
        adm = admonition_issue(supervisor=w.supervisor, staff=w.chief, reason="超期", evidence="监察记录")
    rec = DeemedApproval.objects.get()
    outputs = [documents.deemed_notice_pdf(rec), documents.admonition_pdf(adm), documents.deemed_notice_pdf(rec)]
    assert (len(fonts_made), len(sheets_parsed)) == (1, 1)
    assert "<style>" not in documents.admonition_html(adm, for_pdf=True)
    assert "<style>" in documents.admonition_html(adm)
    for data in outputs:
        reader = PdfReader(io.BytesIO(data))
        assert "第 1 页，共 1 页" in reader.pages[0].extract_text()
        path = tmp_path / "doc.pdf"
        path.write_bytes(data)
        listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        assert "Noto-Sans-CJK-SC" in listed or "NotoSansCJK" in listed
