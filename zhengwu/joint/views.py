"""联办件 pages: the list for the lead and co-departments (/joint/), a 联办件's page for staff (children,
opinions, the lead's ruling and combined-result forms, 联合踏勘), the window's bundle application, the
applicant's view, and the documents (HTML and PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.cases.forms import ApplicantForm
from zhengwu.cases.models import Channel
from zhengwu.cases.services import check_upload, policy
from zhengwu.cases.views.common import APPLY_FIELDS, _forbidden, _staff_ctx, _staff_window, staff_required
from zhengwu.catalog.models import Bundle
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.formerrors import FieldErrors
from zhengwu.org.selectors import staff_for_user
from zhengwu.workdays import engine

from . import documents, selectors, services
from .models import JointStatus, OpinionKind, RulingKind

PAGE_SIZE = 20


def _joint(case_no):
    try:
        return selectors.joint_get(case_no=case_no)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _view(request, joint):
    try:
        return selectors.joint_view(joint=joint, user=request.user, staff=staff_for_user(request.user))
    except NotFound as exc:
        raise Http404(exc.message) from exc


@staff_required
def joint_list(request):
    status = request.GET.get("status", "")
    status = status if status in JointStatus.values or status == "open" else ""
    qs = selectors.joint_list_for_staff(staff=request.staff, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "joint/list.html", {**_staff_ctx(request.staff), "page_obj": page, "status": status,
                                               "statuses": JointStatus.choices})


def _rows(joint, view):
    today = clock.today()
    cal = engine.calendar_for(joint.hall.region)
    state = {c.id: c for c in services.children_state(joint)}
    ops = {o.case_id: o for o in view.opinions()}
    rows = []
    for c in selectors.joint_children(joint):
        left = None
        if c.due_date and c.is_open:
            left = cal.count(today, c.due_date) if c.due_date >= today else -cal.count(c.due_date, today)
        rows.append({"case": c, "deemed": state[c.pk].deemed, "opinion": ops.get(c.pk), "left": left,
                     "mine": c.department_id in view.departments,
                     "lead": c.department_id == joint.lead_department_id})
    return rows


def joint_page(request, case_no: str):
    joint = _joint(case_no)
    view = _view(request, joint)
    staff = staff_for_user(request.user)
    if view.applicant and not (view.lead or view.departments):
        return redirect("joint:my_joint", case_no=case_no)
    bp = services.bundle_plan_of(joint)
    ctx = {
        **_staff_ctx(staff), "joint": joint, "view": view, "rows": _rows(joint, view),
        "events": list(view.events().select_related("department")), "lines": list(enumerate(bp.lines, start=1)),
        "opinion_kinds": OpinionKind.choices, "ruling_kinds": RulingKind.choices,
        "pending_disagree": view.opinions().filter(kind=OpinionKind.DISAGREE, ruling__isnull=True),
        "docs": [(k, documents.title_of(joint, k)) for k in documents.available(joint)],
        "missing": services.joint_missing(joint) if joint.status in (JointStatus.SUBMITTED,) else [],
    }
    return render(request, "joint/detail.html", ctx)


joint_page = staff_required(joint_page)


@staff_required
@require_POST
def joint_act(request, case_no: str, action: str):
    joint = _joint(case_no)
    _view(request, joint)
    staff, p = request.staff, request.POST
    window = _staff_window(staff, joint.hall_id)
    ints = lambda key: [int(x) for x in p.getlist(key) if x.isdigit()]  # noqa: E731
    calls = {
        "accept": lambda: services.joint_accept(joint=joint, officer=staff, paper_lines=ints("paper_lines"),
                                                window=window, note=p.get("note", "")),
        "request_supplement": lambda: services.joint_request_supplement(
            joint=joint, officer=staff, lines=ints("lines"), missing=[x for x in p.get("missing", "").split("、")
                                                                     if x.strip()],
            note=p.get("note", ""), window=window),
        "reject": lambda: services.joint_reject(joint=joint, officer=staff, reason=p.get("reason", ""),
                                                window=window),
        "ruling": lambda: services.joint_ruling(joint=joint, officer=staff, kind=p.get("ruling", ""),
                                                reason=p.get("reason", "")),
        "resume": lambda: services.joint_resume(joint=joint, officer=staff, reason=p.get("reason", "")),
        "result": lambda: services.joint_result(joint=joint, officer=staff, note=p.get("note", "")),
        "opinion": lambda: services.joint_opinion(
            case=next(c for c in selectors.joint_children(joint) if c.case_no == p.get("child")),
            officer=staff, kind=p.get("opinion", ""), reason=p.get("reason", "")),
    }
    if action not in calls:
        raise Http404("未知的操作")
    try:
        calls[action]()
    except (DomainError, StopIteration) as exc:
        messages.error(request, getattr(exc, "message", "未找到该子件"))
    else:
        messages.success(request, "已办理")
    return redirect("joint:detail", case_no=case_no)


@login_required
@require_http_methods(["GET", "POST"])
def bundle_apply(request, code: str):
    """Apply for a bundle: 窗口收件 by the lead's window (or a 综合窗口), or online by a citizen or enterprise
    — the combined form and the combined materials list (one file per line)."""
    bundle = Bundle.objects.select_related("current").filter(code=code).first()
    if bundle is None or bundle.current_id is None:
        raise Http404("未找到该联办事项")
    staff = staff_for_user(request.user)
    channel = Channel.WINDOW if staff is not None else Channel.ONLINE
    try:
        bp = services.bundle_plan(bundle)
    except DomainError as exc:
        return _forbidden(request, exc.message)
    def submit(applicant, files):
        if channel == Channel.WINDOW:
            return services.joint_submit(bundle=bundle, applicant=applicant, channel=channel, officer=staff,
                                         files=files, window=_staff_window(staff, staff.hall_id))
        return services.joint_submit(bundle=bundle, applicant=applicant, channel=channel, user=request.user,
                                     files=files)

    def done(joint):
        if channel == Channel.ONLINE:
            messages.success(request, f"申请已提交，联办件编号 {joint.case_no}")
            return redirect("joint:my_joint", case_no=joint.case_no)
        messages.success(request, f"已收件，联办件编号 {joint.case_no}")
        return redirect("joint:detail", case_no=joint.case_no)

    return apply_page(request, bundle=bundle, bp=bp, channel=channel, staff=staff, submit=submit, done=done)


def apply_page(request, *, bundle, bp, channel: str, staff, submit, done):
    """The combined form and materials list of a bundle, shared by the window, online and village-agent pages.
    A refused submission comes back with every problem beside its field (each applicant field and each file
    checked at once, as the single-item form does) and a focused summary at the top."""
    form = ApplicantForm(request.POST or None, initial={"kind": "person"})
    errors = FieldErrors()
    if request.method == "POST":
        form.is_valid()
        errors = FieldErrors.from_form(form, labels=form.labels())
        files = []
        for n, ln in enumerate(bp.lines, start=1):
            upload = request.FILES.get(f"line_{n}")
            if upload is None:
                continue
            try:
                check_upload(upload)
            except DomainError as exc:
                errors.add(f"line_{n}", f"上传：{ln.name}", exc.message)
            else:
                upload.seek(0)
                files.append((n, upload))
        if not errors:
            try:
                joint = submit(form.applicant(), files)
            except DomainError as exc:
                errors.add_domain(exc, APPLY_FIELDS)
                errors.mark(form)
            else:
                return done(joint)
    types = [t.strip() for t in policy("upload_types").split(",") if t.strip()]
    depts = {m.item_id: m.item.department.name for m in bp.members}
    lines = [(n, ln, list(dict.fromkeys(depts[i] for i, _ in ln.uses if i in depts)))
             for n, ln in enumerate(bp.lines, start=1)]
    return render(request, "joint/apply.html", {
        **_staff_ctx(staff), "channel": channel, "bundle": bundle, "bp": bp, "lines": lines, "form": form,
        "errors": errors, "accept": ",".join("." + t for t in types),
        "members": [(m, services.member_limit(m, bp.version)) for m in bp.members],
    }, status=400 if errors else 200)


@login_required
def my_joint(request, case_no: str):
    joint = _joint(case_no)
    if joint.applicant_user_id != request.user.pk:
        raise Http404("未找到该办件")
    view = selectors.JointView(joint, applicant=True)
    return render(request, "joint/my_joint.html", {
        **_staff_ctx(None), "joint": joint, "rows": _rows(joint, view), "events": list(view.events()),
        "docs": [(k, documents.title_of(joint, k)) for k in documents.available(joint)],
        "can_withdraw": services.joint_may_withdraw(joint)})


@login_required
@require_POST
def my_joint_withdraw(request, case_no: str):
    """The applicant withdraws the whole 联办件 (every 子件) before any department has decided."""
    joint = _joint(case_no)
    if joint.applicant_user_id != request.user.pk:
        raise Http404("未找到该办件")
    try:
        services.joint_withdraw(joint=joint, user=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "申请已整体撤回，各部门的子件同时终止。")
    return redirect("joint:my_joint", case_no=joint.case_no)


@login_required
def document(request, case_no: str, kind: str, fmt: str = "html"):
    joint = _joint(case_no)
    _view(request, joint)
    try:
        if fmt == "pdf":
            return HttpResponse(documents.render_pdf(joint, kind, base_url=request.build_absolute_uri("/")),
                                content_type="application/pdf",
                                headers={"Content-Disposition": f'inline; filename="{case_no}-{kind}.pdf"'})
        html = documents.render_html(joint, kind, base_url=request.build_absolute_uri("/"),
                                     pdf_url=reverse("joint:document_pdf", args=[case_no, kind]),
                                     back_url=reverse("joint:detail", args=[case_no]))
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    return HttpResponse(html)
