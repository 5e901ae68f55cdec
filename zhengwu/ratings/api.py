"""好差评 through the OpenAPI: record a rating, rate through a one-use link, read metrics.

Who may record (``POST /api/ratings/``):
- the applicant (session or token) for their own finished case, channel ``web``;
- a pad app (``pad``) signed in as the officer of that window: the case just finished there, or a
  queue ticket finished there within the pad's time (checked by the hall, as on the hall's pad);
- the 12345 hotline (``12345``): a 效能监察员 of the case's region (never the people rated), for a
  case, with the caller's number matching the case's contact phone.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus
from pydantic import field_validator

from zhengwu.api import AUTH, column
from zhengwu.cases.models import Case
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.org.models import Hall, Role, Window
from zhengwu.org.selectors import staff_for_user

from . import selectors, services
from .models import Channel, Kind, Rating

router = Router(tags=["好差评"])


class ApiChannel(StrEnum):
    """The channels recorded through ``POST /api/ratings/``; SMS and QR ratings come through their links."""

    web = Channel.WEB.value
    pad = Channel.PAD.value
    hotline = Channel.HOTLINE.value


MetricsBy = StrEnum("MetricsBy", {by: by for by in selectors.BY_CHOICES})


LEVEL_HELP = "5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意"
# The service refuses a comment over 1,000 characters (never cuts it); the schema says so first.
COMMENT_MAX = services.COMMENT_MAX


class RatingIn(Schema):
    channel: ApiChannel = ApiChannel.web
    overall: int = Field(description=LEVEL_HELP)
    dims: dict[str, int] = Field({}, description=f"分项评价：维度名 → 等级（{LEVEL_HELP}）")
    comment: str = Field("", max_length=COMMENT_MAX)
    case_no: str = column(Case, "case_no", "")
    kind: Kind | None = Field(None, description="评价类型；不填时按办件判断")
    hall_code: str = column(Hall, "code", "")
    window_number: str = column(Window, "number", "")
    ticket_ref: str = column(Rating, "ticket_ref", "")
    contact_phone: str = column(Rating, "contact_phone", "")

    @field_validator("kind", mode="before")
    @classmethod
    def _blank_is_none(cls, v):
        return v or None


class LinkRatingIn(Schema):
    overall: int = Field(description=LEVEL_HELP)
    dims: dict[str, int] = Field({}, description=f"分项评价：维度名 → 等级（{LEVEL_HELP}）")
    comment: str = Field("", max_length=COMMENT_MAX)


class RectificationOut(Schema):
    id: int
    status: str
    status_label: str
    due_on: dt.date


class RatingOut(Schema):
    id: int
    kind: str
    channel: str
    overall: int
    overall_label: str
    is_bad: bool
    rated_at: dt.datetime
    case_no: str | None
    rectification: RectificationOut | None


class MetricOut(Schema):
    key: str | None
    label: str
    ratings: int
    satisfied: int
    bad: int
    bad_closed: int
    callbacks: int
    callbacks_ok: int
    finished: int
    active: int
    satisfaction_rate: float | None
    active_rate: float | None
    rectification_rate: float | None
    callback_satisfaction: float | None


class MetricsOut(Schema):
    by: str
    start: dt.date
    end: dt.date
    rows: list[MetricOut]
    total: MetricOut


def _rating_out(r: Rating) -> dict:
    rect = getattr(r, "rectification", None) if r.is_bad else None
    return {
        "id": r.pk, "kind": r.kind, "channel": r.channel, "overall": r.overall,
        "overall_label": r.get_overall_display(), "is_bad": r.is_bad, "rated_at": r.rated_at,
        "case_no": r.case.case_no if r.case_id else None,
        "rectification": None if rect is None else {"id": rect.pk, "status": rect.status,
                                                    "status_label": rect.get_status_display(),
                                                    "due_on": rect.due_on},
    }


def _metric_out(row) -> dict:
    d = row.as_dict()
    d["key"] = None if d["key"] is None else str(d["key"])
    return d


@router.post("/", response={201: RatingOut}, auth=AUTH, summary="记录一条评价")
def rating_create(request, payload: RatingIn):
    staff = staff_for_user(request.user)
    case = None
    if payload.case_no:
        case = Case.objects.select_related("hall__region").filter(case_no=payload.case_no).first()
        if case is None:
            raise NotFound("未找到该办件")
    window = None
    if payload.hall_code and payload.window_number:
        window = Window.objects.select_related("hall__region").filter(
            hall__code=payload.hall_code, number=payload.window_number).first()
        if window is None:
            raise NotFound("未找到该窗口")
    if payload.channel == Channel.WEB:
        if case is None or case.applicant_user_id != request.user.pk:
            raise PermissionDenied("只有申请人本人可以在网上评价该办件", code="not_applicant")
        kind = services.rating_kind_for_case(case)
        officer = None
    elif payload.channel == Channel.PAD:
        if staff is None or window is None or not selectors.staff_may_use_pad(staff, window):
            raise PermissionDenied("评价器须由本窗口的工作人员登录", code="not_window_staff")
        if case is None:
            if not payload.ticket_ref.strip():
                raise DomainError("nothing_to_rate", "请指明办件编号，或本窗口刚办结的排队号")
            return HttpStatus(201, _rating_out(_rate_ticket(staff, window, payload)))
        if selectors.pad_case_to_rate(window=window) != case:
            raise DomainError("not_at_window", "该办件不是本窗口今天刚办结的待评价办件", status=409)
        kind, officer = Kind.HALL, staff
    else:  # ApiChannel.hotline
        if case is None:
            raise DomainError("nothing_to_rate", "12345热线评价须指明办件编号")
        if staff is None or not (staff.has_role(Role.SUPERVISOR)
                                 and case.hall.region.code.startswith(staff.region.code_prefix)):
            raise PermissionDenied("12345热线评价由本地区效能监察员录入", code="not_hotline")
        caller = payload.contact_phone.strip()
        if not caller or caller != case.contact_phone:
            raise DomainError("caller_mismatch", "来电号码与办件登记的联系电话不一致，不能代为录入评价")
        kind = payload.kind or services.rating_kind_for_case(case)
        officer = None
    rating = services.rating_record(
        kind=kind, channel=payload.channel, overall=payload.overall, dims=payload.dims, comment=payload.comment,
        case=case, window=window, officer=officer, ticket_ref=payload.ticket_ref,
        user=request.user if payload.channel == Channel.WEB else None, contact_phone=payload.contact_phone)
    return HttpStatus(201, _rating_out(rating))


def _rate_ticket(staff, window: Window, payload: RatingIn) -> Rating:
    """A queue ticket rated on a pad app: through the hall, which knows whether the ticket was
    finished at this window and when (a free-text reference would let ratings be made up)."""
    from zhengwu.hall.models import Ticket
    from zhengwu.hall.services.ratings import ticket_rate

    day, _, number = payload.ticket_ref.strip().partition("-")
    try:
        on = dt.datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        on = None
    ticket = (Ticket.objects.select_related("case", "officer").filter(hall=window.hall, day=on, number=number).first()
              if on is not None and number else None)
    if ticket is None:
        raise DomainError("not_ratable", "该号不是本窗口办结的号，不能评价", status=409)
    return ticket_rate(ticket=ticket, window=window, operator=staff, overall=payload.overall, dims=payload.dims,
                       comment=payload.comment, contact_phone=payload.contact_phone)


@router.post("/links/{token}", response={201: RatingOut}, auth=None, summary="通过短信/二维码评价链接评价")
def rating_by_link(request, token: str, payload: LinkRatingIn):
    invite = selectors.invite_get_by_token(token=token)
    services.invite_check(invite)
    rating = services.rating_record(kind=invite.kind, channel=invite.channel, overall=payload.overall,
                                    dims=payload.dims, comment=payload.comment, case=invite.case, invite=invite)
    return HttpStatus(201, _rating_out(rating))


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    today = clock.today()
    start = start or today.replace(day=1)
    end = end or today
    if end < start:
        raise DomainError("period", "结束日期不能早于开始日期")
    return start, end


@router.get("/metrics", response=MetricsOut, auth=AUTH, summary="满意率、主动评价率、差评整改率、回访满意度")
def metrics(request, by: MetricsBy = MetricsBy.department,  # type: ignore[attr-defined]
            start: dt.date | None = None, end: dt.date | None = None):
    """Rows for the caller's scope (leaders and supervisors: their region; a department head: the
    department; a hall admin: the hall; an officer: themselves). Rates are fractions (0–1) or null."""
    staff = staff_for_user(request.user)
    if staff is None:
        raise PermissionDenied("评价统计仅限工作人员查看")
    start, end = _period(start, end)
    rows = selectors.rating_metrics_for_staff(viewer=staff, by=by.value, start=start, end=end)
    return {"by": by.value, "start": start, "end": end, "rows": [_metric_out(r) for r in rows],
            "total": _metric_out(selectors.metrics_total(rows))}


@router.get("/public", response=MetricsOut, auth=None, summary="评价结果公开：分部门统计（不含个人信息）")
def public(request, start: dt.date | None = None, end: dt.date | None = None):
    start, end = _period(start, end)
    rows = selectors.rating_metrics(by="department", start=start, end=end)
    return {"by": "department", "start": start, "end": end, "rows": [_metric_out(r) for r in rows],
            "total": _metric_out(selectors.metrics_total(rows))}
