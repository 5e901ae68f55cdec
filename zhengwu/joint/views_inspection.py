"""Pages of 联合踏勘: the lead's schedule form, an inspection's page (confirm, sign, cancel by role), the
on-site record page (made for a phone), and the printable 踏勘记录 and 缺席默认告知书 (HTML and PDF).

Thin: every write is a service in ``inspections.py``. Who may read: the lead department's staff, the
staff of the departments of the 子件 (invited or not), the hall's 中心管理员 and the region's 领导 and
效能监察员. Before the 踏勘记录 is signed a co-department sees only its own department's on-site opinion;
once signed the record is shared by all who took part.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengwu.cases.documents import cn_date, seal_svg
from zhengwu.cases.views.common import _staff_ctx, staff_required
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.pdf import render_pdf
from zhengwu.core.services import audit_record
from zhengwu.org.models import Role
from zhengwu.workdays import engine

from . import inspections as svc
from .models import Attendance, Inspection, InspectionInvite, InspectionStatus, JointCase

PRINT_STYLESHEET = "cases/docs/print.css"
HEADINGS = {400: "请求有误", 403: "无权访问", 404: "未找到", 409: "暂不能办理", 422: "请求有误"}


def joint_page_url(joint: JointCase) -> str:
    return reverse("joint:detail", args=[joint.case_no])


# -- who may see what -------------------------------------------------------------------------------------


staff_can_read_joint = svc.staff_can_read_joint


def sees_all_opinions(staff, inspection: Inspection) -> bool:
    joint = inspection.joint
    if inspection.status == InspectionStatus.SIGNED or svc.is_lead_staff(staff, joint):
        return True
    codes = staff.role_codes()
    return bool(codes & {Role.LEADER, Role.SUPERVISOR} or (Role.HALL_ADMIN in codes and staff.department_id is None))


def _joint(request, joint_no: str) -> JointCase:
    joint = JointCase.objects.select_related("bundle_version", "lead_department", "hall__region").filter(
        case_no=joint_no).first()
    if joint is None:
        raise NotFound("未找到该联办件")
    if not staff_can_read_joint(request.staff, joint):
        raise PermissionDenied("该联办件不在您的管辖范围内", code="out_of_scope")
    return joint


def _inspection(joint: JointCase, rnd: int) -> Inspection:
    if not 1 <= rnd <= svc.MAX_ROUND:
        raise NotFound("未找到该次联合踏勘")
    inspection = (Inspection.objects.select_related("organiser", "signed_by").filter(joint=joint, round=rnd)
                  .first())
    if inspection is None:
        raise NotFound(f"本联办件没有第{rnd}轮联合踏勘")
    inspection.joint = joint
    return inspection


def domain_errors(view):
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render(request, "joint/inspection_error.html",
                          {**_staff_ctx(request.staff), "heading": HEADINGS.get(exc.status, "无法办理"),
                           "message": exc.message}, status=exc.status)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _invite_rows(staff, inspection: Inspection) -> list[dict]:
    everything = sees_all_opinions(staff, inspection)
    rows = []
    for inv in inspection.invites.select_related("department", "confirmed_by").order_by("id"):
        own = staff.department_id == inv.department_id
        rows.append({"invite": inv, "own": own, "show_opinion": everything or own,
                     "may_confirm": (own and inspection.status == InspectionStatus.SCHEDULED
                                     and inv.confirmed_at is None
                                     and svc.is_department_staff(staff, inspection.joint, inv.department_id))})
    return rows


def inspections_context(*, joint: JointCase, staff) -> dict:
    """What ``joint/_inspections.html`` shows (the 联办件 page may call this; the partial also works with
    only ``joint`` and ``staff`` in its context through the ``joint_inspections`` template values)."""
    lead = svc.is_lead_staff(staff, joint)
    items = []
    for inspection in joint.inspections.select_related("organiser", "signed_by").order_by("round"):
        inspection.joint = joint
        items.append({"inspection": inspection, "invites": _invite_rows(staff, inspection)})
    active = any(i["inspection"].status in svc.ACTIVE for i in items)
    held = sum(1 for i in items if i["inspection"].status != InspectionStatus.CANCELLED)
    return {"joint": joint, "staff": staff, "inspections": items, "is_lead": lead,
            "may_sign": svc.may_sign(staff, joint),
            "may_schedule": (lead and joint.status in svc.SCHEDULE_STATES and not active
                             and held < joint.bundle_version.max_inspection_rounds),
            "max_rounds": joint.bundle_version.max_inspection_rounds, "today": clock.today()}


# -- pages ------------------------------------------------------------------------------------------------


@staff_required
@require_GET
@domain_errors
def inspection_list(request, joint_no: str):
    joint = _joint(request, joint_no)
    ctx = inspections_context(joint=joint, staff=request.staff)
    return render(request, "joint/inspection_list.html",
                  {**_staff_ctx(request.staff), **ctx, "joint_url": joint_page_url(joint)})


def _next_workday(region) -> dt.date:
    day = clock.today() + dt.timedelta(days=1)
    while not engine.is_workday(day, region=region):
        day += dt.timedelta(days=1)
    return day


@staff_required
@require_http_methods(["GET", "POST"])
@domain_errors
def inspection_new(request, joint_no: str):
    """The lead's schedule form: date, place, invited departments (all co-departments checked)."""
    joint = _joint(request, joint_no)
    if not svc.is_lead_staff(request.staff, joint):
        raise PermissionDenied("联合踏勘由牵头部门组织", code="not_lead")
    departments = svc.co_departments(joint)
    form = {"date": _next_workday(joint.hall.region).isoformat(), "place": "", "note": "",
            "departments": [d.pk for d in departments]}
    if request.method == "POST":
        chosen = [int(x) for x in request.POST.getlist("department") if x.isdigit()]
        form = {"date": request.POST.get("date", ""), "place": request.POST.get("place", ""),
                "note": request.POST.get("note", ""), "departments": chosen}
        try:
            try:
                day = dt.date.fromisoformat(form["date"].strip())
            except ValueError:
                raise DomainError("invalid_date", "踏勘日期格式不正确，应为 YYYY-MM-DD") from None
            inspection = svc.inspection_schedule(joint=joint, staff=request.staff, date=day, place=form["place"],
                                                 department_ids=chosen, note=form["note"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已通知第{inspection.round}轮联合踏勘（{cn_date(inspection.date)}）。")
            return redirect("joint:inspection_detail", joint_no=joint.case_no, rnd=inspection.round)
    return render(request, "joint/inspection_new.html",
                  {**_staff_ctx(request.staff), "joint": joint, "departments": departments, "form": form,
                   "joint_url": joint_page_url(joint), "absent_deemed": joint.bundle_version.absent_deemed})


@staff_required
@require_GET
@domain_errors
def inspection_detail(request, joint_no: str, rnd: int):
    joint = _joint(request, joint_no)
    inspection = _inspection(joint, rnd)
    staff = request.staff
    return render(request, "joint/inspection_detail.html", {
        **_staff_ctx(staff), "joint": joint, "inspection": inspection, "invites": _invite_rows(staff, inspection),
        "is_lead": svc.is_lead_staff(staff, joint), "may_sign": svc.may_sign(staff, joint),
        "may_record": (svc.is_lead_staff(staff, joint) and inspection.status == InspectionStatus.SCHEDULED),
        "record_open": clock.today() >= inspection.date, "joint_url": joint_page_url(joint)})


def _done(request, joint, inspection, what: str, call):
    try:
        call()
    except DomainError as exc:
        messages.error(request, f"{what}未办理：{exc.message}")
    else:
        messages.success(request, f"已{what}。")
    return redirect("joint:inspection_detail", joint_no=joint.case_no, rnd=inspection.round)


@staff_required
@require_POST
@domain_errors
def inspection_confirm(request, joint_no: str, rnd: int):
    joint = _joint(request, joint_no)
    inspection = _inspection(joint, rnd)
    invite = inspection.invites.filter(department_id=request.staff.department_id).first()
    if invite is None or request.staff.department_id is None:
        raise PermissionDenied("您所在部门未受邀参加本次联合踏勘", code="not_invited")
    return _done(request, joint, inspection, "确认参加",
                 lambda: svc.inspection_confirm(invite=invite, staff=request.staff))


@staff_required
@require_POST
@domain_errors
def inspection_sign(request, joint_no: str, rnd: int):
    joint = _joint(request, joint_no)
    inspection = _inspection(joint, rnd)
    return _done(request, joint, inspection, "签认踏勘记录",
                 lambda: svc.inspection_sign(inspection=inspection, staff=request.staff))


@staff_required
@require_POST
@domain_errors
def inspection_cancel(request, joint_no: str, rnd: int):
    joint = _joint(request, joint_no)
    inspection = _inspection(joint, rnd)
    return _done(request, joint, inspection, "取消联合踏勘",
                 lambda: svc.inspection_cancel(inspection=inspection, staff=request.staff,
                                               reason=request.POST.get("reason", "")))


@staff_required
@require_http_methods(["GET", "POST"])
@domain_errors
def inspection_record(request, joint_no: str, rnd: int):
    """The on-site record, on a phone: one department per row (到场 / 缺席有理由 / 缺席), attendee, opinion."""
    joint = _joint(request, joint_no)
    inspection = _inspection(joint, rnd)
    if not svc.is_lead_staff(request.staff, joint):
        raise PermissionDenied("现场记录由牵头部门的工作人员填写", code="not_lead")
    invites = list(inspection.invites.select_related("department", "confirmed_by").order_by("id"))
    values = {i.department_id: {"attendance": "", "attendee": "", "absence_reason": "", "opinion": ""}
              for i in invites}
    conclusion = ""
    if request.method == "POST":
        rows = []
        for inv in invites:
            d = inv.department_id
            values[d] = {"attendance": request.POST.get(f"att_{d}", ""),
                         "attendee": request.POST.get(f"attendee_{d}", ""),
                         "absence_reason": request.POST.get(f"reason_{d}", ""),
                         "opinion": request.POST.get(f"opinion_{d}", "")}
            rows.append({"department_id": d, **values[d]})
        conclusion = request.POST.get("conclusion", "")
        try:
            svc.inspection_record(inspection=inspection, staff=request.staff, attendance=rows, conclusion=conclusion)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已记录现场踏勘情况，待牵头部门签认踏勘记录。")
            return redirect("joint:inspection_detail", joint_no=joint.case_no, rnd=inspection.round)
    rows = [{"invite": inv, "v": values[inv.department_id]} for inv in invites]
    return render(request, "joint/inspection_record.html", {
        **_staff_ctx(request.staff), "joint": joint, "inspection": inspection, "rows": rows,
        "conclusion": conclusion, "choices": [(Attendance.PRESENT, "到场"), (Attendance.EXCUSED, "缺席有理由"),
                                              (Attendance.ABSENT, "缺席")],
        "absent_deemed": joint.bundle_version.absent_deemed, "too_early": clock.today() < inspection.date})


# -- documents: 踏勘记录 and 缺席默认告知书 --------------------------------------------------------------------


def _doc_context(*, inspection: Inspection, staff, for_pdf: bool, pdf_url: str = "", back_url: str = "") -> dict:
    joint = inspection.joint
    issuer = joint.lead_department.name
    issued = inspection.signed_at or inspection.recorded_at
    return {"joint": joint, "inspection": inspection, "issuer": issuer, "for_pdf": for_pdf, "pdf_url": pdf_url,
            "back_url": back_url, "seal_svg": seal_svg(issuer) if inspection.signed_at else "",
            "issued_on_cn": cn_date(issued), "date_cn": cn_date(inspection.date),
            "children": list(joint.children.select_related("department", "item_version").order_by("joint_seq")),
            "invites": _invite_rows(staff, inspection), "hall": joint.hall}


def render_record_html(*, inspection: Inspection, staff, for_pdf: bool, pdf_url: str = "", back_url: str = "") -> str:
    if inspection.status not in (InspectionStatus.RECORDED, InspectionStatus.SIGNED):
        raise DomainError("no_record", "该次联合踏勘尚未记录，暂无踏勘记录", status=409)
    ctx = _doc_context(inspection=inspection, staff=staff, for_pdf=for_pdf, pdf_url=pdf_url, back_url=back_url)
    return render_to_string("joint/inspection_doc_record.html", ctx)


def render_notice_html(*, inspection: Inspection, invite: InspectionInvite, staff, for_pdf: bool,
                       pdf_url: str = "", back_url: str = "") -> str:
    joint = inspection.joint
    issuer = joint.lead_department.name
    ctx = {"joint": joint, "inspection": inspection, "invite": invite, "issuer": issuer, "for_pdf": for_pdf,
           "pdf_url": pdf_url, "back_url": back_url, "seal_svg": seal_svg(issuer), "hall": joint.hall,
           "issued_on_cn": cn_date(invite.notice_issued_at), "date_cn": cn_date(inspection.date),
           "absent_deemed": joint.bundle_version.absent_deemed}
    return render_to_string("joint/inspection_doc_notice.html", ctx)


def to_pdf(html: str, base_url: str) -> bytes:
    return render_pdf(html, base_url=base_url, stylesheet=PRINT_STYLESHEET)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


@staff_required
@require_GET
@domain_errors
def inspection_sheet(request, joint_no: str, rnd: int, fmt: str = "html"):
    joint = _joint(request, joint_no)
    inspection = _inspection(joint, rnd)
    back = reverse("joint:inspection_detail", args=[joint.case_no, inspection.round])
    if fmt == "pdf":
        if inspection.status != InspectionStatus.SIGNED:
            raise DomainError("not_signed", "踏勘记录经牵头部门签认后方可下载 PDF", status=409)
        data = to_pdf(render_record_html(inspection=inspection, staff=request.staff, for_pdf=True),
                      request.build_absolute_uri("/"))
        audit_record(actor=request.user, action="view", obj=joint, request=request,
                     summary=f"查看联办件 {joint.case_no} 第{inspection.round}轮踏勘记录（PDF）")
        return _pdf(data, f"踏勘记录-{joint.case_no}-{inspection.round}.pdf")
    pdf_url = (reverse("joint:inspection_sheet_pdf", args=[joint.case_no, inspection.round])
               if inspection.status == InspectionStatus.SIGNED else "")
    html = render_record_html(inspection=inspection, staff=request.staff, for_pdf=False, pdf_url=pdf_url,
                              back_url=back)
    audit_record(actor=request.user, action="view", obj=joint, request=request,
                 summary=f"查看联办件 {joint.case_no} 第{inspection.round}轮踏勘记录（网页）")
    return HttpResponse(html)


@staff_required
@require_GET
@domain_errors
def inspection_notice(request, joint_no: str, rnd: int, dept: int, fmt: str = "html"):
    joint = _joint(request, joint_no)
    inspection = _inspection(joint, rnd)
    invite = None
    if 0 < dept < 2**63:  # the id column's range
        invite = (inspection.invites.select_related("department").filter(department_id=dept, deemed_agree=True)
                  .exclude(notice_no="").first())
    if invite is None:
        raise NotFound("该部门没有缺席默认告知书")
    staff = request.staff
    if not (sees_all_opinions(staff, inspection) or staff.department_id == invite.department_id):
        raise PermissionDenied("缺席默认告知书仅送达所涉部门和牵头部门", code="out_of_scope")
    back = reverse("joint:inspection_detail", args=[joint.case_no, inspection.round])
    if fmt == "pdf":
        data = to_pdf(render_notice_html(inspection=inspection, invite=invite, staff=staff, for_pdf=True),
                      request.build_absolute_uri("/"))
        audit_record(actor=request.user, action="view", obj=joint, request=request,
                     summary=f"查看缺席默认告知书 {invite.notice_no}（PDF）")
        return _pdf(data, f"缺席默认告知书-{joint.case_no}-{inspection.round}-{invite.department.code}.pdf")
    pdf_url = reverse("joint:inspection_notice_pdf", args=[joint.case_no, inspection.round, dept])
    audit_record(actor=request.user, action="view", obj=joint, request=request,
                 summary=f"查看缺席默认告知书 {invite.notice_no}（网页）")
    return HttpResponse(render_notice_html(inspection=inspection, invite=invite, staff=staff, for_pdf=False,
                                           pdf_url=pdf_url, back_url=back))
