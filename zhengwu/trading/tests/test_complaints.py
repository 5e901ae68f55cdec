"""投诉 to the 行政监督部门 (T15, G9, G10) through ``services.complaints`` and the API: the 10 日 limit across
国庆, the 异议-first rule quoting 实施条例第六十条, procurement's 15 工作日 after the 质疑 answer, the two
supervised clocks, suspension of the procurement and its lifting by the decision, and who may act."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.supervision.models import Clock, ClockState
from zhengwu.trading.models import Complaint, ComplaintStatus, Tender, TradingEvent
from zhengwu.trading.services import complaints, lifecycle
from zhengwu.trading.services.complaints import G55, T60
from zhengwu.trading.tests import factories as fx
from zhengwu.trading.tests.test_api import get, post
from zhengwu.trading.tests.test_periods import procurement_project, publish, snapshot

pytestmark = pytest.mark.django_db

D = dt.date
KNOWN = D(2026, 9, 28)  # the day bidder 1's 异议 is raised (and, by default, answered)


@pytest.fixture
def w():
    return fx.build_world()


def clocks(tender: Tender, kind: str):
    return Clock.objects.filter(subject_type="trading.tender", subject_id=tender.pk, kind_id=kind).order_by("id")


def state(tender: Tender) -> dict:
    """What a refused complaint service must leave as it was."""
    return {**snapshot(tender), "complaints": list(Complaint.objects.order_by("id").values()),
            "clocks": list(Clock.objects.filter(subject_type="trading.tender").order_by("id")
                           .values("id", "kind_id", "part", "state", "due_date", "finished_on"))}


def engineering_with_answer(w, *, answered_on=KNOWN) -> Tender:
    """Works round published 14 Sept (deadline 20 Oct); bidder 1's 异议 on the documents raised on 28 Sept
    and answered on ``answered_on``."""
    tender = publish(w, fx.draft_tender(w), start=D(2026, 9, 14), until=D(2026, 9, 25), deadline=D(2026, 10, 20))
    with clock.frozen(D(2026, 9, 28)):
        o = lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0],
                                      stage="documents", text="资格条件排斥潜在投标人")
    with clock.frozen(answered_on):
        lifecycle.objection_answer(objection=o, user=w.agent_user, answer="资格条件符合法律规定")
    tender.refresh_from_db()
    return tender


def procurement_with_answer(w) -> Tender:
    """Goods procurement published 4 March (deadline 30 April); bidder 1's 质疑 raised 31 March, answered 1 April."""
    tender = publish(w, fx.draft_tender(w, procurement_project(w)), start=D(2026, 3, 4), until=D(2026, 3, 13),
                     deadline=D(2026, 4, 30))
    with clock.frozen(D(2026, 3, 31)):
        o = lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0],
                                      stage="documents", text="技术参数指向特定品牌")
    with clock.frozen(D(2026, 4, 1)):
        lifecycle.objection_answer(objection=o, user=w.agent_user, answer="参数系通用标准")
    tender.refresh_from_db()
    return tender


def file(w, tender, on, *, matter="documents", known_on=KNOWN, i=0) -> Complaint:
    with clock.frozen(on):
        return complaints.complaint_file(tender=tender, user=w.bidder_users[i], complainant=w.bidders[i],
                                         matter=matter, text="招标人答复未纠正排斥性条款", known_on=known_on)


# -- T15: 10 日 from knowing, across 国庆 ---------------------------------------------------------------------


def test_engineering_ten_days_moves_past_national_day(w):
    tender = engineering_with_answer(w)
    # known 28 Sept: the 10th day is 8 Oct (29 Sept counted first); calendar days run through 国庆 and
    # 8 Oct is a working day, so it is the last day. On 9 Oct it is refused, quoting 第六十条, nothing changed.
    before = state(tender)
    with pytest.raises(DomainError) as exc:
        file(w, tender, D(2026, 10, 9))
    assert exc.value.code == "trading_complaint_late"
    assert exc.value.message == f"投诉期限已于2026年10月08日届满（{T60}）"
    assert state(tender) == before

    c = file(w, tender, D(2026, 10, 8))
    assert (c.status, c.complainant_id, c.matter, c.known_on, c.accept_due) == (
        ComplaintStatus.FILED, w.bidders[0].pk, "documents", D(2026, 9, 28), D(2026, 10, 12))
    # 3 工作日 from 8 Oct: 9, 10 (调休上班), 12 Oct
    assert [(k.part, k.due_date, k.state, k.department_id) for k in clocks(tender, "trading_complaint_accept")] == [
        (c.pk, D(2026, 10, 12), ClockState.RUNNING, w.housing.pk)]
    event = TradingEvent.objects.filter(tender=tender, action="complaint_file").get()
    assert event.data == {"complaint": c.pk, "matter": "documents", "accept_due": "2026-10-12"}
    assert w.bidders[0].name not in event.note


def test_engineering_answering_days_not_counted(w):
    # 异议 raised 28 Sept, answered 30 Sept: the 2 days of answering prolong the 10 日 (第六十条)
    tender = engineering_with_answer(w, answered_on=D(2026, 9, 30))
    with pytest.raises(DomainError) as exc:
        file(w, tender, D(2026, 10, 11))
    assert "2026年10月10日" in exc.value.message
    assert file(w, tender, D(2026, 10, 10)).status == ComplaintStatus.FILED


def test_objection_first_rule_refused_with_article(w):
    tender = engineering_with_answer(w)
    before = state(tender)
    # bidder 2 raised no 异议; bidder 1 raised none on the results
    for i, matter in ((1, "documents"), (0, "results"), (0, "process")):
        with pytest.raises(DomainError) as exc:
            file(w, tender, D(2026, 10, 2), matter=matter, i=i)
        assert exc.value.code == "trading_complaint_objection_first"
        assert "就本条例第二十二条、第四十四条、第五十四条规定事项投诉的，应当先向招标人提出异议，异议答复期间不计算在前款规定的期限内" \
            in exc.value.message
    assert state(tender) == before
    assert Complaint.objects.count() == 0


def test_unanswered_objection_is_not_enough(w):
    tender = publish(w, fx.draft_tender(w), start=D(2026, 9, 14), until=D(2026, 9, 25), deadline=D(2026, 10, 20))
    with clock.frozen(D(2026, 9, 28)):
        lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0], stage="documents",
                                  text="评分标准不明确")
    before = state(tender)
    with pytest.raises(DomainError) as exc:
        file(w, tender, D(2026, 9, 29))
    assert T60 in exc.value.message
    assert state(tender) == before


# -- G9: procurement, 15 工作日 after the 质疑 answer --------------------------------------------------------


def test_procurement_fifteen_workdays_after_answer(w):
    tender = procurement_with_answer(w)
    # answered 1 April: 15 工作日 (清明 4–6 April) end on 23 April
    before = state(tender)
    with pytest.raises(DomainError) as exc:
        file(w, tender, D(2026, 4, 24), known_on=D(2026, 4, 1))
    assert exc.value.message == f"投诉期限已于2026年04月23日届满（{G55}）"
    assert state(tender) == before
    c = file(w, tender, D(2026, 4, 23), known_on=D(2026, 4, 1))
    assert c.accept_due == D(2026, 4, 28)
    assert clocks(tender, "trading_complaint_accept").get().department_id == w.finance.pk


def test_procurement_needs_a_question_first(w):
    tender = procurement_with_answer(w)
    with pytest.raises(DomainError) as exc:
        file(w, tender, D(2026, 4, 2), known_on=D(2026, 4, 1), i=1)
    assert G55 in exc.value.message
    assert Complaint.objects.count() == 0


# -- clocks, suspension, decision -------------------------------------------------------------------------


def test_accept_suspend_and_decide_lifts_the_pause(w):
    tender = procurement_with_answer(w)
    c = file(w, tender, D(2026, 4, 23), known_on=D(2026, 4, 1))
    sup = w.procurement_supervisor.user
    with clock.frozen(D(2026, 4, 23)):
        c = complaints.complaint_accept(complaint=c, user=sup, suspend=True)
    tender.refresh_from_db()
    assert (c.status, c.decide_due, c.suspended, c.handled_by_id, tender.paused) == (
        ComplaintStatus.ACCEPTED, D(2026, 6, 8), True, sup.pk, True)
    assert [(k.state, k.finished_on, k.late) for k in clocks(tender, "trading_complaint_accept")] == [
        (ClockState.FINISHED, D(2026, 4, 23), False)]
    assert [(k.part, k.due_date, k.state) for k in clocks(tender, "trading_complaint_decide")] == [
        (c.pk, D(2026, 6, 8), ClockState.RUNNING)]
    event = TradingEvent.objects.filter(tender=tender, action="complaint_accept").get()
    assert event.data == {"complaint": c.pk, "decide_due": "2026-06-08", "suspended": True,
                          "suspend_until": "2026-05-25"}
    # while suspended, a clarification waits
    with clock.frozen(D(2026, 4, 24)), pytest.raises(DomainError) as exc:
        lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="更正", affects_bids=False)
    assert exc.value.code == "trading_paused"
    with clock.frozen(D(2026, 5, 6)):
        c = complaints.complaint_decide(complaint=c, user=sup, decision="投诉缺乏事实依据，驳回", upheld=False)
    tender.refresh_from_db()
    assert (c.status, c.upheld, c.decided_at.date(), tender.paused) == (ComplaintStatus.DECIDED, False,
                                                                        D(2026, 5, 6), False)
    assert [(k.state, k.finished_on, k.late) for k in clocks(tender, "trading_complaint_decide")] == [
        (ClockState.FINISHED, D(2026, 5, 6), False)]
    assert TradingEvent.objects.filter(tender=tender, action="complaint_decide").get().data == {
        "complaint": c.pk, "upheld": False, "resumed": True}
    # decided once
    with clock.frozen(D(2026, 5, 7)), pytest.raises(DomainError):
        complaints.complaint_decide(complaint=c, user=sup, decision="再次处理")


def test_decision_keeps_the_pause_while_a_question_is_open(w):
    tender = procurement_with_answer(w)
    c = file(w, tender, D(2026, 4, 10), known_on=D(2026, 4, 1))
    sup = w.procurement_supervisor.user
    with clock.frozen(D(2026, 4, 10)):
        complaints.complaint_accept(complaint=c, user=sup, suspend=True)
    with clock.frozen(D(2026, 4, 13)):
        lifecycle.objection_raise(tender=tender, user=w.bidder_users[1], bidder=w.bidders[1], stage="documents",
                                  text="评分办法不合理")
    with clock.frozen(D(2026, 4, 14)):
        complaints.complaint_decide(complaint=c, user=sup, decision="责令修改", upheld=True)
    tender.refresh_from_db()
    assert tender.paused is True


def test_engineering_cannot_suspend_and_reject_finishes_the_clock(w):
    tender = engineering_with_answer(w)
    c = file(w, tender, D(2026, 9, 29))
    sup = w.works_supervisor.user
    before = state(tender)
    with clock.frozen(D(2026, 9, 30)), pytest.raises(DomainError) as exc:
        complaints.complaint_accept(complaint=c, user=sup, suspend=True)
    assert exc.value.code == "trading_complaint_suspend"
    assert state(tender) == before
    with clock.frozen(D(2026, 9, 30)):
        c = complaints.complaint_reject(complaint=c, user=sup, reason="投诉人未提供必要的证明材料")
    assert (c.status, c.decision) == (ComplaintStatus.REJECTED, "投诉人未提供必要的证明材料")
    assert [(k.state, k.finished_on) for k in clocks(tender, "trading_complaint_accept")] == [
        (ClockState.FINISHED, D(2026, 9, 30))]
    assert not clocks(tender, "trading_complaint_decide").exists()
    with clock.frozen(D(2026, 9, 30)), pytest.raises(DomainError) as exc:
        complaints.complaint_accept(complaint=c, user=sup)
    assert exc.value.code == "trading_complaint_status"


# -- who may act -------------------------------------------------------------------------------------------


def test_permissions(w):
    tender = engineering_with_answer(w)
    before = state(tender)
    with clock.frozen(D(2026, 9, 29)):
        for u, party in ((w.stranger, w.bidders[0]), (w.bidder_users[1], w.bidders[0]), (w.agent_user, w.agency)):
            with pytest.raises(PermissionDenied):
                complaints.complaint_file(tender=tender, user=u, complainant=party, matter="documents", text="x",
                                          known_on=D(2026, 9, 28))
    assert state(tender) == before
    c = file(w, tender, D(2026, 9, 29))
    before = state(tender)
    with clock.frozen(D(2026, 9, 30)):
        for u in (w.stranger, w.agent_user, w.bidder_users[0], w.procurement_supervisor.user, w.admin.user):
            with pytest.raises(PermissionDenied):
                complaints.complaint_accept(complaint=c, user=u)
            with pytest.raises(PermissionDenied):
                complaints.complaint_reject(complaint=c, user=u, reason="不予受理")
    assert state(tender) == before
    with clock.frozen(D(2026, 9, 30)):
        c = complaints.complaint_accept(complaint=c, user=w.works_supervisor.user)
    with clock.frozen(D(2026, 10, 9)), pytest.raises(PermissionDenied):
        complaints.complaint_decide(complaint=c, user=w.procurement_supervisor.user, decision="驳回")
    assert Complaint.objects.get(pk=c.pk).status == ComplaintStatus.ACCEPTED


# -- API ---------------------------------------------------------------------------------------------------


def test_api_happy_path_and_lists(client, w):
    tender = procurement_with_answer(w)
    url = f"/api/trading/tenders/{tender.pk}/complaints"
    body = {"matter": "documents", "text": "答复未回应质疑事项", "known_on": "2026-04-01"}
    with clock.frozen(D(2026, 4, 24)):
        r = post(client, url, body, w.bidder_users[0])
    assert r.status_code == 400
    assert r.json() == {"code": "trading_complaint_late", "message": f"投诉期限已于2026年04月23日届满（{G55}）"}
    assert not Complaint.objects.exists()
    with clock.frozen(D(2026, 4, 23)):
        assert post(client, url, body, w.stranger).status_code == 403
        r = post(client, url, body, w.bidder_users[0])
    assert r.status_code == 201, r.content
    out = r.json()
    assert (out["status"], out["matter_label"], out["accept_due"], out["complainant"], out["tender_paused"]) == (
        "filed", "招标/采购文件", "2026-04-28", w.bidders[0].name, False)
    cid = out["id"]
    assert [c["id"] for c in get(client, "/api/trading/complaints", w.procurement_supervisor.user).json()] == [cid]
    assert [c["id"] for c in get(client, "/api/trading/complaints", w.bidder_users[0]).json()] == [cid]
    assert get(client, "/api/trading/complaints", w.works_supervisor.user).json() == []
    assert get(client, "/api/trading/complaints", w.bidder_users[1]).json() == []
    assert get(client, "/api/trading/complaints", w.stranger).status_code == 403

    act = f"/api/trading/complaints/{cid}/actions"
    with clock.frozen(D(2026, 4, 24)):
        assert post(client, f"{act}/accept", {}, w.works_supervisor.user).status_code == 403
        assert post(client, f"{act}/close", {}, w.procurement_supervisor.user).status_code == 422
        r = post(client, f"{act}/accept", {"suspend": True}, w.procurement_supervisor.user)
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["suspended"], r.json()["tender_paused"]) == ("accepted", True, True)
    with clock.frozen(D(2026, 5, 6)):
        assert post(client, f"{act}/decide", {}, w.procurement_supervisor.user).status_code == 400
        r = post(client, f"{act}/decide", {"decision": "质疑答复符合规定，投诉不成立"}, w.procurement_supervisor.user)
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["upheld"], r.json()["tender_paused"]) == ("decided", False, False)
    assert post(client, "/api/trading/complaints/999999/actions/accept", {},
                w.procurement_supervisor.user).status_code == 404


def test_openapi_lists_complaint_enums(client):
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert schemas["TradingComplaintAction"]["enum"] == ["accept", "reject", "decide"]
    assert schemas["TradingComplaintMatter"]["enum"] == ["documents", "process", "results"]
    assert schemas["TradingComplaintStatus"]["enum"] == ["filed", "accepted", "rejected", "decided"]
    action = spec["paths"]["/api/trading/complaints/{complaint_id}/actions/{action}"]["post"]
    param = next(p for p in action["parameters"] if p["name"] == "action")
    assert "TradingComplaintAction" in str(param["schema"])
    assert "/api/trading/tenders/{tender_id}/complaints" in spec["paths"]
    assert "get" in spec["paths"]["/api/trading/complaints"]


def test_suspension_ends_after_thirty_days_by_the_daily_job(w):
    """Accepted 23 April with the procurement suspended: 30 日 run to 23 May (a Saturday; 民法典第二百零三条
    moves the last day to Monday 25 May), so the daily job on 25 May leaves it and on 26 May ends it; the
    complaint stays under handling and its decision clock runs on."""
    from django.core.management import call_command

    tender = procurement_with_answer(w)
    c = file(w, tender, D(2026, 4, 23), known_on=D(2026, 4, 1))
    with clock.frozen(D(2026, 4, 23)):
        complaints.complaint_accept(complaint=c, user=w.procurement_supervisor.user, suspend=True)
    with clock.frozen(D(2026, 5, 25)):
        assert complaints.complaints_suspension_expire() == 0
    tender.refresh_from_db()
    assert tender.paused
    with clock.frozen(D(2026, 5, 26)):
        call_command("trading_daily", verbosity=0)
        assert complaints.complaints_suspension_expire() == 0  # once
    tender.refresh_from_db()
    c.refresh_from_db()
    assert (tender.paused, c.suspended, c.status) == (False, False, ComplaintStatus.ACCEPTED)
    event = TradingEvent.objects.filter(tender=tender, action="complaint_suspension_end").get()
    assert event.label == "暂停采购活动期满" and event.data == {"complaint": c.pk, "until": "2026-05-25",
                                                          "resumed": True}
    assert [k.state for k in clocks(tender, "trading_complaint_decide")] == [ClockState.RUNNING]
