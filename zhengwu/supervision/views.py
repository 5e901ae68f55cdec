"""Supervision pages: the board of cards, 超时默认 notices, 效能告诫, accountability flags, monthly
assessment and the quarterly 通报, and the leaders' dashboard (统计大屏).

Thin views: reads through ``selectors`` (scope checked there), changes through one ``services``
function; a refused change is a ``DomainError`` whose Chinese message is shown as it is.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.services import audit_record
from zhengwu.org.models import Role, Staff, Window
from zhengwu.org.selectors import staff_for_user

from . import documents, selectors, services
from .models import Card, ClockKind, MonthlyScore, SweepRun
from .periods import add_months, cn_month, month_start, parse_month
from .selectors import records
from .selectors.dashboard import dashboard_data, dashboard_region_for_staff
from .selectors.report import quarter_report

PAGE = 50


def _message(request, text: str, status: int = 403):
    return render(request, "supervision/message.html", {"message": text}, status=status)


def supervision_staff(view):
    """Logged in, a member of staff on duty; ``request.staff`` is set; domain refusals become pages."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = staff_for_user(request.user)
        if staff is None or not staff.is_active:
            return _message(request, "效能监察页面仅限在岗工作人员使用。")
        request.staff = staff
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, NotFound) as exc:
            return _message(request, exc.message, exc.status)

    return login_required(wrapper)


def _ctx(request, **extra) -> dict:
    staff = request.staff
    codes = staff.role_codes()
    return {"staff": staff, "is_supervisor": Role.SUPERVISOR in codes,
            "can_dashboard": bool(codes & {Role.LEADER, Role.SUPERVISOR}),
            "can_assess": bool(codes & {Role.LEADER, Role.SUPERVISOR, Role.HALL_ADMIN}),
            "can_flags": bool(codes & {Role.LEADER, Role.SUPERVISOR}), **extra}


def _done(request, to: str, text: str):
    messages.success(request, text)
    return redirect(to)


# -- board -----------------------------------------------------------------------------------------------


@supervision_staff
def board(request):
    staff = request.staff
    level = request.GET.get("level", "")
    level = level if level in Card.Level.values else ""
    dept = request.GET.get("department", "")
    dept_id = int(dept) if dept.isdigit() and len(dept) < 12 else None
    kinds = {k.code: k for k in ClockKind.objects.all()}
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds else ""
    qs = selectors.card_list_for_staff(staff=staff, level=level, department_id=dept_id, kind=kind)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    scoped = Card.objects.filter(selectors.card_scope_q(staff))
    totals = scoped.filter(cleared_on__isnull=True).aggregate(
        red=Count("id", filter=Q(level="red")), yellow=Count("id", filter=Q(level="yellow")))
    return render(request, "supervision/board.html", _ctx(
        request, page=page, level=level, department_id=dept_id, kind=kind, totals=totals,
        by_department=selectors.card_counts_by_department(scoped), by_kind=selectors.card_counts_by_kind(scoped),
        last_run=SweepRun.objects.filter(minutes=False).first(),
        recent=scoped.filter(cleared_on__isnull=False).select_related("clock", "department")
        .order_by("-cleared_at", "-id")[:10]))


# -- 超时默认 ----------------------------------------------------------------------------------------------


@supervision_staff
def deemed_list(request):
    rows = records.deemed_list_for_staff(staff=request.staff).order_by("-issued_on", "-id")
    return render(request, "supervision/deemed_list.html",
                  _ctx(request, page=Paginator(rows, PAGE).get_page(request.GET.get("page"))))


@supervision_staff
def deemed_notice(request, notice_no: str):
    rec = records.deemed_get_for_staff(notice_no=notice_no, staff=request.staff)
    if request.GET.get("format") == "pdf":
        pdf = documents.deemed_notice_pdf(rec)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{rec.notice_no}.pdf"'
        return response
    html = documents.deemed_notice_html(rec, pdf_url="?format=pdf", back_url=reverse("supervision:deemed_list"))
    return HttpResponse(html)


@require_POST
@supervision_staff
def deemed_confirm(request, notice_no: str):
    rec = records.deemed_get_for_staff(notice_no=notice_no, staff=request.staff)
    try:
        services.deemed_confirm(record=rec, officer=request.staff, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:deemed_list")
    return _done(request, reverse("supervision:deemed_list"), f"已确认 {rec.notice_no} 的批准文书")


# -- 效能告诫 ----------------------------------------------------------------------------------------------


class AdmonitionForm(forms.Form):
    staff = forms.ModelChoiceField(label="被告诫人", queryset=Staff.objects.none())
    reason = forms.CharField(label="告诫事由", max_length=500,
                             widget=forms.TextInput(attrs={"placeholder": "如：无正当理由超过承诺时限办理"}))
    evidence = forms.CharField(label="事实与证据", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence_file = forms.FileField(label="证据材料（可选）", required=False)
    case_no = forms.CharField(label="相关办件编号（可选）", max_length=40, required=False)

    def __init__(self, *args, supervisor: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = records.admonition_subjects(supervisor=supervisor)
        self.fields["staff"].label_from_instance = lambda s: (
            f"{s.name}（{s.employee_no}）{s.department.name if s.department else ''}")


@supervision_staff
def admonitions(request):
    staff = request.staff
    form = None
    if staff.has_role(Role.SUPERVISOR):
        form = AdmonitionForm(request.POST or None, request.FILES or None, supervisor=staff)
        if request.method == "POST" and form.is_valid():
            try:
                case = records.case_for_supervisor(case_no=form.cleaned_data["case_no"], supervisor=staff)
                adm = services.admonition_issue(
                    supervisor=staff, staff=form.cleaned_data["staff"], reason=form.cleaned_data["reason"],
                    evidence=form.cleaned_data["evidence"], case=case,
                    evidence_file=form.cleaned_data["evidence_file"])
            except (DomainError, NotFound) as exc:
                form.add_error(None, exc.message)
            else:
                return _done(request, reverse("supervision:admonition", args=[adm.pk]), f"已作出效能告诫 {adm.doc_no}")
    elif request.method == "POST":
        raise PermissionDenied("只有效能监察员可以作出效能告诫", code="not_supervisor")
    rows = records.admonition_list_for_staff(staff=staff).order_by("-issued_on", "-id")
    return render(request, "supervision/admonitions.html", _ctx(
        request, form=form, page=Paginator(rows, PAGE).get_page(request.GET.get("page"))))


@supervision_staff
def admonition(request, pk: int):
    adm = records.admonition_get_for_staff(pk=pk, staff=request.staff)
    if request.method == "POST":
        try:
            services.admonition_revoke(supervisor=request.staff, admonition=adm, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已撤销 {adm.doc_no}")
        return redirect("supervision:admonition", pk=pk)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(documents.admonition_pdf(adm), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="admonition-{adm.pk}.pdf"'
        return response
    return render(request, "supervision/admonition.html", _ctx(
        request, adm=adm, letter=documents.admonition_html(adm)))


@supervision_staff
def admonition_evidence(request, pk: int):
    """The evidence file of a 告诫: to those who may read the 告诫 (its supervisors, the person,
    their department head), each opening on the audit trail."""
    adm = records.admonition_get_for_staff(pk=pk, staff=request.staff)
    if not adm.evidence_file:
        raise NotFound("该效能告诫没有附证据材料")
    try:
        handle = adm.evidence_file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound("证据材料文件已不存在") from exc
    audit_record(actor=request.user, action="view", obj=adm, request=request,
                 summary=f"查看效能告诫 {adm.doc_no} 的证据材料")
    return FileResponse(handle, as_attachment=True, filename=adm.evidence_name)


# -- accountability -------------------------------------------------------------------------------------


@supervision_staff
def flags(request):
    state = request.GET.get("state", "open")
    rows = records.flag_list_for_staff(staff=request.staff, state=state)
    if request.method == "POST":
        flag = records.flag_get_for_staff(pk=int(request.POST.get("flag", "0") or 0), staff=request.staff)
        try:
            services.flag_resolve(supervisor=request.staff, flag=flag, resolution=request.POST.get("resolution", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已记录对{flag.staff.name}的处理结果")
        return redirect(f"{reverse('supervision:flags')}?state={state}")
    from .policy import accountability_rules

    return render(request, "supervision/flags.html", _ctx(
        request, state=state, page=Paginator(rows, PAGE).get_page(request.GET.get("page")),
        rules=accountability_rules()))


# -- assessment and 通报 ---------------------------------------------------------------------------------


class PraiseForm(forms.Form):
    staff = forms.ModelChoiceField(label="受表扬人", queryset=Staff.objects.none(), required=False)
    window = forms.ModelChoiceField(label="受表扬窗口", queryset=Window.objects.none(), required=False)
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label="形式", max_length=32, initial="表扬信")
    note = forms.CharField(label="事由", max_length=200)

    def __init__(self, *args, recorder: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = records.admonition_subjects(supervisor=recorder).filter(
            roles__code__in=[Role.WINDOW_OFFICER, Role.CHIEF_REP]).distinct()
        self.fields["window"].queryset = records.praise_windows(staff=recorder)


@supervision_staff
def assessment(request, month: str = ""):
    staff = request.staff
    records.assessment_scope_q(staff)  # refuses roles without access
    today = clock.today()
    try:
        m = parse_month(month) if month else add_months(month_start(today), -1)
    except ValueError as exc:
        raise NotFound("月份格式应为 YYYY-MM") from exc
    can_write = staff.has_role(Role.SUPERVISOR, Role.HALL_ADMIN)
    praise = PraiseForm(request.POST if request.POST.get("do") == "praise" else None, recorder=staff,
                        initial={"on": today}) if can_write else None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("只有效能监察员或中心管理员可以进行此操作", code="not_supervisor")
        try:
            if request.POST.get("do") == "run":
                services.assessment_run(month=m, today=today)
                return _done(request, reverse("supervision:assessment_month", args=[f"{m:%Y-%m}"]),
                             f"已重新计算{cn_month(m)}考核")
            if praise is not None and praise.is_valid():
                d = praise.cleaned_data
                services.commendation_record(recorder=staff, staff=d["staff"], window=d["window"], on=d["on"],
                                             source=d["source"], note=d["note"])
                return _done(request, reverse("supervision:assessment_month", args=[f"{m:%Y-%m}"]),
                             "已登记群众表扬（重新计算当月考核后计入）")
        except DomainError as exc:
            messages.error(request, exc.message)
    scores = list(records.scores_for_staff(staff=staff, month=m))
    halls: dict = {}
    for s in scores:
        group = halls.setdefault(s.hall_id, {"hall": s.hall, "windows": [], "officers": []})
        group["windows" if s.kind == MonthlyScore.Kind.WINDOW else "officers"].append(s)
    quarter = (m.month - 1) // 3 + 1
    return render(request, "supervision/assessment.html", _ctx(
        request, month=m, month_label=cn_month(m), halls=list(halls.values()), can_write=can_write,
        praise_form=praise, months=records.assessed_months(staff=staff)[:24], quarter=quarter,
        prev=add_months(m, -1), next=add_months(m, 1) if add_months(m, 1) <= today else None))


@supervision_staff
def report(request, year: int, quarter: int, fmt: str = ""):
    staff = request.staff
    if not staff.has_role(Role.LEADER, Role.SUPERVISOR, Role.HALL_ADMIN):
        raise PermissionDenied("季度通报仅限效能监察员、领导和中心管理员查看", code="no_assessment")
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100 or fmt not in ("", "pdf", "xlsx"):
        raise NotFound("没有该季度")
    region = staff.hall.region if staff.has_role(Role.HALL_ADMIN) and not staff.has_role(
        Role.LEADER, Role.SUPERVISOR) and staff.hall_id else staff.region
    data = quarter_report(region=region, year=year, quarter=quarter, today=clock.today())
    name = f"{year}Q{quarter}"
    if fmt == "pdf":
        response = HttpResponse(documents.quarter_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="tongbao-{name}.pdf"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(documents.quarter_xlsx(data), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="tongbao-{name}.xlsx"'
        return response
    base = reverse("supervision:report", args=[year, quarter])
    return HttpResponse(documents.quarter_html(data, pdf_url=f"{base}pdf/", xlsx_url=f"{base}xlsx/",
                                               back_url=reverse("supervision:assessment")))


# -- dashboard -------------------------------------------------------------------------------------------


@supervision_staff
def dashboard(request):
    staff = request.staff
    region = dashboard_region_for_staff(staff=staff, region_code=request.GET.get("region", ""))
    data = dashboard_data(region=region, today=clock.today())
    crumbs = [r for r in reversed([region, *region.ancestors()]) if r.code.startswith(staff.region.code_prefix)]
    refreshed = dt.datetime.fromisoformat(data["refreshed_at"]) if data["refreshed_at"] else None
    from zhengwu.projects.selectors import projects_panel  # the 工程建设项目 panel (projects app, issue 13)

    projects = projects_panel(region=region, today=clock.today())
    return render(request, "supervision/dashboard.html", _ctx(request, data=data, region=region, crumbs=crumbs,
                                                               refreshed_at=refreshed, projects=projects))

