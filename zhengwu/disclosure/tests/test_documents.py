"""The report as web page, .docx and PDF shows the national tables; the PDF is rendered to PNG to prove it."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from zhengwu.disclosure.documents import report_pdf
from zhengwu.disclosure.docx_report import report_docx
from zhengwu.disclosure.tables import report_data

from .factories import build_world
from .fixture_year import build_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    w = build_world()
    build_year(w)
    return report_data(w.scj, 2026)


def _pdf_text(pdf: bytes, tmp: Path) -> str:
    (tmp / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftotext", "-layout", str(tmp / "r.pdf"), str(tmp / "r.txt")], check=True)
    return (tmp / "r.txt").read_text()


def test_pdf_opens_shows_the_tables_and_renders_to_png(data):
    pdf = report_pdf(data)
    assert pdf.startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        text = _pdf_text(pdf, tmp)
        for needle in ("示范县市场监督管理局2026年政府信息公开工作年度报告", "二、主动公开政府信息情况", "第二十条第（一）项",
                       "行政规范性文件", "三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量",
                       "1.属于国家秘密", "3.补正后申请内容仍不明确", "（七）总计", "四、结转下年度继续办理",
                       "四、政府信息公开行政复议、行政诉讼情况", "未经复议直接起诉", "复议后起诉",
                       "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
            assert needle in text, needle
        new_row = next(line for line in text.splitlines() if "一、本年新收政府信息公开申请数量" in line)
        assert new_row.split()[-7:] == ["9", "4", "2", "2", "4", "3", "24"]
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp / "r.pdf"), str(tmp / "page")], check=True)
        pages = sorted(tmp.glob("page*.png"))
        assert len(pages) >= 2
        from PIL import Image

        with Image.open(pages[0]) as img:
            assert img.size == (414, 585)  # A4 at 50 dpi
            gray = img.convert("L")
            dark = sum(gray.histogram()[:128])
        # Text and table rules cover the page: far from blank, far from solid.
        assert 0.01 < dark / (414 * 585) < 0.5


def test_docx_opens_and_shows_the_tables(data):
    from docx import Document

    doc = Document(io.BytesIO(report_docx(data)))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[0] == "示范县市场监督管理局2026年政府信息公开工作年度报告"
    assert "三、收到和处理政府信息公开申请情况" in texts
    t2, t3, t4 = doc.tables
    assert [c.text for c in t2.rows[2].cells] == ["规章", "0", "0", "0"]
    assert [c.text for c in t2.rows[3].cells] == ["行政规范性文件", "1", "1", "2"]

    def row(table, label):
        """The cells of the row with ``label`` (merged cells repeat their text in python-docx)."""
        return next([c.text for c in r.cells] for r in table.rows if label in [c.text for c in r.cells])

    assert row(t3, "一、本年新收政府信息公开申请数量")[-7:] == ["9", "4", "2", "2", "4", "3", "24"]
    assert row(t3, "1.属于国家秘密")[-7:] == ["1", "0", "0", "0", "0", "0", "1"]
    assert row(t3, "（七）总计")[-7:] == ["9", "5", "2", "2", "3", "3", "24"]
    assert row(t3, "四、结转下年度继续办理")[-7:] == ["1", "0", "0", "0", "1", "0", "2"]
    header = [c.text for c in t3.rows[0].cells]
    assert header[0].startswith("（本列数据的勾稽关系为") and header[3] == "申请人情况"
    assert [c.text for c in t4.rows[3].cells] == ["1", "1", "1", "1", "4", "1", "0", "0", "0", "1", "0", "0", "0",
                                                  "1", "1"]
    # The label columns carry the page's widths (8 % + 9 % + 26 % of 170 mm), not ten equal shares.
    assert [round(c.width.mm) for c in t3.columns][:4] == [14, 15, 44, 14]


def test_docx_converted_by_libreoffice_renders_the_tables_to_png(data, tmp_path):
    """Word's format as another program reads it: LibreOffice → PDF → page 1 as PNG, and the PDF's text."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "未找到 soffice：请安装 libreoffice-writer-nogui（scripts/test.sh 会自动安装）"
    path = tmp_path / "report.docx"
    path.write_bytes(report_docx(data))
    # A profile of its own: parallel runs (and a desktop LibreOffice) would otherwise share a lock.
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=180, capture_output=True)
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    flat = text.replace(" ", "")  # LibreOffice spaces digits apart from Chinese text ("2026 年")
    for needle in ("示范县市场监督管理局2026年政府信息公开工作年度报告", "二、主动公开政府信息情况", "第二十条第（一）项",
                   "本年制发件数", "行政规范性文件", "三、收到和处理政府信息公开申请情况", "申请人情况", "法人或其他组织",
                   "一、本年新收政府信息公开申请数量", "1.属于国家秘密", "（七）总计", "四、结转下年度继续办理",
                   "四、政府信息公开行政复议、行政诉讼情况", "未经复议直接起诉", "复议后起诉", "六、其他需要报告的事项"):
        assert needle in flat, needle
    new_row = next(line for line in text.splitlines() if "一、本年新收政府信息公开申请数量" in line)
    assert new_row.split()[-7:] == ["9", "4", "2", "2", "4", "3", "24"]
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    assert png.stat().st_size > 10_000
    from PIL import Image

    with Image.open(png) as img:
        assert img.size == (414, 585)  # A4 at 50 dpi
        gray = img.convert("L")
        dark = sum(gray.histogram()[:128])
        # Text and the tables' rules: rows of pixels dark across most of the width are table borders.
        ruled = sum(1 for y in range(img.size[1]) if sum(gray.getpixel((x, y)) < 128 for x in range(img.size[0]))
                    > 0.6 * img.size[0])
    assert 0.01 < dark / (414 * 585) < 0.5
    assert ruled >= 10


def test_drafts_are_not_public(client, data):
    """Only signed-off reports are public: a draft is a 404 to anyone outside the body's disclosure staff."""
    for url in ("/gk/SFXSCJ/reports/2026/", "/gk/SFXSCJ/reports/2026.pdf", "/gk/SFXSCJ/reports/2026.docx"):
        assert client.get(url).status_code == 404
    assert "2026年政府信息公开工作年度报告" not in client.get("/gk/SFXSCJ/reports/").content.decode()
    assert "尚无已定稿发布的年度报告" in client.get("/gk/SFXSCJ/reports/").content.decode()


def test_report_page_and_downloads(client, data):
    from zhengwu.disclosure.models import BodyMember

    client.force_login(BodyMember.objects.filter(body__code="SFXSCJ").first().staff.user)  # a draft: staff only
    page = client.get("/gk/SFXSCJ/reports/2026/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-cell="三|本年新收|自然人">9<' in html
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in html
    pdf = client.get("/gk/SFXSCJ/reports/2026.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get("/gk/SFXSCJ/reports/2026.docx")
    assert docx.content.startswith(b"PK")
    assert docx["Content-Disposition"].startswith("attachment; filename=\"download.docx\"; filename*=UTF-8''")
