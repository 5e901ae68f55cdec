"""政府采购's notice periods as supervised clocks (TRADING-INTERMEDIARY.md G5, G6), started and finished by
the lifecycle services through supervision's clock service, across the 2026 holidays: the result 公告 within
2 工作日 of fixing the winner (采购条例第四十三条), the contract 公告 within 2 工作日 of signing (第五十条) and its
copy filed within 7 工作日 (政府采购法第四十七条)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.supervision.models.cards import ClockState
from zhengwu.trading.services import lifecycle
from zhengwu.trading.services.common import ARTICLES
from zhengwu.trading.tests import factories as fx
from zhengwu.trading.tests.test_lifecycle import clocks, in_publicity, published
from zhengwu.trading.tests.test_periods import procurement_project

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def w():
    return fx.build_world()


def awarded(w, on: D):
    tender = published(w, procurement_project(w))
    tender, _bids = in_publicity(w, tender)  # 公示 ends 30 March
    with clock.frozen(on):
        lifecycle.tender_award(tender=tender, user=w.agent_user)
    tender.refresh_from_db()
    return tender


def test_g5_result_notice_two_workdays_across_qingming(w):
    # fixed on Thursday 2 April: 3 April, then 清明 (4–6 April), 7 April
    tender = awarded(w, D(2026, 4, 2))
    assert [(c.due_date, c.state) for c in clocks(tender, "trading_result_notice")] == [
        (D(2026, 4, 7), ClockState.RUNNING)]
    with clock.frozen(D(2026, 4, 3)), pytest.raises(PermissionDenied):
        lifecycle.result_notice_publish(tender=tender, user=w.bidder_users[0])
    with clock.frozen(D(2026, 4, 7)):
        lifecycle.result_notice_publish(tender=tender, user=w.agent_user)
    tender.refresh_from_db()
    assert tender.result_notice_on == D(2026, 4, 7)
    assert [(c.state, c.late) for c in clocks(tender, "trading_result_notice")] == [(ClockState.FINISHED, False)]
    assert tender.events.filter(action="result_notice").count() == 1
    with clock.frozen(D(2026, 4, 8)), pytest.raises(DomainError) as exc:
        lifecycle.result_notice_publish(tender=tender, user=w.agent_user)
    assert exc.value.code == "trading_result_notice_done"


def test_g5_late_notice_is_a_late_clock(w):
    tender = awarded(w, D(2026, 4, 2))
    with clock.frozen(D(2026, 4, 8)):
        lifecycle.result_notice_publish(tender=tender, user=w.agent_user)
    assert [(c.state, c.late) for c in clocks(tender, "trading_result_notice")] == [(ClockState.FINISHED, True)]


def test_g6_contract_published_in_two_and_filed_in_seven_workdays_across_labour_day(w):
    tender = awarded(w, D(2026, 4, 2))
    with clock.frozen(D(2026, 4, 30)):
        contract = lifecycle.contract_sign(tender=tender, user=w.agent_user, contract_no="CG-2026-009",
                                           amount="4500000", signed_on=D(2026, 4, 30))
    # 2 工作日 from Thursday 30 April: 劳动节 1–5 May, then 6, 7 May
    assert [(c.due_date, c.state) for c in clocks(tender, "trading_contract_publish")] == [
        (D(2026, 5, 7), ClockState.RUNNING)]
    # 7 工作日: 6, 7, 8, 9 (the 调休 Saturday), 11, 12, 13 May
    assert [(c.due_date, c.state) for c in clocks(tender, "trading_contract_file")] == [
        (D(2026, 5, 13), ClockState.RUNNING)]
    with clock.frozen(D(2026, 5, 6)):
        lifecycle.contract_publish(tender=tender, user=w.agent_user)
    with clock.frozen(D(2026, 5, 14)):
        lifecycle.contract_file(tender=tender, user=w.agent_user)
    contract.refresh_from_db()
    assert (contract.published_on, contract.filed_on) == (D(2026, 5, 6), D(2026, 5, 14))
    assert [(c.state, c.late) for c in clocks(tender, "trading_contract_publish")] == [(ClockState.FINISHED, False)]
    assert [(c.state, c.late) for c in clocks(tender, "trading_contract_file")] == [(ClockState.FINISHED, True)]
    for step, code in ((lifecycle.contract_publish, "trading_contract_published"),
                       (lifecycle.contract_file, "trading_contract_filed")):
        with clock.frozen(D(2026, 5, 15)), pytest.raises(DomainError) as exc:
            step(tender=tender, user=w.agent_user)
        assert exc.value.code == code


def test_engineering_has_no_procurement_notice_clocks(w):
    tender = published(w)
    tender, _bids = in_publicity(w, tender)
    with clock.frozen(D(2026, 3, 31)):
        lifecycle.tender_award(tender=tender, user=w.agent_user)
        with pytest.raises(DomainError) as exc:
            lifecycle.result_notice_publish(tender=tender, user=w.agent_user)
    assert exc.value.code == "trading_regime" and ARTICLES["G5N"] in exc.value.message
    with clock.frozen(D(2026, 4, 2)):
        lifecycle.contract_sign(tender=tender, user=w.agent_user, contract_no="HT-1", amount="4500000",
                                signed_on=D(2026, 4, 2))
    for kind in ("trading_result_notice", "trading_contract_publish", "trading_contract_file"):
        assert clocks(tender, kind).count() == 0
