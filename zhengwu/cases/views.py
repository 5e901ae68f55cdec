"""Case pages (办件): the people's side and the officers' workbench.

People: sign up, apply online, follow their cases, hand in 补正 materials, withdraw, and the
public progress query; village agents (代办员) apply for residents. Officers: the inbox, the
case page with the actions they may take now, and intake at the window.

Thin views: reads go through ``selectors``, every change through one ``services`` function;
a refused change comes back as a ``DomainError`` whose Chinese message is shown as it is.
"""

from __future__ import annotations

from collections import defaultdict
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.catalog.selectors import item_get_public
from zhengwu.core import clock, throttle
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.services import audit_record
from zhengwu.org.models import Role
from zhengwu.org.scope import staff_can_act_at
from zhengwu.org.selectors import staff_for_user
from zhengwu.supervision.selectors import attach_cards, cards_for_cases

from . import claims, selectors, services
from .documents import document_list
from .forms import ACTION_FORMS, ApplicantForm, ClaimForm, ProgressForm, RegisterForm, action_form
from .models import Channel, Status, SupplementItem
from .plan import plan_for
from .transitions import OFFICER, TRANSITIONS, actions_from

PAGE_SIZE = 20
FRONT_ROLES = {Role.WINDOW_OFFICER, Role.CHIEF_REP}


# -- access helpers ---------------------------------------------------------------------------------


def _forbidden(request, message: str):
    return render(request, "cases/forbidden.html", {"message": message}, status=403)


def staff_required(view):
    """Logged in and a member of staff on duty; ``request.staff`` is set for the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = staff_for_user(request.user)
        if staff is None or not staff.is_active:
            return _forbidden(request, "工作台仅限在岗工作人员使用。办事群众请使用“我的办件”。")
        request.staff = staff
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def agent_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.staff.has_role(Role.VILLAGE_AGENT):
            return _forbidden(request, "该页面仅限村（社区）便民服务站代办员使用")
        return view(request, *args, **kwargs)

    return staff_required(wrapper)


def _staff_ctx(staff) -> dict:
    if staff is None:
        return {"staff": None}
    labels = dict(Role.DEFAULTS)
    return {"staff": staff, "is_agent": staff.has_role(Role.VILLAGE_AGENT),
            "role_names": "、".join(labels.get(c, c) for c in sorted(staff.role_codes()))}


def _item_or_404(impl_code: str) -> Item:
    try:
        return item_get_public(impl_code=impl_code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _applicant_case(request, case_no: str):
    try:
        return selectors.case_get_for_user(case_no=case_no, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# -- what a case page shows ---------------------------------------------------------------------------


def _documents(case) -> list[tuple[str, str, str, str]]:
    """(kind, title, page url, PDF url) of the written notices the case has in its present state."""
    return [(d.code, d.title, reverse("casedocs:document", args=[case.case_no, d.code]),
             reverse("casedocs:document_pdf", args=[case.case_no, d.code])) for d in document_list(case)]


def _stages(case, plan, events) -> list[dict]:
    """The road of a case: 提交申请 → 受理 → the item's review steps → 办结, each with its date."""
    first = {}
    by_step = {}
    for e in events:
        first.setdefault(e.action, e.at)
        if e.action in ("review", "decide"):
            by_step.setdefault(e.step, e.at)
    stages = [{"name": "提交申请", "at": case.submitted_at}, {"name": "受理", "at": first.get("accept")}]
    stages += [{"name": s.name, "at": by_step.get(s.seq)} for s in plan.steps[1:]]
    if case.status == Status.REJECTED:
        stages = stages[:1] + [{"name": "不予受理", "at": first.get("reject")}]
    elif case.status == Status.WITHDRAWN:
        stages = [s for s in stages if s["at"]] + [{"name": "已撤回", "at": first.get("withdraw")}]
    else:
        stages.append({"name": "办结", "at": first.get("complete")})
        if case.delivery_method or case.status == Status.DELIVERED:
            stages.append({"name": "送达", "at": first.get("deliver")})
    current_set = False
    for s in stages:
        s["state"] = "done" if s["at"] else "todo"
        if not s["at"] and not current_set and case.is_open:
            s["state"], current_set = "current", True
    return stages


def _case_context(case) -> dict:
    plan = plan_for(case.item_version_id)
    events = list(case.events.select_related("window").order_by("id"))
    mats = list(case.materials.order_by("id"))
    by_mid, extras = defaultdict(list), []
    for m in mats:
        (by_mid[m.material_id] if m.material_id else extras).append(m)
    material_rows = [{"id": mid, "name": name, "required": mid in plan.required, "files": by_mid.get(mid, [])}
                     for mid, name in plan.materials.items()]
    supplements = list(case.supplements.select_related("requested_by").prefetch_related("items").order_by("id"))
    open_request = next((r for r in reversed(supplements) if r.received_on is None), None)
    stops = list(case.clock_stops.order_by("start_on", "id"))
    return {
        "case": case,
        "plan": plan,
        "events": events,
        "stages": _stages(case, plan, events),
        "material_rows": material_rows,
        "extra_materials": extras,
        "missing_required": [(mid, name) for mid, name in plan.required.items() if mid not in by_mid],
        "supplements": supplements,
        "open_request": open_request if case.status == Status.SUPPLEMENT else None,
        "due_state": selectors.due_state(case),
        "documents": _documents(case),
        "clock_stops": stops,
    }


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
    return render(request, "cases/register.html", {"form": form, "next": next_url},
                  status=400 if form.is_bound else 200)


def _apply(request, item: Item, *, channel: str, staff=None, done):
    """The application form shared by online, agent and window intake; ``done(case)`` answers success."""
    version = item.current
    materials = list(version.materials.all())
    error = ""
    if request.method == "POST":
        form = ApplicantForm(request.POST)
        if form.is_valid():
            files = [(m.pk, request.FILES[f"file_{m.pk}"]) for m in materials if f"file_{m.pk}" in request.FILES]
            try:
                case = services.case_submit(
                    item=item, applicant=form.applicant(), channel=channel, files=files,
                    user=request.user if channel == Channel.ONLINE else None,
                    officer=staff if channel == Channel.WINDOW else None,
                    agent=staff if channel == Channel.AGENT else None,
                    window=_staff_window(staff, staff.hall_id) if channel == Channel.WINDOW else None,
                )
            except DomainError as exc:
                error = exc.message
            else:
                return done(case)
        else:
            error = "请检查填写的内容"
    else:
        user = request.user
        initial = {"kind": "person"}
        if channel == Channel.ONLINE:
            initial.update(name=getattr(user, "real_name", ""), phone=getattr(user, "phone", ""))
        form = ApplicantForm(initial=initial)
    types = [t.strip() for t in services.policy("upload_types").split(",") if t.strip()]
    return render(request, "cases/apply.html", {
        "item": item, "v": version, "materials": materials, "form": form, "error": error, "channel": channel,
        **_staff_ctx(staff), "accept": ",".join("." + t for t in types), "types_text": "、".join(types),
        "max_mb": f"{round(settings.ZHENGWU_MAX_UPLOAD_BYTES / 1048576, 1):g}",
    }, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, impl_code: str):
    item = _item_or_404(impl_code)

    def done(case):
        messages.success(request, f"申请已提交，办件编号 {case.case_no}。请记下编号，可随时查询办理进度。")
        return redirect("cases:my_case", case_no=case.case_no)

    return _apply(request, item, channel=Channel.ONLINE, done=done)


def _my_cases_page(request, *, claim_form=None, claim_error="", status=200):
    page = Paginator(selectors.case_list_for_applicant(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/my_cases.html", {
        "page_obj": page, "claim_form": claim_form or ClaimForm(), "claim_error": claim_error,
        "claim_minutes": claims.CLAIM_CODE_MINUTES,
    }, status=status)


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
        return _my_cases_page(request, claim_form=form, claim_error="请选择办件类型并填写办件编号和证件信息", status=400)
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
    return render(request, "cases/my_claim_confirm.html",
                  {"case_no": case_no, "pending": pending, "error": error}, status=status)


@login_required
def my_case(request, case_no: str):
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

    ctx.update(supplement_slots=slots, can_withdraw=case.status in TRANSITIONS["withdraw"].sources,
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


def _material_response(case, pk: int):
    material = case.materials.filter(pk=pk).exclude(file="").first()
    if material is None:
        raise Http404("未找到该材料文件")
    return FileResponse(material.file.open("rb"), as_attachment=True,
                        filename=material.file.name.rsplit("/", 1)[-1])


PROGRESS_FAILURES, PROGRESS_WINDOW = selectors.PROGRESS_FAILURES, selectors.PROGRESS_WINDOW  # shared with the API


@require_http_methods(["GET", "POST"])
def progress(request):
    """Public progress query: case number plus phone or ID number; a wrong pair looks like no case."""
    form = ProgressForm(request.POST or None, initial={"case_no": request.GET.get("case_no", "")[:40]})
    ctx: dict = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        who = throttle.client_key(request)
        try:
            throttle.attempt("progress", who, limit=PROGRESS_FAILURES, window=PROGRESS_WINDOW)
            case = selectors.case_progress_public(case_no=form.cleaned_data["case_no"],
                                                  credential=form.cleaned_data["credential"])
        except NotFound as exc:  # the attempt stays counted
            ctx["error"] = exc.message
        except DomainError as exc:
            ctx["error"], status = exc.message, exc.status
        else:
            throttle.forgive("progress", who)
            plan = plan_for(case.item_version_id)
            events = list(case.events.order_by("id"))
            ctx.update(case=case, events=events, stages=_stages(case, plan, events))
    return render(request, "cases/progress.html", ctx, status=status)


# -- village agents -------------------------------------------------------------------------------------------


@agent_required
def agent_cases(request):
    staff = request.staff
    page = Paginator(selectors.case_list_for_agent(agent=staff), PAGE_SIZE).get_page(request.GET.get("page"))
    items = (Item.objects.filter(current__isnull=False, status=ItemVersion.Status.ACTIVE, current__village_intake=True)
             .order_by("impl_code").only("impl_code", "name"))
    return render(request, "cases/agent_cases.html", {"page_obj": page, "items": items, **_staff_ctx(staff)})


@agent_required
@require_http_methods(["GET", "POST"])
def agent_apply(request, impl_code: str):
    item = _item_or_404(impl_code)

    def done(case):
        messages.success(request, f"已为申请人提交代办申请，办件编号 {case.case_no}，已转{case.hall.name}受理。")
        return redirect("cases:agent_cases")

    return _apply(request, item, channel=Channel.AGENT, staff=request.staff, done=done)


def pick_item(request):
    """The item picker on the agent's and the officer's pages (a plain GET form)."""
    code = request.GET.get("impl_code", "").strip()
    name = "cases:agent_apply" if request.GET.get("for") == "agent" else "cases:window_apply"
    if not code:
        return redirect("cases:agent_cases" if name == "cases:agent_apply" else "cases:workbench")
    return redirect(name, impl_code=code)


# -- officers -------------------------------------------------------------------------------------------------


def _staff_window(staff, hall_id):
    if staff is None:
        return None
    return staff.windows.filter(hall_id=hall_id).order_by("number").first()


@staff_required
def workbench(request):
    staff = request.staff
    p = request.GET
    status = p.get("status", "") if p.get("status", "") in Status.values else ""
    scope = "all" if p.get("scope") == "all" else "open"
    q = p.get("q", "").strip()[:50]
    due = p.get("due", "") if p.get("due") in ("overdue", "soon") else ""
    qs = selectors.case_list_for_staff(staff=staff, status=status or ("open" if scope == "open" else ""), q=q,
                                       due=due).select_related("hall__region")
    page = Paginator(qs, PAGE_SIZE).get_page(p.get("page"))
    today = clock.today()
    rows = []
    for c in attach_cards(page.object_list):
        c.shown_name, _ = selectors.applicant_name_for(case=c, staff=staff)
        rows.append((c, selectors.due_state(c, today)))
    counts = {
        "open": selectors.case_list_for_staff(staff=staff, status="open").count(),
        "supplement": selectors.case_list_for_staff(staff=staff, status=Status.SUPPLEMENT).count(),
        "soon": selectors.case_list_for_staff(staff=staff, due="soon").count(),
        "overdue": selectors.case_list_for_staff(staff=staff, due="overdue").count(),
    }
    intake_items = []
    if staff.role_codes() & FRONT_ROLES and staff.hall_id:
        items = Item.objects.filter(current__isnull=False, status=ItemVersion.Status.ACTIVE)
        if staff.department_id:
            items = items.filter(department_id=staff.department_id)
        intake_items = list(items.order_by("impl_code").only("impl_code", "name")[:300])
    return render(request, "cases/workbench.html", {
        **_staff_ctx(staff), "page_obj": page, "rows": rows, "counts": counts, "intake_items": intake_items,
        "statuses": Status.choices, "selected": {"status": status, "scope": scope, "q": q, "due": due},
        "filtered": bool(status or q or due or scope == "all"),
    })


def _staff_case(request, case_no: str):
    """(case, None) or (None, the 403 page); a missing case is a 404."""
    try:
        return selectors.case_get_for_staff(case_no=case_no, staff=request.staff), None
    except PermissionDenied as exc:
        return None, _forbidden(request, exc.message)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def officer_actions(case, staff, plan) -> list:
    """The officer actions ``staff`` may take on ``case`` now: the transition table plus the role rules."""
    if not staff_can_act_at(staff, department_id=case.department_id, hall=case.hall):
        return []
    codes = staff.role_codes()
    allowed = []
    for t in actions_from(case.status):
        if t.actor != OFFICER or t.action not in ACTION_FORMS:
            continue
        if t.step_role:
            if case.current_step < 1 or plan.step(case.current_step).role not in codes:
                continue
            at_last = case.current_step >= plan.last_seq
            if (t.action == "review" and at_last) or (t.action == "decide" and not at_last):
                continue
        elif not (t.roles & codes or (Role.HALL_ADMIN in codes and Role.DEPT_HEAD not in t.roles)):
            continue
        if (t.action == "reject" and case.accepted_on) or (t.action == "suspend" and not plan.special_procedures):
            continue
        allowed.append(t)
    return allowed


def _supplement_choices(case) -> list[tuple[int, str]]:
    """The listed catalog materials of the open 补正告知 still pending: what the window may record."""
    request_ = selectors.supplement_open(case) if case.status == Status.SUPPLEMENT else None
    if request_ is None:
        return []
    return [(i.material_id, i.name) for i in request_.items.all()
            if i.state == SupplementItem.State.PENDING and i.material_id is not None]


def _render_staff_case(request, case, revealed=None):
    staff = request.staff
    ctx = _case_context(case)
    plan = ctx["plan"]
    text_max = services.text_max()
    choices = _supplement_choices(case)

    def form(action):
        return action_form(action, plan=plan, missing_required=ctx["missing_required"],
                           supplement_choices=choices, text_max=text_max)

    allowed = officer_actions(case, staff, plan)
    can_resolve_items = any(t.action == "supplement_item" for t in allowed)
    forms = [(t, form(t.action)) for t in allowed if t.action != "supplement_item"]
    front = staff_can_act_at(staff, department_id=case.department_id, hall=case.hall)
    for_applicant = front or (case.agent_id is not None and case.agent_id == staff.pk)
    if case.status == Status.SUPPLEMENT and for_applicant:
        forms.append((TRANSITIONS["supplement"], form("supplement")))
    # 撤回 on paper: the resident's agent, or the window for an application it took in itself
    agent_of_case = case.agent_id is not None and case.agent_id == staff.pk
    if case.status in TRANSITIONS["withdraw"].sources and (agent_of_case or (front and case.channel == Channel.WINDOW)):
        forms.append((TRANSITIONS["withdraw"], form("withdraw")))
    shown_name, name_masked = selectors.applicant_name_for(case=case, staff=staff)
    ctx.update(
        _staff_ctx(staff), action_forms=forms, revealed=revealed, can_resolve_items=can_resolve_items,
        supplement_choices=choices, shown_name=shown_name, name_masked=name_masked,
        current_step_name=plan.step(case.current_step).name if case.current_step else "",
        supervision_cards=cards_for_cases([case.pk]).get(case.pk, []),
        can_reveal=bool(staff.role_codes() & selectors.FULL_ID_ROLES)
        and staff_can_act_at(staff, department_id=case.department_id, hall=case.hall),
        extensions=list(case.extensions.select_related("approved_by").order_by("id")),
        fee_lines=list(case.fee_lines.order_by("id")),
    )
    return render(request, "cases/staff_case.html", ctx)


@staff_required
def staff_case(request, case_no: str):
    case, refused = _staff_case(request, case_no)
    return refused or _render_staff_case(request, case)


@staff_required
@require_POST
def reveal(request, case_no: str):
    """Show the full ID number once; ``case_reveal_identity`` writes the audit row."""
    case, refused = _staff_case(request, case_no)
    if refused:
        return refused
    try:
        revealed = selectors.case_reveal_identity(case=case, staff=request.staff, request=request)
    except PermissionDenied as exc:
        return _forbidden(request, exc.message)
    return _render_staff_case(request, case, revealed=revealed)


@staff_required
def staff_material(request, case_no: str, pk: int):
    """An applicant's file, to staff who may read the case; every opening goes to the audit trail."""
    case, refused = _staff_case(request, case_no)
    if refused:
        return refused
    response = _material_response(case, pk)
    audit_record(actor=request.user, action="view", obj=case, request=request,
                 summary=f"下载办件 {case.case_no} 的申请材料（{response.filename}）")
    return response


def _do(action: str, case, staff, window, d: dict):
    """Call the one service function of ``action`` with the form's cleaned data."""
    officer = {"officer": staff}
    if action == "prereview":
        return services.case_prereview(case=case, window=window, note=d["note"], **officer)
    if action == "accept":
        return services.case_accept(case=case, window=window, note=d["note"],
                                    paper_materials=d.get("paper_materials", []), **officer)
    if action == "request_supplement":
        return services.case_request_supplement(case=case, window=window, missing=d["missing"], note=d["note"],
                                                **officer)
    if action == "supplement_item":
        return services.case_supplement_item(case=case, window=window, item_id=d["item_id"], state=d["state"],
                                             note=d["note"], **officer)
    if action == "reject":
        return services.case_reject(case=case, window=window, reason=d["reason"], **officer)
    if action == "review":
        return services.case_review(case=case, window=window, note=d["note"], **officer)
    if action == "suspend":
        return services.case_suspend(case=case, window=window, kind=d["kind"], reason=d["reason"], **officer)
    if action == "resume":
        return services.case_resume(case=case, window=window, result=d["result"], **officer)
    if action == "extend":
        return services.case_extend(case=case, head=staff, reason=d["reason"], days=d["days"])
    if action == "decide":
        return services.case_decide(case=case, window=window, decision=d["decision"], reason=d["reason"],
                                    **officer)
    if action == "complete":
        return services.case_complete(case=case, window=window, note=d["note"], **officer)
    if action == "deliver":
        return services.case_deliver(case=case, window=window, method=d["method"], tracking_no=d["tracking_no"],
                                     **officer)
    if action == "supplement":
        return services.case_supplement(case=case, paper_materials=d["paper_materials"], note=d["note"],
                                        files=d.get("files", []), **officer)
    if action == "withdraw":
        return services.case_withdraw(case=case, reason=d["reason"], **officer)
    raise Http404("未知的办理动作")


@staff_required
@require_POST
def act(request, case_no: str, action: str):
    if action not in ACTION_FORMS:
        raise Http404("未知的办理动作")
    case, refused = _staff_case(request, case_no)
    if refused:
        return refused
    plan = plan_for(case.item_version_id)
    have = set(case.materials.filter(material__isnull=False).values_list("material_id", flat=True))
    missing = [(mid, name) for mid, name in plan.required.items() if mid not in have]
    form = action_form(action, plan=plan, missing_required=missing, supplement_choices=_supplement_choices(case),
                       text_max=services.text_max(), data=request.POST)
    label = TRANSITIONS[action].label
    if not form.is_valid():
        errors = "；".join(f"{form.fields[f].label}：{' '.join(e)}" if f in form.fields else " ".join(e)
                          for f, e in form.errors.items())
        messages.error(request, f"“{label}”未办理：{errors}")
    else:
        data = dict(form.cleaned_data)
        if action == "supplement":  # files scanned at the window or the village station
            data["files"] = [(int(k[5:]), f) for k, f in request.FILES.items()
                             if k.startswith("file_") and k[5:].isdigit() and int(k[5:]) in plan.materials]
        try:
            _do(action, case, request.staff, _staff_window(request.staff, case.hall_id), data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            done = f"已办理：{label}。办件状态为“{Status(case.status).label}”"
            if action == "accept" and case.due_date:
                done += f"，办结期限 {case.due_date:%Y年%-m月%-d日}"
            messages.success(request, done + "。")
    return redirect("cases:staff_case", case_no=case.case_no)


@staff_required
@require_http_methods(["GET", "POST"])
def window_apply(request, impl_code: str):
    """Intake at the window (窗口收件): the officer types the application in for the applicant."""
    staff = request.staff
    if not (staff.role_codes() & FRONT_ROLES and staff.hall_id):
        return _forbidden(request, "窗口收件仅限大厅窗口人员和首席代表")
    item = _item_or_404(impl_code)

    def done(case):
        messages.success(request, f"已收件，办件编号 {case.case_no}。")
        return redirect("cases:staff_case", case_no=case.case_no)

    return _apply(request, item, channel=Channel.WINDOW, staff=staff, done=done)

