"""The printable 代办协议 and the 材料/结果交接单, as HTML pages and PDFs (``zhengwu.core.pdf``).

The agreement names both parties (甲方 the applicant, 乙方 the center and its 代办员), the items and
stages covered, the terms (free of charge; statutory fees borne by the applicant; 帮办代办不包办) and
has signature lines for both. The receipt lists what was handed back, when, to whom, its number, and
the materials received and returned. Both reuse the case documents' print stylesheet.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from zhengwu.cases.documents import cn_date, seal_svg
from zhengwu.catalog.models import Level, ProjectStage
from zhengwu.core.pdf import render_pdf
from zhengwu.core.validators import mask_id_number

from .models import Agreement, ApplicantKind, HandOver

PRINT_STYLESHEET = "cases/docs/print.css"


def _parties(agreement: Agreement, *, reveal_id: bool) -> dict:
    a = agreement
    person = a.applicant_kind == ApplicantKind.PERSON
    return {
        "a": a,
        "person": person,
        "id_shown": a.id_number if reveal_id else mask_id_number(a.id_number),
        "items": [{"name": i.name, "code": i.impl_code,
                   "level": Level(i.current.level).label if i.current else "",
                   "subject": (i.current.subject_name if i.current else "") or i.department.name}
                  for i in a.items.select_related("current", "department").order_by("impl_code")],
        "stages": [ProjectStage(s).label for s in a.stages],
        "terms": [line for line in a.terms.splitlines() if line.strip()],
        "seal_svg": mark_safe(seal_svg(a.hall.name)),  # noqa: S308 — our own markup, text escaped
        "agent": a.agent,
        "referred_by": a.referred_by,
    }


def agreement_html(agreement: Agreement, *, reveal_id: bool = False, for_pdf: bool = False,
                   pdf_url: str = "", back_url: str = "") -> str:
    ctx = {**_parties(agreement, reveal_id=reveal_id), "title": "全程代办服务协议", "doc_no": agreement.agreement_no,
           "issued_on_cn": cn_date(agreement.signed_on) or "　　年　　月　　日", "for_pdf": for_pdf,
           "pdf_url": pdf_url, "back_url": back_url}
    return render_to_string("agency/docs/agreement.html", ctx)


def agreement_pdf(agreement: Agreement, *, reveal_id: bool = False) -> bytes:
    return render_pdf(agreement_html(agreement, reveal_id=reveal_id, for_pdf=True), stylesheet=PRINT_STYLESHEET)


def receipt_html(handover: HandOver, *, reveal_id: bool = False, for_pdf: bool = False, pdf_url: str = "",
                 back_url: str = "") -> str:
    a = handover.agreement
    ctx = {**_parties(a, reveal_id=reveal_id), "title": "代办材料及办理结果交接单", "doc_no": handover.receipt_no,
           "h": handover, "handed_on_cn": cn_date(handover.handed_on), "issued_on_cn": cn_date(handover.handed_on),
           "materials": list(a.materials.order_by("id")), "for_pdf": for_pdf, "pdf_url": pdf_url,
           "back_url": back_url}
    return render_to_string("agency/docs/receipt.html", ctx)


def receipt_pdf(handover: HandOver, *, reveal_id: bool = False) -> bytes:
    return render_pdf(receipt_html(handover, reveal_id=reveal_id, for_pdf=True), stylesheet=PRINT_STYLESHEET)
