"""政务公开 through the OpenAPI: publications, requests, and the annual report's tables.

Contract for outside checks: ``GET /api/disclosure/reports/{body_code}/{year}`` returns the
report's tables as JSON, table 三 as rows × columns of integers keyed by the names of
REFERENCE §6 (see ``tables.py`` for the shape; ``reference.py`` for the names).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from zhengwu.api import AUTH, column
from zhengwu.core import clock
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.core.validators import mask_id_number
from zhengwu.org.selectors import staff_for_user

from . import reference as ref
from . import selectors, services
from .actions import REQUEST_ACTIONS, request_action
from .api_village import router as village_router
from .documents import report_sections, report_title
from .models import Appeal, Channel, Consultation, InfoRequest, Publication
from .services.common import duties_of
from .tables import report_data

router = Router(tags=["政务公开"])
router.add_router("", village_router)  # 村务公开/党务公开 (api_village.py)


def _enum(name: str, values) -> type[Enum]:
    """A str enum named for the OpenAPI (names are global there, hence the Gk prefix)."""
    return Enum(name, {v: v for v in values}, type=str)


GkChannel = _enum("GkChannel", Channel.values)
GkConsultKind = _enum("GkConsultKind", Consultation.Kind.values)
GkDelivery = _enum("GkDelivery", Consultation.Delivery.values)
# What ``consult_reply`` records; an undeliverable letter is its own action (``consult_undeliverable``).
GkOpinion = _enum("GkOpinion", [v for v in Consultation.Opinion.values if v != Consultation.Opinion.UNDELIVERABLE])
NOTE_MAX = 2000  # notes, reasons for a later entry, the 补正 items
TEXT_MAX = 10_000  # what a reply or a 补正 says, the reasons of a refusal


class BodyOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    parent: str | None
    files_reports: bool


class PublicationOut(Schema):
    id: int
    index_no: str
    body: str
    title: str
    category: str
    category_label: str
    doc_kind: str
    doc_no: str
    made_on: dt.date
    publish_due: dt.date
    published_on: dt.date | None
    repealed_on: dt.date | None
    validity: str
    status: str
    view_count: int


class PublicationDetailOut(PublicationOut):
    content: str


class PublicationIn(Schema):
    body_code: str
    title: str
    category: str
    content: str
    made_on: dt.date
    doc_kind: str = "general"
    doc_no: str = ""
    topic: str = ""


class PubActionIn(Schema):
    note: str = ""
    repealed_on: dt.date | None = None


class ApplicantIn(Schema):
    kind: str = "person"
    name: str
    phone: str
    id_number: str = ""
    uscc: str = ""
    legal_rep: str = ""
    legal_subkind: str = ""
    address: str = ""
    email: str = ""


class RequestIn(Schema):
    body_code: str
    applicant: ApplicantIn
    description: str
    channel: GkChannel = Field(GkChannel("online"), description="online 互联网（申请人本人）；in_person 当面提交、"
                               "post_signed 邮寄（需签收）、post_plain 平常信函、fax 传真（工作人员登记）")
    signed_for_on: dt.date | None = Field(None, description="邮寄（需签收）：本机关签收之日，即收到申请之日")
    received_on: dt.date | None = Field(None, description="当面提交：提交之日（默认今天）；平常信函、传真：送达本机关之日"
                                        "（收到申请之日为双方确认之日）")
    letter_date: dt.date | None = Field(None, description="申请书落款日期（如有）；送达之日不能早于此日")
    late_entry_note: str = Field("", max_length=NOTE_MAX, description="收到（签收）之日早于今天时必填：补录原因，记入审计")
    purpose: str = column(InfoRequest, "purpose", "")


class ReqActionIn(Schema):
    confirmed_on: dt.date | None = None
    late_entry_note: str = Field("", max_length=NOTE_MAX,
                                 description="confirm / supplement：确认或收到补正之日早于今天（补录）时必填，记入审计")
    items: str = Field("", max_length=NOTE_MAX, description="ask_supplement：需要补正的全部事项")
    period_days: int | None = None
    text: str = Field("", max_length=TEXT_MAX, description="supplement：补正内容")
    third_party: str = column(Consultation, "third_party", "", description="consult：被征求意见的第三方")
    agency: str = column(Consultation, "third_party", "", description="consult_agency：被征求意见的机关（条例第三十四条）")
    received_on: dt.date | None = Field(None, description="consult_receipt / consult_reply：对方收到征求意见书之日；"
                                        "supplement（工作人员登记书面补正）：收到补正之日")
    delivery: GkDelivery | None = Field(None, description="consult_receipt：征求意见书的送达方式")
    opinion: GkOpinion | None = Field(None, description="consult_reply：第三方 agree / object / none（逾期未提出意见）；"
                                      "其他机关 agree / object / deemed（逾期未提出意见，视为同意公开）")
    returned_on: dt.date | None = Field(None, description="consult_undeliverable：征求意见书退回（确认无法送达）之日，默认今天")
    note: str = Field("", max_length=NOTE_MAX, description="consult、consult_agency、consult_receipt、consult_reply：说明；"
                      "consult_undeliverable：无法送达的情况和依据（必填，如退件原因、单号、联系记录）")
    days: int | None = None
    reason: str = Field("", max_length=TEXT_MAX, description="extend / reply / withdraw：理由")
    method: str = ""
    pages: int | None = None
    result: str = ""
    reply_text: str = Field("", max_length=TEXT_MAX, description="reply：提供的信息或获取方式")
    kind: str = ""
    filed_on: dt.date | None = None
    organ: str = column(Appeal, "organ", "", description="appeal：复议机关或人民法院")
    case_no: str = column(Appeal, "case_no", "", description="appeal：案号")
    after_review: bool = False
    appeal: int | None = None
    outcome: str = ""
    decided_on: dt.date | None = None
    waiver_reason: str = ""
    amount: str = ""
    proof: str = ""


def _strings(payload: ReqActionIn) -> dict[str, str]:
    out = {}
    for key, value in payload.dict().items():
        if value is None or value is False:
            out[key] = ""
        elif value is True:
            out[key] = "1"
        elif isinstance(value, dt.date):
            out[key] = value.isoformat()
        elif isinstance(value, Enum):
            out[key] = value.value
        else:
            out[key] = str(value)
    return out


class ConsultationOut(Schema):
    kind: GkConsultKind
    kind_label: str
    party: str
    sent_on: dt.date
    delivery: str
    received_on: dt.date | None
    opinion_due: dt.date | None
    replied_on: dt.date | None
    opinion: str
    opinion_label: str


class RequestOut(Schema):
    request_no: str
    body: str
    status: str
    status_label: str
    channel: str
    applicant_kind: str
    legal_subkind: str
    applicant_name: str
    id_number: str
    submitted_on: dt.date | None
    received_on: dt.date | None
    late_entry_note: str
    supplement_notice_due: dt.date | None
    supplement_deadline: dt.date | None
    due_date: dt.date | None
    due_provisional: bool
    extension_days: int
    fee_method: str
    fee_amount: str | None
    fee_pay_due: dt.date | None
    fee_waiver_reason: str
    fee_waived_amount: str
    fee_payable: str | None
    result: str
    result_name: str
    closed_on: dt.date | None
    consultations: list[ConsultationOut]


def _pub_out(p: Publication) -> dict:
    return {"id": p.pk, "index_no": p.index_no, "body": p.body.code, "title": p.title, "category": p.category,
            "category_label": p.get_category_display(), "doc_kind": p.doc_kind, "doc_no": p.doc_no,
            "made_on": p.made_on, "publish_due": p.publish_due, "published_on": p.published_on,
            "repealed_on": p.repealed_on, "validity": p.validity, "status": p.status, "view_count": p.view_count,
            "content": p.content}


def _req_out(r: InfoRequest) -> dict:
    return {"request_no": r.request_no, "body": r.body.code, "status": r.status,
            "status_label": r.get_status_display(), "channel": r.channel, "applicant_kind": r.applicant_kind,
            "legal_subkind": r.legal_subkind, "applicant_name": r.applicant_name,
            "id_number": mask_id_number(r.id_number), "submitted_on": r.submitted_on, "received_on": r.received_on,
            "late_entry_note": r.late_entry_note,
            "supplement_notice_due": r.supplement_notice_due, "supplement_deadline": r.supplement_deadline,
            "due_date": r.due_date, "due_provisional": r.due_provisional, "extension_days": r.extension_days,
            "fee_method": r.fee_method, "fee_amount": str(r.fee_amount) if r.fee_amount is not None else None,
            "fee_pay_due": r.fee_pay_due, "fee_waiver_reason": r.fee_waiver_reason.name if r.fee_waiver_reason else "",
            "fee_waived_amount": str(r.fee_waived_amount),
            "fee_payable": str(r.fee_payable) if r.fee_payable is not None else None, "result": r.result,
            "result_name": ref.RESULTS[r.result].name if r.result else "", "closed_on": r.closed_on,
            "consultations": [
                {"kind": c.kind, "kind_label": c.get_kind_display(), "party": c.third_party, "sent_on": c.sent_on,
                 "delivery": c.delivery, "received_on": c.received_on, "opinion_due": c.opinion_due,
                 "replied_on": c.replied_on, "opinion": c.opinion, "opinion_label": c.get_opinion_display()}
                for c in r.consultations.order_by("id")]}


def _staff(request):
    staff = staff_for_user(request.user)
    if staff is None:
        raise PermissionDenied("仅限政务公开工作人员")
    return staff


# -- public reads ------------------------------------------------------------------------------------------


@router.get("/bodies", response=list[BodyOut], auth=None, summary="公开主体")
def bodies(request):
    return [{"code": b.code, "name": b.name, "kind": b.kind, "kind_label": b.get_kind_display(),
             "parent": b.parent.code if b.parent_id else None, "files_reports": b.files_reports}
            for b in selectors.body_list_public()]


@router.get("/bodies/{code}/publications", response=list[PublicationOut], auth=None, summary="主动公开信息目录")
def body_publications(request, code: str, q: str = "", category: str = "", limit: int = 100):
    body = selectors.body_get_public(code)
    qs = selectors.publication_list_public(body=body, q=q, category=category)[: max(1, min(limit, 500))]
    return [_pub_out(p) for p in qs]


@router.get("/publications/{pk}", response=PublicationDetailOut, auth=None, summary="公开信息详情")
def publication(request, pk: int):
    pub = Publication.objects.filter(pk=pk, status="published").select_related("body").first()
    if pub is None:
        raise NotFound("未找到该公开信息")
    return _pub_out(pub)


def _anyone(request):
    """Public endpoints that also want to know who asks: a valid token or session is taken first (the
    auth list before this one), anyone else passes as anonymous."""
    return request.user if request.user.is_authenticated else "anonymous"


def _may_see_drafts(request, body) -> bool:
    """The body's own disclosure staff preview a report before it is signed off; nobody else does."""
    staff = staff_for_user(request.user) if request.user.is_authenticated else None
    return staff is not None and staff.is_active and bool(duties_of(staff, body))


@router.get("/reports/{body_code}/{year}", auth=[*AUTH, _anyone], summary="政府信息公开工作年度报告（表格）")
def report(request, body_code: str, year: int):
    """The report's tables: finalised ones as frozen, else computed from the data now.

    Without login only finalised (signed-off) reports are public; a draft answers 404 as on the
    pages. The body's own staff (token or session) also get the draft, ``"status": "draft"``.

    ``table3`` is ``{row: {column: int}}`` with the rows 本年新收, 上年结转, each result type
    (予以公开, 部分公开, 国家秘密 … 其他), 总计, 结转下年度 and the columns 自然人, 商业企业, 科研机构,
    社会公益组织, 法律服务机构, 其他, 总计. ``table2`` and ``table4`` likewise by REFERENCE §6 names.
    """
    body = selectors.body_get_public(body_code)
    if not body.files_reports:
        raise NotFound(f"{body.name}不报送政府信息公开工作年度报告")
    if not 2008 <= year <= clock.today().year:
        raise NotFound("没有该年度的报告")
    final = body.reports.filter(year=year, status="final").exists()
    if not final and not _may_see_drafts(request, body):
        raise NotFound("该年度报告尚未定稿发布")
    data = report_data(body, year)
    return {
        "body": body.code, "body_name": body.name, "year": year, "title": report_title(body, year),
        "status": "final" if data.final else "draft",
        "table2": data.tables["table2"], "table3": data.tables["table3"], "table4": data.tables["table4"],
        "summary": data.tables["summary"], "sections": report_sections(data),
        "cross_check": {"ok": not data.errors, "errors": [e["message"] for e in data.errors]},
        "aggregates": [{"body": b.code, "status": st} for b, st in data.parts],
        "row_groups": {g: [r.name for r in leaves] for g, leaves in ref.RESULT_GROUPS},
        "row_labels": ref.ROW_LABELS,
    }


# -- publications (staff) ---------------------------------------------------------------------------------------


@router.post("/publications", response={201: PublicationDetailOut}, auth=AUTH, summary="起草公开信息")
def publication_create(request, payload: PublicationIn):
    body = selectors.body_get_public(payload.body_code)
    pub = services.publication_create(body=body, officer=_staff(request), title=payload.title,
                                      category=payload.category, content=payload.content,
                                      made_on=payload.made_on, doc_kind=payload.doc_kind, doc_no=payload.doc_no,
                                      topic=payload.topic)
    return HttpStatus(201, _pub_out(pub))


@router.post("/publications/{pk}/actions/{action}", response=PublicationDetailOut, auth=AUTH,
             summary="公开流程：submit / review_ok / review_back / secrecy_ok / secrecy_fail / sign / publish / repeal")
def publication_act(request, pk: int, action: str, payload: PubActionIn):
    staff = _staff(request)
    pub = selectors.publication_get_for_staff(pk=pk, staff=staff)
    s, note = services, payload.note
    actions = {
        "submit": lambda: s.publication_submit(publication=pub, officer=staff, note=note),
        "review_ok": lambda: s.publication_review(publication=pub, reviewer=staff, approve=True, note=note),
        "review_back": lambda: s.publication_review(publication=pub, reviewer=staff, approve=False, note=note),
        "secrecy_ok": lambda: s.publication_secrecy_review(publication=pub, reviewer=staff, passed=True, note=note),
        "secrecy_fail": lambda: s.publication_secrecy_review(publication=pub, reviewer=staff, passed=False,
                                                             note=note),
        "sign": lambda: s.publication_sign(publication=pub, signer=staff, note=note),
        "publish": lambda: s.publication_publish(publication=pub, officer=staff),
        "repeal": lambda: s.publication_repeal(publication=pub, officer=staff,
                                               repealed_on=payload.repealed_on or clock.today(), note=note),
    }
    if action not in actions:
        raise NotFound("没有这个操作")
    return _pub_out(actions[action]())


# -- requests ------------------------------------------------------------------------------------------------------


@router.post("/requests", response={201: RequestOut}, auth=AUTH, summary="提交或登记政府信息公开申请")
def request_file(request, payload: RequestIn):
    body = selectors.body_get_public(payload.body_code)
    a = payload.applicant
    applicant = services.Applicant(kind=a.kind, name=a.name, phone=a.phone, id_number=a.id_number, uscc=a.uscc,
                                   legal_rep=a.legal_rep, legal_subkind=a.legal_subkind, address=a.address,
                                   email=a.email)
    channel = payload.channel.value
    online = channel == "online"
    req = services.request_file(body=body, applicant=applicant, description=payload.description,
                                channel=channel, user=request.user if online else None,
                                officer=None if online else staff_for_user(request.user),
                                signed_for_on=payload.signed_for_on, purpose=payload.purpose,
                                received_on=payload.received_on, letter_date=payload.letter_date,
                                late_entry_note=payload.late_entry_note)
    return HttpStatus(201, _req_out(req))


def _request_for(request, no: str) -> InfoRequest:
    req = InfoRequest.objects.filter(request_no=no).select_related("body__region", "body__parent").first()
    if req is None:
        raise NotFound("未找到该申请")
    if req.user_id == request.user.pk:
        return req
    staff = staff_for_user(request.user)
    if staff is not None and duties_of(staff, req.body):
        return req
    raise NotFound("未找到该申请")


@router.get("/requests/{no}", response=RequestOut, auth=AUTH, summary="申请详情（申请人本人或受理机关工作人员）")
def request_get(request, no: str):
    return _req_out(_request_for(request, no))


@router.post("/requests/{no}/actions/{action}", response=RequestOut, auth=AUTH,
             summary="办理：" + " / ".join(REQUEST_ACTIONS),
             description="consult 征求第三方意见（条例第三十二条）、consult_agency 征求其他机关意见（第三十四条）："
                         "发出之日起暂停计时；consult_receipt 登记对方收到征求意见书之日和送达方式（received_on、delivery），"
                         "提出意见的15个工作日自该日起算，未登记前不会逾期；consult_reply 登记意见（opinion）；"
                         "consult_undeliverable 登记向第三方发出的征求意见书无法送达（returned_on、note）：征求意见结束，"
                         "第三方未能提出意见，由本机关依照条例第三十二条决定是否公开，自退回之日的次日恢复计时。"
                         "supplement 可登记补正期限内收到、在视为放弃之后才录入的书面补正（received_on、late_entry_note），申请恢复办理。"
                         "confirm、supplement 的日期早于今天时须填 late_entry_note（补录原因，记入审计）。")
def request_act(request, no: str, action: str, payload: ReqActionIn):
    req = _request_for(request, no)
    data = _strings(payload)
    if req.user_id == request.user.pk and action in ("supplement", "withdraw"):
        if action == "supplement":
            return _req_out(services.request_supplement(request=req, user=request.user, text=data.get("text", "")))
        return _req_out(services.request_withdraw(request=req, user=request.user, reason=data.get("reason", "")))
    staff = staff_for_user(request.user)
    if staff is None:
        raise PermissionDenied("仅限受理机关的政务公开工作人员")
    request_action(action, req, staff, data)
    req.refresh_from_db()
    return _req_out(req)

