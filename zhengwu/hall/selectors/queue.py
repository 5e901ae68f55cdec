"""Tickets and the kiosk: a hall by code, a ticket by its link code, queue position and estimate."""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Avg, Q

from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core import clock
from zhengwu.core.errors import NotFound
from zhengwu.org.models import Hall, Window
from zhengwu.ratings.models import Kind, Rating

from ..models import (
    QueuePolicy,
    StaffAbsence,
    Ticket,
    TicketStatus,
    WindowGroup,
    WindowSeat,
)
from ..policy import policy_for


def hall_get(*, code: str) -> Hall:
    hall = Hall.objects.select_related("region").filter(code=code, is_active=True).first()
    if hall is None:
        raise NotFound("未找到该服务大厅", code="hall_not_found")
    return hall

def ticket_get(*, token: str) -> Ticket:
    t = Ticket.objects.select_related("hall__region", "group", "item", "window").filter(token=token).first()
    if t is None:
        raise NotFound("未找到该排队号", code="ticket_not_found")
    return t

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

def pad_ticket(window: Window) -> Ticket | None:
    """The ticket the window's pad asks about: the last one finished there, within the time allowed,
    while it is not rated yet (as itself, or as its case). Once it is rated the pad waits for the
    next: an older ticket does not come back for someone else to rate.
    """
    p = policy_for(window.hall)
    since = clock.now() - dt.timedelta(minutes=p.rating_minutes)
    ticket = (Ticket.objects.filter(window=window, status=TicketStatus.DONE, finished_at__gte=since)
              .select_related("officer", "item", "case__item_version").order_by("-finished_at", "-id").first())
    if ticket is None:
        return None
    rated = Q(hall_id=ticket.hall_id, ticket_ref=ticket.rating_ref)
    if ticket.case_id is not None:
        rated |= Q(case_id=ticket.case_id, kind=Kind.HALL)
    return None if Rating.objects.filter(rated).exists() else ticket
