"""The declarations API (``/api/declarations``).

- Public (no login, rate-limited per client): ``GET /check/{code}`` (is this visit declared? ``uscc`` answers
  only whether that enterprise is on the list, never who else is), ``POST /check/{code}/rating``,
  ``POST /reports`` (举报未备案涉企活动).
- Staff: ``GET/POST /declarations``, ``GET /declarations/{id}``,
  ``POST /declarations/{id}/actions/{action}`` (submit, approve, refuse, withdraw, record, close);
  supervisors: ``GET /reports``, ``POST /reports/{id}/actions/{action}`` (uphold, reject), ``GET /stats``.
Every refusal is ``{code, message}`` in Chinese and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from ninja import Field, Path, Query, Router, Schema

from zhengwu.api import AUTH, column
from zhengwu.cases.api_docs import _errors
from zhengwu.core import clock
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.core.pagination import page, page_limit, page_offset
from zhengwu.org.selectors import staff_for_user

from . import limits, selectors
from .models import (
    ActivityType,
    Declaration,
    DeclarationStatus,
    Inspector,
    RatingLevel,
    Report,
    ReportStatus,
    Target,
)
from .services import declaration_act, declaration_create, rating_record, report_act, report_file
from .transitions import DECLARATION_ACTIONS, REPORT_ACTIONS

router = Router(tags=["涉企活动申报"])

DeclarationAction = Enum("DeclarationAction", {a: a for a in DECLARATION_ACTIONS}, type=str)
ReportAction = Enum("ReportAction", {a: a for a in REPORT_ACTIONS}, type=str)
_ID = Path(..., ge=1, le=2**31 - 1)
_CODE = Path(..., max_length=20, description="备案码，如 SQ20261207K7M3X8")


class DeclTargetIn(Schema):
    uscc: str = column(Target, "uscc", description="统一社会信用代码")
    name: str = column(Target, "name")


class DeclInspectorIn(Schema):
    name: str = column(Inspector, "name")
    cert_no: str = column(Inspector, "cert_no", description="执法证号")


class DeclarationIn(Schema):
    activity_type: ActivityType
    title: str = column(Declaration, "title")
    legal_basis: str = column(Declaration, "legal_basis", "", description="法律依据（必填：无依据的不予申报）")
    content: str = Field("", max_length=2000)
    start_date: dt.date
    end_date: dt.date
    targets: list[DeclTargetIn] = Field([], max_length=500)
    inspectors: list[DeclInspectorIn] = Field([], max_length=20)
    is_random: bool = False
    scope: str = column(Declaration, "scope", "", description="双随机：抽查范围（行业/区域）")
    is_joint: bool = False
    joint_departments: str = column(Declaration, "joint_departments", "")
    over_limit_reason: str = column(Declaration, "over_limit_reason", "")


class DeclTargetOut(Schema):
    uscc: str
    name: str
    visited_on: dt.date | None
    result: str


class DeclInspectorOut(Schema):
    name: str
    cert_no: str


class DeclarationOut(Schema):
    id: int
    code: str
    status: DeclarationStatus
    status_label: str
    department: str
    activity_type: ActivityType
    activity_type_label: str
    title: str
    legal_basis: str
    content: str
    is_random: bool
    scope: str
    is_joint: bool
    joint_departments: str
    start_date: dt.date
    end_date: dt.date
    over_limit_reason: str
    refuse_reason: str
    targets: list[DeclTargetOut]
    inspectors: list[DeclInspectorOut]


class DeclActionIn(Schema):
    reason: str = Field("", max_length=500, description="refuse（必填）、withdraw：理由")
    over_limit_reason: str = Field("", max_length=500, description="submit：超过检查次数上限或处于免检期时的理由")
    uscc: str = Field("", max_length=18, description="record：企业统一社会信用代码")
    name: str = Field("", max_length=100, description="record：双随机抽中的企业名称（名单外时）")
    visited_on: dt.date | None = Field(None, description="record：执行日期")
    result: str = Field("", max_length=500, description="record：执行结果")


class DeclActionOut(Schema):
    id: int
    code: str
    status: DeclarationStatus
    status_label: str
    action: DeclarationAction
    result: dict


class DeclCheckOut(Schema):
    code: str
    valid: bool
    status_label: str
    department: str
    activity_type: ActivityType
    activity_type_label: str
    title: str
    legal_basis: str
    start_date: dt.date
    end_date: dt.date
    is_random: bool
    scope: str
    is_joint: bool
    joint_departments: str
    inspectors: list[DeclInspectorOut]
    approved_on: dt.date | None
    on_list: bool | None = Field(description="给出 uscc 时：该企业是否在本次活动的企业名单内；未给出时为 null")
    rated: bool | None


class DeclRatingIn(Schema):
    uscc: str = Field(..., max_length=18)
    level: RatingLevel
    comment: str = Field("", max_length=500)


class DeclRatingOut(Schema):
    code: str
    level: RatingLevel
    level_label: str


class DeclReportIn(Schema):
    department_id: int = Field(..., ge=1, le=2**31 - 1, description="到企业的部门 id")
    visit_date: dt.date
    description: str = Field(..., max_length=2000)
    enterprise_name: str = column(Report, "enterprise_name")
    uscc: str = column(Report, "uscc")
    contact_name: str = column(Report, "contact_name")
    contact_phone: str = column(Report, "contact_phone")
    shown_code: str = column(Report, "shown_code", "")


class DeclReportFiled(Schema):
    no: str
    status: ReportStatus
    status_label: str


class DeclReportOut(Schema):
    id: int
    no: str
    department: str
    visit_date: dt.date
    description: str
    enterprise_name: str
    uscc: str
    contact_name: str
    contact_phone: str
    shown_code: str
    status: ReportStatus
    status_label: str
    finding: str
    created_at: dt.datetime


class DeclReportActionIn(Schema):
    finding: str = Field("", max_length=1000, description="核查结论（必填）")


class DeclStatOut(Schema):
    department_id: int
    department: str
    declared: int
    approved: int
    refused: int
    withdrawn: int
    carried_out: int
    reported: int
    upheld: int
    open: int
    ratings: int
    satisfied_rate: float | None


def _user(request):
    return request.auth if hasattr(request.auth, "pk") else request.user


def _staff(request):
    staff = staff_for_user(_user(request))
    if staff is None:
        raise PermissionDenied("仅限在岗工作人员")
    return staff


def _load(d: Declaration) -> Declaration:
    return Declaration.objects.select_related("department").prefetch_related("targets", "inspectors").get(pk=d.pk)


# -- public -----------------------------------------------------------------------------------------------------


@router.get("/check/{code}", response={200: DeclCheckOut, **_errors(404, 422, 429)}, auth=None,
            summary="公开核验备案码：是否备案、备案部门、类型、依据、日期、执法人员",
            description="给出 uscc（本企业统一社会信用代码）时答复本企业是否在名单内；不列出其他企业。"
                        "查询不到的次数过多时暂停查询（429）。")
def check(request, code: str = _CODE, uscc: str = Query("", max_length=18)):
    who = limits.check_attempt(request)
    result = selectors.declaration_check(code=code, uscc=uscc)
    limits.check_found(who)
    return result


@router.post("/check/{code}/rating", response={200: DeclRatingOut, **_errors(400, 404, 422, 429)}, auth=None,
             summary="企业评价本次涉企活动（满意/基本满意/不满意），每家企业每次活动一次")
def rate(request, body: DeclRatingIn, code: str = _CODE):
    limits.submit_use(request)
    r = rating_record(code=code, uscc=body.uscc, level=body.level.value, comment=body.comment)
    return {"code": r.declaration.code, "level": r.level, "level_label": r.get_level_display()}


@router.post("/reports", response={201: DeclReportFiled, **_errors(400, 422, 429)}, auth=None,
             summary="举报未备案涉企活动（无需登录）", description="提交后由效能监察员限时核查。")
def report_create(request, body: DeclReportIn):
    limits.submit_use(request)
    r = report_file(**body.dict())
    return 201, {"no": r.no, "status": r.status, "status_label": r.get_status_display()}


# -- staff --------------------------------------------------------------------------------------------------------


@router.get("/declarations", response={200: list[DeclarationOut], **_errors(401, 403, 422)}, auth=AUTH,
            summary="涉企活动申报列表（部门：本部门；优化营商环境办、效能监察员：本区划）")
def declaration_list(request, status: DeclarationStatus | None = None, limit: int = page_limit(50),
                     offset: int = page_offset()):
    qs = selectors.declaration_list_for_staff(staff=_staff(request), status=status.value if status else "")
    qs = qs.prefetch_related("targets", "inspectors")
    return [selectors.declaration_row(d) for d in page(qs, limit=limit, offset=offset)]


@router.post("/declarations", response={201: DeclarationOut, **_errors(400, 401, 403, 422)}, auth=AUTH,
             summary="登记涉企活动申报（草稿）", description="无法律依据、日期已过、企业代码有误等，中文说明，不作任何登记。")
def declaration_new(request, body: DeclarationIn):
    data = body.dict()
    data["activity_type"] = body.activity_type.value
    d = declaration_create(user=_user(request), **data)
    return 201, selectors.declaration_row(_load(d))


@router.get("/declarations/{declaration_id}", response={200: DeclarationOut, **_errors(401, 403, 404, 422)},
            auth=AUTH, summary="涉企活动申报详情")
def declaration_detail(request, declaration_id: int = _ID):
    d = selectors.declaration_get_for_staff(staff=_staff(request), declaration_id=declaration_id)
    return selectors.declaration_row(_load(d))


@router.post("/declarations/{declaration_id}/actions/{action}",
             response={200: DeclActionOut, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="申报操作：submit 提交、approve 同意备案、refuse 不予备案、withdraw 撤回、record 执行登记、close 办结")
def declaration_action(request, action: DeclarationAction, declaration_id: int = _ID, body: DeclActionIn | None = None):
    if not Declaration.objects.filter(pk=declaration_id).exists():
        raise NotFound("未找到该申报", code="declarations_not_found")
    b = body or DeclActionIn()
    data = b.dict()
    data["visited_on"] = b.visited_on.isoformat() if b.visited_on else ""
    result = declaration_act(declaration_id=declaration_id, user=_user(request), action=action.value, data=data)
    d = Declaration.objects.get(pk=declaration_id)
    return {"id": d.pk, "code": d.code or "", "status": d.status, "status_label": d.get_status_display(),
            "action": action.value, "result": result}


@router.get("/reports", response={200: list[DeclReportOut], **_errors(401, 403, 422)}, auth=AUTH,
            summary="未备案涉企活动举报（效能监察员：本区划）")
def report_list(request, status: ReportStatus | None = None, limit: int = page_limit(50), offset: int = page_offset()):
    qs = selectors.reports_for_supervisor(staff=_staff(request), status=status.value if status else "")
    return [_report_row(r) for r in page(qs, limit=limit, offset=offset)]


def _report_row(r: Report) -> dict:
    return {"id": r.pk, "no": r.no, "department": r.department.name, "visit_date": r.visit_date,
            "description": r.description, "enterprise_name": r.enterprise_name, "uscc": r.uscc,
            "contact_name": r.contact_name, "contact_phone": r.contact_phone, "shown_code": r.shown_code,
            "status": r.status, "status_label": r.get_status_display(), "finding": r.finding,
            "created_at": r.created_at}


@router.post("/reports/{report_id}/actions/{action}", response={200: DeclReportOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="举报核查：uphold 属实、reject 不属实（须填核查结论）")
def report_action(request, action: ReportAction, body: DeclReportActionIn, report_id: int = _ID):
    if not Report.objects.filter(pk=report_id).exists():
        raise NotFound("未找到该举报", code="declarations_report_not_found")
    r = report_act(report_id=report_id, user=_user(request), action=action.value, data={"finding": body.finding})
    return _report_row(Report.objects.select_related("department").get(pk=r.pk))


@router.get("/stats", response={200: list[DeclStatOut], **_errors(401, 403, 422)}, auth=AUTH,
            summary="各部门涉企活动统计（申报、备案、不予备案、执行、被举报未备案、属实、满意率）")
def stats(request, year: int | None = Query(None, ge=2000, le=2100)):
    staff = _staff(request)
    if not (selectors.is_supervisor(staff) or selectors.is_office(staff)):
        raise PermissionDenied("统计仅限效能监察员、领导和优化营商环境办查看")
    return selectors.stats_by_department(region=staff.region, year=year or clock.today().year)
