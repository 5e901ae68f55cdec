"""The hall's pages through the test client: kiosk, tickets, screens, appointments, console,
guide, cards and statistics (the rating pad: ``test_pad.py``)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from zhengwu.cases.models import Case
from zhengwu.core import clock

from .. import services
from ..models import Appointment, StaffAbsence, Ticket, TicketStatus
from . import factories as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return fx.build_hall()


@pytest.fixture
def officer_client(client, w):
    client.force_login(w.o1.user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_hall_index_links_every_hall(client, w):
    body = text(client.get("/hall/"))
    assert "示范县政务服务中心" in body and "/hall/SFXZW/kiosk/" in body
    assert "/hall/DGC/cards/agent/" in body


def test_kiosk_issues_by_group_and_item_and_prints_the_ticket(client, w):
    with clock.frozen(fx.at(9)):
        page = text(client.get("/hall/SFXZW/kiosk/"))
        assert "市场准入" in page and "食品经营许可证核发" in page and "绿色通道" in page
        r = client.post("/hall/SFXZW/kiosk/", {"group": w.group_a.pk, "green_reason": ""})
        first = Ticket.objects.get()
        assert r.status_code == 302 and r["Location"] == f"/hall/t/{first.token}/print/"
        client.post("/hall/SFXZW/kiosk/", {"item": w.licence.pk, "green_reason": "elderly", "phone": "13812345678"})
        second = Ticket.objects.get(number="A002")
        receipt = text(client.get(f"/hall/t/{second.token}/print/"))
        phone = text(client.get(f"/hall/t/{first.token}/"))
    assert (second.kind, second.green_reason, second.item, second.phone) == ("green", "elderly", w.licence,
                                                                             "13812345678")
    assert "A002" in receipt and "您前面还有 <strong>0</strong> 人" in receipt and "<svg" in receipt
    assert "绿色通道（老年人）" in receipt and f"/hall/t/{second.token}/" in receipt
    assert "A001" in phone and "您前面还有 <strong>1</strong> 人" in phone and "预计约 6 分钟" in phone  # nobody seated yet: one window assumed


def test_the_kiosk_shows_a_closed_hall_before_anyone_taps(client, w):
    with clock.frozen(fx.at(10, day=dt.date(2026, 10, 4))):  # 国庆节, a Sunday
        page = client.get("/hall/SFXZW/kiosk/").content.decode()
    assert 'data-testid="kiosk-closed"' in page and "下次取号时间：10月8日（星期四） 08:30" in page
    assert f'data-testid="group-{w.group_a.code}" disabled' in page
    with clock.frozen(fx.at(9)):
        page = client.get("/hall/SFXZW/kiosk/").content.decode()
    assert 'data-testid="kiosk-closed"' not in page and " disabled" not in page


def test_a_double_press_on_the_kiosk_takes_one_ticket_and_a_new_page_takes_the_next(client, w):
    with clock.frozen(fx.at(9)):
        page = client.get("/hall/SFXZW/kiosk/")
        assert "no-store" in page["Cache-Control"]  # going back re-renders: a fresh token, never a replay
        token = re.search(r'name="form_once" value="([^"]+)"', page.content.decode()).group(1)
        form = {"group": w.group_a.pk, "green_reason": "", "form_once": token}
        first, again = client.post("/hall/SFXZW/kiosk/", form), client.post("/hall/SFXZW/kiosk/", form)
        ticket = Ticket.objects.get()
        assert (first.status_code, first["Location"]) == (302, f"/hall/t/{ticket.token}/print/")
        assert (again.status_code, again["Location"]) == (303, f"/hall/t/{ticket.token}/print/")
        fresh = re.search(r'name="form_once" value="([^"]+)"', client.get("/hall/SFXZW/kiosk/").content.decode())
        client.post("/hall/SFXZW/kiosk/", {**form, "form_once": fresh.group(1)})
    assert list(Ticket.objects.order_by("number").values_list("number", flat=True)) == ["A001", "A002"]


def test_kiosk_refuses_with_the_reason_and_issues_nothing(client, w):
    with clock.frozen(fx.at(10, day=dt.date(2026, 5, 1))):
        r = client.post("/hall/SFXZW/kiosk/", {"group": w.group_a.pk})
    assert r.status_code == 400 and "劳动节" in text(r)
    assert Ticket.objects.count() == 0


def test_kiosk_appointment_check_in(client, w):
    with clock.frozen(fx.at(8, day=fx.DAY - dt.timedelta(days=1))):
        a = services.appointment_book(hall=w.hall, item=w.hukou, day=fx.DAY, start=dt.time(10, 0), name="张三",
                                      phone=fx.PHONE, id_number=fx.ID_NUMBER)
    with clock.frozen(fx.at(9, 45)):
        r = client.post("/hall/SFXZW/kiosk/", {"checkin_code": a.code})
    t = Ticket.objects.get()
    assert r.status_code == 302 and (t.number, t.kind) == ("B001", "appointment")
    assert Appointment.objects.get().ticket == t


def test_board_page_and_state(client, w):
    with clock.frozen(fx.at(9)):
        services.ticket_issue(hall=w.hall, group=w.group_b)
        body = text(client.get("/hall/SFXZW/board/"))
        state = client.get("/hall/SFXZW/board/state/").json()
    assert 'id="board-state"' in body and "hall/board.js" in body and "开启语音播报" in body
    assert [(g["code"], g["waiting"], g["next"]) for g in state["groups"]] == [
        ("A", 0, []), ("B", 1, ["B001"]), ("C", 0, [])]


def test_window_screen_shows_the_post_card_and_away_notice(client, w):
    with clock.frozen(fx.at(9)):
        services.window_sign_in(window=w.w1, officer=w.o1)
        services.presence_mark_away(staff=w.o1, kind="errand", until=fx.at(10, 30), note="现场踏勘")
        body = text(client.get(f"/hall/window/{w.w1.pk}/screen/"))
    assert "01号窗口" in body and "李明" in body and "工号 2001" in body
    assert "外出告知：外出办事（现场踏勘），预计 10:30 返回" in body


def test_presence_board_lists_staff_on_duty_and_away(client, w):
    with clock.frozen(fx.at(9)):
        services.presence_mark_away(staff=w.o3, kind="meeting", until=fx.at(11), note="党组会")
        body = text(client.get("/hall/SFXZW/presence/"))
    assert 'data-testid="away-count">1<' in body
    assert "赵强" in body and "会议：党组会" in body and "预计 11:00 返回" in body and "在岗" in body


def test_guide_floor_by_floor(client, w):
    body = text(client.get("/hall/SFXZW/guide/"))
    floors = re.findall(r'<section class="floor" data-testid="floor"> <h2>(.*?)</h2>', body)
    assert floors == ["一楼A区", "二楼"]
    first_floor = body[body.index("一楼A区</h2>"):body.index("二楼</h2>")]
    assert "01号窗口" in first_floor and "个体工商户名称自主申报" in first_floor and "04号窗口" in first_floor
    assert "户口迁移" in body[body.index("二楼</h2>"):]


def test_cards(client, w):
    post = text(client.get("/hall/SFXZW/cards/post/"))
    assert post.count('data-testid="post-card"') == 4 and "工号" in post and "赵强" in post
    agent = text(client.get("/hall/DGC/cards/agent/"))
    contact = text(client.get("/hall/DGC/cards/contact/"))
    assert "代办事项明示卡" in agent and "吴代办（工号 2010）联系电话：13900001111" in agent
    assert 'data-testid="agent-count">1<' in agent and "食品经营许可证核发" in agent
    assert "便民服务联系卡" in contact and "东关村便民服务站" in contact and "吴代办 13900001111" in contact
    assert "示范县政务服务中心 0311-88880000" in contact and "<svg" in contact


def test_appointment_pages_book_and_cancel(client, w):
    with clock.frozen(fx.at(8, day=fx.DAY)):
        page = text(client.get(f"/hall/SFXZW/appointments/?item={w.licence.pk}&day=2026-03-11"))
        assert "09:00—09:30" in page and "4 / 4" in page
        assert "03月14日 周末" in page  # Saturday shown closed
        r = client.post(f"/hall/SFXZW/appointments/?item={w.licence.pk}&day=2026-03-11",
                        {"item": w.licence.pk, "day": "2026-03-11", "start": "09:30", "name": "张三",
                         "phone": fx.PHONE, "id_number": fx.ID_NUMBER}, follow=True)
        a = Appointment.objects.get()
        assert f'data-testid="appointment-code">{a.code}<' in text(r)
        closed = text(client.get(f"/hall/SFXZW/appointments/?item={w.licence.pk}&day=2026-03-14"))
        assert "周末，大厅不办公" in closed
        bad = client.post("/hall/appointments/cancel/", {"code": a.code, "phone": "13000000000"})
        assert bad.status_code == 400
        ok = client.post("/hall/appointments/cancel/", {"code": a.code, "phone": fx.PHONE})
    assert "已取消" in text(ok)
    assert Appointment.objects.get().status == "cancelled"


def test_appointment_page_refuses_a_name_longer_than_its_column(client, w):
    """A 51-character name was a 500 on PostgreSQL (value too long for varchar(50)) and stored on SQLite."""
    with clock.frozen(fx.at(8, day=fx.DAY)):
        r = client.post(f"/hall/SFXZW/appointments/?item={w.licence.pk}&day=2026-03-11",
                        {"item": w.licence.pk, "day": "2026-03-11", "start": "09:30", "name": "张" * 51,
                         "phone": fx.PHONE, "id_number": fx.ID_NUMBER})
    assert r.status_code == 400
    assert "姓名不能超过50个字（现为51个字）" in text(r)
    assert not Appointment.objects.exists()


def test_console_flow_with_a_new_case(officer_client, w):
    url = f"/hall/window/{w.w1.pk}/console/"
    with clock.frozen(fx.at(9)):
        services.ticket_issue(hall=w.hall, item=w.licence)
        assert "签到上岗" in text(officer_client.get(url))
        officer_client.post(url + "sign_in/")
        officer_client.post(url + "call/")
        t = Ticket.objects.get()
        assert 'data-testid="console-current">A001<' in text(officer_client.get(url))
        officer_client.post(url + "start/", {"ticket": t.pk})
        r = officer_client.post(url + "finish/", {
            "ticket": t.pk, "case_mode": "new", "case_item": w.licence.pk, "kind": "person", "name": "张三",
            "phone": fx.PHONE, "id_number": fx.ID_NUMBER}, follow=True)
    t.refresh_from_db()
    case = Case.objects.get()
    assert t.status == TicketStatus.DONE and t.case == case
    assert (case.item, case.channel, case.applicant_name, case.hall) == (w.licence, "window", "张三", w.hall)
    assert f"办件编号 {case.case_no}" in text(r)


def test_console_links_an_existing_case_and_refuses_what_is_not_allowed(officer_client, client, w):
    url = f"/hall/window/{w.w1.pk}/console/"
    with clock.frozen(fx.at(9)):
        services.window_sign_in(window=w.w1, officer=w.o1)
        services.ticket_issue(hall=w.hall, group=w.group_a)
        t = services.ticket_call_next(window=w.w1, officer=w.o1)
        r = officer_client.post(url + "skip/", {"ticket": t.pk}, follow=True)
        assert "须重呼2次仍未到方可过号" in text(r)
        r = officer_client.post(url + "finish/", {"ticket": t.pk, "case_mode": "link", "case_no": "NOPE"},
                                follow=True)
        assert "未找到办件编号为 NOPE 的办件" in text(r)
        t.refresh_from_db()
        assert t.status == TicketStatus.CALLED
        client.force_login(w.o3.user)
        assert client.get(url).status_code == 403


def test_console_presence_buttons(officer_client, w):
    url = f"/hall/window/{w.w1.pk}/console/"
    with clock.frozen(fx.at(9)):
        officer_client.post(url + "sign_in/")
        r = officer_client.post(url + "away/", {"kind": "meeting", "until": "10:30", "note": "周例会"}, follow=True)
        assert "已登记外出，预计 10:30 返回" in text(r)
        assert "我已返回（销假）" in text(r)
        officer_client.post(url + "back/")
    assert StaffAbsence.objects.get().returned_at == fx.at(9)


def test_console_away_note_longer_than_its_column_is_refused_not_cut(officer_client, w):
    """The note was silently cut to 100 characters; now the officer is told and nothing is recorded."""
    url = f"/hall/window/{w.w1.pk}/console/"
    with clock.frozen(fx.at(9)):
        officer_client.post(url + "sign_in/")
        r = officer_client.post(url + "away/", {"kind": "meeting", "until": "10:30", "note": "会" * 101}, follow=True)
    assert "说明不能超过100个字（现为101个字）" in text(r)
    assert not StaffAbsence.objects.exists()


def test_stats_page_requires_the_hall_or_its_region(client, w):
    with clock.frozen(fx.at(9)):
        services.ticket_issue(hall=w.hall, group=w.group_a)
    client.force_login(w.admin.user)
    body = text(client.get("/hall/SFXZW/stats/?day=2026-03-10"))
    assert "排队叫号统计" in body and '<span class="kpi-value">1</span><span class="kpi-label">取号</span>' in body
    assert '<span class="kpi-value">—</span><span class="kpi-label">现场服务满意率（评价0次，差评0次）' in body
    client.force_login(w.agent.user)
    assert client.get("/hall/SFXZW/stats/").status_code == 403
