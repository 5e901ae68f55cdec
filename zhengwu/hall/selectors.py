"""Reads of the hall: board state, queue position and estimate, statistics, presence, guide and cards."""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict, defaultdict

from django.db.models import Avg, Count, Max, Q
from django.db.models.functions import ExtractHour
from django.utils import timezone

from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core import clock
from zhengwu.core.errors import NotFound
from zhengwu.org.models import Hall, Role, Staff, Window
from zhengwu.workdays import engine

from .models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    QueuePolicy,
    SlotCapacity,
    SlotCounter,
    StaffAbsence,
    Ticket,
    TicketEvent,
    TicketStatus,
    WindowGroup,
    WindowSeat,
)
from .policy import at_local, local_now, policy_for, slot_starts

WAITING_SHOWN = 8


def hall_get(*, code: str) -> Hall:
    hall = Hall.objects.select_related("region").filter(code=code, is_active=True).first()
    if hall is None:
        raise NotFound("未找到该服务大厅", code="hall_not_found")
    return hall


def call_text(number: str, window_number: str) -> str:
    return f"请{number}号到{window_number}号窗口办理"


# -- board ----------------------------------------------------------------------------------------


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


def _officer_json(s: Staff | None) -> dict | None:
    if s is None:
        return None
    return {"id": s.pk, "name": s.name, "employee_no": s.employee_no, "title": s.title,
            "initial": s.name[:1]}


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
    out = []
    for a in rows:
        seat = WindowSeat.objects.filter(officer=a.staff).select_related("window").first()
        out.append({"staff": _officer_json(a.staff), "department": a.staff.department.name if a.staff.department
                    else "中心", "window": seat.window.number if seat else "", **_absence_json(a, now),
                    "since": f"{timezone.localtime(a.started_at):%H:%M}"})
    return out


def board_snapshot(hall: Hall) -> dict:
    """The whole hall display, sent first on every board connection and after a resync."""
    return {
        "type": "snapshot",
        "hall": {"code": hall.code, "name": hall.name},
        "groups": groups_state(hall),
        "windows": windows_state(hall),
        "recent": recent_calls(hall),
        "away": presence_list(hall),
        "at": timezone.localtime(clock.now()).isoformat(timespec="seconds"),
    }


# -- queue position -------------------------------------------------------------------------------------


def staffed_windows(group: WindowGroup) -> int:
    """Windows of the group that are open, have an officer seated, and that officer is not away."""
    seated = WindowSeat.objects.filter(window__in=group.windows.filter(is_open=True), officer__isnull=False)
    away = StaffAbsence.objects.filter(returned_at__isnull=True).values("staff_id")
    return seated.exclude(officer_id__in=away).count()


def avg_service_minutes(group: WindowGroup, p: QueuePolicy) -> float:
    avg = (Ticket.objects.filter(group=group, day=clock.today(), status=TicketStatus.DONE)
           .aggregate(a=Avg("service_seconds"))["a"])
    return avg / 60 if avg else float(p.default_service_minutes)


def ticket_position(ticket: Ticket) -> dict:
    """How many are ahead in the same group (in call order) and the estimated wait in minutes."""
    if ticket.status != TicketStatus.WAITING or ticket.day != clock.today():
        return {"ahead": 0, "minutes": 0}
    ahead = Ticket.objects.filter(group_id=ticket.group_id, status=TicketStatus.WAITING, day=ticket.day).filter(
        Q(priority__gt=ticket.priority)
        | Q(priority=ticket.priority, queued_at__lt=ticket.queued_at)
        | Q(priority=ticket.priority, queued_at=ticket.queued_at, id__lt=ticket.pk)
    ).count()
    group = ticket.group
    p = policy_for(ticket.hall)
    windows = max(1, staffed_windows(group))
    minutes = math.ceil(ahead * avg_service_minutes(group, p) / windows)
    return {"ahead": ahead, "minutes": minutes}


# -- kiosk ------------------------------------------------------------------------------------------------


def window_serves_q(item: Item) -> Q:
    """Windows that take ``item``: listed among their items, or with no item list at all."""
    return Q(items=item) | Q(items__isnull=True)


def group_for_item(hall: Hall, item: Item) -> WindowGroup | None:
    """The first active group of the hall with an open window listing the item."""
    return (WindowGroup.objects.filter(hall=hall, is_active=True, windows__is_open=True, windows__items=item)
            .order_by("sort", "code").first())


def kiosk_items(hall: Hall) -> list[dict]:
    """Items handled at the hall's open windows, with the group whose number they take."""
    groups = list(WindowGroup.objects.filter(hall=hall, is_active=True).order_by("sort", "code")
                  .prefetch_related("windows__items"))
    seen: dict[int, dict] = {}
    for g in groups:
        for w in g.windows.all():
            if not w.is_open:
                continue
            for item in w.items.all():
                if item.pk not in seen and item.status == ItemVersion.Status.ACTIVE:
                    seen[item.pk] = {"id": item.pk, "name": item.name, "pinyin": item.name_initials,
                                     "group": g.code, "group_name": g.name}
    return sorted(seen.values(), key=lambda r: r["name"])


# -- appointments -------------------------------------------------------------------------------------------


def slot_capacity(hall: Hall, item: Item, p: QueuePolicy) -> int:
    row = SlotCapacity.objects.filter(hall=hall, item=item).values_list("capacity", flat=True).first()
    return p.slot_capacity if row is None else row


def appointment_slots(*, hall: Hall, item: Item, day: dt.date) -> dict:
    """The day's slots with capacity and what is left; ``closed`` says why the day cannot be booked."""
    p = policy_for(hall)
    status = engine.calendar_for(hall.region).status(day)
    capacity = slot_capacity(hall, item, p)
    today = clock.today()
    closed = ""
    if not status.workday:
        closed = f"{day:%Y年%m月%d日}为{status.reason.split('：')[-1]}，大厅不办公"
    elif day < today or day > today + dt.timedelta(days=p.booking_days):
        closed = f"仅可预约今天起{p.booking_days}天内的时段"
    elif capacity == 0:
        closed = "该事项在本大厅暂不开放预约"
    booked = dict(SlotCounter.objects.filter(hall=hall, item=item, day=day).values_list("start", "booked"))
    now = local_now()
    slots = []
    for start, end in slot_starts(p):
        taken = booked.get(start, 0)
        past = at_local(day, start) <= now
        slots.append({"start": start, "end": end, "capacity": capacity, "booked": taken,
                      "free": max(0, capacity - taken), "past": past,
                      "open": not closed and not past and taken < capacity})
    return {"day": day, "closed": closed, "slots": slots, "provisional": status.provisional,
            "capacity": capacity}


def appointment_get(*, hall: Hall, code: str, day: dt.date | None = None) -> Appointment:
    row = (Appointment.objects.select_related("item", "hall").filter(hall=hall, code=(code or "").strip(),
                                                                       day=day or clock.today()).first())
    if row is None:
        raise NotFound("未找到该预约，请核对预约码和日期", code="appointment_not_found")
    return row


def appointment_find(*, code: str, phone: str) -> Appointment:
    """A booking looked up by its code and the phone it was booked with (the citizen's own view)."""
    row = (Appointment.objects.select_related("item", "hall").filter(code=(code or "").strip(),
                                                                       phone=(phone or "").strip())
           .order_by("-day").first())
    if row is None:
        raise NotFound("未找到该预约，请核对预约码和手机号码", code="appointment_not_found")
    return row


# -- statistics -----------------------------------------------------------------------------------------------


def _minutes(seconds) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _agg() -> dict:
    return {
        "tickets": Count("id"),
        "called": Count("id", filter=Q(called_at__isnull=False)),
        "served": Count("id", filter=Q(status=TicketStatus.DONE)),
        "no_shows": Count("id", filter=Q(status=TicketStatus.NO_SHOW)),
        "avg_wait": Avg("wait_seconds"),
        "avg_service": Avg("service_seconds", filter=Q(status=TicketStatus.DONE)),
        "max_wait": Max("wait_seconds"),
    }


def _row(r: dict) -> dict:
    return {"tickets": r["tickets"], "called": r["called"], "served": r["served"], "no_shows": r["no_shows"],
            "avg_wait_min": _minutes(r["avg_wait"]), "avg_service_min": _minutes(r["avg_service"]),
            "max_wait_min": _minutes(r["max_wait"])}


def hall_stats(*, hall: Hall, day: dt.date) -> dict:
    """Tickets, average wait, average service time and no-shows: the hall, each window, and by hour.

    The hall's hours bucket tickets by the hour they were issued; a window's hours by the hour it
    first called them. A ticket counts for the window that last handled it (after a transfer, the
    second window); its wait runs from issue to first call.
    """
    tickets = Ticket.objects.filter(hall=hall, day=day)
    total = _row(tickets.aggregate(**_agg()))
    windows = {w.pk: w for w in Window.objects.filter(hall=hall)}
    per_window = []
    for r in tickets.filter(window__isnull=False).values("window_id").annotate(**_agg()).order_by():
        w = windows[r["window_id"]]
        per_window.append({"window_id": w.pk, "number": w.number, "name": w.name, **_row(r)})
    per_window.sort(key=lambda r: r["number"])
    by_hour = [{"hour": r["hour"], **_row(r)} for r in
               tickets.annotate(hour=ExtractHour("issued_at")).values("hour").annotate(**_agg()).order_by("hour")]
    window_hours: dict[int, dict[int, int]] = defaultdict(dict)
    for r in (tickets.filter(window__isnull=False, called_at__isnull=False)
              .annotate(hour=ExtractHour("called_at")).values("window_id", "hour").annotate(n=Count("id"))
              .order_by()):
        window_hours[r["window_id"]][r["hour"]] = r["n"]
    hours = sorted({h for row in window_hours.values() for h in row} | {r["hour"] for r in by_hour})
    for row in per_window:
        row["by_hour"] = [window_hours[row["window_id"]].get(h, 0) for h in hours]
    ratings = (Ticket.objects.filter(hall=hall, day=day, rating__isnull=False)
               .aggregate(n=Count("rating"), avg=Avg("rating__score")))
    return {"hall": hall.code, "day": day.isoformat(), "total": total, "windows": per_window, "by_hour": by_hour,
            "hours": hours, "ratings": {"count": ratings["n"],
                                        "avg": round(ratings["avg"], 2) if ratings["avg"] else None}}


# -- presence ----------------------------------------------------------------------------------------------------


def away_seconds_in_service_hours(start: dt.datetime, end: dt.datetime, *, p: QueuePolicy, region) -> int:
    """Seconds of [start, end) that fall in the service hours of working days."""
    if end <= start:
        return 0
    total = 0
    day, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    while day <= last:
        if engine.is_workday(day, region=region):
            for a, b in p.sessions():
                lo, hi = max(start, at_local(day, a)), min(end, at_local(day, b))
                if hi > lo:
                    total += int((hi - lo).total_seconds())
        day += dt.timedelta(days=1)
    return total


def presence_report(*, hall: Hall, start: dt.date, end: dt.date) -> list[dict]:
    """Per member of staff: absences and minutes away during service hours, days ``start``–``end``."""
    p = policy_for(hall)
    lo, hi = at_local(start, dt.time(0, 0)), at_local(end + dt.timedelta(days=1), dt.time(0, 0))
    now = clock.now()
    rows = (StaffAbsence.objects.filter(Q(hall=hall) | Q(hall__isnull=True, staff__hall=hall))
            .filter(started_at__lt=hi).filter(Q(returned_at__isnull=True) | Q(returned_at__gt=lo))
            .select_related("staff__department").order_by("staff__employee_no", "started_at"))
    by_staff: OrderedDict[int, dict] = OrderedDict()
    for a in rows:
        until = min(a.returned_at or now, hi)
        secs = away_seconds_in_service_hours(max(a.started_at, lo), until, p=p, region=hall.region)
        entry = by_staff.setdefault(a.staff_id, {"staff": a.staff, "absences": 0, "seconds": 0, "kinds": defaultdict(int)})
        entry["absences"] += 1
        entry["seconds"] += secs
        entry["kinds"][a.get_kind_display()] += secs
    return [{"staff": e["staff"], "absences": e["absences"], "minutes": e["seconds"] // 60,
             "kinds": {k: v // 60 for k, v in e["kinds"].items()}} for e in by_staff.values()]


# -- guide and cards ------------------------------------------------------------------------------------------------


def hall_guide(hall: Hall) -> list[dict]:
    """群众办事引导图: floor by floor, each window with its queue groups and the items it handles."""
    windows = list(Window.objects.filter(hall=hall).select_related("department")
                   .prefetch_related("items", "queue_groups").order_by("number"))
    floors: OrderedDict[str, list[dict]] = OrderedDict()
    for w in windows:
        floors.setdefault(w.floor or "大厅", []).append({
            "window": w,
            "groups": [g for g in w.queue_groups.all() if g.is_active],
            "items": sorted((i for i in w.items.all() if i.status == ItemVersion.Status.ACTIVE), key=lambda i: i.name),
        })
    return [{"floor": f, "windows": ws} for f, ws in floors.items()]


def post_cards(hall: Hall) -> list[dict]:
    """岗位卡 of every officer assigned to a window of the hall."""
    cards = []
    staff = (Staff.objects.filter(windows__hall=hall, is_active=True).distinct()
             .select_related("department").prefetch_related("windows__items", "roles").order_by("employee_no"))
    for s in staff:
        ws = [w for w in s.windows.all() if w.hall_id == hall.pk]
        items = sorted({i.name for w in ws for i in w.items.all()})
        cards.append({"staff": s, "windows": ws, "items": items[:8], "more": max(0, len(items) - 8),
                      "role": "、".join(r.name for r in s.roles.all())})
    return cards


def agent_card(hall: Hall) -> dict:
    """代办事项明示卡 of a village station: its agents and the items they may take in."""
    regions = [hall.region, *hall.region.ancestors()]
    items = (Item.objects.filter(current__isnull=False, status=ItemVersion.Status.ACTIVE,
                                 current__village_intake=True, department__region__in=regions)
             .select_related("department", "current").order_by("department__name", "name"))
    agents = (Staff.objects.filter(hall=hall, is_active=True, roles__code=Role.VILLAGE_AGENT).distinct()
              .order_by("employee_no"))
    grouped: OrderedDict[str, list] = OrderedDict()
    for i in items:
        grouped.setdefault(i.department.name, []).append(i)
    return {"agents": list(agents), "departments": grouped, "count": items.count()}


def contact_card(hall: Hall) -> dict:
    """便民服务联系卡: the hall, its departments' phones, and the agents of a village station."""
    departments = (Window.objects.filter(hall=hall, department__isnull=False).select_related("department")
                   .order_by("department__name").values_list("department__name", "department__phone").distinct())
    agents = (Staff.objects.filter(hall=hall, is_active=True, roles__code=Role.VILLAGE_AGENT).distinct()
              .order_by("employee_no"))
    upper = Hall.objects.filter(region__in=hall.region.ancestors(), is_active=True).order_by("-region__code")
    return {"departments": list(departments), "agents": list(agents), "upper": list(upper)}


def pad_ticket(window: Window) -> Ticket | None:
    """The ticket the window's pad asks about: the last one finished there, unrated, within the time allowed."""
    p = policy_for(window.hall)
    since = clock.now() - dt.timedelta(minutes=p.rating_minutes)
    return (Ticket.objects.filter(window=window, status=TicketStatus.DONE, finished_at__gte=since,
                                  rating__isnull=True)
            .select_related("officer", "item").order_by("-finished_at", "-id").first())


def ticket_get(*, token: str) -> Ticket:
    t = Ticket.objects.select_related("hall__region", "group", "item", "window").filter(token=token).first()
    if t is None:
        raise NotFound("未找到该排队号", code="ticket_not_found")
    return t


def appointments_today(hall: Hall) -> list[Appointment]:
    return list(Appointment.objects.filter(hall=hall, day=clock.today()).exclude(status=AppointmentStatus.CANCELLED)
                .select_related("item", "ticket").order_by("start", "id"))
