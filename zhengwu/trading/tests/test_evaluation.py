"""Scoring and the signed report (评标报告): scores 0–100 or a 否决 reason from the fixed list of
招标投标法实施条例第五十一条, ranking with at most 3 candidates (第五十三条), 否决 by a majority, and the
round's end when too few bids are valid (招标投标法第四十二条; 政府采购法第三十六条)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.trading.models import (
    Bid,
    BidStatus,
    Candidate,
    Regime,
    RejectReason,
    Score,
    TenderStatus,
)
from zhengwu.trading.services import common, experts

from .test_experts import TODAY, evaluating, make_round
from .test_experts import w as w  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

R = RejectReason


def seats(c):
    """The committee's expert members in drawing order, each with their user."""
    return list(c.members.filter(expert__isnull=False, active=True).select_related("expert__user").order_by("pk"))


def run(t, c, table, *, sign=True):
    """Every expert member scores the round's bids as ``table`` says ({bid index: [one value per member]}, a
    number is a score, a RejectReason a 否决), then signs (in drawing order)."""
    bids = list(t.bids.order_by("pk"))
    members = seats(c)
    for i, values in table.items():
        for m, v in zip(members, values, strict=True):
            if isinstance(v, RejectReason):
                experts.score_submit(tender=t, user=m.expert.user, bid=bids[i], reject_reason=v)
            else:
                experts.score_submit(tender=t, user=m.expert.user, bid=bids[i], score=v)
    if sign:
        for m in members:
            experts.report_sign(tender=t, user=m.expert.user)
    return bids


# ------------------------------------------------------------------------------------------------ scoring


def test_a_member_scores_and_scoring_again_before_signing_replaces(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w)
        m = seats(c)[0]
        bid = t.bids.order_by("pk").first()
        s = experts.score_submit(tender=t, user=m.expert.user, bid=bid, score="85.5", comment="技术方案合理")
        assert (s.score, s.reject_reason, s.comment) == (Decimal("85.50"), "", "技术方案合理")
        s = experts.score_submit(tender=t, user=m.expert.user, bid=bid, reject_reason=R.UNRESPONSIVE)
        assert (s.score, s.reject_reason) == (None, "unresponsive")
        s = experts.score_submit(tender=t, user=m.expert.user, bid=bid, score=90)
    assert list(Score.objects.values_list("member_id", "bid_id", "score", "reject_reason")) == [
        (m.pk, bid.pk, Decimal("90.00"), "")]


@pytest.mark.parametrize(("fields", "code", "message"), [
    ({"score": 101}, "trading_score", "得分应为0至100之间的数字"),
    ({"score": -1}, "trading_score", "得分应为0至100之间的数字"),
    ({"score": "八十"}, "trading_score", "得分应为0至100之间的数字"),
    ({"score": "NaN"}, "trading_score", "得分应为0至100之间的数字"),
    ({"score": "85.125"}, "trading_score", "得分最多保留两位小数"),
    ({}, "trading_score", "请填写得分，或选择否决投标的理由"),
    ({"score": 60, "reject_reason": R.PRICE}, "trading_score", "否决的投标不评分：请只填写得分或只选择否决理由"),
    ({"reject_reason": "late"}, "trading_reject_reason",
     "否决投标的理由须为招标投标法实施条例第五十一条规定的情形之一：" + "；".join(RejectReason.labels)),
    ({"reject_reason": "报价太高"}, "trading_reject_reason",
     "否决投标的理由须为招标投标法实施条例第五十一条规定的情形之一：" + "；".join(RejectReason.labels)),
])
def test_scores_outside_0_100_and_reasons_outside_the_fixed_list_are_refused(w, fields, code, message):
    with clock.frozen(TODAY):
        t, c = evaluating(w)
        m = seats(c)[0]
        with pytest.raises(DomainError) as e:
            experts.score_submit(tender=t, user=m.expert.user, bid=t.bids.first(), **fields)
    assert (e.value.code, e.value.message) == (code, message)
    assert Score.objects.count() == 0


def test_only_an_active_member_scores_a_decrypted_bid_of_the_round_while_evaluating(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w)
        m = seats(c)[0]
        bid = t.bids.order_by("pk").first()
        for user in (w.expert_users[0], w.agent_user, w.admin.user, w.bidder_users[1]):  # 专家1 was excluded
            with pytest.raises(PermissionDenied):
                experts.score_submit(tender=t, user=user, bid=bid, score=80)
        other = make_round(w, status=TenderStatus.EVALUATING, bids=[(w.bidders[3], "100")])
        with pytest.raises(NotFound):
            experts.score_submit(tender=t, user=m.expert.user, bid=other.bids.get(), score=80)
        Bid.objects.filter(pk=bid.pk).update(status=BidStatus.REVOKED)
        with pytest.raises(DomainError) as e:
            experts.score_submit(tender=t, user=m.expert.user, bid=bid, score=80)
        assert (e.value.code, e.value.message) == ("trading_bid_not_scorable", "该投标文件状态为“未解密（撤销）”，不参加评审")
        t.status = TenderStatus.PUBLICITY
        t.save()
        with pytest.raises(DomainError) as e:
            experts.score_submit(tender=t, user=m.expert.user, bid=t.bids.order_by("pk")[1], score=80)
        assert (e.value.code, e.value.message) == ("trading_status", "项目当前状态为“中标候选人公示”，不能评分")
    assert Score.objects.count() == 0


def test_signing_needs_every_bid_scored_and_closes_the_members_scores(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w)
        m = seats(c)[0]
        bids = list(t.bids.order_by("pk"))
        for bid in bids[:2]:
            experts.score_submit(tender=t, user=m.expert.user, bid=bid, score=80)
        with pytest.raises(DomainError) as e:
            experts.report_sign(tender=t, user=m.expert.user)
        assert (e.value.code, e.value.message) == (
            "trading_unscored", f"尚有1份投标文件未评分（{w.bidders[2].name}），全部评审后才能签署评标报告")
        m.refresh_from_db()
        assert m.signed_at is None
        experts.score_submit(tender=t, user=m.expert.user, bid=bids[2], score=75)
        experts.report_sign(tender=t, user=m.expert.user)
        m.refresh_from_db()
        assert m.signed_at == clock.now()
        with pytest.raises(DomainError) as e:
            experts.score_submit(tender=t, user=m.expert.user, bid=bids[0], score=99)
        assert (e.value.code, e.value.message) == ("trading_signed", "您已签署评标报告，不能再修改评分")
        with pytest.raises(DomainError) as e:
            experts.report_sign(tender=t, user=m.expert.user)
        assert e.value.code == "trading_signed"
    assert Score.objects.get(member=m, bid=bids[0]).score == Decimal("80.00")
    c.refresh_from_db()
    assert (c.report_signed_at, c.ranking) == (None, [])


# ------------------------------------------------------------------------------------------------ report


def test_the_last_signature_ranks_at_most_3_candidates_ties_to_the_lower_price(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w, bids=5)  # prices 4.1, 4.2, 4.3, 4.4, 4.5 million
        table = {0: [78, 82, 80, 80, 80], 1: [90] * 5, 2: [80] * 5, 3: [70, 71, 70, 70, 70], 4: [95, 85, 90, 90, 90]}
        run(t, c, table, sign=False)
        members = seats(c)
        for m in members[:4]:
            experts.report_sign(tender=t, user=m.expert.user)
        c.refresh_from_db()
        assert (c.report_signed_at, c.ranking, Candidate.objects.count()) == (None, [], 0)
        experts.report_sign(tender=t, user=members[4].expert.user)
        now = clock.now()
    c.refresh_from_db()
    t.refresh_from_db()
    b = list(t.bids.order_by("pk"))
    assert c.ranking == [
        {"rank": 1, "bid": b[1].pk, "bidder": w.bidders[1].name, "bidder_id": w.bidders[1].pk,
         "price": "4200000.00", "score": "90.00"},
        {"rank": 2, "bid": b[4].pk, "bidder": w.bidders[4].name, "bidder_id": w.bidders[4].pk,
         "price": "4500000.00", "score": "90.00"},
        {"rank": 3, "bid": b[0].pk, "bidder": w.bidders[0].name, "bidder_id": w.bidders[0].pk,
         "price": "4100000.00", "score": "80.00"},
        {"rank": 4, "bid": b[2].pk, "bidder": w.bidders[2].name, "bidder_id": w.bidders[2].pk,
         "price": "4300000.00", "score": "80.00"},
        {"rank": 5, "bid": b[3].pk, "bidder": w.bidders[3].name, "bidder_id": w.bidders[3].pk,
         "price": "4400000.00", "score": "70.20"},
    ]
    assert list(Candidate.objects.values_list("rank", "bid_id", "score")) == [
        (1, b[1].pk, Decimal("90.00")), (2, b[4].pk, Decimal("90.00")), (3, b[0].pk, Decimal("80.00"))]
    assert {x.status for x in b} == {BidStatus.VALID}
    assert c.report_signed_at == now
    assert (t.status, t.report_at) == (TenderStatus.EVALUATING, now)  # lifecycle.report_received
    event = t.events.filter(action="sign_report", data__report=True).get()
    assert event.note == "评标报告签署完成：有效投标5份，否决0份，推荐中标候选人3名"


def test_a_bid_rejected_by_a_majority_is_rejected_with_the_most_common_reason(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w, bids=5)
        table = {
            0: [R.PRICE, R.PRICE, R.UNRESPONSIVE, 60, 62],  # 3 of 5: rejected, 2 × price
            1: [R.NO_SEAL, R.UNRESPONSIVE, R.UNRESPONSIVE, R.NO_SEAL, 70],  # 4 of 5, a tie: the list's order
            2: [R.MISCONDUCT, R.MISCONDUCT, 81, 83, 82],  # 2 of 5: valid, mean of the three scores
            3: [75] * 5, 4: [65] * 5,
        }
        bids = run(t, c, table)
    for bid in bids:
        bid.refresh_from_db()
    assert [(x.status, x.reject_reason) for x in bids] == [
        ("rejected", "price"), ("rejected", "no_seal"), ("valid", ""), ("valid", ""), ("valid", "")]
    assert bids[0].reject_note == "评标委员会5名专家成员中3名认定应予否决：投标报价低于成本或者高于招标文件设定的最高投标限价"
    c.refresh_from_db()
    assert [(r["bid"], r["score"]) for r in c.ranking] == [(bids[2].pk, "82.00"), (bids[3].pk, "75.00"),
                                                           (bids[4].pk, "65.00")]
    assert Candidate.objects.count() == 3


def test_procurement_with_fewer_than_3_valid_bids_fails_the_round(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w, bids=4, specialty="房屋建筑", regime=Regime.PROCUREMENT)
        run(t, c, {0: [R.UNQUALIFIED] * 5, 1: [R.PRICE, R.PRICE, R.PRICE, 70, 70], 2: [80] * 5, 3: [85] * 5})
    t.refresh_from_db()
    c.refresh_from_db()
    assert t.status == TenderStatus.FAILED
    assert t.failure_reason == f"实质响应的供应商只有2家，予以废标（{common.ARTICLES['FAIL_G']}）"
    assert [r["score"] for r in c.ranking] == ["85.00", "80.00"]
    assert Candidate.objects.count() == 0 and t.report_at is None


def test_procurement_with_3_valid_bids_goes_on_and_single_source_needs_one(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w, bids=3, specialty="房屋建筑", regime=Regime.PROCUREMENT)
        run(t, c, {0: [80] * 5, 1: [81] * 5, 2: [82] * 5})
        t.refresh_from_db()
        assert (t.status, t.report_at, Candidate.objects.filter(tender=t).count()) == (
            TenderStatus.EVALUATING, clock.now(), 3)
        single, c1 = evaluating(w, bids=1, specialty="房屋建筑", regime=Regime.PROCUREMENT, method="single", size=3)
        run(single, c1, {0: [88, 90, 92]})
    single.refresh_from_db()
    assert (single.status, single.failure_reason) == (TenderStatus.EVALUATING, "")
    assert list(Candidate.objects.filter(tender=single).values_list("rank", "score")) == [(1, Decimal("90.00"))]


def test_engineering_with_every_bid_rejected_fails_the_round_for_a_re_tender(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w, bids=3)
        run(t, c, {0: [R.UNRESPONSIVE] * 5, 1: [R.UNQUALIFIED] * 5, 2: [R.PRICE] * 4 + [60]})
    t.refresh_from_db()
    assert t.status == TenderStatus.FAILED
    assert t.failure_reason == f"所有投标均被评标委员会否决，应当重新招标（{experts.ALL_REJECTED}）"
    assert Candidate.objects.count() == 0


def test_engineering_with_one_valid_bid_goes_on(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w, bids=3)
        run(t, c, {0: [R.UNRESPONSIVE] * 5, 1: [R.UNQUALIFIED] * 5, 2: [70] * 5})
    t.refresh_from_db()
    assert (t.status, list(Candidate.objects.values_list("rank", flat=True))) == (TenderStatus.EVALUATING, [1])


def test_after_the_report_the_view_shows_scores_to_the_centre_and_the_ranking_to_the_agency(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w, bids=3)
        run(t, c, {0: [80] * 5, 1: [81] * 5, 2: [82] * 5})
        centre = experts.committee_view(tender=t, user=w.admin.user)
        agency = experts.committee_view(tender=t, user=w.agent_user)
        public = experts.committee_view(tender=t, user=w.stranger)
    c.refresh_from_db()
    assert len(centre["scores"]) == 15 and centre["ranking"] == c.ranking
    assert {s["seat"] for s in centre["scores"]} == {"专家1", "专家2", "专家3", "专家4", "专家5"}
    assert agency["ranking"] == c.ranking and "scores" not in agency
    assert all(m["name"] is None for m in agency["members"])
    assert "ranking" not in public and "scores" not in public
