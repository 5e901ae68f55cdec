"""A round's lifecycle through ``services.lifecycle``: projects and rounds, obtaining the documents,
objections that pause the round, the candidates' 公示, the first-ranked rule, the award, the contract,
the deposit refunds, acceptance, 流标/终止/重新招标, and the supervised clocks each step starts or ends.

Bids and candidates are made as rows here (the bids and experts services are tested on their own)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.supervision.models import Clock, ClockState
from zhengwu.trading.models import (
    Award,
    Bid,
    BidStatus,
    Candidate,
    Contract,
    DepositForm,
    DocumentObtain,
    NotFirstReason,
    Objection,
    ObjectionStatus,
    Payment,
    Project,
    ProjectStatus,
    Refund,
    Release,
    Tender,
    TenderStatus,
    TradingEvent,
)
from zhengwu.trading.services import lifecycle
from zhengwu.trading.tests import factories as fx
from zhengwu.trading.tests.test_periods import at, procurement_project, publish, refused, snapshot

pytestmark = pytest.mark.django_db

START, DEADLINE = dt.date(2026, 3, 4), dt.date(2026, 3, 24)


@pytest.fixture
def w():
    return fx.build_world()


def published(w, project=None, **kw) -> Tender:
    kw.setdefault("bid_deposit", Decimal("50000"))
    kw.setdefault("deposit_form", DepositForm.GUARANTEE)
    return publish(w, fx.draft_tender(w, project), start=START, until=dt.date(2026, 3, 11), deadline=DEADLINE, **kw)


def clocks(tender: Tender, kind: str):
    return Clock.objects.filter(subject_type="trading.tender", subject_id=tender.pk, kind_id=kind).order_by("id")


def evaluating(tender: Tender, bidders, prices) -> list[Bid]:
    """The round after opening: a decrypted bid per bidder on the round's slots, status 评标中, and the
    candidates ranked in the order given."""
    slots = list(tender.slots.order_by("slot"))
    bids = [Bid.objects.create(tender=tender, slot=slots[i], bidder=b, status=BidStatus.VALID, price=Decimal(p),
                               submitted_at=at(DEADLINE - dt.timedelta(days=1)), decrypted_at=at(DEADLINE, 9, 40))
            for i, (b, p) in enumerate(zip(bidders, prices, strict=True))]
    for rank, bid in enumerate(bids[:3], start=1):
        Candidate.objects.create(tender=tender, bid=bid, rank=rank, score=Decimal(95 - rank))
    Tender.objects.filter(pk=tender.pk).update(status=TenderStatus.EVALUATING, opened_at=at(DEADLINE, 9, 30))
    tender.refresh_from_db()
    return bids


def in_publicity(w, tender, bidders=None, prices=("4500000", "4600000", "4700000")):
    """Report received 25 March, candidates published 26 March for 3 日: 公示 ends Monday 30 March."""
    bids = evaluating(tender, bidders or w.bidders[:3], prices)
    with clock.frozen(dt.date(2026, 3, 25)):
        lifecycle.report_received(tender=tender)
    with clock.frozen(dt.date(2026, 3, 26)):
        tender = lifecycle.candidates_publish(tender=tender, user=w.agent_user)
    return tender, bids


def tags(project) -> list[list[str]]:
    return [r.tags for r in Release.objects.filter(project=project).order_by("id")]


# -- projects and rounds ------------------------------------------------------------------------------------


def test_project_create_numbers_and_planning_release(w):
    with clock.frozen(dt.date(2026, 3, 2)):
        p1 = lifecycle.project_create(user=w.agent_user, hall=w.centre, regime="engineering", category="works",
                                      name="示范县第二小学操场改造工程", buyer=w.buyer, agency=w.agency,
                                      supervisor=w.housing, estimate="3200000")
        p2 = lifecycle.project_create(user=w.admin.user, hall=w.centre, regime="procurement", category="goods",
                                      name="示范县第二小学课桌椅采购", buyer=w.buyer, supervisor=w.finance,
                                      estimate=Decimal("600000"), state_fund_percent=100)
        fx.project(w, code="SFX-JY-2026-0003")  # a number already taken is skipped
        p4 = lifecycle.project_create(user=w.agent_user, hall=w.centre, regime="engineering", category="works",
                                      name="示范县第三小学围墙工程", buyer=w.buyer, agency=w.agency,
                                      supervisor=w.housing, estimate="800000")
    assert (p1.code, p2.code, p4.code) == ("SFX-JY-2026-0001", "SFX-JY-2026-0002", "SFX-JY-2026-0004")
    assert (p1.region, p1.status, p1.estimate, p1.created_by) == (w.county, ProjectStatus.PLANNING,
                                                                  Decimal("3200000.00"), w.agent_user)
    assert tags(p1) == [["planning"]]
    assert TradingEvent.objects.get(project=p1).action == "create"


def test_project_create_refusals_change_nothing(w):
    n = Project.objects.count()
    kw = {"hall": w.centre, "regime": "engineering", "category": "works", "name": "某工程", "buyer": w.buyer,
          "supervisor": w.housing, "estimate": 100}
    with pytest.raises(PermissionDenied):
        lifecycle.project_create(user=w.stranger, **kw)
    with pytest.raises(PermissionDenied):
        lifecycle.project_create(user=w.foreign_admin.user, **kw)
    with pytest.raises(DomainError) as exc:
        lifecycle.project_create(user=w.agent_user, **{**kw, "estimate": 0})
    assert exc.value.code == "trading_estimate"
    with pytest.raises(DomainError) as exc:
        lifecycle.project_create(user=w.agent_user, **{**kw, "buyer": w.bidders[0]})
    assert exc.value.code == "trading_buyer"
    assert Project.objects.count() == n and Release.objects.count() == 0


def test_tender_create_one_open_round_at_a_time(w):
    p = fx.project(w)
    t1 = lifecycle.tender_create(project=p, user=w.agent_user, method="open", title="第一次招标公告")
    assert (t1.round, t1.status, t1.method) == (1, TenderStatus.DRAFT, "open")
    with pytest.raises(DomainError) as exc:
        lifecycle.tender_create(project=p, user=w.agent_user, method="open", title="又一次")
    assert exc.value.code == "trading_round_open"
    with pytest.raises(DomainError) as exc:
        lifecycle.tender_retender(project=p, user=w.agent_user)
    assert exc.value.code == "trading_retender"
    with pytest.raises(PermissionDenied):
        lifecycle.tender_create(project=p, user=w.bidder_users[0], method="open", title="x")
    assert p.tenders.count() == 1


def test_publish_makes_slots_activates_project_and_emits_tender(w):
    tender = published(w)
    assert tender.status == TenderStatus.PUBLISHED
    assert tender.published_at == at(START, 10)
    assert tender.slots.count() >= 5
    assert tender.project.status == ProjectStatus.ACTIVE
    assert tags(tender.project) == [["tender"]]
    with pytest.raises(PermissionDenied):
        lifecycle.tender_publish(tender=fx.draft_tender(w), user=w.bidder_users[0], documents_from=at(START),
                                 documents_until=at(DEADLINE), bid_deadline=at(DEADLINE, 9, 30))


def test_obtain_registers_without_event_and_only_on_sale(w):
    tender = published(w)
    events = TradingEvent.objects.count()
    with clock.frozen(dt.date(2026, 3, 5)):
        o = lifecycle.tender_obtain(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0])
        again = lifecycle.tender_obtain(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0])
        with pytest.raises(PermissionDenied):
            lifecycle.tender_obtain(tender=tender, user=w.bidder_users[0], bidder=w.bidders[1])
    assert o.pk == again.pk and o.obtained_at == at(dt.date(2026, 3, 5), 10)
    with clock.frozen(dt.date(2026, 3, 12)), pytest.raises(DomainError) as exc:
        lifecycle.tender_obtain(tender=tender, user=w.bidder_users[1], bidder=w.bidders[1])
    assert exc.value.code == "trading_obtain_period"
    # who obtained the documents is nowhere but in its own row (招标投标法第二十二条)
    assert TradingEvent.objects.count() == events
    assert DocumentObtain.objects.filter(tender=tender).count() == 1


def test_obtain_invited_only_by_invitees(w):
    tender = publish(w, fx.draft_tender(w, method="invited"), start=START, until=dt.date(2026, 3, 11),
                     deadline=DEADLINE, invitees=w.bidders[:3])
    with clock.frozen(dt.date(2026, 3, 5)):
        lifecycle.tender_obtain(tender=tender, user=w.bidder_users[2], bidder=w.bidders[2])
        with pytest.raises(DomainError) as exc:
            lifecycle.tender_obtain(tender=tender, user=w.bidder_users[3], bidder=w.bidders[3])
    assert exc.value.code == "trading_not_invited"


# -- objections pause the round ---------------------------------------------------------------------------


def test_objections_pause_until_all_are_answered(w):
    tender = published(w)
    with clock.frozen(dt.date(2026, 3, 10)):
        o1 = lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0],
                                       stage="documents", text="资格条件排斥潜在投标人")
        o2 = lifecycle.objection_raise(tender=tender, user=w.bidder_users[1], bidder=w.bidders[1],
                                       stage="documents", text="评分标准不明确")
    tender.refresh_from_db()
    assert tender.paused is True
    assert (o1.answer_due, o2.answer_due) == (dt.date(2026, 3, 13), dt.date(2026, 3, 13))  # 3 日
    running = clocks(tender, "trading_objection")
    assert [(c.part, c.due_date, c.state, c.department_id) for c in running] == [
        (o1.pk, dt.date(2026, 3, 13), ClockState.RUNNING, w.housing.pk),
        (o2.pk, dt.date(2026, 3, 13), ClockState.RUNNING, w.housing.pk)]
    # while paused, a clarification waits (T5 quoted) and nothing changes
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 3, 11)):
        refused(lambda: lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="修改", affects_bids=False),
                "T5", "trading_paused")
    assert snapshot(tender) == before
    # answering one leaves the round paused; answering the other resumes it
    with clock.frozen(dt.date(2026, 3, 12)):
        lifecycle.objection_answer(objection=o1, user=w.agent_user, answer="资格条件符合法律规定", upheld=False)
    tender.refresh_from_db()
    assert tender.paused is True
    with clock.frozen(dt.date(2026, 3, 14)):
        o2 = lifecycle.objection_answer(objection=o2, user=w.agent_user, answer="已澄清评分标准", upheld=True)
        with pytest.raises(DomainError) as exc:
            lifecycle.objection_answer(objection=o2, user=w.agent_user, answer="再次答复")
    assert exc.value.code == "trading_answered"
    tender.refresh_from_db()
    assert tender.paused is False
    assert (o2.status, o2.upheld) == (ObjectionStatus.ANSWERED, True)
    assert [(c.state, c.finished_on, c.late) for c in clocks(tender, "trading_objection")] == [
        (ClockState.FINISHED, dt.date(2026, 3, 12), False), (ClockState.FINISHED, dt.date(2026, 3, 14), True)]
    with clock.frozen(dt.date(2026, 3, 15)):
        lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="更正笔误", affects_bids=False)


def test_procurement_objection_seven_workdays_across_qingming(w):
    tender = published(w, procurement_project(w))
    with clock.frozen(dt.date(2026, 3, 31)):
        o = lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0],
                                      stage="documents", text="质疑技术参数指向特定品牌")
    # 7 工作日 from 31 March: 1, 2, 3, 7, 8, 9, 10 April (清明 4–6 April)
    assert o.answer_due == dt.date(2026, 4, 10)
    assert clocks(tender, "trading_objection").get().due_date == dt.date(2026, 4, 10)


def test_objection_on_documents_ten_days_before_deadline(w):
    tender = published(w)  # deadline 24 March
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 3, 15)), pytest.raises(DomainError) as exc:
        lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0], stage="documents",
                                  text="异议")
    assert exc.value.code == "trading_objection_late"
    assert "投标截止时间10日前提出" in exc.value.message
    assert snapshot(tender) == before and Objection.objects.count() == 0
    with clock.frozen(dt.date(2026, 3, 14)):
        lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0], stage="documents",
                                  text="异议")


# -- report, 公示, award --------------------------------------------------------------------------------------


def test_report_received_starts_the_candidates_clock(w):
    tender = published(w)
    evaluating(tender, w.bidders[:3], ["4500000", "4600000", "4700000"])
    with clock.frozen(dt.date(2026, 3, 25)):
        lifecycle.report_received(tender=tender)
    tender.refresh_from_db()
    assert tender.report_at == at(dt.date(2026, 3, 25), 10)
    # 25 March + 3 日 = Saturday 28 March → Monday 30 March
    c = clocks(tender, "trading_candidates").get()
    assert (c.due_date, c.state, c.started_on) == (dt.date(2026, 3, 30), ClockState.RUNNING, dt.date(2026, 3, 25))


def test_t9_publicity_at_least_three_days(w):
    tender = published(w)
    evaluating(tender, w.bidders[:3], ["4500000", "4600000", "4700000"])
    with clock.frozen(dt.date(2026, 3, 25)):
        lifecycle.report_received(tender=tender)
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 3, 26)):
        err = refused(lambda: lifecycle.candidates_publish(tender=tender, user=w.agent_user, publicity_days=2),
                      "T9", "trading_publicity")
        assert "公示期2日少于3日" in err.message
        assert snapshot(tender) == before
        tender = lifecycle.candidates_publish(tender=tender, user=w.agent_user, publicity_days=3)
    # 26 March + 3 日 = Sunday 29 March → Monday 30 March
    assert (tender.status, tender.candidates_published_on, tender.publicity_ends_on) == (
        TenderStatus.PUBLICITY, dt.date(2026, 3, 26), dt.date(2026, 3, 30))
    assert [(c.state, c.late) for c in clocks(tender, "trading_candidates")] == [(ClockState.FINISHED, False)]
    assert tags(tender.project)[-1] == ["award"]


def test_award_only_after_publicity_and_no_open_objection(w):
    tender, bids = in_publicity(w, published(w))
    with clock.frozen(dt.date(2026, 3, 30)):
        # on the last day of the 公示 the award is refused (T9), nothing changed
        before = snapshot(tender)
        err = refused(lambda: lifecycle.tender_award(tender=tender, user=w.agent_user), "T9",
                      "trading_publicity_running")
        assert "中标候选人公示至2026年03月30日，公示期满后方可定标" in err.message
        assert snapshot(tender) == before and Award.objects.count() == 0
        # a results objection on that day pauses the round; the award waits for the answer
        o = lifecycle.objection_raise(tender=tender, user=w.bidder_users[1], bidder=w.bidders[1], stage="results",
                                      text="第一名业绩造假")
    tender.refresh_from_db()
    assert tender.paused is True
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 3, 31)):
        refused(lambda: lifecycle.tender_award(tender=tender, user=w.agent_user), "T5", "trading_paused")
        # after the 公示 a results objection is refused (T9)
        refused(lambda: lifecycle.objection_raise(tender=tender, user=w.bidder_users[2], bidder=w.bidders[2],
                                                  stage="results", text="迟到的异议"), "T9")
        assert snapshot(tender) == before
        lifecycle.objection_answer(objection=o, user=w.agent_user, answer="经核查业绩真实")
        award = lifecycle.tender_award(tender=tender, user=w.agent_user)
    assert (award.bid, award.supplier, award.amount, award.not_first_reason) == (
        bids[0], w.bidders[0], Decimal("4500000.00"), "")
    assert award.notice_no == f"ZBTZ-{tender.project.code}-1"
    tender.refresh_from_db()
    assert (tender.status, tender.notice_issued_on) == (TenderStatus.AWARDED, dt.date(2026, 3, 31))


@pytest.mark.parametrize("percent", [100, 51])
def test_first_ranked_rule_for_state_controlled(w, percent):
    tender, bids = in_publicity(w, published(w, fx.project(w, state_fund_percent=percent)))
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 3, 31)):
        err = refused(lambda: lifecycle.tender_award(tender=tender, user=w.agent_user, rank=2), "FIRST", "trading_first")
        assert "确定排名第2的候选人须载明法定理由" in err.message
        refused(lambda: lifecycle.tender_award(tender=tender, user=w.agent_user, rank=2, not_first_reason="price"),
                "FIRST")
        assert snapshot(tender) == before and Award.objects.count() == 0
        award = lifecycle.tender_award(tender=tender, user=w.agent_user, rank=2,
                                       not_first_reason=NotFirstReason.GAVE_UP)
    assert (award.supplier, award.not_first_reason) == (w.bidders[1], NotFirstReason.GAVE_UP)


def test_private_majority_project_may_take_another_candidate(w):
    tender, _ = in_publicity(w, published(w, fx.project(w, state_fund_percent=50)))
    with clock.frozen(dt.date(2026, 3, 31)):
        award = lifecycle.tender_award(tender=tender, user=w.agent_user, rank=2)
    assert (award.supplier, award.not_first_reason) == (w.bidders[1], "")


def test_procurement_takes_candidates_in_ranking_order(w):
    tender, _ = in_publicity(w, published(w, procurement_project(w, state_fund_percent=0)))
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 3, 31)):
        refused(lambda: lifecycle.tender_award(tender=tender, user=w.agent_user, rank=2), "G5", "trading_first")
        assert snapshot(tender) == before
        award = lifecycle.tender_award(tender=tender, user=w.agent_user, rank=2,
                                       not_first_reason=NotFirstReason.NO_BOND)
    assert award.supplier == w.bidders[1]


def test_report_received_once(w):
    tender = published(w)
    evaluating(tender, w.bidders[:3], ["4500000", "4600000", "4700000"])
    with clock.frozen(dt.date(2026, 3, 25)):
        lifecycle.report_received(tender=tender)
        with pytest.raises(DomainError) as exc:
            lifecycle.report_received(tender=tender)
    assert exc.value.code == "trading_report_received"
    assert clocks(tender, "trading_candidates").count() == 1


# -- the whole happy path ----------------------------------------------------------------------------------


def test_engineering_happy_path(w):
    # publish → obtain → (bids, evaluation) → report → 公示 → award → contract → refunds → pay → accept → report
    tender = published(w)
    with clock.frozen(dt.date(2026, 3, 5)):
        for i in range(4):
            lifecycle.tender_obtain(tender=tender, user=w.bidder_users[i], bidder=w.bidders[i])
    bids = evaluating(tender, w.bidders[:4], ["4500000", "4600000", "4700000", "4800000"])
    with clock.frozen(dt.date(2026, 3, 25)):
        lifecycle.report_received(tender=tender)
    with clock.frozen(dt.date(2026, 3, 26)):
        lifecycle.candidates_publish(tender=tender, user=w.agent_user)
    with clock.frozen(dt.date(2026, 3, 31)):
        award = lifecycle.tender_award(tender=tender, user=w.agent_user)
    # 30 日 to sign (30 April), 15 日 to report (15 April)
    assert [(c.due_date, c.state) for c in clocks(tender, "trading_contract")] == [
        (dt.date(2026, 4, 30), ClockState.RUNNING)]
    assert [(c.due_date, c.state) for c in clocks(tender, "trading_report")] == [
        (dt.date(2026, 4, 15), ClockState.RUNNING)]
    assert Refund.objects.count() == 0  # engineering refunds come with the contract (T12)

    # contract: 履约保证金 above 10 % refused (T13), amount must be positive; nothing changed
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 4, 10)):
        err = refused(lambda: lifecycle.contract_sign(tender=tender, user=w.agent_user, contract_no="HT-2026-001",
                                                      amount=Decimal("4500000"), signed_on=dt.date(2026, 4, 10),
                                                      performance_bond=Decimal("450000.01")), "T13", "trading_bond")
        assert "履约保证金450000.01元超过合同金额的10%（450000.00元）" in err.message
        with pytest.raises(DomainError) as exc:
            lifecycle.contract_sign(tender=tender, user=w.agent_user, contract_no="HT-2026-001", amount=0,
                                    signed_on=dt.date(2026, 4, 10))
        assert exc.value.code == "trading_contract_amount"
        assert snapshot(tender) == before and Contract.objects.count() == 0
        contract = lifecycle.contract_sign(tender=tender, user=w.agent_user, contract_no="HT-2026-001",
                                           amount=Decimal("4500000"), signed_on=dt.date(2026, 4, 10),
                                           performance_bond=Decimal("450000"), period_end=dt.date(2026, 12, 31))
    assert (contract.award, contract.amount, contract.performance_bond) == (award, Decimal("4500000.00"),
                                                                            Decimal("450000.00"))
    tender.refresh_from_db()
    assert tender.status == TenderStatus.CONTRACTED and tender.project.status == ProjectStatus.CONTRACTED
    assert [(c.state, c.late) for c in clocks(tender, "trading_contract")] == [(ClockState.FINISHED, False)]
    # T12: every bidder's deposit within 5 日 of signing (15 April), each with its clock
    refunds = list(Refund.objects.filter(tender=tender).order_by("bidder_id"))
    assert [(r.bidder, r.amount, r.due_on) for r in refunds] == [
        (b.bidder, Decimal("50000.00"), dt.date(2026, 4, 15)) for b in bids]
    assert sorted((c.part, c.due_date) for c in clocks(tender, "trading_refund")) == sorted(
        (r.pk, dt.date(2026, 4, 15)) for r in refunds)

    with clock.frozen(dt.date(2026, 4, 14)):
        r = lifecycle.refund_record(refund=refunds[0], user=w.agent_user, refunded_on=dt.date(2026, 4, 14),
                                    interest=Decimal("12.50"))
        with pytest.raises(DomainError) as exc:
            lifecycle.refund_record(refund=refunds[0], user=w.agent_user, refunded_on=dt.date(2026, 4, 14))
        assert exc.value.code == "trading_refund_done"
        k = lifecycle.refund_keep(refund=refunds[3], user=w.agent_user, reason="开标后撤销投标")
        for refund in refunds[1:3]:
            lifecycle.refund_record(refund=refund, user=w.admin.user, refunded_on=dt.date(2026, 4, 14))
    assert (r.refunded_on, r.interest, k.kept, k.kept_reason) == (dt.date(2026, 4, 14), Decimal("12.50"), True,
                                                                  "开标后撤销投标")
    assert {c.part: (c.state, c.late) for c in clocks(tender, "trading_refund")} == {
        refunds[0].pk: (ClockState.FINISHED, False), refunds[1].pk: (ClockState.FINISHED, False),
        refunds[2].pk: (ClockState.FINISHED, False), refunds[3].pk: (ClockState.FINISHED, None)}

    with clock.frozen(dt.date(2026, 4, 14)):
        lifecycle.report_file(tender=tender, user=w.agent_user)
        with pytest.raises(DomainError) as exc:
            lifecycle.report_file(tender=tender, user=w.agent_user)
        assert exc.value.code == "trading_report_filed"
    assert [(c.state, c.late) for c in clocks(tender, "trading_report")] == [(ClockState.FINISHED, False)]

    with clock.frozen(dt.date(2026, 6, 1)):
        pay = lifecycle.payment_record(contract=contract, user=w.agent_user, paid_on=dt.date(2026, 6, 1),
                                       amount=Decimal("1350000"), note="预付款30%")
        with pytest.raises(DomainError) as exc:
            lifecycle.payment_record(contract=contract, user=w.agent_user, paid_on=dt.date(2026, 6, 1),
                                     amount=Decimal("3150000.01"))
        assert exc.value.code == "trading_payment"
    assert Payment.objects.get().amount == pay.amount == Decimal("1350000.00")
    with clock.frozen(dt.date(2026, 12, 20)):
        contract = lifecycle.contract_accept(contract=contract, user=w.agent_user, accepted_on=dt.date(2026, 12, 20),
                                             note="验收合格")
    tender.refresh_from_db()
    assert (contract.status, contract.accepted_on) == ("completed", dt.date(2026, 12, 20))
    assert tender.status == TenderStatus.COMPLETED and tender.project.status == ProjectStatus.COMPLETED
    assert tags(tender.project) == [["tender"], ["award"], ["award"], ["contract"], ["implementation"],
                                    ["implementation", "contractUpdate"]]
    assert Clock.objects.filter(subject_type="trading.tender", subject_id=tender.pk,
                                state=ClockState.RUNNING).count() == 0


def test_procurement_award_and_contract_refunds(w):
    tender = published(w, procurement_project(w), bid_deposit=Decimal("20000"))
    evaluating(tender, w.bidders[:4], ["4500000", "4600000", "4700000", "4800000"])
    with clock.frozen(dt.date(2026, 3, 25)):
        lifecycle.report_received(tender=tender)
    # 5 工作日 from 25 March: 26, 27, 30, 31 March, 1 April
    assert [(c.due_date, c.state) for c in clocks(tender, "trading_award")] == [
        (dt.date(2026, 4, 1), ClockState.RUNNING)]
    assert clocks(tender, "trading_candidates").count() == 0
    with clock.frozen(dt.date(2026, 3, 26)):
        lifecycle.candidates_publish(tender=tender, user=w.agent_user)
    with clock.frozen(dt.date(2026, 3, 31)):
        award = lifecycle.tender_award(tender=tender, user=w.agent_user)
    assert award.supplier == w.bidders[0]
    assert [(c.state, c.late) for c in clocks(tender, "trading_award")] == [(ClockState.FINISHED, False)]
    assert clocks(tender, "trading_report").count() == 0
    # G4: losers within 5 工作日 of the notice: 1, 2, 3, 7, 8 April (清明 4–6 April)
    assert sorted((r.bidder_id, r.due_on) for r in Refund.objects.filter(tender=tender)) == [
        (b.pk, dt.date(2026, 4, 8)) for b in w.bidders[1:4]]
    assert clocks(tender, "trading_refund").count() == 3
    with clock.frozen(dt.date(2026, 4, 10)):
        lifecycle.contract_sign(tender=tender, user=w.agent_user, contract_no="CG-2026-001", amount="4500000",
                                signed_on=dt.date(2026, 4, 10))
    # the winner within 5 工作日 of signing: 13–17 April
    winner = Refund.objects.get(tender=tender, bidder=w.bidders[0])
    assert (winner.amount, winner.due_on) == (Decimal("20000.00"), dt.date(2026, 4, 17))
    assert clocks(tender, "trading_refund").filter(part=winner.pk).get().due_date == dt.date(2026, 4, 17)
    assert Refund.objects.filter(tender=tender).count() == 4


# -- 流标, 重新招标, 终止 -------------------------------------------------------------------------------------


def test_fail_then_retender(w):
    tender = published(w)
    evaluating(tender, w.bidders[:3], ["4500000", "4600000", "4700000"])
    with clock.frozen(dt.date(2026, 3, 25)):
        lifecycle.report_received(tender=tender)
        with pytest.raises(PermissionDenied):
            lifecycle.tender_fail(tender=tender, user=w.bidder_users[0], reason="x")
        tender = lifecycle.tender_fail(tender=tender, user=w.admin.user, reason="所有投标均被否决")
    assert (tender.status, tender.failure_reason) == (TenderStatus.FAILED, "所有投标均被否决")
    # the candidates clock ends uncounted; the deposits are refunded within 5 日 (30 March)
    assert [(c.state, c.late) for c in clocks(tender, "trading_candidates")] == [(ClockState.FINISHED, None)]
    assert sorted(Refund.objects.filter(tender=tender).values_list("bidder_id", "due_on")) == [
        (b.pk, dt.date(2026, 3, 30)) for b in w.bidders[:3]]
    assert tags(tender.project)[-1] == ["tenderUpdate"]
    t2 = lifecycle.tender_retender(project=tender.project, user=w.agent_user)
    assert (t2.round, t2.status, t2.method, t2.title) == (2, TenderStatus.DRAFT, "open",
                                                          f"{tender.project.name}（第2次）招标公告")
    assert TradingEvent.objects.filter(tender=t2, action="retender").count() == 1
    t2 = publish(w, t2, start=dt.date(2026, 4, 1), until=dt.date(2026, 4, 9), deadline=dt.date(2026, 4, 21))
    assert t2.status == TenderStatus.PUBLISHED


def test_round_fail_internal_at_opening(w):
    tender = published(w)
    with clock.frozen(at(DEADLINE, 9, 31)):
        tender = lifecycle.round_fail(tender=tender, actor=None, reason="投标人少于3个")
    assert tender.status == TenderStatus.FAILED
    ev = TradingEvent.objects.filter(tender=tender).order_by("-id").first()
    assert (ev.action, ev.actor, ev.note) == ("fail", None, "投标人少于3个")
    with pytest.raises(DomainError):
        lifecycle.round_fail(tender=tender, actor=None, reason="again")


def test_cancel_ends_the_project(w):
    tender = published(w)
    with clock.frozen(dt.date(2026, 3, 10)):
        o = lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0],
                                      stage="documents", text="异议")
        tender = lifecycle.tender_cancel(tender=tender, user=w.agent_user, reason="项目资金未落实，终止招标")
    assert (tender.status, tender.paused, tender.project.status) == (TenderStatus.CANCELLED, False,
                                                                     ProjectStatus.CANCELLED)
    assert clocks(tender, "trading_objection").get(part=o.pk).state == ClockState.FINISHED
    assert tags(tender.project)[-1] == ["tenderCancellation"]
    with pytest.raises(DomainError):
        lifecycle.tender_retender(project=tender.project, user=w.agent_user)


# -- the same path through the sealed-bid and expert services ----------------------------------------------


def test_whole_path_with_sealed_bids_and_drawn_experts(w):
    from zhengwu.trading import sealing
    from zhengwu.trading.services import bids as bid_services
    from zhengwu.trading.services import experts

    tender = published(w)
    with clock.frozen(dt.date(2026, 3, 5)):
        for i in range(3):
            lifecycle.tender_obtain(tender=tender, user=w.bidder_users[i], bidder=w.bidders[i])
    with clock.frozen(dt.date(2026, 3, 20)):
        for i in range(3):
            form = {"price": str(4_500_000 + 100_000 * i), "duration_days": 300, "project_manager": f"项目经理{i}",
                    "quality": "合格", "deposit_account": f"6222 0000 0000 10{i:02d}"}
            env = sealing.seal(sealing.bid_plaintext(form, [(f"投标函{i}.pdf", b"%PDF-1.4 bid")]), f"口令{i}",
                               iterations=sealing.MIN_ITERATIONS)
            bid_services.bid_submit(tender=tender, user=w.bidder_users[i], bidder=w.bidders[i], envelope=env,
                                    ip=f"10.0.0.{i + 1}", device=f"device-{i + 1}")
    with clock.frozen(at(DEADLINE, 9, 30)):
        bid_services.tender_open(tender=tender, user=w.agent_user)
    with clock.frozen(at(DEADLINE, 9, 40)):
        for i in range(3):
            bid_services.bid_decrypt(tender=tender, user=w.bidder_users[i], bidder=w.bidders[i], passphrase=f"口令{i}")
        bid_services.opening_close(tender=tender, user=w.agent_user)
        committee = experts.committee_draw(tender=tender, user=w.admin.user, specialty="房屋建筑")
    members = list(committee.members.filter(expert__isnull=False).select_related("expert__user").order_by("pk"))
    round_bids = list(Bid.objects.filter(tender=tender).order_by("price"))
    with clock.frozen(at(DEADLINE, 14)):
        for m in members:
            for rank, bid in enumerate(round_bids):
                experts.score_submit(tender=tender, user=m.expert.user, bid=bid, score=Decimal(90 - 5 * rank))
        for m in members:
            experts.report_sign(tender=tender, user=m.expert.user)
    tender.refresh_from_db()
    assert tender.report_at == at(DEADLINE, 14)
    # 24 March + 3 日 = 27 March to publish the candidates
    assert [(c.due_date, c.state) for c in clocks(tender, "trading_candidates")] == [
        (dt.date(2026, 3, 27), ClockState.RUNNING)]
    with clock.frozen(dt.date(2026, 3, 25)):
        tender = lifecycle.candidates_publish(tender=tender, user=w.agent_user)
    assert tender.publicity_ends_on == dt.date(2026, 3, 30)  # 28 March is a Saturday
    with clock.frozen(dt.date(2026, 3, 31)):
        award = lifecycle.tender_award(tender=tender, user=w.agent_user)
    assert (award.supplier, award.amount) == (w.bidders[0], Decimal("4500000.00"))
    with clock.frozen(dt.date(2026, 4, 3)):
        contract = lifecycle.contract_sign(tender=tender, user=w.agent_user, contract_no="HT-1", amount=award.amount,
                                           signed_on=dt.date(2026, 4, 3))
    # 3 April + 5 日 = 8 April
    assert sorted(Refund.objects.filter(tender=tender).values_list("bidder_id", "due_on")) == [
        (b.pk, dt.date(2026, 4, 8)) for b in w.bidders[:3]]
    with clock.frozen(dt.date(2026, 4, 7)):
        for refund in Refund.objects.filter(tender=tender):
            lifecycle.refund_record(refund=refund, user=w.agent_user, refunded_on=dt.date(2026, 4, 7))
        lifecycle.report_file(tender=tender, user=w.agent_user)
    with clock.frozen(dt.date(2026, 11, 30)):
        lifecycle.contract_accept(contract=contract, user=w.agent_user, accepted_on=dt.date(2026, 11, 30))
    tender.refresh_from_db()
    assert tender.status == TenderStatus.COMPLETED
    assert Clock.objects.filter(subject_type="trading.tender", subject_id=tender.pk,
                                state=ClockState.RUNNING).count() == 0
    assert [tuple(t) for t in tags(tender.project)] == [("tender",), ("tenderUpdate",), ("award",), ("award",),
                                                        ("contract",), ("implementation", "contractUpdate")]
