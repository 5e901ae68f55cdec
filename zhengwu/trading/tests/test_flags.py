"""串通投标 indicators (实施条例第四十条) flagged to the 行政监督部门 with the evidence, and their review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.trading.models import (
    Bid,
    BidStatus,
    CollusionFlag,
    FlagKind,
    FlagStatus,
    TenderStatus,
    TradingEvent,
)
from zhengwu.trading.services import bids, flags
from zhengwu.trading.tests import factories as f
from zhengwu.trading.tests.test_bids import BEFORE, DEADLINE, decrypt, envelope, open_round, published, submit

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
OPENED = dt.datetime(2026, 3, 25, 9, 30, tzinfo=SH)


@pytest.fixture
def w():
    return f.build_world()


def opened(w, facts: list[dict]):
    """A round in 开标中 with one decrypted bid per entry of ``facts`` (bidders 0, 1, 2 …), made as rows."""
    tender = published(w, obtain=())
    slots = list(tender.slots.order_by("slot"))
    for i, extra in enumerate(facts):
        values = {"price": Decimal(4_000_000 + 123_457 * i * i), "project_manager": f"经理{i}",
                  "deposit_account": f"6222 0000 0000 20{i:02d}", "upload_ip": f"10.1.0.{i + 1}",
                  "upload_device": f"dev-{i}", "file_authors": [f"作者{i}"], **extra}
        Bid.objects.create(tender=tender, slot=slots[i], bidder=w.bidders[i], status=BidStatus.DECRYPTED,
                           submitted_at=BEFORE, decrypted_at=OPENED, **values)
    tender.status = TenderStatus.OPENING
    tender.opened_at = OPENED
    tender.save(update_fields=["status", "opened_at"])
    return tender


def compute(tender):
    with clock.frozen(OPENED):
        return flags.flags_compute(tender=tender)


def summary(found):
    return sorted((fl.kind, sorted(fl.bidders.values_list("pk", flat=True))) for fl in found)


def test_no_flag_for_independent_bids(w):
    tender = opened(w, [{}, {}, {}, {}])
    assert compute(tender) == []


@pytest.mark.parametrize(("kind", "field", "a", "b"), [
    (FlagKind.SAME_DEVICE, "upload_device", "PC-8F3A", "PC-8F3A"),
    (FlagKind.SAME_DEVICE, "upload_ip", "183.2.4.5", "183.2.4.5"),
    (FlagKind.SAME_MANAGER, "project_manager", "王 建国", "王建国"),
    (FlagKind.SAME_ACCOUNT, "deposit_account", "6222 0000 0000 9999", "6222000000009999"),
])
def test_same_value_of_two_bidders_is_flagged_with_the_evidence(w, kind, field, a, b):
    tender = opened(w, [{field: a}, {}, {field: b}])

    found = compute(tender)

    assert summary(found) == [(kind, [w.bidders[0].pk, w.bidders[2].pk])]
    evidence = found[0].evidence
    assert evidence[field] == a
    assert [(e["bidder"], e[field]) for e in evidence["bids"]] == [(w.bidders[0].name, a), (w.bidders[2].name, b)]
    event = TradingEvent.objects.get(tender=tender, action="flag")
    assert event.label == "串通投标预警"
    assert event.note == f"{FlagKind(kind).label}：{w.bidders[0].name}、{w.bidders[2].name}"
    assert event.data == {"flag": found[0].pk, "kind": kind, "evidence": evidence}


def test_same_file_author_is_flagged(w):
    tender = opened(w, [{"file_authors": ["李编制", "Admin"]}, {"file_authors": ["张三"]},
                        {"file_authors": ["李编制"]}])

    found = compute(tender)

    assert summary(found) == [(FlagKind.SAME_AUTHOR, [w.bidders[0].pk, w.bidders[2].pk])]
    assert found[0].evidence["file_author"] == "李编制"


@pytest.mark.parametrize(("prices", "pattern"), [
    (["4100000.00", "4000000.00", "4200000.00"], "等差"),
    (["4000000.00", "4080000.00", "4161600.00"], "等比"),
    (["4000000.00", "4100000.00", "4200050.00"], "等差"),  # steps 100,000 and 100,050: within 0.1 %
])
def test_prices_in_a_regular_pattern_are_flagged(w, prices, pattern):
    tender = opened(w, [{"price": Decimal(p)} for p in prices] + [{"price": Decimal("4733210.55")}])

    found = compute(tender)

    assert summary(found) == [(FlagKind.PRICE_PATTERN, [b.pk for b in w.bidders[:3]])]
    assert found[0].evidence["pattern"] == pattern
    assert found[0].evidence["prices"] == sorted(prices, key=Decimal)


def test_prices_just_outside_the_tolerance_are_not_flagged(w):
    tender = opened(w, [{"price": Decimal(p)} for p in ("4000000.00", "4100000.00", "4200200.00")])
    assert compute(tender) == []


def test_price_patterns_report_the_longest_progression_once():
    prices = [Decimal(p) for p in ("100", "130", "110", "120", "97.5")]
    assert flags.price_patterns(prices) == [("difference", [0, 2, 3, 1])]


def test_computing_again_adds_no_duplicate(w):
    tender = opened(w, [{"upload_device": "PC-1"}, {"upload_device": "PC-1"}, {}])
    compute(tender)

    assert compute(tender) == []
    assert CollusionFlag.objects.filter(tender=tender).count() == 1


def test_the_supervisor_reviews_a_flag_and_others_may_not(w):
    tender = opened(w, [{"deposit_account": "6222 1"}, {"deposit_account": "6222 1"}, {}])
    flag = compute(tender)[0]

    for intruder in (w.agent_user, w.admin.user, w.procurement_supervisor.user, w.bidder_users[0]):
        with pytest.raises(PermissionDenied):
            flags.flag_review(flag=flag, user=intruder, status=FlagStatus.CONFIRMED, note="查实")
    with pytest.raises(DomainError) as e:
        flags.flag_review(flag=flag, user=w.works_supervisor.user, status=FlagStatus.CONFIRMED, note=" ")
    assert e.value.message == "请填写核查意见"
    with pytest.raises(DomainError) as e:
        flags.flag_review(flag=flag, user=w.works_supervisor.user, status="open", note="x")
    flag.refresh_from_db()
    assert (flag.status, flag.review_note, flag.reviewed_by) == (FlagStatus.OPEN, "", None)

    with clock.frozen(OPENED):
        flag = flags.flag_review(flag=flag, user=w.works_supervisor.user, status=FlagStatus.CONFIRMED,
                                 note="两家保证金由同一账户转出，已移交查处")

    assert (flag.status, flag.reviewed_by) == (FlagStatus.CONFIRMED, w.works_supervisor.user)
    event = TradingEvent.objects.filter(tender=tender, action="review_flag").get()
    assert event.note == f"{FlagKind.SAME_ACCOUNT.label}：查实。两家保证金由同一账户转出，已移交查处"


def test_opening_close_flags_bids_uploaded_from_the_same_device(w):
    tender = published(w)
    for i in range(3):
        submit(w, tender, i)
    with clock.frozen(BEFORE):  # bidder 2 replaces its bid from bidder 0's computer
        bids.bid_submit(tender=tender, user=w.bidder_users[2], bidder=w.bidders[2], envelope=envelope(2),
                        ip="10.0.0.1", device="device-1")
    open_round(w, tender, when=DEADLINE)
    for i in range(3):
        decrypt(w, tender, i)

    with clock.frozen(OPENED + dt.timedelta(minutes=30)):
        bids.opening_close(tender=tender, user=w.agent_user)

    assert summary(tender.flags.all()) == [(FlagKind.SAME_DEVICE, [w.bidders[0].pk, w.bidders[2].pk])] * 2
    assert sorted(set(fl.evidence.keys()) - {"bids"} for fl in tender.flags.all()) == [{"upload_device"},
                                                                                       {"upload_ip"}]
