"""Printable case documents (办件文书) as HTML pages and PDFs.

Every document carries the issuing department's name (as the 落款 and the seal text), the hall,
the case number, a 文号-like line, its date, and a QR code pointing at the public progress page
(``/progress/?case_no=…``) with the printed hint to check progress there. Which documents exist
depends on the case's state; asking for another one is refused with a Chinese message (409).

PDFs are made by WeasyPrint with the "Noto Sans CJK SC" font (Debian ``fonts-noto-cjk``) and a
URL fetcher that fetches nothing: the templates are self-contained. The font configuration and
the print stylesheet are loaded once per process and reused by every render (``zhengwu.core.pdf``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from zhengwu.catalog.models import ItemKind, TimeUnit
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.pdf import render_pdf
from zhengwu.core.validators import mask_id_number, mask_name

from .models import (
    ApplicantKind,
    Case,
    CaseEvent,
    ClockStop,
    Decision,
    Delivery,
    Extension,
    Status,
    SupplementRequest,
)
from .plan import plan_for

PROGRESS_HINT = "扫码或登录门户输入办件编号和联系电话查询办理进度"
DEFAULT_SITE_URL = "http://localhost:8000/"
PRINT_STYLESHEET = "cases/docs/print.css"


@dataclass(frozen=True)
class DocKind:
    code: str
    title: str
    word: str  # the 文号 代字, e.g. 受 in 示市监受〔2026〕…号

    @property
    def template(self) -> str:
        return f"cases/docs/body_{self.code}.html"


DOCUMENT_KINDS: dict[str, DocKind] = {
    k.code: k
    for k in [
        DocKind("acceptance", "受理通知书", "受"),
        DocKind("supplement", "补正材料通知书", "补"),
        DocKind("rejection", "不予受理决定书", "不受"),
        DocKind("approval", "准予许可决定书", "准许"),
        DocKind("denial", "不予许可决定书", "不许"),
        DocKind("completion", "办结通知", "结"),
        DocKind("special", "特别程序告知书", "特"),
        DocKind("extension", "延长办理期限告知书", "延"),
    ]
}


def _special_stops(case: Case) -> list[ClockStop]:
    return list(ClockStop.objects.filter(case=case).exclude(kind="supplement").order_by("start_on", "id"))


def _supplement_request(case: Case) -> SupplementRequest | None:
    """The open 补正告知, else the latest one."""
    requests = list(SupplementRequest.objects.filter(case=case).select_related("requested_by").order_by("-id"))
    return next((r for r in requests if r.received_on is None), requests[0] if requests else None)


def document_unavailable_reason(case: Case, kind: str) -> str:
    """Why ``kind`` cannot be issued for ``case`` in its present state; empty when it can."""
    if kind == "acceptance" and case.accepted_on is None:
        return "办件尚未受理，不能出具受理通知书"
    if kind == "supplement" and not SupplementRequest.objects.filter(case=case).exists():
        return "该办件没有补正告知记录，不能出具补正材料通知书"
    if kind == "rejection" and case.status != Status.REJECTED:
        return "办件未作出不予受理决定，不能出具不予受理决定书"
    if kind == "approval" and case.decision != Decision.APPROVE:
        return "办件尚未作出准予许可决定，不能出具准予许可决定书"
    if kind == "denial" and case.decision != Decision.DENY:
        return "办件未作出不予许可决定，不能出具不予许可决定书"
    if kind == "completion" and case.completed_on is None:
        return "办件尚未办结，不能出具办结通知"
    if kind == "special" and not ClockStop.objects.filter(case=case).exclude(kind="supplement").exists():
        return "该办件没有特别程序记录，不能出具特别程序告知书"
    if kind == "extension" and not Extension.objects.filter(case=case).exists():
        return "该办件没有延期记录，不能出具延长办理期限告知书"
    return ""


def document_kind_get(case: Case, kind: str) -> DocKind:
    """The document kind, if it exists and may be issued for the case now; raises otherwise.

    ``decision`` stands for whichever decision the case has (准予 or 不予许可决定书).
    """
    if kind == "decision":
        kind = "denial" if case.decision == Decision.DENY else "approval"
    doc = DOCUMENT_KINDS.get(kind)
    if doc is None:
        raise NotFound("没有这种办件文书")
    reason = document_unavailable_reason(case, kind)
    if reason:
        raise DomainError("document_unavailable", reason, status=409)
    return doc


def document_list(case: Case) -> list[DocKind]:
    """The documents this case has in its present state."""
    return [d for d in DOCUMENT_KINDS.values() if not document_unavailable_reason(case, d.code)]


# -- shared pieces -----------------------------------------------------------------------------------------


def site_url(base_url: str | None) -> str:
    return base_url or getattr(settings, "ZHENGWU_SITE_URL", "") or DEFAULT_SITE_URL


def progress_url(case: Case, base_url: str | None) -> str:
    return site_url(base_url).rstrip("/") + "/progress/?" + urlencode({"case_no": case.case_no})


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (pure Python, no Pillow)."""
    import qrcode
    import qrcode.image.svg

    svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=1).to_string(encoding="unicode")
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"',
                  '<svg class="qr" role="img" aria-label="办理进度查询二维码"', svg)


def seal_svg(name: str) -> str:
    """The seal (印章) of the issuing department: its name set round a red ring, a star in the middle."""
    chars = list(name)[:20]
    span = min(250.0, 25.0 * len(chars))
    parts = []
    for i, ch in enumerate(chars):
        angle = -span / 2 + span * (i + 0.5) / len(chars)
        parts.append(f'<text x="50" y="21" transform="rotate({angle:.1f} 50 50)" text-anchor="middle" '
                     f'font-size="{12 if len(chars) <= 12 else 10}">{escape(ch)}</text>')
    return (
        '<svg class="seal" viewBox="0 0 100 100" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{escape(name)}（印章）" fill="#d40000" font-family="Noto Sans CJK SC">'
        '<circle cx="50" cy="50" r="46" fill="none" stroke="#d40000" stroke-width="3"/>'
        + "".join(parts)
        + '<text x="50" y="63" font-size="26" text-anchor="middle">★</text></svg>'
    )


def cn_date(d: dt.date | dt.datetime | None) -> str:
    """2026年9月28日 (GB/T 9704: Arabic numerals, no leading zeros)."""
    if d is None:
        return ""
    if isinstance(d, dt.datetime):
        d = timezone.localdate(d)
    return f"{d.year}年{d.month}月{d.day}日"


def _due_at_acceptance(case: Case) -> dict:
    """The due date as fixed at acceptance (later stops and extensions are told by their own notices)."""
    data = (CaseEvent.objects.filter(case=case, action="accept").order_by("-id")
            .values_list("data", flat=True).first()) or {}
    if not data.get("due_date"):
        return {}
    return {"due_at_acceptance": dt.date.fromisoformat(data["due_date"]),
            "due_provisional": bool(data.get("provisional"))}


def _issued_on(case: Case, kind: str, extra: dict) -> dt.date:
    local = timezone.localdate
    if kind == "acceptance":
        return case.accepted_on
    if kind == "supplement":
        return extra["request"].requested_on
    if kind == "rejection":
        return local(case.closed_at) if case.closed_at else clock.today()
    if kind in ("approval", "denial"):
        return local(case.decided_at) if case.decided_at else clock.today()
    if kind == "completion":
        return case.completed_on
    if kind == "extension":
        return local(extra["extension"].approved_at)
    stops = extra["stops"]
    return max([s.start_on for s in stops] + [s.end_on for s in stops if s.end_on])


def letterhead(*, case: Case, title: str, issued_on: dt.date, base_url: str | None, word: str = "",
               issuer: str = "", doc_no: str = "") -> dict:
    """What every document and receipt prints: issuer (and seal), 文号, date, hall, QR code.

    The issuer is the case's department unless given (a receipt is issued by the hall's cashier).
    """
    department = case.department
    issuer = issuer or department.name
    url = progress_url(case, base_url)
    abbr = department.short_name or department.name
    return {
        "title": title,
        "issuer": issuer,
        "doc_no": doc_no or f"{abbr}{word}〔{issued_on.year}〕{case.case_no}号",
        "issued_on": issued_on,
        "issued_on_cn": cn_date(issued_on),
        "hall": case.hall,
        "case": case,
        "progress_url": url,
        "progress_hint": PROGRESS_HINT,
        "qr_svg": mark_safe(qr_svg(url)),  # generated here from the URL: no user markup
        "seal_svg": mark_safe(seal_svg(issuer)),  # the name is escaped in seal_svg
    }


def applicant_block(case: Case, *, reveal_id: bool, hide_name: bool = False) -> dict:
    """The applicant as printed; the ID number is masked except on the applicant's own copy, and the
    names on the copy of a reader who does not handle the case (docs/cases-access.md)."""
    id_number = case.id_number if reveal_id else mask_id_number(case.id_number)
    return {
        "name": mask_name(case.applicant_name) if hide_name else case.applicant_name,
        "is_person": case.applicant_kind == ApplicantKind.PERSON,
        "id_number": id_number,
        "uscc": case.uscc,
        "legal_rep": mask_name(case.legal_rep) if hide_name else case.legal_rep,
    }


def _appeal_rights(case: Case) -> str:
    """行政复议 (60 days) and 行政诉讼 (6 months), per 行政复议法第二十条 and 行政诉讼法第四十六条."""
    region = case.department.region
    organ = f"{region.name}人民政府" if region.level in ("county", "city") else "上一级行政机关"
    return (f"如不服本决定，可以自收到本决定书之日起六十日内向{organ}申请行政复议，"
            "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。")


def document_context(*, case: Case, kind: str, base_url: str | None, reveal_id: bool = False,
                     hide_name: bool = False) -> dict:
    doc = document_kind_get(case, kind)
    kind = doc.code
    version = case.item_version
    plan = plan_for(case.item_version_id)
    extra: dict = {}
    if kind == "supplement":
        extra["request"] = _supplement_request(case)
    if kind == "special":
        extra["stops"] = _special_stops(case)
    if kind == "acceptance":
        extra.update(_due_at_acceptance(case))
    if kind == "extension":
        ext = Extension.objects.select_related("approved_by").filter(case=case).order_by("-id").first()
        due = (CaseEvent.objects.filter(case=case, action="extend").order_by("-id")
               .values_list("data", flat=True).first() or {}).get("due_date")
        extra.update(extension=ext, extended_due_cn=cn_date(dt.date.fromisoformat(due)) if due else "")
    issued_on = _issued_on(case, kind, extra)
    ctx = letterhead(case=case, title=doc.title, issued_on=issued_on, base_url=base_url, word=doc.word)
    ctx.update(extra)
    ctx.update(
        doc=doc,
        body_template=doc.template,
        applicant=applicant_block(case, reveal_id=reveal_id, hide_name=hide_name),
        item_name=version.name,
        result_name=version.result_name,
        is_license=version.kind == ItemKind.LICENSE,
        submitted_on_cn=cn_date(case.submitted_at),
        accepted_on_cn=cn_date(case.accepted_on),
        due_date_cn=cn_date(extra.get("due_at_acceptance", case.due_date)),
        due_provisional=extra.get("due_provisional", case.due_provisional),
        decided_on_cn=cn_date(case.decided_at),
        completed_on_cn=cn_date(case.completed_on),
        limit_unit="个自然日" if version.promised_limit_unit == TimeUnit.CALENDAR_DAY else "个工作日",
        promised_days=plan.promised_limit,
        appeal_rights=_appeal_rights(case),
        decision_label=Decision(case.decision).label if case.decision else "",
        delivery_label=Delivery(case.delivery_method).label if case.delivery_method else "",
        officer=case.accepted_by,
        window=case.accepted_window,
    )
    return ctx


def render_document_html(*, case: Case, kind: str, base_url: str | None, reveal_id: bool = False,
                         pdf_url: str = "", for_pdf: bool = False, hide_name: bool = False) -> str:
    """The document as a printable HTML page; with ``pdf_url`` it shows a print/download bar on screen.
    ``for_pdf`` leaves the stylesheet out: ``html_to_pdf`` brings its own, parsed once."""
    ctx = document_context(case=case, kind=kind, base_url=base_url, reveal_id=reveal_id, hide_name=hide_name)
    ctx.update(pdf_url=pdf_url, for_pdf=for_pdf)
    return render_to_string("cases/docs/document.html", ctx)


def html_to_pdf(html: str, *, base_url: str | None) -> bytes:
    """A page rendered with ``for_pdf=True`` (no inline stylesheet) as PDF bytes, with the print
    stylesheet parsed once per process (``zhengwu.core.pdf``)."""
    return render_pdf(html, base_url=site_url(base_url), stylesheet=PRINT_STYLESHEET)


def render_document_pdf(*, case: Case, kind: str, base_url: str | None, reveal_id: bool = False,
                        hide_name: bool = False) -> bytes:
    return html_to_pdf(render_document_html(case=case, kind=kind, base_url=base_url, reveal_id=reveal_id,
                                            for_pdf=True, hide_name=hide_name), base_url=base_url)
