"""The 全程代办 API (mounted under /api/agency): list and read agreements in scope, draft one, act on one.

Scope as on the pages (``selectors``): someone with no reading right gets the same 404 for an existing
agreement number as for a missing one. ID numbers are masked everywhere here.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from zhengwu.api import AUTH
from zhengwu.cases.api_docs import _errors
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.pagination import page, page_limit, page_offset
from zhengwu.core.validators import TEXT_MAX_LENGTH
from zhengwu.org.models import Staff
from zhengwu.org.selectors import staff_for_user

from . import selectors, services
from .models import Agreement, ApplicantKind, HandOver, Status, UpstreamStep
from .transitions import AGREEMENT_ACTIONS, TRANSITIONS

router = Router(tags=["全程代办"], auth=AUTH)


def _enum(name: str, values) -> type[Enum]:
    return Enum(name, {str(v): v for v in values}, type=str)


AgencyStatus = _enum("AgencyStatus", Status.values)
AgencyStatusFilter = _enum("AgencyStatusFilter", ["open", *Status.values])
AgencyApplicantKind = _enum("AgencyApplicantKind", ApplicantKind.values)
AgencyAction = _enum("AgencyAction", AGREEMENT_ACTIONS)
AgencyStage = Enum("AgencyStage", {f"stage_{s.value}": s.value for s in services.AGENCY_STAGES}, type=int)


def _len(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _text(description: str):
    return Field("", max_length=TEXT_MAX_LENGTH, description=description)


# -- schemas -------------------------------------------------------------------------------------------


class ApplicantIn(Schema):
    kind: AgencyApplicantKind = Field(description="person 自然人；legal 企业或其他组织")
    name: str = Field(max_length=_len(Agreement, "applicant_name"), description="姓名或单位名称")
    phone: str = Field(max_length=_len(Agreement, "contact_phone"), description="联系电话")
    id_number: str = Field("", max_length=18, description="自然人的身份证号（GB 11643 校验）")
    uscc: str = Field("", max_length=18, description="企业的统一社会信用代码（GB 32100 校验）")
    legal_rep: str = Field("", max_length=_len(Agreement, "legal_rep"), description="企业的法定代表人")
    contact_name: str = Field("", max_length=_len(Agreement, "contact_name"), description="联系人")
    address: str = Field("", max_length=_len(Agreement, "address"), description="联系地址")


class AgreementIn(Schema):
    applicant: ApplicantIn
    item_codes: list[str] = Field([], max_length=50, description="委托代办事项的实施编码（须为市级及以上事项）")
    stages: list[AgencyStage] = Field([], max_length=4, description="委托代办的工程建设项目审批阶段（1–4）")
    project_name: str = Field("", max_length=_len(Agreement, "project_name"), description="项目名称")
    center_agent: str = Field("", max_length=16,
                              description="村站代办员转交时指定的中心代办员工号（不填则由系统指定）")
    applicant_username: str = Field("", max_length=150, description="申请人的网上账号（用户名），可不填")
    note: str = _text("备注")


class StepIn(Schema):
    item_code: str = Field(max_length=64, description="事项实施编码")
    department: str = Field(max_length=_len(UpstreamStep, "department"), description="上级部门")
    step_name: str = Field(max_length=_len(UpstreamStep, "step_name"), description="环节名称")
    filed_on: dt.date = Field(description="报送日期")
    result: str = Field("", max_length=_len(UpstreamStep, "result"), description="办理结果")
    result_on: dt.date | None = Field(None, description="结果日期")
    document_no: str = Field("", max_length=_len(UpstreamStep, "document_no"), description="文号")


class ActionIn(Schema):
    note: str = _text("说明")
    reason: str = _text("终止原因（terminate 必填）")
    on: dt.date | None = Field(None, description="日期：签订、接收、退还、交接日期（默认今天）")
    material_name: str = Field("", max_length=200, description="receive_material：材料名称")
    copies: int = Field(1, ge=1, le=99, description="receive_material：份数")
    original: bool = Field(False, description="receive_material：是否原件")
    material_id: int | None = Field(None, ge=1, le=2**31 - 1, description="return_material：材料 id")
    step: StepIn | None = Field(None, description="record_step：上级办理环节")
    step_id: int | None = Field(None, ge=1, le=2**31 - 1, description="record_result：环节 id")
    result: str = Field("", max_length=_len(UpstreamStep, "result"), description="record_result：办理结果")
    document_no: str = Field("", max_length=_len(UpstreamStep, "document_no"), description="record_result：文号")
    what: str = Field("", max_length=_len(HandOver, "what"), description="handover：交接内容")
    handed_to: str = Field("", max_length=_len(HandOver, "handed_to"), description="handover：接收人")


class AgreementBrief(Schema):
    agreement_no: str
    status: AgencyStatus
    status_label: str
    hall_code: str
    applicant_name: str = Field(description="申请人（领导、效能监察员、中心管理员看到的部分隐藏）")
    id_number: str = Field(description="身份证号（部分隐藏）")
    uscc: str
    project_name: str
    items: list[str]
    agent: str
    referred_by: str | None
    signed_on: dt.date | None


class StepOut(Schema):
    id: int
    item_code: str
    item_name: str
    department: str
    step_name: str
    filed_on: dt.date
    result: str
    result_on: dt.date | None
    document_no: str
    source: str
    workdays: int = Field(description="上级办理用时（工作日，未有结果的计至今天）")
    counted_against_county: bool = Field(description="恒为 false：上级办理用时不计入本县部门")


class MaterialOut(Schema):
    id: int
    name: str
    copies: int
    original: bool
    received_on: dt.date
    returned_on: dt.date | None


class HandOverOut(Schema):
    receipt_no: str
    what: str
    handed_on: dt.date
    handed_to: str
    handed_by: str


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    actor_name: str
    note: str
    at: dt.datetime


class ItemOut(Schema):
    item_code: str
    name: str
    level: str


class AgreementOut(AgreementBrief):
    applicant_kind: AgencyApplicantKind
    covered_items: list[ItemOut]
    stages: list[int]
    terms: str
    finished_on: dt.date | None
    terminated_on: dt.date | None
    terminate_reason: str
    upstream_workdays: int = Field(description="自签订起的工作日数（上级办理用时，不计入本县部门）")
    steps: list[StepOut]
    materials: list[MaterialOut]
    handovers: list[HandOverOut]
    events: list[EventOut]


class ActionOut(Schema):
    agreement_no: str
    status: AgencyStatus
    status_label: str


# -- helpers ---------------------------------------------------------------------------------------------


def _user(request):
    return request.auth if hasattr(request.auth, "pk") else request.user


def _brief(a: Agreement, staff: Staff | None) -> dict:
    return {
        "agreement_no": a.agreement_no, "status": a.status, "status_label": Status(a.status).label,
        "hall_code": a.hall.code, "applicant_name": selectors.shown_name(a, staff=staff),
        "id_number": selectors.masked_id(a), "uscc": a.uscc, "project_name": a.project_name,
        "items": [i.name for i in a.items.all()], "agent": a.agent.name,
        "referred_by": a.referred_by.name if a.referred_by else None, "signed_on": a.signed_on,
    }


def _readable(request, agreement_no: str) -> tuple[Agreement, Staff | None]:
    user = _user(request)
    staff = staff_for_user(user)
    a = Agreement.objects.filter(agreement_no=agreement_no).first()
    if a is not None:
        a = selectors.base_qs().get(pk=a.pk)
        if (staff is not None and selectors.staff_can_read(staff, a)) or (
                a.applicant_user_id and a.applicant_user_id == user.pk):
            return a, staff
    raise NotFound("未找到该代办协议")


def _out(a: Agreement, staff) -> dict:
    return {
        **_brief(a, staff), "applicant_kind": a.applicant_kind,
        "covered_items": [{"item_code": i.impl_code, "name": i.name, "level": i.current.level if i.current else ""}
                          for i in a.items.select_related("current").order_by("impl_code")],
        "stages": a.stages, "terms": a.terms, "finished_on": a.finished_on, "terminated_on": a.terminated_on,
        "terminate_reason": a.terminate_reason, "upstream_workdays": selectors.upstream_days(a),
        "steps": [{"id": r.step.pk, "item_code": r.step.item.impl_code, "item_name": r.step.item.name,
                   "department": r.step.department, "step_name": r.step.step_name, "filed_on": r.step.filed_on,
                   "result": r.step.result, "result_on": r.step.result_on, "document_no": r.step.document_no,
                   "source": r.step.source, "workdays": r.days, "counted_against_county": False}
                  for r in selectors.step_rows(a)],
        "materials": [{"id": m.pk, "name": m.name, "copies": m.copies, "original": m.original,
                       "received_on": m.received_on, "returned_on": m.returned_on} for m in a.materials.all()],
        "handovers": [{"receipt_no": h.receipt_no, "what": h.what, "handed_on": h.handed_on,
                       "handed_to": h.handed_to, "handed_by": h.handed_by.name}
                      for h in a.handovers.select_related("handed_by")],
        "events": [{"action": e.action, "label": TRANSITIONS[e.action].label if e.action in TRANSITIONS else e.action,
                    "from_status": e.from_status, "to_status": e.to_status, "actor_name": e.actor_name,
                    "note": e.note, "at": e.at} for e in a.events.all()],
    }


def _action_out(a: Agreement) -> dict:
    return {"agreement_no": a.agreement_no, "status": a.status, "status_label": Status(a.status).label}


# -- endpoints -----------------------------------------------------------------------------------------


_STATUS_QUERY = Query(None, description="状态，或 open 表示未办结")
_Q_QUERY = Query("", max_length=100, description="按协议编号、项目、事项（代办员还可按申请人）查找")


@router.get("/agreements", response={200: list[AgreementBrief], **_errors(400, 422)},
            summary="代办协议列表（中心代办员：本中心的；村站代办员：本人转交的；领导、监察员：辖区内，只读）")
def agreement_list(request,
                   status: AgencyStatusFilter | None = _STATUS_QUERY,
                   q: str = _Q_QUERY,
                   limit: int = page_limit(50),
                   offset: int = page_offset()):
    user = _user(request)
    staff = staff_for_user(user)
    if staff is not None:
        qs = selectors.agreement_list_for_staff(staff=staff, status=status.value if status else "", q=q)
    else:
        qs = selectors.agreement_list_for_user(user=user)
        if status is not None:
            qs = qs.filter(status__in=[Status.PENDING, Status.ACTIVE] if status.value == "open" else [status.value])
    return [_brief(a, staff) for a in page(qs.prefetch_related("items"), limit=limit, offset=offset)]


@router.get("/agreements/{agreement_no}", response={200: AgreementOut, **_errors(404)},
            summary="代办协议详情（上级办理环节及其用时、材料、交接、办理记录）")
def agreement_detail(request, agreement_no: str):
    a, staff = _readable(request, agreement_no)
    return _out(a, staff)


@router.post("/agreements", response={201: ActionOut, **_errors(400, 403, 404, 422)},
             summary="起草代办协议（中心代办员）或转交中心代办（村站代办员），状态为待签订")
def agreement_create(request, payload: AgreementIn):
    staff = staff_for_user(_user(request))
    if staff is None:
        raise DomainError("forbidden", "只有政务服务中心代办员或村（社区）代办员可以起草代办协议", status=403)
    center_agent = None
    if payload.center_agent:
        center_agent = Staff.objects.select_related("hall__region").filter(
            employee_no=payload.center_agent, is_active=True).first()
        if center_agent is None:
            raise NotFound(f"未找到工号为 {payload.center_agent} 的代办员", code="agent_not_found")
    a = services.agreement_draft(
        staff=staff, center_agent=center_agent,
        applicant=services.Applicant(**{**payload.applicant.dict(), "kind": payload.applicant.kind.value}),
        items=services.items_by_codes(payload.item_codes), stages=[int(s.value) for s in payload.stages],
        project_name=payload.project_name, note=payload.note, applicant_username=payload.applicant_username)
    return HttpStatus(201, _action_out(a))


@router.post("/agreements/{agreement_no}/actions/{action}",
             response={200: ActionOut, **_errors(400, 403, 404, 409, 422)},
             summary="代办协议操作：sign 确认签订、receive_material / return_material 材料、record_step 登记上级环节、"
                     "record_result 登记上级结果、handover 交付结果、finish 办结、terminate 终止",
             description="只有协议所在中心的代办员可以操作；领导、监察员只读（403）。上级办理环节不启动本县效能监察计时。")
def agreement_act(request, agreement_no: str, action: AgencyAction, body: ActionIn | None = None):
    a, staff = _readable(request, agreement_no)
    if staff is None:
        raise NotFound("未找到该代办协议")
    b = body or ActionIn()
    act = action.value
    if act == "sign":
        services.agreement_sign(agreement=a, staff=staff, signed_on=b.on, note=b.note)
    elif act == "receive_material":
        services.material_receive(agreement=a, staff=staff, name=b.material_name, copies=b.copies,
                                  original=b.original, received_on=b.on, note=b.note[:200])
    elif act == "return_material":
        services.material_return(agreement=a, staff=staff, material_id=b.material_id or 0, returned_on=b.on)
    elif act == "record_step":
        if b.step is None:
            raise DomainError("step_required", "请提供上级办理环节（step）")
        item = services.items_by_codes([b.step.item_code])[0]
        services.upstream_step_record(agreement=a, staff=staff, step=services.StepIn(
            item=item, department=b.step.department, step_name=b.step.step_name, filed_on=b.step.filed_on,
            result=b.step.result, result_on=b.step.result_on, document_no=b.step.document_no))
    elif act == "record_result":
        services.upstream_result_record(agreement=a, staff=staff, step_id=b.step_id or 0, result=b.result,
                                        result_on=b.on, document_no=b.document_no)
    elif act == "handover":
        services.handover_record(agreement=a, staff=staff, what=b.what, handed_to=b.handed_to, handed_on=b.on,
                                 note=b.note[:200])
    elif act == "finish":
        services.agreement_finish(agreement=a, staff=staff, finished_on=b.on, note=b.note)
    elif act == "terminate":
        services.agreement_terminate(agreement=a, staff=staff, reason=b.reason)
    return _action_out(a)

