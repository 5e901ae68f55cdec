"""The 联办件's own documents (HTML and PDF, like cases/documents.py): 联办受理通知书 (every item, department,
route and limit), 联办补正告知书 (every department's missing materials, a shared material once) and
联合审批决定书 / 联办件办结通知 (each item's result). Each department's permit stays its 子件's own document.
Issued in the lead department's name."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from zhengwu.cases.documents import cn_date, html_to_pdf, progress_url, qr_svg, seal_svg
from zhengwu.cases.models import Case, SupplementRequest
from zhengwu.catalog.selectors import _material_key
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.validators import mask_id_number

from .models import JointCase, JointStatus
from .selectors import joint_children

TITLES = {"acceptance": ("联办受理通知书", "联受"), "supplement": ("联办补正告知书", "联补"),
          "result": ("联合审批决定书", "联审")}
RESULT_COMPLETION = "联办件办结通知书"


def available(joint: JointCase) -> list[str]:
    out = []
    if joint.accepted_on is not None:
        out.append("acceptance")
    if SupplementRequest.objects.filter(case__joint=joint).exists():
        out.append("supplement")
    if joint.status == JointStatus.COMPLETED and joint.result:
        out.append("result")
    return out


def title_of(joint: JointCase, kind: str) -> str:
    if kind == "result" and joint.result.get("kind") == "completion":
        return RESULT_COMPLETION
    return TITLES[kind][0]


def supplement_rows(joint: JointCase) -> list[dict]:
    """The latest 补正 of every 子件 merged: one row per material name (a shared material once), with the
    departments that asked for it."""
    rows: dict[str, dict] = {}
    for c in joint_children(joint):
        req = SupplementRequest.objects.filter(case=c).prefetch_related("items").order_by("-id").first()
        if req is None:
            continue
        for i in req.items.all():
            row = rows.setdefault(_material_key(i.name), {"name": i.name, "departments": [], "state": i.state})
            if c.department.name not in row["departments"]:
                row["departments"].append(c.department.name)
    return list(rows.values())


def _route(joint: JointCase) -> str:
    return joint.bundle_version.get_mode_display()


def context(joint: JointCase, kind: str, *, base_url: str | None = None) -> dict:
    if kind not in TITLES:
        raise DomainError("unknown_document", "没有这种联办文书", status=404)
    if kind not in available(joint):
        raise DomainError("document_unavailable", f"该联办件当前没有{title_of(joint, kind)}", status=409)
    children = joint_children(joint)
    lead = next((c for c in children if c.department_id == joint.lead_department_id), children[0])
    issued = {"acceptance": joint.accepted_on, "result": joint.result_issued_at and joint.result_issued_at.date()
              }.get(kind) or clock.today()
    if kind == "supplement":
        req = SupplementRequest.objects.filter(case__joint=joint).order_by("-id").first()
        issued = req.requested_on
    title = title_of(joint, kind)
    issuer = joint.lead_department.name
    abbr = joint.lead_department.short_name or issuer
    url = progress_url(lead, base_url)
    return {
        "title": title, "issuer": issuer, "doc_no": f"{abbr}{TITLES[kind][1]}〔{issued.year}〕{joint.case_no}号",
        "issued_on": issued, "issued_on_cn": cn_date(issued), "hall": joint.hall, "case": joint,
        "progress_url": url, "progress_hint": "扫码或登录门户查询办理进度（可用任一子件编号和联系电话）",
        "qr_svg": mark_safe(qr_svg(url)), "seal_svg": mark_safe(seal_svg(issuer)),
        "body_template": f"joint/docs/body_{kind}.html", "joint": joint, "children": children, "lead": lead,
        "version": joint.bundle_version, "route": _route(joint), "accepted_on_cn": cn_date(joint.accepted_on),
        "promised_due_cn": cn_date(joint.promised_due), "submitted_on_cn": cn_date(joint.submitted_at),
        "id_number": mask_id_number(lead.id_number), "applicant": lead,
        "rows": supplement_rows(joint) if kind == "supplement" else [],
        "lines": joint.result.get("lines", []) if kind == "result" else [],
        "due_cn": {c.pk: cn_date(c.due_date) for c in children},
    }


def render_html(joint: JointCase, kind: str, *, base_url: str | None = None, pdf_url: str = "",
                back_url: str = "", for_pdf: bool = False) -> str:
    ctx = context(joint, kind, base_url=base_url)
    ctx.update(pdf_url=pdf_url, back_url=back_url, for_pdf=for_pdf)
    return render_to_string("cases/docs/document.html", ctx)


def render_pdf(joint: JointCase, kind: str, *, base_url: str | None = None) -> bytes:
    return html_to_pdf(render_html(joint, kind, base_url=base_url, for_pdf=True), base_url=base_url)


__all__ = ["available", "context", "render_html", "render_pdf", "supplement_rows", "title_of", "Case"]
