"""The public kiosk and codes against scripts: a marked kiosk machine issues freely, any other
browser gets a few numbers per half hour; wrong check-in and cancellation codes are counted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache

from zhengwu.accounts.models import ApiToken
from zhengwu.core import clock

from .. import guard, services
from ..models import Appointment, Ticket
from . import factories as fx

pytestmark = pytest.mark.django_db
KIOSK = "/hall/SFXZW/kiosk/"


@pytest.fixture
def w():
    cache.clear()
    yield fx.build_hall()
    cache.clear()


def _take(client, w, addr="203.0.113.7"):
    return client.post(KIOSK, {"group": w.group_a.pk}, REMOTE_ADDR=addr)


def test_a_browser_that_is_not_a_kiosk_gets_three_numbers_per_half_hour(client, w):
    with clock.frozen(fx.at(9)):
        for _ in range(guard.ISSUE_LIMIT):
            assert _take(client, w).status_code == 302
        r = _take(client, w)
        assert r.status_code == 429
        assert "取号过于频繁：同一设备30分钟内最多取3个号，请到大厅取号机取号" in r.content.decode()
        assert Ticket.objects.count() == 3
        assert _take(client, w, addr="203.0.113.8").status_code == 302  # another client
    with clock.frozen(fx.at(9, 31)):
        cache.delete("zw:throttle:hall-issue:203.0.113.7")  # the window has passed (cache TTL)
        assert _take(client, w).status_code == 302


def test_a_refused_number_does_not_count(client, w):
    with clock.frozen(fx.at(7)):  # before opening: refused, not counted
        for _ in range(5):
            assert _take(client, w).status_code == 400
    with clock.frozen(fx.at(9)):
        assert _take(client, w).status_code == 302


def test_the_halls_staff_mark_the_kiosk_machine_which_then_issues_without_limit(client, w):
    citizen = get_user_model().objects.create_user(username="zhangsan", password="x-2026-pass")
    for user in (citizen, w.agent.user, w.o1.user):  # a citizen, a village agent, a window officer
        client.force_login(user)
        r = client.post(f"{KIOSK}device/")
        assert r.status_code == 403 and "只有示范县政务服务中心的中心管理员可以将设备设为取号机" in r.content.decode()
        assert guard.KIOSK_COOKIE not in client.cookies

    client.force_login(w.admin.user)
    assert "将本机设为" in client.get(KIOSK).content.decode()
    r = client.post(f"{KIOSK}device/")
    assert r.status_code == 302 and client.cookies[guard.KIOSK_COOKIE]["httponly"]
    device = client.cookies[guard.KIOSK_COOKIE].value
    client.logout()  # the machine stays a kiosk without anyone signed in (the test client drops cookies)
    client.cookies[guard.KIOSK_COOKIE] = device
    with clock.frozen(fx.at(9)):
        for _ in range(guard.ISSUE_LIMIT + 5):
            assert _take(client, w).status_code == 302
    assert Ticket.objects.count() == guard.ISSUE_LIMIT + 5


def test_a_forged_or_other_halls_kiosk_cookie_counts_for_nothing(client, w):
    client.cookies[guard.KIOSK_COOKIE] = signing.dumps({"hall": "DGC", "device": "0" * 32},
                                                       salt=guard.KIOSK_SALT)  # another hall's mark
    with clock.frozen(fx.at(9)):
        for _ in range(guard.ISSUE_LIMIT):
            assert _take(client, w).status_code == 302
        assert _take(client, w).status_code == 429
    cache.clear()
    client.cookies[guard.KIOSK_COOKIE] = "SFXZW"  # unsigned
    with clock.frozen(fx.at(9)):
        for _ in range(guard.ISSUE_LIMIT):
            assert _take(client, w).status_code == 302
        assert _take(client, w).status_code == 429


def _booking(w):
    with clock.frozen(fx.at(8, day=fx.DAY - dt.timedelta(days=1))):
        return services.appointment_book(hall=w.hall, item=w.hukou, day=fx.DAY, start=dt.time(9, 0), name="张三",
                                         phone=fx.PHONE, id_number=fx.ID_NUMBER)


def test_guessing_check_in_codes_is_stopped(client, w):
    fx.policy(booking_days=14)
    booking = _booking(w)
    wrong = "000000" if booking.code != "000000" else "111111"
    with clock.frozen(fx.at(8, 55)):
        for _ in range(guard.CODE_FAILURES):
            r = client.post(KIOSK, {"checkin_code": wrong})
            assert r.status_code == 400 and "未找到该预约" in r.content.decode()
        r = client.post(KIOSK, {"checkin_code": booking.code})  # even the right code now
        assert r.status_code == 429 and "预约码核对失败次数过多，请10分钟后再试" in r.content.decode()
    assert Appointment.objects.get().status == "booked" and not Ticket.objects.exists()


def test_guessing_cancellation_codes_is_stopped_on_the_page_and_the_api(client, w):
    fx.policy(booking_days=14)
    booking = _booking(w)
    with clock.frozen(fx.at(8)):
        for i in range(guard.CODE_FAILURES):
            if i % 2:
                r = client.post("/hall/appointments/cancel/", {"code": f"{i:06d}", "phone": fx.PHONE})
            else:
                r = client.post("/api/hall/appointments/cancel", {"code": f"{i:06d}", "phone": fx.PHONE},
                                content_type="application/json")
            assert r.status_code in (400, 404)
        r = client.post("/api/hall/appointments/cancel", {"code": booking.code, "phone": fx.PHONE},
                        content_type="application/json")
        assert (r.status_code, r.json()["code"]) == (429, "too_many_attempts")
    assert Appointment.objects.get().status == "booked"


def test_the_ticket_api_is_for_the_halls_own_kiosk_accounts(client, w):
    citizen = get_user_model().objects.create_user(username="lisi", password="x-2026-pass")
    for user in (citizen, w.agent.user):
        _, raw = ApiToken.issue(user=user, name="脚本")
        with clock.frozen(fx.at(9)):
            r = client.post("/api/hall/halls/SFXZW/tickets", {"group": "a"}, content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert (r.status_code, r.json()["code"]) == (403, "not_kiosk")
    assert not Ticket.objects.exists()


def test_an_over_long_kiosk_name_is_refused_by_name_and_marks_nothing(client, w):
    from ..models import KioskDevice

    client.force_login(w.admin.user)
    r = client.post(f"{KIOSK}device/", {"label": "一楼" * 26})
    assert r.status_code == 400 and "设备名称不能超过50个字（现为52个字）" in r.content.decode()
    assert (KioskDevice.objects.count(), guard.KIOSK_COOKIE in client.cookies) == (0, False)


def test_a_revoked_kiosk_machine_is_an_ordinary_browser_again(client, w):
    from ..models import KioskDevice

    client.force_login(w.admin.user)
    client.post(f"{KIOSK}device/", {"label": "一楼1号取号机"})
    device = KioskDevice.objects.get()
    assert (device.hall, device.label, device.created_by) == (w.hall, "一楼1号取号机", w.admin)
    r = client.post("/admin/hall/kioskdevice/", {"action": "revoke", "_selected_action": [device.pk]})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None
    with clock.frozen(fx.at(9)):
        for _ in range(guard.ISSUE_LIMIT):
            assert _take(client, w).status_code == 302
        assert _take(client, w).status_code == 429
