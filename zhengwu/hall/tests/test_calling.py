"""Issuing and calling: numbers, exact call orders (priority, appointments, items, transfers),
recalls and no-shows, and what a refused action leaves unchanged."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied

from .. import selectors, services
from ..models import Appointment, Ticket, TicketEvent, TicketKind, TicketStatus
from . import factories as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = fx.build_hall()
    with clock.frozen(fx.at(8, 40)):
        for window, officer in ((world.w1, world.o1), (world.w2, world.o2), (world.w3, world.o3),
                                (world.w4, world.o4)):
            services.window_sign_in(window=window, officer=officer)
    return world


def issue(w, minute: int, **kw) -> Ticket:
    with clock.frozen(fx.at(9, minute)):
        return services.ticket_issue(hall=w.hall, **kw)


def drain(window, officer) -> list[str]:
    """Call and finish tickets at ``window`` until nobody is waiting for it; the numbers in call order."""
    called = []
    with clock.frozen(fx.at(11)):
        while (t := services.ticket_call_next(window=window, officer=officer)) is not None:
            called.append(t.number)
            services.ticket_finish(ticket=t, window=window, officer=officer)
    return called


def test_numbers_are_prefix_and_daily_sequence_per_group(w):
    a1 = issue(w, 1, group=w.group_a)
    b1 = issue(w, 2, group=w.group_b)
    a2 = issue(w, 3, item=w.licence)
    with clock.frozen(fx.at(9, 0, day=fx.DAY + dt.timedelta(days=1))):
        next_day = services.ticket_issue(hall=w.hall, group=w.group_a)
    assert [a1.number, b1.number, a2.number, next_day.number] == ["A001", "B001", "A002", "A001"]
    assert a2.group == w.group_a and a2.item == w.licence
    assert list(TicketEvent.objects.filter(action="issue").values_list("ticket__number", flat=True)) == [
        "A001", "B001", "A002", "A001"]


def test_priority_order_green_then_on_time_appointments_then_issue_order(w):
    issue(w, 1, group=w.group_a)                                 # A001 normal
    issue(w, 2, group=w.group_a)                                 # A002 normal
    issue(w, 3, group=w.group_a, green_reason="elderly")         # A003 green
    issue(w, 4, group=w.group_a)                                 # A004 normal
    with clock.frozen(fx.at(8, 0, day=fx.DAY - dt.timedelta(days=1))):
        booking = services.appointment_book(hall=w.hall, item=w.licence, day=fx.DAY, start=dt.time(9, 0),
                                            name="张三", phone=fx.PHONE, id_number=fx.ID_NUMBER)
    with clock.frozen(fx.at(9, 5)):
        appt = services.appointment_check_in(hall=w.hall, code=booking.code)  # A005 appointment, on time
    issue(w, 6, group=w.group_a, green_reason="pregnant")        # A006 green
    assert (appt.number, appt.kind, appt.priority) == ("A005", TicketKind.APPOINTMENT, 1)

    assert drain(w.w1, w.o1) == ["A003", "A006", "A005", "A001", "A002", "A004"]


def test_priority_streak_limit_lets_a_normal_ticket_through(w):
    fx.policy(priority_streak_limit=2)
    issue(w, 1, group=w.group_a)                                 # A001
    issue(w, 2, group=w.group_a, green_reason="disabled")        # A002 green
    issue(w, 3, group=w.group_a, green_reason="elderly")         # A003 green
    issue(w, 4, group=w.group_a, green_reason="elderly")         # A004 green
    issue(w, 5, group=w.group_a)                                 # A005

    assert drain(w.w1, w.o1) == ["A002", "A003", "A001", "A004", "A005"]


def test_late_appointment_check_in_queues_as_a_normal_ticket(w):
    with clock.frozen(fx.at(8, 0, day=fx.DAY - dt.timedelta(days=1))):
        on_time = services.appointment_book(hall=w.hall, item=w.licence, day=fx.DAY, start=dt.time(9, 30),
                                            name="张三", phone=fx.PHONE, id_number=fx.ID_NUMBER)
        late = services.appointment_book(hall=w.hall, item=w.licence, day=fx.DAY, start=dt.time(9, 0),
                                         name="李四", phone="13900002222", id_number=fx.id_number(2))
    issue(w, 1, group=w.group_a)                                  # A001
    with clock.frozen(fx.at(9, 11)):
        t_late = services.appointment_check_in(hall=w.hall, code=late.code)        # A002: 11 min late
    with clock.frozen(fx.at(9, 12)):
        t_on_time = services.appointment_check_in(hall=w.hall, code=on_time.code)  # A003: 18 min early
    issue(w, 13, group=w.group_a)                                 # A004

    assert (t_late.kind, t_late.priority, t_on_time.kind, t_on_time.priority) == (
        TicketKind.NORMAL, 0, TicketKind.APPOINTMENT, 1)
    assert Appointment.objects.get(pk=late.pk).late is True
    assert drain(w.w1, w.o1) == ["A003", "A001", "A002", "A004"]


def test_check_in_too_early_is_refused_and_changes_nothing(w):
    with clock.frozen(fx.at(8, 0, day=fx.DAY - dt.timedelta(days=1))):
        booking = services.appointment_book(hall=w.hall, item=w.licence, day=fx.DAY, start=dt.time(10, 30),
                                            name="张三", phone=fx.PHONE, id_number=fx.ID_NUMBER)
    with clock.frozen(fx.at(9, 50)), pytest.raises(DomainError) as exc:
        services.appointment_check_in(hall=w.hall, code=booking.code)
    assert exc.value.code == "too_early" and "10:00" in exc.value.message
    assert Ticket.objects.count() == 0
    assert Appointment.objects.get(pk=booking.pk).status == "booked"


def test_a_window_takes_only_tickets_for_its_items(w):
    issue(w, 1, item=w.naming)      # A001: only window 01 handles it
    issue(w, 2, item=w.licence)     # A002
    issue(w, 3, group=w.group_a)    # A003: no item chosen

    assert drain(w.w2, w.o2) == ["A002", "A003"]
    assert drain(w.w1, w.o1) == ["A001"]


def test_two_windows_of_a_group_never_get_the_same_ticket(w):
    for m in range(4):
        issue(w, m, group=w.group_a)
    with clock.frozen(fx.at(10)):
        first = services.ticket_call_next(window=w.w1, officer=w.o1)
        second = services.ticket_call_next(window=w.w2, officer=w.o2)
        assert selectors.groups_state(w.hall, [w.group_a.pk])[0]["next"] == ["A003", "A004"]
    assert (first.number, second.number) == ("A001", "A002")


def test_transfer_keeps_the_place_of_the_original_issue_time(w):
    issue(w, 1, group=w.group_b)    # B001
    issue(w, 2, group=w.group_a)    # A001
    issue(w, 3, group=w.group_b)    # B002
    issue(w, 4, group=w.group_b, green_reason="elderly")  # B003 green
    with clock.frozen(fx.at(10)):
        a1 = services.ticket_call_next(window=w.w1, officer=w.o1)
        services.ticket_start(ticket=a1, window=w.w1, officer=w.o1)
        services.ticket_transfer(ticket=a1, window=w.w1, officer=w.o1, to_group=w.group_b, note="需办理户籍")
    a1.refresh_from_db()
    assert (a1.status, a1.group, a1.window, a1.transfers, a1.number) == (
        TicketStatus.WAITING, w.group_b, None, 1, "A001")
    assert selectors.window_state(w.w1)["state"] == "idle"

    assert drain(w.w3, w.o3) == ["B003", "B001", "A001", "B002"]
    a1.refresh_from_db()
    assert (a1.window, a1.status, a1.wait_seconds) == (w.w3, TicketStatus.DONE, 58 * 60)


def test_transfer_to_a_group_that_cannot_serve_the_item_is_refused(w):
    t = issue(w, 1, item=w.naming)
    with clock.frozen(fx.at(10)):
        services.ticket_call_next(window=w.w1, officer=w.o1)
        t.refresh_from_db()
        with pytest.raises(DomainError) as exc:
            services.ticket_transfer(ticket=t, window=w.w1, officer=w.o1, to_group=w.group_b)
    assert exc.value.code == "group_cannot_serve"
    t.refresh_from_db()
    assert (t.status, t.group, t.window) == (TicketStatus.CALLED, w.group_a, w.w1)


def test_an_over_long_transfer_note_is_refused_and_the_ticket_stays(w):
    t = issue(w, 1, group=w.group_a)
    with clock.frozen(fx.at(10)):
        services.ticket_call_next(window=w.w1, officer=w.o1)
        t.refresh_from_db()
        with pytest.raises(DomainError) as exc:
            services.ticket_transfer(ticket=t, window=w.w1, officer=w.o1, to_group=w.group_b, note="请" * 201)
    assert (exc.value.code, exc.value.message) == ("too_long", "转移说明不能超过200个字（现为201个字）")
    t.refresh_from_db()
    assert (t.status, t.group, t.window, t.transfers) == (TicketStatus.CALLED, w.group_a, w.w1, 0)


def test_skip_needs_the_recalls_of_the_policy_then_records_a_no_show(w):
    fx.policy(max_recalls=2)
    issue(w, 1, group=w.group_a)
    with clock.frozen(fx.at(10)):
        t = services.ticket_call_next(window=w.w1, officer=w.o1)
        with pytest.raises(DomainError) as exc:
            services.ticket_skip(ticket=t, window=w.w1, officer=w.o1)
        assert exc.value.code == "recall_first"
        services.ticket_recall(ticket=t, window=w.w1, officer=w.o1)
        with pytest.raises(DomainError):
            services.ticket_skip(ticket=t, window=w.w1, officer=w.o1)
        services.ticket_recall(ticket=t, window=w.w1, officer=w.o1)
        with pytest.raises(DomainError) as exc:
            services.ticket_recall(ticket=t, window=w.w1, officer=w.o1)
        assert exc.value.code == "recall_limit"
        t.refresh_from_db()
        assert (t.status, t.recalls) == (TicketStatus.CALLED, 2)
        services.ticket_skip(ticket=t, window=w.w1, officer=w.o1)
    t.refresh_from_db()
    assert t.status == TicketStatus.NO_SHOW
    assert list(t.events.values_list("action", flat=True)) == ["issue", "call", "recall", "recall", "skip"]


def test_window_must_close_its_number_before_calling_the_next(w):
    issue(w, 1, group=w.group_a)
    issue(w, 2, group=w.group_a)
    with clock.frozen(fx.at(10)):
        services.ticket_call_next(window=w.w1, officer=w.o1)
        with pytest.raises(DomainError) as exc:
            services.ticket_call_next(window=w.w1, officer=w.o1)
    assert exc.value.code == "window_busy" and "A001" in exc.value.message
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == 1


def test_only_the_seated_officer_may_call(w):
    issue(w, 1, group=w.group_a)
    with clock.frozen(fx.at(10)):
        with pytest.raises(PermissionDenied):
            services.ticket_call_next(window=w.w1, officer=w.o2)
        with pytest.raises(PermissionDenied):
            services.window_sign_in(window=w.w1, officer=w.outsider)
    assert Ticket.objects.get().status == TicketStatus.WAITING


def test_empty_queue_gives_none(w):
    with clock.frozen(fx.at(10)):
        assert services.ticket_call_next(window=w.w1, officer=w.o1) is None


def test_finish_records_wait_and_service_time(w):
    issue(w, 1, group=w.group_a)
    with clock.frozen(fx.at(9, 21)):
        t = services.ticket_call_next(window=w.w1, officer=w.o1)
    with clock.frozen(fx.at(9, 23)):
        services.ticket_start(ticket=t, window=w.w1, officer=w.o1)
    with clock.frozen(fx.at(9, 30, 30)):
        services.ticket_finish(ticket=t, window=w.w1, officer=w.o1)
    t.refresh_from_db()
    assert (t.status, t.wait_seconds, t.service_seconds) == (TicketStatus.DONE, 20 * 60, 7 * 60 + 30)


def test_kiosk_hours_and_holidays(w):
    with clock.frozen(fx.at(10, day=dt.date(2026, 10, 1))), pytest.raises(DomainError) as exc:
        services.ticket_issue(hall=w.hall, group=w.group_a)
    assert exc.value.code == "hall_closed" and "国庆节" in exc.value.message
    assert exc.value.message.endswith("下次取号时间：10月8日（星期四） 08:30")  # 10月1日至7日放假
    with clock.frozen(fx.at(16, 50)), pytest.raises(DomainError) as exc:
        services.ticket_issue(hall=w.hall, group=w.group_a)
    assert exc.value.code == "outside_hours" and "08:30—16:45" in exc.value.message
    assert exc.value.message.endswith("下次取号时间：明天 08:30")
    with clock.frozen(fx.at(7, 0)), pytest.raises(DomainError) as exc:
        services.ticket_issue(hall=w.hall, group=w.group_a)
    assert exc.value.message.endswith("下次取号时间：今天 08:30")
    with clock.frozen(fx.at(10, day=dt.date(2026, 10, 10))):  # 调休 Saturday: open
        assert services.ticket_issue(hall=w.hall, group=w.group_a).number == "A001"
    assert Ticket.objects.count() == 1


def test_ticket_position_and_estimate(w):
    fx.policy(default_service_minutes=6)
    for m in range(5):
        issue(w, m, group=w.group_a)
    last = Ticket.objects.get(number="A005")
    green = issue(w, 6, group=w.group_a, green_reason="elderly")
    with clock.frozen(fx.at(9, 10)):
        assert selectors.ticket_position(last) == {"ahead": 5, "minutes": 15}   # 5 × 6 min ÷ 2 windows
        assert selectors.ticket_position(green) == {"ahead": 0, "minutes": 0}
