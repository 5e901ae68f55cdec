"""The expert pool and the random draw of the committee (招标投标法第三十七条, 实施条例第四十六、四十八条,
政府采购法第三十八、四十条, 政府采购法实施条例第九条)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.trading.models import (
    Bid,
    BidSlot,
    BidStatus,
    Category,
    Committee,
    CommitteeMember,
    DocumentObtain,
    Expert,
    ExpertTie,
    Regime,
    Score,
    TenderStatus,
    TieKind,
)
from zhengwu.trading.services import common, experts
from zhengwu.trading.tests import factories as F

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 1)  # Wednesday; three years back is 1 April 2023


@pytest.fixture
def w():
    with clock.frozen(TODAY):
        yield F.build_world()


def make_round(w, *, regime=Regime.ENGINEERING, method="open", status=TenderStatus.PUBLISHED, obtained=(),
               bids=()):
    """A round put straight into ``status``: ``obtained`` parties registered for the documents, ``bids`` as
    (party, price) decrypted at an opening (a BidSlot with dummy bytes + a Bid row)."""
    category = Category.WORKS if regime == Regime.ENGINEERING else Category.GOODS
    p = F.project(w, regime=regime, category=category)
    t = F.draft_tender(w, p, method=method)
    now = clock.now()
    t.status = status
    if status not in (TenderStatus.DRAFT, TenderStatus.PUBLISHED):
        t.opened_at = now
    t.save()
    parties = list(obtained) + [b for b, _ in bids if b not in obtained]
    for party in parties:
        DocumentObtain.objects.create(tender=t, bidder=party, obtained_at=now)
    for i, (party, price) in enumerate(bids, start=1):
        slot = BidSlot.objects.create(tender=t, slot=i, tag=bytes(32), envelope=b"dummy sealed bytes")
        Bid.objects.create(tender=t, slot=slot, bidder=party, status=BidStatus.DECRYPTED, submitted_at=now,
                           decrypted_at=now, price=Decimal(price))
    return t


def tie(expert, party, kind, ended_on=None):
    return ExpertTie.objects.create(expert=expert, party_uscc=party.uscc, party_name=party.name, kind=kind,
                                    ended_on=ended_on)


def conflicted_world(w):
    """A published round that bidders 1 and 2 obtained the documents of, and ties:
    专家1 employer of bidder 1 until 2025-06-30 (the world's own tie) → excluded;
    专家2 relative at bidder 2 → excluded; 专家3 board of bidder 2 ended 2023-04-01 (exactly 3 years) → excluded;
    专家4 works at the buyer now → excluded; 专家7 other tie to the agency → excluded;
    专家5 tie to bidder 3 (did not obtain) → eligible; 专家6 employer of bidder 1 until 2023-03-31 → eligible."""
    e, b = w.experts, w.bidders
    tie(e[1], b[1], TieKind.RELATIVE)
    tie(e[2], b[1], TieKind.BOARD, dt.date(2023, 4, 1))
    e[3].employer_uscc = w.buyer.uscc
    e[3].save()
    tie(e[6], w.agency, TieKind.OTHER)
    tie(e[4], b[2], TieKind.RELATIVE)
    tie(e[5], b[0], TieKind.EMPLOYER, dt.date(2023, 3, 31))
    return make_round(w, obtained=[b[0], b[1]])


# ------------------------------------------------------------------------------------------------ pool


def wrong_check(code: str) -> str:
    """``code`` with its check character changed."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")



def test_expert_add_by_the_centre_admin_with_ties(w):
    with clock.frozen(TODAY):
        e = experts.expert_add(user=w.admin.user, name="王评审", id_number=F.id_number(200), employer_name="示范市设计院",
                               employer_uscc=F.uscc(300), specialties=["房屋建筑", "房屋建筑", "市政工程"], years=12,
                               phone="13900001111",
                               ties=[{"party_uscc": w.bidders[0].uscc, "party_name": w.bidders[0].name,
                                      "kind": TieKind.EMPLOYER, "ended_on": dt.date(2024, 1, 31)}])
    e.refresh_from_db()
    assert (e.name, e.specialties, e.years, e.employer_uscc, e.is_active) == (
        "王评审", ["房屋建筑", "市政工程"], 12, F.uscc(300), True)
    assert [(t.party_uscc, t.kind, t.ended_on) for t in e.ties.all()] == [
        (w.bidders[0].uscc, "employer", dt.date(2024, 1, 31))]
    audit = AuditEvent.objects.get(object_type="trading.expert", object_id=str(e.pk))
    assert audit.summary == "评标专家入库：王评审（房屋建筑、市政工程），申报关系1项"


@pytest.mark.parametrize(("fields", "code", "message"), [
    ({"id_number": wrong_check(F.id_number(200))}, "invalid_id_number", "身份证号校验位错误，请核对后重新输入"),
    ({"id_number": "12345"}, "invalid_id_number", "身份证号应为18位，前17位为数字，最后一位为数字或X"),
    ({"employer_uscc": wrong_check(F.uscc(300))}, "invalid_uscc", "现工作单位的统一社会信用代码校验位错误，请核对后重新输入"),
    ({"specialties": []}, "trading_expert_invalid", "请至少填写一个评标专业"),
    ({"name": "  "}, "trading_expert_invalid", "请填写专家姓名"),
    ({"years": 7}, "trading_expert_years",
     "从业年限7年不符合要求（招标投标法第三十七条：评标委员会的专家应当从事相关领域工作满八年并具有高级职称或者具有同等专业水平）"),
    ({"ties": [{"party_uscc": "123", "party_name": "某公司", "kind": "employer"}]}, "invalid_uscc",
     "申报关系单位的统一社会信用代码应为18位，由数字和大写字母组成（不含 I、O、Z、S、V）"),
    ({"ties": [{"party_uscc": F.uscc(11), "party_name": "某公司", "kind": "friend"}]}, "trading_tie_kind",
     "关系类型应为：曾任职（三年内）、曾担任董事、监事或控股、与法定代表人或负责人有近亲属关系、其他利害关系"),
    ({"ties": [{"party_uscc": F.uscc(11), "kind": "other"}]}, "trading_tie_invalid",
     "申报关系应包括单位统一社会信用代码、单位名称和关系类型"),
])
def test_expert_add_refuses_bad_input_and_changes_nothing(w, fields, code, message):
    args = {"user": w.admin.user, "name": "王评审", "id_number": F.id_number(200), "employer_name": "示范市设计院",
            "specialties": ["房屋建筑"]} | fields
    with clock.frozen(TODAY), pytest.raises(DomainError) as e:
        experts.expert_add(**args)
    assert (e.value.code, e.value.message) == (code, message)
    assert Expert.objects.count() == 12 and ExpertTie.objects.count() == 1


def test_expert_add_refuses_a_duplicate_and_anyone_but_the_centre_admin(w):
    with clock.frozen(TODAY):
        with pytest.raises(DomainError) as e:
            experts.expert_add(user=w.admin.user, name="重复", id_number=F.id_number(1), employer_name="某单位",
                               specialties=["房屋建筑"])
        assert (e.value.code, e.value.message) == ("trading_expert_exists", "该身份证号的专家已在专家库中")
        for user in (w.agent_user, w.works_supervisor.user, w.expert_users[0]):
            with pytest.raises(PermissionDenied) as e:
                experts.expert_add(user=user, name="王评审", id_number=F.id_number(200), employer_name="某单位",
                                   specialties=["房屋建筑"])
            assert e.value.message == "只有交易中心管理员可以管理评标专家库"
    assert Expert.objects.count() == 12


def test_expert_tie_add_and_its_refusals(w):
    e = w.experts[1]
    with clock.frozen(TODAY):
        t = experts.expert_tie_add(user=w.admin.user, expert=e, party_uscc=w.bidders[2].uscc.lower(),
                                   party_name=w.bidders[2].name, kind=TieKind.BOARD, ended_on=dt.date(2025, 1, 1))
        assert (t.party_uscc, t.kind, t.ended_on) == (w.bidders[2].uscc, "board", dt.date(2025, 1, 1))
        refusals = [
            ({"kind": TieKind.BOARD}, "trading_tie_duplicate", f"该专家与{w.bidders[2].name}的“曾担任董事、监事或控股”关系已申报"),
            ({"kind": TieKind.EMPLOYER, "ended_on": dt.date(2026, 4, 2)}, "trading_tie_ended",
             "关系终止日期不能晚于今天；关系尚未终止的请不填终止日期"),
            ({"kind": TieKind.RELATIVE, "ended_on": dt.date(2020, 1, 1)}, "trading_tie_ended",
             "近亲属关系和其他利害关系不设终止日期，一律回避"),
        ]
        for fields, code, message in refusals:
            with pytest.raises(DomainError) as err:
                experts.expert_tie_add(**({"user": w.admin.user, "expert": e, "party_uscc": w.bidders[2].uscc,
                                           "party_name": w.bidders[2].name} | fields))
            assert (err.value.code, err.value.message) == (code, message)
        with pytest.raises(PermissionDenied):
            experts.expert_tie_add(user=w.agent_user, expert=e, party_uscc=w.bidders[3].uscc,
                                   party_name=w.bidders[3].name, kind=TieKind.OTHER)
    assert ExpertTie.objects.filter(expert=e).count() == 1


# ------------------------------------------------------------------------------------------------ draw


def test_the_draw_never_picks_an_excluded_expert(w):
    with clock.frozen(TODAY):
        t = conflicted_world(w)
        excluded = {w.experts[i].pk for i in (0, 1, 2, 3, 6)}
        eligible = {e.pk for e in w.experts} - excluded
        seen = set()
        for _ in range(60):
            c = experts.committee_draw(tender=t, user=w.admin.user, specialty="房屋建筑", size=5)
            picked = set(c.members.values_list("expert_id", flat=True))
            assert len(picked) == 5 and picked <= eligible and not picked & excluded
            seen |= picked
            c.delete()
    # 7 eligible, 5 drawn each time: over 60 draws every eligible expert came up (chance of not: < 1e-30)
    assert seen == eligible


def test_the_draw_log_shows_every_exclusion_with_its_reason_and_the_picks(w):
    with clock.frozen(TODAY):
        t = conflicted_world(w)
        c = experts.committee_draw(tender=t, user=w.admin.user, specialty="房屋建筑", size=7, buyer_reps=2)
    log = c.draw_log
    e = w.experts
    assert (c.size, c.buyer_reps, c.specialty, c.drawn_by) == (7, 2, "房屋建筑", w.admin.user)
    assert (log["pool_size"], log["eligible_count"], log["experts_needed"], log["rule"]) == (12, 7, 5, "COMMITTEE")
    assert [x["expert"] for x in log["pool"]] == [x.pk for x in e]
    assert log["exclusions"] == [
        {"expert": e[0].pk, "name": "专家1", "reason": "与潜在投标人存在利害关系", "kind": "employer",
         "kind_label": "曾任职（三年内）"},
        {"expert": e[1].pk, "name": "专家2", "reason": "与潜在投标人存在利害关系", "kind": "relative",
         "kind_label": "与法定代表人或负责人有近亲属关系"},
        {"expert": e[2].pk, "name": "专家3", "reason": "与潜在投标人存在利害关系", "kind": "board",
         "kind_label": "曾担任董事、监事或控股"},
        {"expert": e[3].pk, "name": "专家4", "reason": "与招标人/采购人存在利害关系", "kind": "current_employer",
         "kind_label": "现工作单位"},
        {"expert": e[6].pk, "name": "专家7", "reason": "与招标代理机构存在利害关系", "kind": "other",
         "kind_label": "其他利害关系"},
    ]
    assert log["eligible"] == [e[i].pk for i in (4, 5, 7, 8, 9, 10, 11)]
    assert [p["order"] for p in log["picks"]] == [1, 2, 3, 4, 5]
    assert log["replacements"] == []
    members = list(c.members.order_by("pk"))
    assert [m.expert_id for m in members[:5]] == [p["expert"] for p in log["picks"]]
    assert [(m.expert_id, m.rep_name) for m in members[5:]] == [(None, "招标人代表1"), (None, "招标人代表2")]
    # Before the opening the log names no potential bidder and does not tell how many there are.
    text = json.dumps(log, ensure_ascii=False)
    for b in w.bidders:
        assert b.name not in text and b.uscc not in text
    event = t.events.get(action="draw")
    assert (event.note, event.data) == ("随机抽取“房屋建筑”专业评标专家5名，招标人代表2名",
                                        {"size": 7, "experts": 5, "buyer_reps": 2})


@pytest.mark.parametrize(("method", "size", "reps", "article", "lead"), [
    ("open", 4, 0, "COMMITTEE", "评标委员会4人，少于5人"),
    ("open", 6, 0, "COMMITTEE", "评标委员会6人，不是单数"),
    ("open", 5, 2, "COMMITTEE", "评标委员会5人中专家3人、招标人代表2人，专家不足成员总数的三分之二"),
    ("invited", 3, 0, "COMMITTEE", "评标委员会3人，少于5人"),
    ("negotiation", 1, 0, "PANEL", "评审小组1人，少于3人"),
    ("inquiry", 4, 0, "PANEL", "评审小组4人，不是单数"),
    ("consultation", 3, 2, "PANEL", "评审小组3人中专家1人、招标人代表2人，专家不足成员总数的三分之二"),
])
def test_committee_size_rules_refuse_and_change_nothing(w, method, size, reps, article, lead):
    regime = Regime.ENGINEERING if method in ("open", "invited") else Regime.PROCUREMENT
    with clock.frozen(TODAY):
        t = make_round(w, regime=regime, method=method)
        with pytest.raises(DomainError) as e:
            experts.committee_draw(tender=t, user=w.admin.user, specialty="房屋建筑", size=size, buyer_reps=reps)
    assert (e.value.code, e.value.message) == ("trading_committee_size", f"{lead}（{common.ARTICLES[article]}）")
    assert Committee.objects.count() == 0 and CommitteeMember.objects.count() == 0
    assert not t.events.filter(action="draw").exists()


@pytest.mark.parametrize(("method", "size", "reps", "experts_drawn"), [
    ("open", 5, 0, 5), ("open", 5, 1, 4), ("open", 7, 2, 5), ("open", None, None, 5),
    ("negotiation", 3, 0, 3), ("inquiry", 3, 1, 2), ("single", None, None, 3), ("consultation", 5, 1, 4),
])
def test_committee_sizes_that_follow_the_rules(w, method, size, reps, experts_drawn):
    regime = Regime.ENGINEERING if method == "open" else Regime.PROCUREMENT
    with clock.frozen(TODAY):
        t = make_round(w, regime=regime, method=method)
        c = experts.committee_draw(tender=t, user=w.admin.user, specialty="房屋建筑", size=size, buyer_reps=reps)
    assert c.members.filter(expert__isnull=False).count() == experts_drawn
    assert c.size == c.members.count() == experts_drawn + (reps or 0)


def test_too_few_eligible_experts_is_refused_naming_the_numbers(w):
    with clock.frozen(TODAY):
        t = conflicted_world(w)  # 市政工程: 专家1,3,5,7,9,11; 1, 3 and 7 excluded
        with pytest.raises(DomainError) as e:
            experts.committee_draw(tender=t, user=w.admin.user, specialty="市政工程", size=5)
    assert (e.value.code, e.value.message) == (
        "trading_too_few_experts",
        "“市政工程”专业在库专家6名，本次依法回避排除3名，可抽取3名，少于需抽取的5名，不能完成抽取；请补充专家库或调整抽取专业")
    assert Committee.objects.count() == 0


def test_a_redraw_and_a_draw_by_anyone_but_the_centre_are_refused(w):
    with clock.frozen(TODAY):
        t = make_round(w)
        for user in (w.agent_user, w.works_supervisor.user, w.foreign_admin.user, w.bidder_users[0]):
            with pytest.raises(PermissionDenied):
                experts.committee_draw(tender=t, user=user, specialty="房屋建筑")
        c = experts.committee_draw(tender=t, user=w.admin.user, specialty="房屋建筑")
        picks = list(c.members.values_list("expert_id", flat=True))
        with pytest.raises(DomainError) as e:
            experts.committee_draw(tender=t, user=w.admin.user, specialty="房屋建筑")
    assert e.value.code == "trading_committee_exists"
    assert e.value.message.startswith("本轮评标委员会已抽取，不能重新抽取；成员回避请使用替换（招标投标法实施条例第四十六条")
    assert list(Committee.objects.get().members.values_list("expert_id", flat=True)) == picks


def test_the_draw_excludes_staff_of_the_supervising_department(w):
    with clock.frozen(TODAY):
        e = w.experts[4]
        e.user = w.works_supervisor.user
        e.save()
        t = make_round(w)
        c = experts.committee_draw(tender=t, user=w.admin.user, specialty="市政工程", size=5)
    assert {"expert": e.pk, "name": "专家5", "reason": "系本项目行政监督部门工作人员", "kind": "supervisor",
            "kind_label": "行政监督部门工作人员"} in c.draw_log["exclusions"]
    assert not c.members.filter(expert=e).exists()


# ------------------------------------------------------------------------------------- by hand / 回避


def test_an_expert_with_a_conflict_added_by_hand_is_refused_with_the_article(w):
    with clock.frozen(TODAY):
        t = conflicted_world(w)
        with pytest.raises(DomainError) as e:
            experts.committee_member_add(tender=t, user=w.agent_user, expert=w.experts[3])
        assert (e.value.code, e.value.message) == (
            "trading_expert_conflict",
            "专家专家4与本项目招标人/采购人存在利害关系（现工作单位），应当回避，不得进入评标委员会；评标专家只能由系统随机抽取，"
            f"不能手工指定（{common.ARTICLES['RECUSAL']}）")
        # Before the opening, a tie to a party that obtained the documents is not told (招标投标法第二十二条).
        for expert in (w.experts[1], w.experts[8]):
            with pytest.raises(DomainError) as e:
                experts.committee_member_add(tender=t, user=w.admin.user, expert=expert)
            assert (e.value.code, e.value.message) == (
                "trading_expert_manual", f"评标专家只能由系统从专家库随机抽取，不能手工指定（{common.ARTICLES['RANDOM']}）")
        after = make_round(w, status=TenderStatus.EVALUATING, bids=[(w.bidders[1], "100")])
        with pytest.raises(DomainError) as e:
            experts.committee_member_add(tender=after, user=w.admin.user, expert=w.experts[1])
        assert e.value.code == "trading_expert_conflict"
        assert e.value.message.startswith("专家专家2与本项目投标人存在利害关系（与法定代表人或负责人有近亲属关系），应当回避")
    assert Committee.objects.count() == 0 and CommitteeMember.objects.count() == 0


def evaluating(w, *, bids=3, specialty="市政工程", size=5, regime=Regime.ENGINEERING, method="open"):
    prices = ["4100000", "4200000", "4300000", "4400000", "4500000"][:bids]
    t = make_round(w, regime=regime, method=method, status=TenderStatus.EVALUATING,
                   bids=list(zip(w.bidders, prices, strict=False)))
    c = experts.committee_draw(tender=t, user=w.admin.user, specialty=specialty, size=size)
    return t, c


def test_replacement_follows_the_rules_voids_the_scores_and_is_logged(w):
    with clock.frozen(TODAY):
        # 市政工程: 专家1 (tie to bidder 1, a bidder) excluded; 3,5,7,9,11 all drawn.
        t, c = evaluating(w)
        members = {m.expert_id: m for m in c.members.all()}
        assert set(members) == {w.experts[i].pk for i in (2, 4, 6, 8, 10)}
        leaving = members[w.experts[4].pk]
        bid = t.bids.first()
        experts.score_submit(tender=t, user=w.expert_users[4], bid=bid, score=80)
        experts.score_submit(tender=t, user=w.expert_users[2], bid=bid, score=70)
        # nobody left to draw: refused, nothing changed
        with pytest.raises(DomainError) as e:
            experts.committee_replace(tender=t, user=w.admin.user, member=leaving, reason="与投标人存在利害关系")
        assert (e.value.code, e.value.message) == (
            "trading_too_few_experts",
            "“市政工程”专业在库专家6名，已抽取或已排除6名，本次依法回避排除0名，可抽取0名，少于需抽取的1名，不能完成抽取；"
            "请补充专家库或调整抽取专业")
        assert Score.objects.count() == 2 and CommitteeMember.objects.get(pk=leaving.pk).active
        # the pool grows by one expert tied to bidder 2 and one without ties
        tied = experts.expert_add(user=w.admin.user, name="赵有关", id_number=F.id_number(201), employer_name="某院",
                                  specialties=["市政工程"], ties=[{"party_uscc": w.bidders[1].uscc,
                                                                  "party_name": w.bidders[1].name, "kind": "other"}])
        free = experts.expert_add(user=w.admin.user, name="钱无关", id_number=F.id_number(202), employer_name="某院",
                                  specialties=["市政工程"])
        new = experts.committee_replace(tender=t, user=w.admin.user, member=leaving, reason="与投标人存在利害关系")
    leaving.refresh_from_db()
    assert (leaving.active, leaving.replaced_reason) == (False, "与投标人存在利害关系")
    assert (new.expert, new.active, new.committee_id) == (free, True, c.pk)
    assert list(Score.objects.values_list("member__expert_id", flat=True)) == [w.experts[2].pk]  # 专家5's void
    c.refresh_from_db()
    (r,) = c.draw_log["replacements"]
    assert {k: r[k] for k in ("member", "new_member", "expert", "name", "reason", "voided_scores", "eligible_count", "pick",
                              "exclusions")} == {
        "member": leaving.pk, "new_member": new.pk, "expert": w.experts[4].pk, "name": "专家5", "reason": "与投标人存在利害关系",
        "voided_scores": 1, "eligible_count": 1, "pick": {"expert": free.pk, "name": "钱无关"},
        "exclusions": [{"expert": tied.pk, "name": "赵有关", "reason": "与潜在投标人存在利害关系", "kind": "other",
                        "kind_label": "其他利害关系"}]}
    assert c.members.filter(active=True, expert__isnull=False).count() == 5
    with clock.frozen(TODAY):
        with pytest.raises(DomainError) as e:
            experts.committee_replace(tender=t, user=w.admin.user, member=leaving, reason="再次")
        assert e.value.code == "trading_replace_twice"
        with pytest.raises(PermissionDenied):  # the replaced expert no longer scores
            experts.score_submit(tender=t, user=w.expert_users[4], bid=bid, score=80)


def test_replacement_never_repicks_a_drawn_or_excluded_expert(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w, specialty="房屋建筑", size=5)  # 12 in the pool, 专家1 excluded, 11 eligible
        excluded = {w.experts[0].pk}
        for _ in range(6):
            active = c.members.filter(active=True).first()
            new = experts.committee_replace(tender=t, user=w.admin.user, member=active, reason="临时无法到场")
            everyone = list(c.members.values_list("expert_id", flat=True))
            assert new.expert_id not in excluded and everyone.count(new.expert_id) == 1
        # 5 + 6 = 11 drawn: the pool is spent
        with pytest.raises(DomainError) as e:
            experts.committee_replace(tender=t, user=w.admin.user, member=c.members.filter(active=True).first(),
                                      reason="临时无法到场")
    assert e.value.code == "trading_too_few_experts"
    assert c.members.count() == 11 and c.members.filter(active=True).count() == 5


def test_replacement_by_anyone_but_the_centre_or_of_a_buyer_rep_is_refused(w):
    with clock.frozen(TODAY):
        t = make_round(w, status=TenderStatus.EVALUATING, bids=[(w.bidders[1], "100")])
        c = experts.committee_draw(tender=t, user=w.admin.user, specialty="房屋建筑", size=5, buyer_reps=1)
        member = c.members.filter(expert__isnull=False).first()
        with pytest.raises(PermissionDenied):
            experts.committee_replace(tender=t, user=w.agent_user, member=member, reason="回避")
        rep = c.members.get(expert__isnull=True)
        with pytest.raises(DomainError) as e:
            experts.committee_replace(tender=t, user=w.admin.user, member=rep, reason="回避")
        assert e.value.code == "trading_replace_rep"
        with pytest.raises(DomainError) as e:
            experts.committee_replace(tender=t, user=w.admin.user, member=member, reason=" ")
        assert e.value.message == "请填写回避/替换原因"
    assert c.members.count() == 5 and c.members.filter(active=True).count() == 5


# ------------------------------------------------------------------------------------------------ view


def test_names_are_hidden_until_the_award_but_not_from_the_centre_and_supervisor(w):
    with clock.frozen(TODAY):
        t = conflicted_world(w)
        c = experts.committee_draw(tender=t, user=w.admin.user, specialty="房屋建筑", size=5, buyer_reps=1)
        names = sorted(m.expert.name for m in c.members.filter(expert__isnull=False))
        for user in (w.agent_user, w.buyer.members.first(), w.bidder_users[0], w.stranger, w.foreign_admin.user):
            v = experts.committee_view(tender=t, user=user)
            assert (v["viewer"], v["names_visible"], v["size"]) == ("public", False, 5)
            assert [(m["seat"], m["name"]) for m in v["members"]] == [
                ("专家1", None), ("专家2", None), ("专家3", None), ("专家4", None), ("招标人代表1", None)]
            assert "draw_log" not in v and "exclusion_details" not in v
        # Before the opening the centre and the supervisor see the pool size and the picks, not the
        # exclusions nor the eligible count (they would tell who obtained the documents, or how many).
        before = {**{k: v for k, v in c.draw_log.items() if k not in ("exclusions", "eligible", "eligible_count")},
                  "sealed_until_opening": True}
        centre = experts.committee_view(tender=t, user=w.admin.user)
        assert centre["viewer"] == "centre" and centre["draw_log"] == before
        assert len(c.draw_log["exclusions"]) == 5 and "exclusions" not in centre["draw_log"]
        assert sorted(m["name"] for m in centre["members"] if m["kind"] == "expert") == names
        supervisor = experts.committee_view(tender=t, user=w.works_supervisor.user)
        assert supervisor["viewer"] == "supervisor" and supervisor["draw_log"] == before
        assert "exclusion_details" not in supervisor  # not before the opening
        t.status = TenderStatus.AWARDED
        t.opened_at = clock.now()
        t.save()
        public = experts.committee_view(tender=t, user=w.stranger)
        assert sorted(m["name"] for m in public["members"] if m["kind"] == "expert") == names
        assert experts.committee_view(tender=t, user=w.admin.user)["draw_log"] == {**c.draw_log,
                                                                                    "sealed_until_opening": False}
        supervisor = experts.committee_view(tender=t, user=w.works_supervisor.user)
    b1, b2 = w.bidders[0], w.bidders[1]
    assert supervisor["exclusion_details"] == [
        {"expert": w.experts[0].pk, "name": "专家1", "reason": "与潜在投标人存在利害关系", "kind": "employer",
         "kind_label": "曾任职（三年内）", "party": b1.name, "party_uscc": b1.uscc, "bid": False},
        {"expert": w.experts[1].pk, "name": "专家2", "reason": "与潜在投标人存在利害关系", "kind": "relative",
         "kind_label": "与法定代表人或负责人有近亲属关系", "party": b2.name, "party_uscc": b2.uscc, "bid": False},
        {"expert": w.experts[2].pk, "name": "专家3", "reason": "与潜在投标人存在利害关系", "kind": "board",
         "kind_label": "曾担任董事、监事或控股", "party": b2.name, "party_uscc": b2.uscc, "bid": False},
        {"expert": w.experts[3].pk, "name": "专家4", "reason": "与招标人/采购人存在利害关系", "kind": "current_employer",
         "kind_label": "现工作单位", "party": w.buyer.name, "party_uscc": w.buyer.uscc, "bid": False},
        {"expert": w.experts[6].pk, "name": "专家7", "reason": "与招标代理机构存在利害关系", "kind": "other",
         "kind_label": "其他利害关系", "party": w.agency.name, "party_uscc": w.agency.uscc, "bid": False},
    ]


def test_an_expert_member_sees_their_own_seat_and_the_bids_to_score(w):
    with clock.frozen(TODAY):
        t, c = evaluating(w, bids=3)
        member = c.members.order_by("pk")[1]
        v = experts.committee_view(tender=t, user=member.expert.user)
        assert v["viewer"] == "expert" and "members" not in v and "draw_log" not in v
        assert v["seat"] == {"member": member.pk, "seat": "专家2", "name": member.expert.name, "is_chair": False,
                             "signed_at": None}
        assert [(b["bidder"], b["price"], b["scored"]) for b in v["bids"]] == [
            (w.bidders[0].name, "4100000.00", False), (w.bidders[1].name, "4200000.00", False),
            (w.bidders[2].name, "4300000.00", False)]
        # an expert of the pool who is not on this committee sees what the public sees
        outsider = w.expert_users[1]
        assert experts.committee_view(tender=t, user=outsider)["viewer"] == "public"
    with clock.frozen(TODAY):
        undrawn = make_round(w)
    assert experts.committee_view(tender=undrawn, user=w.stranger) == {
        "tender": undrawn.pk, "viewer": "public", "drawn": False}


def test_the_centre_sees_a_member_tied_after_the_draw_and_replaces_them(w):
    with clock.frozen(TODAY):
        t = make_round(w)
        c = experts.committee_draw(tender=t, user=w.admin.user, specialty="房屋建筑", size=5)
        assert experts.committee_view(tender=t, user=w.admin.user)["member_conflicts"] == []
        member = c.members.order_by("pk")[2]
        experts.expert_tie_add(user=w.admin.user, expert=member.expert, party_uscc=w.bidders[3].uscc,
                               party_name=w.bidders[3].name, kind=TieKind.RELATIVE)
        DocumentObtain.objects.create(tender=t, bidder=w.bidders[3], obtained_at=clock.now())
        # before the opening, nothing tells that bidder 4 obtained the documents
        assert experts.committee_view(tender=t, user=w.admin.user)["member_conflicts"] == []
        t.status, t.opened_at = TenderStatus.OPENING, clock.now()
        t.save()
        assert experts.committee_view(tender=t, user=w.admin.user)["member_conflicts"] == [
            {"member": member.pk, "seat": "专家3", "name": member.expert.name, "reason": "与潜在投标人存在利害关系",
             "kind_label": "与法定代表人或负责人有近亲属关系"}]
        assert "member_conflicts" not in experts.committee_view(tender=t, user=w.agent_user)
        new = experts.committee_replace(tender=t, user=w.admin.user, member=member, reason="与投标人存在近亲属关系")
        view = experts.committee_view(tender=t, user=w.admin.user)
    assert view["member_conflicts"] == []
    assert new.expert_id not in {x["expert"] for x in c.draw_log["picks"]}
    assert [(m["seat"], m["active"]) for m in view["members"]] == [
        ("专家1", True), ("专家2", True), ("专家3", False), ("专家4", True), ("专家5", True), ("专家3", True)]
    c.refresh_from_db()
    assert c.draw_log["replacements"][0]["new_member"] == new.pk
