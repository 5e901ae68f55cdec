"""Purchases from creation to selection through the services: the policy's refusals, publication and its
commitment, sign-ups, each selection mode with its minimum and its failure (流标 → 重新采购), the job."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from zhengwu.cases.tests.test_concurrency import run_together
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.testing import upload
from zhengwu.intermediary.models import (
    AgencyStatus,
    Event,
    Funding,
    Mode,
    Offering,
    OfferingStatus,
    PriceMode,
    Purchase,
    PurchaseStatus,
    ServiceStatus,
    Signup,
    SignupStatus,
)
from zhengwu.intermediary.services.common import RULES, workday_due
from zhengwu.intermediary.services.draws import draw_index
from zhengwu.intermediary.services.purchases import (
    purchase_act,
    purchase_cancel,
    purchase_close_signup,
    purchase_create,
    purchase_pick,
    purchase_publish,
    purchase_republish,
    purchase_select,
    purchases_due_run,
)
from zhengwu.intermediary.services.signups import signup_create, signup_withdraw
from zhengwu.supervision.models import Clock, ClockState

from .factories import DAY, at, build_world

pytestmark = pytest.mark.django_db

DEADLINE = at(DAY + dt.timedelta(days=7), 17)  # Monday 9 March 17:00
SELECT_AT = at(DAY + dt.timedelta(days=8), 9)  # Tuesday 10 March 09:00
SIGNUP_TIME = at(DAY + dt.timedelta(days=2), 10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def w():
    return build_world()


# -- helpers shared by the other test modules ------------------------------------------------------------------


def member(x):
    return x.members.order_by("pk").first()


def create(w, *, owner=None, **over) -> Purchase:
    owner = owner or w.enterprise
    fields = dict(service=w.eia, title="宏达食品扩建项目环境影响报告表编制", content="编制环境影响报告表", service_days=20,
                  funding=Funding.PRIVATE, mode=Mode.RANDOM, signup_deadline=DEADLINE, select_at=SELECT_AT,
                  price_mode=PriceMode.RANGE, price_min=Decimal("10000"), price_max=Decimal("30000"))
    fields.update(over)
    with clock.frozen(at(DAY, 9)):
        return purchase_create(owner=owner, user=member(owner), **fields)


def publish(p: Purchase) -> Purchase:
    with clock.frozen(at(DAY, 10)):
        return purchase_publish(purchase_id=p.pk, user=member(p.owner))


def published(w, **over) -> Purchase:
    return publish(create(w, **over))


def sign(p: Purchase, agency, when=SIGNUP_TIME, **data) -> Signup:
    with clock.frozen(when):
        return signup_create(purchase_id=p.pk, user=member(agency), **data)


def select(p: Purchase, user="owner", when=SELECT_AT, **data) -> Purchase:
    who = member(p.owner) if user == "owner" else user
    with clock.frozen(when):
        return purchase_select(purchase_id=p.pk, user=who, **data)


def reload(p: Purchase) -> Purchase:
    return Purchase.objects.get(pk=p.pk)


def snapshot():
    return (Purchase.objects.count(), Signup.objects.count(), Event.objects.count(),
            sorted(Purchase.objects.values_list("status", flat=True)))


# -- creation -------------------------------------------------------------------------------------------------


def test_create_is_a_draft_with_a_yearly_code_and_the_policys_minimum(w):
    p = create(w, funding=Funding.STATE, mode=Mode.RANDOM)
    assert re.fullmatch(r"ZJCG-2026-\d{5}", p.code)
    assert (p.status, p.min_participants, p.region, p.seed_hash) == (PurchaseStatus.DRAFT, 3, w.county, "")
    merit = create(w, funding=Funding.STATE, mode=Mode.MERIT, merit_rule="proposal")
    private = create(w, funding=Funding.PRIVATE, mode=Mode.BIDDING, bidding_rule="lowest")
    assert (merit.min_participants, private.min_participants) == (2, 1)
    assert int(merit.code[-5:]) == int(p.code[-5:]) + 1
    assert list(Event.objects.filter(purchase=p).values_list("action", flat=True)) == ["create"]


REFUSALS = [
    pytest.param(dict(owner="government", mode=Mode.DIRECT, for_approval=True), "intermediary_designate",
                 RULES["DESIGNATE"], id="government-designates"),
    pytest.param(dict(owner="government", funding=Funding.STATE, price_max=Decimal("1000000")),
                 "intermediary_threshold", "达到政府采购限额标准", id="threshold"),
    pytest.param(dict(price_min=Decimal("40000")), "intermediary_price", "最低限价40000.00元高于最高限价30000.00元",
                 id="min-above-max"),
    pytest.param(dict(price_max=Decimal("-5")), "intermediary_price", "最高限价不能为负数", id="negative"),
    pytest.param(dict(price_mode=PriceMode.DISCOUNT, base_amount=Decimal("20000"), discount_max=Decimal("120")),
                 "intermediary_price", "最大下浮率应大于0且不超过100", id="discount-over-100"),
    pytest.param(dict(mode=Mode.BIDDING), "intermediary_bidding_rule", "竞价选取须选择竞价规则", id="bidding-no-rule"),
    pytest.param(dict(mode=Mode.BIDDING, bidding_rule="lowest", price_mode=PriceMode.FIXED,
                      price_fixed=Decimal("20000")), "intermediary_price", "不能采用固定价格", id="bidding-fixed"),
    pytest.param(dict(mode=Mode.MERIT), "intermediary_merit_rule", "择优选取须选择择优规则", id="merit-no-rule"),
    pytest.param(dict(mode=Mode.MERIT, merit_rule="credit", long_list=2, short_list=3), "intermediary_lists",
                 "短名单数（3）不能多于入围名单数（2）", id="short-over-long"),
    pytest.param(dict(service_days=21), "intermediary_service_days", "不能超过该中介服务事项公布的时限20个工作日",
                 id="days-over-limit"),
    pytest.param(dict(select_at=DEADLINE - dt.timedelta(hours=1)), "intermediary_select_at",
                 "选取时间不能早于报名截止时间", id="select-before-deadline"),
    pytest.param(dict(title="  "), "intermediary_title", "请填写项目名称", id="no-title"),
]


@pytest.mark.parametrize("over, code, words", REFUSALS)
def test_create_refusals_change_nothing(w, over, code, words):
    over = dict(over)
    if over.pop("owner", None) == "government":
        over["owner"] = w.government
    before = snapshot()
    with pytest.raises(DomainError) as e:
        create(w, **over)
    assert e.value.code == code
    assert words in e.value.message
    assert snapshot() == before


def test_a_cancelled_service_or_a_stranger_cannot_create(w):
    w.survey.status = ServiceStatus.CANCELLED
    w.survey.save()
    with pytest.raises(DomainError) as e:
        create(w, service=w.survey, service_days=5)
    assert e.value.code == "intermediary_service" and RULES["LIST"] in e.value.message
    with clock.frozen(at(DAY)), pytest.raises(PermissionDenied):
        purchase_create(owner=w.enterprise, user=member(w.person), service=w.eia, title="x", content="x",
                        service_days=5, funding=Funding.PRIVATE, mode=Mode.RANDOM, signup_deadline=DEADLINE,
                        select_at=SELECT_AT, price_mode=PriceMode.FIXED, price_fixed=Decimal("9000"))
    assert Purchase.objects.count() == 0


def test_a_government_unit_may_choose_directly_for_its_own_work_not_for_an_approval(w):
    p = create(w, owner=w.government, mode=Mode.DIRECT, for_approval=False, funding=Funding.STATE)
    assert (p.status, p.mode, p.min_participants) == (PurchaseStatus.DRAFT, Mode.DIRECT, 3)


# -- publication ----------------------------------------------------------------------------------------------


def test_publish_checks_the_signup_period_and_commits_to_the_draw(w):
    p = create(w, signup_deadline=at(DAY + dt.timedelta(days=2), 17), select_at=SELECT_AT)
    with pytest.raises(DomainError) as e:
        publish(p)
    # 3 working days from Monday 2 March: the 5th.
    assert e.value.code == "intermediary_signup_period" and "2026年03月05日" in e.value.message
    p = reload(p)
    assert (p.status, p.seed_hash, p.seed_sealed, p.published_at) == (PurchaseStatus.DRAFT, "", None, None)

    p = publish(create(w))
    assert p.status == PurchaseStatus.SIGNUP
    assert re.fullmatch(r"[0-9a-f]{64}", p.seed_hash) and p.seed == ""
    assert bytes(reload(p).seed_sealed) and p.seed_hash.encode() not in bytes(reload(p).seed_sealed)
    assert p.draw["seed_hash"] == p.seed_hash and "seed" not in p.draw
    event = Event.objects.get(purchase=p, action="publish")
    assert event.data["seed_hash"] == p.seed_hash and event.at < p.signup_deadline


def test_modes_without_chance_commit_nothing(w):
    p = published(w, mode=Mode.MERIT, merit_rule="proposal")
    assert (p.seed_hash, p.draw) == ("", {})


# -- sign-ups -------------------------------------------------------------------------------------------------


def test_signup_refusals_change_nothing(w):
    p = published(w, mode=Mode.BIDDING, bidding_rule="lowest")
    a1, a2, a3, a4 = w.agencies[:4]
    sign(p, a1, quote="20000")
    before = snapshot()
    cases = [
        (dict(agency=a2, quote="30000.01"), "intermediary_quote", "报价30000.01元不在采购公告的价格区间（10000.00–30000.00元）内"),
        (dict(agency=a2, quote="9999"), "intermediary_quote", "不在采购公告的价格区间"),
        (dict(agency=a2), "intermediary_quote", "竞价选取须填写报价"),
        (dict(agency=a2, quote="abc"), "intermediary_quote", "报价格式不正确"),
        (dict(agency=a1, quote="21000"), "intermediary_signed_up", "已报名该采购项目"),
        (dict(agency=a2, quote="20000", when=DEADLINE), "intermediary_signup_closed", "报名已于2026年03月09日 17:00截止"),
    ]
    for data, code, words in cases:
        data = dict(data)
        agency, when = data.pop("agency"), data.pop("when", SIGNUP_TIME)
        with pytest.raises(DomainError) as e:
            sign(p, agency, when=when, **data)
        assert (e.value.code, words in e.value.message) == (code, True), e.value.message
    a3.status = AgencyStatus.SUSPENDED
    a3.save()
    Offering.objects.filter(agency=a4, service=w.eia).update(status=OfferingStatus.SUSPENDED,
                                                             status_reason="资质证书已过期（有效期至2026年03月01日）")
    with pytest.raises(DomainError) as e:
        sign(p, a3, quote="20000")
    assert e.value.code == "intermediary_ineligible" and "暂停选取" in e.value.message
    with pytest.raises(DomainError) as e:
        sign(p, a4, quote="20000")
    assert "资质证书已过期" in e.value.message
    assert snapshot() == before
    assert list(Signup.objects.filter(purchase=p).values_list("agency__uscc", "quote")) == [
        (a1.uscc, Decimal("20000.00"))]


def test_signup_copies_the_credit_score_and_may_be_withdrawn_and_made_again(w):
    p = published(w)
    a = w.agencies[0]
    a.credit_score = Decimal("88.50")
    a.save()
    with pytest.raises(DomainError) as e:
        sign(p, a, quote="20000")
    assert e.value.message == "该采购项目采用随机选取（摇号），报名时无需报价"
    s = sign(p, a)
    assert (s.status, s.credit_score, s.quote) == (SignupStatus.VALID, Decimal("88.50"), None)
    # the sign-up's event row is the agency's own, not on the purchase's public log
    assert Event.objects.filter(purchase=p, action="signup").count() == 0
    assert Event.objects.get(agency=a, action="signup").data["purchase"] == p.code
    with clock.frozen(SIGNUP_TIME):
        signup_withdraw(purchase_id=p.pk, user=member(a))
    assert Signup.objects.get(pk=s.pk).status == SignupStatus.WITHDRAWN
    assert sign(p, a).pk == s.pk and Signup.objects.get(pk=s.pk).status == SignupStatus.VALID


def test_proposal_must_be_a_pdf(w):
    p = published(w, mode=Mode.MERIT, merit_rule="proposal")
    a = w.agencies[0]
    before = snapshot()
    with pytest.raises(DomainError) as e:
        sign(p, a, proposal=upload("方案.docx"))
    assert e.value.code == "file_type" and "仅支持：pdf" in e.value.message
    with pytest.raises(DomainError) as e:
        sign(p, a, proposal=upload("方案.pdf", b"%PDF-1.4 not really"))
    assert e.value.code == "file_content"
    with pytest.raises(DomainError) as e:
        sign(p, a)
    assert e.value.message == "方案择优须上传服务方案（PDF）"
    assert snapshot() == before
    s = sign(p, a, proposal=upload("方案.pdf"), quote="25000")
    assert s.proposal.name.endswith(".pdf") and s.quote == Decimal("25000.00")


# -- each mode: minimum, failure, success ---------------------------------------------------------------------


def test_random_state_funds_below_three_fails_and_is_republished(w):
    p = published(w, funding=Funding.STATE)
    sign(p, w.agencies[0])
    sign(p, w.agencies[1])
    with clock.frozen(DEADLINE - dt.timedelta(minutes=1)), pytest.raises(DomainError) as e:
        purchase_close_signup(purchase_id=p.pk, user=member(p.owner))
    assert e.value.code == "intermediary_signup_open"
    with clock.frozen(DEADLINE):
        p = purchase_close_signup(purchase_id=p.pk, user=None)
    assert (p.status, p.status_reason) == (PurchaseStatus.FAILED, "有效报名2家，少于随机选取（摇号）要求的最少3家")
    assert set(Signup.objects.filter(purchase=p).values_list("status", flat=True)) == {SignupStatus.NOT_SELECTED}

    with clock.frozen(at(DAY + dt.timedelta(days=8), 11)):
        answer = purchase_act(purchase_id=p.pk, user=member(p.owner), action="republish",
                              data={"signup_deadline": "2026-03-16T17:00", "select_at": "2026-03-17T09:00"})
    new = Purchase.objects.get(pk=answer["id"])
    assert answer == {"status": PurchaseStatus.SIGNUP, "id": new.pk, "code": new.code, "previous": p.code}
    assert (new.previous, new.status, new.mode, new.funding, new.min_participants) == (
        p, PurchaseStatus.SIGNUP, Mode.RANDOM, Funding.STATE, 3)
    assert new.seed_hash and new.seed_hash != p.seed_hash and new.code != p.code
    with clock.frozen(at(DAY + dt.timedelta(days=8), 11)), pytest.raises(DomainError) as e:
        purchase_republish(purchase_id=p.pk, user=member(p.owner), signup_deadline=at(DAY + dt.timedelta(days=14)),
                           select_at=at(DAY + dt.timedelta(days=15)))
    assert e.value.code == "intermediary_republished"
    for a in w.agencies[:3]:
        sign(new, a, when=at(DAY + dt.timedelta(days=9), 10))
    new = select(new, when=at(DAY + dt.timedelta(days=15), 9))
    assert new.status == PurchaseStatus.SELECTED


def test_random_selects_the_drawn_agency_and_starts_the_confirm_clock(w):
    p = published(w, funding=Funding.STATE)
    for a in w.agencies[:4]:
        sign(p, a)
    with clock.frozen(SELECT_AT - dt.timedelta(minutes=1)), pytest.raises(DomainError) as e:
        purchase_select(purchase_id=p.pk, user=member(p.owner))
    assert e.value.code == "intermediary_select_time"
    assert reload(p).status == PurchaseStatus.SIGNUP
    p = select(p)
    codes = sorted(a.uscc for a in w.agencies[:4])
    expected = codes[draw_index(p.seed, codes, "select")]
    assert (p.status, p.selected.agency.uscc) == (PurchaseStatus.SELECTED, expected)
    assert hashlib.sha256(p.seed.encode()).hexdigest() == p.seed_hash
    assert sorted(Signup.objects.filter(purchase=p).values_list("status", flat=True)) == [
        "not_selected", "not_selected", "not_selected", "selected"]
    c = Clock.objects.get(subject_type="intermediary.purchase", subject_id=p.pk, kind_id="intermediary_confirm")
    assert (c.state, c.due_date, c.department_id) == (ClockState.RUNNING, dt.date(2026, 3, 12), w.env.pk)


def test_private_funds_with_one_signup_select_it(w):
    p = published(w, funding=Funding.PRIVATE)
    sign(p, w.agencies[5])
    p = select(p)
    assert (p.status, p.selected.agency) == (PurchaseStatus.SELECTED, w.agencies[5])


def test_private_funds_with_no_signup_fail(w):
    p = published(w, funding=Funding.PRIVATE)
    p = select(p)
    assert (p.status, p.status_reason) == (PurchaseStatus.FAILED, "有效报名0家，少于随机选取（摇号）要求的最少1家")
    assert p.draw["seed"] and p.draw["result"] == ""


def test_bidding_lowest_wins_and_below_minimum_fails(w):
    p = published(w, funding=Funding.STATE, mode=Mode.BIDDING, bidding_rule="lowest")
    quotes = ["21000", "18500", "26000"]
    for a, q in zip(w.agencies[:3], quotes, strict=True):
        sign(p, a, quote=q)
    p = select(p, user=None)  # the scheduled job's selection
    assert p.selected.agency == w.agencies[1]
    assert p.draw["ranking"] == [w.agencies[1].uscc, w.agencies[0].uscc, w.agencies[2].uscc]
    assert list(Signup.objects.filter(purchase=p).order_by("rank").values_list("rank", "quote")) == [
        (1, Decimal("18500.00")), (2, Decimal("21000.00")), (3, Decimal("26000.00"))]

    few = published(w, funding=Funding.STATE, mode=Mode.BIDDING, bidding_rule="lowest")
    sign(few, w.agencies[0], quote="20000")
    sign(few, w.agencies[1], quote="19000")
    few = select(few)
    assert (few.status, few.selected) == (PurchaseStatus.FAILED, None)
    assert few.status_reason == "有效报名2家，少于竞价选取要求的最少3家"


def test_bidding_lowest_tie_is_drawn(w):
    p = published(w, funding=Funding.STATE, mode=Mode.BIDDING, bidding_rule="lowest")
    for a, q in zip(w.agencies[:4], ["15000", "15000", "15000", "16000"], strict=True):
        sign(p, a, quote=q)
    p = select(p)
    tied = sorted(a.uscc for a in w.agencies[:3])
    assert p.selected.agency.uscc == tied[draw_index(p.seed, tied, "tie")]
    assert p.draw["tie_drawn"] is True


def test_bidding_with_a_discount_rate(w):
    p = published(w, funding=Funding.PRIVATE, mode=Mode.BIDDING, bidding_rule="lowest",
                  price_mode=PriceMode.DISCOUNT, base_amount=Decimal("20000"), discount_max=Decimal("15"))
    with pytest.raises(DomainError) as e:
        sign(p, w.agencies[0], discount="15.5")
    assert e.value.message == "下浮率15.50%不在采购公告的范围（0–15.00%）内"
    sign(p, w.agencies[0], discount="10")
    sign(p, w.agencies[1], discount="12.5")
    p = select(p)
    assert p.selected.agency == w.agencies[1]
    prices = {c["uscc"]: c["price"] for c in p.draw["candidates"]}
    assert prices == {w.agencies[0].uscc: "18000.00", w.agencies[1].uscc: "17500.00"}


def test_bidding_average_selects_the_closest_to_the_benchmark(w):
    p = published(w, funding=Funding.STATE, mode=Mode.BIDDING, bidding_rule="average")
    assert p.draw["factor_range"] == ["0.950", "0.980"]
    for a, q in zip(w.agencies[:5], ["20000", "24000", "25000", "27000", "30000"], strict=True):
        sign(p, a, quote=q)
    p = select(p)
    d = p.draw
    assert d["dropped"] == [w.agencies[0].uscc, w.agencies[4].uscc] and d["average"] == "25333.33"
    factor = Decimal(d["factor"])
    assert Decimal("0.950") <= factor <= Decimal("0.980")
    benchmark = (Decimal("25333.33") * factor).quantize(Decimal("0.01"))
    assert d["benchmark"] == str(benchmark)
    closest = min(w.agencies[:5], key=lambda a: (abs(Signup.objects.get(purchase=p, agency=a).quote - benchmark),
                                                 Signup.objects.get(purchase=p, agency=a).quote))
    assert p.selected.agency == closest


def test_merit_credit_short_list_then_the_owner_picks(w):
    p = published(w, funding=Funding.STATE, mode=Mode.MERIT, merit_rule="credit", long_list=3, short_list=2)
    scores = ["95", "70", "88", "91", None]
    for a, score in zip(w.agencies[:5], scores, strict=True):
        a.credit_score = Decimal(score) if score else None
        a.save()
        sign(p, a)
    p = select(p)
    assert p.status == PurchaseStatus.SHORTLISTED
    a = w.agencies
    assert p.draw["ranking"] == [a[0].uscc, a[3].uscc, a[2].uscc, a[1].uscc, a[4].uscc]
    longs = sorted([a[0].uscc, a[3].uscc, a[2].uscc])
    first = longs.pop(draw_index(p.seed, longs, "short-1"))
    second = longs.pop(draw_index(p.seed, longs, "short-2"))
    assert p.draw["short_list"] == [first, second]
    status = dict(Signup.objects.filter(purchase=p).values_list("agency__uscc", "status"))
    assert status == {a[0].uscc: "short_listed" if a[0].uscc in (first, second) else "long_listed",
                      a[3].uscc: "short_listed" if a[3].uscc in (first, second) else "long_listed",
                      a[2].uscc: "short_listed" if a[2].uscc in (first, second) else "long_listed",
                      a[1].uscc: "not_selected", a[4].uscc: "not_selected"}
    outsider = next(x for x in a[:5] if x.uscc not in (first, second))
    with clock.frozen(SELECT_AT), pytest.raises(DomainError) as e:
        purchase_pick(purchase_id=p.pk, user=member(p.owner), agency_id=outsider.pk)
    assert e.value.message == "所选机构不在短名单中"
    chosen = next(x for x in a[:5] if x.uscc == second)
    with clock.frozen(SELECT_AT):
        answer = purchase_act(purchase_id=p.pk, user=member(p.owner), action="pick", data={"agency_id": str(chosen.pk)})
    assert answer == {"status": "selected", "status_label": "待机构确认", "selected": chosen.name}
    assert reload(p).draw["picked"] == second


def test_merit_credit_needs_two_for_state_money(w):
    p = published(w, funding=Funding.STATE, mode=Mode.MERIT, merit_rule="credit", long_list=3, short_list=2)
    sign(p, w.agencies[0])
    p = select(p)
    assert (p.status, p.status_reason) == (PurchaseStatus.FAILED, "有效报名1家，少于择优选取要求的最少2家")


def test_merit_proposal_the_owner_selects_among_the_signups(w):
    p = published(w, funding=Funding.STATE, mode=Mode.MERIT, merit_rule="proposal")
    sign(p, w.agencies[0], proposal=upload("方案一.pdf"))
    sign(p, w.agencies[1], proposal=upload("方案二.pdf"))
    with clock.frozen(SELECT_AT), pytest.raises(PermissionDenied):
        purchase_select(purchase_id=p.pk, user=w.admin.user)
    with pytest.raises(DomainError) as e:
        select(p, agency_id=w.agencies[2].pk)
    assert e.value.message == "所选机构不在有效报名机构之中"
    assert reload(p).status == PurchaseStatus.SIGNUP
    p = select(p, agency_id=w.agencies[1].pk)
    assert (p.status, p.selected.agency, p.draw["rule"], p.draw["result"]) == (
        PurchaseStatus.SELECTED, w.agencies[1], "proposal", w.agencies[1].uscc)


def test_direct_selection_by_a_private_owner_and_its_minimum(w):
    p = published(w, owner=w.person, mode=Mode.DIRECT, price_mode=PriceMode.FIXED, price_fixed=Decimal("8000"))
    sign(p, w.agencies[2])
    p = select(p, agency_id=w.agencies[2].pk)
    assert (p.status, p.selected.agency) == (PurchaseStatus.SELECTED, w.agencies[2])
    gov = published(w, owner=w.government, mode=Mode.DIRECT, for_approval=False, funding=Funding.STATE)
    sign(gov, w.agencies[0])
    sign(gov, w.agencies[1])
    gov = select(gov, agency_id=w.agencies[0].pk)
    assert (gov.status, gov.status_reason) == (PurchaseStatus.FAILED, "有效报名2家，少于直接选取要求的最少3家")


def test_an_agency_suspended_after_signing_up_is_left_out(w):
    p = published(w, funding=Funding.STATE)
    for a in w.agencies[:3]:
        sign(p, a)
    w.agencies[0].status = AgencyStatus.DELISTED
    w.agencies[0].save()
    p = select(p)
    assert p.status == PurchaseStatus.FAILED
    assert p.draw["excluded"] == [{"uscc": w.agencies[0].uscc, "name": w.agencies[0].name,
                                   "reason": "该中介机构当前状态为“已清退”，不能报名"}]


def test_the_job_closes_and_selects_and_leaves_the_owners_choices(w):
    auto = published(w, funding=Funding.STATE)
    manual = published(w, mode=Mode.MERIT, merit_rule="proposal")
    empty = published(w, funding=Funding.STATE, mode=Mode.BIDDING, bidding_rule="lowest")
    for a in w.agencies[:3]:
        sign(auto, a)
    sign(manual, w.agencies[0], proposal=upload("方案.pdf"))
    with clock.frozen(DEADLINE):
        assert purchases_due_run() == {"closed": 2, "failed": 1, "selected": 0, "errors": 0}
    with clock.frozen(SELECT_AT):
        out = io.StringIO()
        call_command("intermediary_select", stdout=out)
    assert out.getvalue().strip() == "报名截止0项，自动选取1项，流标0项，未能处理0项"
    assert [reload(x).status for x in (auto, manual, empty)] == [
        PurchaseStatus.SELECTED, PurchaseStatus.SELECTING, PurchaseStatus.FAILED]


def test_cancel_needs_a_reason_and_ends_the_purchase(w):
    p = published(w)
    with clock.frozen(SIGNUP_TIME), pytest.raises(DomainError) as e:
        purchase_cancel(purchase_id=p.pk, user=member(p.owner), reason=" ")
    assert e.value.message == "请填写取消原因"
    with clock.frozen(SIGNUP_TIME), pytest.raises(PermissionDenied):
        purchase_cancel(purchase_id=p.pk, user=member(w.agencies[0]), reason="不要了")
    with clock.frozen(SIGNUP_TIME):
        answer = purchase_act(purchase_id=p.pk, user=w.admin.user, action="cancel", data={"reason": "项目暂缓"})
    assert answer == {"status": "cancelled", "status_label": "已取消"}
    assert reload(p).status_reason == "项目暂缓"


def test_the_dispatcher_runs_the_whole_selection(w):
    p = create(w, funding=Funding.STATE)
    owner = member(p.owner)
    with clock.frozen(at(DAY, 10)):
        answer = purchase_act(purchase_id=p.pk, user=owner, action="publish", data={})
    assert answer["status"] == "signup" and answer["seed_hash"] == reload(p).seed_hash
    with clock.frozen(SIGNUP_TIME):
        for a in w.agencies[:3]:
            assert purchase_act(purchase_id=p.pk, user=member(a), action="signup", data={})["signup_status"] == "valid"
    with clock.frozen(DEADLINE):
        assert purchase_act(purchase_id=p.pk, user=owner, action="close_signup", data={})["status"] == "selecting"
    with clock.frozen(SELECT_AT):
        answer = purchase_act(purchase_id=p.pk, user=owner, action="select", data={})
    assert answer["status"] == "selected" and answer["selected"] == reload(p).selected.agency.name
    with pytest.raises(DomainError) as e:
        purchase_act(purchase_id=p.pk, user=owner, action="explode", data={})
    assert e.value.code == "intermediary_action"


def test_workday_due_used_for_the_signup_period(w):
    assert workday_due(DAY, 3, region=w.county) == dt.date(2026, 3, 5)


# -- under contention (PostgreSQL: real threads, row locks, ON CONFLICT) --------------------------------------


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_simultaneous_creations_signups_and_selections():
    from django.db import connection

    from zhengwu.org.models import Role

    if connection.vendor != "postgresql":
        pytest.skip("real threads against PostgreSQL (SQLite serializes its writers)")
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    w = build_world()

    def make(i, barrier):
        barrier.wait()
        return create(w, title=f"并发项目{i}").code

    codes = run_together(8, make)
    assert all(isinstance(c, str) for c in codes), codes
    assert sorted(int(c[-5:]) for c in codes) == list(range(1, 9))

    p = published(w, funding=Funding.STATE)

    def signup(i, barrier):
        barrier.wait()
        return sign(p, w.agencies[i]).status

    assert run_together(6, signup) == [SignupStatus.VALID] * 6

    def choose(i, barrier):
        barrier.wait()
        with clock.frozen(SELECT_AT):
            return purchase_select(purchase_id=p.pk, user=member(p.owner) if i else None).status

    results = run_together(2, choose)
    assert sorted(map(str, results)) == ["selected", "采购公告当前状态为“待机构确认”，不能选取"]
    assert Signup.objects.filter(purchase=p, status=SignupStatus.SELECTED).count() == 1
    assert Clock.objects.filter(subject_id=p.pk, kind_id="intermediary_confirm").count() == 1
