"""网上中介服务超市 pages: the public list of services, the agency directory and the purchase notices (with
the draw's commitment before the selection and, after it, the whole draw record and how to verify it); the
owner's workbench (create, publish, select, contract, rate), the agency's workbench (entry, certificates,
offerings, sign-up, confirm, deliver, extension, appeal), the administrator's (review, suspend, market score,
the monthly credit, appeals) and the supervisor's (department score, credit event).

Reads go through ``selectors``; every write through the services (``purchases.purchase_act`` for a
purchase's actions). A refusal is shown as its Chinese message on the page and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.org.models import Region, Role

from . import selectors
from .models import (
    Agency,
    AgencyKind,
    AgencyStatus,
    Appeal,
    BiddingRule,
    CreditRule,
    CreditSource,
    Funding,
    MeritRule,
    Mode,
    Offering,
    OfferingStatus,
    OwnerKind,
    PriceMode,
    PurchaseStatus,
    Qualification,
    Service,
    ServiceStatus,
    SignupStatus,
)
from .services import agencies, credit, draws, purchases
from .services.common import SHANGHAI
from .transitions import ADMIN, AGENCY, OWNER, TRANSITIONS

PAGE_SIZE = 20
MESSAGE = "intermediary/message.html"
ROLE_LABELS = {OWNER: "项目业主", AGENCY: "报名机构", ADMIN: "中介超市管理员", "supervisor": "中介服务监管人员",
               "candidate": "可报名机构"}
RATING_FIELDS = [("quality", "服务质量"), ("timeliness", "服务时效"), ("price", "收费规范"), ("attitude", "服务态度")]


def _message(request, message: str, status: int):
    return render(request, MESSAGE, {"message": message}, status=status)


def intermediary_pages(view):
    """Logged in; a refusal the view did not show on its own page (``PermissionDenied``, ``NotFound``, any
    other ``DomainError``) becomes the Chinese message page with its status."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return _message(request, exc.message, exc.status)

    return login_required(wrapper)


def _refused(request, exc: DomainError) -> None:
    """A refusal on a form: 403/404 go to the message page, the rest become the page's error message."""
    if isinstance(exc, (PermissionDenied, NotFound)):
        raise exc
    messages.error(request, exc.message)


def _workbench_post(request, write, what: str, back: str):
    """A workbench form: ``write`` returns the success message; a refusal is shown on the page ``back``."""
    try:
        done = write(request, what)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect(back)


# -- form input ------------------------------------------------------------------------------------------------


def _bad(label: str) -> DomainError:
    return DomainError("invalid_input", f"“{label}”填写不正确，请核对后重新提交")


def _text(post, name: str, limit: int = 500) -> str:
    return (post.get(name) or "").strip()[:limit]


def _decimal(post, name: str, label: str) -> Decimal | None:
    raw = (post.get(name) or "").strip().replace(",", "").replace("，", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise _bad(label) from None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise _bad(label)
    return value


def _int(post, name: str, label: str) -> int | None:
    raw = (post.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise _bad(label)
    return int(raw)


def _date(post, name: str, label: str) -> dt.date | None:
    raw = (post.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _bad(label) from None


def _month(post, name: str = "month", label: str = "月份") -> dt.date | None:
    raw = (post.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:7] + "-01")
    except ValueError:
        raise _bad(label) from None


def _datetime(post, name: str, label: str) -> dt.datetime | None:
    """A ``datetime-local`` value, taken as Beijing time."""
    raw = (post.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _bad(label) from None
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


def _required(value, label: str):
    if value is None or value == "":
        raise DomainError("invalid_input", f"请填写“{label}”")
    return value


def _yes(post, name: str) -> bool:
    return post.get(name) in ("1", "on", "true", "yes")


def _local(value: dt.datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if value else ""


# -- public ----------------------------------------------------------------------------------------------------


def index(request):
    q = (request.GET.get("q") or "").strip()[:100]
    return render(request, "intermediary/index.html", {
        "services": selectors.services_list(q=q), "q": q, "latest": selectors.purchases_public(limit=10)})


def service_page(request, code: str):
    try:
        service = selectors.service_get(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    item_id = request.GET.get("item", "")
    return render(request, "intermediary/service.html", {
        "service": service, "s": selectors.service_public(service),
        "item_id": item_id if item_id.isdigit() else ""})


def agencies_page(request):
    service_code = (request.GET.get("service") or "").strip()[:32]
    grade = (request.GET.get("grade") or "").strip()[:1].upper()
    q = (request.GET.get("q") or "").strip()[:100]
    rows = selectors.agencies_directory(service_code=service_code, grade=grade, q=q, limit=200)
    return render(request, "intermediary/agencies.html", {
        "rows": rows, "services": selectors.services_list(), "grades": ["A", "B", "C", "D", "E"],
        "selected": {"service": service_code, "grade": grade, "q": q}})


def agency_page(request, agency_id: int):
    try:
        data = selectors.agency_public(agency_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "intermediary/agency_public.html", {"a": data, "credit": data["credit"]})


def purchases_page(request):
    status = request.GET.get("status", "")
    status = status if status in selectors.PUBLIC_PURCHASE else ""
    mode = request.GET.get("mode", "")
    mode = mode if mode in Mode.values else ""
    q = (request.GET.get("q") or "").strip()[:100]
    raw = request.GET.get("page") or ""
    page = max(int(raw), 1) if raw.isdigit() and len(raw) < 6 else 1
    rows = selectors.purchases_public(status=status, mode=mode, q=q, limit=PAGE_SIZE + 1,
                                      offset=(page - 1) * PAGE_SIZE)
    return render(request, "intermediary/purchases.html", {
        "rows": rows[:PAGE_SIZE], "page": page, "has_next": len(rows) > PAGE_SIZE,
        "statuses": [(s, label) for s, label in PurchaseStatus.choices if s in selectors.PUBLIC_PURCHASE],
        "modes": Mode.choices, "selected": {"status": status, "mode": mode, "q": q}})


def purchase_page(request, code: str):
    try:
        data = selectors.purchase_public(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    draw = data["draw"]
    return render(request, "intermediary/purchase.html", {
        "d": data, "draw": draw, "verify": verification(data) if draw["revealed"] else None})


def _py(value) -> str:
    """A Python literal for the snippet (strings double-quoted, as people copy them)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


SNIPPET_HEAD = """import hashlib
from decimal import ROUND_HALF_UP, Decimal

seed = {seed}
assert hashlib.sha256(seed.encode()).hexdigest() == {hash}  # 与报名截止前公布的承诺值一致


def draw(codes, salt):  # codes 按统一社会信用代码升序
    h = int(hashlib.sha256(f"{{seed}}|{{salt}}|{{','.join(codes)}}".encode()).hexdigest(), 16)
    return codes[h % len(codes)]

"""

SNIPPET_RULE = {
    "random": """codes = sorted({codes})
print("中选机构：", draw(codes, "select"))""",
    "lowest": """prices = {prices}
low = min(Decimal(p) for p in prices.values())
tied = sorted(c for c, p in prices.items() if Decimal(p) == low)
print("中选机构：", tied[0] if len(tied) == 1 else draw(tied, "tie"))""",
    "average": """prices = {prices}
lo, hi = Decimal({lo}), Decimal({hi})
steps = int((hi - lo) / Decimal("0.001"))
factor = lo + Decimal("0.001") * (int(hashlib.sha256(f"{{seed}}|factor".encode()).hexdigest(), 16) % (steps + 1))
ordered = sorted(prices, key=lambda c: (Decimal(prices[c]), c))
kept = ordered[1:-1] if len(ordered) >= 3 else ordered
mean = (sum(Decimal(prices[c]) for c in kept) / len(kept)).quantize(Decimal("0.01"), ROUND_HALF_UP)
benchmark = (mean * factor).quantize(Decimal("0.01"), ROUND_HALF_UP)
best = min(sorted(prices), key=lambda c: (abs(Decimal(prices[c]) - benchmark), Decimal(prices[c])))
tied = sorted(c for c in prices if abs(Decimal(prices[c]) - benchmark) == abs(Decimal(prices[best]) - benchmark)
              and prices[c] == prices[best])
print("系数", factor, "基准价", benchmark, "中选机构：", tied[0] if len(tied) == 1 else draw(tied, "tie"))""",
    "credit": """ranking = {ranking}  # 按报名时信用分从高到低（同分按代码）
remaining = sorted(ranking[:{long}])
short = [remaining.pop(remaining.index(draw(remaining, f"short-{{i}}"))) for i in range(1, {short} + 1)
         if remaining]
print("短名单：", short)""",
}


def verification(data: dict) -> dict:
    """The 如何验证 section of a revealed draw: the recipe, a Python snippet filled with the published values
    that recomputes the outcome, and the platform's own recomputation (``draws.verify``)."""
    record = data["draw"]["draw"] or {}
    rule = record.get("rule", "")
    candidates = sorted(record.get("candidates") or [], key=lambda c: c["uscc"])
    snippet = ""
    if rule in SNIPPET_RULE and candidates and data["draw"]["seed"]:
        prices = {c["uscc"]: c.get("price") or "0" for c in candidates}
        lo, hi = (record.get("factor_range") or ["0", "0"])[:2]
        snippet = SNIPPET_HEAD.format(seed=_py(data["draw"]["seed"]), hash=_py(data["draw"]["seed_hash"])) + \
            SNIPPET_RULE[rule].format(codes=_py([c["uscc"] for c in candidates]), prices=_py(prices), lo=_py(lo),
                                      hi=_py(hi), ranking=_py(record.get("ranking") or []),
                                      long=int(record.get("long_list_size") or 0),
                                      short=int(record.get("short_list_size") or 0))
    try:
        recomputed = draws.verify(record) if candidates else None
    except (DomainError, KeyError, ValueError, TypeError):
        recomputed = None
    names = {c["uscc"]: c.get("name", "") for c in candidates}
    if isinstance(recomputed, list):
        shown = "、".join(f"{names.get(u, '')}（{u}）" for u in recomputed)
    else:
        shown = f"{names.get(recomputed, '')}（{recomputed}）" if recomputed else ""
    return {"rule": rule, "chance": rule in SNIPPET_RULE, "recipe": draws.RECIPE, "snippet": snippet,
            "recomputed": shown, "matches": recomputed is not None and recomputed == record.get("result"),
            "candidates": candidates, "record": record}


# -- the purchase's working page (owner, agencies, administrator, supervisor) ----------------------------------


def _choosable(p, ctx: dict) -> list[dict]:
    """The valid sign-ups the owner chooses among where the rule is the owner's choice (直接选取, 方案择优),
    once the selectors show them (from the sign-up deadline on)."""
    if not selectors.owner_chooses(p) or p.status not in (PurchaseStatus.SIGNUP, PurchaseStatus.SELECTING):
        return []
    return [s for s in ctx["signups"] if s["status"] == SignupStatus.VALID]


@intermediary_pages
def work_page(request, purchase_id: int):
    ctx = selectors.purchase_for_user(purchase_id=purchase_id, user=request.user)
    p = ctx["purchase"]
    roles = ctx["roles"]
    actions = [TRANSITIONS[a["action"]] for a in ctx["actions"]]
    pending = next((x for x in ctx["extensions"] if x["state"] == "pending"), None)
    return render(request, "intermediary/work.html", {
        **ctx, "p": p, "d": ctx["view"], "actions": actions, "roles": roles,
        "role_labels": "、".join(ROLE_LABELS.get(r, r) for r in roles),
        "choosable": _choosable(p, ctx) if OWNER in roles or ADMIN in roles else [],
        "shortlist": [s for s in ctx["signups"] if s["status"] == SignupStatus.SHORT_LISTED],
        "contract": getattr(p, "contract", None),
        "pending_extension": pending, "rating_fields": RATING_FIELDS, "today": clock.today().isoformat()})


def action_data(action: str, request) -> dict:
    """The ``data`` of ``purchase_act`` from a page form (keys as its docstring names them); invalid input is
    a ``DomainError`` naming the field in Chinese."""
    post, files = request.POST, request.FILES
    if action == "signup":
        return {"quote": _decimal(post, "quote", "报价"), "discount": _decimal(post, "discount", "下浮率"),
                "proposal": files.get("proposal")}
    if action in ("select", "pick"):
        agency_id = _int(post, "agency_id", "机构")
        if action == "pick":
            _required(agency_id, "选定机构")
        return {"agency_id": agency_id} if agency_id is not None else {}
    if action in ("decline", "terminate", "cancel"):
        return {"reason": _text(post, "reason", 300)}
    if action == "register_contract":
        return {"amount": _required(_decimal(post, "amount", "合同金额"), "合同金额"),
                "signed_on": _required(_date(post, "signed_on", "签订日期"), "签订日期"),
                "service_start": _required(_date(post, "service_start", "服务开始日期"), "服务开始日期"),
                "file": files.get("file")}
    if action == "request_extension":
        return {"days": _required(_int(post, "days", "延长工作日"), "延长工作日"), "reason": _text(post, "reason", 300)}
    if action == "decide_extension":
        return {"approve": _yes(post, "approve")}
    if action == "deliver":
        return {"result_file": files.get("result_file"), "note": _text(post, "note", 300)}
    if action == "rate":
        data = {name: _required(_int(post, name, label), label) for name, label in RATING_FIELDS}
        return {**data, "comment": _text(post, "comment", 500)}
    if action == "republish":
        return {"signup_deadline": _required(_datetime(post, "signup_deadline", "报名截止时间"), "报名截止时间"),
                "select_at": _required(_datetime(post, "select_at", "选取时间"), "选取时间")}
    return {}


def _act(request, purchase_id: int, action: str):
    """Run ``action`` on the purchase through the dispatcher; the purchase to show next (its id)."""
    if action not in TRANSITIONS:
        raise NotFound("不支持的操作")
    try:
        result = purchases.purchase_act(purchase_id=purchase_id, user=request.user, action=action,
                                        data=action_data(action, request))
    except DomainError as exc:
        _refused(request, exc)
        return purchase_id
    result = result or {}
    if result.get("status") == PurchaseStatus.FAILED:
        messages.warning(request, f"采购已流标：{result.get('reason') or '报名不足或中选机构放弃'}")
        return purchase_id
    label = TRANSITIONS[action].label
    if action == "decide_extension":
        label = "同意延期" if result.get("extension_state") == "approved" else "不同意延期"
    extra = "；".join(str(result[k]) for k in ("selected", "code") if result.get(k))
    messages.success(request, f"已{label}" + (f"（{extra}）" if extra else ""))
    if action == "republish" and result.get("id"):
        return result["id"]
    return purchase_id


@require_POST
@intermediary_pages
def work_act(request, purchase_id: int, action: str):
    return redirect("intermediary:work", _act(request, purchase_id, action))


@intermediary_pages
def purchase_file(request, purchase_id: int, kind: str):
    """A purchase's private file (服务方案, 合同, 服务成果) for whoever the selectors let read it."""
    signup = request.GET.get("signup", "")
    f = selectors.purchase_file(purchase_id=purchase_id, user=request.user, kind=kind,
                                signup_id=int(signup) if signup.isdigit() and len(signup) < 10 else None)
    return FileResponse(f.open("rb"), as_attachment=True, filename=f.name.rsplit("/", 1)[-1])


# -- the owner's workbench -------------------------------------------------------------------------------------


def _owners(user):
    return selectors.my_owners(user)


def _owner_ctx(request, form: dict) -> dict:
    services = list(selectors.services_list())
    code = form.get("service") or (services[0].code if services else "")
    service = next((s for s in services if s.code == code), None)
    items = [link.item for link in service.links.all()] if service else []
    staff = getattr(request.user, "staff", None)
    return {"owners": _owners(request.user), "purchases": selectors.my_purchases(request.user)[:200],
            "owner_kinds": OwnerKind.choices, "staff_department": getattr(staff, "department", None),
            "services": services, "items": items, "form": form, "fundings": Funding.choices, "modes": Mode.choices,
            "bidding_rules": BiddingRule.choices, "merit_rules": MeritRule.choices,
            "price_modes": PriceMode.choices}


@intermediary_pages
def owner_page(request):
    form: dict = {}
    code = (request.GET.get("service") or "").strip()[:32]
    if code:
        service = Service.objects.filter(code=code, status=ServiceStatus.ACTIVE).first()
        if service is not None:
            now = clock.now()
            form = {"service": service.code, "service_days": service.time_limit, "mode": Mode.RANDOM,
                    "price_mode": PriceMode.RANGE, "funding": Funding.PRIVATE,
                    "title": f"{service.name}采购", "item": request.GET.get("item", ""),
                    "signup_deadline": _local(now + dt.timedelta(days=7)),
                    "select_at": _local(now + dt.timedelta(days=8))}
    owners = _owners(request.user)
    if owners and form:
        form.setdefault("contact_name", owners[0].contact_name)
        form.setdefault("contact_phone", owners[0].contact_phone)
    return render(request, "intermediary/owner.html", _owner_ctx(request, form))


@require_POST
@intermediary_pages
def owner_register(request):
    """登记项目业主 (the user becomes its first 经办人); a refusal is shown on the owner page."""
    from .services.owners import owner_register as register

    post = request.POST
    kind = (post.get("kind") or "").strip()
    staff = getattr(request.user, "staff", None)
    try:
        owner = register(user=request.user, kind=kind, name=_text(post, "name", 100),
                         contact_name=_text(post, "contact_name", 32), contact_phone=_text(post, "contact_phone", 20),
                         uscc=_text(post, "uscc", 18), id_number=_text(post, "id_number", 18),
                         department=getattr(staff, "department", None) if kind == OwnerKind.GOVERNMENT else None)
    except DomainError as exc:
        _refused(request, exc)
        return render(request, "intermediary/owner.html", _owner_ctx(request, {}), status=400)
    messages.success(request, f"已登记为项目业主：{owner.name}")
    return redirect("intermediary:owner")


@require_POST
@intermediary_pages
def purchase_create(request):
    post = request.POST
    form = {k: (post.get(k) or "").strip() for k in post if k not in ("csrfmiddlewaretoken", "form_once")}
    form["for_approval"] = "1" if _yes(post, "for_approval") else "0"
    try:
        owners = _owners(request.user)
        owner = next((o for o in owners if str(o.pk) == form.get("owner", "")), owners[0] if owners else None)
        if owner is None:
            raise PermissionDenied("您的账号尚未登记为项目业主")
        service = selectors.service_get(form.get("service", ""))
        item_id = _int(post, "item", "关联审批事项")
        item = None
        if item_id is not None:
            item = next((link.item for link in service.links.select_related("item") if link.item_id == item_id),
                        None)
            if item is None:
                raise DomainError("invalid_input", "所选审批事项不需要该中介服务")
        mode = form.get("mode", "")
        if mode not in Mode.values:
            raise _bad("选取方式")
        p = purchases.purchase_create(
            owner=owner, user=request.user, service=service, title=_text(post, "title", 200),
            content=_text(post, "content", 4000),
            service_days=_required(_int(post, "service_days", "服务时限"), "服务时限"),
            funding=form.get("funding", ""), mode=mode,
            signup_deadline=_required(_datetime(post, "signup_deadline", "报名截止时间"), "报名截止时间"),
            select_at=_required(_datetime(post, "select_at", "选取时间"), "选取时间"),
            price_mode=form.get("price_mode", ""), price_fixed=_decimal(post, "price_fixed", "固定价格"),
            price_min=_decimal(post, "price_min", "最低限价"), price_max=_decimal(post, "price_max", "最高限价"),
            base_amount=_decimal(post, "base_amount", "下浮基数"),
            discount_max=_decimal(post, "discount_max", "最大下浮率"),
            bidding_rule=form.get("bidding_rule", ""), merit_rule=form.get("merit_rule", ""),
            long_list=_int(post, "long_list", "入围名单数"), short_list=_int(post, "short_list", "短名单数"),
            for_approval=form["for_approval"] == "1", item=item,
            contact_name=_text(post, "contact_name", 32), contact_phone=_text(post, "contact_phone", 20))
    except DomainError as exc:
        _refused(request, exc)
        return render(request, "intermediary/owner.html", _owner_ctx(request, form), status=400)
    messages.success(request, f"采购需求已登记（{p.code}），请核对后发布采购公告")
    return redirect("intermediary:work", p.pk)


# -- the agency's workbench ------------------------------------------------------------------------------------


def _agency_or_refuse(user):
    agency = selectors.my_agency(user)
    if agency is None:
        raise DomainError("intermediary_no_agency", "请先填报中介机构入驻信息")
    return agency


@intermediary_pages
def agency_workbench(request):
    agency = selectors.my_agency(request.user)
    ctx: dict = {"agency": agency, "kinds": AgencyKind.choices}
    if agency is None:
        ctx["regions"] = list(Region.objects.filter(
            pk__in=Service.objects.filter(status=ServiceStatus.ACTIVE).values("region")).order_by("code"))
        return render(request, "intermediary/agency.html", ctx)
    signups = list(selectors.my_signups(request.user)[:200])
    signed = {s.purchase_id for s in signups if s.status != SignupStatus.WITHDRAWN}
    open_rows = [p for p in selectors.open_purchases_for(agency)[:100] if p.pk not in signed]
    public_credit = None
    if agency.status in selectors.PUBLIC_AGENCY + (AgencyStatus.DELISTED,):
        public_credit = selectors.credit_explained(agency.pk)
    ctx.update({
        "a": selectors.agency_private(agency), "offerings": list(agency.offerings.all()),
        "qualifications": list(Qualification.objects.order_by("code")), "services": selectors.services_list(),
        "open_purchases": open_rows, "signups": signups, "credit": public_credit,
        "appeals": list(agency.appeals.select_related("event__rule").order_by("-filed_at")[:50]),
        "appeal_kinds": Appeal.Kind.choices,
        "can_submit": agency.status in (AgencyStatus.DRAFT, AgencyStatus.RETURNED),
        "can_change": agency.status in (AgencyStatus.ACTIVE, AgencyStatus.SUSPENDED)})
    return render(request, "intermediary/agency.html", ctx)


def _agency_write(request, what: str) -> str:
    """One agency form; the success message."""
    post, files, user = request.POST, request.FILES, request.user
    if what == "register":
        region = Region.objects.filter(pk=_int(post, "region", "入驻超市区划") or 0).first()
        if region is None:
            raise DomainError("invalid_input", "请选择入驻的中介超市")
        kind = post.get("kind", "")
        if kind not in AgencyKind.values:
            raise _bad("主体类型")
        agencies.agency_register(
            region=region, user=user, name=_text(post, "name", 100), uscc=_text(post, "uscc", 18).upper(),
            kind=kind, legal_rep=_text(post, "legal_rep", 32), contact_name=_text(post, "contact_name", 32),
            contact_id_number=_text(post, "contact_id_number", 18).upper(),
            contact_phone=_text(post, "contact_phone", 20), home_region=_text(post, "home_region", 100),
            address=_text(post, "address", 200), intro=_text(post, "intro", 2000), licence=files.get("licence"),
            pledge=files.get("pledge"))
        return "入驻信息已保存，请补充资质证书、执业人员和承接服务后提交审核"
    agency = _agency_or_refuse(user)
    if what == "certificate":
        qualification = Qualification.objects.filter(pk=_int(post, "qualification", "资质类别") or 0).first()
        if qualification is None:
            raise DomainError("invalid_input", "请选择资质类别")
        agencies.certificate_add(
            agency=agency, user=user, qualification=qualification, number=_text(post, "number", 64),
            valid_until=_required(_date(post, "valid_until", "有效期至"), "有效期至"),
            level=_text(post, "level", 32), issuer=_text(post, "issuer", 100), file=files.get("file"))
        return "资质证书已登记"
    if what == "practitioner":
        agencies.practitioner_add(agency=agency, user=user, name=_text(post, "name", 32),
                                  id_number=_text(post, "id_number", 18).upper(), title=_text(post, "title", 64),
                                  certificate_no=_text(post, "certificate_no", 64))
        return "执业人员已登记"
    if what == "offering":
        service = selectors.service_get(post.get("service", ""))
        agencies.offering_set(agency=agency, user=user, service=service,
                              price_min=_decimal(post, "price_min", "收费下限"),
                              price_max=_decimal(post, "price_max", "收费上限"),
                              price_note=_text(post, "price_note", 200))
        return f"已登记承接“{service.name}”"
    if what == "offering_withdraw":
        service = selectors.service_get(post.get("service", ""))
        agencies.offering_withdraw(agency=agency, user=user, service=service)
        return f"已退出承接“{service.name}”（已报名和已签合同的项目不受影响）"
    if what == "submit":
        agencies.agency_submit(agency=agency, user=user)
        return "入驻申请已提交，等待中介超市管理机构审核"
    if what == "change":
        fields = ("name", "legal_rep", "address", "contact_name", "contact_phone", "intro")
        data = {f: _text(post, f, 200) for f in fields if _text(post, f, 200)}
        if not data:
            raise DomainError("invalid_input", "请填写需要变更的内容")
        agencies.agency_change_submit(agency=agency, user=user, data=data)
        return "信息变更已提交，审核通过后生效"
    if what == "appeal":
        kind = post.get("kind", "")
        if kind not in Appeal.Kind.values:
            raise _bad("类型")
        event_id = _int(post, "event", "所涉失信记录")
        event = agency.credit_events.filter(pk=event_id).first() if event_id else None
        if event_id and event is None:
            raise DomainError("invalid_input", "所涉失信记录不存在")
        credit.appeal_file(agency=agency, user=user, kind=kind, reason=_text(post, "reason", 2000), event=event)
        return "申诉/修复申请已提交"
    raise NotFound("不支持的操作")


@require_POST
@intermediary_pages
def agency_act(request, what: str):
    return _workbench_post(request, _agency_write, what, "intermediary:agency")


@require_POST
@intermediary_pages
def agency_signup(request, purchase_id: int):
    """Sign up from the agency's workbench (the purchase's page offers the same form)."""
    _act(request, purchase_id, "signup")
    return redirect("intermediary:agency")


# -- the administrator -----------------------------------------------------------------------------------------


def _admin_staff(user):
    staff = selectors.staff_with_role_any(user, Role.INTERMEDIARY_ADMIN)
    if staff is None:
        raise PermissionDenied("仅限中介超市管理员使用")
    return staff


@intermediary_pages
def manage_page(request):
    staff = _admin_staff(request.user)
    queue = selectors.admin_queue(request.user)
    return render(request, "intermediary/manage.html", {
        "staff": staff, "queue": queue, "agencies": selectors.admin_agencies(request.user)[:500],
        "rules": list(CreditRule.objects.filter(source=CreditSource.MARKET).order_by("code")),
        "month": clock.today().replace(day=1).strftime("%Y-%m")})


def _manage_write(request, what: str) -> str:
    post, user = request.POST, request.user
    staff = _admin_staff(user)

    def agency():
        found = selectors.admin_agencies(user).filter(pk=_int(post, "agency_id", "中介机构") or 0).first()
        if found is None:
            raise NotFound("未找到该中介机构，或不在您管理的区划")
        return found

    if what == "review":
        a = agency()
        agencies.agency_review(agency=a, staff=staff, approve=_yes(post, "approve"), note=_text(post, "note", 300))
        return f"已审核“{a.name}”"
    if what == "review_change":
        change = selectors.admin_queue(user)["changes"].filter(pk=_int(post, "change_id", "变更") or 0).first()
        if change is None:
            raise NotFound("未找到该待审核的变更")
        agencies.agency_change_review(change=change, staff=staff, approve=_yes(post, "approve"),
                                      note=_text(post, "note", 300))
        return f"已审核“{change.agency.name}”的信息变更"
    if what == "status":
        what = post.get("op", "")
        if what not in ("suspend", "restore", "delist"):
            raise DomainError("invalid_input", "请选择暂停选取、恢复选取或清退")
    if what in ("suspend", "restore", "delist"):
        a = agency()
        service = {"suspend": agencies.agency_suspend, "restore": agencies.agency_restore,
                   "delist": agencies.agency_delist}[what]
        service(agency=a, staff=staff, reason=_text(post, "reason", 300))
        return {"suspend": "已暂停选取", "restore": "已恢复选取", "delist": "已清退"}[what] + f"：{a.name}"
    if what == "market_score":
        a = agency()
        credit.market_score_set(agency=a, staff=staff, month=_required(_month(post), "月份"),
                                score=_required(_decimal(post, "score", "评分"), "评分"), note=_text(post, "note", 300))
        return f"已登记“{a.name}”的超市管理机构评价"
    if what == "credit_event":
        a = agency()
        credit.credit_event_add(agency=a, staff=staff, rule_code=_text(post, "rule_code", 32),
                                note=_text(post, "note", 300))
        return f"已记录“{a.name}”的失信行为"
    if what == "run_month":
        month = _required(_month(post), "月份")
        n = credit.credit_month_compute(month=month, region=staff.region)
        return f"已完成 {month:%Y年%m月} 信用评价，共 {n} 家机构"
    if what == "appeal":
        appeal = selectors.admin_queue(user)["appeals"].filter(pk=_int(post, "appeal_id", "申诉") or 0).first()
        if appeal is None:
            raise NotFound("未找到该待处理的申诉")
        credit.appeal_decide(appeal=appeal, staff=staff, upheld=_yes(post, "upheld"),
                             decision=_text(post, "decision", 300))
        return f"已处理“{appeal.agency.name}”的{appeal.get_kind_display()}"
    raise NotFound("不支持的操作")


@require_POST
@intermediary_pages
def manage_act(request, what: str):
    return _workbench_post(request, _manage_write, what, "intermediary:manage")


# -- the supervisor --------------------------------------------------------------------------------------------


def _supervisor(user):
    staff = selectors.staff_with_role_any(user, Role.INTERMEDIARY_SUPERVISOR)
    if staff is None:
        raise PermissionDenied("仅限中介服务监管人员使用")
    return staff


def _supervised_agencies(staff):
    """Admitted agencies offering a service of the supervisor's department (read here: no selector)."""
    offerings = Offering.objects.exclude(status=OfferingStatus.WITHDRAWN).filter(
        agency__status__in=selectors.PUBLIC_AGENCY)
    if staff.department_id is not None:
        offerings = offerings.filter(service__department_id=staff.department_id)
    return Agency.objects.filter(pk__in=offerings.values("agency_id")).order_by("name", "id")


@intermediary_pages
def supervise_page(request):
    staff = _supervisor(request.user)
    return render(request, "intermediary/supervise.html", {
        "staff": staff, "purchases": selectors.supervised_purchases(request.user)[:200],
        "agencies": list(_supervised_agencies(staff)),
        "rules": list(CreditRule.objects.filter(source=CreditSource.DEPARTMENT).order_by("code")),
        "month": clock.today().replace(day=1).strftime("%Y-%m")})


def _supervise_write(request, what: str) -> str:
    post = request.POST
    staff = _supervisor(request.user)
    agency = _supervised_agencies(staff).filter(pk=_int(post, "agency_id", "中介机构") or 0).first()
    if agency is None:
        raise NotFound("未找到该中介机构，或其不承接本部门监管的中介服务")
    if what == "department_score":
        credit.department_score_set(agency=agency, staff=staff, month=_required(_month(post), "月份"),
                                    score=_required(_decimal(post, "score", "评分"), "评分"),
                                    note=_text(post, "note", 300))
        return f"已登记“{agency.name}”的行业主管部门评价"
    if what == "credit_event":
        credit.credit_event_add(agency=agency, staff=staff, rule_code=_text(post, "rule_code", 32),
                                note=_text(post, "note", 300))
        return f"已记录“{agency.name}”的失信行为"
    raise NotFound("不支持的操作")


@require_POST
@intermediary_pages
def supervise_act(request, what: str):
    return _workbench_post(request, _supervise_write, what, "intermediary:supervise")


# -- the approval-time report ----------------------------------------------------------------------------------


def _report_date(raw: str, default: dt.date, label: str) -> dt.date:
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise DomainError("invalid_date", f"请按“年-月-日”填写{label}") from None


@intermediary_pages
def approval_report(request):
    """审批用时与含中介服务的总用时 side by side (the issue's report)."""
    today = clock.today()
    try:
        since = _report_date(request.GET.get("since", ""), today.replace(month=1, day=1), "开始日期")
        until = _report_date(request.GET.get("until", ""), today, "结束日期")
        report = selectors.approval_time_report(user=request.user, since=since, until=until)
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        return _message(request, exc.message, 400)
    return render(request, "intermediary/report.html", {"report": report})
