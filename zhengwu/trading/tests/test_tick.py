"""``zhengwu trading_tick``: at the bid deadline the platform opens the round by itself (unseals, prompts
the bidders to decrypt; fewer than 3 bids → 流标), and ends the opening once the decryption window has
passed; never earlier, never a paused round, and running it again changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from zhengwu.core import clock
from zhengwu.trading.models import Bid, BidStatus, TenderStatus, TradingEvent
from zhengwu.trading.services import lifecycle
from zhengwu.trading.tests.test_bids import DEADLINE, at, decrypt, published, submit
from zhengwu.trading.tests.test_bids import w as w  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def tick(when) -> str:
    out = StringIO()
    with clock.frozen(when):
        call_command("trading_tick", stdout=out)
    return out.getvalue()


def test_tick_opens_at_the_deadline_and_closes_after_the_window(w):
    tender = published(w)
    for i in range(3):
        submit(w, tender, i)
    # a minute before the deadline nothing happens
    assert "开标：0" in tick(DEADLINE - dt.timedelta(minutes=1))
    tender.refresh_from_db()
    assert tender.status == TenderStatus.PUBLISHED and Bid.objects.count() == 0
    # at the deadline: opened by the platform, bids awaiting each bidder's decryption
    assert "开标：1" in tick(DEADLINE)
    tender.refresh_from_db()
    assert (tender.status, tender.opened_at) == (TenderStatus.OPENING, DEADLINE)
    assert sorted(Bid.objects.filter(tender=tender).values_list("status", flat=True)) == [BidStatus.SEALED] * 3
    unseal = TradingEvent.objects.get(tender=tender, action="unseal")
    assert unseal.actor is None
    # repeated: nothing more
    events = TradingEvent.objects.count()
    assert "开标：0，结束开标：0" in tick(DEADLINE + dt.timedelta(minutes=1))
    assert TradingEvent.objects.count() == events
    # decryption still needs the bidders; the window (60 minutes) has not passed: the opening stays
    for i in range(3):
        decrypt(w, tender, i, when=DEADLINE + dt.timedelta(minutes=10 + i))
    assert "结束开标：0" in tick(tender.decrypt_until)
    assert "结束开标：1" in tick(tender.decrypt_until + dt.timedelta(minutes=1))
    tender.refresh_from_db()
    assert tender.status == TenderStatus.EVALUATING
    assert TradingEvent.objects.get(tender=tender, action="close_opening").actor is None


def test_tick_undecrypted_bids_revoked_and_fewer_than_three_fail(w):
    tender = published(w)
    for i in range(3):
        submit(w, tender, i)
    tick(DEADLINE)
    tender.refresh_from_db()
    decrypt(w, tender, 0, when=DEADLINE + dt.timedelta(minutes=5))
    decrypt(w, tender, 1, when=DEADLINE + dt.timedelta(minutes=6))
    assert "流标/废标：1" in tick(tender.decrypt_until + dt.timedelta(minutes=1))
    tender.refresh_from_db()
    assert tender.status == TenderStatus.FAILED
    assert Bid.objects.get(tender=tender, bidder=w.bidders[2]).status == BidStatus.REVOKED


def test_tick_fewer_than_three_bids_fail_at_the_deadline(w):
    tender = published(w)
    for i in range(2):
        submit(w, tender, i)
    assert "流标/废标：1" in tick(DEADLINE + dt.timedelta(minutes=3))
    tender.refresh_from_db()
    assert tender.status == TenderStatus.FAILED and "第四十四条" in tender.failure_reason


def test_tick_leaves_a_paused_round(w):
    tender = published(w)
    for i in range(3):
        submit(w, tender, i)
    with clock.frozen(at(3, 10)):
        lifecycle.objection_raise(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0], stage="documents",
                                  text="评分标准有倾向性")
    assert "开标：0" in tick(DEADLINE + dt.timedelta(minutes=5))
    tender.refresh_from_db()
    assert tender.status == TenderStatus.PUBLISHED and Bid.objects.count() == 0
