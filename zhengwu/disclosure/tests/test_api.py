"""The API: requests and publications through the OpenAPI, and the report contract for outside checks."""

import datetime as dt

import pytest

from zhengwu.accounts.models import ApiToken
from zhengwu.core import clock
from zhengwu.disclosure import reference as ref
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import InfoRequest

from .factories import PERSON_ID, build_world
from .fixture_year import build_year
from .test_report_tables import TABLE2_2026, TABLE3_2026, TABLE4_2026

pytestmark = pytest.mark.django_db
D = dt.date


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def test_report_contract_table_three_is_rows_by_columns_of_integers(client):
    w = build_world()
    build_year(w)
    resp = client.get("/api/disclosure/reports/SFXSCJ/2026", headers=token(w.officer.user))
    assert resp.status_code == 200
    body = resp.json()
    assert (body["body"], body["year"], body["status"], body["title"]) == (
        "SFXSCJ", 2026, "draft", "示范县市场监督管理局2026年政府信息公开工作年度报告")
    assert body["table3"] == TABLE3_2026
    assert list(body["table3"]) == ref.TABLE3_ROWS
    assert all(list(cols) == ref.TABLE3_COLUMNS and all(type(n) is int for n in cols.values())
               for cols in body["table3"].values())
    assert body["table4"] == TABLE4_2026
    assert body["table2"] == TABLE2_2026
    assert body["cross_check"] == {"ok": True, "errors": []}
    assert body["row_groups"]["不予公开"] == ["国家秘密", "其他法律法规禁止", "三安全一稳定", "第三方合法权益", "三类内部事务",
                                           "四类过程性信息", "行政执法案卷", "行政查询事项"]
    assert client.get("/api/disclosure/reports/DGC/2026").status_code == 404
    assert client.get("/api/disclosure/reports/NOPE/2026").json()["message"] == "未找到该公开主体"


def test_without_login_the_api_gives_only_signed_off_reports(client):
    """The pages were fixed; the API gave every draft to anyone. Drafts are for the body's own staff."""
    w = build_world()
    build_year(w)
    url = "/api/disclosure/reports/SFXSCJ/2026"
    draft = {"code": "not_found", "message": "该年度报告尚未定稿发布"}
    for headers in ({}, token(w.citizen), token(w.outsider.user), {"Authorization": "Bearer zw_wrong"}):
        resp = client.get(url, headers=headers)
        assert (resp.status_code, resp.json()) == (404, draft)
    client.force_login(w.outsider.user)
    assert client.get(url).status_code == 404
    client.force_login(w.officer.user)
    assert (client.get(url).status_code, client.get(url).json()["status"]) == (200, "draft")
    client.logout()
    assert client.get(url, headers=token(w.head.user)).json()["status"] == "draft"
    with clock.frozen(D(2027, 1, 20)):
        s.report_finalise(report=s.report_get_or_create(body=w.scj, year=2025, officer=w.officer), officer=w.head)
        s.report_finalise(report=s.report_get_or_create(body=w.scj, year=2026, officer=w.officer), officer=w.head)
        resp = client.get(url)
        assert (resp.status_code, resp.json()["status"], resp.json()["table3"]) == (200, "final", TABLE3_2026)
        # The government's own report is still a draft: not public.
        assert client.get("/api/disclosure/reports/SFX/2026").json() == draft


def test_request_through_the_api(client):
    w = build_world()
    citizen, officer = token(w.citizen), token(w.officer.user)
    with clock.frozen(D(2026, 9, 28)):
        resp = client.post("/api/disclosure/requests", {
            "body_code": "SFXSCJ", "description": "2026年第三季度食品抽检结果",
            "applicant": {"kind": "person", "name": "张三", "phone": "13812345678", "id_number": PERSON_ID}},
            content_type="application/json", headers=citizen)
        assert resp.status_code == 201, resp.content
        no = resp.json()["request_no"]
        assert resp.json()["id_number"] == "1101**********002X"

        def act(action, headers=officer, **data):
            r = client.post(f"/api/disclosure/requests/{no}/actions/{action}", data,
                            content_type="application/json", headers=headers)
            assert r.status_code == 200, r.content
            return r.json()

        out = act("confirm")
        # 09-29, 30, (10-01…07 off) 10-08, 09, 10 (调休), 12…16, 19…23, 26…30; the 7th is 10-13.
        assert (out["received_on"], out["due_date"], out["supplement_notice_due"]) == (
            "2026-09-28", "2026-10-30", "2026-10-13")
        assert act("ask_supplement", items="请写明具体抽检批次")["status"] == "supplement"
    with clock.frozen(D(2026, 9, 30)):
        # Restarts from 09-30: (10-01…07 off) 10-08, 09, 10, 12…16, 19…23, 26…30, 11-02, 11-03.
        assert act("supplement", headers=citizen, text="第三季度全部批次")["due_date"] == "2026-11-03"
        refused = client.post(f"/api/disclosure/requests/{no}/actions/reply", {"result": "withhold_secret"},
                              content_type="application/json", headers=officer)
        assert (refused.status_code, refused.json()["message"]) == (400, "“国家秘密”须说明理由")
        out = act("reply", result="partial", reply_text="抽检结果汇总表", reason="涉及企业商业秘密的部分不予公开")
        assert (out["status"], out["result"], out["result_name"], out["closed_on"]) == (
            "replied", "partial", "部分公开", "2026-09-30")
    assert client.get(f"/api/disclosure/requests/{no}", headers=token(w.outsider.user)).status_code == 404
    assert InfoRequest.objects.get().result == "partial"


def test_publication_through_the_api(client):
    w = build_world()
    with clock.frozen(D(2026, 5, 6)):
        resp = client.post("/api/disclosure/publications", {
            "body_code": "SFXSCJ", "title": "关于开展食品安全宣传周的通知", "category": "news", "content": "……",
            "made_on": "2026-05-06"}, content_type="application/json", headers=token(w.officer.user))
        assert resp.status_code == 201, resp.content
        pk = resp.json()["id"]
        for action, who in (("submit", w.officer), ("review_ok", w.reviewer), ("secrecy_ok", w.secrecy),
                            ("sign", w.signer), ("publish", w.officer)):
            r = client.post(f"/api/disclosure/publications/{pk}/actions/{action}", {}, content_type="application/json",
                            headers=token(who.user))
            assert r.status_code == 200, r.content
    assert r.json()["status"] == "published"
    listed = client.get("/api/disclosure/bodies/SFXSCJ/publications").json()
    # 20 working days from 05-06: 05-07, 08, 09 (调休), 11…15, 18…22, 25…29, 06-01, 02.
    assert [(p["index_no"], p["published_on"], p["publish_due"]) for p in listed] == [
        ("SFXSCJ/2026-00001", "2026-05-06", "2026-06-02")]


def test_overlong_free_text_and_appeal_fields_are_refused_by_name_before_the_database(client):
    """Before: a 101-character 复议机关 was a 500 on PostgreSQL (DataError) and stored on SQLite; the free
    texts of the actions had no limit at all."""
    from zhengwu.core.errors import DomainError
    from zhengwu.disclosure.models import Appeal

    w = build_world()
    with clock.frozen(D(2026, 3, 2)):
        req = s.request_file(body=w.scj, applicant=s.Applicant(kind="person", name="张三", phone="13812345678",
                                                              id_number=PERSON_ID),
                             description="2025年食品抽检结果", channel="in_person", officer=w.officer)
        url = f"/api/disclosure/requests/{req.request_no}/actions"
        resp = client.post(f"{url}/reply", {"result": "open", "reply_text": "表" * 10_001},
                           content_type="application/json", headers=token(w.officer.user))
        assert (resp.status_code, resp.json()["message"]) == (422, "字段“reply_text”长度不能超过10000个字符")
        s.request_reply(request=req, officer=w.officer, result="open", reply_text="见附件")
        resp = client.post(f"{url}/appeal", {"kind": "review", "filed_on": "2026-03-02", "organ": "院" * 101},
                           content_type="application/json", headers=token(w.officer.user))
        assert (resp.status_code, resp.json()["message"]) == (422, "字段“organ”长度不能超过100个字符")
        with pytest.raises(DomainError) as exc:
            s.appeal_record(request=req, officer=w.officer, kind="review", filed_on=D(2026, 3, 2),
                            organ="示范市人民政府", case_no="号" * 61)
        assert (exc.value.code, exc.value.message) == ("case_no", "案号不能超过60个字符")
        assert not Appeal.objects.exists()
        resp = client.post(f"{url}/appeal", {"kind": "review", "filed_on": "2026-03-02", "organ": "院" * 100},
                           content_type="application/json", headers=token(w.officer.user))
    assert resp.status_code == 200, resp.content
    assert Appeal.objects.get().organ == "院" * 100


def test_a_retried_request_or_action_with_the_same_idempotency_key_writes_once(client):
    """Issue 11: a client retrying after a dropped connection must not file a second request, nor act twice."""
    from zhengwu.disclosure.models import Consultation, RequestEvent

    w = build_world()
    body = {"body_code": "SFXSCJ", "description": "2025年食品抽检结果", "channel": "online",
            "applicant": {"kind": "person", "name": "张三", "phone": "13812345678", "id_number": PERSON_ID}}
    with clock.frozen(D(2026, 3, 2)):
        citizen = {**token(w.citizen), "Idempotency-Key": "gk-request-0001"}
        first = client.post("/api/disclosure/requests", body, content_type="application/json", headers=citizen)
        again = client.post("/api/disclosure/requests", body, content_type="application/json", headers=citizen)
        assert (first.status_code, again.status_code, again.content) == (201, 201, first.content)
        assert InfoRequest.objects.count() == 1
        no = first.json()["request_no"]
        req = InfoRequest.objects.get()
        s.request_confirm_receipt(request=req, officer=w.officer)
        officer = {**token(w.officer.user), "Idempotency-Key": "gk-consult-0001"}
        url = f"/api/disclosure/requests/{no}/actions/consult"
        answers = [client.post(url, {"third_party": "某某公司"}, content_type="application/json", headers=officer)
                   for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200] and answers[1]["Idempotent-Replayed"] == "true"
    assert Consultation.objects.count() == 1
    assert RequestEvent.objects.filter(action="consult").count() == 1
