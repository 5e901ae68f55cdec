"""Every endpoint in both formats: JSON validated against the shared schemas, XML parsed, same data."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.hotline import services as hotline
from zhengwu.hotline.models import Kind
from zhengwu.hotline.tests.factories import dispatched, new_order, replied

from .conftest import BASE, COUNTY
from .contract import check_json, check_xml, errors_of, same_items, xml_items

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Tuesday


def test_discovery(client, settings):
    data = check_json(client.get(f"{BASE}discovery.json"), "discovery.json")
    assert data["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2/",
            "changeset": "2026-12-06T00:00:00+08:00",
            "type": "test",  # this is not a production installation
            "formats": ["text/xml", "application/json"],
        }
    ]
    settings.ENV = "production"
    assert (
        check_json(client.get(f"{BASE}discovery.json"), "discovery.json")["endpoints"][0]["type"]
        == "production"
    )
    root = check_xml(client.get(f"{BASE}discovery.xml"), "discovery")
    assert root.findtext("changeset") == data["changeset"]
    assert root.findtext("key_service") == data["key_service"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == "http://testserver/open311/v2/"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_services(client, world):
    data = check_json(client.get(f"{BASE}services.json"), "services.json")
    # active leaves of the dispatch catalogue; the inactive OLD-01 is not offered
    assert [s["service_code"] for s in data] == ["AQ-01", "CJ-01", "SC-01", "SW-01", "XC-01"]
    assert data[1] == {
        "service_code": "CJ-01",
        "service_name": "市政道路",
        "description": None,
        "metadata": True,
        "type": "realtime",
        "keywords": "路灯,井盖,道路",
        "group": None,
    }
    same_items(data, check_xml(client.get(f"{BASE}services.xml"), "services"))
    # with the jurisdiction named, the same
    assert (
        check_json(client.get(f"{BASE}services.json", {"jurisdiction_id": COUNTY}), "services.json") == data
    )


def test_services_grouped_by_parent(client, world):
    from zhengwu.hotline.models import Category

    parent = Category.objects.create(code="CS", name="城市管理")
    Category.objects.filter(code__in=["CJ-01", "SW-01"]).update(parent=parent)
    data = check_json(client.get(f"{BASE}services.json"), "services.json")
    codes = {s["service_code"]: s["group"] for s in data}
    assert codes == {"AQ-01": None, "CJ-01": "城市管理", "SC-01": None, "SW-01": "城市管理", "XC-01": None}


def test_service_definition(client, world):
    data = check_json(client.get(f"{BASE}services/CJ-01.json"), "service-definition.json")
    assert data["service_code"] == "CJ-01"
    [attr] = data["attributes"]
    assert (attr["code"], attr["datatype"], attr["required"], attr["order"]) == (
        "kind",
        "singlevaluelist",
        False,
        1,
    )
    assert attr["values"] == [{"key": k.value, "name": str(k.label)} for k in Kind]
    root = check_xml(client.get(f"{BASE}services/CJ-01.xml"), "service_definition")
    assert root.findtext("service_code") == "CJ-01"
    values = root.findall("attributes/attribute/values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        (k.value, str(k.label)) for k in Kind
    ]
    assert root.findtext("attributes/attribute/required") == "false"


@pytest.mark.parametrize("code", ["NOPE", "OLD-01"])
def test_unknown_service_is_404(client, world, code):
    errors = errors_of(client.get(f"{BASE}services/{code}.json"), 404)
    assert errors == [
        {"code": 404, "description": f"未找到服务类型“{code}”（service_code），请先查询 services 列表"}
    ]
    root = check_xml(client.get(f"{BASE}services/{code}.xml"), "errors", 404)
    same_items(errors, root)


def test_requests_list_and_detail(client, world):
    with clock.frozen(T0):
        open_order = dispatched(world)
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        done = replied(world, text="西大街井盖缺失", address="城关镇西大街3号")
    with clock.frozen(T0 + dt.timedelta(days=1)):
        hotline.order_callback(order=done, staff=world.taker, result="satisfied", solved=True)
    with clock.frozen(T0 + dt.timedelta(days=2)):
        data = check_json(client.get(f"{BASE}requests.json"), "requests.json")
        root = check_xml(client.get(f"{BASE}requests.xml"), "service_requests")
    assert [r["service_request_id"] for r in data] == [done.no, open_order.no]  # newest first
    assert all(isinstance(r["service_request_id"], str) for r in data)
    first = data[1]
    assert first == {
        "service_request_id": open_order.no,
        "status": "open",
        "status_notes": "待签收",
        "service_name": "市政道路",
        "service_code": "CJ-01",
        "description": None,  # the caller did not agree to publish the text
        "agency_responsible": "示范县住房和城乡建设局",
        "service_notice": None,
        "requested_datetime": "2026-12-01T09:30:00+08:00",
        "updated_datetime": "2026-12-01T09:30:00+08:00",
        "expected_datetime": "2026-12-18T23:59:59+08:00",  # 13 working days from the next day
        "address": "城关镇东大街12号",
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
    assert data[0]["status"] == "closed"
    assert data[0]["status_notes"] == "已办结"
    assert data[0]["updated_datetime"] == "2026-12-02T09:30:00+08:00"  # when it was closed
    assert data[0]["expected_datetime"] is None
    same_items(data, root)
    # nothing of the caller anywhere
    body = (
        client.get(f"{BASE}requests.json").content.decode()
        + client.get(f"{BASE}requests.xml").content.decode()
    )
    for secret in ("张大明", "13912345678", "139****5678"):
        assert secret not in body

    one = check_json(client.get(f"{BASE}requests/{open_order.no}.json"), "requests.json")
    assert one == [first]
    same_items(one, check_xml(client.get(f"{BASE}requests/{open_order.no}.xml"), "service_requests"))


def test_unknown_request_is_404(client, world):
    errors = errors_of(client.get(f"{BASE}requests/RX000.json"), 404)
    assert errors == [{"code": 404, "description": "未找到诉求“RX000”（service_request_id）"}]
    check_xml(client.get(f"{BASE}requests/RX000.xml"), "errors", 404)


def test_requests_filters(client, world):
    with clock.frozen(T0):
        a = new_order(world)
    with clock.frozen(T0 + dt.timedelta(days=3)):
        b = new_order(world, category=world.food, kind="report", text="餐馆卫生差")
    with clock.frozen(T0 + dt.timedelta(days=4)):
        c = dispatched(world)
        hotline.order_answer(
            order=new_order(world, kind="consult", category=world.water_cat),
            staff=world.taker,
            answer="请拨打供电热线",
        )

        def ids(**params):
            return [
                r["service_request_id"]
                for r in check_json(client.get(f"{BASE}requests.json", params), "requests.json")
            ]

        everything = ids()
        assert len(everything) == 4
        assert ids(service_code="SC-01") == [b.no]
        assert set(ids(service_code="SC-01,CJ-01")) == {a.no, b.no, c.no}
        assert ids(status="closed") == [everything[0]]
        assert set(ids(status="open")) == {a.no, b.no, c.no}
        assert set(ids(status="open,closed")) == set(everything)
        assert ids(start_date="2026-12-02T00:00:00+08:00") == ids(start_date="2026-12-01T16:00:00Z")
        assert set(ids(start_date="2026-12-02T00:00:00+08:00")) == {b.no, c.no, everything[0]}
        assert ids(end_date="2026-12-02") == [a.no]
        assert ids(start_date="2026-12-05", end_date="2026-12-05T23:00:00+08:00", status="open") == [c.no]
        # an unencoded "+" arrives as a space
        assert ids(start_date="2026-12-02T00:00:00 08:00") == ids(start_date="2026-12-02T00:00:00+08:00")
        # service_request_id overrides every other argument
        assert set(ids(service_request_id=f"{a.no}, {c.no},RX404", status="closed")) == {a.no, c.no}
        # empty arguments are absent arguments
        assert ids(service_code="", status="", start_date="", end_date="") == everything


def test_requests_default_window_is_90_days(client, world):
    with clock.frozen(T0 - dt.timedelta(days=91)):
        new_order(world)
    with clock.frozen(T0 - dt.timedelta(days=89)):
        recent = new_order(world)
    with clock.frozen(T0):
        data = check_json(client.get(f"{BASE}requests.json"), "requests.json")
    assert [r["service_request_id"] for r in data] == [recent.no]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "pending"}, "status 只能是 open 或 closed（可用逗号分隔）"),
        (
            {"start_date": "yesterday"},
            "参数 start_date 不是有效的 W3C 日期时间（如 2026-12-01T08:00:00+08:00）",
        ),
        ({"end_date": "2026-13-01"}, "参数 end_date 不是有效的 W3C 日期时间（如 2026-12-01T08:00:00+08:00）"),
        ({"start_date": "2026-12-05", "end_date": "2026-12-01"}, "start_date 不能晚于 end_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-12-01"}, "start_date 与 end_date 的间隔不能超过90天"),
    ],
)
def test_bad_request_arguments(client, world, params, message):
    assert errors_of(client.get(f"{BASE}requests.json", params), 400) == [
        {"code": 400, "description": message}
    ]
    root = check_xml(client.get(f"{BASE}requests.xml", params), "errors", 400)
    assert xml_items(root) == [{"code": "400", "description": message}]


def test_jurisdiction(client, world):
    new_order(world)
    assert (
        len(check_json(client.get(f"{BASE}requests.json", {"jurisdiction_id": COUNTY}), "requests.json")) == 1
    )
    # the neighbouring county exists but is not this hotline's 受理辖区; a made-up code does not exist
    for code in ("130622000000", "sfgov.org"):
        errors = errors_of(client.get(f"{BASE}requests.json", {"jurisdiction_id": code}), 404)
        assert errors[0]["description"].startswith(f"本接口不受理辖区“{code}”")
        errors_of(client.get(f"{BASE}services.json", {"jurisdiction_id": code}), 404)


def test_jurisdiction_required_when_several_are_served(client, world):
    from zhengwu.hotline.models import HotlineSetting
    from zhengwu.hotline.services.policy import policy_invalidate

    HotlineSetting.objects.update(jurisdiction=None)  # both counties are served now
    policy_invalidate()  # a bulk update sends no signal to the services' copy of the settings
    errors = errors_of(client.get(f"{BASE}services.json"), 400)
    assert errors == [
        {
            "code": 400,
            "description": "本接口受理多个辖区，请提供 jurisdiction_id（县级行政区划的12位统计用区划代码）",
        }
    ]
    check_json(client.get(f"{BASE}services.json", {"jurisdiction_id": "130622000000"}), "services.json")


def test_tokens_are_not_issued(client, world):
    errors = errors_of(client.get(f"{BASE}tokens/abc.json"), 404)
    assert errors[0]["description"].startswith("本接口实时受理（type 为 realtime）")
    check_xml(client.get(f"{BASE}tokens/abc.xml"), "errors", 404)


@pytest.mark.parametrize("path", ["nothing.json", "services.html", "requests/", "v3/services.json", ""])
def test_unknown_paths_answer_in_the_error_body(client, world, path):
    response = client.get(f"{BASE}{path}")
    if path.endswith(".json"):
        errors_of(response, 404)
    else:
        check_xml(response, "errors", 404)


def test_wrong_method(client, world):
    response = client.post(f"{BASE}services.json", {"x": "1"})
    assert errors_of(response, 405) == [
        {"code": 405, "description": "该接口不支持 POST 请求（支持：GET、HEAD）"}
    ]
    assert response["Allow"] == "GET, HEAD"
    check_xml(client.delete(f"{BASE}requests.xml"), "errors", 405)


def test_lists_take_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    with clock.frozen(T0):
        for _ in range(3):
            dispatched(world)
        new_order(world, publish_consent=True)
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        with django_assert_max_num_queries(3):  # the hotline's setting, the county, the orders
            assert len(check_json(client.get(f"{BASE}requests.json"), "requests.json")) == 4
        with django_assert_max_num_queries(3):
            assert (
                len(check_json(client.get(f"{BASE}servicerequestupdates.json"), "servicerequestupdates.json"))
                == 7
            )
        with django_assert_max_num_queries(3):
            assert len(check_json(client.get(f"{BASE}services.json"), "services.json")) == 5


HOSTILE = [
    "",
    " ",
    "x" * 5000,
    "😀",
    "\ufeff",
    "<a>",
    "'; DROP TABLE x;--",
    "%00",
    "\x00",
    "1e400",
    "-1",
    "[]",
    "{}",
    "∞",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_arguments_never_crash(client, api_client, world, value):
    """Every argument of every endpoint, with odd values: an answer or an Open311 error, never a 500."""
    names = [
        "jurisdiction_id",
        "service_request_id",
        "service_code",
        "start_date",
        "end_date",
        "status",
        "api_key",
    ]
    for path in [
        "discovery",
        "services",
        "services/CJ-01",
        "requests",
        "requests/RX1",
        "servicerequestupdates",
    ]:
        for name in names:
            response = client.get(f"{BASE}{path}.json", {name: value})
            assert response.status_code in (200, 400, 403, 404), (path, name, response.status_code)
    fields = [
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "description",
        "first_name",
        "last_name",
        "phone",
        "email",
        "device_id",
        "account_id",
        "media_url",
        "attribute[kind]",
        "jurisdiction_id",
    ]
    for name in fields:
        response = client.post(
            f"{BASE}requests.json", {"api_key": "zw_o311_test_key_0123456789", name: value}
        )
        assert response.status_code in (200, 400, 403, 404, 429), (name, response.status_code)


def test_too_many_ids(client, world):
    ids = ",".join(f"RX{i}" for i in range(1001))
    assert errors_of(client.get(f"{BASE}requests.json", {"service_request_id": ids}), 400) == [
        {"code": 400, "description": "service_request_id 一次最多1000个"}
    ]
