"""Supervision through the OpenAPI: cards, the dashboard's data, 效能告诫, flags and monthly scores."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from zhengwu.api import AUTH, column
from zhengwu.cases.models import Case
from zhengwu.core import clock
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.core.pagination import page, page_limit, page_offset
from zhengwu.core.validators import TEXT_MAX_LENGTH
from zhengwu.org.models import Region, Staff
from zhengwu.org.selectors import staff_for_user

from . import selectors, services
from .periods import parse_month
from .selectors import records
from .selectors.dashboard import dashboard_data, dashboard_region_for_staff

router = Router(tags=["效能监察"], auth=AUTH)


def _staff(request) -> Staff:
    staff = staff_for_user(request.auth)
    if staff is None or not staff.is_active:
        raise PermissionDenied("效能监察接口仅限在岗工作人员使用")
    return staff


class CardLevel(StrEnum):
    yellow = "yellow"
    red = "red"


class CardOut(Schema):
    id: int
    kind: str = Field(description="监察时钟类型代码，如 case（办结时限）、case_step（环节时限）、gk_reply（依申请公开答复时限）")
    kind_label: str
    subject_type: str
    subject_no: str
    title: str
    url: str
    level: CardLevel
    level_label: str
    part: int = Field(description="环节序号；整体时限为 0")
    part_name: str
    due_date: dt.date | None
    due_at: dt.datetime | None
    raised_on: dt.date
    department: str | None
    officer: str | None


@router.get("/cards", response=list[CardOut], summary="在亮的红黄牌（本人权限范围内，全部监察时钟类型）")
def cards(request, level: CardLevel | None = None, kind: str = Query("", max_length=32),
          department_id: int | None = Query(None, ge=1), limit: int = page_limit(200),
          offset: int = page_offset()):
    qs = selectors.card_list_for_staff(staff=_staff(request), level=level.value if level else "",
                                       department_id=department_id, kind=kind)
    return [CardOut(id=c.pk, kind=c.kind_id, kind_label=str(c.kind), subject_type=c.clock.subject_type,
                    subject_no=c.clock.subject_no, title=c.clock.title, url=c.clock.url, level=c.level,
                    level_label=c.get_level_display(), part=c.part, part_name=c.clock.part_name,
                    due_date=c.due_date, due_at=c.due_at, raised_on=c.raised_on,
                    department=c.department.name if c.department_id else None,
                    officer=c.officer.name if c.officer_id else None)
            for c in page(qs, limit=limit, offset=offset)]


@router.get("/dashboard", summary="统计大屏数据（领导、监察员；region 为下级区划代码时逐级查看）")
def dashboard(request, region: str = Query("", max_length=Region._meta.get_field("code").max_length)):
    staff = _staff(request)
    return dashboard_data(region=dashboard_region_for_staff(staff=staff, region_code=region), today=clock.today())


class AdmonitionIn(Schema):
    employee_no: str = column(Staff, "employee_no")
    reason: str = Field(max_length=TEXT_MAX_LENGTH)
    evidence: str = Field(max_length=TEXT_MAX_LENGTH)
    case_no: str = column(Case, "case_no", "")


class AdmonitionOut(Schema):
    id: int
    doc_no: str
    employee_no: str
    name: str
    issued_on: dt.date
    reason: str
    evidence: str
    revoked: bool


def _adm_out(a) -> AdmonitionOut:
    return AdmonitionOut(id=a.pk, doc_no=a.doc_no, employee_no=a.staff.employee_no, name=a.staff.name,
                         issued_on=a.issued_on, reason=a.reason, evidence=a.evidence, revoked=a.revoked_on is not None)


@router.post("/admonitions", response={201: AdmonitionOut}, summary="作出效能告诫（效能监察员）")
def admonition_create(request, body: AdmonitionIn):
    supervisor = _staff(request)
    subject = records.admonition_subjects(supervisor=supervisor).filter(employee_no=body.employee_no).first()
    if subject is None:
        raise NotFound("未找到该工作人员，或不在您的监察范围内")
    case = records.case_for_supervisor(case_no=body.case_no, supervisor=supervisor)
    adm = services.admonition_issue(supervisor=supervisor, staff=subject, reason=body.reason,
                                    evidence=body.evidence, case=case)
    return HttpStatus(201, _adm_out(adm))


@router.get("/admonitions", response=list[AdmonitionOut], summary="效能告诫记录")
def admonition_list(request, limit: int = page_limit(500), offset: int = page_offset()):
    qs = records.admonition_list_for_staff(staff=_staff(request)).order_by("-issued_on", "-id")
    return [_adm_out(a) for a in page(qs, limit=limit, offset=offset)]


class FlagOut(Schema):
    id: int
    employee_no: str
    name: str
    rule: str
    reason: str
    consequence: str
    raised_on: dt.date
    resolved_on: dt.date | None
    resolution: str


class FlagState(StrEnum):
    open = "open"
    resolved = "resolved"
    all = "all"


@router.get("/flags", response=list[FlagOut], summary="问责提示（谁被提示、为什么）")
def flag_list(request, state: FlagState = FlagState.open, limit: int = page_limit(500), offset: int = page_offset()):
    qs = records.flag_list_for_staff(staff=_staff(request), state=state.value)
    return [FlagOut(id=f.pk, employee_no=f.staff.employee_no, name=f.staff.name, rule=f.rule.name, reason=f.reason,
                    consequence=f.rule.consequence, raised_on=f.raised_on, resolved_on=f.resolved_on,
                    resolution=f.resolution)
            for f in page(qs, limit=limit, offset=offset)]


class ScoreOut(Schema):
    kind: str
    hall: str
    subject: str
    department: str | None
    score: float
    raw_score: float
    rank: int
    award: str
    excluded: str
    items: list[dict]


@router.get("/assessment/{month}", response=list[ScoreOut], summary="月度考核结果（month 形如 2026-03）")
def assessment(request, month: str):
    try:
        m = parse_month(month)
    except ValueError as exc:
        raise NotFound("月份格式应为 YYYY-MM") from exc
    return [ScoreOut(kind=s.kind, hall=s.hall.name,
                     subject=(f"{s.window.number}号窗口 {s.window.name}" if s.window_id else s.staff.name),
                     department=s.department.name if s.department_id else None, score=float(s.score),
                     raw_score=float(s.raw_score), rank=s.rank, award=s.award, excluded=s.excluded, items=s.items)
            for s in records.scores_for_staff(staff=_staff(request), month=m)]
