"""The hall's OpenAPI endpoints (token for kiosks and consoles), and the query counts of the hot paths."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from zhengwu.accounts.models import ApiToken
from zhengwu.core import clock

from .. import services
from ..models import Appointment, StaffAbsence, Ticket, TicketStatus
from . import factories as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return fx.build_hall()


def bearer(user) -> dict:
    _, raw = ApiToken.issue(user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_kiosk_and_console_through_the_api(client, w):
    kiosk, officer = bearer(w.admin.user), bearer(w.o1.user)
    base = f"/api/hall/windows/{w.w1.pk}"
    with clock.frozen(fx.at(9)):
        assert client.post("/api/hall/halls/SFXZW/tickets", {"group": "a"}, content_type="application/json"
                           ).status_code == 401
        r = client.post("/api/hall/halls/SFXZW/tickets", {"item_code": "SFX-SCJG-001", "green_reason": "pregnant"},
                        content_type="application/json", **kiosk)
        assert r.status_code == 201
        body = r.json()
        assert (body["number"], body["group"], body["item"], body["kind"], body["ahead"]) == (
            "A001", "A", "食品经营许可证核发", "green", 0)
        assert client.get(f"/api/hall/tickets/{body['token']}").json()["status"] == "waiting"

        assert client.post(f"{base}/call-next", **officer).json()["code"] == "not_seated"
        assert client.post(f"{base}/sign-in", **officer).json()["officer"]["employee_no"] == "2001"
        called = client.post(f"{base}/call-next", **officer)
        assert (called.status_code, called.json()["number"], called.json()["window"]) == (200, "A001", "01")
        busy = client.post(f"{base}/call-next", **officer)
        assert busy.status_code == 409 and busy.json() == {
            "code": "window_busy", "message": "请先办结、转移或过号当前的A001号"}
        assert client.post(f"{base}/recall", **officer).json()["status"] == "called"
        assert client.post(f"{base}/start", **officer).json()["status_label"] == "办理中"
        done = client.post(f"{base}/finish", {"case_no": ""}, content_type="application/json", **officer)
        assert done.json()["status"] == "done"
        assert client.post(f"{base}/call-next", **officer).status_code == 204
        assert client.post(f"/api/hall/windows/{w.w3.pk}/sign-in", **officer).status_code == 403
        board = client.get("/api/hall/halls/SFXZW/board").json()
    assert board["recent"][0]["text"] == "请A001号到01号窗口办理"
    assert Ticket.objects.get().status == TicketStatus.DONE


def test_bearer_posts_need_no_csrf_token(w):
    strict = Client(enforce_csrf_checks=True)
    with clock.frozen(fx.at(9)):
        r = strict.post("/api/hall/halls/SFXZW/tickets", {"group": "A"}, content_type="application/json",
                        **bearer(w.admin.user))
    assert r.status_code == 201 and r.json()["number"] == "A001"


def test_transfer_and_skip_through_the_api(client, w):
    officer = bearer(w.o1.user)
    base = f"/api/hall/windows/{w.w1.pk}"
    with clock.frozen(fx.at(9)):
        services.window_sign_in(window=w.w1, officer=w.o1)
        services.ticket_issue(hall=w.hall, group=w.group_a)
        services.ticket_issue(hall=w.hall, group=w.group_a)
        client.post(f"{base}/call-next", **officer)
        moved = client.post(f"{base}/transfer", {"to_group": "c"}, content_type="application/json", **officer)
        assert (moved.json()["group"], moved.json()["status"]) == ("C", "waiting")
        client.post(f"{base}/call-next", **officer)
        refused = client.post(f"{base}/skip", **officer)
        assert refused.status_code == 409 and refused.json()["code"] == "recall_first"
        client.post(f"{base}/recall", **officer)
        client.post(f"{base}/recall", **officer)
        assert client.post(f"{base}/skip", **officer).json()["status"] == "no_show"


def test_appointments_through_the_api(client, w):
    fx.policy(booking_days=14)
    with clock.frozen(fx.at(8, day=dt.date(2026, 9, 30))):
        closed = client.get("/api/hall/halls/SFXZW/slots", {"item_code": "SFX-GA-001", "day": "2026-10-02"}).json()
        assert "国庆节" in closed["closed"]
        slots = client.get("/api/hall/halls/SFXZW/slots", {"item_code": "SFX-GA-001", "day": "2026-10-09"}).json()
        assert slots["slots"][0] == {"start": "09:00", "end": "09:30", "capacity": 4, "booked": 0, "free": 4,
                                     "past": False, "open": True}
        r = client.post("/api/hall/halls/SFXZW/appointments", {
            "item_code": "SFX-GA-001", "day": "2026-10-09", "start": "09:00", "name": "张三", "phone": fx.PHONE,
            "id_number": fx.ID_NUMBER}, content_type="application/json")
        assert r.status_code == 201 and r.json()["status"] == "booked"
        refused = client.post("/api/hall/halls/SFXZW/appointments", {
            "item_code": "SFX-GA-001", "day": "2026-10-05", "start": "09:00", "name": "李四", "phone": fx.PHONE,
            "id_number": fx.id_number(3)}, content_type="application/json")
        assert refused.status_code == 400 and "国庆节" in refused.json()["message"]
        cancelled = client.post("/api/hall/appointments/cancel", {"code": r.json()["code"], "phone": fx.PHONE},
                                content_type="application/json")
    assert cancelled.json()["status"] == "cancelled"
    assert list(Appointment.objects.values_list("status", flat=True)) == ["cancelled"]


def test_presence_and_stats_through_the_api(client, w):
    officer = bearer(w.o1.user)
    with clock.frozen(fx.at(9)):
        r = client.post("/api/hall/presence/away", {"kind": "meeting", "until": "2026-03-10T10:00:00+08:00"},
                        content_type="application/json", **officer)
        assert r.status_code == 200
        assert client.post("/api/hall/presence/back", **officer).status_code == 200
        stats = client.get("/api/hall/halls/SFXZW/stats", {"day": "2026-03-10"}, **bearer(w.admin.user))
        assert stats.json()["total"]["tickets"] == 0
        assert stats.json()["away"] == [{"employee_no": "2001", "name": "李明", "absences": 1, "minutes": 0}]
        assert client.get("/api/hall/halls/SFXZW/stats", **bearer(w.agent.user)).status_code == 403
    assert StaffAbsence.objects.get().returned_at == fx.at(9)


def test_hot_paths_query_counts(w, django_assert_max_num_queries):
    with clock.frozen(fx.at(9)):
        services.window_sign_in(window=w.w1, officer=w.o1)
        services.ticket_issue(hall=w.hall, group=w.group_a)
        with django_assert_max_num_queries(6):
            services.ticket_issue(hall=w.hall, group=w.group_a)
        with django_assert_max_num_queries(6):  # seat+away+busy+policy, candidates, savepoint, update, event, release
            t = services.ticket_call_next(window=w.w1, officer=w.o1)
        with django_assert_max_num_queries(5):
            services.ticket_finish(ticket=t, window=w.w1, officer=w.o1)
