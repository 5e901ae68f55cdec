"""Pages for case documents (办件文书) and the central cashier (集中收费).

Thin: who may see what is decided here from the selectors; what a document says and what a
payment does live in ``documents.py`` and ``fees.py``. Every opening of a document or receipt is
written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET, require_POST

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.services import audit_record
from zhengwu.org.models import Role
from zhengwu.org.scope import staff_can_act_at
from zhengwu.org.selectors import staff_for_user

from . import fees
from .documents import document_kind_get, document_list, render_document_html, render_document_pdf
from .models import Case, FeeLine
from .plan import plan_for
from .selectors import applicant_name_visible, case_get, staff_can_read_case

HEADINGS = {400: "请求有误", 403: "无权访问", 404: "未找到", 409: "暂不能办理"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def domain_errors(view):
    """Show a refused request as a Chinese page with the error's own status."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render(request, "cases/docs/error.html",
                          {"heading": HEADINGS.get(exc.status, "无法办理"), "message": exc.message},
                          status=exc.status)

    return wrapper


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _case_for_viewer(request, case: Case, *, cashier_may_read: bool = False) -> bool:
    """May this user open the case's papers? Returns whether they are the applicant (full ID shown).

    Allowed: the logged-in applicant; staff who may read the case; with ``cashier_may_read``
    (receipts) also the cashiers of the case's hall. Other staff get 403; anyone else 404, so
    nobody learns whose case a number is.
    """
    if case.applicant_user_id is not None and case.applicant_user_id == request.user.pk:
        return True
    staff = staff_for_user(request.user)
    if staff is not None and (staff_can_read_case(staff, case)
                              or (cashier_may_read and fees.is_cashier(staff, case.hall))):
        return False
    if staff is not None:
        raise PermissionDenied("该办件不在您的管辖范围内，您无权查看其文书", code="out_of_scope")
    raise NotFound("未找到该办件")


def _hide_name(request, case: Case, *, cashier_may_read: bool = False) -> bool:
    """Whether this reader's copy masks the applicant's name: all but the applicant, the agent who took
    the case in and its handling officers (and, on receipts, the hall's cashiers who issue them)."""
    staff = staff_for_user(request.user)
    if applicant_name_visible(case=case, user=request.user, staff=staff):
        return False
    return not (cashier_may_read and staff is not None and fees.is_cashier(staff, case.hall))


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


# -- documents --------------------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def document_index(request, case_no: str):
    case = case_get(case_no=case_no)
    _case_for_viewer(request, case)
    return render(request, "cases/docs/index.html", {"case": case, "docs": document_list(case)})


@login_required
@require_GET
@domain_errors
def document_page(request, case_no: str, kind: str):
    case = case_get(case_no=case_no)
    own = _case_for_viewer(request, case)
    doc = document_kind_get(case, kind)
    html = render_document_html(case=case, kind=doc.code, base_url=_base_url(request), reveal_id=own,
                                hide_name=_hide_name(request, case),
                                pdf_url=reverse("casedocs:document_pdf", args=[case.case_no, doc.code]))
    audit_record(actor=request.user, action="view", obj=case, request=request,
                 summary=f"查看办件 {case.case_no} 的{doc.title}（网页）")
    return HttpResponse(html)


@login_required
@require_GET
@domain_errors
def document_pdf(request, case_no: str, kind: str):
    case = case_get(case_no=case_no)
    own = _case_for_viewer(request, case)
    doc = document_kind_get(case, kind)
    data = render_document_pdf(case=case, kind=doc.code, base_url=_base_url(request), reveal_id=own,
                               hide_name=_hide_name(request, case))
    title = doc.title
    audit_record(actor=request.user, action="view", obj=case, request=request,
                 summary=f"查看办件 {case.case_no} 的{title}（PDF）")
    return _pdf_response(data, f"{title}-{case.case_no}.pdf")


# -- receipts -----------------------------------------------------------------------------------------------


RECEIPT_NOT_FOUND = "未找到该收费票据"


def _receipt_for_viewer(request, receipt_no: str):
    """(receipt, whether the viewer is its applicant). Receipt numbers are sequential, so a receipt
    the viewer may not open answers exactly as one that does not exist: 404, the same message."""
    try:
        receipt = fees.receipt_get(receipt_no=receipt_no)
        return receipt, _case_for_viewer(request, receipt.case, cashier_may_read=True)
    except (NotFound, PermissionDenied):
        raise NotFound(RECEIPT_NOT_FOUND) from None


@login_required
@require_GET
@domain_errors
def receipt_page(request, receipt_no: str):
    receipt, own = _receipt_for_viewer(request, receipt_no)
    html = fees.render_receipt_html(receipt=receipt, base_url=_base_url(request), reveal_id=own,
                                    hide_name=_hide_name(request, receipt.case, cashier_may_read=True),
                                    pdf_url=reverse("casedocs:receipt_pdf", args=[receipt_no]))
    audit_record(actor=request.user, action="view", obj=receipt.case, request=request,
                 summary=f"查看收费票据 {receipt_no}（网页）")
    return HttpResponse(html)


@login_required
@require_GET
@domain_errors
def receipt_pdf(request, receipt_no: str):
    return receipt_pdf_response(request, receipt_no)


def receipt_pdf_response(request, receipt_no: str):
    """The receipt as a PDF to whoever may read its case (page and API), each opening audited."""
    receipt, own = _receipt_for_viewer(request, receipt_no)
    data = fees.render_receipt_pdf(receipt=receipt, base_url=_base_url(request), reveal_id=own,
                                   hide_name=_hide_name(request, receipt.case, cashier_may_read=True))
    audit_record(actor=request.user, action="view", obj=receipt.case, request=request,
                 summary=f"查看收费票据 {receipt_no}（PDF）")
    return _pdf_response(data, f"收费票据-{receipt_no}.pdf")


# -- the cashier ------------------------------------------------------------------------------------------


def _cashier(request):
    staff = staff_for_user(request.user)
    if staff is None or staff.hall is None or not fees.is_cashier(staff, staff.hall):
        raise PermissionDenied("只有服务大厅的中心管理员或窗口人员可以使用集中收费窗口", code="not_cashier")
    return staff


def _cashier_url(case_no: str = "") -> str:
    url = reverse("casedocs:cashier")
    return f"{url}?{urlencode({'case_no': case_no})}" if case_no else url


@login_required
@require_GET
@domain_errors
def cashier(request):
    """Find a case by number, show its fee lines, take payment, print the receipt."""
    staff = _cashier(request)
    case_no = request.GET.get("case_no", "").strip()
    ctx: dict = {"staff": staff, "case_no": case_no, "methods": fees.PAY_METHODS}
    status = 200
    if case_no:
        try:
            case = case_get(case_no=case_no)
            if case.hall_id != staff.hall_id:
                raise PermissionDenied(f"该办件由{case.hall.name}受理，请到该大厅集中收费窗口缴费")
        except DomainError as exc:
            ctx["lookup_error"] = exc.message
            status = exc.status
        else:
            summary = fees.fee_summary(case=case)
            rules = {r.fee_id: r for r in plan_for(case.item_version_id).fees}
            may_waive = staff_can_act_at(staff, department_id=case.department_id, hall=case.hall)
            ctx.update(case=case, summary=summary, rows=[
                {"line": x, "total": x.amount * x.quantity,
                 "waivable": may_waive and not x.waived and x.paid_at is None
                 and bool(rules.get(x.fee_id) and rules[x.fee_id].waivable),
                 "basis": rules[x.fee_id].waiver_basis if x.fee_id in rules else ""}
                for x in summary.lines
            ])
            audit_record(actor=request.user, action="view", obj=case, request=request,
                         summary=f"集中收费窗口查询办件 {case.case_no} 的收费信息")
    return render(request, "cases/cashier/index.html", ctx, status=status)


@login_required
@require_POST
@domain_errors
def cashier_pay(request):
    staff = _cashier(request)
    case_no = request.POST.get("case_no", "").strip()
    case = case_get(case_no=case_no)
    try:
        receipt_no = fees.fee_pay(case=case, cashier=staff, method=request.POST.get("method", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_cashier_url(case.case_no))
    messages.success(request, f"收费成功，票据号 {receipt_no}")
    return redirect(_cashier_url(case.case_no))


@login_required
@require_POST
@domain_errors
def cashier_waive(request, line_id: int):
    staff = staff_for_user(request.user)
    if staff is None:
        raise PermissionDenied("只有工作人员可以减免费用")
    line = FeeLine.objects.select_related("case__hall__region", "fee").filter(pk=line_id).first()
    if line is None:
        raise NotFound("未找到该收费项目")
    try:
        fees.fee_waive(line=line, officer=staff, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已减免“{line.name}”")
    return redirect(_cashier_url(line.case.case_no))


# -- reconciliation -------------------------------------------------------------------------------------


def _reconciliation(request):
    """The day and the rows this member of staff may see: their hall, or their region for leaders."""
    staff = staff_for_user(request.user)
    if staff is None:
        raise PermissionDenied("只有工作人员可以查看收费对账")
    raw = request.GET.get("day", "").strip()
    try:
        day = dt.date.fromisoformat(raw) if raw else clock.today()
    except ValueError:
        raise DomainError("bad_day", "日期格式应为 YYYY-MM-DD，例如 2026-03-10") from None
    if staff.role_codes() & {Role.LEADER, Role.SUPERVISOR}:
        scope = staff.region.name
        by_department = fees.reconciliation_by_department(day=day, region=staff.region)
        by_hall = fees.reconciliation_by_hall(day=day, region=staff.region)
    elif staff.hall is not None and fees.is_cashier(staff, staff.hall):
        scope = staff.hall.name
        by_department = fees.reconciliation_by_department(day=day, hall=staff.hall)
        by_hall = [r for r in fees.reconciliation_by_hall(day=day, region=staff.hall.region)
                   if r["id"] == staff.hall_id]
    else:
        raise PermissionDenied("只有中心管理员、窗口人员或领导、效能监察员可以查看收费对账")
    return staff, day, scope, by_department, by_hall


@login_required
@require_GET
@domain_errors
def reconciliation(request):
    staff, day, scope, by_department, by_hall = _reconciliation(request)
    dept_totals = fees.reconciliation_totals(by_department)
    return render(request, "cases/cashier/reconciliation.html", {
        "day": day, "scope": scope, "by_department": by_department, "by_hall": by_hall,
        "dept_totals": dept_totals, "hall_totals": fees.reconciliation_totals(by_hall),
        "total_words": fees.rmb_capital(dept_totals["collected"]),
        "prev_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1),
    })


@login_required
@require_GET
@domain_errors
def reconciliation_xlsx(request):
    staff, day, scope, by_department, by_hall = _reconciliation(request)
    data = fees.reconciliation_xlsx(day=day, by_department=by_department, by_hall=by_hall, scope=scope)
    audit_record(actor=request.user, action="export", object_type="cases.feeline", object_id=day.isoformat(),
                 summary=f"导出 {day:%Y-%m-%d} 集中收费日对账表（{scope}）", request=request)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"收费对账-{day:%Y%m%d}.xlsx")
    return response
