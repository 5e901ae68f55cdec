"""Appointments (预约): book a slot, cancel, check in at the kiosk, record no-shows.

Capacity is held by one counter row per hall, item, day and slot, incremented by a single upsert
that only applies while below capacity (``… DO UPDATE … WHERE booked < capacity RETURNING``): two
people booking the last place at once cannot both get it. Days that are not working days in the
hall's region (holidays, weekends, with 调休 working days open) cannot be booked.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.notify import Message, notify
from zhengwu.core.validators import validate_id_number, validate_lengths, validate_phone
from zhengwu.org.models import Hall
from zhengwu.workdays import engine

from .. import selectors
from ..models import Appointment, AppointmentStatus, SlotCounter, Ticket, TicketKind
from ..policy import at_local, local_now, policy_for, slot_starts
from .tickets import issue_in_transaction


def _take_place(hall: Hall, item: Item, day: dt.date, start: dt.time, capacity: int) -> bool:
    ops = connection.ops
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO hall_slotcounter (hall_id, item_id, day, start, booked) VALUES (%s, %s, %s, %s, 1) "
            "ON CONFLICT (hall_id, item_id, day, start) DO UPDATE SET booked = hall_slotcounter.booked + 1 "
            "WHERE hall_slotcounter.booked < %s RETURNING booked",
            [hall.pk, item.pk, ops.adapt_datefield_value(day), ops.adapt_timefield_value(start), capacity],
        )
        return cur.fetchone() is not None


def _release_place(a: Appointment) -> None:
    SlotCounter.objects.filter(hall_id=a.hall_id, item_id=a.item_id, day=a.day, start=a.start,
                               booked__gt=0).update(booked=F("booked") - 1)


def appointment_book(*, hall: Hall, item: Item, day: dt.date, start: dt.time, name: str, phone: str,
                     id_number: str, user=None) -> Appointment:
    """Book a slot; the confirmation with the 6-digit code goes to the phone by SMS."""
    if item.current_id is None or item.status != ItemVersion.Status.ACTIVE or not item.current.appointment:
        raise DomainError("no_appointment", f"事项“{item.name}”不支持预约办理，请直接到大厅取号")
    if selectors.group_for_item(hall, item) is None:
        raise DomainError("item_not_in_hall", f"{hall.name}暂无办理“{item.name}”的窗口")
    p = policy_for(hall)
    status = engine.calendar_for(hall.region).status(day)
    if not status.workday:
        raise DomainError("hall_closed", f"{day:%Y年%m月%d日}为{status.reason.split('：')[-1]}，大厅不办公，不能预约")
    today = clock.today()
    if day < today or day > today + dt.timedelta(days=p.booking_days):
        raise DomainError("booking_window", f"仅可预约今天起{p.booking_days}天内的时段")
    slots = dict(slot_starts(p))
    if start not in slots:
        raise DomainError("no_such_slot", f"{start:%H:%M} 不是可预约的时段")
    if at_local(day, start) <= local_now():
        raise DomainError("slot_past", "该时段已开始，不能预约")
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", "请填写姓名")
    validate_lengths({"name": name}, Appointment, ["name"])  # the page hands the posted text straight here
    phone = validate_phone(phone)
    id_number = validate_id_number(id_number)
    if p.no_show_limit:
        since = today - dt.timedelta(days=p.no_show_days)
        missed = Appointment.objects.filter(id_number=id_number, status=AppointmentStatus.NO_SHOW,
                                            day__gte=since).count()
        if missed >= p.no_show_limit:
            raise DomainError("too_many_no_shows", f"您近{p.no_show_days}天内预约后未到{missed}次，暂停网上预约，"
                              "请直接到大厅取号")
    if Appointment.objects.filter(id_number=id_number, item=item, day=day, status=AppointmentStatus.BOOKED).exists():
        raise DomainError("already_booked", "您已预约当天该事项，无需重复预约")
    capacity = selectors.slot_capacity(hall, item, p)
    if capacity == 0:
        raise DomainError("no_appointment", f"事项“{item.name}”在{hall.name}暂不开放预约")
    with transaction.atomic():
        if not _take_place(hall, item, day, start, capacity):
            raise DomainError("slot_full", f"{day:%m月%d日} {start:%H:%M} 时段已约满，请选择其他时段", status=409)
        for _ in range(20):
            code = f"{secrets.randbelow(1_000_000):06d}"
            try:
                with transaction.atomic():
                    a = Appointment.objects.create(hall=hall, item=item, day=day, start=start, end=slots[start],
                                                   code=code, name=name, phone=phone, id_number=id_number,
                                                   user=user if getattr(user, "is_authenticated", False) else None)
                break
            except IntegrityError:
                continue
        else:
            raise DomainError("code_exhausted", "预约码生成失败，请重试", status=503)
        notify(Message(to_phone=phone, kind="hall_appointment", data={"code": code},
                       text=f"【{hall.name}】您已预约{day:%m月%d日} {start:%H:%M}-{slots[start]:%H:%M}办理“{item.name}”，"
                            f"预约码{code}。请按时到大厅取号机签到。"))
    return a


def appointment_cancel(*, appointment: Appointment, phone: str) -> Appointment:
    """Cancel before the slot starts; the place becomes free again."""
    a = appointment
    if (phone or "").strip() != a.phone:
        raise DomainError("phone_mismatch", "手机号码与预约时填写的不一致")
    if a.status != AppointmentStatus.BOOKED:
        raise DomainError("not_booked", f"该预约当前状态为“{a.get_status_display()}”，不能取消", status=409)
    if at_local(a.day, a.start) <= local_now():
        raise DomainError("slot_started", "预约时段已开始，不能取消", status=409)
    now = clock.now()
    with transaction.atomic():
        n = Appointment.objects.filter(pk=a.pk, status=AppointmentStatus.BOOKED).update(
            status=AppointmentStatus.CANCELLED, cancelled_at=now)
        if n != 1:
            raise DomainError("conflict", "预约状态已变化，请刷新后重试", status=409)
        _release_place(a)
    a.status, a.cancelled_at = AppointmentStatus.CANCELLED, now
    return a


def appointment_mark_no_shows(*, hall: Hall | None = None) -> int:
    """Bookings not checked in by the end of their slot become no-shows (爽约)."""
    now = local_now()
    qs = Appointment.objects.filter(status=AppointmentStatus.BOOKED)
    if hall is not None:
        qs = qs.filter(hall=hall)
    past = qs.filter(day__lt=now.date())
    ended = qs.filter(day=now.date(), end__lte=now.time().replace(microsecond=0))
    with transaction.atomic():
        return past.update(status=AppointmentStatus.NO_SHOW) + ended.update(status=AppointmentStatus.NO_SHOW)


def appointment_check_in(*, hall: Hall, code: str) -> Ticket:
    """签到 at the kiosk with the code: on time (from ``checkin_early_minutes`` before the slot until
    ``checkin_late_minutes`` after its start) the ticket has appointment priority; later, until the
    slot ends, it queues as a normal ticket. After the slot the booking is a no-show.
    """
    appointment_mark_no_shows(hall=hall)
    a = selectors.appointment_get(hall=hall, code=code)
    if a.status == AppointmentStatus.NO_SHOW:
        raise DomainError("appointment_missed", "预约时段已过，预约已失效，请取普通号办理", status=409)
    if a.status != AppointmentStatus.BOOKED:
        raise DomainError("not_booked", f"该预约当前状态为“{a.get_status_display()}”", status=409)
    p = policy_for(hall)
    now = local_now()
    begin = at_local(a.day, a.start)
    opens = begin - dt.timedelta(minutes=p.checkin_early_minutes)
    if now < opens:
        raise DomainError("too_early", f"您预约的时段为 {a.start:%H:%M}-{a.end:%H:%M}，请于 {opens:%H:%M} 后签到",
                          status=409)
    late = now > begin + dt.timedelta(minutes=p.checkin_late_minutes)
    group = selectors.group_for_item(hall, a.item)
    if group is None:
        raise DomainError("item_not_in_hall", f"本大厅暂无办理“{a.item.name}”的窗口，请咨询导办台")
    with transaction.atomic():
        n = Appointment.objects.filter(pk=a.pk, status=AppointmentStatus.BOOKED).update(
            status=AppointmentStatus.CHECKED_IN, checked_in_at=clock.now(), late=late)
        if n != 1:
            raise DomainError("conflict", "该预约已签到", status=409)
        ticket = issue_in_transaction(
            hall=hall, group=group, item=a.item, kind=TicketKind.NORMAL if late else TicketKind.APPOINTMENT,
            priority=0 if late else p.appointment_rank, phone=a.phone)
        Appointment.objects.filter(pk=a.pk).update(ticket=ticket)
    return ticket
