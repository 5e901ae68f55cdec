"""Window seats (坐席签到) and staff presence (工作人员外出告知): who sits where, who is away until when."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.validators import validate_lengths
from zhengwu.org.models import Staff, Window

from ..models import ACTIVE_STATUSES, AbsenceKind, StaffAbsence, Ticket, WindowSeat
from ._common import officer_may_work_at, publish_windows


def _busy_ticket(window_id: int) -> Ticket | None:
    return Ticket.objects.filter(window_id=window_id, status__in=ACTIVE_STATUSES).only("number").first()


def window_sign_in(*, window: Window, officer: Staff) -> WindowSeat:
    """签到上岗 at a window; leaving another window on the way (which must have no number open)."""
    if not officer_may_work_at(officer, window):
        raise PermissionDenied(f"您不是{window.number}号窗口的工作人员，不能在此签到", code="not_window_staff")
    if not window.is_open:
        raise DomainError("window_closed", f"{window.number}号窗口已暂停服务", status=409)
    now = clock.now()
    with transaction.atomic():
        seat, _ = WindowSeat.objects.select_for_update().get_or_create(window=window)
        if seat.officer_id == officer.pk:
            return seat
        if seat.officer_id is not None and _busy_ticket(window.pk) is not None:
            raise DomainError("window_in_use", f"{window.number}号窗口的同事正在办理业务，请待其办结后再签到",
                              status=409)
        others = list(WindowSeat.objects.select_for_update().filter(officer=officer).exclude(window=window))
        for other in others:
            busy = _busy_ticket(other.window_id)
            if busy is not None:
                raise DomainError("busy_elsewhere", f"您在其他窗口还有{busy.number}号未办结，请先办结", status=409)
        WindowSeat.objects.filter(pk__in=[o.pk for o in others]).update(officer=None, since=None)
        WindowSeat.objects.filter(pk=seat.pk).update(officer=officer, since=now)
        seat.officer, seat.since = officer, now
        publish_windows(window.hall, [window.pk, *[o.pk for o in others]])
    return seat


def window_sign_out(*, window: Window, officer: Staff) -> None:
    """签退: the window has nobody until someone signs in again."""
    with transaction.atomic():
        seat = WindowSeat.objects.select_for_update().filter(window=window, officer=officer).first()
        if seat is None:
            raise DomainError("not_seated", f"您未在{window.number}号窗口签到", status=409)
        busy = _busy_ticket(window.pk)
        if busy is not None:
            raise DomainError("window_busy", f"请先办结、转移或过号当前的{busy.number}号再签退", status=409)
        WindowSeat.objects.filter(pk=seat.pk).update(officer=None, since=None)
        publish_windows(window.hall, [window.pk])


def _seat_windows(officer: Staff) -> list[int]:
    return list(WindowSeat.objects.filter(officer=officer).values_list("window_id", flat=True))


def presence_mark_away(*, staff: Staff, kind: str, until: dt.datetime, note: str = "") -> StaffAbsence:
    """外出告知: mark oneself away (会议、外出办事、休假) until a return time; board and window screen show it."""
    if kind not in AbsenceKind.values:
        raise DomainError("absence_kind", "外出事由应为会议、外出办事或休假")
    now = clock.now()
    if until is None or until <= now:
        raise DomainError("return_time", "预计返回时间应晚于现在")
    if until - now > dt.timedelta(days=31):
        raise DomainError("return_time", "预计返回时间不能超过31天，长期离岗请办理请假手续")
    note = (note or "").strip()
    validate_lengths({"note": note}, StaffAbsence, ["note"])
    windows = _seat_windows(staff)
    for wid in windows:
        busy = _busy_ticket(wid)
        if busy is not None:
            raise DomainError("window_busy", f"请先办结、转移或过号当前的{busy.number}号再外出", status=409)
    try:
        with transaction.atomic():
            absence = StaffAbsence.objects.create(staff=staff, hall=staff.hall, kind=kind, note=note, started_at=now,
                                                  expected_return=until)
            if staff.hall is not None:
                hall = staff.hall
                publish_windows(hall, windows, type="presence", presence=True)
    except IntegrityError:
        raise DomainError("already_away", "您已处于外出状态，请先销假再重新登记", status=409) from None
    return absence


def presence_mark_back(*, staff: Staff) -> StaffAbsence:
    """销假: back at the seat."""
    now = clock.now()
    with transaction.atomic():
        absence = StaffAbsence.objects.select_for_update().filter(staff=staff, returned_at__isnull=True).first()
        if absence is None:
            raise DomainError("not_away", "您当前不在外出状态", status=409)
        StaffAbsence.objects.filter(pk=absence.pk).update(returned_at=now)
        absence.returned_at = now
        if staff.hall is not None:
            hall = staff.hall
            publish_windows(hall, _seat_windows(staff), type="presence", presence=True)
    return absence
