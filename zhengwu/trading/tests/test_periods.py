"""The law's periods and amounts as ``services.lifecycle`` enforces them (TRADING-INTERMEDIARY.md §2.1):
each with its exact boundary, across the 2026 holidays (清明 4–6 April, 劳动节 1–5 May, 国庆 1–7 October,
with the 调休 Saturday 10 October a working day); each refusal quotes its article and changes nothing.

Counting (民法典第二百零一、二百零三条): the start day is not counted; a last day on a rest day moves to the
next working day. So "≥ 20 日 from 4 March" means a deadline on or after 24 March."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.trading.models import (
    Amendment,
    BidSlot,
    DepositForm,
    Regime,
    Release,
    Tender,
    TenderStatus,
    TradingEvent,
)
from zhengwu.trading.services import lifecycle
from zhengwu.trading.services.common import ARTICLES, SHANGHAI
from zhengwu.trading.tests import factories as fx

pytestmark = pytest.mark.django_db


# -- helpers shared with test_lifecycle ---------------------------------------------------------------------


def at(day: dt.date, hh: int = 9, mm: int = 0) -> dt.datetime:
    """``day`` at hh:mm in Beijing."""
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=SHANGHAI)


def procurement_project(w, **kw):
    kw.setdefault("name", "示范县第一中学实验设备采购")
    return fx.project(w, regime=Regime.PROCUREMENT, category="goods", **kw)


def publish(w, tender, *, start: dt.date, deadline: dt.date, until: dt.date | None = None, **kw) -> Tender:
    """Publish ``tender`` on ``start`` (clock frozen then): documents from 09:00 that day, on sale until
    ``until`` (default: the deadline day) 17:00, deadline ``deadline`` 09:30."""
    until = until or deadline
    with clock.frozen(start):
        return lifecycle.tender_publish(
            tender=tender, user=kw.pop("user", w.agent_user), documents_from=at(start),
            documents_until=at(until, 17) if until != deadline else at(until, 9),
            bid_deadline=at(deadline, 9, 30), **kw)


def snapshot(tender: Tender) -> dict:
    """What a refused service must leave as it was."""
    return {
        "tender": Tender.objects.filter(pk=tender.pk).values().get(),
        "invitees": sorted(tender.invitees.values_list("pk", flat=True)),
        "events": TradingEvent.objects.count(),
        "releases": Release.objects.count(),
        "slots": BidSlot.objects.filter(tender=tender).count(),
        "amendments": Amendment.objects.count(),
    }


def refused(fn, article: str, code: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as exc:
        fn()
    assert ARTICLES[article] in exc.value.message
    if code:
        assert exc.value.code == code
    return exc.value


@pytest.fixture
def w():
    return fx.build_world()


# -- T1 / G1: 20 日 from the first issue of the documents to the deadline -----------------------------------


@pytest.mark.parametrize(("start", "refused_on", "accepted_on"), [
    (dt.date(2026, 3, 4), dt.date(2026, 3, 23), dt.date(2026, 3, 24)),  # 19 日 refused, 20 日 accepted
    (dt.date(2026, 3, 15), dt.date(2026, 4, 6), dt.date(2026, 4, 7)),  # 20th day 4 Apr is 清明 → 7 Apr
    (dt.date(2026, 4, 13), dt.date(2026, 5, 5), dt.date(2026, 5, 6)),  # 20th day 3 May is 劳动节 → 6 May
    (dt.date(2026, 9, 14), dt.date(2026, 10, 7), dt.date(2026, 10, 8)),  # 20th day 4 Oct is 国庆 → 8 Oct
])
def test_t1_bid_deadline_twenty_days_engineering(w, start, refused_on, accepted_on):
    # given a draft engineering round
    tender = fx.draft_tender(w)
    before = snapshot(tender)
    # when the deadline is a day short, then T1 is quoted and nothing changed
    err = refused(lambda: publish(w, tender, start=start, deadline=refused_on, until=start + dt.timedelta(days=8)),
                  "T1", "trading_period")
    assert f"投标截止日期最早为{accepted_on:%Y年%m月%d日}" in err.message
    assert snapshot(tender) == before
    # when it is on the last day, then the round is published
    tender = publish(w, tender, start=start, deadline=accepted_on, until=start + dt.timedelta(days=8))
    assert tender.status == TenderStatus.PUBLISHED
    assert tender.bid_deadline == at(accepted_on, 9, 30)


def test_g1_bid_deadline_twenty_days_procurement(w):
    tender = fx.draft_tender(w, procurement_project(w))
    before = snapshot(tender)
    refused(lambda: publish(w, tender, start=dt.date(2026, 3, 4), deadline=dt.date(2026, 3, 23),
                            until=dt.date(2026, 3, 11)), "G1")
    assert snapshot(tender) == before
    tender = publish(w, tender, start=dt.date(2026, 3, 4), deadline=dt.date(2026, 3, 24), until=dt.date(2026, 3, 11))
    assert tender.status == TenderStatus.PUBLISHED


# -- T2 / G2: documents on sale ≥ 5 日 (engineering) / provided ≥ 5 工作日 (procurement) ----------------------


def test_t2_sale_five_days(w):
    tender = fx.draft_tender(w)
    before = snapshot(tender)
    # 4 March + 5 日 = 9 March; the sale ending on 8 March is refused
    err = refused(lambda: publish(w, tender, start=dt.date(2026, 3, 4), until=dt.date(2026, 3, 8),
                                  deadline=dt.date(2026, 3, 24)), "T2")
    assert "招标文件发售截止日期最早为2026年03月09日" in err.message
    assert snapshot(tender) == before
    tender = publish(w, tender, start=dt.date(2026, 3, 4), until=dt.date(2026, 3, 9), deadline=dt.date(2026, 3, 24))
    assert tender.documents_until == at(dt.date(2026, 3, 9), 17)


def test_g2_provision_five_workdays_across_qingming(w):
    # 1 April (Wed) + 5 工作日 skips 清明 (4–6 April): 2, 3, 7, 8, 9 April
    tender = fx.draft_tender(w, procurement_project(w))
    before = snapshot(tender)
    err = refused(lambda: publish(w, tender, start=dt.date(2026, 4, 1), until=dt.date(2026, 4, 8),
                                  deadline=dt.date(2026, 4, 21)), "G2")
    assert "2026年04月09日" in err.message
    assert snapshot(tender) == before
    tender = publish(w, tender, start=dt.date(2026, 4, 1), until=dt.date(2026, 4, 9), deadline=dt.date(2026, 4, 21))
    assert tender.status == TenderStatus.PUBLISHED


# -- G13 / G11: non-tendering procurement methods -----------------------------------------------------------


@pytest.mark.parametrize(("method", "article", "start", "refused_on", "accepted_on"), [
    # 谈判: 3 工作日 from 30 April: 6, 7, 8 May (劳动节 1–5 May)
    ("negotiation", "G13N", dt.date(2026, 4, 30), dt.date(2026, 5, 7), dt.date(2026, 5, 8)),
    # 询价: 3 工作日 from 29 September: 30 Sep, 8 Oct, 9 Oct (国庆 1–7 October)
    ("inquiry", "G13I", dt.date(2026, 9, 29), dt.date(2026, 10, 8), dt.date(2026, 10, 9)),
    # 磋商: 10 日 from 6 March: 16 March
    ("consultation", "G13C", dt.date(2026, 3, 6), dt.date(2026, 3, 15), dt.date(2026, 3, 16)),
    # 单一来源 publicity: 5 工作日 from 28 September: 29, 30 Sep, 8, 9 Oct and the 调休 Saturday 10 October
    ("single", "G11", dt.date(2026, 9, 28), dt.date(2026, 10, 9), dt.date(2026, 10, 10)),
])
def test_g13_g11_response_periods(w, method, article, start, refused_on, accepted_on):
    tender = fx.draft_tender(w, procurement_project(w), method=method)
    before = snapshot(tender)
    err = refused(lambda: publish(w, tender, start=start, deadline=refused_on), article, "trading_period")
    assert f"{accepted_on:%Y年%m月%d日}" in err.message
    assert snapshot(tender) == before
    tender = publish(w, tender, start=start, deadline=accepted_on)
    assert tender.status == TenderStatus.PUBLISHED
    assert tender.method == method


def test_engineering_refuses_procurement_methods(w):
    tender = fx.draft_tender(w, method="negotiation")
    before = snapshot(tender)
    with pytest.raises(DomainError) as exc:
        publish(w, tender, start=dt.date(2026, 3, 4), deadline=dt.date(2026, 3, 24), until=dt.date(2026, 3, 11))
    assert exc.value.code == "trading_method"
    assert "招标投标法第十条" in exc.value.message
    assert snapshot(tender) == before


# -- T6 / G4: deposit ≤ 2 % of the estimate, non-cash in procurement ----------------------------------------


def test_t6_deposit_two_percent(w):
    # estimate 5,000,000: at most 100,000.00
    tender = fx.draft_tender(w)
    before = snapshot(tender)
    err = refused(lambda: publish(w, tender, start=dt.date(2026, 3, 4), until=dt.date(2026, 3, 11),
                                  deadline=dt.date(2026, 3, 24), bid_deposit=Decimal("100000.01"),
                                  deposit_form=DepositForm.CASH), "T6", "trading_deposit")
    assert "投标保证金100000.01元超过估算价/预算金额的2%（100000.00元）" in err.message
    assert snapshot(tender) == before
    # a 3 % deposit too
    refused(lambda: publish(w, tender, start=dt.date(2026, 3, 4), until=dt.date(2026, 3, 11),
                            deadline=dt.date(2026, 3, 24), bid_deposit=150000, deposit_form=DepositForm.CASH), "T6")
    assert snapshot(tender) == before
    tender = publish(w, tender, start=dt.date(2026, 3, 4), until=dt.date(2026, 3, 11), deadline=dt.date(2026, 3, 24),
                     bid_deposit=Decimal("100000.00"), deposit_form=DepositForm.CASH)
    assert tender.bid_deposit == Decimal("100000.00")
    assert tender.deposit_form == DepositForm.CASH


def test_g4_deposit_two_percent_and_no_cash(w):
    tender = fx.draft_tender(w, procurement_project(w, estimate=Decimal("800000")))
    before = snapshot(tender)
    kw = {"start": dt.date(2026, 3, 4), "until": dt.date(2026, 3, 11), "deadline": dt.date(2026, 3, 24)}
    refused(lambda: publish(w, tender, bid_deposit=Decimal("16000.01"), deposit_form=DepositForm.GUARANTEE, **kw),
            "G4", "trading_deposit")
    assert snapshot(tender) == before
    err = refused(lambda: publish(w, tender, bid_deposit=Decimal("16000"), deposit_form=DepositForm.CASH, **kw),
                  "G4", "trading_deposit_form")
    assert "政府采购投标保证金不得以现金形式收取" in err.message
    assert snapshot(tender) == before
    tender = publish(w, tender, bid_deposit=Decimal("16000"), deposit_form=DepositForm.GUARANTEE, **kw)
    assert (tender.bid_deposit, tender.deposit_form) == (Decimal("16000.00"), DepositForm.GUARANTEE)


# -- INVITE: ≥ 3 invitees; drawn at random in procurement --------------------------------------------------


def test_invited_needs_three_invitees(w):
    tender = fx.draft_tender(w, method="invited")
    before = snapshot(tender)
    kw = {"start": dt.date(2026, 3, 4), "until": dt.date(2026, 3, 11), "deadline": dt.date(2026, 3, 24)}
    err = refused(lambda: publish(w, tender, invitees=w.bidders[:2], **kw), "INVITE", "trading_invitees")
    assert "受邀投标人只有2个" in err.message
    assert snapshot(tender) == before
    tender = publish(w, tender, invitees=w.bidders[:3], **kw)
    assert sorted(tender.invitees.values_list("pk", flat=True)) == sorted(p.pk for p in w.bidders[:3])


def test_invited_procurement_draws_three_at_random(w):
    tender = fx.draft_tender(w, procurement_project(w), method="invited")
    tender = publish(w, tender, start=dt.date(2026, 3, 4), until=dt.date(2026, 3, 11),
                     deadline=dt.date(2026, 3, 24), invitees=w.bidders)
    picked = sorted(tender.invitees.values_list("pk", flat=True))
    pool = sorted(p.pk for p in w.bidders)
    assert len(picked) == 3 and set(picked) <= set(pool)
    draw = TradingEvent.objects.get(tender=tender, action="publish").data["draw"]
    assert sorted(draw["pool"]) == pool
    assert sorted(draw["picked"]) == picked
    assert draw["random"] == "secrets.SystemRandom"


# -- T4 / G3: a clarification affecting bids ≥ 15 日 before the deadline, else postpone ---------------------


def _published(w, regime=Regime.ENGINEERING, deadline=dt.date(2026, 4, 24)):
    p = fx.project(w) if regime == Regime.ENGINEERING else procurement_project(w)
    return publish(w, fx.draft_tender(w, p), start=dt.date(2026, 3, 4), until=dt.date(2026, 3, 11), deadline=deadline)


def test_t4_clarification_fifteen_days_before_deadline(w):
    tender = _published(w)  # deadline 24 April 09:30
    # 9 April + 15 日 = 24 April: in time, no postponement needed
    with clock.frozen(dt.date(2026, 4, 9)):
        a = lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="修改工程量清单第3项", affects_bids=True)
    assert (a.seq, a.affects_bids, a.new_deadline) == (1, True, at(dt.date(2026, 4, 24), 9, 30))
    # 10 April: 14 日 left, refused without a postponement
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 4, 10)):
        err = refused(lambda: lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="修改技术标准",
                                                     affects_bids=True), "T4", "trading_amend_period")
    assert "须同时将投标截止时间顺延至2026年04月27日或以后" in err.message  # 25 April is a Saturday
    assert snapshot(tender) == before


def test_t4_postponement_in_the_same_action(w):
    tender = _published(w)
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 4, 20)):
        # 20 April + 15 日 = 5 May, 劳动节 → 6 May: a new deadline on 5 May is still too short
        err = refused(lambda: lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="修改技术标准",
                                                     affects_bids=True, new_deadline=at(dt.date(2026, 5, 5), 9, 30)),
                      "T4")
        assert "顺延后的投标截止时间须不早于2026年05月06日" in err.message
        assert snapshot(tender) == before
        a = lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="修改技术标准", affects_bids=True,
                                   new_deadline=at(dt.date(2026, 5, 6), 9, 30))
    tender.refresh_from_db()
    assert tender.bid_deadline == at(dt.date(2026, 5, 6), 9, 30)
    assert (a.old_deadline, a.new_deadline) == (at(dt.date(2026, 4, 24), 9, 30), at(dt.date(2026, 5, 6), 9, 30))
    assert Release.objects.filter(project=tender.project).order_by("-id").first().tags == ["tenderAmendment"]
    ev = TradingEvent.objects.get(tender=tender, action="amend")
    assert ev.data["new_deadline"] == at(dt.date(2026, 5, 6), 9, 30).isoformat()


def test_g3_procurement_and_late_clarification_not_affecting_bids(w):
    tender = _published(w, Regime.PROCUREMENT)
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 4, 20)):
        refused(lambda: lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="修改评分标准",
                                               affects_bids=True), "G3")
        assert snapshot(tender) == before
        # a clarification that does not affect bids is fine 4 days before the deadline
        a = lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="更正联系电话", affects_bids=False)
    assert (a.affects_bids, a.new_deadline) == (False, at(dt.date(2026, 4, 24), 9, 30))


def test_amendment_never_brings_the_deadline_forward(w):
    tender = _published(w)
    before = snapshot(tender)
    with clock.frozen(dt.date(2026, 3, 20)), pytest.raises(DomainError) as exc:
        lifecycle.tender_amend(tender=tender, user=w.agent_user, summary="提前截止", affects_bids=False,
                               new_deadline=at(dt.date(2026, 4, 23), 9, 30))
    assert exc.value.code == "trading_amend_deadline"
    assert snapshot(tender) == before


# -- T13: performance bond ≤ 10 % (in test_lifecycle with a contract); T9: 公示 ≥ 3 日 (ibid.) ---------------
