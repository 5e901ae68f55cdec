"""The hall display and the window screens: what each shows, as JSON-ready dicts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.org.models import Hall, Staff, Window
from zhengwu.org.photos import photo_key

from ..models import (
    ACTIVE_STATUSES,
    StaffAbsence,
    Ticket,
    TicketEvent,
    TicketStatus,
    WindowGroup,
    WindowSeat,
)
from ..policy import at_local

WAITING_SHOWN = 8

def call_text(number: str, window_number: str) -> str:
    return f"请{number}号到{window_number}号窗口办理"

def _absence_json(a: StaffAbsence | None, now: dt.datetime) -> dict | None:
    if a is None:
        return None
    until = timezone.localtime(a.expected_return)
    same_day = until.date() == timezone.localtime(now).date()
    return {
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "note": a.note,
        "until": f"{until:%H:%M}" if same_day else f"{until:%m-%d %H:%M}",
        "overdue": a.expected_return < now,
    }

def photo_url(s: Staff) -> str:
    """Where the staff photo is served, "" without one; the address carries the photo's random directory."""
    if not s.photo:
        return ""
    return reverse("hall:staff_photo", args=[s.pk, photo_key(s.photo.name)])

def _officer_json(s: Staff | None) -> dict | None:
    if s is None:
        return None
    return {"id": s.pk, "name": s.name, "employee_no": s.employee_no, "title": s.title,
            "initial": s.name[:1], "photo": photo_url(s)}

def windows_state(hall: Hall, window_ids: list[int] | None = None) -> list[dict]:
    """What the board and the window screens show for each window of ``hall`` (or the given ones)."""
    windows = Window.objects.filter(hall=hall).select_related("department").order_by("number")
    if window_ids is not None:
        windows = windows.filter(pk__in=window_ids)
    windows = list(windows)
    ids = [w.pk for w in windows]
    seats = {s.window_id: s.officer for s in WindowSeat.objects.filter(window_id__in=ids, officer__isnull=False)
             .select_related("officer")}
    active = {t.window_id: t for t in Ticket.objects.filter(window_id__in=ids, status__in=ACTIVE_STATUSES)
              .only("id", "window_id", "number", "status")}
    officer_ids = [o.pk for o in seats.values()]
    away = {a.staff_id: a for a in StaffAbsence.objects.filter(staff_id__in=officer_ids, returned_at__isnull=True)}
    now = clock.now()
    out = []
    for w in windows:
        officer = seats.get(w.pk)
        ticket = active.get(w.pk)
        absence = away.get(officer.pk) if officer else None
        if not w.is_open:
            state, label = "closed", "暂停服务"
        elif ticket is not None and ticket.status == TicketStatus.SERVING:
            state, label = "serving", f"{ticket.number} 办理中"
        elif ticket is not None:
            state, label = "called", f"请 {ticket.number} 号"
        elif absence is not None:
            state, label = "away", f"{absence.get_kind_display()}外出"
        elif officer is None:
            state, label = "unstaffed", "暂无人员"
        else:
            state, label = "idle", "空闲"
        out.append({
            "id": w.pk, "number": w.number, "name": w.name, "floor": w.floor,
            "department": w.department.name if w.department else "综合窗口",
            "state": state, "label": label, "current": ticket.number if ticket else "",
            "officer": _officer_json(officer), "away": _absence_json(absence, now),
        })
    return out

def window_state(window: Window) -> dict:
    return windows_state(window.hall, [window.pk])[0]

def groups_state(hall: Hall, group_ids: list[int] | None = None) -> list[dict]:
    """Each group's waiting count and the next numbers in call order (priority first)."""
    groups = WindowGroup.objects.filter(hall=hall, is_active=True).order_by("sort", "code")
    if group_ids is not None:
        groups = groups.filter(pk__in=group_ids)
    groups = list(groups)
    waiting: dict[int, list[str]] = defaultdict(list)
    rows = (Ticket.objects.filter(group_id__in=[g.pk for g in groups], status=TicketStatus.WAITING,
                                  day=clock.today())
            .order_by("-priority", "queued_at", "id").values_list("group_id", "number"))
    for gid, number in rows:
        waiting[gid].append(number)
    return [{"id": g.pk, "code": g.code, "name": g.name, "waiting": len(waiting[g.pk]),
             "next": waiting[g.pk][:WAITING_SHOWN]} for g in groups]

def recent_calls(hall: Hall, limit: int = 6) -> list[dict]:
    start = at_local(clock.today(), dt.time(0, 0))
    rows = (TicketEvent.objects.filter(ticket__hall=hall, action__in=["call", "recall"], at__gte=start)
            .select_related("ticket", "window").order_by("-id")[:limit])
    return [{"number": e.ticket.number, "window": e.window.number if e.window else "",
             "at": f"{timezone.localtime(e.at):%H:%M}", "text": call_text(e.ticket.number, e.window.number)}
            for e in rows if e.window is not None]

def presence_list(hall: Hall) -> list[dict]:
    """Everyone of the hall who is away now (工作人员外出告知图)."""
    now = clock.now()
    rows = (StaffAbsence.objects.filter(returned_at__isnull=True).filter(Q(hall=hall) | Q(staff__hall=hall))
            .select_related("staff__department").order_by("expected_return"))
    rows = list(rows)
    seats = dict(WindowSeat.objects.filter(officer_id__in=[a.staff_id for a in rows])
                 .values_list("officer_id", "window__number"))
    return [{"staff": _officer_json(a.staff), "department": a.staff.department.name if a.staff.department
             else "中心", "window": seats.get(a.staff_id, ""), **_absence_json(a, now),
             "since": f"{timezone.localtime(a.started_at):%H:%M}"} for a in rows]

def board_snapshot(hall: Hall) -> dict:
    """The whole hall display, sent first on every board connection and after a resync."""
    return {
        "type": "snapshot",
        "hall": {"code": hall.code, "name": hall.name},
        "groups": groups_state(hall),
        "windows": windows_state(hall),
        "recent": recent_calls(hall, limit=20),  # a screen of some groups shows its own last six
        "away": presence_list(hall),
        "at": timezone.localtime(clock.now()).isoformat(timespec="seconds"),
    }
