"""Case documents (办件文书) and the central cashier (集中收费) through the OpenAPI.

The same rules as the pages in ``views_docs.py``, whose access helpers are reused here so the two
cannot drift apart: documents and receipts are open to the logged-in applicant (their own copy
shows the full ID number), to staff who may read the case (masked), and receipts also to the
cashiers of the case's hall; every opening of a PDF is written to the audit trail. Payments and
waivers go through ``fees.fee_pay`` / ``fees.fee_waive``. Mounted under /api/cases by ``api.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from zhengwu.api import AUTH
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.core.services import audit_record
from zhengwu.org.selectors import staff_for_user

from . import fees
from .documents import document_kind_get, document_list, render_document_pdf
from .models import Case, FeeLine
from .plan import plan_for
from .selectors import case_get
from .views_docs import (
    _base_url,
    _case_for_viewer,
    _cashier,
    _hide_name,
    _pdf_response,
    _reconciliation,
    receipt_pdf_response,
)

router = Router(auth=AUTH)  # tagged 办件 by the parent router


class ErrorOut(Schema):
    code: str = Field(description="错误代码（供程序判断）")
    message: str = Field(description="中文提示（原样显示给用户）")
    details: dict | list | None = None


def _errors(*codes: int) -> dict:
    return dict.fromkeys(codes, ErrorOut)


PDF_RESPONSE = {"responses": {200: {"description": "PDF 文件（内嵌中文字体）",
                                    "content": {"application/pdf": {"schema": {"type": "string",
                                                                               "format": "binary"}}}}}}


# -- documents ----------------------------------------------------------------------------------------------


class DocumentOut(Schema):
    kind: str = Field(description="文书类型：acceptance 受理通知书、supplement 补正材料通知书、rejection 不予受理决定书、"
                                  "approval 准予许可决定书、denial 不予许可决定书、completion 办结通知、"
                                  "special 特别程序告知书、extension 延长办理期限告知书")
    title: str = Field(description="文书名称")
    pdf_url: str = Field(description="PDF 下载地址（本接口）")
    page_url: str = Field(description="可打印的网页地址")


@router.get("/{case_no}/documents", response={200: list[DocumentOut], **_errors(403, 404)},
            summary="办件文书目录（按办件当前状态可出具的文书）",
            description="申请人本人、可查看该办件的工作人员可调用；其他工作人员 403，其他人 404。")
def document_index(request, case_no: str):
    case = case_get(case_no=case_no)
    _case_for_viewer(request, case)
    return [{"kind": d.code, "title": d.title,
             "pdf_url": reverse("api:case_document_pdf", kwargs={"case_no": case.case_no, "kind": d.code}),
             "page_url": reverse("casedocs:document", args=[case.case_no, d.code])}
            for d in document_list(case)]


@router.get("/{case_no}/documents/{kind}.pdf", response=_errors(403, 404, 409), url_name="case_document_pdf",
            openapi_extra=PDF_RESPONSE, summary="办件文书 PDF（申请人本人的副本显示完整证件号码，其余脱敏；记入审计）",
            description="kind 另可用 decision 表示该办件已作出的决定书。办件当前状态不能出具该文书时 409。")
def document_pdf(request, case_no: str, kind: str):
    case = case_get(case_no=case_no)
    own = _case_for_viewer(request, case)
    doc = document_kind_get(case, kind)
    data = render_document_pdf(case=case, kind=doc.code, base_url=_base_url(request), reveal_id=own,
                               hide_name=_hide_name(request, case))
    audit_record(actor=request.user, action="view", obj=case, request=request,
                 summary=f"查看办件 {case.case_no} 的{doc.title}（PDF）")
    return _pdf_response(data, f"{doc.title}-{case.case_no}.pdf")


# -- fees -------------------------------------------------------------------------------------------------


class FeeLineOut(Schema):
    id: int
    name: str = Field(description="收费项目")
    quantity: int
    amount: Decimal = Field(description="单价（元）")
    total: Decimal = Field(description="应收金额（元）")
    waivable: bool = Field(description="按收费标准可以减免，且尚未缴费或减免")
    waiver_basis: str = Field(description="减免依据（收费标准）")
    waived: bool = Field(description="已减免")
    waiver_reason: str = Field(description="减免理由")
    paid_at: dt.datetime | None = Field(description="缴费时间")
    settled_on: dt.date | None = Field(description="结清日期（缴费或减免之日，计入当日对账）")
    receipt_no: str = Field(description="票据号")
    pay_method: str
    pay_method_label: str = Field(description="缴费方式")


class ReceiptRef(Schema):
    receipt_no: str
    pdf_url: str


class FeesOut(Schema):
    case_no: str
    state: str = Field(description="none 无收费、unpaid 待缴费、paid 已缴清、waived 已全部减免")
    payable: Decimal = Field(description="待缴金额（元）")
    paid: Decimal = Field(description="已缴金额（元）")
    waived: Decimal = Field(description="减免金额（元）")
    receipts: list[ReceiptRef]
    lines: list[FeeLineOut]


def _receipt_url(receipt_no: str) -> str:
    return reverse("api:case_receipt_pdf", kwargs={"receipt_no": receipt_no})


def _fees_out(case: Case) -> dict:
    summary = fees.fee_summary(case=case)
    rules = {r.fee_id: r for r in plan_for(case.item_version_id).fees}
    return {
        "case_no": case.case_no, "state": summary.state, "payable": summary.payable, "paid": summary.paid,
        "waived": summary.waived,
        "receipts": [{"receipt_no": no, "pdf_url": _receipt_url(no)} for no in summary.receipt_nos],
        "lines": [
            {"id": x.pk, "name": x.name, "quantity": x.quantity, "amount": x.amount, "total": x.amount * x.quantity,
             "waivable": bool(not x.waived and x.paid_at is None and x.fee_id in rules and rules[x.fee_id].waivable),
             "waiver_basis": rules[x.fee_id].waiver_basis if x.fee_id in rules else "", "waived": x.waived,
             "waiver_reason": x.waiver_reason, "paid_at": x.paid_at, "settled_on": x.paid_on,
             "receipt_no": "" if x.waived else x.receipt_no, "pay_method": x.pay_method,
             "pay_method_label": fees.PAY_METHODS.get(x.pay_method, x.pay_method)}
            for x in summary.lines
        ],
    }


@router.get("/{case_no}/fees", response={200: FeesOut, **_errors(403, 404)}, summary="办件收费明细",
            description="申请人本人、可查看该办件的工作人员、该办件所在大厅的收费人员（中心管理员、窗口人员）可调用；"
                        "工作人员的查询记入审计。")
def fee_list(request, case_no: str):
    case = case_get(case_no=case_no)
    own = _case_for_viewer(request, case, cashier_may_read=True)
    out = _fees_out(case)
    if not own:
        audit_record(actor=request.user, action="view", obj=case, request=request,
                     summary=f"通过接口查询办件 {case.case_no} 的收费信息")
    return out


CasePayMethod = Enum("CasePayMethod", {v: v for v in fees.PAY_METHODS}, type=str)


class PayIn(Schema):
    method: CasePayMethod = Field(description="缴费方式：cash 现金、pos 银行卡（POS机）、qr 扫码支付、transfer 银行转账")


class PayOut(Schema):
    case_no: str
    receipt_no: str = Field(description="票据号")
    amount: Decimal = Field(description="本次实收金额（元）")
    amount_words: str = Field(description="实收金额（人民币大写）")
    method: str
    method_label: str
    pdf_url: str = Field(description="收费票据 PDF 地址")


@router.post("/{case_no}/fees/pay", response={201: PayOut, **_errors(400, 403, 404, 409)},
             summary="集中收费：一次收取该办件全部待缴费用并出具票据",
             description="仅限该办件受理大厅的中心管理员或窗口人员（任一部门）。")
def fee_pay(request, case_no: str, body: PayIn):
    staff = _cashier(request)
    case = case_get(case_no=case_no)
    if case.hall_id != staff.hall_id:
        raise PermissionDenied(f"该办件由{case.hall.name}受理，请到该大厅集中收费窗口缴费", code="not_cashier")
    receipt_no = fees.fee_pay(case=case, cashier=staff, method=body.method.value)
    receipt = fees.receipt_get(receipt_no=receipt_no)
    return HttpStatus(201, {"case_no": case.case_no, "receipt_no": receipt_no, "amount": receipt.total,
                            "amount_words": receipt.total_words, "method": receipt.method,
                            "method_label": receipt.method_label, "pdf_url": _receipt_url(receipt_no)})


class WaiveIn(Schema):
    reason: str = Field("", max_length=FeeLine._meta.get_field("waiver_reason").max_length,
                        description="减免理由和依据（必填）")


@router.post("/{case_no}/fees/{line_id}/waive", response={200: FeesOut, **_errors(400, 403, 404, 409)},
             summary="减免一项费用（须写明理由；按收费标准允许减免且尚未缴费）",
             description="可办理该办件的窗口人员、首席代表、部门负责人或该大厅中心管理员。返回减免后的收费明细。")
def fee_waive(request, case_no: str, line_id: int, body: WaiveIn):
    staff = staff_for_user(request.user)
    if staff is None:
        raise PermissionDenied("只有工作人员可以减免费用")
    line = FeeLine.objects.select_related("case__hall__region", "fee").filter(pk=line_id, case__case_no=case_no).first()
    if line is None:
        raise NotFound("未找到该收费项目")
    fees.fee_waive(line=line, officer=staff, reason=body.reason)
    return _fees_out(line.case)


@router.get("/receipts/{receipt_no}.pdf", response=_errors(404), url_name="case_receipt_pdf",
            openapi_extra=PDF_RESPONSE, summary="收费票据 PDF（记入审计）",
            description="申请人本人、可查看该办件的工作人员、该大厅的收费人员可调用。票据号是连续编号：不存在的票据和"
                        "无权查看的票据答复完全相同（404“未找到该收费票据”）。")
def receipt_pdf(request, receipt_no: str):
    return receipt_pdf_response(request, receipt_no)


class ReconciliationRow(Schema):
    id: int
    code: str
    name: str
    receipts: int = Field(description="票据数（张）")
    collected: Decimal = Field(description="实收金额（元）")
    waived: Decimal = Field(description="减免金额（元）")


class ReconciliationTotals(Schema):
    receipts: int
    collected: Decimal
    waived: Decimal
    collected_words: str = Field(description="实收合计（人民币大写）")


class ReconciliationOut(Schema):
    day: dt.date
    scope: str = Field(description="对账范围（大厅或行政区划）")
    by_department: list[ReconciliationRow] = Field(description="按部门")
    by_hall: list[ReconciliationRow] = Field(description="按大厅")
    department_totals: ReconciliationTotals
    hall_totals: ReconciliationTotals


_CENT = Decimal("0.01")


def _money(rows: list[dict]) -> list[dict]:
    """Amounts to the fen: SQLite's SUM drops the scale (10 for 10.00)."""
    return [{**r, "collected": r["collected"].quantize(_CENT), "waived": r["waived"].quantize(_CENT)} for r in rows]


def _totals(rows: list[dict]) -> dict:
    totals = fees.reconciliation_totals(rows)
    return {**totals, "collected_words": fees.rmb_capital(totals["collected"])}


@router.get("/fees/reconciliation", response={200: ReconciliationOut, **_errors(400, 403)},
            summary="集中收费日对账（按部门、按大厅）",
            description="中心管理员、窗口人员看本大厅；领导、效能监察员看本行政区划。")
def reconciliation(request, day: str = Query("", max_length=10, description="对账日期 YYYY-MM-DD，默认今天")):
    _staff, the_day, scope, by_department, by_hall = _reconciliation(request)  # reads ?day= as the page does
    by_department, by_hall = _money(by_department), _money(by_hall)
    return {"day": the_day, "scope": scope, "by_department": by_department, "by_hall": by_hall,
            "department_totals": _totals(by_department), "hall_totals": _totals(by_hall)}
