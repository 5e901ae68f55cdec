"""The people's pages: sign up, apply online, follow and claim (认领) their cases, hand in 补正
materials, withdraw, download their files, and the public progress query."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.core import throttle
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.formerrors import FieldErrors

from .. import claims, selectors, services
from ..forms import ClaimForm, ProgressForm, RegisterForm
from ..models import Channel, Status, SupplementItem
from ..plan import plan_for
from ..progress import answer as progress_answer
from ..transitions import TRANSITIONS
from .common import (
    PAGE_SIZE,
    _applicant_case,
    _apply,
    _case_context,
    _item_or_404,
    _material_response,
    _safe_next,
)

# -- people: sign-up and applications -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request):
    """A citizen's own account, then straight on to where they were going."""
    next_url = _safe_next(request, reverse("cases:my_cases"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = get_user_model().objects.create_user(username=d["username"], password=d["password1"],
                                                    real_name=d["real_name"], phone=d["phone"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"注册成功，欢迎您，{user.display_name}")
        return redirect(next_url)
    return render(request, "cases/register.html", {"form": form, "next": next_url,
                                                   "errors": FieldErrors.from_form(form)},
                  status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, impl_code: str):
    item = _item_or_404(impl_code)

    def done(case):
        messages.success(request, f"申请已提交，办件编号 {case.case_no}。请记下编号，可随时查询办理进度。")
        return redirect("cases:my_case", case_no=case.case_no)

    return _apply(request, item, channel=Channel.ONLINE, done=done)


def _my_cases_page(request, *, claim_form=None, claim_error="", claim_errors=None, status=200):
    from zhengwu.joint.selectors import joint_list_for_applicant

    # a 联办件 is one entry with its 子件 under it, not one entry per 子件
    page = Paginator(selectors.case_list_for_applicant(user=request.user).filter(joint__isnull=True),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    joints = list(joint_list_for_applicant(user=request.user).prefetch_related("children__item"))
    return render(request, "cases/my_cases.html", {
        "page_obj": page, "joints": joints, "claim_form": claim_form or ClaimForm(),
        "claim_errors": _claim_errors(claim_errors, claim_error),
        "claim_minutes": claims.CLAIM_CODE_MINUTES, "verified_claimable": claims.claim_verified_count(user=request.user),
    }, status=status)


def _claim_errors(errors: FieldErrors | None, message: str) -> FieldErrors:
    errors = errors or FieldErrors()
    if message:
        errors.add_general(message)
    return errors


@login_required
def my_cases(request):
    return _my_cases_page(request)


@login_required
@require_POST
def my_claim(request):
    """认领办件, step one: case number + credential; the code goes to the phone recorded on the case.
    A wrong pair gets the very page a missing case gets."""
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return _my_cases_page(request, claim_form=form, claim_errors=FieldErrors.from_form(form), status=400)
    try:
        sent = claims.case_claim_start(user=request.user, case_no=form.cleaned_data["case_no"],
                                       client=throttle.client_key(request), **form.credential())
    except DomainError as exc:
        # the form comes back with the case number and kind only: no ID number echoed into the page
        again = ClaimForm(initial={"kind": form.cleaned_data["kind"], "case_no": form.cleaned_data["case_no"]})
        return _my_cases_page(request, claim_form=again, claim_error=exc.message, status=exc.status)
    messages.success(request, f"验证码已发送至办件登记的手机 {sent.phone}，{claims.CLAIM_CODE_MINUTES}分钟内有效。")
    return redirect(f"{reverse('cases:my_claim_confirm')}?{urlencode({'case_no': sent.case_no})}")


@login_required
@require_POST
def my_claim_verified(request):
    """关联本人办件: the identity service verified the account's 身份证号, so no SMS code is needed."""
    try:
        linked = claims.case_claim_verified(user=request.user, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已关联 {len(linked)} 件办件：{'、'.join(c.case_no for c in linked)}。")
    return redirect("cases:my_cases")


@login_required
@require_http_methods(["GET", "POST"])
def my_claim_confirm(request):
    """认领办件, step two: the code from the SMS links the case (and, if ticked, the applicant's others)."""
    case_no = (request.POST.get("case_no") or request.GET.get("case_no") or "").strip()[:40]
    error, status = "", 200
    if request.method == "POST":
        try:
            linked = claims.case_claim_confirm(user=request.user, case_no=case_no, code=request.POST.get("code", ""),
                                               include_related=request.POST.get("include_related") == "1",
                                               request=request)
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            more = f"（另有 {len(linked) - 1} 件同一证件、同一手机号的办件一并认领）" if len(linked) > 1 else ""
            messages.success(request, f"认领成功：办件 {linked[0].case_no} 已加入“我的办件”{more}。")
            return redirect("cases:my_cases")
    pending = claims.claim_pending(user=request.user, case_no=case_no)
    if pending is None and not error:
        messages.error(request, "验证码尚未获取或已失效，请填写办件编号和证件信息重新获取。")
        return redirect("cases:my_cases")
    errors = FieldErrors()
    if error and pending is not None:
        errors.add("code", "验证码", error)
    elif error:
        errors.add_general(error)
    return render(request, "cases/my_claim_confirm.html",
                  {"case_no": case_no, "pending": pending, "errors": errors}, status=status)


@login_required
def my_case(request, case_no: str):
    from zhengwu.joint.selectors import is_joint_no

    if is_joint_no(case_no):  # a 联办件 has its own page
        return redirect("joint:my_joint", case_no=case_no)
    case = _applicant_case(request, case_no)
    ctx = _case_context(case)
    request_ = ctx["open_request"]
    slots = []
    if request_ is not None:  # an upload box for each listed item still pending
        for item in request_.items.all():
            if item.state == SupplementItem.State.PENDING:
                slots.append({"name": item.name,
                              "input": f"file_{item.material_id}" if item.material_id else f"extra_{item.seq}"})
    from zhengwu.ratings.models import Rating  # ratings builds on cases, so not at module level

    ctx.update(supplement_slots=slots,
               can_withdraw=case.status in TRANSITIONS["withdraw"].sources and case.joint_id is None,
               can_rate=case.status in (Status.COMPLETED, Status.DELIVERED),
               rating=Rating.objects.filter(case=case).order_by("id").first())
    return render(request, "cases/my_case.html", ctx)


@login_required
@require_POST
def my_supplement(request, case_no: str):
    case = _applicant_case(request, case_no)
    plan = plan_for(case.item_version_id)
    files = []
    for key in request.FILES:
        prefix, _, rest = key.partition("_")
        if prefix == "file" and rest.isdigit() and int(rest) in plan.materials:
            files.append((int(rest), request.FILES[key]))
        elif prefix == "extra" and rest.isdigit():
            files.append((None, request.FILES[key]))
    try:
        services.case_supplement(case=case, user=request.user, files=files, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if case.status == Status.SUPPLEMENT:
            request_ = selectors.supplement_open(case)
            remaining = [i.name for i in (request_.items.all() if request_ else [])
                         if i.state == SupplementItem.State.PENDING]
            messages.warning(request, f"已提交。补正尚未完成，还需：{'、'.join(remaining)}。全部补齐后窗口继续办理。")
        else:
            messages.success(request, "补正材料已齐全，窗口将尽快审核。")
    return redirect("cases:my_case", case_no=case.case_no)


@login_required
@require_POST
def my_withdraw(request, case_no: str):
    case = _applicant_case(request, case_no)
    try:
        services.case_withdraw(case=case, user=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "申请已撤回。")
    return redirect("cases:my_case", case_no=case.case_no)


@login_required
def my_material(request, case_no: str, pk: int):
    return _material_response(_applicant_case(request, case_no), pk)


PROGRESS_FAILURES, PROGRESS_WINDOW = selectors.PROGRESS_FAILURES, selectors.PROGRESS_WINDOW  # shared with the API


@require_http_methods(["GET", "POST"])
def progress(request):
    """Public progress query: case number plus phone or ID number; a wrong pair looks like no case."""
    form = ProgressForm(request.POST or None, initial={"case_no": request.GET.get("case_no", "")[:40]})
    errors = FieldErrors.from_form(form) if request.method == "POST" else FieldErrors()
    ctx: dict = {"form": form, "errors": errors}
    status = 400 if errors else 200
    if request.method == "POST" and form.is_valid():
        try:
            result = progress_answer(who=throttle.client_key(request), case_no=form.cleaned_data["case_no"],
                                     credential=form.cleaned_data["credential"], form="page")
        except NotFound as exc:  # the attempt stays counted
            ctx["error"] = exc.message
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
        else:
            ctx["result"] = mark_safe(result)  # rendered from the template cases/_progress_result.html
    return render(request, "cases/progress.html", ctx, status=status)
