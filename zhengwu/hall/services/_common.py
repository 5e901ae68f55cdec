"""Helpers shared by the hall's service functions: who may work at a window, events, board messages."""

from __future__ import annotations

from django.db.models import Exists, Subquery

from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.org.models import Role, Staff, Window

from .. import live, selectors
from ..models import ACTIVE_STATUSES, StaffAbsence, Ticket, TicketEvent, WindowGroup, WindowSeat


def officer_may_work_at(officer: Staff, window: Window) -> bool:
    """Officers listed at the window, and the hall's own administrators (中心管理员)."""
    if not officer.is_active:
        return False
    if officer.has_role(Role.HALL_ADMIN) and officer.hall_id == window.hall_id:
        return True
    return officer.windows.filter(pk=window.pk).exists()


def require_seated(window: Window, officer: Staff) -> str:
    """The officer acts at the window only while signed in there and not marked away.

    Returns the number the window has open ("" if none), read in the same query.
    """
    row = (WindowSeat.objects.filter(window=window, officer=officer)
           .annotate(away=Exists(StaffAbsence.objects.filter(staff=officer, returned_at__isnull=True)),
                     busy=Subquery(Ticket.objects.filter(window=window, status__in=ACTIVE_STATUSES)
                                   .values("number")[:1]))
           .values_list("away", "busy").first())
    if row is None:
        raise PermissionDenied(f"您未在{window.number}号窗口签到上岗，请先签到", code="not_seated")
    if row[0]:
        raise DomainError("officer_away", "您当前处于外出状态，请先销假（返回）再叫号", status=409)
    return row[1] or ""


def require_at_window(ticket: Ticket, window: Window, *statuses: str) -> None:
    if ticket.window_id != window.pk or ticket.status not in statuses:
        raise DomainError("not_at_window", f"{ticket.number}号当前不在{window.number}号窗口"
                          f"（状态：{ticket.get_status_display()}）", status=409)


def event(ticket: Ticket, action: str, *, window=None, officer=None, at=None, **data) -> TicketEvent:
    kwargs = {"at": at} if at is not None else {}
    return TicketEvent(ticket=ticket, action=action, window=window, officer=officer, data=data, **kwargs)


def publish_windows(hall, window_ids: list[int], *, group_ids: list[int] = (), presence: bool = False,
                    **extra) -> None:
    """After commit, tell the hall's boards the new state of these windows and groups (and who is away)."""
    hall_id = hall.pk
    kind = extra.pop("type", "update")

    def build():
        payload = {"type": kind, **extra}
        if window_ids:
            payload["windows"] = selectors.windows_state(hall, list(window_ids))
        if group_ids:
            payload["groups"] = selectors.groups_state(hall, list(group_ids))
        if presence:
            payload["away"] = selectors.presence_list(hall)
        return payload

    live.publish_on_commit(hall_id, build)


def publish_groups(hall, group_ids: list[int]) -> None:
    publish_windows(hall, [], group_ids=group_ids)


def group_serves(group: WindowGroup, item_id: int | None) -> bool:
    """Some open window of the group can take a ticket for this item."""
    windows = group.windows.filter(is_open=True)
    if item_id is None:
        return windows.exists()
    return windows.filter(items__id=item_id).exists() or windows.filter(items__isnull=True).exists()
