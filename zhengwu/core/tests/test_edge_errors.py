"""Every API refusal in the documented ``{code, message}`` shape in Chinese (issue 11), and schemas that
carry the columns' limits and the accepted values, so both databases refuse alike with the field named."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.validators import TEXT_MAX_LENGTH, validate_lengths
from zhengwu.hall.models import Appointment
from zhengwu.hall.tests import factories as fx
from zhengwu.ratings.models import Appeal, Rating

from .test_edge_input import bearer

pytestmark = pytest.mark.django_db

API_OWN = ("/api/hall/", "/api/ratings/", "/api/org/", "/api/supervision/", "/api/workdays/")


@pytest.fixture
def w():
    return fx.build_hall()


BOOKING = {"item_code": "SFX-GA-001", "day": "2026-10-09", "start": "09:00", "name": "张三", "phone": fx.PHONE,
           "id_number": fx.ID_NUMBER}


def book(client, **over):
    fx.policy(booking_days=14)
    with clock.frozen(fx.at(8, day=dt.date(2026, 9, 30))):
        return client.post("/api/hall/halls/SFXZW/appointments", {**BOOKING, **over}, content_type="application/json")


def test_a_missing_field_is_422_in_chinese_naming_it(client, w):
    r = client.post("/api/hall/appointments/cancel", {}, content_type="application/json")
    assert (r.status_code, r.json()) == (422, {
        "code": "invalid_input", "message": "缺少必填字段“code”；缺少必填字段“phone”",
        "details": [{"field": "code", "in": "body", "type": "missing", "message": "缺少必填字段“code”"},
                    {"field": "phone", "in": "body", "type": "missing", "message": "缺少必填字段“phone”"}]})


def test_a_value_longer_than_its_column_is_refused_before_the_database(client, w):
    """Before: a 1,000-character name was stored on SQLite and a 500 on PostgreSQL."""
    r = book(client, name="张" * 1000)
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (422, "invalid_input", "字段“name”长度不能超过50个字符")
    assert not Appointment.objects.exists()
    assert book(client, name="张" * 50).status_code == 201


def test_page_values_longer_than_their_column_are_refused_by_name():
    """For pages that pass posted values straight to a service (the hall's booking page, the rating pages)."""
    with pytest.raises(DomainError) as exc:
        validate_lengths({"name": "张" * 51, "phone": fx.PHONE}, Appointment, ["name", "phone"])
    assert (exc.value.code, exc.value.status, exc.value.message) == ("too_long", 422, "姓名不能超过50个字（现为51个字）")
    validate_lengths({"name": "张" * 50}, Appointment, ["name", "phone"])
    with pytest.raises(DomainError) as exc:
        validate_lengths({"statement": "x" * (TEXT_MAX_LENGTH + 1)}, Appeal, ["statement"])
    assert exc.value.message == f"申诉说明不能超过{TEXT_MAX_LENGTH}个字（现为{TEXT_MAX_LENGTH + 1}个字）"


def test_a_restricted_string_is_an_enum_and_the_message_names_the_accepted_values(client, w):
    r = client.post("/api/ratings/", {"channel": "fax", "overall": 3}, content_type="application/json",
                    headers=bearer(w.o1.user))
    assert (r.status_code, r.json()["message"]) == (422, "字段“channel”应为以下之一：web、pad、12345")
    r = client.get("/api/ratings/metrics?by=planet", headers=bearer(w.admin.user))
    assert (r.status_code, r.json()["message"]) == (
        422, "查询参数“by”应为以下之一：officer、window、department、hall、region")
    r = client.post("/api/hall/presence/away", {"kind": "holiday", "until": "2026-03-10T10:00:00+08:00"},
                    content_type="application/json", headers=bearer(w.o1.user))
    assert (r.status_code, r.json()["message"]) == (422, "字段“kind”应为以下之一：meeting、errand、leave")
    assert not Rating.objects.exists()


def test_a_blank_green_reason_is_still_a_normal_ticket(client, w):
    with clock.frozen(fx.at(9)):
        r = client.post("/api/hall/halls/SFXZW/tickets", {"group": "A", "green_reason": ""},
                        content_type="application/json", headers=bearer(w.admin.user))
    assert (r.status_code, r.json()["kind"]) == (201, "normal")


def test_unknown_api_paths_and_methods_answer_in_the_json_shape(client, w, settings):
    settings.DEBUG = True  # Django's English debug page is what a demo showed for /api/cases/
    r = client.get("/api/cases/")
    assert (r.status_code, r["Content-Type"], r.json()["code"]) == (404, "application/json", "not_found")
    r = client.get("/api/nothing-here")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = client.post("/api/org/regions")
    assert (r.status_code, r.json(), r["Allow"]) == (
        405, {"code": "method_not_allowed", "message": "该接口不支持 POST 请求"}, "GET")


def test_ninjas_own_refusals_are_chinese(client, w):
    r = client.get("/api/org/staff")
    assert (r.status_code, r.json()["code"]) == (401, "unauthorized")
    assert "令牌" in r.json()["message"]
    r = client.post("/api/hall/windows/999999/sign-in", headers=bearer(w.o1.user))
    assert (r.status_code, r.json()) == (404, {"code": "not_found", "message": "未找到所请求的对象"})
    # a form posted to an endpoint that takes JSON
    r = client.post("/api/hall/appointments/cancel", {"code": "123456", "phone": fx.PHONE})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_body")


def test_the_openapi_of_these_routers_carries_lengths_and_enums(client):
    """Every string a client sends to hall, ratings, org, supervision and workdays is bounded: by a
    maximum length, an enum, or a date/time format. (cases, catalog and disclosure: their owners.)"""
    schema = client.get("/api/openapi.json").json()
    unbounded = []

    def check(where, prop):
        prop = resolve(prop)
        options = [resolve(p) for p in prop.get("anyOf", [prop])]
        for p in options:
            if p.get("type") == "string" and not ({"maxLength", "enum", "format"} & p.keys()):
                unbounded.append(where)
            if p.get("type") == "object" and "properties" in p:
                for name, sub in p["properties"].items():
                    check(f"{where}.{name}", sub)

    def resolve(p):
        ref = p.get("$ref")
        return schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else p

    for path, ops in schema["paths"].items():
        if not path.startswith(API_OWN):
            continue
        for method, op in ops.items():
            for param in op.get("parameters", []):
                if param["in"] == "query":
                    check(f"{method.upper()} {path} ?{param['name']}", param["schema"])
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                check(f"{method.upper()} {path} body", body["schema"])
    assert unbounded == [], unbounded
    channel = schema["components"]["schemas"]["ApiChannel"]
    assert channel["enum"] == ["web", "pad", "12345"]
