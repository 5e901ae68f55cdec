"""Cases through the OpenAPI: submit, act, read. Token auth for systems, session for pages."""

from __future__ import annotations

import datetime as dt

from ninja import File, Form, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from zhengwu.api import AUTH
from zhengwu.catalog.models import Item
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.validators import mask_id_number
from zhengwu.org.models import Hall, Role
from zhengwu.org.selectors import staff_for_user

from . import selectors, services
from .models import Case, CaseEvent, Channel, Status
from .transitions import TRANSITIONS

router = Router(tags=["办件"], auth=AUTH)


class ApplicantIn(Schema):
    kind: str = "person"
    name: str
    phone: str
    id_number: str = ""
    uscc: str = ""
    legal_rep: str = ""
    address: str = ""


class CaseIn(Schema):
    item_code: str
    channel: str = Channel.ONLINE
    applicant: ApplicantIn
    hall_code: str | None = None
    note: str = ""


class ActionIn(Schema):
    note: str = ""
    reason: str = ""
    missing: list[str] = []
    kind: str = ""
    result: str = ""
    days: int | None = None
    decision: str = ""
    method: str = ""
    tracking_no: str = ""
    paper_materials: list[int] = []


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor_name: str
    role: str
    note: str


class CaseOut(Schema):
    case_no: str
    status: str
    status_label: str
    channel: str
    item_code: str
    item_name: str
    item_version: int
    department: str
    hall_code: str
    applicant_kind: str
    applicant_name: str
    id_number: str
    uscc: str
    submitted_at: dt.datetime
    accepted_on: dt.date | None
    due_date: dt.date | None
    due_provisional: bool
    current_step: int
    decision: str
    completed_on: dt.date | None
    events: list[EventOut]


class ActionOut(Schema):
    case_no: str
    status: str
    status_label: str
    due_date: dt.date | None
    due_provisional: bool


def _case_out(case: Case) -> dict:
    events = [
        {"action": e.action, "label": TRANSITIONS[e.action].label if e.action in TRANSITIONS else e.action,
         "from_status": e.from_status, "to_status": e.to_status, "at": e.at, "actor_name": e.actor_name,
         "role": e.role, "note": e.note}
        for e in CaseEvent.objects.filter(case=case).order_by("id")
    ]
    return {
        "case_no": case.case_no, "status": case.status, "status_label": Status(case.status).label,
        "channel": case.channel, "item_code": case.item.impl_code, "item_name": case.item_version.name,
        "item_version": case.item_version.version, "department": case.department.name,
        "hall_code": case.hall.code, "applicant_kind": case.applicant_kind, "applicant_name": case.applicant_name,
        "id_number": mask_id_number(case.id_number), "uscc": case.uscc, "submitted_at": case.submitted_at,
        "accepted_on": case.accepted_on, "due_date": case.due_date, "due_provisional": case.due_provisional,
        "current_step": case.current_step, "decision": case.decision, "completed_on": case.completed_on,
        "events": events,
    }


def _action_out(case: Case) -> dict:
    return {"case_no": case.case_no, "status": case.status, "status_label": Status(case.status).label,
            "due_date": case.due_date, "due_provisional": case.due_provisional}


def _user(request):
    return request.auth if hasattr(request.auth, "pk") else request.user


def _readable_case(request, case_no: str) -> Case:
    user = _user(request)
    case = selectors.case_get(case_no=case_no)
    staff = staff_for_user(user)
    if staff is not None and selectors.staff_can_read_case(staff, case):
        return case
    if case.applicant_user_id == user.pk:
        return case
    raise NotFound("未找到该办件")


@router.post("", response={201: ActionOut}, summary="提交申请（网上申请、窗口录入或代办员代办）")
def submit(request, payload: CaseIn):
    user = _user(request)
    item = Item.objects.select_related("current", "department__region").filter(impl_code=payload.item_code).first()
    if item is None:
        raise NotFound(f"未找到事项 {payload.item_code}")
    hall = None
    if payload.hall_code:
        hall = Hall.objects.select_related("region").filter(code=payload.hall_code).first()
        if hall is None:
            raise NotFound(f"未找到大厅 {payload.hall_code}")
    staff = staff_for_user(user)
    applicant = services.Applicant(**payload.applicant.dict())
    kwargs = {"item": item, "applicant": applicant, "channel": payload.channel, "note": payload.note}
    if payload.channel == Channel.WINDOW:
        kwargs["officer"] = staff
    elif payload.channel == Channel.AGENT:
        kwargs["agent"] = staff
    else:
        kwargs.update(user=user, hall=hall)
    if payload.channel in (Channel.WINDOW, Channel.AGENT) and staff is None:
        raise PermissionDenied("窗口录入和代办须使用工作人员账号")
    case = services.case_submit(**kwargs)
    return HttpStatus(201, _action_out(case))


@router.post("/{case_no}/materials", response=ActionOut, summary="上传申请材料（受理前）")
def upload_material(request, case_no: str, file: File[UploadedFile], material_id: Form[int | None] = None):
    user = _user(request)
    case = selectors.case_get(case_no=case_no)
    services.case_add_materials(case=case, files=[(material_id, file)], user=user, officer=staff_for_user(user))
    return _action_out(case)


def _dispatch(action: str, case: Case, body: ActionIn, user, staff):
    if action in ("supplement", "withdraw"):
        if action == "supplement":
            return services.case_supplement(case=case, user=user, officer=staff, paper_materials=body.paper_materials,
                                            note=body.note)
        return services.case_withdraw(case=case, user=user, officer=staff, reason=body.reason or body.note)
    if staff is None:
        raise PermissionDenied("该操作须使用工作人员账号")
    window = staff.windows.filter(hall_id=case.hall_id).first()
    common = {"case": case, "officer": staff}
    calls = {
        "prereview": lambda: services.case_prereview(**common, window=window, note=body.note),
        "accept": lambda: services.case_accept(**common, window=window, paper_materials=body.paper_materials,
                                               note=body.note),
        "request_supplement": lambda: services.case_request_supplement(**common, window=window,
                                                                       missing=body.missing, note=body.note),
        "reject": lambda: services.case_reject(**common, window=window, reason=body.reason),
        "review": lambda: services.case_review(**common, window=window, note=body.note),
        "suspend": lambda: services.case_suspend(**common, window=window, kind=body.kind, reason=body.reason),
        "resume": lambda: services.case_resume(**common, window=window, result=body.result),
        "extend": lambda: services.case_extend(case=case, head=staff, reason=body.reason, days=body.days),
        "decide": lambda: services.case_decide(**common, window=window, decision=body.decision, reason=body.reason),
        "complete": lambda: services.case_complete(**common, window=window, note=body.note),
        "deliver": lambda: services.case_deliver(**common, window=window, method=body.method,
                                                 tracking_no=body.tracking_no),
    }
    if action not in calls:
        raise DomainError("unknown_action", f"未知的办件操作：{action}", status=404)
    return calls[action]()


@router.post("/{case_no}/actions/{action}", response=ActionOut,
             summary="办件操作：accept、request_supplement、supplement、reject、review、suspend、resume、extend、"
                     "decide、complete、deliver、withdraw、prereview")
def act(request, case_no: str, action: str, body: ActionIn | None = None):
    user = _user(request)
    case = selectors.case_get(case_no=case_no)
    case = _dispatch(action, case, body or ActionIn(), user, staff_for_user(user))
    return _action_out(case)


@router.get("/{case_no}", response=CaseOut, summary="办件详情（含办理记录；证件号码脱敏）")
def detail(request, case_no: str):
    return _case_out(_readable_case(request, case_no))


class CaseBrief(Schema):
    case_no: str
    status: str
    item_name: str
    applicant_name: str
    id_number: str
    due_date: dt.date | None


@router.get("", response=list[CaseBrief], summary="我的办件（工作人员：权限范围内；申请人：本人）")
def list_cases(request, status: str = "", q: str = "", limit: int = 50, offset: int = 0):
    user = _user(request)
    staff = staff_for_user(user)
    if staff is not None:
        qs = selectors.case_list_for_staff(staff=staff, status=status, q=q)
        if staff.has_role(Role.VILLAGE_AGENT):
            qs = selectors.case_list_for_agent(agent=staff)
    else:
        qs = selectors.case_list_for_applicant(user=user)
    limit = max(1, min(limit, 200))
    return [
        {"case_no": c.case_no, "status": c.status, "item_name": c.item.name, "applicant_name": c.applicant_name,
         "id_number": mask_id_number(c.id_number), "due_date": c.due_date}
        for c in qs[offset:offset + limit]
    ]
