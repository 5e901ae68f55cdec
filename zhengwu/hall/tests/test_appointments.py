"""Appointments: slot capacity, holiday closure (2026 calendar), cancellation, no-shows."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.notify import ConsoleNotifier

from .. import selectors, services
from ..models import Appointment, AppointmentStatus, SlotCapacity, SlotCounter, Ticket
from . import factories as fx

pytestmark = pytest.mark.django_db

# Monday 28 September 2026: the days ahead hold 国庆节 (10-01…07) and the 调休 Saturday 10-10.
MONDAY = dt.date(2026, 9, 28)


@pytest.fixture
def w():
    world = fx.build_hall()
    fx.policy(booking_days=14)
    return world


def book(w, day, start, n=1, item=None, **over):
    with clock.frozen(fx.at(8, 0, day=MONDAY)):
        return services.appointment_book(hall=w.hall, item=item or w.licence, day=day, start=start,
                                         name=f"申请人{n}", phone=f"139000000{n:02d}", id_number=fx.id_number(n),
                                         **over)


def test_capacity_per_slot_is_policy_default_or_per_item(w):
    fx.policy(booking_days=14, slot_capacity=3)
    SlotCapacity.objects.create(hall=w.hall, item=w.licence, capacity=2)
    day = dt.date(2026, 9, 29)
    book(w, day, dt.time(9, 0), 1)
    book(w, day, dt.time(9, 0), 2)
    with pytest.raises(DomainError) as exc:
        book(w, day, dt.time(9, 0), 3)
    assert exc.value.code == "slot_full"
    assert Appointment.objects.filter(day=day).count() == 2
    assert SlotCounter.objects.get(item=w.licence, day=day, start=dt.time(9, 0)).booked == 2
    # another item keeps the policy default of 3
    for n in (4, 5, 6):
        book(w, day, dt.time(9, 0), n, item=w.naming)
    with pytest.raises(DomainError):
        book(w, day, dt.time(9, 0), 7, item=w.naming)
    with clock.frozen(fx.at(8, 0, day=MONDAY)):
        slots = selectors.appointment_slots(hall=w.hall, item=w.licence, day=day)
    first = slots["slots"][0]
    assert (first["start"], first["end"], first["capacity"], first["booked"], first["free"], first["open"]) == (
        dt.time(9, 0), dt.time(9, 30), 2, 2, 0, False)
    assert [s["start"] for s in slots["slots"]][:7] == [dt.time(9, 0), dt.time(9, 30), dt.time(10, 0),
                                                        dt.time(10, 30), dt.time(11, 0), dt.time(11, 30),
                                                        dt.time(13, 30)]
    assert len(slots["slots"]) == 13  # 6 in the morning, 7 in the afternoon (13:30–17:00)


def test_cancel_frees_the_place(w):
    SlotCapacity.objects.create(hall=w.hall, item=w.licence, capacity=1)
    day = dt.date(2026, 9, 29)
    a = book(w, day, dt.time(10, 0), 1)
    with pytest.raises(DomainError):
        book(w, day, dt.time(10, 0), 2)
    with clock.frozen(fx.at(8, 0, day=MONDAY)):
        with pytest.raises(DomainError) as exc:
            services.appointment_cancel(appointment=a, phone="13000000000")
        assert exc.value.code == "phone_mismatch"
        services.appointment_cancel(appointment=a, phone=a.phone)
    assert Appointment.objects.get(pk=a.pk).status == AppointmentStatus.CANCELLED
    assert book(w, day, dt.time(10, 0), 2).status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("day, reason", [
    (dt.date(2026, 10, 1), "国庆节"),
    (dt.date(2026, 10, 5), "国庆节"),
    (dt.date(2026, 10, 3), "国庆节"),
    (dt.date(2026, 10, 4), "国庆节"),
    (dt.date(2026, 10, 11), "周末"),
])
def test_closed_days_cannot_be_booked(w, day, reason):
    with pytest.raises(DomainError) as exc:
        book(w, day, dt.time(9, 0))
    assert exc.value.code == "hall_closed" and reason in exc.value.message
    with clock.frozen(fx.at(8, 0, day=MONDAY)):
        slots = selectors.appointment_slots(hall=w.hall, item=w.licence, day=day)
    assert reason in slots["closed"] and not any(s["open"] for s in slots["slots"])
    assert Appointment.objects.count() == 0


def test_adjusted_saturday_and_ordinary_days_are_open(w):
    assert book(w, dt.date(2026, 10, 10), dt.time(9, 0), 1).status == AppointmentStatus.BOOKED   # 调休上班
    assert book(w, dt.date(2026, 10, 8), dt.time(9, 0), 2).status == AppointmentStatus.BOOKED
    assert book(w, dt.date(2026, 9, 30), dt.time(16, 30), 3).end == dt.time(17, 0)


def test_spring_festival_2026_is_closed_and_the_adjusted_saturday_open(w):
    with clock.frozen(fx.at(8, 0, day=dt.date(2026, 2, 12))):
        for day in (dt.date(2026, 2, 15), dt.date(2026, 2, 20), dt.date(2026, 2, 23)):
            assert "春节" in selectors.appointment_slots(hall=w.hall, item=w.licence, day=day)["closed"]
        assert selectors.appointment_slots(hall=w.hall, item=w.licence, day=dt.date(2026, 2, 14))["closed"] == ""


def test_booking_rules(w):
    with pytest.raises(DomainError) as exc:
        book(w, dt.date(2026, 9, 29), dt.time(9, 10))
    assert exc.value.code == "no_such_slot"
    with pytest.raises(DomainError) as exc:
        book(w, dt.date(2026, 10, 16), dt.time(9, 0))
    assert exc.value.code == "booking_window"
    with pytest.raises(DomainError) as exc:
        book(w, MONDAY, dt.time(8, 0))
    assert exc.value.code == "no_such_slot"
    with pytest.raises(DomainError) as exc:
        book(w, dt.date(2026, 9, 29), dt.time(9, 0), item=w.no_booking)
    assert exc.value.code == "no_appointment"
    book(w, dt.date(2026, 9, 29), dt.time(9, 0), 1)
    with pytest.raises(DomainError) as exc:
        book(w, dt.date(2026, 9, 29), dt.time(10, 0), 1)
    assert exc.value.code == "already_booked"
    assert Appointment.objects.count() == 1


def test_confirmation_sms_carries_the_code(w, django_capture_on_commit_callbacks):
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        a = book(w, dt.date(2026, 9, 29), dt.time(9, 30), 1)
    assert [m.to_phone for m in ConsoleNotifier.sent] == ["13900000001"]
    assert a.code in ConsoleNotifier.sent[0].text and "09:30-10:00" in ConsoleNotifier.sent[0].text


def test_no_shows_are_recorded_and_block_booking_after_the_limit(w):
    fx.policy(booking_days=14, no_show_limit=2, no_show_days=30)
    a1 = book(w, dt.date(2026, 9, 29), dt.time(9, 0), 1)
    a2 = book(w, dt.date(2026, 9, 30), dt.time(9, 0), 1)
    with clock.frozen(fx.at(9, 29, day=dt.date(2026, 9, 29))):
        assert services.appointment_mark_no_shows(hall=w.hall) == 0
    with clock.frozen(fx.at(9, 30, day=dt.date(2026, 9, 29))):
        assert services.appointment_mark_no_shows(hall=w.hall) == 1
        with pytest.raises(DomainError) as exc:
            services.appointment_check_in(hall=w.hall, code=a1.code)
        assert exc.value.code == "appointment_missed"
    with clock.frozen(fx.at(9, 35, day=dt.date(2026, 9, 30))), pytest.raises(DomainError) as exc:
        services.appointment_check_in(hall=w.hall, code=a2.code)
    assert exc.value.code == "appointment_missed"
    assert list(Appointment.objects.order_by("day").values_list("status", flat=True)) == ["no_show", "no_show"]
    assert Ticket.objects.count() == 0
    with clock.frozen(fx.at(10, day=dt.date(2026, 10, 8))), pytest.raises(DomainError) as exc:
        services.appointment_book(hall=w.hall, item=w.licence, day=dt.date(2026, 10, 9), start=dt.time(9, 0),
                                  name="申请人1", phone="13900000001", id_number=fx.id_number(1))
    assert exc.value.code == "too_many_no_shows"
