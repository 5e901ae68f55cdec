"""The API contract used by outside checks: POST /api/cases, POST …/actions/{action}, GET /api/cases/{no}."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from zhengwu.accounts.models import ApiToken
from zhengwu.cases.models import Case, ClockStop, SupplementRequest
from zhengwu.core import clock

from .factories import PERSON_ID, build_world, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


APPLICANT = {"kind": "person", "name": "张三", "phone": "13812345678", "id_number": PERSON_ID}
SUPPLEMENT_DUE = "2026-03-20"  # stopped Thu 03-12 to Mon 03-16: 11, 17, 18, 19, 20
RESUME_DUE = "2026-03-20"  # 现场踏勘 Wed 03-11 to Fri 03-13: 16, 17, 18, 19, 20
EXTENDED_DUE = "2026-04-03"  # + 10 working days: 23 … 27, 30, 31, 04-01 … 04-03
EXTEND_TOO_LONG = "该事项最多可延长10个工作日（行政许可法第四十二条），请填写1至10之间的天数"


def test_full_lifecycle_through_the_api(client, w):
    citizen, officer, chief, head = (token(x) for x in (w.citizen, w.officer.user, w.chief.user, w.head.user))
    with clock.frozen(dt.date(2026, 9, 28)):
        resp = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "online", "applicant": APPLICANT},
                           content_type="application/json", headers=citizen)
        assert resp.status_code == 201, resp.content
        body = resp.json()
        no = body["case_no"]
        assert (no, body["status"], body["due_date"]) == ("SFXZW-20260928-00001", "submitted", None)
        for mat in (w.m1, w.m2):
            r = client.post(f"/api/cases/{no}/materials", {"material_id": mat.pk, "file": pdf()}, headers=citizen)
            assert r.status_code == 200, r.content

        def act(action, headers, **data):
            r = client.post(f"/api/cases/{no}/actions/{action}", data, content_type="application/json",
                            headers=headers)
            assert r.status_code == 200, r.content
            return r.json()

        assert act("accept", officer) == {"case_no": no, "status": "in_review", "status_label": "审查中",
                                          "due_date": "2026-10-10", "due_provisional": False}
        act("review", chief, note="同意")
        act("decide", head, decision="approve")
        assert act("complete", officer)["status"] == "completed"
        assert act("deliver", officer, method="pickup")["status"] == "delivered"
    detail = client.get(f"/api/cases/{no}", headers=citizen).json()
    assert detail["due_date"] == "2026-10-10"
    assert detail["id_number"] == "1101**********002X"
    assert [e["action"] for e in detail["events"]] == ["submit", "add_materials", "add_materials", "accept", "review",
                                                       "decide", "complete", "deliver"]


def test_refusals_are_json_with_chinese_messages(client, w):
    officer = token(w.officer.user)
    bad = {**APPLICANT, "id_number": "110105194912310021"}
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": bad}, content_type="application/json",
                    headers=token(w.citizen))
    assert (r.status_code, r.json()) == (400, {"code": "invalid_id_number", "message": "身份证号校验位错误，请核对后重新输入"})
    assert Case.objects.count() == 0
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": APPLICANT},
                    content_type="application/json", headers=token(w.citizen))
    no = r.json()["case_no"]
    r = client.post(f"/api/cases/{no}/actions/decide", {"decision": "approve"}, content_type="application/json",
                    headers=officer)
    assert (r.status_code, r.json()["message"]) == (409, "办件当前状态为“待预审”，不能作出决定")
    r = client.post(f"/api/cases/{no}/actions/fly", {}, content_type="application/json", headers=officer)
    assert r.status_code == 404
    r = client.post(f"/api/cases/{no}/actions/accept", {}, content_type="application/json",
                    headers=token(w.outsider.user))
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")


def test_reading_is_scoped(client, w):
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": APPLICANT},
                    content_type="application/json", headers=token(w.citizen))
    no = r.json()["case_no"]
    assert client.get(f"/api/cases/{no}", headers=token(w.outsider.user)).status_code == 404
    assert client.get(f"/api/cases/{no}", headers=token(w.leader.user)).status_code == 200
    assert client.get(f"/api/cases/{no}").status_code == 401
    rows = client.get("/api/cases", headers=token(w.officer.user)).json()
    assert [(r["case_no"], r["id_number"]) for r in rows] == [(no, "1101**********002X")]
    assert client.get("/api/cases", headers=token(w.outsider.user)).json() == []


def test_window_and_agent_channels(client, w):
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "window", "applicant": APPLICANT},
                    content_type="application/json", headers=token(w.officer.user))
    assert (r.status_code, r.json()["status"]) == (201, "pending")
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "agent", "applicant": APPLICANT},
                    content_type="application/json", headers=token(w.agent.user))
    assert r.json()["case_no"].startswith("CGZ-")
    r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "agent", "applicant": APPLICANT},
                    content_type="application/json", headers=token(w.citizen))
    assert r.status_code == 403


# -- the other seven contract actions, each with its refusals ---------------------------------------------


def _act(client, no, action, headers, **data):
    return client.post(f"/api/cases/{no}/actions/{action}", data, content_type="application/json", headers=headers)


def _state(no):
    """Everything an action may change: the case row and the rows actions add."""
    case = Case.objects.get(case_no=no)
    return (case.status, case.row_version, case.due_date, case.extension_days, case.current_step,
            case.events.count(), case.supplements.count(), case.clock_stops.count(), case.extensions.count())


def _out(no, status, label, due=None):
    return {"case_no": no, "status": status, "status_label": label, "due_date": due, "due_provisional": False}


def _submitted(client, w, *, with_materials=True):
    citizen = token(w.citizen)
    no = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "applicant": APPLICANT},
                     content_type="application/json", headers=citizen).json()["case_no"]
    if with_materials:
        for mat in (w.m1, w.m2):
            assert client.post(f"/api/cases/{no}/materials", {"material_id": mat.pk, "file": pdf()},
                               headers=citizen).status_code == 200
    return no


def _accepted(client, w):
    with clock.frozen(dt.date(2026, 3, 10)):  # Tue; 5 working days → Tue 03-17
        no = _submitted(client, w)
        r = _act(client, no, "accept", token(w.officer.user))
    assert r.json() == _out(no, "in_review", "审查中", "2026-03-17")
    return no


def test_request_supplement_and_supplement_before_acceptance(client, w):
    citizen, officer = token(w.citizen), token(w.officer.user)
    with clock.frozen(dt.date(2026, 3, 9)):
        no = _submitted(client, w, with_materials=False)
        before = _state(no)
        r = _act(client, no, "request_supplement", officer, missing=["  "])
        assert (r.status_code, r.json()) == (400, {"code": "missing_empty", "message": "请一次性列明需要补正的全部材料"})
        r = _act(client, no, "request_supplement", citizen, missing=["食品经营许可申请书"])
        assert (r.status_code, r.json()) == (403, {"code": "forbidden", "message": "该操作须使用工作人员账号"})
        r = _act(client, no, "supplement", citizen, note="已补齐")
        assert (r.status_code, r.json()["code"]) == (409, "bad_state")
        assert r.json()["message"] == "办件当前状态为“待预审”，不能补正材料"
        assert _state(no) == before

        r = _act(client, no, "request_supplement", officer, missing=["食品经营许可申请书", "经营场所平面图"],
                 note="请上传清晰扫描件")
        assert (r.status_code, r.json()) == (200, _out(no, "supplement", "待补正"))

    with clock.frozen(dt.date(2026, 3, 11)):
        before = _state(no)
        r = _act(client, no, "supplement", citizen)
        assert (r.status_code, r.json()) == (400, {"code": "supplement_empty", "message": "请上传补正材料或填写补正说明"})
        r = _act(client, no, "supplement", citizen, paper_materials=[w.m1.pk], note="纸质件")
        assert (r.status_code, r.json()) == (403, {"code": "paper_by_staff",
                                                   "message": "纸质材料须由窗口或代办员核收后登记，申请人请上传材料文件"})
        stranger = get_user_model().objects.create_user(username="lisi", password="pass-123456")
        r = _act(client, no, "supplement", token(stranger), note="冒名补正")
        assert (r.status_code, r.json()) == (404, {"code": "not_found", "message": "未找到该办件"})
        assert _state(no) == before

        for mat in (w.m1, w.m2):  # the missing files one by one, then 补正
            assert client.post(f"/api/cases/{no}/materials", {"material_id": mat.pk, "file": pdf()},
                               headers=citizen).status_code == 200
        r = _act(client, no, "supplement", citizen, note="已按告知补齐")
        assert (r.status_code, r.json()) == (200, _out(no, "pending", "待受理"))
        assert SupplementRequest.objects.get(case__case_no=no).received_on == dt.date(2026, 3, 11)
        r = _act(client, no, "accept", officer)
        assert r.json() == _out(no, "in_review", "审查中", "2026-03-18")  # 5 working days from Wed 03-11
    events = client.get(f"/api/cases/{no}", headers=citizen).json()["events"]
    assert [e["action"] for e in events] == ["submit", "request_supplement", "add_materials", "add_materials",
                                             "supplement", "accept"]


def test_supplement_during_review_stops_the_clock(client, w):
    no = _accepted(client, w)
    citizen, officer = token(w.citizen), token(w.officer.user)
    with clock.frozen(dt.date(2026, 3, 12)):  # Thu: the clock stops
        r = _act(client, no, "request_supplement", officer, missing=["经营场所产权证明"])
        assert r.json() == _out(no, "supplement", "待补正", "2026-03-17")
    with clock.frozen(dt.date(2026, 3, 16)):  # Mon: received, the clock runs again
        assert client.post(f"/api/cases/{no}/materials", {"file": pdf("产权证明.pdf")},
                           headers=citizen).status_code == 200
        r = _act(client, no, "supplement", citizen, note="已上传产权证明")
        # a free-text item (not on the item's material list) waits for the officer to confirm it
        assert (r.status_code, r.json()) == (200, _out(no, "supplement", "待补正", "2026-03-17"))
        item = client.get(f"/api/cases/{no}", headers=officer).json()["supplement"]["items"][0]
        assert (item["name"], item["material_id"], item["state"]) == ("经营场所产权证明", None, "pending")
        r = _act(client, no, "supplement_item", officer, item_id=item["id"], item_state="received")
    assert (r.status_code, r.json()) == (200, _out(no, "in_review", "审查中", SUPPLEMENT_DUE))
    assert ClockStop.objects.filter(case__case_no=no).values_list("kind", "start_on", "end_on").get() == (
        "supplement", dt.date(2026, 3, 12), dt.date(2026, 3, 16))


def test_reject_through_the_api(client, w):
    officer = token(w.officer.user)
    with clock.frozen(dt.date(2026, 3, 10)):
        no = _submitted(client, w)
        before = _state(no)
        r = _act(client, no, "reject", officer, reason=" ")
        assert (r.status_code, r.json()) == (400, {"code": "reason_required", "message": "不予受理必须说明理由和法律依据"})
        r = _act(client, no, "reject", token(w.outsider.user), reason="不属于本机关职权范围")
        assert (r.status_code, r.json()) == (403, {"code": "out_of_scope", "message": "该办件不属于您所在部门或大厅，您无权办理"})
        r = _act(client, no, "reject", token(w.head.user), reason="不属于本机关职权范围")
        assert (r.status_code, r.json()) == (403, {"code": "wrong_role", "message": "“不予受理”应由首席代表、窗口人员办理"})
        assert _state(no) == before

        r = _act(client, no, "reject", officer, reason="申请事项依法不属于本机关职权范围")
        assert (r.status_code, r.json()) == (200, _out(no, "rejected", "不予受理"))
        assert Case.objects.get(case_no=no).rejection_reason == "申请事项依法不属于本机关职权范围"
        before = _state(no)
        r = _act(client, no, "reject", officer, reason="再次")
        assert (r.status_code, r.json()) == (409, {"code": "bad_state", "message": "办件当前状态为“不予受理”，不能不予受理"})
        assert _state(no) == before
    accepted = _accepted(client, w)
    before = _state(accepted)
    r = _act(client, accepted, "reject", officer, reason="材料不全")
    assert (r.status_code, r.json()["message"]) == (409, "办件当前状态为“审查中”，不能不予受理")
    assert _state(accepted) == before


def test_suspend_resume_and_extend_through_the_api(client, w):
    no = _accepted(client, w)
    chief, head, officer = token(w.chief.user), token(w.head.user), token(w.officer.user)
    with clock.frozen(dt.date(2026, 3, 11)):
        before = _state(no)
        r = _act(client, no, "suspend", chief, kind="hearing", reason="需要听证")
        assert (r.status_code, r.json()) == (400, {"code": "procedure_not_allowed",
                                                   "message": "该事项的实施清单未设定“听证”特别程序，不能中止计时"})
        r = _act(client, no, "suspend", chief, kind="site_survey", reason="")
        assert (r.status_code, r.json()["code"]) == (400, "reason_required")
        r = _act(client, no, "suspend", token(w.citizen), kind="site_survey", reason="现场核查")
        assert r.status_code == 403
        r = _act(client, no, "resume", chief, result="结束")
        assert (r.status_code, r.json()["message"]) == (409, "办件当前状态为“审查中”，不能特别程序结束")
        assert _state(no) == before

        r = _act(client, no, "suspend", chief, kind="site_survey", reason="经营场所需现场核查")
        assert (r.status_code, r.json()) == (200, _out(no, "suspended", "特别程序中", "2026-03-17"))

    with clock.frozen(dt.date(2026, 3, 13)):
        before = _state(no)
        r = _act(client, no, "resume", chief, result="  ")
        assert (r.status_code, r.json()) == (400, {"code": "result_required", "message": "请填写特别程序的结果"})
        assert _state(no) == before
        r = _act(client, no, "resume", chief, result="现场核查符合要求")
        assert (r.status_code, r.json()) == (200, _out(no, "in_review", "审查中", RESUME_DUE))

    with clock.frozen(dt.date(2026, 3, 16)):
        before = _state(no)
        r = _act(client, no, "extend", officer, reason="需征求意见", days=10)
        assert (r.status_code, r.json()) == (403, {"code": "wrong_role", "message": "“延期”应由部门负责人办理"})
        r = _act(client, no, "extend", head, reason="")
        assert (r.status_code, r.json()) == (400, {"code": "reason_required", "message": "延期须写明理由，并告知申请人"})
        r = _act(client, no, "extend", head, reason="需征求意见", days=11)  # the 20-day rule allows 10
        assert (r.status_code, r.json()) == (400, {"code": "extension_days", "message": EXTEND_TOO_LONG})
        r = _act(client, no, "extend", head, reason="需征求意见", days=61)
        assert r.status_code == 422 and [d["field"] for d in r.json()["details"]] == ["days"]
        assert _state(no) == before

        r = _act(client, no, "extend", head, reason="需征求卫生健康部门意见", days=10)
        assert (r.status_code, r.json()) == (200, _out(no, "in_review", "审查中", EXTENDED_DUE))
        before = _state(no)
        r = _act(client, no, "extend", head, reason="再延一次")
        assert (r.status_code, r.json()) == (409, {"code": "already_extended", "message": "该办件已延期，不能再次延期"})
        assert _state(no) == before
    detail = client.get(f"/api/cases/{no}", headers=token(w.citizen)).json()
    assert [e["action"] for e in detail["events"]][-3:] == ["suspend", "resume", "extend"]
    assert detail["due_date"] == EXTENDED_DUE


def test_withdraw_through_the_api(client, w):
    citizen = token(w.citizen)
    no = _accepted(client, w)
    before = _state(no)
    stranger = get_user_model().objects.create_user(username="lisi", password="pass-123456")
    r = _act(client, no, "withdraw", token(stranger), reason="不办了")
    assert (r.status_code, r.json()) == (404, {"code": "not_found", "message": "未找到该办件"})
    # The same answer as for a number that does not exist, whatever the case's state.
    r = _act(client, no[:-5] + "99999", "withdraw", token(stranger), reason="不办了")
    assert (r.status_code, r.json()) == (404, {"code": "not_found", "message": "未找到该办件"})
    assert _state(no) == before
    r = _act(client, no, "withdraw", citizen, reason="不再经营")
    assert (r.status_code, r.json()) == (200, _out(no, "withdrawn", "已撤回", "2026-03-17"))
    assert client.get(f"/api/cases/{no}", headers=citizen).json()["events"][-1]["note"] == "不再经营"
    before = _state(no)
    r = _act(client, no, "withdraw", citizen, reason="再撤一次")
    assert (r.status_code, r.json()) == (409, {"code": "bad_state", "message": "办件当前状态为“已撤回”，不能撤回申请"})
    r = _act(client, no, "accept", token(w.officer.user))
    assert (r.status_code, r.json()["code"]) == (409, "bad_state")
    assert _state(no) == before
