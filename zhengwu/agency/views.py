"""全程代办 pages: the 代办员's list, the agreement page with a form for each action, the Excel import,
the printable agreement and 交接单, a village agent's 转交中心代办 form and the applicant's own list."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.cases.views.common import _forbidden, _staff_ctx, staff_required
from zhengwu.catalog.models import Item, ProjectStage
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.core.services import audit_record

from . import documents, selectors, services, upstream
from .models import UPSTREAM_LEVELS, ApplicantKind, Status
from .transitions import TRANSITIONS, actions_from

PAGE_SIZE = 20
STAGE_CHOICES = [(s.value, s.label) for s in services.AGENCY_STAGES]


def parse_date(value: str, *, label: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError("bad_date", f"{label}“{value[:20]}”不是有效日期（格式 2026-03-05）") from None


def upstream_items():
    return (Item.objects.filter(current__level__in=UPSTREAM_LEVELS).select_related("current", "department")
            .order_by("impl_code"))


def _agreement_or_403(request, agreement_no: str):
    try:
        return selectors.agreement_get_for_staff(agreement_no=agreement_no, staff=request.staff), None
    except PermissionDenied as exc:
        return None, _forbidden(request, exc.message)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# -- lists ---------------------------------------------------------------------------------------------


@staff_required
def agreement_list(request):
    staff = request.staff
    status = request.GET.get("status", "")
    status = status if status in Status.values or status == "open" else ""
    q = request.GET.get("q", "").strip()[:50]
    qs = selectors.agreement_list_for_staff(staff=staff, status=status, q=q).prefetch_related("items")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for a in page.object_list:
        a.shown_name = selectors.shown_name(a, staff=staff)
    every = selectors.agreement_list_for_staff(staff=staff)
    counts = {s: every.filter(status=s).count() for s in Status.values}
    return render(request, "agency/list.html", {
        **_staff_ctx(staff), "page_obj": page, "counts": counts, "statuses": Status.choices,
        "selected": {"status": status, "q": q}, "center_agent": selectors.is_center_agent(staff),
        "station_agent": selectors.is_station_agent(staff),
    })


@login_required
def mine(request):
    """The applicant's own agreements (linked to their web account), with upstream steps."""
    rows = []
    for a in selectors.agreement_list_for_user(user=request.user).prefetch_related("items", "handovers"):
        rows.append({"a": a, "steps": selectors.step_rows(a), "upstream_days": selectors.upstream_days(a)})
    return render(request, "agency/mine.html", {"rows": rows, "staff": None})


# -- draft and referral --------------------------------------------------------------------------------


def _draft_form(request, *, refer: bool):
    staff = request.staff
    allowed = selectors.is_station_agent(staff) if refer else selectors.is_center_agent(staff)
    if not allowed:
        return _forbidden(request, "转交中心代办仅限村（社区）便民服务站代办员使用" if refer
                          else "起草代办协议仅限政务服务中心代办员使用")
    agents = list(selectors.center_agents(region=staff.hall.region)) if refer else []
    error, p = "", request.POST
    if request.method == "POST":
        try:
            center_agent = None
            if refer and p.get("center_agent"):
                center_agent = next((x for x in agents if str(x.pk) == p.get("center_agent")), None)
                if center_agent is None:
                    raise DomainError("bad_center_agent", "请选择本县政务服务中心的代办员")
            items = list(upstream_items().filter(pk__in=[v for v in p.getlist("items") if v.isdigit()]))
            a = services.agreement_draft(
                staff=staff, center_agent=center_agent,
                applicant=services.Applicant(
                    kind=p.get("kind", ""), name=p.get("name", ""), phone=p.get("phone", ""),
                    id_number=p.get("id_number", ""), uscc=p.get("uscc", ""), legal_rep=p.get("legal_rep", ""),
                    contact_name=p.get("contact_name", ""), address=p.get("address", "")),
                items=items, stages=p.getlist("stages"), project_name=p.get("project_name", ""),
                note=p.get("note", ""), applicant_username="" if refer else p.get("applicant_username", ""))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"代办协议 {a.agreement_no} 已{'转交' + a.agent.name if refer else '起草'}，待签订。")
            return redirect("agency:detail", a.agreement_no)
    return render(request, "agency/draft.html", {
        **_staff_ctx(staff), "refer": refer, "agents": agents, "items": upstream_items(),
        "stage_choices": STAGE_CHOICES, "kinds": ApplicantKind.choices, "error": error, "p": p,
        "chosen_items": set(p.getlist("items")), "chosen_stages": set(p.getlist("stages")),
    }, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@staff_required
def draft(request):
    return _draft_form(request, refer=False)


@require_http_methods(["GET", "POST"])
@staff_required
def refer(request):
    return _draft_form(request, refer=True)


# -- the agreement page and its actions ---------------------------------------------------------------


@staff_required
def detail(request, agreement_no: str):
    a, denied = _agreement_or_403(request, agreement_no)
    if denied:
        return denied
    staff = request.staff
    can_act = selectors.staff_can_act(staff, a)
    actions = {t.action for t in actions_from(a.status)} if can_act else set()
    return render(request, "agency/detail.html", {
        **_staff_ctx(staff), "a": a, "shown_name": selectors.shown_name(a, staff=staff),
        "masked_id": selectors.masked_id(a), "items": list(a.items.select_related("current").order_by("impl_code")),
        "stages": [ProjectStage(s).label for s in a.stages], "steps": selectors.step_rows(a),
        "upstream_days": selectors.upstream_days(a), "materials": list(a.materials.order_by("id")),
        "handovers": list(a.handovers.select_related("handed_by")), "events": _events(a),
        "can_act": can_act, "actions": actions, "can_import": can_act and a.status == Status.ACTIVE,
        "import_headers": upstream.HEADERS, "today": clock.today().isoformat(),
        "step_items": list(upstream_items()) if not a.items.exists() else None,
    })


def _events(a) -> list:
    events = list(a.events.all())
    for e in events:
        e.label = TRANSITIONS[e.action].label if e.action in TRANSITIONS else e.action
    return events


def _dispatch(action: str, a, staff, p, files):
    if action == "sign":
        services.agreement_sign(agreement=a, staff=staff, signed_on=parse_date(p.get("signed_on"), label="签订日期"),
                                note=p.get("note", ""))
        return "已确认签订，协议进入代办中。"
    if action == "receive_material":
        copies = p.get("copies", "1")
        services.material_receive(agreement=a, staff=staff, name=p.get("name", ""),
                                  copies=int(copies) if copies.isdigit() else 0, original=p.get("original") == "1",
                                  received_on=parse_date(p.get("received_on"), label="接收日期"),
                                  note=p.get("note", ""))
        return "材料已登记接收。"
    if action == "return_material":
        mid = p.get("material_id", "")
        services.material_return(agreement=a, staff=staff, material_id=int(mid) if mid.isdigit() else 0,
                                 returned_on=parse_date(p.get("returned_on"), label="退还日期"))
        return "材料已登记退还。"
    if action == "record_step":
        pool = a.items.all() if a.items.exists() else upstream_items()
        item = pool.filter(pk=p.get("item") if (p.get("item") or "").isdigit() else 0).first()
        if item is None:
            raise DomainError("item_not_covered", "请选择本协议委托代办的事项")
        filed = parse_date(p.get("filed_on"), label="报送日期")
        services.upstream_step_record(agreement=a, staff=staff, step=services.StepIn(
            item=item, department=p.get("department", ""), step_name=p.get("step_name", ""), filed_on=filed,
            result=p.get("result", ""), result_on=parse_date(p.get("result_on"), label="结果日期"),
            document_no=p.get("document_no", "")))
        return "上级办理环节已登记。"
    if action == "record_result":
        sid = p.get("step_id", "")
        services.upstream_result_record(agreement=a, staff=staff, step_id=int(sid) if sid.isdigit() else 0,
                                        result=p.get("result", ""),
                                        result_on=parse_date(p.get("result_on"), label="结果日期"),
                                        document_no=p.get("document_no", ""))
        return "上级办理结果已登记。"
    if action == "handover":
        h = services.handover_record(agreement=a, staff=staff, what=p.get("what", ""),
                                     handed_to=p.get("handed_to", ""),
                                     handed_on=parse_date(p.get("handed_on"), label="交接日期"), note=p.get("note", ""))
        return f"已登记交接，交接单号 {h.receipt_no}。"
    if action == "finish":
        services.agreement_finish(agreement=a, staff=staff, note=p.get("note", ""))
        return "代办协议已办结。"
    if action == "terminate":
        services.agreement_terminate(agreement=a, staff=staff, reason=p.get("reason", ""))
        return "代办协议已终止。"
    raise Http404("未知的操作")


@require_POST
@staff_required
def act(request, agreement_no: str, action: str):
    if action not in TRANSITIONS:
        raise Http404("未知的操作")
    a, denied = _agreement_or_403(request, agreement_no)
    if denied:
        return denied
    try:
        done = _dispatch(action, a, request.staff, request.POST, request.FILES)
    except DomainError as exc:
        messages.error(request, f"{TRANSITIONS[action].label}未完成：{exc.message}")
    else:
        messages.success(request, done)
    return redirect("agency:detail", a.agreement_no)


@require_POST
@staff_required
def import_steps(request, agreement_no: str):
    a, denied = _agreement_or_403(request, agreement_no)
    if denied:
        return denied
    file = request.FILES.get("file")
    try:
        if file is None:
            raise DomainError("import_file", "请选择要导入的 Excel 文件")
        r = services.upstream_import(agreement=a, staff=request.staff, file=file)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"导入完成：新增{r.created}条，更新{r.updated}条。")
    return redirect("agency:detail", a.agreement_no)


@staff_required
def import_template(request):
    response = HttpResponse(upstream.template_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="upstream-steps.xlsx"'
    return response


# -- documents -----------------------------------------------------------------------------------------


def _doc_reader(request, agreement_no: str):
    """(agreement, reveal full ID, None) or (None, None, the 403 page): staff in scope or the applicant."""
    from zhengwu.org.selectors import staff_for_user

    staff = staff_for_user(request.user)
    if staff is not None:
        request.staff = staff
        a, denied = _agreement_or_403(request, agreement_no)
        if denied:
            return None, False, denied
        reveal = selectors.staff_can_act(staff, a)
        if reveal:
            audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=a, request=request,
                         summary=f"打印代办文书（含完整身份证号）{a.agreement_no}")
        return a, reveal, None
    try:
        return selectors.agreement_get_for_user(agreement_no=agreement_no, user=request.user), True, None
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _back(request, a):
    return reverse("agency:detail", args=[a.agreement_no]) if getattr(request, "staff", None) else reverse(
        "agency:mine")


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
def agreement_doc(request, agreement_no: str):
    a, reveal, denied = _doc_reader(request, agreement_no)
    if denied:
        return denied
    return HttpResponse(documents.agreement_html(
        a, reveal_id=reveal, pdf_url=reverse("agency:agreement_pdf", args=[a.agreement_no]),
        back_url=_back(request, a)))


@login_required
def agreement_pdf(request, agreement_no: str):
    a, reveal, denied = _doc_reader(request, agreement_no)
    if denied:
        return denied
    return _pdf(documents.agreement_pdf(a, reveal_id=reveal), a.agreement_no)


def _handover(a, pk: int):
    h = a.handovers.select_related("handed_by").filter(pk=pk).first()
    if h is None:
        raise Http404("未找到该交接单")
    return h


@login_required
def receipt_doc(request, agreement_no: str, pk: int):
    a, reveal, denied = _doc_reader(request, agreement_no)
    if denied:
        return denied
    h = _handover(a, pk)
    return HttpResponse(documents.receipt_html(
        h, reveal_id=reveal, pdf_url=reverse("agency:receipt_pdf", args=[a.agreement_no, h.pk]),
        back_url=_back(request, a)))


@login_required
def receipt_pdf(request, agreement_no: str, pk: int):
    a, reveal, denied = _doc_reader(request, agreement_no)
    if denied:
        return denied
    h = _handover(a, pk)
    return _pdf(documents.receipt_pdf(h, reveal_id=reveal), h.receipt_no)
