"""The applicant's pages: apply online, follow the request, complete a 补正, read the 答复书."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.core.errors import DomainError, NotFound

from .. import selectors, services
from ..documents import fee_notice_pdf, reply_pdf
from ..forms import ApplyForm, page_errors
from ..models import ReqStatus
from ..policy import upload_rules
from .common import attachment, body_or_404, open_or_404, stream


def _own(request, no: str):
    try:
        return selectors.request_get_for_user(request_no=no, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, code: str):
    body = body_or_404(code)
    if not body.files_reports:
        raise Http404("村（居）民委员会不受理政府信息公开申请")
    errors = None
    if request.method == "POST":
        form = ApplyForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                req = services.request_file(body=body, applicant=form.applicant(), description=d["description"],
                                            channel="online", user=request.user, purpose=d["purpose"],
                                            wanted_form=d["wanted_form"], delivery=d["delivery"],
                                            files=request.FILES.getlist("files"))
            except DomainError as exc:
                errors = page_errors(form, exc)
            else:
                messages.success(request, f"申请已提交，申请编号 {req.request_no}。受理机关确认收到之日为收到申请之日。")
                return redirect("disclosure:my_request", no=req.request_no)
        else:
            errors = page_errors(form)
    else:
        form = ApplyForm(initial={"name": getattr(request.user, "real_name", ""),
                                  "phone": getattr(request.user, "phone", "")})
    return render(request, "disclosure/apply.html", {"body": body, "form": form, "errors": errors or page_errors(form),
                                                     "uploads": upload_rules()},
                  status=400 if errors else 200)


@login_required
def my_requests(request):
    reqs = request.user.gk_requests.select_related("body").order_by("-id")
    return render(request, "disclosure/my_requests.html", {"reqs": reqs})


@login_required
def my_request(request, no: str):
    req = _own(request, no)
    return render(request, "disclosure/my_request.html", {
        "req": req, "events": req.events.order_by("id"), "due": selectors.due_state(req),
        "files": req.attachments.all(), "file_url": "disclosure:my_attachment", "uploads": upload_rules(),
        "can_supplement": req.status == ReqStatus.SUPPLEMENT, "can_withdraw": req.is_open})


@login_required
def my_attachment(request, no: str, att: int):
    """The applicant's own file, streamed (not logged: it is theirs)."""
    req = _own(request, no)
    try:
        a = selectors.request_attachment_get(request=req, attachment_id=att)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return stream(open_or_404(a.file), filename=a.name)


@login_required
@require_POST
def my_supplement(request, no: str):
    req = _own(request, no)
    try:
        services.request_supplement(request=req, user=request.user, text=request.POST.get("text", ""),
                                    files=request.FILES.getlist("files"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "补正已提交，答复期限自今日起重新计算。")
    return redirect("disclosure:my_request", no=no)


@login_required
@require_POST
def my_withdraw(request, no: str):
    req = _own(request, no)
    try:
        services.request_withdraw(request=req, user=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "申请已撤回。")
    return redirect("disclosure:my_request", no=no)


def letter_response(req, kind: str):
    if kind not in ("reply", "fee_notice"):
        raise Http404("没有这种文书")
    try:
        pdf = reply_pdf(req) if kind == "reply" else fee_notice_pdf(req)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    name = "政府信息公开申请答复书" if kind == "reply" else "信息处理费收费通知书"
    return attachment(pdf, content_type="application/pdf", filename=f"{name}-{req.request_no}.pdf",
                      inline=True)


@login_required
def my_letter(request, no: str, kind: str):
    return letter_response(_own(request, no), kind)
