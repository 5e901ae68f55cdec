"""重点科室评议 pages: the supervisor's workbench (create a campaign, add sections, questions and raters,
send, close, publish, accept rectifications, export), the rater's form through the one-time link, the
department head's page (scores, comments, the rectification to file) and the public results.

Reads through ``selectors``, writes through ``services``; a refusal shows its Chinese message and changes
nothing. The rater's page answers refusals with status 200: Django logs 4xx responses with their path,
and the path holds the token.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.formerrors import FieldErrors
from zhengwu.org.models import Department, Role
from zhengwu.org.selectors import staff_for_user

from . import export, selectors
from .models import CampaignStatus, DutyType, QuestionKind, RaterKind, RectificationStatus
from .services import answers, campaigns, rectifications


def _message(request, message: str, status: int = 200, title: str = "提示"):
    return render(request, "appraisal/message.html", {"title": title, "message": message}, status=status)


def staff_pages(view):
    """Logged in; a refusal not shown on the page itself becomes the message page with its status."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.staff = staff_for_user(request.user)
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return _message(request, exc.message, exc.status)

    return login_required(wrapper)


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        raise DomainError("invalid_input", f"请填写{field}（如 2026-03-01）") from None


def _int(value, field: str) -> int:
    try:
        v = int(value)
    except (TypeError, ValueError):
        v = 0
    if not 1 <= v < 2**63:
        raise DomainError("invalid_input", f"请选择{field}")
    return v


# -- entry --------------------------------------------------------------------------------------------


def index(request):
    staff = staff_for_user(request.user)
    if staff and staff.has_role(Role.SUPERVISOR):
        return redirect("appraisal:workbench")
    if staff and staff.has_role(Role.DEPT_HEAD):
        return redirect("appraisal:department")
    return redirect("appraisal:public")


# -- supervisor ---------------------------------------------------------------------------------------


@staff_pages
@require_http_methods(["GET", "POST"])
def workbench(request):
    staff = request.staff
    rows = selectors.campaign_list_for_supervisor(staff=staff)
    errors = FieldErrors()
    if request.method == "POST":
        p = request.POST
        dates = {}
        for name, label in (("starts_on", "评议开始日期"), ("ends_on", "评议截止日期")):
            try:
                dates[name] = _date(p.get(name), label)
            except DomainError as exc:
                dates[name] = None
                errors.add(name, label, exc.message)
        try:
            c = campaigns.campaign_create(
                staff=staff, title=p.get("title", ""), starts_on=dates["starts_on"], ends_on=dates["ends_on"],
                bottom_n=p.get("bottom_n") or 3, min_answers=p.get("min_answers") or 5,
                rectify_workdays=p.get("rectify_workdays") or 20, intro=p.get("intro", ""))
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            errors.add_domain(exc, labels=CAMPAIGN_LABELS)
        else:
            messages.success(request, "评议活动已创建，请添加评议科室、评议内容和评议人")
            return redirect("appraisal:campaign", c.pk)
    return render(request, "appraisal/workbench.html", {"campaigns": rows, "errors": errors, "form": request.POST},
                  status=400 if errors else 200)


CAMPAIGN_LABELS = {"title": "活动名称", "intro": "评议说明", "starts_on": "评议开始日期", "ends_on": "评议截止日期",
                   "bottom_n": "公布末位科室数", "min_answers": "最少有效评议数", "rectify_workdays": "整改期限",
                   "basic_points": "“基本满意”折合分"}


def _campaign_context(c, staff) -> dict:
    results = selectors.results(c) if c.status in (CampaignStatus.CLOSED, CampaignStatus.PUBLISHED) else []
    return {
        "c": c, "sections": c.sections.select_related("department"), "questions": c.questions.all(),
        "invitations": c.invitations.all(), "counts": selectors.invitation_counts(c), "results": results,
        "rectifications": c.rectifications.select_related("section__department"),
        "departments": Department.objects.filter(is_active=True).order_by("code"),
        "duty_types": DutyType.choices, "question_kinds": QuestionKind.choices, "rater_kinds": RaterKind.choices,
        "is_draft": c.status == CampaignStatus.DRAFT, "can_invite": c.status in (CampaignStatus.DRAFT,
                                                                                CampaignStatus.OPEN),
        "RS": RectificationStatus,
    }


OPS = {
    "add_section": "评议科室已添加", "add_question": "评议内容已添加", "add_invite": "评议人已添加",
    "from_cases": "", "open": "已发出评议邀请，评议开始", "send": "已向新增评议人发出邀请",
    "close": "评议已结束，结果已计算", "publish": "评议结果已公布，末位科室整改已启动",
    "accept": "整改已验收，整改情况已公开", "return": "整改报告已退回",
}


@staff_pages
@require_http_methods(["GET", "POST"])
def campaign(request, campaign_id: int):
    staff = request.staff
    c = selectors.campaign_get_for_supervisor(campaign_id=campaign_id, staff=staff)
    error = ""
    if request.method == "POST":
        p = request.POST
        op = p.get("op", "")
        try:
            note = OPS.get(op)
            if op == "add_section":
                campaigns.section_add(campaign_id=c.pk, staff=staff, name=p.get("name", ""),
                                      department_id=_int(p.get("department"), "部门"),
                                      duty_type=p.get("duty_type", ""))
            elif op == "add_question":
                campaigns.question_add(campaign_id=c.pk, staff=staff, text_=p.get("text", ""),
                                       kind=p.get("kind", ""), weight=p.get("weight") or "1")
            elif op == "add_invite":
                campaigns.invitation_add(campaign_id=c.pk, staff=staff, rater_kind=p.get("rater_kind", ""),
                                         name=p.get("name", ""), phone=p.get("phone", ""),
                                         org_name=p.get("org_name", ""))
            elif op == "from_cases":
                n = campaigns.invitations_from_cases(
                    campaign_id=c.pk, staff=staff, department_id=_int(p.get("department"), "部门"),
                    start=_date(p.get("start"), "办结日期起"), end=_date(p.get("end"), "办结日期止"),
                    limit=p.get("limit") or 20)
                note = f"从办件申请人中增加评议人{n}名"
            elif op in ("open", "send", "close", "publish"):
                campaigns.campaign_act(campaign_id=c.pk, staff=staff, action=op)
            elif op in ("accept", "return"):
                rectifications.rectification_act(
                    rectification_id=_int(p.get("rectification"), "整改事项"), staff=staff, action=op,
                    data={"public_note": p.get("public_note", ""), "note": p.get("note", "")})
            else:
                raise DomainError("unknown_action", "未知的操作")
        except DomainError as exc:
            if isinstance(exc, (PermissionDenied, NotFound)):
                raise
            error = exc.message
        else:
            messages.success(request, note)
            return redirect("appraisal:campaign", c.pk)
        c.refresh_from_db()
    return render(request, "appraisal/campaign.html", {**_campaign_context(c, staff), "error": error,
                                                        "form": request.POST})


@staff_pages
def campaign_export(request, campaign_id: int):
    c = selectors.campaign_get_for_supervisor(campaign_id=campaign_id, staff=request.staff)
    if c.status not in (CampaignStatus.CLOSED, CampaignStatus.PUBLISHED):
        raise DomainError("not_closed", "评议结束后才能导出结果", status=409)
    data = export.results_xlsx(c)
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename=appraisal-{c.pk}-results.xlsx"
    return resp


# -- department ---------------------------------------------------------------------------------------


@staff_pages
@require_http_methods(["GET", "POST"])
def department(request):
    staff = request.staff
    rows = selectors.department_view(staff=staff)
    error = ""
    if request.method == "POST":
        try:
            r = selectors.rectification_for_department(rectification_id=_int(request.POST.get("rectification"),
                                                                             "整改事项"), staff=staff)
            rectifications.rectification_act(rectification_id=r.pk, staff=staff, action="file",
                                             data={"report": request.POST.get("report", "")})
        except DomainError as exc:
            if isinstance(exc, (PermissionDenied, NotFound)):
                raise
            error = exc.message
        else:
            messages.success(request, "整改报告已报送，等待效能监察员验收")
            return redirect("appraisal:department")
    return render(request, "appraisal/department.html", {"rows": rows, "error": error, "form": request.POST,
                                                          "RS": RectificationStatus})


# -- public -------------------------------------------------------------------------------------------


def public(request):
    return render(request, "appraisal/public_list.html", {"campaigns": selectors.public_campaigns()})


def public_detail(request, campaign_id: int):
    try:
        data = selectors.public_campaign(campaign_id=campaign_id)
    except NotFound as exc:
        return _message(request, exc.message, 404)
    return render(request, "appraisal/public.html", {**data, "RS": RectificationStatus})


# -- the rater's form ---------------------------------------------------------------------------------


def _posted_sections(post, sections, questions) -> list[dict]:
    out = []
    for s in sections:
        if post.get(f"s{s.pk}_unknown"):
            out.append({"section_id": s.pk, "unknown": True})
            continue
        scores = {q.pk: post.get(f"s{s.pk}_q{q.pk}") for q in questions if post.get(f"s{s.pk}_q{q.pk}")}
        comment = post.get(f"s{s.pk}_comment", "")
        if scores or comment.strip():
            out.append({"section_id": s.pk, "unknown": False, "scores": scores, "comment": comment})
    return out


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, token: str):
    try:
        inv = answers.invitation_for_token(token)
    except DomainError as exc:
        return _message(request, exc.message, title="重点科室评议")
    c = inv.campaign
    sections = list(c.sections.select_related("department"))
    questions = list(c.questions.all())
    errors = FieldErrors()
    if request.method == "POST":
        posted = _posted_sections(request.POST, sections, questions)
        by_id = {s.pk: s for s in sections}
        for p in posted:  # a section begun must be finished: every missing answer named beside its question
            if p["unknown"]:
                continue
            s = by_id[p["section_id"]]
            for q in questions:
                if q.pk not in p["scores"]:
                    errors.add(f"s{s.pk}_q{q.pk}", f"{s.department.name}·{s.name}“{q.text}”",
                               "请作出评价，或勾选“不了解该科室”")
            if len(p["comment"].strip()) > answers.COMMENT_MAX:
                errors.add(f"s{s.pk}_comment", f"{s.department.name}·{s.name}的意见建议",
                           f"意见建议不能超过{answers.COMMENT_MAX}字（现为{len(p['comment'].strip())}字）")
        if not errors:
            try:
                n = answers.answer_submit(token=token, sections=posted)
            except DomainError as exc:
                errors.add_general(exc.message)
            else:
                return render(request, "appraisal/thanks.html", {"c": c, "n": n})
    rows = [{"s": s, "unknown": bool(request.POST.get(f"s{s.pk}_unknown")),
             "comment": request.POST.get(f"s{s.pk}_comment", ""),
             "qs": [{"q": q, "name": f"s{s.pk}_q{q.pk}", "value": request.POST.get(f"s{s.pk}_q{q.pk}", ""),
                     "choices": q.choices()} for q in questions]} for s in sections]
    return render(request, "appraisal/rate.html", {"c": c, "rows": rows, "errors": errors,
                                                   "action": reverse("appraisal:rate", args=[token])},
                  status=400 if errors else 200)
