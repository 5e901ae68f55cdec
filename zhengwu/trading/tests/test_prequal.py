"""资格预审 (招标投标法实施条例第十五至二十二条) as ``services.lifecycle`` runs it, across the 2026 holidays
(清明 4–6 April, 劳动节 1–5 May): the 资格预审文件 on sale ≥ 5 日 (第十六条), the applications due ≥ 5 日
after the sale stops (第十七条), a clarification that may affect the applications ≥ 3 日 before their
deadline or the same action postpones it (第二十一条), 异议 on the 资格预审文件 ≥ 2 日 before it (第二十二条),
fewer than 3 passing → re-tender, and only those who passed obtain the 招标文件 and bid (第十九条).
Each refusal quotes its article and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.trading.models import Amendment, Release, Tender, TenderStatus
from zhengwu.trading.services import bids, lifecycle
from zhengwu.trading.tests import factories as fx
from zhengwu.trading.tests.test_bids import envelope
from zhengwu.trading.tests.test_periods import at, procurement_project, refused, snapshot

pytestmark = pytest.mark.django_db

D = dt.date
# The default 资格预审: the 公告 on Monday 20 April, on sale until 27 April, applications due 6 May.
START, UNTIL, APPLY = D(2026, 4, 20), D(2026, 4, 27), D(2026, 5, 6)


@pytest.fixture
def w():
    return fx.build_world()


def prequal(w, tender, *, start=START, until=UNTIL, deadline=APPLY) -> Tender:
    """The 资格预审公告 on ``start``: documents on sale from 09:00 until ``until`` 17:00, applications due
    ``deadline`` 09:30."""
    with clock.frozen(at(start)):
        return lifecycle.prequal_publish(tender=tender, user=w.agent_user, documents_from=at(start),
                                         documents_until=at(until, 17), application_deadline=at(deadline, 9, 30))


def applied(w, tender, which=(0, 1, 2, 3)) -> None:
    with clock.frozen(at(D(2026, 4, 21), 10)):
        for i in which:
            lifecycle.tender_obtain(tender=tender, user=w.bidder_users[i], bidder=w.bidders[i])


# -- T2 / T3: the 资格预审文件's sale and the applications' deadline -------------------------------------------


def test_prequal_sale_five_days_across_qingming(w):
    # 30 March + 5 日 = 4 April, 清明 → 7 April
    tender = fx.draft_tender(w)
    before = snapshot(tender)
    err = refused(lambda: prequal(w, tender, start=D(2026, 3, 30), until=D(2026, 4, 6), deadline=D(2026, 4, 20)),
                  "T2", "trading_period")
    assert "资格预审文件发售截止日期最早为2026年04月07日" in err.message
    assert snapshot(tender) == before
    tender = prequal(w, tender, start=D(2026, 3, 30), until=D(2026, 4, 7), deadline=D(2026, 4, 20))
    assert tender.status == TenderStatus.PREQUAL
    assert tender.prequal_until == at(D(2026, 4, 7), 17)


def test_t3_application_deadline_five_days_after_the_sale_across_labour_day(w):
    # sale stops 27 April; + 5 日 = 2 May, 劳动节 (1–5 May) → 6 May
    tender = fx.draft_tender(w)
    before = snapshot(tender)
    err = refused(lambda: prequal(w, tender, deadline=D(2026, 5, 5)), "T3", "trading_period")
    assert "资格预审申请文件提交截止日期最早为2026年05月06日" in err.message
    assert snapshot(tender) == before
    tender = prequal(w, tender, deadline=D(2026, 5, 6))
    assert tender.status == TenderStatus.PREQUAL
    assert tender.prequalification is True
    assert tender.prequal_deadline == at(D(2026, 5, 6), 9, 30)
    assert tender.bid_deadline is None
    assert Release.objects.filter(project=tender.project, tags=["tender"]).count() == 1


def test_prequal_only_for_engineering_open_tendering_and_first(w):
    tender = fx.draft_tender(w, procurement_project(w))
    before = snapshot(tender)
    with pytest.raises(DomainError) as exc:
        prequal(w, tender)
    assert exc.value.code == "trading_prequal_method"
    assert snapshot(tender) == before
    # the 招标文件 cannot be issued "with prequalification" without the 资格预审公告 first (第十五条)
    tender = fx.draft_tender(w)
    before = snapshot(tender)
    with clock.frozen(at(D(2026, 3, 4))):
        refused(lambda: lifecycle.tender_publish(
            tender=tender, user=w.agent_user, documents_from=at(D(2026, 3, 4)), documents_until=at(D(2026, 3, 11)),
            bid_deadline=at(D(2026, 3, 24), 9, 30), prequalification=True), "PQ15", "trading_prequal")
    assert snapshot(tender) == before


# -- T4 (3 日): clarifications of the 资格预审文件 ----------------------------------------------------------------


def test_prequal_clarification_three_days_or_postponed(w):
    tender = prequal(w, fx.draft_tender(w))  # applications due 6 May 09:30
    # 29 April + 3 日 = 2 May, a holiday → 6 May: the deadline on 6 May is far enough
    with clock.frozen(at(D(2026, 4, 29), 15)):
        a1 = lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="业绩证明材料改为提供合同复印件",
                                    affects_bids=True)
    assert (a1.prequal, a1.new_deadline) == (True, at(D(2026, 5, 6), 9, 30))
    # 5 May + 3 日 = 8 May: a clarification affecting the applications must postpone the deadline to 8 May
    before = snapshot(tender)
    with clock.frozen(at(D(2026, 5, 5), 10)):
        err = refused(lambda: lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="增加安全生产许可证要求",
                                                     affects_bids=True), "T4P", "trading_amend_period")
        assert "须同时将截止时间顺延至2026年05月08日或以后" in err.message
        err = refused(lambda: lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="增加安全生产许可证要求",
                                                     affects_bids=True, new_deadline=at(D(2026, 5, 7), 17)), "T4P")
        assert "须不早于2026年05月08日" in err.message
        assert snapshot(tender) == before
        a2 = lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="增加安全生产许可证要求",
                                    affects_bids=True, new_deadline=at(D(2026, 5, 8), 9, 30))
    tender.refresh_from_db()
    assert tender.prequal_deadline == at(D(2026, 5, 8), 9, 30)
    assert tender.bid_deadline is None
    assert (a2.seq, a2.prequal, a2.old_deadline) == (2, True, at(D(2026, 5, 6), 9, 30))
    # one that does not affect the applications needs no postponement
    with clock.frozen(at(D(2026, 5, 7), 10)):
        lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="更正联系电话", affects_bids=False)
    assert Amendment.objects.filter(tender=tender, prequal=True).count() == 3
    # the public page and the OCDS amendment say which deadline moved
    from zhengwu.trading.selectors import round_public

    assert [a["prequal"] for a in round_public(tender)["amendments"]] == [True, True, True]
    release = Release.objects.filter(project=tender.project, tags=["tenderAmendment"]).order_by("-date", "-id").first()
    moved = release.data["tender"]["amendments"][1]
    assert "资格预审申请文件提交截止时间由" in moved["description"]
    assert moved["rationale"] == "澄清或修改可能影响资格预审申请文件编制"


def test_prequal_objection_two_days_before_the_deadline(w):
    tender = prequal(w, fx.draft_tender(w), deadline=D(2026, 5, 8))
    applied(w, tender)
    before = snapshot(tender)
    with clock.frozen(at(D(2026, 5, 7), 10)):
        refused(lambda: lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0],
                                                  stage="documents", text="资格条件过高"), "T5P", "trading_objection_late")
    assert snapshot(tender) == before
    with clock.frozen(at(D(2026, 5, 6), 10)):
        objection = lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0],
                                              stage="documents", text="资格条件过高")
    tender.refresh_from_db()
    assert tender.paused is True
    assert objection.answer_due == D(2026, 5, 9)  # 6 May + 3 日: 9 May, a Saturday worked (调休)


# -- obtaining, the result, and the 招标文件 for those who passed ----------------------------------------------


def test_prequal_documents_obtained_only_on_sale(w):
    tender = prequal(w, fx.draft_tender(w))
    applied(w, tender, which=(0,))
    with clock.frozen(at(D(2026, 4, 28), 10)):
        refused(lambda: lifecycle.tender_obtain(tender=tender, user=w.bidder_users[1], bidder=w.bidders[1]), "T2",
                "trading_obtain_period")


def test_prequal_result_fewer_than_three_retenders(w):
    tender = prequal(w, fx.draft_tender(w))
    applied(w, tender)
    passed = [w.bidders[0], w.bidders[1]]
    with clock.frozen(at(D(2026, 5, 6), 9)):
        with pytest.raises(DomainError) as exc:
            lifecycle.prequal_result(tender=tender, user=w.agent_user, passed=passed + [w.bidders[2]])
        assert exc.value.code == "trading_prequal_early"
    with clock.frozen(at(D(2026, 5, 6), 10)):
        with pytest.raises(DomainError) as exc:  # bidder 5 never obtained the 资格预审文件
            lifecycle.prequal_result(tender=tender, user=w.agent_user, passed=passed + [w.bidders[4]])
        assert exc.value.code == "trading_prequal_applicant"
        tender = lifecycle.prequal_result(tender=tender, user=w.agent_user, passed=passed)
    assert tender.status == TenderStatus.FAILED
    assert "招标投标法实施条例第十九条" in tender.failure_reason
    # the next round may be tendered again
    with clock.frozen(at(D(2026, 5, 7), 10)):
        again = lifecycle.tender_retender(project=tender.project, user=w.agent_user)
    assert (again.round, again.status) == (2, TenderStatus.DRAFT)


def test_prequal_result_then_documents_only_to_those_who_passed(w):
    tender = prequal(w, fx.draft_tender(w))
    applied(w, tender)
    with clock.frozen(at(D(2026, 5, 6), 10)):
        tender = lifecycle.prequal_result(tender=tender, user=w.agent_user, passed=w.bidders[:3])
    assert tender.status == TenderStatus.PREQUAL
    assert sorted(tender.invitees.values_list("pk", flat=True)) == [b.pk for b in w.bidders[:3]]
    # no names nor numbers in the log before the opening (招标投标法第二十二条)
    event = tender.events.get(action="prequal_result")
    assert event.data == {} and not any(b.name in event.note for b in w.bidders)
    # the 招标文件: T1 counted from their issue (11 May + 20 日 = 31 May, a Sunday → 1 June)
    before = snapshot(tender)
    with clock.frozen(at(D(2026, 5, 11))):
        publish = lambda deadline, **kw: lifecycle.tender_publish(  # noqa: E731
            tender=tender, user=w.agent_user, documents_from=at(D(2026, 5, 11)),
            documents_until=at(D(2026, 5, 18), 17), bid_deadline=at(deadline, 9, 30), **kw)
        err = refused(lambda: publish(D(2026, 5, 29)), "T1", "trading_period")
        assert "2026年06月01日" in err.message
        with pytest.raises(DomainError) as exc:
            publish(D(2026, 6, 1), invitees=[w.bidders[3]])
        assert exc.value.code == "trading_invitees"
        assert snapshot(tender) == before
        tender = publish(D(2026, 6, 1))
    assert tender.status == TenderStatus.PUBLISHED
    assert tender.prequalification is True
    # bidder 4 applied but did not pass: no 招标文件, no bid (第十九条; 第三十六条)
    with clock.frozen(at(D(2026, 5, 12))):
        refused(lambda: lifecycle.tender_obtain(tender=tender, user=w.bidder_users[3], bidder=w.bidders[3]), "PQ19",
                "trading_not_invited")
        lifecycle.tender_obtain(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0])
        refused(lambda: bids.bid_submit(tender=tender, user=w.bidder_users[3], bidder=w.bidders[3],
                                        envelope=envelope(3)), "LATE", "trading_not_prequalified")
        receipt = bids.bid_submit(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0], envelope=envelope(0))
    assert receipt["receipt"]
    # the OCDS method is selective (only qualified suppliers are invited)
    release = Release.objects.filter(project=tender.project).order_by("-date", "-id").first()
    assert release.data["tender"]["procurementMethod"] == "selective"
    from zhengwu.trading.ocds.validate import release_check

    for r in Release.objects.filter(project=tender.project):
        assert release_check(r.data).ok, r.release_id
