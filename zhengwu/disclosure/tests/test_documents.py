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
    pytest.importorskip("docx")
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
    if shutil.which("libreoffice") or shutil.which("soffice"):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "r.docx"
            path.write_bytes(report_docx(data))
            exe = shutil.which("libreoffice") or shutil.which("soffice")
            subprocess.run([exe, "--headless", "--convert-to", "pdf", "--outdir", d, str(path)], check=True,
                           timeout=120)
            text = _pdf_text((Path(d) / "r.pdf").read_bytes(), Path(d))
            assert "1.属于国家秘密" in text


def test_report_page_and_downloads(client, data):
    page = client.get("/gk/SFXSCJ/reports/2026/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-cell="三|本年新收|自然人">9<' in html
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in html
    pdf = client.get("/gk/SFXSCJ/reports/2026.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get("/gk/SFXSCJ/reports/2026.docx")
    assert docx.content.startswith(b"PK")
    assert "attachment; filename*=UTF-8''" in docx["Content-Disposition"]
