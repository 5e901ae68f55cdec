"""The caller's own progress query (no login): order number plus the phone they called from, the same
answer for a wrong phone and a missing order, guessing limits counted before answering."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.hotline import services

from .factories import PHONE, build_world, dispatched, new_order, replied, signed

pytestmark = pytest.mark.django_db
API = "/api/hotline/progress"
PAGE = "/hotline/progress/"
STAFF_NAMES = ["周话务", "吴热线", "郑住建", "王局长"]


@pytest.fixture
def w():
    return build_world()


def ask(c: Client, no: str, phone: str):
    return c.post(API, {"no": no, "phone": phone}, content_type="application/json")


def test_the_caller_sees_a_confidential_order_with_units_deadline_and_reply_but_no_staff_names(w):
    order = replied(w, confidential=True, caller_name="张大明")
    services.order_callback(order=order, staff=w.taker, result="satisfied", solved=True)
    r = ask(Client(), f" {order.no.lower()} ", "139 1234 5678")
    assert r.status_code == 200
    body = r.json()
    assert body["no"] == order.no
    assert body["status"] == "closed"
    assert body["status_label"] == "已办结"
    assert body["category"] == "市政道路"
    assert body["main_unit"] == "示范县住房和城乡建设局"
    assert body["assist_units"] == []
    assert body["due_on"] == order.due_on.isoformat()
    assert body["sign_due_at"] is None
    assert body["reply_text"] == "已更换路灯灯泡"
    assert body["reply_solved"] is True
    assert body["merged_into"] == ""
    assert [e["action"] for e in body["events"]] == ["create", "dispatch", "sign", "approve", "callback"]
    text = r.content.decode()
    for secret in [*STAFF_NAMES, "张大明", PHONE, "城关镇东大街12号"]:
        assert secret not in text

    page = Client().post(PAGE, {"no": order.no, "phone": PHONE})
    html = page.content.decode()
    assert page.status_code == 200
    assert "示范县住房和城乡建设局" in html and "已更换路灯灯泡" in html and "已办结" in html
    for secret in [*STAFF_NAMES, "张大明", PHONE]:
        assert secret not in html


def test_the_reply_is_shown_only_once_the_unit_has_signed_it_off(w):
    order = signed(w)
    services.order_reply(order=order, staff=w.officer, text="已更换路灯灯泡", solved=True)
    body = ask(Client(), order.no, PHONE).json()
    assert (body["status"], body["reply_text"], body["reply_solved"]) == ("reviewing", "", None)
    waiting = dispatched(w)
    body = ask(Client(), waiting.no, PHONE).json()
    assert body["status_label"] == "待签收"
    assert body["sign_due_at"] is not None and body["reply_text"] == ""


def test_a_wrong_phone_answers_exactly_like_a_missing_order(w):
    order = dispatched(w)
    c = Client()
    wrong = ask(c, order.no, "13900000000")
    missing = ask(c, "RX2099010100001", PHONE)
    garbage = ask(c, order.no, "not-a-phone")
    expected = {
        "code": "not_found",
        "message": "未找到与该工单编号和来电号码匹配的工单，请核对后重试（匿名来电的工单无法查询）",
    }
    assert (wrong.status_code, wrong.json()) == (404, expected)
    assert (missing.status_code, missing.json()) == (404, expected)
    assert (garbage.status_code, garbage.json()) == (404, expected)
    page_wrong = c.post(PAGE, {"no": order.no, "phone": "13900000000"})
    page_missing = c.post(PAGE, {"no": order.no[:-1] + "9", "phone": PHONE})
    assert page_wrong.status_code == page_missing.status_code == 404
    assert expected["message"] in page_wrong.content.decode()
    assert expected["message"] in page_missing.content.decode()
    assert "示范县住房和城乡建设局" not in page_wrong.content.decode()


def test_an_anonymous_order_cannot_be_looked_up_and_the_page_says_so(w):
    order = new_order(w, caller_phone="", caller_name="", anonymous=True)
    r = ask(Client(), order.no, PHONE)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert ask(Client(), order.no, "").json()["code"] == "progress_input"
    page = Client().get(PAGE).content.decode()
    assert "匿名来电的工单没有留电话，无法在此查询" in page


def test_a_merged_order_follows_its_main_order(w):
    main = signed(w)
    dup = new_order(w, caller_phone="13700000000", caller_name="李四")
    services.order_merge(order=dup, into=main, staff=w.taker)
    body = ask(Client(), dup.no, "13700000000").json()
    assert body["status"] == "merged"
    assert body["status_label"] == "办理中"
    assert body["merged_into"] == main.no
    assert body["main_unit"] == "示范县住房和城乡建设局"
    actions = [e["action"] for e in body["events"]]
    assert actions.count("create") == 2 and "merge" in actions and "sign" in actions
    assert "张大明" not in ask(Client(), dup.no, "13700000000").content.decode()


def test_guesses_are_limited_and_right_answers_are_given_back(w):
    order = dispatched(w)
    c = Client()
    for _ in range(12):  # right answers do not use up the budget
        assert ask(c, order.no, PHONE).status_code == 200
    for i in range(5):
        assert ask(c, order.no, f"1390000000{i}").status_code == 404
    for i in range(5):  # the page and the API share one count
        assert c.post(PAGE, {"no": order.no, "phone": f"1380000000{i}"}).status_code == 404
    refused = ask(c, order.no, PHONE)  # even the right pair, once the budget is spent
    assert refused.status_code == 429
    assert refused.json() == {"code": "too_many_attempts", "message": "查询失败次数过多，请10分钟后再试"}
    page = c.post(PAGE, {"no": order.no, "phone": PHONE})
    assert page.status_code == 429 and "示范县住房和城乡建设局" not in page.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert ask(other, order.no, PHONE).status_code == 200


def test_the_budget_is_shared_with_the_cases_progress_query(w):
    order = dispatched(w)
    c = Client()
    for i in range(10):
        r = c.post(
            "/api/cases/progress",
            {"case_no": f"NOPE-{i}", "credential": PHONE},
            content_type="application/json",
        )
        assert r.status_code == 404
    assert ask(c, order.no, PHONE).status_code == 429


def test_bad_input_is_refused_in_code_and_message(w):
    r = Client().post(API, {"no": "x" * 30, "phone": PHONE}, content_type="application/json")
    assert r.status_code == 422 and set(r.json()) >= {"code", "message"}
    page = Client().post(PAGE, {"no": "", "phone": ""})
    assert page.status_code == 400 and "请填写工单编号" in page.content.decode()


def test_the_page_shows_each_field_error_beside_its_field_and_keeps_what_was_typed(w):
    body = Client().post(PAGE, {"no": "RX" + "9" * 30, "phone": ""}).content.decode()
    assert 'data-testid="error-summary"' in body and "请修改以下2处内容" in body
    assert 'id="f-no" aria-invalid="true" aria-describedby="f-no-error"' in body
    assert 'id="f-phone" aria-invalid="true" aria-describedby="f-phone-error"' in body
    assert 'id="f-phone-error"' in body and "请填写来电号码" in body
    assert "RX" + "9" * 30 in body  # kept as typed
    assert "novalidate" in body


def test_a_wrong_phone_blames_no_field(w):
    order = dispatched(w)
    body = Client().post(PAGE, {"no": order.no, "phone": "13900000000"}).content.decode()
    assert 'data-testid="error-summary"' in body and 'aria-invalid="true"' not in body


def test_a_citizens_my_page_links_the_hotline_progress_query(w):
    from django.contrib.auth import get_user_model

    c = Client()
    c.force_login(get_user_model().objects.create_user(username="citizen", password="x"))
    assert "/hotline/progress/" in c.get("/me/").content.decode()
