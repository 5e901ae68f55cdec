"""Pages and the API: who sees what (a 保密 caller never reaches the unit), the actions, the refusals
in {code, message}, the KPI page and the public 曝光台."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from zhengwu.accounts.models import ApiToken
from zhengwu.core import clock
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.hotline import services
from zhengwu.hotline.models import Order, OrderEvent, Status

from .factories import PHONE, build_world, dispatched, new_order, replied, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = build_world()
    for s in (world.taker, world.admin, world.officer, world.head, world.other_officer, world.leader):
        ApiToken.issue(user=s.user, name="测试", raw=f"zw_test_{s.employee_no}")
    return world


def client_for(staff) -> Client:
    c = Client()
    c.force_login(staff.user)
    return c


def api(staff):
    return {"HTTP_AUTHORIZATION": f"Bearer zw_test_{staff.employee_no}"}


# -- confidentiality ----------------------------------------------------------------------------------------


def test_a_confidential_caller_never_reaches_the_unit_page_api_export_or_sms(
    w, django_capture_on_commit_callbacks
):
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = dispatched(w, confidential=True)
    unit, centre = client_for(w.officer), client_for(w.taker)
    page = unit.get(f"/hotline/orders/{order.no}/").content.decode()
    assert "张大明" not in page and PHONE not in page and "139****5678" not in page and "保密" in page
    assert "张大明" in centre.get(f"/hotline/orders/{order.no}/").content.decode()
    listing = unit.get("/hotline/orders/").content.decode()
    assert order.no in listing and "张" not in listing.split(order.no)[1].split("</tr>")[0]
    export = unit.get("/hotline/orders/?queue=all&export=csv").content.decode()
    assert order.no in export and "张大明" not in export and "5678" not in export
    data = unit.get(f"/api/hotline/orders/{order.no}", **api(w.officer)).json()
    assert (data["caller_name"], data["caller_phone"]) == ("保密", "保密")
    brief = unit.get("/api/hotline/orders", **api(w.officer)).json()
    assert [(b["no"], b["caller_name"], b["caller_phone"]) for b in brief] == [(order.no, "保密", "保密")]
    # the unit's SMS names the order, never the caller
    to_unit = [m for m in ConsoleNotifier.sent if m.kind == "hotline_dispatch"]
    assert to_unit and all("张大明" not in m.text and PHONE not in m.text for m in to_unit)
    # the centre sees them whole on the detail, masked in lists
    data = centre.get(f"/api/hotline/orders/{order.no}", **api(w.taker)).json()
    assert (data["caller_name"], data["caller_phone"]) == ("张大明", PHONE)
    brief = centre.get("/api/hotline/orders", **api(w.taker)).json()
    assert (brief[0]["caller_name"], brief[0]["caller_phone"]) == ("张**", "139****5678")


def test_a_normal_order_shows_the_caller_to_its_unit_but_not_to_other_units(w):
    order = dispatched(w)
    assert "张大明" in client_for(w.officer).get(f"/hotline/orders/{order.no}/").content.decode()
    r = client_for(w.other_officer).get(f"/hotline/orders/{order.no}/")
    assert r.status_code == 404 and "张大明" not in r.content.decode()
    r = client_for(w.other_officer).get(f"/api/hotline/orders/{order.no}", **api(w.other_officer))
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    # a leader reads the order in their region, without the caller
    leader = client_for(w.leader).get(f"/hotline/orders/{order.no}/").content.decode()
    assert order.no in leader and "张大明" not in leader


# -- pages ---------------------------------------------------------------------------------------------------


def test_intake_page_searches_the_knowledge_base_in_pinyin_and_dispatches(w):
    services.article_save(title="路灯不亮怎么报修", body="请说明路灯杆号。", category=w.roads)
    c = client_for(w.taker)
    page = c.get("/hotline/intake/?q=ldbl").content.decode()
    assert "路灯不亮怎么报修" in page
    page = c.get("/hotline/intake/?q=ludeng").content.decode()
    assert "路灯不亮怎么报修" in page
    r = c.post(
        "/hotline/intake/",
        {
            "op": "dispatch",
            "channel": "phone",
            "source": "12345",
            "kind": "complaint",
            "category": "CJ-01",
            "region": w.town.code,
            "text": "路灯坏了",
            "caller_phone": PHONE,
            "caller_name": "张大明",
            "address": "东大街",
        },
    )
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/hotline/orders/{order.no}/"
    assert (order.status, order.main_department) == (Status.DISPATCHED, w.dept)


def test_intake_page_refusal_writes_nothing_and_says_why(w):
    r = client_for(w.taker).post(
        "/hotline/intake/",
        {
            "op": "dispatch",
            "channel": "phone",
            "source": "12345",
            "kind": "complaint",
            "category": "CJ-01",
            "region": w.town.code,
            "text": "路灯坏了",
            "caller_phone": "",
        },
    )
    assert r.status_code == 422 and "请填写联系电话" in r.content.decode()
    assert (Order.objects.count(), OrderEvent.objects.count()) == (0, 0)


def test_intake_page_shows_every_error_beside_its_field_and_keeps_what_was_typed(w):
    r = client_for(w.taker).post(
        "/hotline/intake/",
        {
            "op": "dispatch",
            "channel": "phone",
            "source": "12345",
            "kind": "",
            "category": "NOPE-9",
            "region": w.town.code,
            "text": "",
            "caller_phone": "12345",
            "caller_name": "赵六",
            "address": "东大街" + "号" * 300,
        },
    )
    body = r.content.decode()
    assert r.status_code == 422
    assert 'data-testid="error-summary"' in body and "请修改以下5处内容" in body
    for name in ("kind", "category", "text", "caller_phone", "address"):
        assert f'id="f-{name}" aria-invalid="true" aria-describedby="f-{name}-error"' in body, name
        assert f'id="f-{name}-error"' in body and f'href="#f-{name}"' in body, name
    assert 'id="f-region" aria-invalid' not in body  # a good field is not marked
    assert "派单目录中没有编码为“NOPE-9”的类别" in body and "请填写诉求内容" in body
    assert "联系电话应为11位手机号码" in body and "地址不能超过200个字" in body
    assert 'value="赵六"' in body and 'value="12345"' in body  # what was typed stays
    assert 'data-testid="intake-form" novalidate' in body
    assert (Order.objects.count(), OrderEvent.objects.count()) == (0, 0)


def test_the_service_reports_every_field_at_once(w):
    from zhengwu.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        services.order_create(channel="fax", kind="x", category="NOPE", region="000", text="", actor=w.taker)
    assert exc.value.status == 422
    assert [d["field"] for d in exc.value.details] == ["channel", "kind", "category", "region", "text",
                                                       "caller_phone"]
    assert Order.objects.count() == 0


def test_intake_page_check_suggests_duplicates_and_the_unit(w):
    old = new_order(w)
    page = (
        client_for(w.taker)
        .post(
            "/hotline/intake/",
            {
                "op": "check",
                "kind": "complaint",
                "category": "CJ-01",
                "region": w.town.code,
                "caller_phone": PHONE,
                "address": "",
            },
        )
        .content.decode()
    )
    assert old.no in page and "示范县住房和城乡建设局" in page
    assert Order.objects.count() == 1


def test_intake_page_is_for_the_centre_only(w):
    r = client_for(w.officer).get("/hotline/intake/")
    assert r.status_code == 403 and "话务员" in r.content.decode()


def test_unit_signs_and_replies_on_the_order_page_and_the_head_signs_off(w):
    order = dispatched(w)
    unit = client_for(w.officer)
    assert 'data-action="sign"' in unit.get(f"/hotline/orders/{order.no}/").content.decode()
    unit.post(f"/hotline/orders/{order.no}/act/sign/")
    page = unit.get(f"/hotline/orders/{order.no}/").content.decode()
    assert 'data-action="sign"' not in page and 'data-action="reply"' in page
    unit.post(f"/hotline/orders/{order.no}/act/reply/", {"text": "已修复", "solved": "1"})
    assert Order.objects.get(pk=order.pk).status == Status.REVIEWING
    r = unit.post(f"/hotline/orders/{order.no}/act/approve/", follow=True)
    assert "应由主办单位负责人办理" in r.content.decode()
    client_for(w.head).post(f"/hotline/orders/{order.no}/act/approve/")
    assert Order.objects.get(pk=order.pk).status == Status.CALLBACK


def test_a_second_sign_on_the_page_is_refused_with_its_message(w):
    order = signed(w)
    r = client_for(w.head).post(f"/hotline/orders/{order.no}/act/sign/", follow=True)
    assert "已于" in r.content.decode() and "签收该工单" in r.content.decode()


def test_centre_queues(w):
    new_order(w)
    ret = services.order_return(order=signed(w), staff=w.officer, reason="不归我们")
    page = client_for(w.admin).get("/hotline/orders/?queue=returned").content.decode()
    assert ret.no in page
    assert client_for(w.taker).get("/hotline/orders/?queue=pending").status_code == 200
    for q in ("extensions", "overdue", "callback", "open", "closed", "all"):
        assert client_for(w.admin).get(f"/hotline/orders/?queue={q}").status_code == 200


def test_kpi_page_shows_the_three_rates(w):
    with clock.frozen(timezone.make_aware(dt.datetime(2026, 9, 24, 10, 0))):
        a = replied(w)
        services.order_callback(order=a, staff=w.taker, result="satisfied", solved=True)
        b = replied(w)
        services.order_callback(order=b, staff=w.taker, result="dissatisfied", solved=False, note="未解决")
        page = client_for(w.admin).get("/hotline/kpi/?start=2026-09-01&end=2026-09-30").content.decode()
    assert 'data-testid="kpi-satisfied">50.0%' in page
    assert client_for(w.officer).get("/hotline/kpi/").status_code == 403


def test_public_page_shows_closed_orders_without_personal_data(w):
    a = replied(w, publish_consent=True, text="东大街路灯坏了")
    services.order_callback(order=a, staff=w.taker, result="satisfied", solved=True)
    b = replied(w, publish_consent=False, text="我家门口下水道堵了")
    services.order_callback(order=b, staff=w.taker, result="satisfied", solved=True)
    open_one = new_order(w)
    page = Client().get("/hotline/public/").content.decode()
    assert a.no in page and "东大街路灯坏了" in page and "已更换路灯灯泡" in page
    assert b.no in page and "我家门口下水道堵了" not in page and "诉求人未同意公开" in page
    assert open_one.no not in page and "张大明" not in page and PHONE not in page
    detail = Client().get(f"/hotline/public/{b.no}/").content.decode()
    assert "下水道" not in detail and "张大明" not in detail
    assert Client().get(f"/hotline/public/{open_one.no}/").status_code == 404


def test_supervise_notice_page(w):
    order = services.order_supervise(order=signed(w), staff=w.admin, note="请于三日内办结")
    page = client_for(w.officer).get(f"/hotline/orders/{order.no}/notice/").content.decode()
    assert "督办通知" in page and "请于三日内办结" in page


# -- API ----------------------------------------------------------------------------------------------------


def test_api_create_dispatch_sign_reply_approve_callback(w):
    c = Client()
    r = c.post(
        "/api/hotline/orders",
        {
            "kind": "help",
            "category": "CJ-01",
            "region": w.village.code,
            "text": "村口路灯不亮",
            "caller_phone": PHONE,
        },
        content_type="application/json",
        **api(w.taker),
    )
    assert r.status_code == 201
    no = r.json()["no"]
    assert r.json()["status"] == "pending" and "dispatch" in r.json()["actions"]
    steps = [
        (w.taker, "dispatch", {}),
        (w.officer, "sign", {}),
        (w.officer, "reply", {"text": "已修", "solved": True}),
        (w.head, "approve", {}),
        (w.taker, "callback", {"result": "basic", "solved": True}),
    ]
    for staff, action, body in steps:
        r = c.post(
            f"/api/hotline/orders/{no}/actions/{action}", body, content_type="application/json", **api(staff)
        )
        assert r.status_code == 200, r.json()
    assert r.json()["status"] == "closed"
    assert c.get(f"/api/hotline/orders/{no}", **api(w.taker)).json()["callback_result"] == "basic"


def test_api_refusals_are_code_and_message(w):
    c = Client()
    r = c.post(
        "/api/hotline/orders",
        {"kind": "help", "category": "NOPE", "region": w.town.code, "text": "x", "caller_phone": PHONE},
        content_type="application/json",
        **api(w.taker),
    )
    assert (r.status_code, r.json()["code"]) == (422, "unknown_category") and "派单目录" in r.json()[
        "message"
    ]
    r = c.post(
        "/api/hotline/orders",
        {"kind": "gossip", "category": "CJ-01", "region": w.town.code, "text": "x"},
        content_type="application/json",
        **api(w.taker),
    )
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")
    order = dispatched(w)
    r = c.post(
        f"/api/hotline/orders/{order.no}/actions/sign",
        content_type="application/json",
        **api(w.other_officer),
    )
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = c.post(
        f"/api/hotline/orders/{order.no}/actions/fly", content_type="application/json", **api(w.officer)
    )
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")
    c.post(f"/api/hotline/orders/{order.no}/actions/sign", content_type="application/json", **api(w.officer))
    r = c.post(f"/api/hotline/orders/{order.no}/actions/sign", content_type="application/json", **api(w.head))
    assert (r.status_code, r.json()["code"]) == (409, "already_signed")
    r = c.get("/api/hotline/orders?limit=0", **api(w.taker))
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")
    assert Client().get("/api/hotline/orders").status_code == 401
    assert Order.objects.count() == 1


def test_api_action_enum_is_in_the_schema(w):
    schema = Client().get("/api/openapi.json").json()
    enum = schema["components"]["schemas"]["HotlineOrderAction"]["enum"]
    assert set(enum) == {
        "dispatch",
        "answer",
        "transfer",
        "merge",
        "sign",
        "return",
        "reassign",
        "reject_return",
        "extend_request",
        "extend_decide",
        "reply",
        "approve",
        "send_back",
        "urge",
        "supervise",
        "callback",
    }


def test_api_knowledge_search(w):
    services.article_save(title="停水报修", body="县自来水公司抢修。", category=w.water_cat)
    r = Client().get("/api/hotline/knowledge?q=tsbx", **api(w.taker))
    assert [a["title"] for a in r.json()["articles"]] == ["停水报修"]
    r = Client().get("/api/hotline/knowledge?q=停水", **api(w.taker))
    assert [a["title"] for a in r.json()["articles"]] == ["停水报修"]


def test_attachments_follow_the_caller_rule_and_downloads_are_audited(w, settings, tmp_path):
    from zhengwu.core.models import AuditEvent
    from zhengwu.core.testing import pdf_bytes, upload

    settings.MEDIA_ROOT = tmp_path
    secret = dispatched(w, confidential=True, attachments=[upload("现场照片.pdf", pdf_bytes())])
    plain = dispatched(w, attachments=[upload("现场.pdf", pdf_bytes())])
    f_secret, f_plain = secret.attachments.get(), plain.attachments.get()
    unit = client_for(w.officer)
    assert "现场照片.pdf" not in unit.get(f"/hotline/orders/{secret.no}/").content.decode()
    assert unit.get(f"/hotline/orders/{secret.no}/files/{f_secret.pk}/").status_code == 404
    r = unit.get(f"/hotline/orders/{plain.no}/files/{f_plain.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert (
        client_for(w.other_officer).get(f"/hotline/orders/{plain.no}/files/{f_plain.pk}/").status_code == 404
    )
    r = client_for(w.taker).get(f"/hotline/orders/{secret.no}/files/{f_secret.pk}/")
    assert r.status_code == 200
    assert list(
        AuditEvent.objects.filter(action="view", object_type="hotline.attachment")
        .order_by("id")
        .values_list("actor_name", flat=True)
    ) == ["郑住建", "周话务"]


def test_a_double_submitted_call_makes_one_order(w):
    c = client_for(w.taker)
    page = c.get("/hotline/intake/").content.decode()
    from zhengwu.core.idempotency import FORM_FIELD

    token = page.split(f'name="{FORM_FIELD}" value="')[1].split('"')[0]
    data = {
        "op": "dispatch",
        "channel": "phone",
        "source": "12345",
        "kind": "complaint",
        "category": "CJ-01",
        "region": w.town.code,
        "text": "路灯坏了",
        "caller_phone": PHONE,
        FORM_FIELD: token,
    }
    first, second = c.post("/hotline/intake/", data), c.post("/hotline/intake/", data)
    assert first.status_code == 302 and second.status_code in (302, 303, 200)
    assert Order.objects.count() == 1
