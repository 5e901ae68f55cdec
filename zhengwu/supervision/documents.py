"""Printable supervision documents: 超时默认通知单, 效能告诫书 and the quarterly 通报 (PDF and Excel).

PDFs are made by WeasyPrint with "Noto Sans CJK SC" from self-contained HTML (nothing is fetched),
through ``zhengwu.core.pdf`` (fonts and the print stylesheet loaded once per process); the workbook
by openpyxl.
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string

from zhengwu.core.pdf import render_pdf

from .models import Admonition, DeemedApproval
from .periods import cn_date

PRINT_STYLESHEET = "supervision/docs/print.css"


def html_to_pdf(html: str) -> bytes:
    """A page rendered with ``for_pdf=True`` (no inline stylesheet) as PDF bytes."""
    return render_pdf(html, stylesheet=PRINT_STYLESHEET)


def _letter_ctx(title: str, issuer: str, doc_no: str, issued_on, **extra) -> dict:
    return {"title": title, "issuer": issuer, "doc_no": doc_no, "issued_on_cn": cn_date(issued_on), **extra}


def deemed_notice_html(rec: DeemedApproval, *, pdf_url: str = "", back_url: str = "", for_pdf: bool = False) -> str:
    c = rec.clock
    issuer = f"{c.hall.name}效能监察室" if c.hall_id else f"{c.region.name}行政效能监察室"
    ctx = _letter_ctx("超时默认通知单", issuer, f"超默〔{rec.issued_on.year}〕{rec.notice_no}",
                      rec.issued_on, rec=rec, clock=c, item_name=rec.title, department=rec.department,
                      accepted_on_cn=cn_date(c.started_on), due_date_cn=cn_date(rec.due_date),
                      reply_by_cn=cn_date(rec.reply_by), confirmed_on_cn=cn_date(rec.confirmed_on),
                      pdf_url=pdf_url, back_url=back_url, for_pdf=for_pdf)
    return render_to_string("supervision/docs/deemed.html", ctx)


def admonition_html(adm: Admonition, *, pdf_url: str = "", back_url: str = "", for_pdf: bool = False) -> str:
    issuer = f"{adm.issued_by.region.name}行政效能监察室" if adm.issued_by.region_id else "行政效能监察室"
    ctx = _letter_ctx("效能告诫书", issuer, adm.doc_no, adm.issued_on, adm=adm,
                      revoked_on_cn=cn_date(adm.revoked_on), pdf_url=pdf_url, back_url=back_url, for_pdf=for_pdf)
    return render_to_string("supervision/docs/admonition.html", ctx)


def quarter_html(report: dict, *, pdf_url: str = "", xlsx_url: str = "", back_url: str = "",
                 for_pdf: bool = False) -> str:
    ctx = {**report, "issued_on_cn": cn_date(report["as_of"]), "start_cn": cn_date(report["start"]),
           "end_cn": cn_date(report["end"]), "pdf_url": pdf_url, "xlsx_url": xlsx_url, "back_url": back_url,
           "for_pdf": for_pdf}
    return render_to_string("supervision/docs/quarter.html", ctx)


def deemed_notice_pdf(rec: DeemedApproval) -> bytes:
    return html_to_pdf(deemed_notice_html(rec, for_pdf=True))


def admonition_pdf(adm: Admonition) -> bytes:
    return html_to_pdf(admonition_html(adm, for_pdf=True))


def quarter_pdf(report: dict) -> bytes:
    return html_to_pdf(quarter_html(report, for_pdf=True))


def quarter_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="F3F3F3")

    def sheet(ws, title, header, rows):
        ws.title = title
        ws.append([report["title"]])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([f"统计期间：{cn_date(report['start'])}至{cn_date(report['end'])}"])
        ws.append(header)
        for cell in ws[3]:
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(horizontal="center")
        for row in rows:
            ws.append(row)
        for i, _ in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width = 16 if i > 1 else 28
        ws.freeze_panes = "A4"

    months = report["month_labels"]

    def score_rows(rows):
        for r in rows:
            cells = []
            for c in r["cells"]:
                cells += [float(c[0]), c[1]] if c else [None, None]
            yield [r["hall"], r["name"], r["department"], *cells,
                   float(r["average"]) if r["average"] is not None else None, r["awards"], "；".join(r["excluded"])]

    header = ["大厅", "名称", "部门"]
    for m in months:
        header += [f"{m}得分", f"{m}名次"]
    header += ["季度平均分", "获评次数", "不得评先情况"]
    sheet(wb.active, "窗口考核", header, score_rows(report["windows"]))
    sheet(wb.create_sheet(), "个人考核", header, score_rows(report["officers"]))
    sheet(wb.create_sheet(), "部门按时办结率",
          ["部门", "办结", "按时办结", "超期办结", "在办超期", "按时办结率（%）", "红牌", "黄牌"],
          ([d["name"], d["closed"], d["on_time"], d["late"], d["open_overdue"], d["rate"], d["red"], d["yellow"]]
           for d in report["departments"]))
    sheet(wb.create_sheet(), "评先结果", ["月份", "称号", "大厅", "名称", "得分"],
          ([f"{a.month.year}年{a.month.month}月", a.get_award_display(), a.hall.name,
            (f"{a.window.number}号窗口 {a.window.name}" if a.window_id else a.staff.name), float(a.score)]
           for a in report["awards"]))
    sheet(wb.create_sheet(), "效能告诫", ["告诫书编号", "日期", "被告诫人", "部门", "事由"],
          ([a.doc_no, a.issued_on, a.staff.name, a.department.name if a.department_id else "", a.reason]
           for a in report["admonitions"]))
    sheet(wb.create_sheet(), "问责提示", ["日期", "人员", "规则", "理由", "处理意见", "处理结果"],
          ([f.raised_on, f.staff.name, f.rule.name, f.reason, f.rule.consequence, f.resolution or "待处理"]
           for f in report["flags"]))
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if hasattr(cell.value, "isoformat"):
                    cell.number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
