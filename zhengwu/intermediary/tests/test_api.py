"""The intermediary API through the Django test client: the enums in the OpenAPI, the public reads (no draft,
no ID number, no sign-up before the selection), a purchase from creation to rating (uploads as multipart)
with its draw recomputed from the public record alone, an agency's entry and review, credit scores, events,
appeals and the month; clear Chinese refusals that change nothing; malformed input that is never a 500."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest

from zhengwu.accounts.models import ApiToken
from zhengwu.core import clock
from zhengwu.core.testing import upload
from zhengwu.intermediary.models import (
    Agency,
    AgencyStatus,
    Certificate,
    CreditEvent,
    CreditRecord,
    Event,
    Purchase,
    PurchaseStatus,
    Signup,
)
from zhengwu.intermediary.tests.factories import DAY, at, build_world, id_number, uscc

pytestmark = pytest.mark.django_db

BASE = "/api/intermediary"
DEADLINE = at(DAY + dt.timedelta(days=7), 17)  # Monday 9 March 17:00
SELECT_AT = at(DAY + dt.timedelta(days=8), 9)  # Tuesday 10 March 09:00
SIGNUP_TIME = at(DAY + dt.timedelta(days=2), 10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def w():
    with clock.frozen(at(DAY, 8)):
        return build_world()


def member(x):
    return x.members.order_by("pk").first()


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def post(client, url, body, user=None):
    return client.post(BASE + url, body, content_type="application/json", headers=token(user) if user else {})


def post_form(client, url, data, user):
    return client.post(BASE + url, data, headers=token(user))


def get(client, url, user=None):
    return client.get(BASE + url, headers=token(user) if user else {})


def purchase_body(w, **over) -> dict:
    body = {"service": "ZJ001", "title": "宏达食品扩建项目环境影响报告表编制", "content": "编制环境影响报告表",
            "service_days": 20, "funding": "private", "mode": "random", "price_mode": "range",
            "price_min": "10000", "price_max": "30000", "signup_deadline": DEADLINE.isoformat(),
            "select_at": SELECT_AT.isoformat()}
    body.update(over)
    return body


def created(client, w, owner=None, **over) -> dict:
    owner = owner or w.enterprise
    with clock.frozen(at(DAY, 9)):
        r = post(client, "/purchases", purchase_body(w, **over), member(owner))
    assert r.status_code == 201, r.content
    return r.json()


def act(client, pid, action, user, body=None, when=None):
    with clock.frozen(when or at(DAY, 10)):
        return post(client, f"/purchases/{pid}/actions/{action}", body or {}, user)


def published(client, w, **over) -> dict:
    p = created(client, w, **over)
    r = act(client, p["id"], "publish", member(w.enterprise))
    assert r.status_code == 200, r.content
    return p


def snapshot():
    return (Purchase.objects.count(), Signup.objects.count(), Event.objects.count(), Certificate.objects.count(),
            sorted(Purchase.objects.values_list("status", flat=True)))


# -- the OpenAPI ----------------------------------------------------------------------------------------------


def test_openapi_lists_the_endpoints_and_their_enums(client):
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]

    assert schemas["IntermediaryAction"]["enum"] == [
        "publish", "signup", "withdraw_signup", "close_signup", "select", "pick", "confirm", "decline",
        "register_contract", "request_extension", "decide_extension", "deliver", "rate", "terminate", "cancel",
        "republish"]
    assert schemas["IntermediaryUploadAction"]["enum"] == ["signup", "register_contract", "deliver"]
    assert schemas["IntermediaryPurchaseStatus"]["enum"] == [
        "draft", "signup", "selecting", "shortlisted", "selected", "confirmed", "in_service", "delivered",
        "completed", "failed", "cancelled", "terminated"]
    assert schemas["IntermediaryMode"]["enum"] == ["direct", "random", "bidding", "merit"]
    assert schemas["IntermediaryBiddingRule"]["enum"] == ["lowest", "average"]
    assert schemas["IntermediaryMeritRule"]["enum"] == ["credit", "proposal"]
    assert schemas["IntermediaryPriceMode"]["enum"] == ["fixed", "range", "discount"]
    assert schemas["IntermediaryFunding"]["enum"] == ["state", "private"]
    assert schemas["IntermediaryAgencyStatus"]["enum"] == ["draft", "pending", "returned", "active", "suspended",
                                                           "delisted"]
    assert schemas["IntermediaryAgencyStatusAction"]["enum"] == ["suspend", "restore", "delist"]
    assert schemas["IntermediaryAppealKind"]["enum"] == ["appeal", "repair"]
    assert schemas["IntermediaryLinkStage"]["enum"] == ["precondition", "review"]
    action = spec["paths"]["/api/intermediary/purchases/{purchase_id}/actions/{action}"]["post"]
    param = next(p for p in action["parameters"] if p["name"] == "action")
    assert "IntermediaryAction" in str(param["schema"])
    upload_op = spec["paths"]["/api/intermediary/purchases/{purchase_id}/uploads/{action}"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    for path in ["/services", "/services/{code}", "/items/{item_code}/services", "/agencies",
                 "/agencies/{agency_id}", "/agencies/{agency_id}/credit", "/purchases", "/purchases/{code}",
                 "/purchases/{code}/draw", "/purchases/{purchase_id}/workbench", "/my/agency", "/admin/queue",
                 "/agencies/{agency_id}/certificates", "/agencies/{agency_id}/review",
                 "/agencies/{agency_id}/status/{action}", "/agencies/{agency_id}/market-score",
                 "/agencies/{agency_id}/department-score", "/agencies/{agency_id}/credit-events",
                 "/appeals/{appeal_id}/decide", "/credit/compute"]:
        assert "/api/intermediary" + path in spec["paths"], path


# -- public reads -------------------------------------------------------------------------------------------


def test_the_service_list_and_what_an_item_needs(client, w):
    rows = client.get(BASE + "/services").json()
    assert [r["code"] for r in rows] == ["ZJ001", "ZJ002", "ZJ003"]
    assert rows[1]["fee_mode"] == "standard" and rows[1]["qualifications"] == [{"code": "TS", "name": "施工图审查机构认定"}]

    detail = client.get(BASE + "/services/ZJ002").json()
    assert detail["items"][0]["item_name"] == "建筑工程施工许可证核发" and detail["items"][0]["stage"] == "review"
    assert len(detail["agencies"]) == 8

    needs = client.get(BASE + "/items/11130621MB0201-01/services").json()
    assert [(n["service"]["code"], n["stage"]) for n in needs] == [("ZJ001", "precondition")]
    r = client.get(BASE + "/services/ZJ999")
    assert r.status_code == 404 and r.json()["message"] == "未找到该中介服务事项"


def test_the_directory_shows_admitted_agencies_without_id_numbers(client, w):
    Agency.objects.filter(pk=w.agencies[0].pk).update(status=AgencyStatus.PENDING)

    rows = client.get(BASE + "/agencies?limit=100").json()
    detail = client.get(f"{BASE}/agencies/{w.agencies[1].pk}")

    assert len(rows) == 7 and w.agencies[0].name not in {r["name"] for r in rows}
    text = json.dumps(rows, ensure_ascii=False) + detail.content.decode()
    for a in w.agencies:
        assert a.contact_id_number not in text
        assert a.practitioners.get().id_number not in text
    assert detail.json()["practitioners"][0]["id_number"].count("*") == 10
    assert client.get(f"{BASE}/agencies/{w.agencies[0].pk}").status_code == 404
    assert client.get(BASE + "/agencies?service=ZJ002&grade=A").json() == []


@pytest.mark.parametrize("query, words", [
    ("offset=-1", "查询参数“offset”不能小于0"),
    ("limit=5000", "查询参数“limit”不能大于1000"),
    ("status=bogus", "查询参数“status”应为以下之一"),
    ("mode=lottery", "查询参数“mode”应为以下之一"),
    ("q=" + "长" * 101, "查询参数“q”长度不能超过100个字符"),
])
def test_bad_query_parameters_are_422_in_chinese(client, w, query, words):
    r = client.get(f"{BASE}/purchases?{query}")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert words in r.json()["message"]


# -- a purchase from creation to rating -------------------------------------------------------------------------


def test_a_random_purchase_through_the_api_and_its_draw_recomputed(client, w):
    owner = member(w.enterprise)
    p = created(client, w, owner=w.enterprise)
    assert p["status"] == "draft" and p["min_participants"] == 1
    assert client.get(BASE + "/purchases").json() == []
    assert client.get(f"{BASE}/purchases/{p['code']}").status_code == 404

    r = act(client, p["id"], "publish", owner)
    assert r.status_code == 200 and r.json()["status"] == "signup" and r.json()["action"] == "publish"
    seed_hash = r.json()["result"]["seed_hash"]
    assert len(seed_hash) == 64

    for i in (0, 1, 2):
        r = act(client, p["id"], "signup", member(w.agencies[i]), {}, when=SIGNUP_TIME)
        assert r.status_code == 200, r.content

    # before the selection: the commitment only, no sign-up anywhere, not even to the owner
    public = client.get(f"{BASE}/purchases/{p['code']}").json()
    draw = client.get(f"{BASE}/purchases/{p['code']}/draw").json()
    bench = get(client, f"/purchases/{p['id']}/workbench", owner).json()
    mine = get(client, f"/purchases/{p['id']}/workbench", member(w.agencies[1])).json()
    assert public["signups"] == [] and public["seed_hash"] == seed_hash
    assert draw["revealed"] is False and draw["seed"] == "" and draw["committed_at"] is not None
    assert bench["signups"] == [] and bench["signup_count"] is None and bench["roles"] == ["owner"]
    assert mine["my_signup"]["agency"] == w.agencies[1].name and mine["signups"] == []
    hidden = json.dumps([public, draw, bench], ensure_ascii=False) + json.dumps(mine["events"], ensure_ascii=False)
    for a in w.agencies[:3]:
        assert a.name not in hidden and a.uscc not in hidden
    assert w.agencies[0].name not in json.dumps(mine, ensure_ascii=False)

    r = act(client, p["id"], "select", owner, when=SELECT_AT)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "selected"
    winner = r.json()["result"]["selected"]

    draw = client.get(f"{BASE}/purchases/{p['code']}/draw").json()
    assert draw["revealed"] is True and draw["selected_agency"] == winner
    seed = draw["seed"]
    assert hashlib.sha256(seed.encode()).hexdigest() == seed_hash == draw["seed_hash"]
    codes = sorted(a.uscc for a in w.agencies[:3])
    assert draw["draw"]["candidates"] and [c["uscc"] if isinstance(c, dict) else c
                                           for c in draw["draw"]["candidates"]] == codes
    n = int(hashlib.sha256(f"{seed}|select|{','.join(codes)}".encode()).hexdigest(), 16) % len(codes)
    assert codes[n] == draw["selected_uscc"] == draw["recomputed"]
    public = client.get(f"{BASE}/purchases/{p['code']}").json()
    assert [s["uscc"] for s in public["signups"]] == codes

    chosen = next(a for a in w.agencies[:3] if a.name == winner)
    assert act(client, p["id"], "confirm", member(chosen), when=SELECT_AT + dt.timedelta(hours=2)).status_code == 200
    with clock.frozen(SELECT_AT + dt.timedelta(days=1)):
        r = post_form(client, f"/purchases/{p['id']}/uploads/register_contract",
                      {"file": upload("合同.pdf"), "amount": "20000", "signed_on": "2026-03-11",
                       "service_start": "2026-03-11"}, owner)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_service"
    with clock.frozen(SELECT_AT + dt.timedelta(days=10)):
        r = post_form(client, f"/purchases/{p['id']}/uploads/deliver",
                      {"file": upload("环评报告表.pdf"), "note": "报告表已编制完成"}, member(chosen))
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "delivered"
    r = act(client, p["id"], "rate", owner, {"quality": 5, "timeliness": 5, "price": 4, "attitude": 5,
                                             "comment": "按时交付"}, when=SELECT_AT + dt.timedelta(days=11))
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "completed" and r.json()["result"]["score"] == "95"

    public = client.get(f"{BASE}/purchases/{p['code']}").json()
    assert public["rating"]["score"] == "95" and public["contract"]["amount"] == "20000.00"
    row = next(r for r in client.get(BASE + "/agencies?limit=100").json() if r["id"] == chosen.pk)
    assert row["completed_count"] == 1 and row["rating_avg"] == "95.00"
    assert [r["code"] for r in get(client, "/my/purchases", owner).json()] == [p["code"]]


def test_refusals_are_chinese_and_change_nothing(client, w):
    gov = member(w.government)
    before = snapshot()
    with clock.frozen(at(DAY, 9)):
        r = post(client, "/purchases", purchase_body(w, mode="direct", service="ZJ002", service_days=15), gov)
    assert r.status_code == 400 and r.json()["code"] == "intermediary_designate"
    assert "不得为市场主体指定或者变相指定中介服务机构" in r.json()["message"]
    assert snapshot() == before

    p = published(client, w, mode="bidding", bidding_rule="lowest")
    before = snapshot()
    r = act(client, p["id"], "signup", member(w.agencies[0]), {"quote": "50000"}, when=SIGNUP_TIME)
    assert r.status_code == 400 and "报价" in r.json()["message"]
    r = act(client, p["id"], "signup", member(w.agencies[0]), {"quote": "20000"}, when=DEADLINE)
    assert r.status_code == 400 and r.json()["code"] == "intermediary_signup_closed" and "截止" in r.json()["message"]
    r = act(client, p["id"], "confirm", member(w.agencies[0]))
    assert r.status_code in (400, 403) and r.json()["message"]
    assert snapshot() == before

    assert [x["code"] for x in get(client, "/supervise/purchases", w.env_supervisor.user).json()] == [p["code"]]
    assert get(client, "/supervise/purchases", w.housing_supervisor.user).json() == []
    assert get(client, "/supervise/purchases", member(w.enterprise)).status_code == 403
    r = act(client, p["id"], "publish", member(w.person))
    assert r.status_code == 403 and r.json()["code"] == "forbidden" and "无权" in r.json()["message"]
    r = post(client, f"/purchases/{p['id']}/actions/publish", {})
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    r = get(client, f"/purchases/{p['id']}/workbench", member(w.person))
    assert r.status_code == 403 and r.json()["message"] == "您无权查看该采购项目的办理信息"
    r = act(client, 999999, "publish", member(w.enterprise))
    assert r.status_code == 404 and r.json()["message"] == "未找到该采购公告"
    assert snapshot() == before


def test_malformed_input_is_never_a_500(client, w):
    owner = member(w.enterprise)
    headers = token(owner)
    before = snapshot()

    r = client.post(BASE + "/purchases", "{not json", content_type="application/json", headers=headers)
    assert r.status_code == 400 and r.json()["code"] == "invalid_json"
    assert "JSON" in r.json()["message"]
    r = post(client, "/purchases", purchase_body(w, title="环评\x00编制"), owner)
    assert r.status_code == 400 and r.json()["code"] == "invalid_character" and "title" in r.json()["message"]
    r = post(client, "/purchases", purchase_body(w, title="长" * 201), owner)
    assert r.status_code == 422 and "“title”长度不能超过200个字符" in r.json()["message"]
    r = post(client, "/purchases", purchase_body(w, price_min="-5"), owner)
    assert r.status_code == 422 and "price_min" in r.json()["message"]
    r = post(client, "/purchases", purchase_body(w, mode="lottery"), owner)
    assert r.status_code == 422 and "直接" not in r.json()["message"] and "direct" in r.json()["message"]
    r = post(client, "/purchases", purchase_body(w, signup_deadline="9999-12-31T23:59:59-23:59"), owner)
    assert r.status_code in (400, 422) and r.json()["message"]
    r = post(client, "/purchases", [1, 2], owner)
    assert r.status_code in (400, 422) and r.json()["message"]
    r = post(client, "/purchases/99999999999999999999999/actions/publish", {}, owner)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = post(client, "/purchases/1/actions/steal", {}, owner)
    assert r.status_code == 422 and "action" in r.json()["message"]
    r = client.get(BASE + "/agencies/0")
    assert r.status_code == 422
    r = client.get(BASE + "/agencies/1/credit?month=2026-13-01")
    assert r.status_code == 422 and "日期" in r.json()["message"]
    r = client.get(BASE + "/purchases/" + "X" * 500)
    assert r.status_code == 404 and r.json()["code"] == "intermediary_purchase_not_found"
    p = published(client, w)
    before = snapshot()
    r = act(client, p["id"], "rate", owner, {"quality": 9})
    assert r.status_code == 422 and "quality" in r.json()["message"]
    r = act(client, p["id"], "cancel", owner, {"reason": "原因" * 200})
    assert r.status_code == 422 and "reason" in r.json()["message"]
    r = post_form(client, f"/purchases/{p['id']}/uploads/deliver", {"note": "no file"}, owner)
    assert r.status_code == 422 and "file" in r.json()["message"]
    assert snapshot() == before


# -- agencies: entry, review, credit -----------------------------------------------------------------------------


def test_an_agency_enters_through_the_api_and_is_admitted(client, w):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="xinjigou", password="pass-123456", real_name="新机构经办人")
    body = {"name": "天津远景环境咨询有限公司", "uscc": uscc(500), "legal_rep": "周远", "contact_name": "吴授权",
            "contact_id_number": id_number(500), "contact_phone": "13812345678", "home_region": "天津市"}
    with clock.frozen(at(DAY, 9)):
        bad = post(client, "/agencies", {**body, "uscc": uscc(500)[:-1] + "0"}, user)
        assert bad.status_code == 400 and "统一社会信用代码" in bad.json()["message"]
        r = post(client, "/agencies", body, user)
        assert r.status_code == 201, r.content
        agency = r.json()
        assert agency["status"] == "draft" and agency["contact_id_number"] == id_number(500)[:4] + "*" * 10 + \
            id_number(500)[-4:]
        aid = agency["id"]

        before = snapshot()
        r = post_form(client, f"/agencies/{aid}/certificates",
                      {"qualification": "HP", "number": "HP-500", "valid_until": "2027-12-31",
                       "file": upload("证书.txt", b"plain text")}, user)
        assert r.status_code == 400 and r.json()["code"] == "file_type" and "pdf" in r.json()["message"]
        assert snapshot() == before

        r = post_form(client, f"/agencies/{aid}/certificates",
                      {"qualification": "HP", "number": "HP-500", "valid_until": "2027-12-31",
                       "file": upload("证书.pdf")}, user)
        assert r.status_code == 201, r.content
        r = post(client, f"/agencies/{aid}/practitioners", {"name": "钱工", "id_number": id_number(501),
                                                            "title": "注册环评工程师"}, user)
        assert r.status_code == 201 and "*" in r.json()["id_number"]
        r = post(client, f"/agencies/{aid}/offerings", {"service": "ZJ001", "price_min": "8000",
                                                        "price_max": "40000"}, user)
        assert r.status_code == 200 and r.json()["status"] == "active"
        r = post(client, f"/agencies/{aid}/submit", {}, user)
        assert r.status_code == 400 and "承诺书" in r.json()["message"]
        r = post_form(client, f"/agencies/{aid}/files", {"pledge": upload("承诺书.pdf")}, user)
        assert r.status_code == 200 and r.json()["pledge_signed_at"]
        r = post(client, f"/agencies/{aid}/submit", {}, user)
        assert r.status_code == 200 and r.json()["status"] == "pending"

    queue = get(client, "/admin/queue", w.admin.user).json()
    assert [a["id"] for a in queue["agencies"]] == [aid]
    assert get(client, "/admin/queue", w.foreign_admin.user).json()["agencies"] == []
    assert get(client, "/admin/queue", user).status_code == 403
    r = post(client, f"/agencies/{aid}/review", {"approve": True}, w.foreign_admin.user)
    assert r.status_code == 403 and Agency.objects.get(pk=aid).status == AgencyStatus.PENDING
    with clock.frozen(at(DAY + dt.timedelta(days=1), 9)):
        r = post(client, f"/agencies/{aid}/review", {"approve": True, "note": "材料齐全"}, w.admin.user)
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert aid in [a["id"] for a in client.get(BASE + "/agencies?service=ZJ001&limit=100").json()]
    assert get(client, "/my/agency", user).json()["id"] == aid
    client.force_login(user)  # the pages' own calls use the session
    assert client.get(BASE + "/my/agency").json()["status"] == "active"


def test_credit_scores_events_appeals_and_the_month(client, w):
    a = w.agencies[0]
    with clock.frozen(at(dt.date(2026, 3, 20), 9)):
        r = post(client, f"/agencies/{a.pk}/department-score", {"month": "2026-03-01", "score": "80"},
                 w.env_supervisor.user)
        assert r.status_code == 200 and r.json()["score"] == "80.00"
        r = post(client, f"/agencies/{a.pk}/market-score", {"month": "2026-03-01", "score": "90"},
                 w.env_supervisor.user)
        assert r.status_code == 403
        r = post(client, f"/agencies/{a.pk}/market-score", {"month": "2026-03-01", "score": "101"}, w.admin.user)
        assert r.status_code == 422 and "score" in r.json()["message"]
        r = post(client, f"/agencies/{a.pk}/market-score", {"month": "2026-03-01", "score": "90"}, w.admin.user)
        assert r.status_code == 200
        r = post(client, f"/agencies/{a.pk}/credit-events", {"rule_code": "price_violation", "note": "超标准收费"},
                 w.admin.user)
        assert r.status_code == 403 and "行业主管部门" in r.json()["message"] and not CreditEvent.objects.exists()
        r = post(client, f"/agencies/{a.pk}/credit-events", {"rule_code": "price_violation", "note": "超标准收费"},
                 w.env_supervisor.user)
        assert r.status_code == 201, r.content
        event_id = r.json()["id"]
        r = post(client, f"/agencies/{a.pk}/credit-events", {"rule_code": "late_delivery", "note": "手工"},
                 w.admin.user)
        assert r.status_code == 400 and "自动认定" in r.json()["message"]

        r = post(client, f"/agencies/{a.pk}/appeals", {"kind": "appeal", "reason": "收费在公示区间内",
                                                       "event_id": event_id}, member(w.agencies[1]))
        assert r.status_code == 403
        r = post(client, f"/agencies/{a.pk}/appeals", {"kind": "appeal", "reason": "收费在公示区间内",
                                                       "event_id": event_id}, member(a))
        assert r.status_code == 201 and r.json()["state"] == "pending"
        appeal_id = r.json()["id"]
        assert [x["id"] for x in get(client, "/admin/queue", w.admin.user).json()["appeals"]] == [appeal_id]

        r = post(client, "/credit/compute", {"month": "2026-03-01"}, member(a))
        assert r.status_code == 403 and not CreditRecord.objects.exists()
        r = post(client, "/credit/compute", {"month": "2026-05-01"}, w.admin.user)
        assert r.status_code == 400 and not CreditRecord.objects.exists()
        r = post(client, "/credit/compute", {"month": "2026-03-01"}, w.admin.user)
        assert r.status_code == 200 and r.json() == {"month": "2026-03-01", "agencies": 8}

        credit = client.get(f"{BASE}/agencies/{a.pk}/credit").json()
        assert credit["record"]["month"] == "2026-03-01" and credit["record"]["department_score"] == "80.00"
        assert credit["record"]["explanation"] and credit["events"][0]["rule_code"] == "price_violation"
        deducted = Decimal(credit["record"]["deductions"])
        assert deducted > 0

        r = post(client, f"/appeals/{appeal_id}/decide", {"upheld": True, "decision": "经核实收费合规"}, w.admin.user)
        assert r.status_code == 200 and r.json()["state"] == "upheld"
        assert CreditEvent.objects.get(pk=event_id).state == CreditEvent.State.REVOKED
        credit = client.get(f"{BASE}/agencies/{a.pk}/credit?month=2026-03-15").json()
        assert Decimal(credit["record"]["deductions"]) == 0
        r = post(client, f"/appeals/{appeal_id}/decide", {"upheld": False, "decision": "再次"}, w.admin.user)
        assert r.status_code == 400


def test_admin_suspends_and_a_suspended_agency_cannot_sign_up(client, w):
    a = w.agencies[0]
    r = post(client, f"/agencies/{a.pk}/status/suspend", {}, w.admin.user)
    assert r.status_code == 400 and "理由" in r.json()["message"]
    assert Agency.objects.get(pk=a.pk).status == AgencyStatus.ACTIVE
    r = post(client, f"/agencies/{a.pk}/status/suspend", {"reason": "提供虚假材料，立案调查"}, w.admin.user)
    assert r.status_code == 200 and r.json()["status"] == "suspended"

    p = published(client, w)
    before = snapshot()
    r = act(client, p["id"], "signup", member(a), {}, when=SIGNUP_TIME)
    assert r.status_code in (400, 403) and "暂停选取" in r.json()["message"]
    assert snapshot() == before
    row = client.get(f"{BASE}/agencies/{a.pk}").json()
    assert row["status"] == "suspended" and row["status_reason"] == "提供虚假材料，立案调查"
    assert PurchaseStatus.SIGNUP == Purchase.objects.get(pk=p["id"]).status


# -- the other modes, files, failure and republication ----------------------------------------------------------


def test_proposals_are_uploaded_and_seen_by_the_owner_only_from_the_deadline(client, w):
    owner = member(w.enterprise)
    p = published(client, w, mode="merit", merit_rule="proposal")
    signups = {}
    for i in (0, 1):
        with clock.frozen(SIGNUP_TIME):
            r = post_form(client, f"/purchases/{p['id']}/uploads/signup", {"file": upload(f"方案{i}.pdf")},
                          member(w.agencies[i]))
        assert r.status_code == 200, r.content
        signups[i] = r.json()["result"]["signup_id"]
    before = snapshot()
    r = act(client, p["id"], "signup", member(w.agencies[2]), {}, when=SIGNUP_TIME)
    assert r.status_code == 400 and "服务方案" in r.json()["message"]
    with clock.frozen(SIGNUP_TIME):
        r = post_form(client, f"/purchases/{p['id']}/uploads/signup", {"file": upload("方案.docx")},
                      member(w.agencies[2]))
    assert r.status_code == 400 and r.json()["code"] == "file_type"
    assert snapshot() == before

    url = f"/purchases/{p['id']}/files/proposal?signup_id={signups[0]}"
    with clock.frozen(SIGNUP_TIME):
        assert get(client, url, owner).status_code == 403
        assert get(client, url, member(w.agencies[1])).status_code == 403
        own = get(client, url, member(w.agencies[0]))
        assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF")
        assert get(client, f"/purchases/{p['id']}/workbench", owner).json()["signups"] == []
    with clock.frozen(DEADLINE + dt.timedelta(hours=1)):
        bench = get(client, f"/purchases/{p['id']}/workbench", owner).json()
        assert bench["signup_count"] == 2 and all(s["has_proposal"] for s in bench["signups"])
        assert get(client, url, owner).status_code == 200
        assert client.get(f"{BASE}/purchases/{p['code']}").json()["signups"] == []
        assert get(client, url, member(w.agencies[1])).status_code == 403
    r = act(client, p["id"], "select", owner, {"agency_id": w.agencies[1].pk}, when=SELECT_AT)
    assert r.status_code == 200 and r.json()["result"]["selected"] == w.agencies[1].name
    draw = client.get(f"{BASE}/purchases/{p['code']}/draw").json()
    assert draw["selected_uscc"] == w.agencies[1].uscc
    assert len(client.get(f"{BASE}/purchases/{p['code']}").json()["signups"]) == 2
    assert get(client, f"/purchases/{p['id']}/files/result", owner).status_code == 404


def test_a_reasonable_average_bidding_recomputes_from_the_public_record(client, w):
    owner = member(w.enterprise)
    p = published(client, w, mode="bidding", bidding_rule="average", price_min="10000", price_max="30000")
    quotes = {0: "20000", 1: "22000", 2: "24000", 3: "26000"}
    for i, quote in quotes.items():
        r = act(client, p["id"], "signup", member(w.agencies[i]), {"quote": quote}, when=SIGNUP_TIME)
        assert r.status_code == 200, r.content
    r = act(client, p["id"], "select", owner, when=SELECT_AT)
    assert r.status_code == 200, r.content

    draw = client.get(f"{BASE}/purchases/{p['code']}/draw").json()
    seed, record = draw["seed"], draw["draw"]
    assert hashlib.sha256(seed.encode()).hexdigest() == draw["seed_hash"]
    # 20000 and 26000 left out; mean (22000 + 24000) / 2 = 23000; factor 0.950 + 0.001 × k, k from the seed
    k = int(hashlib.sha256(f"{seed}|factor".encode()).hexdigest(), 16) % 31
    factor = Decimal("0.950") + Decimal("0.001") * k
    benchmark = (Decimal("23000") * factor).quantize(Decimal("0.01"))
    assert record["average"] == "23000.00" and Decimal(record["factor"]) == factor
    assert Decimal(record["benchmark"]) == benchmark
    # the benchmark lies in [21850, 22540]: 22000 is always the closest quote
    assert draw["selected_uscc"] == w.agencies[1].uscc == draw["recomputed"]


def test_decline_fails_the_purchase_and_the_owner_republishes(client, w):
    owner = member(w.enterprise)
    p = published(client, w)
    assert act(client, p["id"], "signup", member(w.agencies[3]), {}, when=SIGNUP_TIME).status_code == 200
    assert act(client, p["id"], "select", owner, when=SELECT_AT).status_code == 200
    r = act(client, p["id"], "decline", member(w.agencies[3]), {"reason": "人员不足"}, when=SELECT_AT)
    assert r.status_code == 200 and r.json()["status"] == "failed"
    assert CreditEvent.objects.get(agency=w.agencies[3]).rule.code == "decline_after_selection"

    later = SELECT_AT + dt.timedelta(days=1)
    r = act(client, p["id"], "republish", owner, {"signup_deadline": at(dt.date(2026, 3, 20), 17).isoformat(),
                                                 "select_at": "2026-03-23T09:00:00"}, when=later)
    assert r.status_code == 200, r.content
    new = r.json()["result"]
    assert new["previous"] == p["code"] and new["code"] != p["code"]
    public = client.get(f"{BASE}/purchases/{new['code']}").json()
    assert public["previous"] == p["code"] and public["status"] == "signup" and len(public["seed_hash"]) == 64
    assert public["select_at"].startswith("2026-03-23T01:00:00")  # 09:00 Beijing time, kept in UTC
    assert client.get(f"{BASE}/purchases/{p['code']}").json()["republished"] == [new["code"]]


def test_extension_needs_an_explicit_answer(client, w):
    owner = member(w.enterprise)
    p = published(client, w)
    agency = member(w.agencies[4])
    assert act(client, p["id"], "signup", agency, {}, when=SIGNUP_TIME).status_code == 200
    assert act(client, p["id"], "select", owner, when=SELECT_AT).status_code == 200
    assert act(client, p["id"], "confirm", agency, when=SELECT_AT).status_code == 200
    day = SELECT_AT + dt.timedelta(days=1)
    r = act(client, p["id"], "register_contract", owner, {"amount": "18000", "signed_on": "2026-03-11",
                                                           "service_start": "2026-03-11"}, when=day)
    assert r.status_code == 200, r.content
    end = r.json()["result"]["service_end"]
    r = act(client, p["id"], "request_extension", agency, {"days": 5, "reason": "补充监测数据"}, when=day)
    assert r.status_code == 200 and r.json()["result"]["extension_state"] == "pending"

    r = act(client, p["id"], "decide_extension", owner, {}, when=day)
    assert r.status_code == 400 and r.json()["code"] == "missing_field" and "approve" in r.json()["message"]
    r = act(client, p["id"], "decide_extension", owner, {"approve": True}, when=day)
    assert r.status_code == 200 and r.json()["result"]["service_end"] > end
    bench = get(client, f"/purchases/{p['id']}/workbench", agency).json()
    assert bench["extensions"][0]["state"] == "approved" and bench["roles"] == ["agency"]
    assert {a["action"] for a in bench["actions"]} == {"request_extension", "deliver"}
    contract = get(client, f"/purchases/{p['id']}/files/contract", owner)
    assert contract.status_code == 404 and contract.json()["message"] == "未上传该文件"
    assert get(client, f"/purchases/{p['id']}/files/contract", member(w.agencies[5])).status_code == 403


def test_an_admitted_agency_changes_its_registration_after_review(client, w):
    a = w.agencies[2]
    with clock.frozen(at(DAY + dt.timedelta(days=3), 9)):
        r = post(client, f"/agencies/{a.pk}/changes", {"address": "示范县新华路8号",
                                                       "contact_id_number": id_number(777)}, member(a))
        assert r.status_code == 201, r.content
        change = r.json()
        assert change["state"] == "pending" and change["data"]["address"] == "示范县新华路8号"
        assert change["data"]["contact_id_number"] == id_number(777)[:4] + "*" * 10 + id_number(777)[-4:]
        assert Agency.objects.get(pk=a.pk).address == a.address  # not before the review
        r = post(client, f"/agencies/{a.pk}/changes", {"address": "又一个地址"}, member(a))
        assert r.status_code == 400 and r.json()["code"] == "intermediary_change_pending"
        r = post(client, f"/agencies/{a.pk}/changes", {"address": "别人的"}, member(w.agencies[3]))
        assert r.status_code == 403
        queue = get(client, "/admin/queue", w.admin.user).json()
        assert [c["id"] for c in queue["changes"]] == [change["id"]]
        assert id_number(777) not in json.dumps(queue)
        r = post(client, f"/changes/{change['id']}/review", {"approve": True}, w.admin.user)
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert Agency.objects.get(pk=a.pk).address == "示范县新华路8号"
    assert client.get(f"{BASE}/agencies/{a.pk}").json()["address"] == "示范县新华路8号"
