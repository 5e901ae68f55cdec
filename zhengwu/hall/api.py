"""The hall through the OpenAPI: board state, tickets, the window console, appointments, presence, stats.

Kiosks and calling systems of other vendors use a token; the board state and a ticket's progress
are public, as they are on the hall's screens.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.security import django_auth
from pydantic import field_validator

from zhengwu.api import HeaderTokenAuth, TokenAuth, column
from zhengwu.cases.models import Case
from zhengwu.catalog.models import Item
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.org.models import Staff, Window
from zhengwu.org.selectors import staff_for_user

from . import guard, selectors, services
from .models import (
    ACTIVE_STATUSES,
    AbsenceKind,
    Appointment,
    GreenReason,
    StaffAbsence,
    Ticket,
    WindowGroup,
)
from .views._access import may_read_hall, may_work_at

router = Router(tags=["服务大厅"])

# Tokens first: ninja stops at the first auth that raises, and the session auth raises on a POST
# without a CSRF token, so a kiosk's bearer POST would be refused if the session were tried first.
AUTH = [TokenAuth(), HeaderTokenAuth(), django_auth]


class TicketOut(Schema):
    number: str
    token: str
    status: str
    status_label: str
    group: str
    item: str | None
    kind: str
    window: str | None
    ahead: int
    estimated_minutes: int
    issued_at: dt.datetime


def _ticket_out(t: Ticket) -> dict:
    pos = selectors.ticket_position(t)
    return {"number": t.number, "token": t.token, "status": t.status, "status_label": t.get_status_display(),
            "group": t.group.code, "item": t.item.name if t.item_id else None, "kind": t.kind,
            "window": t.window.number if t.window_id else None, "ahead": pos["ahead"],
            "estimated_minutes": pos["minutes"], "issued_at": t.issued_at}


class IssueIn(Schema):
    group: str | None = column(WindowGroup, "code", None, description="业务类别（叫号分组）前缀，如 A")
    item_code: str | None = column(Item, "impl_code", None)
    green_reason: GreenReason | None = Field(None, description="绿色通道对象；普通号不填")
    phone: str = column(Ticket, "phone", "")

    @field_validator("green_reason", mode="before")
    @classmethod
    def _blank_is_none(cls, v):
        return v or None


class CheckInIn(Schema):
    code: str = column(Appointment, "code")


class FinishIn(Schema):
    case_no: str = column(Case, "case_no", "")


class TransferIn(Schema):
    to_group: str = column(WindowGroup, "code")
    note: str = Field("", max_length=100, description="转移说明，记入排队号记录（最多100字）")


class AwayIn(Schema):
    kind: AbsenceKind
    until: dt.datetime
    note: str = column(StaffAbsence, "note", "")


class BookIn(Schema):
    item_code: str = column(Item, "impl_code")
    day: dt.date
    start: dt.time
    name: str = column(Appointment, "name")
    phone: str = column(Appointment, "phone")
    id_number: str = column(Appointment, "id_number")


class CancelIn(Schema):
    code: str = column(Appointment, "code")
    phone: str = column(Appointment, "phone")


class AppointmentOut(Schema):
    code: str
    item: str
    day: dt.date
    start: dt.time
    end: dt.time
    status: str


def _staff(request) -> Staff:
    staff = staff_for_user(request.user)
    if staff is None or not staff.is_active:
        raise PermissionDenied("仅限在岗工作人员")
    return staff


def _window(request, window_id: int) -> tuple[Window, Staff]:
    staff = _staff(request)
    window = get_object_or_404(Window.objects.select_related("hall__region"), pk=window_id)
    if not may_work_at(staff, window):
        raise PermissionDenied(f"您不是{window.number}号窗口的工作人员")
    return window, staff


def _current(window: Window) -> Ticket:
    t = Ticket.objects.select_related("hall", "group", "item", "window").filter(
        window=window, status__in=ACTIVE_STATUSES).first()
    if t is None:
        raise DomainError("no_ticket", f"{window.number}号窗口当前没有正在叫号或办理的号", status=409)
    return t


def _hall(code: str):
    return selectors.hall_get(code=code)


def _item(code: str) -> Item:
    item = Item.objects.select_related("current").filter(impl_code=code).first()
    if item is None:
        raise NotFound("未找到该事项", code="item_not_found")
    return item


# -- public ---------------------------------------------------------------------------------------


@router.get("/halls/{code}/board", summary="叫号大屏的当前状态")
def board(request, code: str):
    return selectors.board_snapshot(_hall(code))


@router.get("/tickets/{token}", response=TicketOut, summary="排队号的进度（手机扫码查看）")
def ticket(request, token: str):
    return _ticket_out(selectors.ticket_get(token=token))


@router.get("/halls/{code}/slots", summary="某事项某日的预约时段和余量")
def slots(request, code: str, day: dt.date,
          item_code: str = Query(..., max_length=Item._meta.get_field("impl_code").max_length)):
    data = selectors.appointment_slots(hall=_hall(code), item=_item(item_code), day=day)
    return {**data, "slots": [{**s, "start": s["start"].strftime("%H:%M"), "end": s["end"].strftime("%H:%M")}
                              for s in data["slots"]]}


@router.post("/halls/{code}/appointments", response={201: AppointmentOut}, summary="预约")
def book(request, code: str, payload: BookIn):
    a = services.appointment_book(hall=_hall(code), item=_item(payload.item_code), day=payload.day,
                                  start=payload.start, name=payload.name, phone=payload.phone,
                                  id_number=payload.id_number, user=request.user)
    return HttpStatus(201, {"code": a.code, "item": a.item.name, "day": a.day, "start": a.start, "end": a.end,
                            "status": a.status})


@router.post("/appointments/cancel", response=AppointmentOut, summary="取消预约（预约码 + 手机号码）",
             description="同一来源十分钟内核对错误十次后暂停（429）。")
def cancel(request, payload: CancelIn):
    a: Appointment = guard.guarded_code(request, None, lambda: selectors.appointment_find(
        code=payload.code, phone=payload.phone))
    a = services.appointment_cancel(appointment=a, phone=payload.phone)
    return {"code": a.code, "item": a.item.name, "day": a.day, "start": a.start, "end": a.end, "status": a.status}


# -- kiosks (token) ---------------------------------------------------------------------------------


def _kiosk_account(request, hall) -> None:
    """The API issues numbers for the hall's own kiosk apps: a signed-in member of that hall's staff."""
    staff = staff_for_user(request.user)
    if not guard.is_kiosk_account(staff, hall):
        raise PermissionDenied(f"取号和签到接口仅供{hall.name}的取号机使用（须以本大厅工作人员账号的令牌调用）",
                               code="not_kiosk")


@router.post("/halls/{code}/tickets", response={201: TicketOut}, auth=AUTH, summary="取号（自助取号机）",
             description="供大厅取号机应用调用：须使用本大厅工作人员（中心管理员、窗口人员、首席代表）账号的令牌。")
def issue(request, code: str, payload: IssueIn):
    hall = _hall(code)
    _kiosk_account(request, hall)
    group = None
    if payload.group:
        group = WindowGroup.objects.filter(hall=hall, code=payload.group.upper()).first()
        if group is None:
            raise NotFound("未找到该业务类别", code="group_not_found")
    item = _item(payload.item_code) if payload.item_code else None
    t = services.ticket_issue(hall=hall, group=group, item=item, green_reason=payload.green_reason or "",
                              phone=payload.phone)
    return HttpStatus(201, _ticket_out(t))


@router.post("/halls/{code}/check-in", response={201: TicketOut}, auth=AUTH, summary="预约签到取号",
             description="供大厅取号机应用调用（同取号接口）；预约码核对错误过多时暂停（429）。")
def check_in(request, code: str, payload: CheckInIn):
    hall = _hall(code)
    _kiosk_account(request, hall)
    ticket = guard.guarded_code(request, hall, lambda: services.appointment_check_in(hall=hall, code=payload.code),
                                kiosk=True)
    return HttpStatus(201, _ticket_out(ticket))


# -- the window console (officer's token or session) --------------------------------------------------


@router.post("/windows/{window_id}/sign-in", auth=AUTH, summary="窗口签到上岗")
def sign_in(request, window_id: int):
    window, staff = _window(request, window_id)
    services.window_sign_in(window=window, officer=staff)
    return selectors.window_state(window)


@router.post("/windows/{window_id}/call-next", response={200: TicketOut, 204: None}, auth=AUTH, summary="叫号")
def call_next(request, window_id: int):
    window, staff = _window(request, window_id)
    t = services.ticket_call_next(window=window, officer=staff)
    return HttpStatus(200, _ticket_out(t)) if t is not None else HttpStatus(204, None)


@router.post("/windows/{window_id}/recall", response=TicketOut, auth=AUTH, summary="重呼")
def recall(request, window_id: int):
    window, staff = _window(request, window_id)
    return _ticket_out(services.ticket_recall(ticket=_current(window), window=window, officer=staff))


@router.post("/windows/{window_id}/skip", response=TicketOut, auth=AUTH, summary="过号（记为未到）")
def skip(request, window_id: int):
    window, staff = _window(request, window_id)
    return _ticket_out(services.ticket_skip(ticket=_current(window), window=window, officer=staff))


@router.post("/windows/{window_id}/start", response=TicketOut, auth=AUTH, summary="开始办理")
def start(request, window_id: int):
    window, staff = _window(request, window_id)
    return _ticket_out(services.ticket_start(ticket=_current(window), window=window, officer=staff))


@router.post("/windows/{window_id}/finish", response=TicketOut, auth=AUTH, summary="办结（可关联办件）")
def finish(request, window_id: int, payload: FinishIn | None = None):
    window, staff = _window(request, window_id)
    return _ticket_out(services.ticket_finish(ticket=_current(window), window=window, officer=staff,
                                              case_no=payload.case_no if payload else ""))


@router.post("/windows/{window_id}/transfer", response=TicketOut, auth=AUTH, summary="转移到其他分组")
def transfer(request, window_id: int, payload: TransferIn):
    window, staff = _window(request, window_id)
    group = WindowGroup.objects.filter(hall=window.hall, code=payload.to_group.upper()).first()
    if group is None:
        raise NotFound("未找到该分组", code="group_not_found")
    return _ticket_out(services.ticket_transfer(ticket=_current(window), window=window, officer=staff,
                                                to_group=group, note=payload.note))


@router.post("/presence/away", auth=AUTH, summary="登记外出（外出告知）")
def away(request, payload: AwayIn):
    a = services.presence_mark_away(staff=_staff(request), kind=payload.kind, until=payload.until,
                                    note=payload.note)
    return {"kind": a.kind, "expected_return": a.expected_return}


@router.post("/presence/back", auth=AUTH, summary="销假（返回岗位）")
def back(request):
    a = services.presence_mark_back(staff=_staff(request))
    return {"returned_at": a.returned_at}


@router.get("/halls/{code}/stats", auth=AUTH, summary="排队叫号统计（全厅、各窗口、分时段）和办公时间内离岗分钟数")
def stats(request, code: str, day: dt.date | None = None):
    hall = _hall(code)
    if not may_read_hall(_staff(request), hall):
        raise PermissionDenied("您无权查看该大厅的统计")
    day = day or clock.today()
    away = [{"employee_no": r["staff"].employee_no, "name": r["staff"].name, "absences": r["absences"],
             "minutes": r["minutes"]} for r in selectors.presence_report(hall=hall, start=day, end=day)]
    return {**selectors.hall_stats(hall=hall, day=day), "away": away}
