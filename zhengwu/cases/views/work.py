"""The officers' workbench: the inbox, the case page with the actions the officer may take now,
the full-ID reveal, file downloads, the actions themselves and intake at the window (窗口收件)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.formerrors import FieldErrors
from zhengwu.core.services import audit_record
from zhengwu.org.models import Role
from zhengwu.org.scope import staff_can_act_at
from zhengwu.supervision.selectors import attach_cards, cards_for_cases

from .. import selectors, services
from ..forms import ACTION_FORMS, action_form
from ..models import Channel, Status, SupplementItem
from ..plan import plan_for
from ..services.common import JOINT_BEFORE_ACCEPTANCE, JOINT_ONLY_ACTIONS
from ..transitions import OFFICER, TRANSITIONS, actions_from
from .common import (
    PAGE_SIZE,
    _apply,
    _case_context,
    _forbidden,
    _item_or_404,
    _material_response,
    _staff_ctx,
    _staff_window,
    staff_required,
)

FRONT_ROLES = {Role.WINDOW_OFFICER, Role.CHIEF_REP}


# -- officers -------------------------------------------------------------------------------------------------


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
    counts = selectors.case_counts_for_staff(staff=staff)
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
        if case.joint_id and (t.action in JOINT_ONLY_ACTIONS or (t.action in JOINT_BEFORE_ACCEPTANCE
                                                                  and case.accepted_on is None)):
            continue  # done for all 子件 together on the 联办件's page
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


def _render_staff_case(request, case, revealed=None, failed=None):
    """The officer's case page. ``failed``: (action, bound form, FieldErrors) of a refused action, shown again
    with every error beside its field, a summary at the top and what was typed (status 400)."""
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
    forms = [(t, failed[1] if failed and failed[0] == t.action else form(t.action))
             for t in allowed if t.action != "supplement_item"]
    front = staff_can_act_at(staff, department_id=case.department_id, hall=case.hall)
    for_applicant = front or (case.agent_id is not None and case.agent_id == staff.pk)
    if case.status == Status.SUPPLEMENT and for_applicant:
        forms.append((TRANSITIONS["supplement"], failed[1] if failed and failed[0] == "supplement" else form("supplement")))
    # 撤回 on paper: the resident's agent, or the window for an application it took in itself
    agent_of_case = case.agent_id is not None and case.agent_id == staff.pk
    if case.status in TRANSITIONS["withdraw"].sources and (agent_of_case or (front and case.channel == Channel.WINDOW)):
        forms.append((TRANSITIONS["withdraw"], failed[1] if failed and failed[0] == "withdraw" else form("withdraw")))
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
        failed_action=failed[0] if failed else "", failed_errors=failed[2] if failed else None,
        failed_title=f"“{TRANSITIONS[failed[0]].label}”未办理，请修改以下内容" if failed else "",
    )
    return render(request, "cases/staff_case.html", ctx, status=400 if failed else 200)


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
    if not form.is_valid():  # the page again, with the errors beside the fields and what was typed
        return _render_staff_case(request, case, failed=(action, form, FieldErrors.from_form(form)))
    data = dict(form.cleaned_data)
    if action == "supplement":  # files scanned at the window or the village station
        data["files"] = [(int(k[5:]), f) for k, f in request.FILES.items()
                         if k.startswith("file_") and k[5:].isdigit() and int(k[5:]) in plan.materials]
    try:
        _do(action, case, request.staff, _staff_window(request.staff, case.hall_id), data)
    except DomainError as exc:
        errors = FieldErrors.from_form(form)
        if exc.code in form.fields:  # a refusal about one field (e.g. reason) stands beside it
            errors.add(exc.code, str(form.fields[exc.code].label), exc.message)
            errors.mark(form)
        else:
            errors.add_general(exc.message)
        case.refresh_from_db()
        return _render_staff_case(request, case, failed=(action, form, errors))
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
