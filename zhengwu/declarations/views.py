"""The pages of 涉企活动申报: the public check (large type, for a phone held up at the door), the rating and the
report form (no login, rate-limited); the department's workbench, the office's approval queue and the
supervisor's page with its Excel export. Every write goes through ``services``."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.formerrors import FieldErrors
from zhengwu.core.models import AuditEvent
from zhengwu.core.pages import staff_pages
from zhengwu.core.services import audit_record
from zhengwu.org.models import Department

from . import limits, selectors
from .models import ActivityType, DeclarationStatus, RatingLevel, Report, ReportStatus
from .services import (
    declaration_act,
    declaration_create,
    limit_problems,
    rating_record,
    report_act,
    report_file,
)
from .transitions import TRANSITIONS

staff_page = staff_pages("declarations/message.html", "涉企活动申报工作台仅限在岗工作人员使用，请用工作人员账号登录")
TEXT_LIMIT = 20000  # a posted textarea longer than this is refused before parsing


def _lines(raw: str, label: str) -> list[tuple[str, str]]:
    """``统一社会信用代码 企业名称`` / ``姓名 执法证号`` per line (space, comma or tab between)."""
    if len(raw or "") > TEXT_LIMIT:
        raise DomainError("declarations_lines", f"{label}内容过长")
    rows = []
    for n, line in enumerate((raw or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = re.split(r"[\s,，、\t]+", line, maxsplit=1)
        if len(parts) != 2:
            raise DomainError("declarations_lines", f"{label}第{n}行应为两项，中间用空格分隔")
        rows.append((parts[0], parts[1]))
    return rows


def _qr_svg(url: str) -> str:
    svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=1).to_string(encoding="unicode")
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg class="qr" role="img" aria-label="备案码核验二维码"', svg)


# -- public -------------------------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def check(request):
    """备案码核验: the code (typed or from the QR code) and optionally the enterprise's own credit code."""
    code = request.GET.get("code", "")[:20].strip().upper()
    uscc = request.GET.get("uscc", "")[:18].strip().upper()
    ctx: dict = {"code": code, "uscc": uscc, "levels": RatingLevel.choices}
    status = 200
    if code:
        try:
            who = limits.check_attempt(request)
            ctx["result"] = selectors.declaration_check(code=code, uscc=uscc)
            limits.check_found(who)
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
    return render(request, "declarations/check.html", ctx, status=status)


@require_POST
def rate(request):
    code = request.POST.get("code", "")[:20]
    uscc = request.POST.get("uscc", "")[:18]
    try:
        limits.submit_use(request)
        rating_record(code=code, uscc=uscc, level=request.POST.get("level", "")[:12],
                      comment=request.POST.get("comment", "")[:600])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "感谢评价，您的意见已送达优化营商环境办")
    return redirect(reverse("declarations:check") + "?" + urlencode({"code": code, "uscc": uscc}))


REPORT_LABELS = {"department_id": "到企业的部门", "visit_date": "到企日期", "description": "情况描述",
                 "shown_code": "备案码", "enterprise_name": "企业名称", "uscc": "统一社会信用代码",
                 "contact_name": "联系人", "contact_phone": "联系电话"}
REPORT_FIELDS = ("department_id", "visit_date", "description", "enterprise_name", "uscc", "contact_name",
                 "contact_phone", "shown_code")


@require_http_methods(["GET", "POST"])
def report(request):
    """举报未备案涉企活动 (no login)."""
    departments = Department.objects.filter(is_active=True).order_by("code").only("pk", "name")
    values = {k: request.POST.get(k, "")[:2100] for k in REPORT_FIELDS} if request.method == "POST" else {
        "shown_code": request.GET.get("code", "")[:20], "visit_date": clock.today().isoformat()}
    errors = FieldErrors()
    ctx: dict = {"departments": departments, "values": values, "errors": errors}
    status = 200
    if request.method == "POST":
        try:
            limits.submit_use(request)
            ctx["filed"] = report_file(**values)
        except DomainError as exc:
            errors.add_domain(exc, labels=REPORT_LABELS)
            status = exc.status
    return render(request, "declarations/report.html", ctx, status=status)


# -- the department's workbench -----------------------------------------------------------------------------------


@staff_page
def work(request):
    staff = request.staff
    status = request.GET.get("status", "")[:16]
    qs = selectors.declaration_list_for_staff(staff=staff, status=status)
    return render(request, "declarations/work.html", {
        "staff": staff, "declarations": qs[:200], "types": ActivityType.choices, "status": status,
        "can_declare": staff.department_id is not None, "is_office": selectors.is_office(staff),
        "is_supervisor": selectors.is_supervisor(staff), "values": {},
        "min_date": clock.today().isoformat()})


DECLARE_LABELS = {"activity_type": "活动类型", "title": "活动事项", "legal_basis": "法律依据",
                  "start_date": "计划开始日期", "end_date": "计划结束日期", "content": "活动内容",
                  "targets": "涉及企业", "inspectors": "执法（检查）人员", "scope": "抽查范围",
                  "joint_departments": "联合部门", "over_limit_reason": "超限理由"}


@staff_page
@require_POST
def create(request):
    p = request.POST
    values = {k: p.get(k, "")[:2100] for k in ("activity_type", "title", "legal_basis", "content", "scope",
                                               "joint_departments", "over_limit_reason", "start_date", "end_date",
                                               "targets", "inspectors")}
    values.update(is_random=p.get("is_random") == "1", is_joint=p.get("is_joint") == "1")
    errors = FieldErrors()
    lines = {}
    for name in ("targets", "inspectors"):  # the lines' own format first, beside their box
        try:
            lines[name] = _lines(p.get(name, ""), DECLARE_LABELS[name])
        except DomainError as exc:
            errors.add(name, DECLARE_LABELS[name], exc.message)
            lines[name] = []
    try:
        # with a box of lines unreadable, the service still checks every other field, and writes nothing
        with transaction.atomic():
            d = declaration_create(
                user=request.user, activity_type=values["activity_type"], title=values["title"],
                legal_basis=values["legal_basis"], content=values["content"], start_date=values["start_date"],
                end_date=values["end_date"], targets=lines["targets"], inspectors=lines["inspectors"],
                is_random=values["is_random"], scope=values["scope"], is_joint=values["is_joint"],
                joint_departments=values["joint_departments"], over_limit_reason=values["over_limit_reason"])
            if errors:
                transaction.set_rollback(True)
    except DomainError as exc:
        errors.add_domain(exc, labels=DECLARE_LABELS)
    if errors:
        staff = request.staff
        return render(request, "declarations/work.html", {
            "staff": staff, "declarations": selectors.declaration_list_for_staff(staff=staff)[:200],
            "types": ActivityType.choices, "can_declare": staff.department_id is not None,
            "is_office": selectors.is_office(staff), "is_supervisor": selectors.is_supervisor(staff),
            "values": values, "errors": errors, "min_date": clock.today().isoformat()}, status=400)
    messages.success(request, "申报已登记（草稿），请核对后提交审批")
    return redirect("declarations:detail", d.pk)


@staff_page
def detail(request, pk: int):
    d = selectors.declaration_get_for_staff(staff=request.staff, declaration_id=pk)
    check_url = request.build_absolute_uri(reverse("declarations:check")) + "?" + urlencode({"code": d.code or ""})
    events = list(d.events.select_related("actor"))
    for e in events:
        e.label = TRANSITIONS[e.action].label if e.action in TRANSITIONS else "登记申报"
    return render(request, "declarations/detail.html", {
        "d": d, "staff": request.staff, "actions": selectors.actions_for(d=d, user=request.user),
        "targets": d.targets.all(), "inspectors": d.inspectors.all(), "events": events,
        "ratings": d.ratings.all(),
        "problems": limit_problems(d) if d.status in (DeclarationStatus.DRAFT, DeclarationStatus.SUBMITTED) else [], "qr": mark_safe(_qr_svg(check_url)) if d.code else "",  # noqa: S308 (qrcode's own SVG)
        "check_url": check_url, "today": clock.today().isoformat()})


ACTION_FIELDS = ("reason", "over_limit_reason", "uscc", "name", "visited_on", "result")


@staff_page
@require_POST
def act(request, pk: int, action: str):
    selectors.declaration_get_for_staff(staff=request.staff, declaration_id=pk)
    data = {k: request.POST.get(k, "")[:600] for k in ACTION_FIELDS}
    try:
        result = declaration_act(declaration_id=pk, user=request.user, action=action, data=data)
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        extra = f"，备案码 {result['code']}" if result.get("code") else ""
        messages.success(request, f"操作成功{extra}")
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt == reverse("declarations:queue") else reverse("declarations:detail", args=[pk]))


@staff_page
def queue(request):
    rows = list(selectors.queue_for_office(staff=request.staff).prefetch_related("targets"))
    return render(request, "declarations/queue.html", {"staff": request.staff, "rows": rows})


# -- the supervisor -------------------------------------------------------------------------------------------------


def _year(request) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else clock.today().year


@staff_page
def supervise(request):
    staff = request.staff
    reports = selectors.reports_for_supervisor(staff=staff)
    year = _year(request)
    return render(request, "declarations/supervise.html", {
        "staff": staff, "open_reports": reports.filter(status=ReportStatus.OPEN).order_by("created_at"),
        "done_reports": reports.exclude(status=ReportStatus.OPEN)[:100], "year": year,
        "stats": selectors.stats_by_department(region=staff.region, year=year), "columns": selectors.STAT_COLUMNS})


@staff_page
@require_POST
def report_handle(request, pk: int, action: str):
    if not selectors.reports_for_supervisor(staff=request.staff).filter(pk=pk).exists():
        raise NotFound("未找到该举报")
    try:
        r = report_act(report_id=pk, user=request.user, action=action,
                       data={"finding": request.POST.get("finding", "")[:1100]})
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"举报 {r.no} 已核查：{r.get_status_display()}")
    return redirect("declarations:supervise")


@staff_page
def export(request):
    staff = request.staff
    selectors.reports_for_supervisor(staff=staff)  # supervisors and leaders only
    year = _year(request)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年涉企活动统计"
    ws.append([label for _, label in selectors.STAT_COLUMNS])
    for row in selectors.stats_by_department(region=staff.region, year=year):
        ws.append([row[k] if row[k] is not None else "" for k, _ in selectors.STAT_COLUMNS])
    ws2 = wb.create_sheet("未备案举报")
    ws2.append(["举报编号", "被举报部门", "到企日期", "状态", "核查结论"])
    for r in Report.objects.filter(pk__in=selectors.reports_for_supervisor(staff=staff).values("pk"),
                                   visit_date__year=year).select_related("department").order_by("created_at"):
        ws2.append([r.no, r.department.name, r.visit_date, r.get_status_display(), r.finding])
    audit_record(actor=request.user, action=AuditEvent.Action.EXPORT, object_type="declarations.stats",
                 object_id=str(year), summary=f"导出{year}年涉企活动统计", request=request)
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="declarations-{year}.xlsx"'
    return resp
