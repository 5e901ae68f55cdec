"""Queue tickets: issue at the kiosk, call, recall, skip (过号), start, finish, transfer.

Every write is one transaction; ticket rows change only through a guarded UPDATE (``WHERE id = …
AND row_version = … AND status IN …``), so of two windows calling at once each gets a different
ticket, and the database refuses a second active ticket at one window (partial unique index).
Numbers come from one ``INSERT … ON CONFLICT … RETURNING`` per ticket: race-free on PostgreSQL
and SQLite alike. The boards hear about every change after commit.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Q

from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core import clock, fastsql
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.notify import Message, notify
from zhengwu.core.validators import validate_phone
from zhengwu.org.models import Hall, Staff, Window
from zhengwu.org.scope import staff_can_act_at
from zhengwu.workdays import engine

from .. import selectors
from ..models import (
    GreenReason,
    QueuePolicy,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    WindowGroup,
)
from ..policy import at_local, local_now, policy_for
from ._common import (
    event,
    group_serves,
    publish_groups,
    publish_windows,
    require_at_window,
    require_seated,
    seat_and_waiting,
    ticket_from_row,
    ticket_insert,
    ticket_update_guarded,
    waiting_rows,
)

# -- issue --------------------------------------------------------------------------------------------


def _next_seq(group_id: int, day: dt.date) -> int:
    """The group's next number today, from one atomic upsert (race-free on PostgreSQL and SQLite)."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO hall_ticketcounter (group_id, day, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (group_id, day) DO UPDATE SET last = hall_ticketcounter.last + 1 RETURNING last",
            [group_id, connection.ops.adapt_datefield_value(day)],
        )
        return cur.fetchone()[0]


WEEKDAYS = "一二三四五六日"


def issue_hours_refusal(hall: Hall, p: QueuePolicy, now: dt.datetime | None = None) -> DomainError | None:
    """Why no number can be taken now (None when it can), naming the next time it can: numbers are handed
    out on working days, from a little before opening until a little before closing. The kiosk shows it
    before anyone taps; ``ticket_issue`` refuses with it."""
    if not p.enforce_hours:
        return None
    now = now or local_now()
    cal = engine.calendar_for(hall.region)
    status = cal.status(now.date())

    def window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (at_local(day, p.am_start) - dt.timedelta(minutes=p.issue_before_minutes),
                at_local(day, p.pm_end) - dt.timedelta(minutes=p.stop_issue_minutes))

    opens, closes = window(now.date())
    if status.workday and opens <= now < closes:
        return None
    day = now.date() if status.workday and now < opens else cal.add(now.date(), 1)  # the next working day
    next_open = window(day)[0]
    when = ("今天" if day == now.date() else "明天" if day == now.date() + dt.timedelta(days=1)
            else f"{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）") + f" {next_open:%H:%M}"
    if not status.workday:
        return DomainError("hall_closed", f"今天是{status.reason.split('：')[-1]}，大厅不办公，暂停取号；"
                                          f"下次取号时间：{when}")
    return DomainError("outside_hours", f"当前不在取号时间（工作日 {opens:%H:%M}—{closes:%H:%M}）；"
                                        f"下次取号时间：{when}")


def check_issue_hours(hall: Hall, p: QueuePolicy) -> None:
    refusal = issue_hours_refusal(hall, p)
    if refusal is not None:
        raise refusal


def _resolve_group(hall: Hall, group: WindowGroup | None, item: Item | None) -> WindowGroup:
    if item is not None:
        if item.current_id is None or item.status != ItemVersion.Status.ACTIVE:
            raise DomainError("item_unavailable", f"事项“{item.name}”当前暂停办理")
        if group is None:
            group = selectors.group_for_item(hall, item)
            if group is None:
                raise DomainError("item_not_in_hall", f"本大厅暂无办理“{item.name}”的窗口，请咨询导办台")
        elif not group_serves(group, item.pk):
            raise DomainError("item_not_in_group", f"“{group.name}”窗口不办理“{item.name}”")
    if group is None:
        raise DomainError("group_required", "请选择业务类别或办理事项")
    if group.hall_id != hall.pk or not group.is_active:
        raise DomainError("group_unavailable", f"业务类别“{group.name}”暂停取号")
    return group


def issue_in_transaction(*, hall: Hall, group: WindowGroup, item: Item | None, kind: str, priority: int,
                         green_reason: str = "", phone: str = "") -> Ticket:
    """Write one ticket; the caller holds the transaction (kiosk issue, appointment check-in)."""
    now = clock.now()
    day = clock.today()
    seq = _next_seq(group.pk, day)
    ticket = Ticket(
        hall=hall, issued_group=group, group=group, day=day, seq=seq, number=f"{group.code}{seq:03d}",
        token=secrets.token_urlsafe(9), item=item, kind=kind, green_reason=green_reason, priority=priority,
        phone=phone, issued_at=now, queued_at=now,
    )
    ticket_insert(ticket)
    fastsql.insert([event(ticket, "issue", at=now, group=group.code, kind=kind, priority=priority)])
    publish_groups(hall, [group.pk])
    return ticket


def ticket_issue(*, hall: Hall, group: WindowGroup | None = None, item: Item | None = None,
                 green_reason: str = "", phone: str = "") -> Ticket:
    """取号 at the kiosk, by business category (group) or by item; 绿色通道 with a reason goes first."""
    p = policy_for(hall)
    check_issue_hours(hall, p)
    group = _resolve_group(hall, group, item)
    if green_reason and green_reason not in GreenReason.values:
        raise DomainError("green_reason", "绿色通道对象应为老年人、残疾人、孕妇或其他优先对象")
    phone = validate_phone(phone) if phone else ""
    kind = TicketKind.GREEN if green_reason else TicketKind.NORMAL
    priority = p.green_rank if green_reason else 0
    with transaction.atomic():
        return issue_in_transaction(hall=hall, group=group, item=item, kind=kind, priority=priority,
                                    green_reason=green_reason, phone=phone)


# -- calling ------------------------------------------------------------------------------------------------


def _update(ticket: Ticket, statuses, *, seated: tuple[Window, Staff] | None = None, **changes) -> None:
    """The guarded UPDATE: applies only if nobody changed the ticket since it was read (and, with
    ``seated``, only while the officer is signed in at the window and not away: ``require_seated``
    in the same statement, its refusal raised when that is why nothing changed)."""
    if ticket_update_guarded(ticket, statuses, changes, seated=seated) != 1:
        if seated is not None:
            require_seated(*seated)
        raise DomainError("conflict", f"{ticket.number}号刚刚被其他操作更新，请刷新后重试", status=409)
    ticket.row_version += 1
    for k, v in changes.items():
        setattr(ticket, k, v)


def _priority_streak(window: Window, limit: int) -> bool:
    """Were the window's last ``limit`` calls today all priority tickets?"""
    since = at_local(clock.today(), dt.time(0, 0))
    last = list(TicketEvent.objects.filter(window=window, action="call", at__gte=since).order_by("-id")
                .values_list("data", flat=True)[:limit])
    return len(last) == limit and all((d or {}).get("priority", 0) > 0 for d in last)


def waiting_for_window(window: Window, p: QueuePolicy):
    """The querysets to call from, in turn: today's waiting tickets the window may take, in call order.

    Call order: higher priority first (绿色通道, then appointments checked in on time, by default),
    then earlier queue time (a transferred ticket keeps its original time), then issue order. With
    ``priority_streak_limit`` set, after that many priority calls in a row a waiting normal ticket
    goes first.
    """
    groups = WindowGroup.windows.through.objects.filter(window_id=window.pk, windowgroup__is_active=True)
    items = Window.items.through.objects.filter(window_id=window.pk).values("item_id")
    qs = Ticket.objects.filter(group_id__in=groups.values("windowgroup_id"), status=TicketStatus.WAITING,
                               day=clock.today())
    qs = qs.filter(Q(item__isnull=True) | Q(item_id__in=items) | ~Exists(items))
    qs = qs.order_by("-priority", "queued_at", "id")
    if p.priority_streak_limit and _priority_streak(window, p.priority_streak_limit):
        return [qs.filter(priority=0), qs]
    return [qs]


def _announce_call(ticket: Ticket, window: Window, *, recall: int) -> None:
    text = selectors.call_text(ticket.number, window.number)
    publish_windows(window.hall, [window.pk], group_ids=[ticket.group_id] if not recall else [], type="call",
                    call={"number": ticket.number, "window": window.number, "window_id": window.pk,
                          "window_name": window.name, "text": text, "recall": recall,
                          "at": f"{local_now():%H:%M}"})
    if ticket.phone and not recall:
        notify(Message(to_phone=ticket.phone, kind="hall_call", data={"ticket": ticket.number},
                       text=f"【{window.hall.name}】请{ticket.number}号到{window.number}号窗口办理。"))


def ticket_call_next(*, window: Window, officer: Staff) -> Ticket | None:
    """叫号: the next ticket this window may take, or ``None`` when nobody is waiting for it.

    The same choice as ``waiting_for_window`` (there as querysets for the pages), here written out:
    the seat check, the policy's streak limit and the first candidates come in one query; a retry
    (every candidate taken by other windows meanwhile) or a priority streak reads the queue again.
    """
    day = clock.today()
    (_, current, streak_limit), rows = seat_and_waiting(window, officer, day=day)
    if not window.is_open:
        raise DomainError("window_closed", f"{window.number}号窗口已暂停服务", status=409)
    if current:
        raise DomainError("window_busy", f"请先办结、转移或过号当前的{current}号", status=409)
    streak = bool(streak_limit) and _priority_streak(window, streak_limit)
    for attempt in range(5):
        if attempt:
            rows = waiting_rows(window, day=day, normal_only=False)
        if streak:
            rows = waiting_rows(window, day=day, normal_only=True) or rows
        if not rows:
            if not window.queue_groups.filter(is_active=True).exists():
                raise DomainError("no_group", f"{window.number}号窗口未加入任何叫号分组，请联系中心管理员")
            return None
        for row in rows:
            t = ticket_from_row(row)
            now = clock.now()
            first = t.called_at is None
            called_at = now if first else t.called_at
            wait_seconds = int((now - t.issued_at).total_seconds()) if first else t.wait_seconds
            try:
                with transaction.atomic():
                    n = ticket_update_guarded(t, [TicketStatus.WAITING], {
                        "status": TicketStatus.CALLED, "window": window, "officer": officer,
                        "last_called_at": now, "recalls": 0, "called_at": called_at, "wait_seconds": wait_seconds})
                    if n != 1:
                        continue  # another window took it first: try the next one
                    t.status, t.window, t.officer, t.last_called_at, t.recalls = (
                        TicketStatus.CALLED, window, officer, now, 0)
                    t.called_at, t.wait_seconds = called_at, wait_seconds
                    t.row_version += 1
                    fastsql.insert([event(t, "call", window=window, officer=officer, at=now, priority=t.priority)])
                    _announce_call(t, window, recall=0)
            except IntegrityError:
                raise DomainError("window_busy", f"{window.number}号窗口已有正在叫号或办理的号", status=409) from None
            return t
    raise DomainError("conflict", "叫号冲突，请重试", status=409)


def ticket_recall(*, ticket: Ticket, window: Window, officer: Staff) -> Ticket:
    """重呼: call the same number again, at most ``max_recalls`` times."""
    require_seated(window, officer)
    require_at_window(ticket, window, TicketStatus.CALLED)
    p = policy_for(window.hall)
    if ticket.recalls >= p.max_recalls:
        raise DomainError("recall_limit", f"{ticket.number}号已重呼{ticket.recalls}次仍未到，请过号", status=409)
    now = clock.now()
    with transaction.atomic():
        _update(ticket, [TicketStatus.CALLED], recalls=ticket.recalls + 1, last_called_at=now)
        fastsql.insert([event(ticket, "recall", window=window, officer=officer, at=now, n=ticket.recalls)])
        _announce_call(ticket, window, recall=ticket.recalls)
    return ticket


def ticket_skip(*, ticket: Ticket, window: Window, officer: Staff) -> Ticket:
    """过号: the person did not come after ``max_recalls`` recalls; recorded as a no-show."""
    require_seated(window, officer)
    require_at_window(ticket, window, TicketStatus.CALLED)
    p = policy_for(window.hall)
    if ticket.recalls < p.max_recalls:
        raise DomainError("recall_first", f"须重呼{p.max_recalls}次仍未到方可过号（{ticket.number}号已重呼"
                          f"{ticket.recalls}次）", status=409)
    now = clock.now()
    with transaction.atomic():
        _update(ticket, [TicketStatus.CALLED], status=TicketStatus.NO_SHOW, finished_at=now)
        fastsql.insert([event(ticket, "skip", window=window, officer=officer, at=now, recalls=ticket.recalls)])
        publish_windows(window.hall, [window.pk])
    return ticket


def ticket_start(*, ticket: Ticket, window: Window, officer: Staff) -> Ticket:
    """开始办理: the person has come to the window."""
    require_seated(window, officer)
    require_at_window(ticket, window, TicketStatus.CALLED)
    now = clock.now()
    with transaction.atomic():
        _update(ticket, [TicketStatus.CALLED], status=TicketStatus.SERVING, started_at=now, officer=officer)
        fastsql.insert([event(ticket, "start", window=window, officer=officer, at=now)])
        publish_windows(window.hall, [window.pk])
    return ticket


def _link_case(*, officer: Staff, window: Window, ticket: Ticket, case_no: str, applicant, case_item):
    from zhengwu.cases.models import Case, Channel
    from zhengwu.cases.services import case_submit

    if case_no:
        case = Case.objects.select_related("hall__region").filter(case_no=case_no.strip()).first()
        if case is None:
            raise DomainError("case_not_found", f"未找到办件编号为 {case_no} 的办件")
        if not staff_can_act_at(officer, department_id=case.department_id, hall=case.hall):
            raise PermissionDenied("该办件不属于您所在部门或大厅，不能关联", code="out_of_scope")
        return case
    item = case_item or ticket.item
    if item is None:
        raise DomainError("case_item_required", "请选择要受理的事项")
    return case_submit(item=item, applicant=applicant, channel=Channel.WINDOW, officer=officer, window=window,
                       note=f"由排队号 {ticket.number} 受理")


def ticket_finish(*, ticket: Ticket, window: Window, officer: Staff, case_no: str = "", applicant=None,
                  case_item: Item | None = None) -> Ticket:
    """办结 this visit. With ``case_no`` the ticket is linked to an existing case; with ``applicant``
    (a ``cases.services.Applicant``) a window case is opened for the person. The rating pad of the
    window then shows this ticket.
    """
    statuses = (TicketStatus.SERVING, TicketStatus.CALLED)
    linking = bool(case_no) or applicant is not None
    if linking or ticket.window_id != window.pk or ticket.status not in statuses:
        require_seated(window, officer)  # before a case is opened, and before the refusals below
    require_at_window(ticket, window, *statuses)
    now = clock.now()
    started = ticket.started_at or ticket.last_called_at or now
    with transaction.atomic():
        case = None
        if linking:
            case = _link_case(officer=officer, window=window, ticket=ticket, case_no=case_no, applicant=applicant,
                              case_item=case_item)
        # the seat check (when not made above) in the guarded UPDATE itself
        _update(ticket, list(statuses), seated=None if linking else (window, officer), status=TicketStatus.DONE,
                finished_at=now,
                started_at=started, service_seconds=max(0, int((now - started).total_seconds())), case=case,
                officer=officer)
        fastsql.insert([event(ticket, "finish", window=window, officer=officer, at=now,
                              case_no=case.case_no if case else "")])
        publish_windows(window.hall, [window.pk], type="finish",
                        pad={"window_id": window.pk, "number": ticket.number})
    return ticket


TRANSFER_NOTE_MAX = 200  # kept in the ticket's event row, shown to the next window


def ticket_transfer(*, ticket: Ticket, window: Window, officer: Staff, to_group: WindowGroup,
                    note: str = "") -> Ticket:
    """转移 to another window group: the ticket waits there, in its original place (issue time)."""
    note = (note or "").strip()
    if len(note) > TRANSFER_NOTE_MAX:
        raise DomainError("too_long", f"转移说明不能超过{TRANSFER_NOTE_MAX}个字（现为{len(note)}个字）", status=422)
    require_seated(window, officer)
    require_at_window(ticket, window, TicketStatus.CALLED, TicketStatus.SERVING)
    if to_group.hall_id != ticket.hall_id or not to_group.is_active:
        raise DomainError("group_unavailable", f"“{to_group.name}”不是本大厅在用的叫号分组")
    if to_group.pk == ticket.group_id:
        raise DomainError("same_group", "不能转移到当前分组，请选择其他分组")
    if not group_serves(to_group, ticket.item_id):
        raise DomainError("group_cannot_serve", f"“{to_group.name}”没有可办理该事项的开放窗口")
    now = clock.now()
    from_group = ticket.group_id
    with transaction.atomic():
        _update(ticket, [TicketStatus.CALLED, TicketStatus.SERVING], status=TicketStatus.WAITING, group=to_group,
                window=None, officer=None, started_at=None, recalls=0, transfers=ticket.transfers + 1)
        fastsql.insert([event(ticket, "transfer", window=window, officer=officer, at=now, from_group=from_group,
                              to_group=to_group.pk, note=note)])
        publish_windows(window.hall, [window.pk], group_ids=[from_group, to_group.pk])
    return ticket
