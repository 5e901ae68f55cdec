"""The annual report as Word (.docx), from the same sections and table layout as the page and PDF.

Needs ``python-docx`` (imported here only, so the rest of the app works without it).
"""

from __future__ import annotations

import io

from .documents import report_context
from .layout import matrix
from .tables import ReportData

FONT = "Noto Sans CJK SC"
MARGIN_MM = 20
TEXT_WIDTH_MM = 210 - 2 * MARGIN_MM


def _font(run, size_pt: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)
    if size_pt:
        run.font.size = Pt(size_pt)
    run.bold = bold


def _para(doc, text: str, *, size: float = 12, bold: bool = False, center: bool = False, indent: bool = True):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), size, bold)
    return p


def _table(doc, grid: list, cols: list[float]) -> None:
    """One national table; ``cols`` are the column widths in % of the text width, as on the page and PDF."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    width, placed = matrix(grid)
    table = doc.add_table(rows=len(grid), cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # Without widths every column gets the same share and the long row labels of table 三 break
    # every few characters. Word reads the cell widths, LibreOffice the grid: set both, before
    # merging (a merge adds up the widths of what it joins).
    table.autofit = False
    widths = [Mm(TEXT_WIDTH_MM * w / sum(cols)) for w in cols]
    for i, column in enumerate(table.columns):
        column.width = widths[i]
    # table.cell() rebuilds the whole cell list on each call; take it once. Each merge only touches
    # its own region, so the cells at the corners of later regions stay valid.
    cells = table._cells
    for i, cell in enumerate(cells):
        cell.width = widths[i % width]
    for r, c, cell in placed:
        target = cells[r * width + c]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(cells[(r + cell.rowspan - 1) * width + c + cell.colspan - 1])
        para = target.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER if (cell.num or cell.head and cell.colspan > 1) else \
            WD_ALIGN_PARAGRAPH.LEFT
        para.paragraph_format.space_after = Pt(0)
        _font(para.add_run(cell.text), 9, bold=cell.head and not cell.num and r < 3)
    doc.add_paragraph()


def report_docx(data: ReportData) -> bytes:
    from docx import Document
    from docx.shared import Mm

    ctx = report_context(data)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(MARGIN_MM)
    section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
    _para(doc, ctx["title"], size=18, bold=True, center=True)
    titles = ctx["section_titles"]
    sections = ctx["sections"]
    grids = ctx["grids"]
    for key, title in titles.items():
        _para(doc, title, size=14, bold=True, indent=False)
        if key in ("overview", "problems", "other"):
            for line in sections[key].splitlines():
                if line.strip():
                    _para(doc, line.strip())
        else:
            grid = grids[{"proactive": "table2", "requests": "table3", "appeals": "table4"}[key]]
            _table(doc, grid["rows"], grid["cols"])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
