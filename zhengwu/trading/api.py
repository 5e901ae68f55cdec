"""The trading API (``/api/trading``): projects and rounds, actions as
``POST /api/trading/tenders/{id}/actions/{action}``, bids, experts, flags, and the OCDS feeds.

The public reads (project list and detail) need no login and show what the public pages show: never a
bidder, nor the number of bids or of those who obtained the documents, before the opening. Everything
else needs a session or a token (``zhengwu.api.AUTH``); the services check who may do what.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from ninja import File, Form, Query, Router
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from zhengwu.api import AUTH
from zhengwu.cases.api_docs import _errors
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.pagination import page, page_limit, page_offset
from zhengwu.core.validators import mask_id_number, validate_uscc
from zhengwu.org.models import Department, Hall

from . import selectors
from .api_schemas import (
    ActionIn,
    ActionOut,
    BidOut,
    BidStatusOut,
    CommitteeSigned,
    DecryptIn,
    ExpertIn,
    ExpertOut,
    FlagOut,
    FlagReviewIn,
    ProjectBrief,
    ProjectCreated,
    ProjectIn,
    ProjectOut,
    ReceiptOut,
    ScoreIn,
    ScoreOut,
    TenderIn,
    TenderOut,
    TradingAction,
    TradingRegime,
    TradingTenderStatus,
    WithdrawIn,
)
from .models import Bid, Contract, Expert, Objection, Party, Project, Refund, Tender

router = Router(tags=["公共资源交易"])


def _user(request):
    return request.auth if hasattr(request.auth, "pk") else request.user


def _party(uscc: str, *, label: str) -> Party:
    code = validate_uscc(uscc)
    party = Party.objects.filter(uscc=code).first()
    if party is None:
        raise NotFound(f"未找到{label}（统一社会信用代码 {code}）", code="party_not_found")
    return party


def _tender(tender_id: int) -> Tender:
    tender = (Tender.objects.select_related("project__buyer", "project__agency", "project__hall",
                                            "project__region", "project__supervisor")
              .filter(pk=tender_id).first())
    if tender is None:
        raise NotFound("未找到该招标（采购）项目")
    return tender


def _tender_out(t: Tender) -> dict:
    return {"id": t.pk, "project": t.project.code, "round": t.round, "method": t.method, "status": t.status,
            "status_label": t.get_status_display(), "title": t.title, "paused": t.paused,
            "bid_deadline": t.bid_deadline}


def _brief(p: Project) -> dict:
    latest = selectors.latest_public_round(p)
    return {"code": p.code, "name": p.name, "regime": p.regime, "regime_label": p.get_regime_display(),
            "category": p.category, "category_label": p.get_category_display(), "buyer": p.buyer.name,
            "agency": p.agency.name if p.agency else "", "hall": p.hall.name, "estimate": p.estimate,
            "latest_status": latest.status if latest else None,
            "latest_status_label": latest.get_status_display() if latest else "",
            "bid_deadline": latest.bid_deadline if latest else None}


# -- public ------------------------------------------------------------------------------------------------

_STATUS_QUERY = Query(None, description="按轮次状态筛选")
_REGIME_QUERY = Query(None, description="engineering 工程建设；procurement 政府采购")
_Q_QUERY = Query("", max_length=100, description="按项目名称或编号查找")
_ENVELOPE_FILE = File(..., description="加密后的投标文件")
_BIDDER_FORM = Form("", max_length=18, description="代表的投标人统一社会信用代码（只代表一家时可不填）")
_DEVICE_FORM = Form("", max_length=64, description="上传设备标识（网页自动填写）")
_BIDDER_QUERY = Query("", max_length=18, description="代表的投标人统一社会信用代码（只代表一家时可不填）")
_EXPERT_Q = Query("", max_length=50, description="按姓名、单位或专业查找")


@router.get("/projects", response={200: list[ProjectBrief], **_errors(422)}, auth=None,
            summary="交易公告列表（公开：只含已发布公告的项目）")
def project_list(request,
                 status: TradingTenderStatus | None = _STATUS_QUERY,
                 regime: TradingRegime | None = _REGIME_QUERY,
                 q: str = _Q_QUERY,
                 limit: int = page_limit(50),
                 offset: int = page_offset()):
    qs = selectors.project_list_public(status=status.value if status else "",
                                       regime=regime.value if regime else "", q=q)
    return [_brief(p) for p in page(qs, limit=limit, offset=offset)]


@router.get("/projects/{code}", response={200: ProjectOut, **_errors(404)}, auth=None,
            summary="交易项目详情（公开：公告、文件、澄清修改、开标记录、中标候选人公示、中标结果、合同）",
            description="投标截止前不含任何投标人、获取招标文件者及其数量。")
def project_detail(request, code: str):
    return selectors.project_public(selectors.project_get_public(code=code))


# -- agency / buyer --------------------------------------------------------------------------------------------


@router.post("/projects", response={201: ProjectCreated, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="登记交易项目（代理机构或招标人/采购人的经办人）")
def project_create(request, payload: ProjectIn):
    from .services import lifecycle

    user = _user(request)
    hall = Hall.objects.filter(code=payload.hall).select_related("region").first()
    if hall is None:
        raise NotFound(f"未找到交易中心 {payload.hall}", code="hall_not_found")
    department = Department.objects.filter(code=payload.supervisor).first()
    if department is None:
        raise NotFound(f"未找到行政监督部门 {payload.supervisor}", code="department_not_found")
    buyer = _party(payload.buyer, label="招标人/采购人")
    agency = _party(payload.agency, label="招标代理机构") if payload.agency else None
    acting = agency or buyer
    if not acting.members.filter(pk=user.pk).exists():
        raise PermissionDenied("只有代理机构（自行招标时为招标人/采购人）的经办人可以登记交易项目")
    project = lifecycle.project_create(
        user=user, hall=hall, regime=payload.regime.value, category=payload.category.value, name=payload.name,
        buyer=buyer, supervisor=department, estimate=payload.estimate, agency=agency,
        state_fund_percent=payload.state_fund_percent, funding=payload.funding, description=payload.description)
    return HttpStatus(201, {"code": project.code, "name": project.name, "status": project.status})


@router.post("/projects/{code}/tenders", response={201: TenderOut, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="新建招标（采购）轮次（待发布）")
def tender_create(request, code: str, payload: TenderIn):
    from .services import lifecycle

    project = Project.objects.filter(code=code).select_related("agency", "buyer").first()
    if project is None:
        raise NotFound("未找到该交易项目")
    tender = lifecycle.tender_create(project=project, user=_user(request), method=payload.method.value,
                                     title=payload.title, notice=payload.notice)
    return HttpStatus(201, _tender_out(tender))


def _need(value, label: str):
    if value in (None, ""):
        raise DomainError("missing_field", f"请填写{label}")
    return value


def _find(model, pk, tender: Tender, label: str, **extra):
    row = model.objects.filter(pk=pk or 0, **extra).first()
    if row is None:
        raise NotFound(f"未找到该{label}")
    return row


def tender_act(*, tender: Tender, user, action: str, b: ActionIn) -> dict:
    """Run ``action`` on ``tender`` with the fields of ``b``; the key facts of the outcome. Shared by
    the API and the round page."""
    from .services import bids, experts, lifecycle

    result: dict = {}
    if action == "publish":
        invitees = [_party(u, label="受邀投标人") for u in b.invitees]
        lifecycle.tender_publish(
            tender=tender, user=user, documents_from=_need(b.documents_from, "招标文件发出时间"),
            documents_until=_need(b.documents_until, "招标文件发售截止时间"),
            bid_deadline=_need(b.bid_deadline, "投标截止时间"), opening_place=b.opening_place,
            bid_deposit=b.bid_deposit, deposit_form=b.deposit_form.value, bid_validity_days=b.bid_validity_days,
            max_price=b.max_price, invitees=invitees, prequalification=b.prequalification)
    elif action == "publish_prequal":
        lifecycle.prequal_publish(
            tender=tender, user=user, documents_from=_need(b.documents_from, "资格预审文件发售开始时间"),
            documents_until=_need(b.documents_until, "资格预审文件发售截止时间"),
            application_deadline=_need(b.application_deadline, "资格预审申请文件提交截止时间"))
    elif action == "prequal_result":
        tender = lifecycle.prequal_result(tender=tender, user=user,
                                          passed=[_party(u, label="通过资格预审的申请人") for u in b.passed])
        result = {"status": tender.status}
    elif action in ("result_notice", "publish_contract", "file_contract"):
        {"result_notice": lifecycle.result_notice_publish, "publish_contract": lifecycle.contract_publish,
         "file_contract": lifecycle.contract_file}[action](tender=tender, user=user)
    elif action == "obtain":
        row = lifecycle.tender_obtain(tender=tender, user=user, bidder=selectors.bidder_for(user, b.bidder))
        result = {"obtained_at": row.obtained_at.isoformat()}
    elif action == "amend":
        row = lifecycle.tender_amend(tender=tender, user=user, summary=_need(b.summary, "澄清/修改内容"),
                                     affects_bids=b.affects_bids, new_deadline=b.new_deadline)
        result = {"amendment_seq": row.seq, "new_deadline": row.new_deadline.isoformat()}
    elif action == "object":
        row = lifecycle.objection_raise(tender=tender, user=user, bidder=selectors.bidder_for(user, b.bidder),
                                        stage=_need(b.stage, "异议对象").value, text=_need(b.text, "异议内容"))
        result = {"objection_id": row.pk, "answer_due": row.answer_due.isoformat()}
    elif action == "answer":
        objection = _find(Objection, b.objection_id, tender, "异议", tender=tender)
        lifecycle.objection_answer(objection=objection, user=user, answer=_need(b.answer, "答复内容"),
                                   upheld=b.upheld)
        result = {"objection_id": objection.pk}
    elif action == "open":
        bids.tender_open(tender=tender, user=user)
    elif action == "close_opening":
        bids.opening_close(tender=tender, user=user)
    elif action == "draw":
        committee = experts.committee_draw(tender=tender, user=user, specialty=_need(b.specialty, "抽取专业"),
                                           size=b.size, buyer_reps=b.buyer_reps)
        result = {"committee_size": committee.size}
    elif action == "replace_expert":
        from .models import CommitteeMember

        member = _find(CommitteeMember, b.member_id, tender, "评标委员会成员", committee__tender=tender)
        experts.committee_replace(tender=tender, user=user, member=member, reason=_need(b.reason, "回避/替换原因"))
    elif action == "assign_rep":
        from django.contrib.auth import get_user_model

        from .models import CommitteeMember

        member = _find(CommitteeMember, b.member_id, tender, "评标委员会成员", committee__tender=tender)
        rep = get_user_model().objects.filter(username=_need(b.rep_username.strip(), "招标人代表的登录账号"),
                                              is_active=True).first()
        if rep is None:
            raise NotFound("未找到该登录账号")
        experts.committee_rep_assign(tender=tender, user=user, member=member, rep_user=rep)
        result = {"member_id": member.pk}
    elif action == "publish_candidates":
        lifecycle.candidates_publish(tender=tender, user=user, publicity_days=b.publicity_days)
    elif action == "award":
        award = lifecycle.tender_award(tender=tender, user=user, rank=b.rank,
                                       not_first_reason=b.not_first_reason.value if b.not_first_reason else "")
        result = {"notice_no": award.notice_no, "supplier": award.supplier.name, "amount": str(award.amount)}
    elif action == "sign_contract":
        contract = lifecycle.contract_sign(
            tender=tender, user=user, contract_no=_need(b.contract_no, "合同编号"), amount=_need(b.amount, "合同金额"),
            signed_on=_need(b.signed_on, "签订日期"), performance_bond=b.performance_bond, period_end=b.period_end)
        result = {"contract_no": contract.contract_no}
    elif action == "refund":
        refund = _find(Refund, b.refund_id, tender, "保证金退还记录", tender=tender)
        if b.keep:
            lifecycle.refund_keep(refund=refund, user=user, reason=_need(b.reason, "不予退还原因"))
        else:
            lifecycle.refund_record(refund=refund, user=user, refunded_on=_need(b.refunded_on, "退还日期"),
                                    interest=b.interest)
        result = {"refund_id": refund.pk}
    elif action in ("pay", "accept"):
        contract = Contract.objects.filter(tender=tender).first()
        if contract is None:
            raise DomainError("trading_no_contract", "该项目尚未签订合同")
        if action == "pay":
            lifecycle.payment_record(contract=contract, user=user, paid_on=_need(b.paid_on, "支付日期"),
                                     amount=_need(b.amount, "支付金额"), note=b.note)
        else:
            lifecycle.contract_accept(contract=contract, user=user, accepted_on=_need(b.accepted_on, "验收日期"),
                                      note=b.note)
    elif action == "fail":
        lifecycle.tender_fail(tender=tender, user=user, reason=_need(b.reason, "流标/废标原因"))
    elif action == "cancel":
        lifecycle.tender_cancel(tender=tender, user=user, reason=_need(b.reason, "终止原因"))
    else:  # pragma: no cover - the enum keeps other values out
        raise DomainError("trading_action", "不支持的操作")
    return result


@router.post("/tenders/{tender_id}/actions/{action}", response={200: ActionOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH,
             summary="轮次操作：publish 发布公告、obtain 获取招标文件、amend 澄清/修改、object 异议、answer 答复异议、"
                     "open 开标、close_opening 结束开标、draw 抽取专家、replace_expert 专家回避替换、"
                     "publish_candidates 公示中标候选人、award 定标、sign_contract 签订合同、refund 退还保证金、"
                     "pay 合同支付、accept 履约验收、fail 流标/废标、cancel 终止",
             description="每个操作只使用请求体中与之相关的字段；期限、金额不符合法律规定的，答复中文说明并引用条文，项目不作任何改变。")
def tender_action(request, tender_id: int, action: TradingAction, body: ActionIn | None = None):
    tender = _tender(tender_id)
    result = tender_act(tender=tender, user=_user(request), action=action.value, b=body or ActionIn())
    tender.refresh_from_db()
    return {**_tender_out(tender), "action": action.value, "result": result}


# -- bidders ---------------------------------------------------------------------------------------------------


def _device(request, given: str) -> str:
    if given:
        return given[:64]
    ua = request.META.get("HTTP_USER_AGENT", "")
    return hashlib.sha256(ua.encode("utf-8")).hexdigest()[:32] if ua else ""


def envelope_read(upload) -> bytes:
    """The uploaded envelope's bytes, refused unread when larger than ``TRADING_BID_MAX_BYTES``, and
    refused when it is not a sealed envelope."""
    from . import sealing

    limit = settings.TRADING_BID_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise DomainError("trading_bid_too_large",
                          f"投标文件过大：{upload.size / 1048576:.1f} MB，超过上限 {limit / 1048576:.1f} MB，请压缩后重新加密上传",
                          status=413)
    data = upload.read(limit + 1)
    sealing.envelope_check(data)
    return data


@router.post("/tenders/{tender_id}/bid", response={200: ReceiptOut, **_errors(400, 401, 403, 404, 413, 422)},
             auth=AUTH, summary="递交（或替换）密封投标文件：上传在本机加密的投标文件（multipart，字段 envelope）",
             description="投标文件须由投标人用自己保管的口令加密（网页加密或 zhengwu trading_seal），服务器在开标前无法读取；"
                         "未加密或超过大小上限的文件被拒收。投标截止后不再接受。")
def bid_submit(request, tender_id: int, envelope: UploadedFile = _ENVELOPE_FILE,
               bidder: str = _BIDDER_FORM, device: str = _DEVICE_FORM):
    from .services import bids

    user = _user(request)
    tender = _tender(tender_id)
    party = selectors.bidder_for(user, bidder)
    data = envelope_read(envelope)
    receipt = bids.bid_submit(tender=tender, user=user, bidder=party, envelope=data,
                              ip=request.META.get("REMOTE_ADDR", ""), device=_device(request, device))
    return {"receipt": receipt["receipt"], "at": receipt["at"]}


@router.post("/tenders/{tender_id}/bid/withdraw", response={200: dict, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="撤回已递交的投标文件（投标截止前）")
def bid_withdraw(request, tender_id: int, body: WithdrawIn | None = None):
    from .services import bids

    user = _user(request)
    tender = _tender(tender_id)
    return bids.bid_withdraw(tender=tender, user=user, bidder=selectors.bidder_for(user, (body or WithdrawIn()).bidder))


@router.post("/tenders/{tender_id}/bid/decrypt", response={200: BidOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="开标时解密本投标人的投标文件（输入自行保管的口令）")
def bid_decrypt(request, tender_id: int, body: DecryptIn):
    from .services import bids

    user = _user(request)
    tender = _tender(tender_id)
    bid = bids.bid_decrypt(tender=tender, user=user, bidder=selectors.bidder_for(user, body.bidder),
                           passphrase=body.passphrase)
    return {"id": bid.pk, "bidder": bid.bidder.name, "status": bid.status, "status_label": bid.get_status_display(),
            "decrypted_at": bid.decrypted_at, "price": bid.price}


@router.get("/tenders/{tender_id}/bid", response={200: BidStatusOut, **_errors(401, 403, 404, 422)}, auth=AUTH,
            summary="本投标人的投标文件递交状态（只含本投标人自己的）")
def bid_status(request, tender_id: int, bidder: str = _BIDDER_QUERY):
    from .services import bids

    user = _user(request)
    tender = _tender(tender_id)
    party = selectors.bidder_for(user, bidder)
    info = dict(bids.bid_status_for_bidder(tender=tender, user=user, bidder=party))
    out = {"submitted": bool(info.pop("submitted", False)), "receipt": info.pop("receipt", None),
           "at": info.pop("at", None), "status": None, "status_label": None}
    if selectors.deadline_passed(tender):
        bid = Bid.objects.filter(tender=tender, bidder=party).first()
        if bid is not None:
            out.update(status=bid.status, status_label=bid.get_status_display())
    out["detail"] = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in info.items()
                     if isinstance(v, (str, int, float, bool)) or v is None or hasattr(v, "isoformat")}
    return out


# -- experts ---------------------------------------------------------------------------------------------------


@router.post("/tenders/{tender_id}/scores", response={200: ScoreOut, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="评标专家评分，或以实施条例第五十一条所列情形否决投标")
def score_submit(request, tender_id: int, body: ScoreIn):
    from .services import experts

    tender = _tender(tender_id)
    bid = Bid.objects.filter(pk=body.bid_id, tender=tender).select_related("bidder").first()
    if bid is None:
        raise NotFound("未找到该投标文件")
    s = experts.score_submit(tender=tender, user=_user(request), bid=bid, score=body.score,
                             reject_reason=body.reject_reason.value if body.reject_reason else "",
                             comment=body.comment)
    return {"id": s.pk, "bid_id": bid.pk, "score": s.score, "reject_reason": s.reject_reason,
            "comment": s.comment, "scored_at": s.scored_at}


@router.post("/tenders/{tender_id}/report/sign", response={200: CommitteeSigned, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="评标专家签署评标报告（全体签署后生成推荐排序）")
def report_sign(request, tender_id: int):
    from .services import experts

    user = _user(request)
    tender = _tender(tender_id)
    committee = experts.report_sign(tender=tender, user=user)
    me = committee.members.filter(expert__user=user).first()
    return {"tender_id": tender.pk, "signed_at": me.signed_at if me else None,
            "report_signed_at": committee.report_signed_at, "ranking": committee.ranking or []}


@router.get("/tenders/{tender_id}/committee", response={200: dict, **_errors(401, 403, 404, 422)}, auth=AUTH,
            summary="评标委员会（定标前专家姓名只对监督人员、交易中心显示；抽取记录只对监督人员显示）")
def committee_view(request, tender_id: int):
    from .services import experts

    return experts.committee_view(tender=_tender(tender_id), user=_user(request))


# -- supervisors ---------------------------------------------------------------------------------------------


def _flag_out(f) -> dict:
    return {"id": f.pk, "tender_id": f.tender_id, "project": f.tender.project.code,
            "project_name": f.tender.project.name, "kind": f.kind, "kind_label": f.get_kind_display(),
            "bidders": [p.name for p in f.bidders.all()], "evidence": f.evidence, "created_at": f.created_at,
            "status": f.status, "status_label": f.get_status_display(), "review_note": f.review_note}


@router.get("/flags", response={200: list[FlagOut], **_errors(401, 403, 422)}, auth=AUTH,
            summary="串通投标预警（行政监督部门的交易监督人员）")
def flag_list(request, limit: int = page_limit(50), offset: int = page_offset()):
    qs = selectors.flags_for_supervisor(_user(request))
    return [_flag_out(f) for f in page(qs, limit=limit, offset=offset)]


@router.post("/flags/{flag_id}/actions/review", response={200: FlagOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="核查串通投标预警：confirmed 查实、dismissed 排除")
def flag_review(request, flag_id: int, body: FlagReviewIn):
    from .services import flags

    user = _user(request)
    flag = selectors.flag_get_for_supervisor(flag_id=flag_id, user=user)
    flag = flags.flag_review(flag=flag, user=user, status=body.status.value, note=body.note)
    return _flag_out(flag)


# -- the expert pool (centre admin) ------------------------------------------------------------------------------


def _expert_out(e: Expert) -> dict:
    return {"id": e.pk, "name": e.name, "id_number": mask_id_number(e.id_number), "employer_name": e.employer_name,
            "employer_uscc": e.employer_uscc, "specialties": list(e.specialties), "title": e.title,
            "years": e.years, "is_active": e.is_active,
            "ties": [{"party_uscc": t.party_uscc, "party_name": t.party_name, "kind": t.kind,
                      "ended_on": t.ended_on} for t in e.ties.all()]}


def _pool_admin(request):
    user = _user(request)
    if selectors.centre_admin(user) is None:
        raise PermissionDenied("评标专家库仅限交易中心管理员管理")
    return user


@router.get("/experts", response={200: list[ExpertOut], **_errors(401, 403, 422)}, auth=AUTH,
            summary="评标专家库（交易中心管理员）")
def expert_list(request, q: str = _EXPERT_Q,
                limit: int = page_limit(100), offset: int = page_offset()):
    _pool_admin(request)
    qs = Expert.objects.prefetch_related("ties").order_by("id")
    if q:
        qs = [e for e in qs if q in e.name or q in e.employer_name or any(q in s for s in e.specialties)]
    return [_expert_out(e) for e in page(qs, limit=limit, offset=offset)]


@router.post("/experts", response={201: ExpertOut, **_errors(400, 401, 403, 422)}, auth=AUTH,
             summary="专家入库（交易中心管理员），含申报的利害关系")
def expert_create(request, body: ExpertIn):
    from .services import experts

    user = _pool_admin(request)
    if body.employer_uscc:
        validate_uscc(body.employer_uscc)
    ties = []
    for t in body.ties:
        ties.append({"party_uscc": validate_uscc(t.party_uscc), "party_name": t.party_name, "kind": t.kind.value,
                     "ended_on": t.ended_on, "note": t.note})
    e = experts.expert_add(user=user, name=body.name, id_number=body.id_number, employer_name=body.employer_name,
                           employer_uscc=body.employer_uscc.strip().upper(), specialties=body.specialties,
                           title=body.title, years=body.years, phone=body.phone, ties=ties)
    return HttpStatus(201, _expert_out(Expert.objects.prefetch_related("ties").get(pk=e.pk)))


from .api_ocds import router as ocds_router  # noqa: E402

router.add_router("/ocds", ocds_router)


# -- complaints (投诉) ---------------------------------------------------------------------------------------

from .api_schemas import ComplaintActionIn, ComplaintIn, ComplaintOut, TradingComplaintAction  # noqa: E402
from .models import Complaint  # noqa: E402


def _complaint_out(c: Complaint) -> dict:
    t = c.tender
    return {"id": c.pk, "tender_id": t.pk, "project": t.project.code, "project_name": t.project.name,
            "complainant": c.complainant.name, "matter": c.matter, "matter_label": c.get_matter_display(),
            "text": c.text, "known_on": c.known_on, "filed_at": c.filed_at, "status": c.status,
            "status_label": c.get_status_display(), "accept_due": c.accept_due, "decide_due": c.decide_due,
            "accepted_at": c.accepted_at, "decided_at": c.decided_at, "decision": c.decision, "upheld": c.upheld,
            "suspended": c.suspended, "tender_paused": t.paused}


@router.post("/tenders/{tender_id}/complaints", response={201: ComplaintOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="投诉（投标人/供应商向行政监督部门）",
             description="工程建设：自知道之日起10日内，就招标文件、开标、评标结果投诉的须先提出异议并经答复（招标投标法实施条例"
                         "第六十条）；政府采购：须先质疑，答复期满后15个工作日内（政府采购法第五十五条）。")
def complaint_file(request, tender_id: int, body: ComplaintIn):
    from .services import complaints

    user = _user(request)
    tender = _tender(tender_id)
    c = complaints.complaint_file(tender=tender, user=user, complainant=selectors.bidder_for(user, body.bidder),
                                  matter=body.matter.value, text=body.text, known_on=body.known_on)
    c = Complaint.objects.select_related("tender__project", "complainant").get(pk=c.pk)
    return HttpStatus(201, _complaint_out(c))


@router.get("/complaints", response={200: list[ComplaintOut], **_errors(401, 403, 422)}, auth=AUTH,
            summary="投诉列表（交易监督人员：本部门项目的投诉；投标人：本单位的投诉）")
def complaint_list(request, limit: int = page_limit(50), offset: int = page_offset()):
    from .services import complaints

    qs = complaints.complaints_for(_user(request))
    return [_complaint_out(c) for c in page(qs, limit=limit, offset=offset)]


@router.post("/complaints/{complaint_id}/actions/{action}",
             response={200: ComplaintOut, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="处理投诉（行政监督部门）：accept 受理、reject 不予受理、decide 作出处理决定",
             description="受理或不予受理须在收到投诉后3个工作日内决定，受理后30个工作日内作出处理决定；政府采购项目受理时可暂停采购活动"
                         "（最长30日），处理决定作出后恢复。")
def complaint_action(request, complaint_id: int, action: TradingComplaintAction,
                     body: ComplaintActionIn | None = None):
    from .services import complaints

    user = _user(request)
    b = body or ComplaintActionIn()
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound("未找到该投诉")
    if action.value == "accept":
        complaints.complaint_accept(complaint=complaint, user=user, suspend=b.suspend)
    elif action.value == "reject":
        complaints.complaint_reject(complaint=complaint, user=user, reason=_need(b.reason, "不予受理的理由"))
    else:
        complaints.complaint_decide(complaint=complaint, user=user, decision=_need(b.decision, "处理决定"),
                                    upheld=b.upheld)
    return _complaint_out(Complaint.objects.select_related("tender__project", "complainant").get(pk=complaint.pk))
