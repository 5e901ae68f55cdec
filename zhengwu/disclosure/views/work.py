"""The staff workbench: requests with their deadlines and actions, publications, reports."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.services import audit_record

from .. import policy, selectors, services
from .. import reference as ref
from ..actions import parse_date, request_action
from ..forms import ACTION_FIELDS, PublicationForm, RecordForm, page_errors
from ..models import Body, FeeWaiverReason, PubStatus, ReqStatus
from ..policy import upload_rules
from ..services.common import duties_of
from ..tables import CELLS, report_data
from .common import body_or_404, open_or_404, staff_required, stream
from .people import letter_response


def _member_body(request, code: str) -> Body:
    body = body_or_404(code)
    if not selectors.bodies_for_staff(request.staff).filter(pk=body.pk).exists():
        raise Http404("您不是该公开主体的工作人员")
    return body


@staff_required
def workbench(request):
    state = request.GET.get("state", "open")
    reqs = list(selectors.request_list_for_staff(staff=request.staff, state=state)[:200])
    limits = policy.limits()
    rows = [(r, *selectors.due_state(r, limits=limits)) for r in reqs]
    summary = {k: sum(1 for _, s, _ in rows if s == k) for k in ("overdue", "soon", "paused", "waiting")}
    pubs = list(selectors.publications_for_staff(staff=request.staff))
    today = clock.today()
    return render(request, "disclosure/work/index.html", {
        "rows": rows, "state": state, "summary": summary, "bodies": selectors.bodies_for_staff(request.staff),
        "pubs": [(p, selectors.publication_overdue(p, today)) for p in pubs], "year": today.year - 1})


@staff_required
@require_http_methods(["GET", "POST"])
def record(request, code: str):
    body = _member_body(request, code)
    errors = None
    form = RecordForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                req = services.request_file(body=body, applicant=form.applicant(), description=d["description"],
                                            channel=d["channel"], officer=request.staff,
                                            signed_for_on=d["signed_for_on"], received_on=d["received_on"],
                                            letter_date=d["letter_date"], late_entry_note=d["late_entry_note"],
                                            purpose=d["purpose"],
                                            wanted_form=d["wanted_form"], delivery=d["delivery"],
                                            files=request.FILES.getlist("files"))
            except DomainError as exc:
                errors = page_errors(form, exc)
            else:
                messages.success(request, f"已登记申请 {req.request_no}")
                return redirect("disclosure:work_request", no=req.request_no)
        else:
            errors = page_errors(form)
    return render(request, "disclosure/work/record.html", {"body": body, "form": form,
                                                           "errors": errors or page_errors(form),
                                                           "uploads": upload_rules()},
                  status=400 if errors else 200)


def _staff_request(request, no: str):
    try:
        return selectors.request_get_for_staff(request_no=no, staff=request.staff)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@staff_required
def request_detail(request, no: str):
    return _detail_page(request, no)


def _detail_page(request, no: str, *, contact_shown: bool = False):
    req = _staff_request(request, no)
    duties = duties_of(request.staff, req.body)
    return render(request, "disclosure/work/request.html", {
        "contact_shown": contact_shown,
        "req": req, "events": req.events.order_by("id"), "due": selectors.due_state(req), "duties": duties,
        "appeals": req.appeals.order_by("id"), "consultations": req.consultations.order_by("id"),
        "open_consultation": selectors.open_consultation(req) if req.status == ReqStatus.CONSULTING else None,
        "files": req.attachments.all(), "file_url": "disclosure:work_attachment", "uploads": upload_rules(),
        "waiver_reasons": FeeWaiverReason.objects.filter(is_active=True), "choices": ACTION_FIELDS, "S": ReqStatus, "today": clock.today()})


@staff_required
@require_POST
def request_contact(request, no: str):
    """The applicant's full phone, address and e-mail (masked on the page), for the staff member
    who must reach or post to them; each viewing on the audit trail."""
    req = _staff_request(request, no)
    audit_record(actor=request.user, action="view", obj=req, request=request,
                 summary=f"查看依申请公开 {req.request_no} 申请人的完整联系方式")
    return _detail_page(request, no, contact_shown=True)


@staff_required
def request_attachment(request, no: str, att: int):
    """An applicant's file for the body's staff; every download is written to the audit trail."""
    req = _staff_request(request, no)
    try:
        a = selectors.request_attachment_get(request=req, attachment_id=att)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    fh = open_or_404(a.file)
    services.request_attachment_log_download(attachment=a, staff=request.staff, http_request=request)
    return stream(fh, filename=a.name)


@staff_required
@require_POST
def request_act(request, no: str, action: str):
    req = _staff_request(request, no)
    try:
        request_action(action, req, request.staff, request.POST, files=request.FILES.getlist("files"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已办理")
    return redirect("disclosure:work_request", no=no)


@staff_required
def staff_letter(request, no: str, kind: str):
    return letter_response(_staff_request(request, no), kind)


# -- publications -------------------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def publication_new(request, code: str):
    body = _member_body(request, code)
    form = PublicationForm(request.POST or None, categories=selectors.categories_for(body),
                           initial={"made_on": clock.today()})
    errors = None
    if request.method == "POST":
        if form.is_valid():
            try:
                pub = services.publication_create(body=body, officer=request.staff,
                                                  files=request.FILES.getlist("files"), **form.cleaned_data)
            except DomainError as exc:
                errors = page_errors(form, exc)
            else:
                messages.success(request, f"已保存草稿，索引号 {pub.index_no}")
                return redirect("disclosure:work_publication", pk=pub.pk)
        else:
            errors = page_errors(form)
    return render(request, "disclosure/work/publication_new.html",
                  {"body": body, "form": form, "errors": errors or page_errors(form)},
                  status=400 if errors else 200)


@staff_required
def publication_detail(request, pk: int):
    try:
        pub = selectors.publication_get_for_staff(pk=pk, staff=request.staff)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "disclosure/work/publication.html", {
        "pub": pub, "events": pub.events.order_by("id"), "S": PubStatus,
        "overdue": selectors.publication_overdue(pub)})


@staff_required
@require_POST
def publication_act(request, pk: int, action: str):
    try:
        pub = selectors.publication_get_for_staff(pk=pk, staff=request.staff)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    p, s, st = request.POST, services, request.staff
    note = p.get("note", "")
    actions = {
        "submit": lambda: s.publication_submit(publication=pub, officer=st, note=note),
        "review_ok": lambda: s.publication_review(publication=pub, reviewer=st, approve=True, note=note),
        "review_back": lambda: s.publication_review(publication=pub, reviewer=st, approve=False, note=note),
        "secrecy_ok": lambda: s.publication_secrecy_review(publication=pub, reviewer=st, passed=True, note=note),
        "secrecy_fail": lambda: s.publication_secrecy_review(publication=pub, reviewer=st, passed=False, note=note),
        "sign": lambda: s.publication_sign(publication=pub, signer=st, note=note),
        "publish": lambda: s.publication_publish(publication=pub, officer=st),
        "repeal": lambda: s.publication_repeal(publication=pub, officer=st,
                                               repealed_on=parse_date(p.get("repealed_on", "")) or clock.today(),
                                               note=note),
    }
    if action not in actions:
        raise Http404("没有这个操作")
    try:
        actions[action]()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已办理")
    return redirect("disclosure:work_publication", pk=pk)


# -- reports ---------------------------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def report_edit(request, code: str, year: int):
    body = _member_body(request, code)
    if request.method == "POST":
        what = request.POST.get("what", "")
        try:
            report = services.report_get_or_create(body=body, year=year, officer=request.staff)
            if what == "text":
                services.report_update_text(report=report, officer=request.staff,
                                            overview=request.POST.get("overview", ""),
                                            problems=request.POST.get("problems", ""),
                                            other=request.POST.get("other", ""))
                messages.success(request, "已保存")
            elif what == "adjust":
                services.report_adjust(report=report, officer=request.staff, cell=request.POST.get("cell", ""),
                                       value=request.POST.get("value", ""), reason=request.POST.get("reason", ""))
                messages.success(request, "已调整")
            elif what == "finalise":
                services.report_finalise(report=report, officer=request.staff)
                messages.success(request, "年度报告已定稿")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("disclosure:work_report", code=code, year=year)
    from ..documents import report_context

    data = report_data(body, year)
    ctx = report_context(data)
    ctx.update(body=body, year=year, cells=CELLS, ref=ref)
    return render(request, "disclosure/work/report.html", ctx)
