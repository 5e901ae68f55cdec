"""Expiry (已过期): which tickets expire and when, a second run, calling after expiry, the board,
the phone page, the statistics and the scheduled command."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command

from zhengwu.core import clock
from zhengwu.org.tests import factories as f
from zhengwu.supervision.hall_port import hall_today

from .. import selectors, services
from ..models import QueuePolicy, Ticket, TicketEvent, TicketStatus, WindowGroup
from . import factories as fx

pytestmark = pytest.mark.django_db

MONDAY = fx.DAY - dt.timedelta(days=1)


@pytest.fixture
def w():
    """Monday: A001 left waiting. Tuesday (fx.DAY): A001 called at window 01 and left open, A002
    waiting, B001 being served at window 03, C001 done at window 04."""
    world = fx.build_hall()
    with clock.frozen(fx.at(9, day=MONDAY)):
        world.monday = services.ticket_issue(hall=world.hall, group=world.group_a)
    with clock.frozen(fx.at(8, 40)):
        for window, officer in ((world.w1, world.o1), (world.w3, world.o3), (world.w4, world.o4)):
            services.window_sign_in(window=window, officer=officer)
    with clock.frozen(fx.at(9)):
        world.a1 = services.ticket_issue(hall=world.hall, group=world.group_a)
    with clock.frozen(fx.at(9, 5)):
        assert services.ticket_call_next(window=world.w1, officer=world.o1) == world.a1
    with clock.frozen(fx.at(9, 10)):
        world.a2 = services.ticket_issue(hall=world.hall, group=world.group_a)
    with clock.frozen(fx.at(9, 20)):
        world.b1 = services.ticket_issue(hall=world.hall, group=world.group_b)
    with clock.frozen(fx.at(9, 25)):
        services.ticket_call_next(window=world.w3, officer=world.o3)
    with clock.frozen(fx.at(9, 26)):
        services.ticket_start(ticket=Ticket.objects.get(pk=world.b1.pk), window=world.w3, officer=world.o3)
    with clock.frozen(fx.at(9, 30)):
        world.c1 = services.ticket_issue(hall=world.hall, group=world.group_c)
    with clock.frozen(fx.at(9, 31)):
        services.ticket_call_next(window=world.w4, officer=world.o4)
    with clock.frozen(fx.at(9, 40)):
        services.ticket_finish(ticket=Ticket.objects.get(pk=world.c1.pk), window=world.w4, officer=world.o4)
    return world


def statuses() -> dict[tuple[str, str], str]:
    return {(f"{t.day:%m-%d}", t.number): t.status for t in Ticket.objects.order_by("day", "number")}


def expire_events() -> list[tuple]:
    return list(TicketEvent.objects.filter(action="expire").order_by("id")
                .values_list("ticket__day", "ticket__number", "window__number", "data", "at"))


def test_tickets_expire_after_closing_plus_the_grace_and_only_once(w):
    assert QueuePolicy.objects.get(hall__isnull=True).expire_after_minutes == 60  # pm_end 17:00 → 18:00
    with clock.frozen(fx.at(17, 59)):
        assert services.ticket_mark_expired() == 1  # Monday's ticket only
    assert statuses() == {("03-09", "A001"): "expired", ("03-10", "A001"): "called", ("03-10", "A002"): "waiting",
                          ("03-10", "B001"): "serving", ("03-10", "C001"): "done"}
    with clock.frozen(fx.at(18)):
        assert services.ticket_mark_expired() == 2
    assert statuses() == {("03-09", "A001"): "expired", ("03-10", "A001"): "expired", ("03-10", "A002"): "expired",
                          ("03-10", "B001"): "serving", ("03-10", "C001"): "done"}
    a1 = Ticket.objects.get(pk=w.a1.pk)
    assert (a1.finished_at, a1.row_version, a1.window, a1.called_at) == (fx.at(18), 2, w.w1, fx.at(9, 5))
    assert expire_events() == [
        (MONDAY, "A001", None, {"was": "waiting"}, fx.at(17, 59)),
        (fx.DAY, "A001", "01", {"was": "called"}, fx.at(18)),
        (fx.DAY, "A002", None, {"was": "waiting"}, fx.at(18)),
    ]

    with clock.frozen(fx.at(18, 30)):
        assert services.ticket_mark_expired() == 0
        assert services.ticket_mark_expired(hall=w.hall) == 0
    assert len(expire_events()) == 3
    assert Ticket.objects.get(pk=w.a1.pk).row_version == a1.row_version


def test_until_is_a_moment_in_the_past_and_never_later_than_now(w):
    with clock.frozen(fx.at(18, 30)):
        assert services.ticket_mark_expired(hall=w.hall, until=fx.at(12)) == 1  # Monday's closing has passed
    with clock.frozen(fx.at(12)):
        assert services.ticket_mark_expired(until=fx.at(19)) == 0  # not yet 19:00: nothing of today
    assert statuses()[("03-10", "A002")] == "waiting"


def test_each_hall_by_its_own_policy_and_the_hall_filter(w):
    other = f.hall(w.county, code="SFXB", name="示范县不动产登记中心")
    QueuePolicy.objects.create(hall=other, expire_after_minutes=0)
    group = WindowGroup.objects.create(hall=other, code="A", name="不动产登记")
    with clock.frozen(fx.at(9)):
        theirs = services.ticket_issue(hall=other, group=group)
    with clock.frozen(fx.at(17, 30)):
        assert services.ticket_mark_expired(hall=w.hall) == 1  # Monday's; the other hall not touched
        assert Ticket.objects.get(pk=theirs.pk).status == TicketStatus.WAITING
        assert services.ticket_mark_expired() == 1  # the other hall closed at 17:00 without grace
    assert Ticket.objects.get(pk=theirs.pk).status == TicketStatus.EXPIRED
    assert statuses()[("03-10", "A002")] == "waiting"


def test_expired_tickets_are_not_called_and_free_their_window(w):
    fx.policy(enforce_hours=False)
    with clock.frozen(fx.at(17, 50)):
        assert [(g["code"], g["waiting"], g["next"]) for g in selectors.groups_state(w.hall)] == [
            ("A", 1, ["A002"]), ("B", 0, []), ("C", 0, [])]
    with clock.frozen(fx.at(18)):
        services.ticket_mark_expired()
        assert [(g["code"], g["waiting"], g["next"]) for g in selectors.groups_state(w.hall)] == [
            ("A", 0, []), ("B", 0, []), ("C", 0, [])]
        assert [(s["number"], s["state"], s["current"]) for s in selectors.windows_state(w.hall)] == [
            ("01", "idle", ""), ("02", "unstaffed", ""), ("03", "serving", "B001"), ("04", "idle", "")]
    with clock.frozen(fx.at(18, 10)):
        late = services.ticket_issue(hall=w.hall, group=w.group_a)
    with clock.frozen(fx.at(18, 15)):
        assert services.ticket_call_next(window=w.w1, officer=w.o1) == late  # not A002, queued earlier
        services.ticket_finish(ticket=Ticket.objects.get(pk=late.pk), window=w.w1, officer=w.o1)
        assert services.ticket_call_next(window=w.w1, officer=w.o1) is None
    assert Ticket.objects.get(pk=w.a2.pk).status == TicketStatus.EXPIRED


def test_the_phone_page_and_the_api_say_expired(client, w):
    with clock.frozen(fx.at(18)):
        services.ticket_mark_expired()
        page = re.sub(r"\s+", " ", client.get(f"/hall/t/{w.a2.token}/").content.decode())
        api = client.get(f"/api/hall/tickets/{w.a2.token}").json()
    assert 'data-testid="ticket-expired"><strong>已过期</strong>' in page
    assert "您前面还有" not in page and 'http-equiv="refresh"' not in page
    assert (api["status"], api["status_label"], api["ahead"]) == ("expired", "已过期", 0)


def test_statistics_count_expired_tickets_in_their_own_column(client, w):
    with clock.frozen(fx.at(17, 50)):
        before = hall_today(hall_ids=[w.hall.pk], today=fx.DAY)
    with clock.frozen(fx.at(18)):
        services.ticket_mark_expired()
        after = hall_today(hall_ids=[w.hall.pk], today=fx.DAY)
    s = selectors.hall_stats(hall=w.hall, day=fx.DAY)
    assert s["total"] == {"tickets": 4, "called": 3, "served": 1, "no_shows": 0, "expired": 2,
                          "avg_wait_min": 3.7, "avg_service_min": 9.0, "max_wait_min": 5.0}
    assert [(r["number"], r["tickets"], r["called"], r["served"], r["expired"]) for r in s["windows"]] == [
        ("01", 1, 1, 0, 1), ("03", 1, 1, 0, 0), ("04", 1, 1, 1, 0)]
    assert [(r["hour"], r["tickets"], r["served"], r["expired"]) for r in s["by_hour"]] == [(9, 4, 1, 2)]
    assert selectors.hall_stats(hall=w.hall, day=MONDAY)["total"]["expired"] == 1
    assert (before["waiting_now"], after["waiting_now"], after["tickets_today"], after["served_today"]) == (1, 0, 4, 1)

    client.force_login(w.admin.user)
    with clock.frozen(fx.at(18)):
        body = re.sub(r"\s+", " ", client.get("/hall/SFXZW/stats/?day=2026-03-10").content.decode())
    assert ('<li data-testid="stats-expired"><span class="kpi-value">2</span>'
            '<span class="kpi-label">已过期（下班未办理）</span></li>') in body


def test_the_scheduled_command_expires_tickets(w):
    out = io.StringIO()
    with clock.frozen(fx.at(18, 5)):
        call_command("hall_no_shows", stdout=out)
        call_command("hall_no_shows", stdout=out)
    assert out.getvalue().splitlines() == ["记为爽约的预约：0 个", "记为已过期的排队号：3 个",
                                           "记为爽约的预约：0 个", "记为已过期的排队号：0 个"]
