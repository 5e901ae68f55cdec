"""村务公开/党务公开 pages: the village's public page and printable 公开栏, the 文书's workbench and form,
the town's view of all its villages."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.org.selectors import staff_for_user

from .. import selectors_village as sv
from .. import village_calendar as vcal
from ..models import ContentKind, VillageCategory
from ..services.common import duties_of
from ..services.village import (
    ACTIONS,
    Household,
    Line,
    village_disclosure_act,
    village_disclosure_create,
    village_disclosure_update,
)
from ..services.village import village_disclosure_get_for_staff as disclosure_for_staff
from .common import forbidden

FINANCE_ROWS = 8


def _village_or_404(code: str):
    try:
        return sv.village_get_public(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def signed_in_staff(view):
    """Any active member of staff (the town view decides itself who may see which town)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = staff_for_user(request.user)
        if staff is None or not staff.is_active:
            return forbidden(request, "村务公开工作页面仅限工作人员使用。")
        request.staff = staff
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from exc
            if exc.status == 403:
                return forbidden(request, exc.message)
            raise

    return login_required(wrapper)


# -- public ------------------------------------------------------------------------------------------------------


def village_home(request, code: str):
    body = _village_or_404(code)
    today = clock.today()
    discs = list(sv.disclosures_public(body)[:200])
    latest: dict[int, object] = {}
    for d in discs:
        latest.setdefault(d.period.category_id, d)
    cats = sv.categories()
    quarters = []
    q = vcal.period_containing(today, "quarter")
    for _ in range(4):
        quarters.append(q)
        q = vcal.period_before(q)
    return render(request, "disclosure/village/home.html", {
        "body": body, "page_title": f"{body.name}村务公开",
        "catalogues": [(label, [(c, latest.get(c.pk)) for c in cats if c.catalogue == value])
                       for value, label in VillageCategory._meta.get_field("catalogue").choices],
        "discs": discs[:30], "quarters": quarters})


def village_disclosure(request, code: str, pk: int):
    body = _village_or_404(code)
    try:
        disc = sv.disclosure_get_public(body, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "disclosure/village/disclosure.html", {
        "body": body, "d": disc, "t": sv.table_for(disc), "page_title": disc.publication.title})


def village_board(request, code: str, key: str):
    """The printable 公开栏: large type, A3/A4, no navigation when printed."""
    body = _village_or_404(code)
    period = vcal.period_from_key(key)
    if period is None:
        raise Http404("期间应写作如 2026Q3（季度）、2026M09（月）、2026H2（半年）、2026Y（年）")
    size = request.GET.get("size", "A3")
    return render(request, "disclosure/village/board.html", {
        "body": body, "period": period, "discs": sv.board_disclosures(body, period),
        "size": "A4" if size == "A4" else "A3", "page_title": f"{body.name}村务公开栏（{period.label}）",
        "printed_on": clock.today()})


# -- the village's staff -----------------------------------------------------------------------------------------------


@signed_in_staff
def village_work(request, code: str):
    body = sv.village_get_for_staff(code, request.staff)
    today = clock.today()
    options = []
    for cat in sv.categories():
        cadence = vcal.cadence_for(body, cat)
        cur = vcal.period_containing(today, cadence)
        options.append((cat, [vcal.period_before(cur), cur]))
    return render(request, "disclosure/village/work.html", {
        "body": body, "rows": sv.period_rows_for_staff(body), "options": options,
        "duties": duties_of(request.staff, body), "page_title": f"{body.name}村务公开"})


def _lines(post, prefix: str) -> list[Line]:
    return [Line(post.get(f"{prefix}_item_{i}", "")[:200], post.get(f"{prefix}_amount_{i}", "")[:40],
                 post.get(f"{prefix}_note_{i}", "")[:200]) for i in range(1, FINANCE_ROWS + 1)]


def parse_relief(text: str) -> list[Household]:
    """One household a line: 姓名，身份证号，保障人数，月保障金额[，救助类别] (commas, tabs or spaces)."""
    out = []
    for raw in (text or "").splitlines()[:600]:
        parts = [p for p in raw.replace("，", ",").replace("\t", ",").replace(" ", ",").split(",") if p.strip()]
        if not parts:
            continue
        parts += [""] * (5 - len(parts))
        out.append(Household(parts[0][:40], parts[1][:40], parts[2][:10], parts[3][:30], parts[4][:30] or "低保"))
    return out


def _line_rows(post) -> list[dict]:
    """The finance form's rows with what was typed (kept when the table is refused)."""
    return [{"i": i, **{f"{side}_{f}": post.get(f"{side}_{f}_{i}", "") for side in ("in", "out")
                        for f in ("item", "amount", "note")}} for i in range(1, FINANCE_ROWS + 1)]


def _posted_content(p, cat) -> dict:
    finance = relief = None
    if cat.content_kind == ContentKind.FINANCE:
        finance = {k: p.get(k, "")[:40] for k in ("opening_balance", "income_total", "expense_total",
                                                 "closing_balance")}
        finance.update(income=_lines(p, "in"), expense=_lines(p, "out"))
    elif cat.content_kind == ContentKind.RELIEF:
        relief = parse_relief(p.get("relief", ""))
    return {"title": p.get("title", "")[:300], "content": p.get("content", "")[:20000], "finance": finance,
            "relief": relief}


@signed_in_staff
@require_http_methods(["GET", "POST"])
def village_new(request, code: str):
    body = sv.village_get_for_staff(code, request.staff)
    cat = VillageCategory.objects.filter(code=request.GET.get("category", "")[:30], is_active=True).first()
    if cat is None:
        raise Http404("请选择公开事项")
    cadence = vcal.cadence_for(body, cat)
    today = clock.today()
    period_key = request.POST.get("period") or request.GET.get("period") or vcal.last_ended(today, cadence).key
    error = ""
    if request.method == "POST":
        try:
            disc = village_disclosure_create(body=body, officer=request.staff, category=cat.code,
                                             period_key=period_key[:10], **_posted_content(request.POST, cat))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "已保存草稿，请提交村务监督委员会审核")
            return redirect("disclosure:village_work_disclosure", pk=disc.pk)
    cur = vcal.period_containing(today, cadence)
    periods = [vcal.period_before(vcal.period_before(cur)), vcal.period_before(cur), cur]
    return render(request, "disclosure/village/new.html", {
        "body": body, "cat": cat, "periods": periods, "period_key": period_key, "error": error, "post": request.POST,
        "line_rows": _line_rows(request.POST), "page_title": f"填报{cat.name}"}, status=400 if error else 200)


def _as_post(disc) -> dict:
    """A draft's content as the form's fields."""
    post = {"title": disc.publication.title, "opening_balance": disc.opening_balance or "",
            "income_total": disc.income_total or "", "expense_total": disc.expense_total or "",
            "closing_balance": disc.closing_balance or ""}
    t = sv.table_for(disc, full=True)
    for side, lines in (("in", t.income), ("out", t.expense)):
        for i, ln in enumerate(lines[:FINANCE_ROWS], 1):
            post.update({f"{side}_item_{i}": ln.item, f"{side}_amount_{i}": ln.amount, f"{side}_note_{i}": ln.note})
    post["relief"] = "\n".join(f"{r['name']}，{r['id_number']}，{r['household_size']}，{r['amount']}，{r['relief_type']}"
                               for r in t.relief)
    if disc.content_kind == ContentKind.TEXT:
        post["content"] = disc.publication.content
    return post


@signed_in_staff
@require_http_methods(["GET", "POST"])
def village_edit(request, pk: int):
    disc = disclosure_for_staff(pk=pk, staff=request.staff)
    body, cat = disc.publication.body, disc.period.category
    error = ""
    post = request.POST if request.method == "POST" else _as_post(disc)
    if request.method == "POST":
        try:
            village_disclosure_update(disclosure=disc, officer=request.staff, **_posted_content(request.POST, cat))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "已修改草稿")
            return redirect("disclosure:village_work_disclosure", pk=disc.pk)
    period = vcal.Period(disc.period.cadence, disc.period.period_start, disc.period.period_end)
    return render(request, "disclosure/village/new.html", {
        "body": body, "cat": cat, "periods": [period], "period_key": period.key, "error": error, "post": post,
        "line_rows": _line_rows(post), "editing": disc, "page_title": f"修改{cat.name}"},
        status=400 if error else 200)


@signed_in_staff
def village_work_disclosure(request, pk: int):
    disc = disclosure_for_staff(pk=pk, staff=request.staff)
    body = disc.publication.body
    return render(request, "disclosure/village/work_disclosure.html", {
        "body": body, "d": disc, "t": sv.table_for(disc, full=True), "duties": duties_of(request.staff, body),
        "events": disc.publication.events.all(), "page_title": disc.publication.title,
        "actions": ACTIONS})


@signed_in_staff
@require_POST
def village_work_act(request, pk: int, action: str):
    disc = disclosure_for_staff(pk=pk, staff=request.staff)
    try:
        village_disclosure_act(disclosure=disc, staff=request.staff, action=action[:20],
                               note=request.POST.get("note", "")[:2000])
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{ACTIONS[action]}")
    return redirect("disclosure:village_work_disclosure", pk=disc.pk)


# -- the town ------------------------------------------------------------------------------------------------------------


@signed_in_staff
def town_index(request):
    towns = sv.towns_for_staff(request.staff)
    villages = list(sv.villages_for_staff(request.staff))
    if len(towns) == 1 and not villages:
        return redirect("disclosure:village_town", code=towns[0].code)
    return render(request, "disclosure/village/town_index.html", {
        "towns": towns, "villages": villages, "page_title": "村务公开监督"})


@signed_in_staff
def town_view(request, code: str):
    town = sv.town_get_for_staff(code, request.staff)
    today = clock.today()
    cats, rows = sv.town_status(town, today=today)
    counts = [(k, label, sum(1 for r in rows for c in r.cells if c.status == k)) for k, label in sv.STATUS_LABELS.items()]
    return render(request, "disclosure/village/town.html", {
        "town": town, "cats": cats, "rows": rows, "counts": counts, "today": today,
        "board_url": reverse("supervision:board") + "?kind=gk_village", "page_title": f"{town.name}村务公开情况"})
