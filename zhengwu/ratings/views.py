"""好差评 pages: the window pad, the applicant's web rating, the one-use link, the department
head's rectification desk, the supervisor's appeal queue, the officer's own ratings, the
metrics page and the public results.

Thin views: reads through ``selectors``, every change through one ``services`` function; a
refusal comes back as a ``DomainError`` whose Chinese message is shown as it is.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.cases.models import Case
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.formerrors import FieldErrors
from zhengwu.core.services import audit_record
from zhengwu.org.models import Region, Role
from zhengwu.org.selectors import staff_for_user

from . import selectors, services
from .models import (
    DIMENSIONS,
    AppealReason,
    AppealStatus,
    CallbackResult,
    Channel,
    Finding,
    Kind,
    Level,
    Rating,
    RectificationStatus,
)

LEVELS = [(v, label) for v, label in Level.choices]  # 5 … 1
PAGE_SIZE = 30


def _forbidden(request, message: str):
    return render(request, "ratings/message.html", {"title": "无权访问", "message": message}, status=403)


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = staff_for_user(request.user)
        if staff is None or not staff.is_active:
            return _forbidden(request, "该页面仅限在岗工作人员使用")
        request.staff = staff
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _nav(request) -> dict:
    staff = getattr(request, "staff", None)
    codes = staff.role_codes() if staff else set()
    return {
        "staff": staff,
        "is_handler": bool(codes & {Role.DEPT_HEAD, Role.HALL_ADMIN, Role.SUPERVISOR, Role.LEADER}),
        "is_supervisor": Role.SUPERVISOR in codes,
        "is_rated": bool(codes & {Role.WINDOW_OFFICER, Role.CHIEF_REP}),
    }


def _dimension_rows(kind: str, posted=None) -> list[dict]:
    posted = posted or {}
    return [{"name": name, "label": label, "value": str(posted.get(name, ""))}
            for name, label in DIMENSIONS[Kind(kind)]]


def _levels_from(post, kind: str) -> tuple[str, dict]:
    names = [n for n, _ in DIMENSIONS[Kind(kind)] if n != "overall"]
    return post.get("overall", ""), {n: post.get(n) for n in names if post.get(n)}


# -- the window pad (评价器) -------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def pad(request, hall_code: str, window_number: str):
    """The tablet at the window, signed in as the window's officer: rate the service just given.

    What is rated: the last case finished at this window today (not yet rated). A queue ticket is
    rated on the hall's own pad, which checks that the ticket was really finished at this window
    moments ago; ``?ticket=`` leads there (a free-text ticket here would let anyone at the counter
    make up ratings). After a rating the pad thanks the person and returns to waiting.
    """
    try:
        window = selectors.pad_window_get(hall_code=hall_code, number=window_number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    staff = request.staff
    if not selectors.staff_may_use_pad(staff, window):
        return _forbidden(request, "评价器须由本窗口的工作人员登录")
    if request.GET.get("ticket") or request.POST.get("ticket"):
        return redirect("hall:pad", window_id=window.pk)
    case = selectors.pad_case_to_rate(window=window)
    ctx = {"window": window, "officer": staff, "case": case, "levels": LEVELS,
           "dimensions": _dimension_rows(Kind.HALL)[1:], "done": False, "error": ""}
    if request.method == "POST":
        overall, dims = _levels_from(request.POST, Kind.HALL)
        posted_case = request.POST.get("case", "")
        if case is None or posted_case != case.case_no:
            ctx["error"] = "该办件已评价或已不在本窗口待评价，请重新操作"
        else:
            try:
                services.rating_record(kind=Kind.HALL, channel=Channel.PAD, overall=overall, dims=dims,
                                       comment=request.POST.get("comment", ""), case=case, window=window,
                                       officer=staff)
            except DomainError as exc:
                ctx["error"] = exc.message
            else:
                ctx.update(done=True, case=None, bad=int(overall) <= 2)
    return render(request, "ratings/pad.html", ctx, status=400 if ctx["error"] else 200)


# -- the applicant: web rating and the one-use link ---------------------------------------------------------


def _rating_form(request, *, case: Case, kind: str, channel: str, invite=None, user=None, template: str,
                 extra: dict):
    existing = Rating.objects.filter(case=case, kind=kind).first()
    errors = FieldErrors()
    if request.method == "POST" and existing is None:
        overall, dims = _levels_from(request.POST, kind)
        if not overall:  # checked here too, so a missing level and a long comment show together
            errors.add("overall", "整体满意度", "请选择整体满意度")
        comment = (request.POST.get("comment", "") or "").strip()
        if len(comment) > services.COMMENT_MAX:
            errors.add("comment", "意见建议",
                       f"评价意见不能超过 {services.COMMENT_MAX} 字（现有 {len(comment)} 字），请删减后再提交")
        if not errors:
            try:
                rating = services.rating_record(kind=kind, channel=channel, overall=overall, dims=dims,
                                                comment=comment, case=case, user=user, invite=invite)
            except DomainError as exc:
                errors.add_domain(exc, {"level": ("overall", "满意度"), "comment_too_long": ("comment", "意见建议")})
            else:
                return render(request, template, {**extra, "case": case, "rating": rating, "thanks": True})
    error = bool(errors)
    return render(request, template, {
        **extra, "case": case, "kind": kind, "kind_label": Kind(kind).label, "rating": existing, "levels": LEVELS,
        "dimensions": _dimension_rows(kind, request.POST if error else None)[1:],
        "overall": request.POST.get("overall", "") if error else "", "comment": request.POST.get("comment", ""),
        "errors": errors,
    }, status=400 if error else 200)


@login_required
def my_ratings(request):
    """The applicant's finished cases waiting for a rating."""
    cases = selectors.cases_to_rate_for_user(user=request.user)
    return render(request, "ratings/my_ratings.html", {"cases": cases})


@login_required
@require_http_methods(["GET", "POST"])
def rate_case(request, case_no: str):
    case = Case.objects.select_related("item_version", "department", "hall").filter(
        case_no=case_no, applicant_user=request.user).first()
    if case is None:
        raise Http404("未找到该办件")
    if case.status not in services.FINISHED:
        return render(request, "ratings/message.html", {
            "title": "暂不能评价", "message": "办件办结后才能评价，请在办结后再来。"}, status=409)
    return _rating_form(request, case=case, kind=services.rating_kind_for_case(case), channel=Channel.WEB,
                        user=request.user, template="ratings/rate.html", extra={})


@require_http_methods(["GET", "POST"])
def invite(request, token: str):
    """The SMS / QR link: no login, works once, then says so."""
    try:
        inv = selectors.invite_get_by_token(token=token)
        if inv.used_at is None:
            services.invite_check(inv)
    except DomainError as exc:
        return render(request, "ratings/message.html", {"title": "评价链接不可用", "message": exc.message},
                      status=410 if exc.code != "not_found" else 404)
    if inv.used_at is not None and request.method == "GET":
        return render(request, "ratings/message.html", {
            "title": "您已评价", "message": "该评价链接已经使用过，每个链接只能评价一次。感谢您的评价！"}, status=410)
    return _rating_form(request, case=inv.case, kind=inv.kind, channel=inv.channel, invite=inv,
                        template="ratings/rate.html", extra={"via_link": True})


# -- rectification desk --------------------------------------------------------------------------------------


@staff_required
def rectification_list(request):
    status = request.GET.get("status", "open")
    qs = selectors.rectification_list_for_staff(staff=request.staff, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today()
    return render(request, "ratings/rectifications.html", {
        **_nav(request), "page_obj": page, "status": status, "today": today,
        "statuses": [("open", "未办结"), *RectificationStatus.choices, ("", "全部")],
    })


@staff_required
def rectification_detail(request, pk: int):
    try:
        rect = selectors.rectification_get_for_staff(pk=pk, staff=request.staff)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    may_act = selectors.rectification_may_act(request.staff, rect)
    phone = selectors.callback_phone(rect) if may_act else ""
    if phone:
        audit_record(actor=request.user, action="view", obj=rect, summary="查看差评回访电话", request=request)
    return render(request, "ratings/rectification.html", {
        **_nav(request), "rect": rect, "rating": rect.rating, "may_act": may_act, "phone": phone,
        "events": rect.rating.events.order_by("id"), "findings": Finding.choices,
        "callback_results": CallbackResult.choices, "S": RectificationStatus, "today": clock.today(),
    })


RECT_ACTIONS = {
    "verify": lambda r, s, p: services.rectification_verify(rectification=r, head=s, finding=p.get("finding", ""),
                                                            note=p.get("note", "")),
    "rectify": lambda r, s, p: services.rectification_rectify(rectification=r, head=s,
                                                              measures=p.get("measures", "")),
    "callback": lambda r, s, p: services.rectification_callback(rectification=r, head=s,
                                                                result=p.get("result", ""), note=p.get("note", "")),
    "close": lambda r, s, p: services.rectification_close(rectification=r, head=s, note=p.get("note", "")),
}
RECT_DONE = {"verify": "已登记核实情况", "rectify": "已登记整改措施", "callback": "已登记回访结果",
             "close": "整改已办结"}


@staff_required
@require_POST
def rectification_act(request, pk: int, action: str):
    if action not in RECT_ACTIONS:
        raise Http404("未知操作")
    try:
        rect = selectors.rectification_get_for_staff(pk=pk, staff=request.staff)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        RECT_ACTIONS[action](rect, request.staff, request.POST)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, RECT_DONE[action])
    return redirect("ratings:rectification", pk=rect.pk)


# -- appeals ------------------------------------------------------------------------------------------------


@staff_required
def staff_ratings(request):
    """An officer's own ratings, with the appeal form for a 差评."""
    qs = selectors.ratings_for_officer(staff=request.staff)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ratings/staff_ratings.html", {
        **_nav(request), "page_obj": page, "reasons": AppealReason.choices})


@staff_required
@require_POST
def appeal_file(request, pk: int):
    try:
        rating = selectors.rating_get_for_officer(pk=pk, staff=request.staff)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        services.appeal_file(rating=rating, officer=request.staff, reason=request.POST.get("reason", ""),
                             statement=request.POST.get("statement", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "申诉已提交，等待效能监察员复核")
    return redirect("ratings:staff_ratings")


@staff_required
def appeal_queue(request):
    if not request.staff.has_role(Role.SUPERVISOR):
        return _forbidden(request, "申诉复核仅限效能监察员")
    status = request.GET.get("status", AppealStatus.PENDING)
    qs = selectors.appeal_queue_for_supervisor(staff=request.staff, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ratings/appeals.html", {
        **_nav(request), "page_obj": page, "status": status,
        "statuses": [*AppealStatus.choices, ("", "全部")]})


@staff_required
@require_POST
def appeal_decide(request, pk: int):
    if not request.staff.has_role(Role.SUPERVISOR):
        return _forbidden(request, "申诉复核仅限效能监察员")
    try:
        appeal = selectors.appeal_get_for_supervisor(pk=pk, staff=request.staff)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("upheld", "rejected"):
            raise DomainError("decision", "请选择复核结论：申诉成立或申诉不成立")
        services.appeal_decide(appeal=appeal, supervisor=request.staff, upheld=decision == "upheld",
                               note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已复核：{AppealStatus(appeal.status).label}")
    return redirect(reverse("ratings:appeals") + f"?status={AppealStatus.PENDING}")


# -- metrics ------------------------------------------------------------------------------------------------


def _period(request) -> tuple[dt.date, dt.date]:
    """``?start=&end=`` (dates) or ``?month=2026-09``; default: this month so far."""
    today = clock.today()
    try:
        if request.GET.get("month"):
            return selectors.month_range(dt.date.fromisoformat(request.GET["month"] + "-01"))
        start = dt.date.fromisoformat(request.GET.get("start") or today.replace(day=1).isoformat())
        end = dt.date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        start, end = today.replace(day=1), today
    if end < start:
        start, end = end, start
    return start, end


METRIC_LABELS = [("satisfaction_rate", "满意率"), ("active_rate", "主动评价率"),
                 ("rectification_rate", "差评整改率"), ("callback_satisfaction", "回访满意度")]


def _chart(rows) -> dict:
    return {"kpis": [label for _, label in METRIC_LABELS],
            "groups": [{"name": r.label, "values": [None if getattr(r, a) is None else round(getattr(r, a) * 100, 1)
                                                    for a, _ in METRIC_LABELS]} for r in rows]}


@staff_required
def metrics(request):
    staff = request.staff
    try:
        scope = selectors.metrics_scope_for_staff(staff)
    except DomainError as exc:
        return _forbidden(request, exc.message)
    default_by = "officer" if "officer_id" in scope else "department" if "region" in scope else "window"
    by = request.GET.get("by", default_by)
    if by not in selectors.BY_CHOICES:
        by = default_by
    start, end = _period(request)
    rows = selectors.rating_metrics_for_staff(viewer=staff, by=by, start=start, end=end)
    return render(request, "ratings/metrics.html", {
        **_nav(request), "rows": rows, "total": selectors.metrics_total(rows), "by": by, "by_label": selectors.BY_CHOICES[by],
        "by_choices": selectors.BY_CHOICES.items(), "start": start, "end": end, "chart": _chart(rows),
        "metric_labels": METRIC_LABELS,
    })


# -- public (评价结果公开) ------------------------------------------------------------------------------------


def public(request):
    """Counts and rectification results for everyone; no names, phones or comments."""
    start, end = _period(request)
    region = None
    if request.GET.get("region"):
        region = Region.objects.filter(code=request.GET["region"]).first()
    data = selectors.public_results(start=start, end=end, region=region)
    return render(request, "ratings/public.html", {
        **data, "start": start, "end": end, "region": region, "chart": _chart(data["departments"]),
        "findings": dict(Finding.choices), "callback_results": dict(CallbackResult.choices),
        "metric_labels": METRIC_LABELS,
    })
