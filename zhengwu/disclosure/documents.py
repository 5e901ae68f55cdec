"""Documents of 政务公开 as HTML and PDF: the 答复书, the 收费通知书 and the annual report.

PDFs are made by WeasyPrint with the "Noto Sans CJK SC" font (Debian ``fonts-noto-cjk``) through
``zhengwu.core.pdf``, as the case documents are: one font configuration per process, and the print
stylesheet parsed once (pages rendered ``for_pdf`` leave their inline ``<style>`` out). The templates
are self-contained and nothing is fetched. The .docx of the report is in ``docx_report.py``.
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from zhengwu.core.errors import DomainError
from zhengwu.core.pdf import render_pdf
from zhengwu.core.validators import mask_id_number

from . import reference as ref
from .layout import matrix, table2_grid, table3_grid, table4_grid
from .models import AnnualReport, Body, InfoRequest
from .tables import ReportData


def cn_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def seal_svg(name: str) -> str:
    """The body's seal: its name round a red ring with a star (for the printed copy only)."""
    chars = list(name)[:20]
    span = min(250.0, 25.0 * len(chars))
    parts = []
    for i, ch in enumerate(chars):
        angle = -span / 2 + span * (i + 0.5) / len(chars)
        parts.append(f'<text x="50" y="21" transform="rotate({angle:.1f} 50 50)" text-anchor="middle" '
                     f'font-size="{12 if len(chars) <= 12 else 10}">{escape(ch)}</text>')
    return ('<svg class="seal" viewBox="0 0 100 100" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-label="{escape(name)}（印章）" fill="#d40000"><circle cx="50" cy="50" r="46" fill="none" '
            'stroke="#d40000" stroke-width="3"/>' + "".join(parts)
            + '<text x="50" y="63" font-size="26" text-anchor="middle">★</text></svg>')


def appeal_organ(body: Body) -> str:
    return f"{body.parent.name}" if body.parent_id else "上一级人民政府"


PRINT_STYLESHEET = "disclosure/docs/print.css"


def html_to_pdf(html: str) -> bytes:
    """A page rendered with ``for_pdf=True`` (no inline stylesheet) as PDF bytes."""
    return render_pdf(html, stylesheet=PRINT_STYLESHEET)


# -- 答复书 and 收费通知书 -----------------------------------------------------------------------------------


def reply_paragraphs(req: InfoRequest) -> list[str]:
    rt = ref.RESULTS[req.result]
    basis = rt.basis
    received = cn_date(req.received_on)
    opening = (f"本机关于{received}收到您提出的政府信息公开申请（申请编号：{req.request_no}），"
               f"申请获取“{req.description}”。")
    if req.supplement_received_on:
        opening += f"本机关于{cn_date(req.supplement_requested_on)}告知补正，于{cn_date(req.supplement_received_on)}收到补正。"
    if rt.group == "予以公开":
        body = f"经审查，您申请获取的政府信息属于公开范围。根据{basis}的规定，现将有关信息提供给您：{req.reply_text}"
    elif rt.group == "部分公开":
        body = (f"经审查，您申请获取的政府信息中，部分内容可以公开，现予提供：{req.reply_text}。"
                f"其余内容{req.reason}。根据{basis}的规定，对该部分内容不予公开。")
    elif rt.group == "不予公开":
        body = f"经审查，{req.reason}（{rt.label.split('.', 1)[-1]}）。根据{basis}的规定，本机关决定不予公开。"
    elif rt.group == "无法提供":
        body = f"经审查，{req.reason}（{rt.label.split('.', 1)[-1]}）。根据{basis}的规定，本机关无法提供。"
    elif rt.group == "不予处理":
        body = f"经审查，{req.reason}（{rt.label.split('.', 1)[-1]}）。根据{basis}的规定，本机关不予处理。"
    elif basis:
        body = f"{req.reason}。根据{basis}的规定，本机关不再处理您的该项政府信息公开申请。"
    else:
        # 其他处理—其他 (e.g. withdrawn): the 条例 has no article for it, and the letter does not pretend otherwise.
        body = (f"{req.reason}。《中华人民共和国政府信息公开条例》对此情形未作专门规定，本机关按“其他处理”办结，"
                "不再处理您的该项政府信息公开申请。")
    rights = (f"如对本答复不服，可以自收到本答复书之日起六十日内向{appeal_organ(req.body)}申请行政复议，"
              "或者自收到本答复书之日起六个月内依法向人民法院提起行政诉讼。")
    return [opening, body, rights]


def _letter_context(req: InfoRequest, *, title: str, for_pdf: bool = False) -> dict:
    return {
        "title": title, "for_pdf": for_pdf, "req": req, "body": req.body, "seal": mark_safe(seal_svg(req.body.name)),  # noqa: S308
        "id_masked": mask_id_number(req.id_number), "subkind": ref.LEGAL_SUBKIND_NAMES.get(req.legal_subkind, ""),
    }


def reply_html(req: InfoRequest, *, for_pdf: bool = False) -> str:
    if req.closed_on is None or req.status == "withdrawn":
        raise DomainError("no_reply", "该申请尚未答复，不能出具答复书", status=409)
    rt = ref.RESULTS[req.result]
    ctx = _letter_context(req, title="政府信息公开申请答复书", for_pdf=for_pdf)
    ctx.update(paragraphs=reply_paragraphs(req), result=rt,
               result_label=rt.name if rt.group == rt.name else f"{rt.group}（{rt.name}）",
               issued_on=cn_date(req.closed_on))
    return render_to_string("disclosure/docs/reply.html", ctx)


def fee_notice_html(req: InfoRequest, *, for_pdf: bool = False) -> str:
    if req.fee_notice_on is None:
        raise DomainError("no_fee_notice", "该申请没有收费通知", status=409)
    ctx = _letter_context(req, title="政府信息公开信息处理费收费通知书", for_pdf=for_pdf)
    ctx.update(method=dict(ref.FEE_METHODS)[req.fee_method], issued_on=cn_date(req.fee_notice_on),
               pay_due=cn_date(req.fee_pay_due), waived_on=cn_date(req.fee_waived_on), reply_due=cn_date(req.due_date))
    return render_to_string("disclosure/docs/fee_notice.html", ctx)


def reply_pdf(req: InfoRequest) -> bytes:
    return html_to_pdf(reply_html(req, for_pdf=True))


def fee_notice_pdf(req: InfoRequest) -> bytes:
    return html_to_pdf(fee_notice_html(req, for_pdf=True))


# -- the annual report --------------------------------------------------------------------------------------


def report_title(body: Body, year: int) -> str:
    return f"{body.name}{year}年政府信息公开工作年度报告"


def default_overview(data: ReportData) -> str:
    t3, s = data.tables["table3"], data.tables["summary"]
    return (f"{data.year}年，{data.body.name}认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息"
            f"{s['主动公开信息数']}条，信息浏览{s['浏览次数']}人次；收到政府信息公开申请{t3[ref.NEW][ref.TOTAL]}件，"
            f"办结{t3[ref.RESULT_TOTAL][ref.TOTAL]}件，结转下年度{t3[ref.CARRIED_OUT][ref.TOTAL]}件。")


def default_other(data: ReportData) -> str:
    fee = data.tables["summary"]["信息处理费（元）"]
    if fee:
        return f"本年度依据《政府信息公开信息处理费管理办法》收取信息处理费{fee:.2f}元。"
    return "本年度未收取信息处理费。"


def report_sections(data: ReportData) -> dict:
    """The text of sections 一, 五 and 六: what people wrote, else a draft generated from the data."""
    report: AnnualReport | None = data.report
    return {
        "overview": (report.overview if report and report.overview else default_overview(data)),
        "problems": (report.problems if report and report.problems else "（待填写：存在的主要问题及改进情况）"),
        "other": (report.other if report and report.other else default_other(data)),
    }


#: column widths (%) of the national tables: wide label columns, even number columns
COL_WIDTHS = {"table2": [34, 22, 22, 22], "table3": [8, 9, 26] + [8.1] * 7, "table4": [6.66] * 15}


def report_grids(data: ReportData) -> dict:
    t = data.tables
    grids = {"table2": table2_grid(t["table2"]), "table3": table3_grid(t["table3"]),
             "table4": table4_grid(t["table4"])}
    return {k: {"rows": g, "width": matrix(g)[0], "cols": COL_WIDTHS[k]} for k, g in grids.items()}


def report_context(data: ReportData) -> dict:
    return {"data": data, "title": report_title(data.body, data.year), "sections": report_sections(data),
            "grids": report_grids(data), "section_titles": ref.SECTION_TITLES,
            "adjusted": set((data.report.adjustments if data.report else {}) or {})}


def report_html(data: ReportData, *, for_pdf: bool = False) -> str:
    return render_to_string("disclosure/docs/report.html", {**report_context(data), "for_pdf": for_pdf})


def report_pdf(data: ReportData) -> bytes:
    return html_to_pdf(report_html(data, for_pdf=True))
