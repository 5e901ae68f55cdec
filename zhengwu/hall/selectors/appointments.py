"""Appointments: the slots of a day with what is left, bookings by code."""

from __future__ import annotations

import datetime as dt

from zhengwu.catalog.models import Item
from zhengwu.core import clock
from zhengwu.core.errors import NotFound
from zhengwu.org.models import Hall
from zhengwu.workdays import engine

from ..models import (
    Appointment,
    QueuePolicy,
    SlotCapacity,
    SlotCounter,
)
from ..policy import at_local, local_now, policy_for, slot_starts


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
