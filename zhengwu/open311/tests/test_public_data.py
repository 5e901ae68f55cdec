"""What GET shows: the 曝光台's rule — no caller data, the text only with consent, nothing of 保密 places,
no 转警 orders — and public updates only."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.hotline import services as hotline
from zhengwu.hotline.models import OrderEvent
from zhengwu.hotline.selectors import public_text
from zhengwu.hotline.tests.factories import new_order

from .conftest import BASE, KEY
from .contract import check_json, check_xml, errors_of, same_items

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _one(client, no):
    [data] = check_json(client.get(f"{BASE}requests/{no}.json"), "requests.json")
    return data


def test_text_only_with_consent_and_nothing_of_confidential_orders(client, world):
    with clock.frozen(T0):
        plain = new_order(world, lat="38.1", lon="115.2")
        consent = new_order(world, publish_consent=True, lat="38.1", lon="115.2")
        secret = new_order(world, confidential=True, publish_consent=True, lat="38.1", lon="115.2")
    assert (_one(client, plain.no)["description"], _one(client, plain.no)["address"]) == (
        None,
        "城关镇东大街12号",
    )
    assert (_one(client, plain.no)["lat"], _one(client, plain.no)["long"]) == (38.1, 115.2)
    assert _one(client, consent.no)["description"] == "城关镇东大街路灯坏了三天"
    hidden = _one(client, secret.no)
    assert (
        hidden["description"],
        hidden["address"],
        hidden["lat"],
        hidden["long"],
        hidden["address_id"],
    ) == (None, None, None, None, None)  # 保密: not even with consent
    body = client.get(f"{BASE}requests.json", {"start_date": "2026-11-30"}).content.decode()
    assert "张大明" not in body and "13912345678" not in body
    # the same rule as the public 曝光台
    for order in (plain, consent, secret):
        shown = _one(client, order.no)["description"] is not None
        assert shown == (public_text(order) == order.text)


def test_control_characters_do_not_break_the_xml(client, world):
    with clock.frozen(T0):
        order = new_order(world, publish_consent=True, text="路灯\x0b坏了\x1f三天")
    data = check_json(client.get(f"{BASE}requests/{order.no}.json"), "requests.json")
    root = check_xml(client.get(f"{BASE}requests/{order.no}.xml"), "service_requests")
    assert root.findtext("request/description") == "路灯坏了三天"
    assert data[0]["description"] == "路灯\x0b坏了\x1f三天"  # JSON escapes them


def test_transferred_orders_are_not_service_requests(client, world):
    with clock.frozen(T0):
        order = new_order(world, category=world.gas)
        hotline.order_transfer(order=order, staff=world.taker, to="119", reason="燃气泄漏，已起火")
        assert check_json(client.get(f"{BASE}requests.json"), "requests.json") == []
        errors_of(client.get(f"{BASE}requests/{order.no}.json"), 404)
        assert check_json(client.get(f"{BASE}servicerequestupdates.json"), "servicerequestupdates.json") == []


def test_merged_order_points_to_the_main_one(client, world):
    with clock.frozen(T0):
        main = new_order(world)
        dup = new_order(world, caller_phone="13900000001")
        hotline.order_merge(order=dup, into=main, staff=world.taker)
    data = _one(client, dup.no)
    assert (data["status"], data["status_notes"]) == (
        "closed",
        f"已并单：已并入工单 {main.no}，后续进展见该工单",
    )


def test_updates_are_the_public_events_only(client, api_client, world):
    with clock.frozen(T0):
        order = new_order(world)
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        order = hotline.order_dispatch(order=order, staff=world.taker)
    with clock.frozen(T0 + dt.timedelta(hours=2)):
        hotline.order_urge(order=order, staff=world.taker, note="请尽快签收")
    events = list(OrderEvent.objects.order_by("id"))
    public = [e for e in events if e.public]
    assert len(public) < len(events)  # the 催办 is internal
    with clock.frozen(T0 + dt.timedelta(hours=3)):
        data = check_json(
            client.get(f"{BASE}servicerequestupdates.json", {"api_key": KEY}), "servicerequestupdates.json"
        )
        root = check_xml(client.get(f"{BASE}servicerequestupdates.xml"), "service_request_updates")
    assert data == [
        {
            "update_id": str(public[0].pk),
            "service_request_id": order.no,
            "status": "open",
            "updated_datetime": "2026-12-01T09:30:00+08:00",
            "description": "电话受理，投诉：市政道路",
            "media_url": "",
            "external_status_code": "pending",
        },
        {
            "update_id": str(public[1].pk),
            "service_request_id": order.no,
            "status": "action_scheduled",
            "updated_datetime": "2026-12-01T10:30:00+08:00",
            "description": public[1].note,
            "media_url": "",
            "external_status_code": "dispatched",
        },
    ]
    assert [item.tag for item in root] == ["request_update", "request_update"]
    same_items(data, root)


def test_updates_window(client, world):
    with clock.frozen(T0):
        new_order(world)
    with clock.frozen(T0 + dt.timedelta(days=2)):
        later = new_order(world)
        data = check_json(
            client.get(
                f"{BASE}servicerequestupdates.json",
                {"start_date": "2026-12-02T00:00:00+08:00", "end_date": "2026-12-03T23:59:59+08:00"},
            ),
            "servicerequestupdates.json",
        )
    assert [u["service_request_id"] for u in data] == [later.no]


def test_updates_with_a_bad_key_are_403(client, world):
    assert errors_of(client.get(f"{BASE}servicerequestupdates.json", {"api_key": "zw_o311_wrong"}), 403) == [
        {"code": 403, "description": "api_key 无效或已停用，请联系热线中心"}
    ]
    response = client.post(f"{BASE}servicerequestupdates.json", {"api_key": KEY})
    assert errors_of(response, 405)[0]["description"] == "该接口不支持 POST 请求（支持：GET、HEAD）"
