"""The public portal: bodies, each body's 指南 and 目录 (generated from the data), search, reports."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhengwu.core import clock
from zhengwu.core.errors import NotFound
from zhengwu.org.selectors import staff_for_user

from .. import reference as ref
from .. import selectors, services
from ..documents import report_context, report_title
from ..documents import report_pdf as render_report_pdf
from ..models import Body, Category, FeeBand, FeeWaiverReason
from ..policy import DEFAULTS, fee_bands, setting
from ..tables import report_data
from .common import attachment, body_or_404, open_or_404, stream

PAGE_SIZE = 20


@require_GET
def index(request):
    bodies = list(selectors.body_list_public())
    groups = [(label, [b for b in bodies if b.kind == kind]) for kind, label in Body.Kind.choices]
    latest = selectors.publication_list_public()[:10]
    return render(request, "disclosure/index.html", {"groups": [g for g in groups if g[1]], "latest": latest})


@require_GET
def search(request):
    q = (request.GET.get("q") or "").strip()
    body = None
    if request.GET.get("body"):
        body = body_or_404(request.GET["body"])
    qs = selectors.publication_list_public(body=body, q=q) if q else selectors.publication_list_public(body=body)[:0]
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "disclosure/search.html", {"q": q, "body": body, "page_obj": page})


@require_GET
def body_home(request, code: str):
    body = body_or_404(code)
    counts = selectors.category_counts(body)
    cats = [(c, counts.get(c.value, 0)) for c in selectors.categories_for(body)]
    latest = selectors.publication_list_public(body=body)[:10]
    years = list(range(clock.today().year, clock.today().year - 5, -1)) if body.files_reports else []
    return render(request, "disclosure/body_home.html", {"body": body, "cats": cats, "latest": latest,
                                                         "years": years})


@require_GET
def guide(request, code: str):
    """政府信息公开指南, always current: the body's data, its categories and the policy in force."""
    body = body_or_404(code)
    counts = selectors.category_counts(body)
    ctx = {
        "body": body,
        "cats": [(c, counts.get(c.value, 0)) for c in selectors.categories_for(body)],
        "reply_days": setting("reply_days"), "max_extension_days": setting("max_extension_days"),
        "supplement_notice_days": setting("supplement_notice_days"), "consult_days": setting("consult_days"),
        "fee_pay_days": setting("fee_pay_days"), "publish_days": setting("publish_days"),
        "channel_rules": list(ref.CHANNEL_RULES.values()),
        "bands": [(label, [(lo, hi, price, step, inc) for lo, hi, price, step, inc in fee_bands(m)])
                  for m, label in FeeBand.Method.choices],
        "waiver_reasons": FeeWaiverReason.objects.filter(is_active=True),
        "today": clock.today(), "defaults": DEFAULTS,
    }
    return render(request, "disclosure/guide.html", ctx)


@require_GET
def catalog(request, code: str):
    """政府信息公开目录: every published item with its 索引号, 文号, dates and validity."""
    body = body_or_404(code)
    category = request.GET.get("category", "")
    if category and category not in Category.values:
        category = ""
    year = request.GET.get("year", "")
    qs = selectors.publication_list_public(body=body, category=category, q=request.GET.get("q", ""),
                                           year=int(year) if year.isdigit() else None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "disclosure/catalog.html", {
        "body": body, "page_obj": page, "category": category, "year": year, "q": request.GET.get("q", ""),
        "cats": selectors.categories_for(body)})


@require_GET
def publication(request, code: str, pk: int):
    body = body_or_404(code)
    try:
        pub = selectors.publication_get_public(body=body, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    services.publication_count_view(publication=pub)
    pub.view_count += 1
    return render(request, "disclosure/publication.html", {"body": body, "pub": pub})


@require_GET
def attachment_download(request, code: str, pk: int, att: int):
    """A publication's attachment, streamed: public once published; before that, for the body's staff only.

    Files live under random directories and ``/media/`` is not served in production, so this view
    is the only way to a file.
    """
    body = body_or_404(code)
    try:
        a = selectors.attachment_get(body=body, publication_id=pk, attachment_id=att,
                                     staff=staff_for_user(request.user))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return stream(open_or_404(a.file), filename=a.name)


def _may_see_drafts(request, body) -> bool:
    """A body's own disclosure staff preview its reports before they are signed off; nobody else does."""
    from ..models import BodyMember

    staff = getattr(request.user, "staff", None) if request.user.is_authenticated else None
    return staff is not None and staff.is_active and BodyMember.objects.filter(body=body, staff=staff).exists()


def _report_or_404(request, code: str, year: int):
    body = body_or_404(code)
    if not body.files_reports or not 2008 <= year <= clock.today().year:
        raise Http404("没有该年度报告")
    final = body.reports.filter(year=year, status="final").exists()
    if not final and not _may_see_drafts(request, body):
        raise Http404("该年度报告尚未定稿发布")
    return report_data(body, year)


@require_GET
def reports(request, code: str):
    body = body_or_404(code)
    if not body.files_reports:
        raise Http404("村（居）民委员会不报送政府信息公开工作年度报告")
    this = clock.today().year
    finals = set(body.reports.filter(status="final").values_list("year", flat=True))
    # The public sees signed-off reports only; the body's own staff also the years still in draft.
    drafts = _may_see_drafts(request, body)
    years = [(y, y in finals) for y in range(this, max(2008, this - 9) - 1, -1) if drafts or y in finals]
    return render(request, "disclosure/reports.html", {"body": body, "years": years})


@require_GET
def report(request, code: str, year: int):
    data = _report_or_404(request, code, year)
    ctx = report_context(data)
    ctx.update(body=data.body, year=year, due=dt.date(year + 1, 3 if data.body.kind == Body.Kind.GOVERNMENT else 1,
                                                      31))
    return render(request, "disclosure/report.html", ctx)


@require_GET
def report_pdf(request, code: str, year: int):
    data = _report_or_404(request, code, year)
    return attachment(render_report_pdf(data), content_type="application/pdf", filename=f"{report_title(data.body, year)}.pdf",
                      inline=True)


@require_GET
def report_docx(request, code: str, year: int):
    from ..docx_report import report_docx as build

    data = _report_or_404(request, code, year)
    return attachment(build(data),
                      content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      filename=f"{report_title(data.body, year)}.docx")
