"""公共资源交易 pages: the public notices and project pages, the agency/centre/supervisor workbench with a
round page offering the actions allowed now, the bidder's page (documents, a bid sealed in the browser,
decryption at the opening), the expert's page (score, reject, sign) and the supervisor's page (flags, draw
logs). Every write goes through the services (via ``api.tender_act`` for the round's actions); refusals
show their Chinese message on the page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import wraps

import pydantic
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied

from . import selectors
from .api_schemas import ActionIn
from .models import (
    Bid,
    BidStatus,
    Category,
    ComplaintMatter,
    ComplaintStatus,
    DepositForm,
    FlagStatus,
    NotFirstReason,
    ObjectionStage,
    ObjectionStatus,
    Regime,
    RejectReason,
    TenderStatus,
)
from .services import experts
from .services.common import SHANGHAI
from .transitions import TENDER_ACTIONS, TRANSITIONS

PAGE_SIZE = 20
MESSAGE = "trading/message.html"


def _message(request, message: str, status: int):
    return render(request, MESSAGE, {"message": message}, status=status)


def trading_pages(view):
    """Logged in; a ``PermissionDenied``/``NotFound`` from the view becomes the Chinese message page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, NotFound) as exc:
            return _message(request, exc.message, exc.status)

    return login_required(wrapper)


# -- public --------------------------------------------------------------------------------------------------


def public_list(request):
    status = request.GET.get("status", "")
    status = status if status in selectors.PUBLIC_STATUSES else ""
    regime = request.GET.get("regime", "")
    regime = regime if regime in Regime.values else ""
    q = request.GET.get("q", "").strip()[:100]
    qs = selectors.project_list_public(status=status, regime=regime, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"p": p, "latest": selectors.latest_public_round(p)} for p in page.object_list]
    statuses = [(s, label) for s, label in TenderStatus.choices if s in selectors.PUBLIC_STATUSES]
    return render(request, "trading/list.html", {
        "page_obj": page, "rows": rows, "statuses": statuses, "regimes": Regime.choices,
        "selected": {"status": status, "regime": regime, "q": q}})


def project_page(request, code: str):
    try:
        project = selectors.project_get_public(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    data = selectors.project_public(project)
    return render(request, "trading/project.html", {"project": project, "data": data})


# -- workbench ---------------------------------------------------------------------------------------------


@trading_pages
def manage(request):
    if not selectors.can_manage(request.user):
        raise PermissionDenied("交易工作台仅限代理机构、招标人/采购人经办人、交易中心管理员和交易监督人员使用")
    rows = []
    for p in selectors.projects_for_manager(request.user)[:200]:
        rounds = list(p.tenders.all())
        rows.append({"p": p, "rounds": rounds,
                     "may_retender": bool(rounds) and rounds[-1].status == TenderStatus.FAILED
                     and p.status not in ("contracted", "completed", "cancelled")})
    return render(request, "trading/manage.html", {"rows": rows, **_register_choices(request.user)})


def _register_choices(user) -> dict:
    """What the 登记交易项目 form offers this user: the trading centres, the buyers it may register for (its
    own; a centre administrator: any), the agencies, the 行政监督部门 of the centres' regions."""
    from zhengwu.org.models import Department, Hall

    from .models import Method, Party

    admin = selectors.centre_admin(user)
    halls = Hall.objects.filter(kind=Hall.Kind.TRADING_CENTER, is_active=True).order_by("code")
    own_agencies = list(user.trading_parties.filter(is_agency=True))
    if admin is not None:
        halls = halls.filter(pk=admin.hall_id) if admin.hall_id else halls.filter(region_id=admin.region_id)
    # an agency registers for its client, a centre administrator for any buyer, a buyer for itself
    buyers = Party.objects.filter(is_buyer=True) if admin is not None or own_agencies \
        else user.trading_parties.filter(is_buyer=True)
    if admin is None and not own_agencies and not buyers.exists():
        return {"may_register": False}
    halls = list(halls)
    return {"may_register": bool(halls), "halls": halls, "buyers": list(buyers.order_by("name")[:500]),
            "agencies": list(Party.objects.filter(is_agency=True).order_by("name")[:500]),
            "own_agencies": own_agencies,
            "departments": list(Department.objects.filter(region_id__in={h.region_id for h in halls})
                                .order_by("code")),
            "regimes": Regime.choices, "categories": [(c.value, c.label) for c in Category],
            "methods": Method.choices}


@require_POST
@trading_pages
def project_register(request):
    """登记交易项目 (and, for the buyer or its agency, the first round in 待发布) from the workbench form; one
    transaction, so a refused round leaves no project behind."""
    from django.db import transaction

    from zhengwu.org.models import Department, Hall

    from .models import Party
    from .services import lifecycle

    post = request.POST
    try:
        hall = Hall.objects.filter(code=post.get("hall", ""), kind=Hall.Kind.TRADING_CENTER).first()
        if hall is None:
            raise DomainError("trading_hall", "请选择交易中心")
        buyer = Party.objects.filter(uscc=post.get("buyer", ""), is_buyer=True).first()
        if buyer is None:
            raise DomainError("trading_buyer", "请选择招标人/采购人")
        agency = None
        if post.get("agency"):
            agency = Party.objects.filter(uscc=post.get("agency"), is_agency=True).first()
            if agency is None:
                raise DomainError("trading_agency", "所选代理机构未登记")
        supervisor = Department.objects.filter(code=post.get("supervisor", "")).first()
        if supervisor is None:
            raise DomainError("trading_supervisor", "请选择行政监督部门")
        try:
            estimate = Decimal((post.get("estimate") or "").replace(",", "").strip())
            percent = int(post.get("state_fund_percent") or 100)
        except (InvalidOperation, ValueError):
            raise DomainError("invalid_input", "“估算价/预算金额”或“国有资金占比”填写不正确，请核对后重新提交") from None
        with transaction.atomic():
            project = lifecycle.project_create(
                user=request.user, hall=hall, regime=post.get("regime", ""), category=post.get("category", ""),
                name=(post.get("name") or "")[:200], buyer=buyer, agency=agency, supervisor=supervisor,
                estimate=estimate, state_fund_percent=percent, funding=(post.get("funding") or "财政资金")[:32],
                description=(post.get("description") or "")[:4000])
            tender = None
            if post.get("method"):
                tender = lifecycle.tender_create(project=project, user=request.user, method=post.get("method"),
                                                 title=(post.get("title") or "")[:200])
    except DomainError as exc:
        if isinstance(exc, (PermissionDenied, NotFound)):
            raise
        messages.error(request, exc.message)
        return redirect("trading:manage")
    messages.success(request, f"已登记交易项目 {project.code}" + ("，第1次招标待发布" if tender else ""))
    return redirect("trading:round", tender.pk) if tender else redirect("trading:manage")


@require_POST
@trading_pages
def project_retender(request, code: str):
    """重新招标 after a failed round: a new 待发布 round with the same method (or the one chosen)."""
    from .services import lifecycle

    project = selectors.projects_for_manager(request.user).filter(code=code).first()
    if project is None:
        raise NotFound("未找到该交易项目")
    try:
        tender = lifecycle.tender_retender(project=project, user=request.user,
                                           method=request.POST.get("method") or None)
    except DomainError as exc:
        if isinstance(exc, (PermissionDenied, NotFound)):
            raise
        messages.error(request, exc.message)
        return redirect("trading:manage")
    messages.success(request, f"已新建第{tender.round}次招标，待发布")
    return redirect("trading:round", tender.pk)


FIELD_LABELS = {
    "documents_from": "招标文件发出时间", "documents_until": "发售截止时间", "bid_deadline": "投标截止时间",
    "opening_place": "开标地点", "bid_deposit": "投标保证金", "deposit_form": "保证金形式",
    "bid_validity_days": "投标有效期", "max_price": "最高投标限价", "summary": "澄清/修改内容",
    "new_deadline": "新的投标截止时间", "objection_id": "异议", "answer": "答复内容", "specialty": "抽取专业",
    "size": "人数", "buyer_reps": "招标人代表人数", "member_id": "成员", "publicity_days": "公示期",
    "rank": "排名", "not_first_reason": "理由", "contract_no": "合同编号", "amount": "金额", "signed_on": "签订日期",
    "performance_bond": "履约保证金", "period_end": "履约期限", "refund_id": "保证金退还记录",
    "refunded_on": "退还日期", "interest": "利息", "paid_on": "支付日期", "accepted_on": "验收日期",
    "note": "说明", "reason": "原因", "text": "异议内容", "stage": "异议对象",
    "application_deadline": "资格预审申请文件提交截止时间", "passed": "通过资格预审的申请人",
    "rep_username": "招标人代表的登录账号",
}
BOOLEAN_FIELDS = ("affects_bids", "upheld", "keep", "prequalification")


def action_body(post) -> ActionIn:
    """An ``ActionIn`` from a page form: empty fields left out, datetimes without a zone taken as Beijing
    time; invalid input is a ``DomainError`` naming the field in Chinese."""
    data: dict = {}
    for name in ActionIn.model_fields:
        if name in ("invitees", "passed"):
            values = [v for raw in post.getlist(name) for v in re.split(r"[\s,，;；]+", raw) if v]
            if values:
                data[name] = values
        elif name in BOOLEAN_FIELDS:
            data[name] = post.get(name) in ("1", "on", "true")
        elif post.get(name, "").strip():
            data[name] = post.get(name).strip()
    try:
        body = ActionIn.model_validate(data)
    except pydantic.ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0]) if exc.errors() else ""
        raise DomainError("invalid_input", f"“{FIELD_LABELS.get(field, field)}”填写不正确，请核对后重新提交") from None
    for name in ("documents_from", "documents_until", "bid_deadline", "new_deadline", "application_deadline"):
        value = getattr(body, name)
        if value is not None and timezone.is_naive(value):
            setattr(body, name, timezone.make_aware(value, SHANGHAI))
    return body


def _round_context(tender, user) -> dict:
    from .models import Objection, Refund

    opened = selectors.deadline_passed(tender) and tender.opened_at is not None
    committee = None
    if hasattr(tender, "committee"):
        try:
            committee = experts.committee_view(tender=tender, user=user)
        except DomainError:  # this user may not see the committee: the page shows the round without it
            committee = None
    return {
        "tender": tender, "project": tender.project, "data": selectors.round_public(tender),
        "actions": selectors.allowed_actions(tender, user), "roles": selectors.user_roles(tender, user),
        "objections": list(Objection.objects.filter(tender=tender).select_related("raised_by").order_by("id")),
        "open_objections": list(Objection.objects.filter(tender=tender, status=ObjectionStatus.OPEN)),
        "refunds": list(Refund.objects.filter(tender=tender).select_related("bidder").order_by("id")),
        "obtains": list(tender.obtains.select_related("bidder").order_by("obtained_at")) if opened else None,
        "committee": committee, "committee_row": getattr(tender, "committee", None) if hasattr(tender, "committee")
        else None,
        "deposit_forms": DepositForm.choices, "not_first_reasons": NotFirstReason.choices,
        "today": clock.today().isoformat(),
    }


@trading_pages
def manage_tender(request, tender_id: int):
    tender = selectors.tender_get_for_manager(tender_id=tender_id, user=request.user)
    return render(request, "trading/round.html", _round_context(tender, request.user))


@require_POST
@trading_pages
def manage_act(request, tender_id: int, action: str):
    from .api import tender_act

    tender = selectors.tender_get_for_manager(tender_id=tender_id, user=request.user)
    if action not in TENDER_ACTIONS:
        raise NotFound("不支持的操作")
    try:
        result = tender_act(tender=tender, user=request.user, action=action, b=action_body(request.POST))
    except DomainError as exc:
        if isinstance(exc, (PermissionDenied, NotFound)):
            raise
        messages.error(request, exc.message)
    else:
        done = TRANSITIONS[action].label
        extra = "；".join(f"{v}" for v in result.values() if v) if result else ""
        messages.success(request, f"已{done}" + (f"（{extra}）" if extra else ""))
    return redirect("trading:round", tender_id)


# -- bidders ---------------------------------------------------------------------------------------------------


def _bidder_ctx(request, tender):
    from .services import bids

    parties = list(selectors.bidder_parties(request.user))
    if not parties:
        raise PermissionDenied("投标页面仅限投标人/供应商的授权代表使用")
    chosen = request.GET.get("bidder") or request.POST.get("bidder") or ""
    party = next((p for p in parties if p.uscc == chosen), parties[0])
    status: dict = {}
    try:
        status = dict(bids.bid_status_for_bidder(tender=tender, user=request.user, bidder=party))
    except DomainError:
        status = {}
    obtained = tender.obtains.filter(bidder=party).exists()
    bid = Bid.objects.filter(tender=tender, bidder=party).first() if selectors.deadline_passed(tender) else None
    return {"tender": tender, "project": tender.project, "data": selectors.round_public(tender),
            "complaints": list(tender.complaints.filter(complainant=party).order_by("-filed_at")),
            "complaint_matters": ComplaintMatter.choices,
            "parties": parties, "party": party, "status": status, "obtained": obtained, "bid": bid,
            "deadline_passed": selectors.deadline_passed(tender), "objection_stages": ObjectionStage.choices,
            "can_submit": tender.status == TenderStatus.PUBLISHED and not selectors.deadline_passed(tender),
            "can_decrypt": tender.status == TenderStatus.OPENING and bid is not None
            and bid.status == BidStatus.SEALED and bid.decrypted_at is None}


@trading_pages
def bid_page(request, tender_id: int):
    tender = selectors.tender_get_public(tender_id=tender_id)
    return render(request, "trading/bid.html", _bidder_ctx(request, tender))


@require_POST
@trading_pages
def bid_act(request, tender_id: int, what: str):
    from .api import envelope_read, tender_act
    from .services import bids

    tender = selectors.tender_get_public(tender_id=tender_id)
    ctx = _bidder_ctx(request, tender)
    party, user = ctx["party"], request.user
    try:
        if what == "obtain":
            tender_act(tender=tender, user=user, action="obtain", b=ActionIn(bidder=party.uscc))
            messages.success(request, "已获取招标文件")
        elif what == "object":
            tender_act(tender=tender, user=user, action="object", b=action_body(request.POST).model_copy(
                update={"bidder": party.uscc}))
            messages.success(request, "异议已提交")
        elif what == "submit":
            upload = request.FILES.get("envelope")
            if upload is None:
                raise DomainError("trading_bid_missing", "请选择投标文件并在本机加密后上传")
            receipt = bids.bid_submit(tender=tender, user=user, bidder=party, envelope=envelope_read(upload),
                                      ip=request.META.get("REMOTE_ADDR", ""),
                                      device=(request.POST.get("device") or "")[:64])
            messages.success(request, f"投标文件已递交，回执号 {receipt['receipt']}")
        elif what == "withdraw":
            bids.bid_withdraw(tender=tender, user=user, bidder=party)
            messages.success(request, "投标文件已撤回")
        elif what == "decrypt":
            bids.bid_decrypt(tender=tender, user=user, bidder=party, passphrase=request.POST.get("passphrase", ""))
            messages.success(request, "投标文件已解密")
        elif what == "complain":
            from .services import complaints

            c = complaints.complaint_file(tender=tender, user=user, complainant=party,
                                          matter=request.POST.get("matter", ""),
                                          text=request.POST.get("text", ""),
                                          known_on=_date_field(request.POST.get("known_on", ""),
                                                               "知道或者应当知道投诉事项之日"))
            messages.success(request, f"投诉已提交行政监督部门，将于{c.accept_due:%Y年%m月%d日}前决定是否受理")
        else:
            raise NotFound("不支持的操作")
    except DomainError as exc:
        if isinstance(exc, (PermissionDenied, NotFound)):
            raise
        messages.error(request, exc.message)
    url = f"/trading/bid/{tender.pk}/"
    return redirect(url + (f"?bidder={party.uscc}" if len(ctx["parties"]) > 1 else ""))


# -- experts -------------------------------------------------------------------------------------------------


def _expert(request):
    """(the user's pool record or None, their active seats): an expert of the pool, or a 招标人代表 given a
    seat's account (they score and sign on the same pages)."""
    expert = selectors.expert_for(request.user)
    seats = selectors.seats_for_user(request.user)
    if expert is None and not seats:
        raise PermissionDenied("评标专家页面仅限专家库内的评标专家和评标委员会中的招标人代表使用")
    return expert, seats


@trading_pages
def expert_page(request):
    expert, seats = _expert(request)
    return render(request, "trading/expert.html", {"expert": expert, "seats": seats})


@trading_pages
def expert_tender(request, tender_id: int):
    from .models import Score

    expert, seats = _expert(request)
    seat = next((s for s in seats if s.committee.tender_id == tender_id), None)
    if seat is None:
        raise PermissionDenied("您不是该项目评标委员会的成员")
    tender = seat.committee.tender
    bids = list(Bid.objects.filter(tender=tender, status__in=[BidStatus.DECRYPTED, BidStatus.VALID,
                                                               BidStatus.REJECTED])
                .select_related("bidder").order_by("id")) if tender.status != TenderStatus.PUBLISHED else []
    mine = {s.bid_id: s for s in Score.objects.filter(member=seat)}
    rows = [{"bid": b, "score": mine.get(b.pk)} for b in bids]
    return render(request, "trading/expert_tender.html", {
        "expert": expert, "seat": seat, "tender": tender, "project": tender.project, "rows": rows,
        "reject_reasons": RejectReason.choices, "can_score": tender.status == TenderStatus.EVALUATING,
        "all_scored": bool(rows) and all(r["score"] for r in rows)})


@require_POST
@trading_pages
def expert_act(request, tender_id: int, what: str):
    from .services import experts

    _expert(request)
    tender = selectors.tender_get_public(tender_id=tender_id)
    try:
        if what == "score":
            bid = Bid.objects.filter(pk=request.POST.get("bid_id") or 0, tender=tender).first()
            if bid is None:
                raise NotFound("未找到该投标文件")
            reject = request.POST.get("reject_reason", "")
            if reject and reject not in RejectReason.values:
                raise DomainError("invalid_input", "否决投标的情形须从实施条例第五十一条所列情形中选择")
            raw = (request.POST.get("score") or "").strip()
            try:
                score = Decimal(raw) if raw and not reject else None
            except InvalidOperation:
                raise DomainError("invalid_input", "得分应为 0 至 100 之间的数字") from None
            experts.score_submit(tender=tender, user=request.user, bid=bid, score=score, reject_reason=reject,
                                 comment=(request.POST.get("comment") or "")[:500])
            messages.success(request, f"已保存对{bid.bidder.name}的评审")
        elif what == "sign":
            experts.report_sign(tender=tender, user=request.user)
            messages.success(request, "已签署评标报告")
        else:
            raise NotFound("不支持的操作")
    except DomainError as exc:
        if isinstance(exc, (PermissionDenied, NotFound)):
            raise
        messages.error(request, exc.message)
    return redirect("trading:expert_tender", tender_id)


# -- supervisors --------------------------------------------------------------------------------------------


def _date_field(value: str, label: str):
    """A date typed in a form (YYYY-MM-DD), or a Chinese refusal naming the field."""
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise DomainError("invalid_date", f"请按“年-月-日”填写{label}") from None


@trading_pages
def supervise(request):
    from .services import complaints

    open_complaints = list(complaints.complaints_for(request.user)
                           .filter(status__in=[ComplaintStatus.FILED, ComplaintStatus.ACCEPTED])[:200]) \
        if selectors.supervisor(request.user) is not None else []
    flags = list(selectors.flags_for_supervisor(request.user)[:200])
    committees = list(selectors.committees_for_supervisor(request.user)[:100])
    for c in committees:
        c.visible_log = experts.draw_log_visible(c)
    return render(request, "trading/supervise.html", {
        "flags": flags, "committees": committees, "complaints": open_complaints,
        "review_statuses": [(FlagStatus.CONFIRMED, FlagStatus.CONFIRMED.label),
                            (FlagStatus.DISMISSED, FlagStatus.DISMISSED.label)]})


@require_POST
@trading_pages
def flag_review(request, flag_id: int):
    from .services import flags

    flag = selectors.flag_get_for_supervisor(flag_id=flag_id, user=request.user)
    status = request.POST.get("status", "")
    try:
        if status not in (FlagStatus.CONFIRMED, FlagStatus.DISMISSED):
            raise DomainError("invalid_input", "请选择核查结论：查实或排除")
        flags.flag_review(flag=flag, user=request.user, status=status, note=(request.POST.get("note") or "")[:500])
        messages.success(request, "已登记核查结论")
    except DomainError as exc:
        if isinstance(exc, (PermissionDenied, NotFound)):
            raise
        messages.error(request, exc.message)
    return redirect("trading:supervise")



@require_POST
@trading_pages
def complaint_handle(request, complaint_id: int, what: str):
    """受理 / 不予受理 / 处理决定 of a complaint by the project's 行政监督部门 (the services check who may)."""
    from .services import complaints

    if selectors.supervisor(request.user) is None:
        raise PermissionDenied("投诉由项目的行政监督部门的交易监督人员处理")
    complaint = complaints.complaints_for(request.user).filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound("未找到该投诉")
    try:
        if what == "accept":
            complaints.complaint_accept(complaint=complaint, user=request.user,
                                        suspend=request.POST.get("suspend") == "1")
            messages.success(request, "已受理投诉")
        elif what == "reject":
            complaints.complaint_reject(complaint=complaint, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "已决定不予受理并告知投诉人")
        elif what == "decide":
            complaints.complaint_decide(complaint=complaint, user=request.user,
                                        decision=request.POST.get("decision", ""),
                                        upheld=request.POST.get("upheld") == "1")
            messages.success(request, "已作出投诉处理决定")
        else:
            raise NotFound("不支持的操作")
    except DomainError as exc:
        if isinstance(exc, (PermissionDenied, NotFound)):
            raise
        messages.error(request, exc.message)
    return redirect("trading:supervise")
