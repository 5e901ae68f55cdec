"""集中收费 (central cashier): waive and pay a case's fee lines, receipts, daily reconciliation.

Fee lines are created at acceptance (受理) by ``case_accept`` from the item's fee rules. A line
is *settled* either by payment (``paid_at`` set, ``waived`` false) or by a waiver (减免:
``waived`` true, ``paid_at`` empty). ``paid_on`` is the settlement day in both cases, so the
day's reconciliation counts a waiver on the day it was granted and a payment on the day it was
taken. A case is paid once, all its payable lines together, under one receipt number (票据号);
the waived lines of the case are printed on that receipt as 减免.

Receipt numbers run per hall and year (``SFXZW-2026-000123``) from the same atomic upsert as
case numbers, on ``CaseCounter`` rows keyed ``(hall, date(year - 1000, 12, 31))``: a day no
case is ever numbered on (case numbers use the real submission day), so the two sequences never
share a row and receipt numbers have no gaps (a refused payment rolls its increment back).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.org.models import Hall, Region, Role, Staff
from zhengwu.org.scope import staff_can_act_at

from .models import Case, FeeLine, Status
from .plan import plan_for
from .services.common import _event, too_long

PAY_METHODS = {
    "cash": "现金",
    "pos": "银行卡（POS机）",
    "qr": "扫码支付",
    "transfer": "银行转账",
}
CASHIER_ROLES = (Role.HALL_ADMIN, Role.WINDOW_OFFICER)
_MONEY = DecimalField(max_digits=14, decimal_places=2)
_CENT = Decimal("0.01")


# -- 人民币大写 ---------------------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _integer_words(n: int) -> str:
    text = str(n)
    out: list[str] = []
    pending_zero = False
    for i, ch in enumerate(text):
        pos = len(text) - 1 - i
        d = int(ch)
        if d == 0:
            pending_zero = True
        else:
            if pending_zero and out:
                out.append("零")
            pending_zero = False
            out.append(_DIGITS[d] + _SMALL_UNITS[pos % 4])
        if pos % 4 == 0 and pos > 0 and (n // 10**pos) % 10000:
            out.append(_BIG_UNITS[pos // 4])
    return "".join(out)


def rmb_capital(amount) -> str:
    """An amount in 人民币大写 as written on receipts: 10 → 壹拾元整, 0.5 → 伍角, 10.05 → 壹拾元零伍分.

    Rounded to the fen (分); ``整`` only after 元; a 零 stands for a skipped 角 between 元 and 分.
    """
    value = Decimal(str(amount)).quantize(_CENT, rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("金额不能为负数")
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan >= 10**16:
        raise ValueError("金额过大")
    if cents == 0:
        return "零元整"
    words = _integer_words(yuan) + "元" if yuan else ""
    if not jiao and not fen:
        return words + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    return words


# -- checks ---------------------------------------------------------------------------------------------


def is_cashier(staff: Staff | None, hall: Hall) -> bool:
    """A cashier of ``hall``: an active 中心管理员 or 窗口人员 (any department) stationed in it."""
    return bool(staff is not None and staff.is_active and staff.hall_id == hall.pk
                and staff.role_codes() & set(CASHIER_ROLES))


def cashier_check(staff: Staff | None, hall: Hall) -> str:
    """The role in which ``staff`` collects fees in ``hall``; raises when they may not."""
    if not is_cashier(staff, hall):
        raise PermissionDenied(f"只有{hall.name}的中心管理员或窗口人员可以在集中收费窗口收费", code="not_cashier")
    codes = staff.role_codes()
    return Role.HALL_ADMIN if Role.HALL_ADMIN in codes else Role.WINDOW_OFFICER


def _check_case(case: Case) -> None:
    if case.status == Status.WITHDRAWN:
        raise DomainError("case_withdrawn", "办件已撤回，不能办理收费或减免", status=409)


def _next_receipt_no(hall: Hall, year: int) -> str:
    """Hall code + year + a per-hall yearly sequence (see the module docstring for the counter row)."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO cases_casecounter (hall_id, day, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (hall_id, day) DO UPDATE SET last = cases_casecounter.last + 1 RETURNING last",
            [hall.pk, dt.date(year - 1000, 12, 31)],
        )
        seq = cur.fetchone()[0]
    return f"{hall.code}-{year}-{seq:06d}"


# -- services -------------------------------------------------------------------------------------------


def fee_waive(*, line: FeeLine, officer: Staff, reason: str) -> FeeLine:
    """减免 one fee line: only when its fee rule allows waivers, with a reason, before it is paid.

    The officer must be able to act on the case (its department's window, 首席代表, 部门负责人, or the
    hall's 中心管理员).
    """
    case = line.case
    _check_case(case)
    if not staff_can_act_at(officer, department_id=case.department_id, hall=case.hall):
        raise PermissionDenied("该办件不属于您所在部门或大厅，您无权减免其费用", code="out_of_scope")
    rule = next((r for r in plan_for(case.item_version_id).fees if r.fee_id == line.fee_id), None)
    if rule is None or not rule.waivable:
        raise DomainError("not_waivable", f"收费项目“{line.name}”按收费标准不允许减免", status=409)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "减免须写明理由和依据")
    limit = FeeLine._meta.get_field("waiver_reason").max_length
    if len(reason) > limit:
        raise too_long("too_long", field="reason", message=f"减免理由不能超过{limit}个字（现为{len(reason)}个字）")
    if line.waived:
        raise DomainError("already_waived", f"收费项目“{line.name}”已减免", status=409)
    if line.paid_at is not None:
        raise DomainError("already_paid", f"收费项目“{line.name}”已缴费，不能再减免", status=409)
    today = clock.today()
    with transaction.atomic():
        n = FeeLine.objects.filter(pk=line.pk, waived=False, paid_at__isnull=True).update(
            waived=True, waiver_reason=reason, paid_on=today)
        if n != 1:
            raise DomainError("conflict", "收费信息刚刚被其他人更新，请刷新后重试", status=409)
        codes = officer.role_codes()
        role = next((r for r in (Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD, Role.HALL_ADMIN)
                     if r in codes), "")
        _event(case, "fee_waive", case.status, case.status, officer=officer, role=role, step=case.current_step,
               note=reason, data={"line_id": line.pk, "name": line.name,
                                  "amount": str(line.amount * line.quantity), "basis": rule.waiver_basis}).save()
    line.waived, line.waiver_reason, line.paid_on = True, reason[:300], today
    return line


def fee_pay(*, case: Case, cashier: Staff, method: str) -> str:
    """Take payment of every unpaid, unwaived line of ``case`` at once; returns the receipt number.

    Who may collect: a 中心管理员 (``hall_admin``) or a 窗口人员 (``window_officer``, any department)
    stationed in the case's hall — the central cashier collects for every department of the hall.
    """
    role = cashier_check(cashier, case.hall)
    if method not in PAY_METHODS:
        raise DomainError("pay_method", f"缴费方式应为{'、'.join(PAY_METHODS.values())}之一")
    _check_case(case)
    lines = list(FeeLine.objects.filter(case=case).order_by("id"))
    due = [x for x in lines if not x.waived and x.paid_at is None]
    if not due:
        _raise_nothing_payable(lines)
    total = sum((x.amount * x.quantity for x in due), Decimal("0"))
    now, today = clock.now(), clock.today()
    with transaction.atomic():
        receipt_no = _next_receipt_no(case.hall, today.year)
        n = FeeLine.objects.filter(pk__in=[x.pk for x in due], waived=False, paid_at__isnull=True).update(
            paid_at=now, paid_on=today, receipt_no=receipt_no, cashier=cashier, pay_method=method)
        if n != len(due):
            # Someone paid or waived a line meanwhile; the whole payment (and its number) rolls back.
            _raise_nothing_payable(list(FeeLine.objects.filter(case=case)), fallback=True)
        FeeLine.objects.filter(case=case, waived=True, receipt_no="").update(receipt_no=receipt_no)
        _event(case, "fee_pay", case.status, case.status, officer=cashier, role=role, step=case.current_step,
               note=f"集中收费 {total} 元（{PAY_METHODS[method]}）",
               data={"receipt_no": receipt_no, "amount": str(total), "method": method,
                     "lines": [x.pk for x in due]}).save()
    return receipt_no


def _raise_nothing_payable(lines: list[FeeLine], fallback: bool = False):
    unsettled = [x for x in lines if not x.waived and x.paid_at is None]
    if fallback and unsettled:
        raise DomainError("conflict", "收费信息刚刚被其他人更新，请刷新后重试", status=409)
    if any(x.paid_at is not None for x in lines):
        raise DomainError("already_paid", "该办件费用已缴清", status=409)
    if lines:
        raise DomainError("nothing_payable", "该办件的收费项目已全部减免，无需缴费", status=409)
    raise DomainError("nothing_payable", "该办件没有需要缴纳的费用", status=409)


# -- reads ------------------------------------------------------------------------------------------------


@dataclass
class FeeSummary:
    lines: list[FeeLine]
    payable: Decimal  # what is still to pay
    paid: Decimal
    waived: Decimal
    receipt_nos: list[str]

    @property
    def state(self) -> str:
        """none / unpaid / paid / waived."""
        if not self.lines:
            return "none"
        if self.payable:
            return "unpaid"
        return "paid" if self.receipt_nos else "waived"


def fee_summary(*, case: Case) -> FeeSummary:
    lines = list(FeeLine.objects.filter(case=case).select_related("fee", "cashier").order_by("id"))
    zero = Decimal("0.00")
    return FeeSummary(
        lines=lines,
        payable=sum((x.amount * x.quantity for x in lines if not x.waived and x.paid_at is None), zero),
        paid=sum((x.amount * x.quantity for x in lines if x.paid_at is not None), zero),
        waived=sum((x.amount * x.quantity for x in lines if x.waived), zero),
        receipt_nos=sorted({x.receipt_no for x in lines if x.receipt_no and not x.waived}),
    )


@dataclass
class Receipt:
    receipt_no: str
    case: Case
    lines: list[FeeLine]
    paid_at: dt.datetime
    cashier: Staff | None
    method: str
    total: Decimal
    waived: Decimal

    @property
    def total_words(self) -> str:
        return rmb_capital(self.total)

    @property
    def method_label(self) -> str:
        return PAY_METHODS.get(self.method, self.method)


def receipt_get(*, receipt_no: str) -> Receipt:
    lines = list(FeeLine.objects.filter(receipt_no=receipt_no)
                 .select_related("fee", "cashier", "case__hall__region", "case__department", "case__item_version")
                 .order_by("id"))
    paid = [x for x in lines if not x.waived]
    if not paid:
        raise NotFound("未找到该收费票据")
    return Receipt(
        receipt_no=receipt_no, case=paid[0].case, lines=lines, paid_at=paid[0].paid_at, cashier=paid[0].cashier,
        method=paid[0].pay_method, total=sum((x.amount * x.quantity for x in paid), Decimal("0.00")),
        waived=sum((x.amount * x.quantity for x in lines if x.waived), Decimal("0.00")),
    )


def _line_total():
    return ExpressionWrapper(F("amount") * F("quantity"), output_field=_MONEY)


def _reconciliation(qs, keys: list[str], order: list[str]) -> list[dict]:
    zero = Value(Decimal("0.00"), output_field=_MONEY)
    return list(
        qs.values(*keys)
        .annotate(
            receipts=Count("receipt_no", distinct=True, filter=Q(waived=False, paid_at__isnull=False)),
            collected=Coalesce(Sum(_line_total(), filter=Q(waived=False, paid_at__isnull=False)), zero),
            waived_amount=Coalesce(Sum(_line_total(), filter=Q(waived=True)), zero),
        )
        .order_by(*order)
    )


def reconciliation_by_department(*, day: dt.date, hall: Hall | None = None,
                                 region: Region | None = None) -> list[dict]:
    """The day's receipts, money collected and money waived per department (one GROUP BY query)."""
    qs = FeeLine.objects.filter(paid_on=day)
    if hall is not None:
        qs = qs.filter(case__hall=hall)
    if region is not None:
        qs = qs.filter(case__hall__region__code__startswith=region.code_prefix)
    rows = _reconciliation(qs, ["case__department_id", "case__department__code", "case__department__name"],
                           ["case__department__code"])
    return [{"id": r["case__department_id"], "code": r["case__department__code"],
             "name": r["case__department__name"], "receipts": r["receipts"], "collected": r["collected"],
             "waived": r["waived_amount"]} for r in rows]


def reconciliation_by_hall(*, day: dt.date, region: Region | None = None) -> list[dict]:
    """The day's receipts, money collected and money waived per hall (one GROUP BY query)."""
    qs = FeeLine.objects.filter(paid_on=day)
    if region is not None:
        qs = qs.filter(case__hall__region__code__startswith=region.code_prefix)
    rows = _reconciliation(qs, ["case__hall_id", "case__hall__code", "case__hall__name"], ["case__hall__code"])
    return [{"id": r["case__hall_id"], "code": r["case__hall__code"], "name": r["case__hall__name"],
             "receipts": r["receipts"], "collected": r["collected"], "waived": r["waived_amount"]} for r in rows]


def reconciliation_totals(rows: list[dict]) -> dict:
    return {
        "receipts": sum(r["receipts"] for r in rows),
        "collected": sum((r["collected"] for r in rows), Decimal("0.00")),
        "waived": sum((r["waived"] for r in rows), Decimal("0.00")),
    }


def reconciliation_xlsx(*, day: dt.date, by_department: list[dict], by_hall: list[dict], scope: str) -> bytes:
    """The day's reconciliation as an Excel workbook: sheets 按部门 and 按大厅, with totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    sheets = [("按部门", "部门", by_department), ("按大厅", "服务大厅", by_hall)]
    for index, (title, label, rows) in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = title
        ws.append([f"集中收费日对账表（{title}）"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([f"对账日期：{day:%Y-%m-%d}", f"范围：{scope}"])
        ws.append(["编码", label, "票据数（张）", "实收金额（元）", "减免金额（元）"])
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for r in rows:
            ws.append([r["code"], r["name"], r["receipts"], r["collected"], r["waived"]])
        totals = reconciliation_totals(rows)
        ws.append(["", "合计", totals["receipts"], totals["collected"], totals["waived"]])
        ws.append(["", "实收合计（大写）", rmb_capital(totals["collected"])])
        for row in ws.iter_rows(min_row=4, min_col=4, max_col=5):
            for cell in row:
                cell.number_format = "#,##0.00"
        for col, width in zip("ABCDE", (14, 30, 14, 16, 16), strict=True):
            ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- the receipt (收费票据) -------------------------------------------------------------------------------


def receipt_context(*, receipt: Receipt, base_url: str | None, reveal_id: bool = False,
                    hide_name: bool = False) -> dict:
    from .documents import applicant_block, letterhead

    case = receipt.case
    paid_on = timezone.localdate(receipt.paid_at)
    ctx = letterhead(case=case, title="集中收费票据", issued_on=paid_on, base_url=base_url,
                     issuer=case.hall.name, doc_no=f"票据号：{receipt.receipt_no}")
    ctx.update(
        receipt=receipt,
        applicant=applicant_block(case, reveal_id=reveal_id, hide_name=hide_name),
        item_name=case.item_version.name,
        rows=[{"line": x, "total": Decimal("0.00") if x.waived else x.amount * x.quantity,
               "basis": x.fee.waiver_basis if x.fee_id else ""} for x in receipt.lines],
        body_template="cases/cashier/receipt_body.html",
    )
    return ctx


def render_receipt_html(*, receipt: Receipt, base_url: str | None, reveal_id: bool = False,
                        pdf_url: str = "", for_pdf: bool = False, hide_name: bool = False) -> str:
    ctx = receipt_context(receipt=receipt, base_url=base_url, reveal_id=reveal_id, hide_name=hide_name)
    ctx.update(pdf_url=pdf_url, for_pdf=for_pdf)
    return render_to_string("cases/docs/document.html", ctx)


def render_receipt_pdf(*, receipt: Receipt, base_url: str | None, reveal_id: bool = False,
                       hide_name: bool = False) -> bytes:
    from .documents import html_to_pdf

    return html_to_pdf(render_receipt_html(receipt=receipt, base_url=base_url, reveal_id=reveal_id, for_pdf=True,
                                           hide_name=hide_name), base_url=base_url)
