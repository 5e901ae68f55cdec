"""Credit: the sources' scores and recorded behaviour, a hand-computed month, the sanctions, the appeal and
repair path, and the daily command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.intermediary.models import (
    AgencyStatus,
    Appeal,
    Certificate,
    CreditEvent,
    CreditRecord,
    DepartmentScore,
    Event,
    MarketScore,
    Offering,
    OfferingStatus,
    PurchaseStatus,
    Rating,
)
from zhengwu.intermediary.services import credit
from zhengwu.intermediary.services.agencies import agency_suspend
from zhengwu.intermediary.services.rules import agency_eligibility, credit_event_record
from zhengwu.intermediary.tests.factories import DAY, at, build_world, purchase
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f
from zhengwu.supervision.models import Clock

pytestmark = pytest.mark.django_db

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


@pytest.fixture
def w():
    with clock.frozen(DAY):
        yield build_world()


def rate(w, agency, when: dt.datetime, q: int, t: int, p: int, a: int) -> Rating:
    pur = purchase(w, status=PurchaseStatus.COMPLETED)
    return Rating.objects.create(purchase=pur, agency=agency, quality=q, timeliness=t, price=p, attitude=a, at=when)


def month_fixture(w):
    """The small fixture of ``test_a_hand_computed_month``; returns the agencies a1…a6."""
    a1, a2, a3, a4, a5, a6 = w.agencies[:6]
    # a1: two ratings in the 12 months April 2025 – March 2026, one older (left out); two departments; market.
    rate(w, a1, at(dt.date(2026, 3, 20), 15), 5, 5, 4, 4)
    rate(w, a1, at(dt.date(2025, 11, 3)), 4, 4, 4, 3)
    rate(w, a1, at(dt.date(2025, 3, 31), 23, 30), 1, 1, 1, 1)
    with clock.frozen(dt.date(2026, 3, 25)):
        credit.department_score_set(agency=a1, staff=w.env_supervisor, month=MARCH, score=80)
        credit.department_score_set(agency=a1, staff=w.housing_supervisor, month=dt.date(2026, 3, 15), score=90)
        credit.market_score_set(agency=a1, staff=w.admin, month="2026-03", score=90, note="响应及时")
    credit_event_record(agency=a1, rule_code="late_delivery", on=dt.date(2026, 2, 10))
    credit_event_record(agency=a1, rule_code="price_violation", on=dt.date(2025, 3, 5))  # in force to Feb 2026
    # a2: nothing scored; declined after selection.
    credit_event_record(agency=a2, rule_code="decline_after_selection", on=dt.date(2026, 3, 3))
    # a3: one poor-ish rating and the market.
    rate(w, a3, at(dt.date(2026, 1, 8)), 3, 3, 3, 3)
    with clock.frozen(dt.date(2026, 3, 25)):
        credit.market_score_set(agency=a3, staff=w.admin, month=MARCH, score=70)
    # a4: a veto (false materials) and a good market score.
    with clock.frozen(dt.date(2026, 1, 20)):
        credit.credit_event_add(agency=a4, staff=w.admin, rule_code="false_materials", note="入驻时提交的业绩合同系伪造")
    with clock.frozen(dt.date(2026, 3, 25)):
        credit.market_score_set(agency=a4, staff=w.admin, month=MARCH, score=95)
        # a5: suspended by the administrator (not by its credit).
        agency_suspend(agency=a5, staff=w.admin, reason="投诉查实，暂停选取")
    # a6: collusion (a veto) recorded by the administrator.
    with clock.frozen(dt.date(2026, 2, 1)):
        credit.credit_event_add(agency=a6, staff=w.admin, rule_code="collusion", note="与他人串通报价")
    return a1, a2, a3, a4, a5, a6


def test_a_hand_computed_month(w):
    """March 2026, weights 项目业主 5 : 行业主管部门 3 : 超市管理机构 2, bands A≥90 B≥80 C≥70 D≥60, else E.

    a1  owner: ratings in April 2025 – March 2026: (5+5+4+4)×5 = 90, (4+4+4+3)×5 = 75 → mean 82.50
        (the rating of 31 March 2025 23:30 is outside the window);
        department: 生态环境局 80, 住建局 90 → mean 85.00; market 90.00;
        weighted = (5×82.50 + 3×85.00 + 2×90.00) ÷ 10 = (412.50 + 255.00 + 180.00) ÷ 10 = 84.75;
        deductions: late delivery of 10 Feb 2026 (5 points, 12 months: Feb 2026 – Jan 2027) = 5.00;
        the price violation of 5 Mar 2025 (12 months: Mar 2025 – Feb 2026) is no longer in force;
        score 84.75 − 5.00 = 79.75 → C (stays admitted).
    a2  no source: starts from 100; declined after selection (10 points) → 90.00 → A.
    a3  owner: (3+3+3+3)×5 = 60; market 70; weighted = (5×60 + 2×70) ÷ 7 = 440 ÷ 7 = 62.857… → 62.86
        → D → suspended.
    a4  market 95 → 95.00, but a veto (false materials, 20 Jan 2026, 24 months) → E → delisted.
    a5  no source → 100 → A, but suspended by the administrator: stays suspended.
    a6  no source → 100, veto (collusion, 1 Feb 2026) → E → delisted.
    a7, a8  no source → 100.00 → A.
    """
    a1, a2, a3, a4, a5, a6 = month_fixture(w)
    with clock.frozen(at(APRIL, 1)):
        assert credit.credit_month_compute(month=dt.date(2026, 3, 31)) == 8
    rec = {r.agency_id: r for r in CreditRecord.objects.filter(month=MARCH)}
    got = {a.pk: (rec[a.pk].weighted, rec[a.pk].deductions, rec[a.pk].score, rec[a.pk].grade, rec[a.pk].vetoed)
           for a in w.agencies}
    D = Decimal
    assert got == {
        a1.pk: (D("84.75"), D("5.00"), D("79.75"), "C", False),
        a2.pk: (D("100.00"), D("10.00"), D("90.00"), "A", False),
        a3.pk: (D("62.86"), D("0.00"), D("62.86"), "D", False),
        a4.pk: (D("95.00"), D("0.00"), D("95.00"), "E", True),
        a5.pk: (D("100.00"), D("0.00"), D("100.00"), "A", False),
        a6.pk: (D("100.00"), D("0.00"), D("100.00"), "E", True),
        w.agencies[6].pk: (D("100.00"), D("0.00"), D("100.00"), "A", False),
        w.agencies[7].pk: (D("100.00"), D("0.00"), D("100.00"), "A", False),
    }
    r1 = rec[a1.pk]
    assert (r1.owner_score, r1.department_score, r1.market_score) == (D("82.50"), D("85.00"), D("90.00"))
    assert r1.explanation == [
        "项目业主评价：2025年04月至2026年03月共2次评价，平均82.50分，权重5",
        "行业主管部门评价：示范县住房和城乡建设局90.00分、示范县生态环境局80.00分，平均85.00分，权重3",
        "超市管理机构评价：90.00分，权重2",
        "加权得分：(5×82.50+3×85.00+2×90.00)÷10=84.75",
        "扣分：逾期提交服务成果（2026年02月10日认定，影响至2027年01月）扣5.00分",
        "信用分：84.75−5.00=79.75",
        "信用等级：A≥90、B≥80、C≥70、D≥60，低于60为E；79.75分为C",
    ]
    assert rec[a2.pk].explanation[3] == "加权得分：尚无任何评价，按满分100分起算"
    assert rec[a4.pk].explanation[-2:] == ["信用等级：触发否决项（提供虚假材料入驻或报名），评为最低等级E",
                                           "信用等级为E（2026年03月信用分95.00），予以清退"]
    for a in w.agencies:
        a.refresh_from_db()
    assert [(a.status, a.credit_grade, a.credit_score) for a in w.agencies[:6]] == [
        (AgencyStatus.ACTIVE, "C", D("79.75")), (AgencyStatus.ACTIVE, "A", D("90.00")),
        (AgencyStatus.SUSPENDED, "D", D("62.86")), (AgencyStatus.DELISTED, "E", D("95.00")),
        (AgencyStatus.SUSPENDED, "A", D("100.00")), (AgencyStatus.DELISTED, "E", D("100.00"))]
    assert a3.status_reason == "信用等级为D（2026年03月信用分62.86），暂停选取"
    assert a5.status_reason == "投诉查实，暂停选取"
    assert agency_eligibility(a3, w.eia, on=APRIL) == "该中介机构当前状态为“暂停选取”，不能报名"
    assert agency_eligibility(a4, w.eia, on=APRIL) == "该中介机构当前状态为“已清退”，不能报名"
    assert Event.objects.filter(action="credit_month").count() == 8
    assert set(Event.objects.filter(action__in=["agency_suspend", "agency_delist"], label__in=["暂停选取", "清退"])
               .exclude(agency=a5).values_list("agency_id", "action")) == {
        (a3.pk, "agency_suspend"), (a4.pk, "agency_delist"), (a6.pk, "agency_delist")}
    # Recomputing the same month changes nothing and writes no second record.
    with clock.frozen(at(APRIL, 2)):
        assert credit.credit_month_compute(month=MARCH) == 6  # the two delisted agencies are out of the run
    assert CreditRecord.objects.filter(month=MARCH).count() == 8
    assert CreditRecord.objects.get(agency=a1, month=MARCH).score == D("79.75")


def test_a_credit_suspension_is_lifted_when_the_grade_recovers(w):
    a1, a2, a3, *_ = month_fixture(w)
    with clock.frozen(at(APRIL, 1)):
        credit.credit_month_compute(month=MARCH)
    with clock.frozen(dt.date(2026, 4, 28)):
        credit.department_score_set(agency=a3, staff=w.env_supervisor, month=APRIL, score=100)
        credit.market_score_set(agency=a3, staff=w.admin, month=APRIL, score=100)
        # April: (5×60 + 3×100 + 2×100) ÷ 10 = 800 ÷ 10 = 80.00 → B.
        credit.credit_month_compute(month=APRIL, region=w.county)
    a3.refresh_from_db()
    assert (a3.status, a3.status_reason, a3.credit_grade, a3.credit_score) == (AgencyStatus.ACTIVE, "", "B",
                                                                               Decimal("80.00"))
    assert CreditRecord.objects.get(agency=a3, month=APRIL).explanation[-1] == "信用等级为B（2026年04月信用分80.00），恢复选取"
    assert Event.objects.filter(agency=a3, action="agency_restore").count() == 1


def test_an_upheld_appeal_revokes_the_event_and_lifts_the_delisting(w):
    a4 = month_fixture(w)[3]
    with clock.frozen(at(APRIL, 1)):
        credit.credit_month_compute(month=MARCH)
    event = CreditEvent.objects.get(agency=a4)
    member = a4.members.get()
    with clock.frozen(dt.date(2026, 4, 2)):
        with pytest.raises(PermissionDenied):
            credit.appeal_file(agency=a4, user=w.agencies[0].members.get(), kind="appeal", reason="不实", event=event)
        appeal = credit.appeal_file(agency=a4, user=member, kind="appeal", event=event,
                                    reason="所谓伪造合同系发包方笔误，已取得发包方说明")
        with pytest.raises(DomainError) as e:
            credit.appeal_file(agency=a4, user=member, kind="appeal", event=event, reason="再次申诉")
        assert e.value.code == "intermediary_appeal_pending"
    c = Clock.objects.get(kind_id="intermediary_appeal", subject_id=a4.pk, part=appeal.pk)
    # 15 工作日 from Thursday 2 April 2026 (清明 4–6 April): 3, 7–10, 13–17, 20–24 April.
    assert (c.state, c.due_date, c.officer_id) == ("running", dt.date(2026, 4, 24), w.admin.pk)
    with clock.frozen(dt.date(2026, 4, 8)):
        with pytest.raises(PermissionDenied):
            credit.appeal_decide(appeal=appeal, staff=w.env_supervisor, upheld=True, decision="成立")
        with pytest.raises(DomainError) as e:
            credit.appeal_decide(appeal=appeal, staff=w.admin, upheld=True, decision=" ")
        assert e.value.code == "intermediary_appeal_decision"
        event.refresh_from_db()
        assert event.state == CreditEvent.State.VALID
        credit.appeal_decide(appeal=appeal, staff=w.admin, upheld=True, decision="经核实，合同真实，撤销该失信记录")
    event.refresh_from_db()
    a4.refresh_from_db()
    c.refresh_from_db()
    assert event.state == CreditEvent.State.REVOKED and c.state == "finished"
    # April recomputed at once: no source this month → 100 → A, and the delisting by credit lifted.
    april = CreditRecord.objects.get(agency=a4, month=APRIL)
    assert (april.grade, april.vetoed, a4.status, a4.credit_grade) == ("A", False, AgencyStatus.ACTIVE, "A")
    assert agency_eligibility(a4, w.eia, on=dt.date(2026, 4, 8)) == ""
    # The revoked event never counted: March recomputed is A as well (95.00, no veto) — and only recorded.
    with clock.frozen(dt.date(2026, 4, 9)):
        credit.credit_month_compute(month=MARCH, agency_ids=[a4.pk])
    march = CreditRecord.objects.get(agency=a4, month=MARCH)
    assert (march.grade, march.vetoed, march.score) == ("A", False, Decimal("95.00"))
    assert Event.objects.filter(agency=a4, action="appeal_decide").get().note.startswith("异议申诉成立，撤销失信记录")
    with clock.frozen(dt.date(2026, 4, 9)), pytest.raises(DomainError) as e:
        credit.appeal_decide(appeal=appeal, staff=w.admin, upheld=False, decision="改判")
    assert e.value.code == "intermediary_appeal_status"


def test_an_upheld_repair_lifts_the_veto_from_its_month_on(w):
    a6 = month_fixture(w)[5]
    with clock.frozen(at(APRIL, 1)):
        credit.credit_month_compute(month=MARCH)
    event = CreditEvent.objects.get(agency=a6)
    with clock.frozen(dt.date(2026, 4, 2)):
        with pytest.raises(DomainError) as e:
            credit.appeal_file(agency=a6, user=a6.members.get(), kind="repair", reason="已整改")
        assert e.value.code == "intermediary_appeal_event"
        repair = credit.appeal_file(agency=a6, user=a6.members.get(), kind="repair", event=event,
                                    reason="已整改并公开作出信用承诺")
    with clock.frozen(dt.date(2026, 4, 8)):
        credit.appeal_decide(appeal=repair, staff=w.admin, upheld=True, decision="整改到位，准予信用修复")
    event.refresh_from_db()
    a6.refresh_from_db()
    assert event.state == CreditEvent.State.VALID  # on record, but lifted
    april = CreditRecord.objects.get(agency=a6, month=APRIL)
    assert (april.grade, april.vetoed, a6.status) == ("A", False, AgencyStatus.ACTIVE)
    assert april.explanation[4] == "串通报价、围标（2026年02月01日）已信用修复，不再扣分"
    # March (before the repair) still carries the veto; recomputing it does not sanction the agency again.
    with clock.frozen(dt.date(2026, 4, 9)):
        credit.credit_month_compute(month=MARCH, agency_ids=[a6.pk])
    a6.refresh_from_db()
    assert CreditRecord.objects.get(agency=a6, month=MARCH).grade == "E"
    assert (a6.status, a6.credit_grade) == (AgencyStatus.ACTIVE, "A")


def test_a_dismissed_appeal_changes_no_record(w):
    a1 = month_fixture(w)[0]
    event = CreditEvent.objects.get(agency=a1, rule__code="late_delivery")
    with clock.frozen(dt.date(2026, 4, 2)):
        appeal = credit.appeal_file(agency=a1, user=a1.members.get(), kind="appeal", event=event, reason="并未逾期")
        credit.appeal_decide(appeal=appeal, staff=w.admin.user, upheld=False, decision="合同约定期限明确，申诉不成立")
    event.refresh_from_db()
    appeal.refresh_from_db()
    assert (event.state, appeal.state) == (CreditEvent.State.VALID, Appeal.State.DISMISSED)
    assert not CreditRecord.objects.filter(agency=a1).exists()


def test_scores_and_events_refusals_change_nothing(w):
    a = w.agencies[0]
    education = f.department(w.county, code="D301", name="示范县教育局")
    outsider = f.staff("4010", Role.INTERMEDIARY_SUPERVISOR, department=education, name="周教监")
    with clock.frozen(dt.date(2026, 3, 20)):
        with pytest.raises(PermissionDenied) as e:
            credit.department_score_set(agency=a, staff=outsider, month=MARCH, score=80)
        assert "不承接贵部门主管的中介服务" in e.value.message
        with pytest.raises(PermissionDenied):
            credit.department_score_set(agency=a, staff=w.admin, month=MARCH, score=80)
        for score in (101, -1, "abc"):
            with pytest.raises(DomainError) as e:
                credit.department_score_set(agency=a, staff=w.env_supervisor, month=MARCH, score=score)
            assert e.value.code == "intermediary_score"
        with pytest.raises(DomainError) as e:
            credit.market_score_set(agency=a, staff=w.admin, month=APRIL, score=80)
        assert e.value.code == "intermediary_month" and "未到的月份" in e.value.message
        with pytest.raises(PermissionDenied):
            credit.market_score_set(agency=a, staff=w.env_supervisor, month=MARCH, score=80)
        with pytest.raises(DomainError) as e:
            credit.credit_event_add(agency=a, staff=w.admin, rule_code="late_delivery", note="逾期")
        assert e.value.code == "intermediary_credit_rule" and "自动认定" in e.value.message
        with pytest.raises(PermissionDenied):  # a department's rule is the supervisor's to record
            credit.credit_event_add(agency=a, staff=w.admin, rule_code="price_violation", note="超标准收费")
        with pytest.raises(PermissionDenied):
            credit.credit_event_add(agency=a, staff=outsider, rule_code="price_violation", note="超标准收费")
        with pytest.raises(DomainError) as e:
            credit.credit_event_add(agency=a, staff=w.env_supervisor, rule_code="price_violation", note=" ")
        assert e.value.code == "intermediary_credit_note"
    assert not DepartmentScore.objects.exists() and not MarketScore.objects.exists()
    assert not CreditEvent.objects.exists() and not Event.objects.exists()
    with clock.frozen(dt.date(2026, 3, 20)):
        ev = credit.credit_event_add(agency=a, staff=w.env_supervisor, rule_code="price_violation",
                                     note="超出公示收费上限收费")
        credit.department_score_set(agency=a, staff=w.env_supervisor, month=MARCH, score=70)
        credit.department_score_set(agency=a, staff=w.env_supervisor, month=MARCH, score=75, note="复核")
    assert (ev.rule.code, ev.on, ev.by) == ("price_violation", dt.date(2026, 3, 20), w.env_supervisor)
    assert DepartmentScore.objects.get(agency=a).score == Decimal("75.00")
    assert Event.objects.get(action="credit_event").note == "超出公示收费标准或约定价格收费（扣10.00分，影响12个月）：超出公示收费上限收费"


def test_the_daily_command(w):
    a1 = month_fixture(w)[0]
    Certificate.objects.filter(agency=a1, qualification=w.q_survey).update(valid_until=dt.date(2026, 3, 31))
    out = StringIO()
    with clock.frozen(at(dt.date(2026, 3, 31), 2)):
        call_command("intermediary_daily", stdout=out)
    assert out.getvalue() == "资质过期暂停承接：0；资质更新恢复承接：0\n"
    assert not CreditRecord.objects.exists()
    out = StringIO()
    with clock.frozen(at(APRIL, 2)):
        call_command("intermediary_daily", stdout=out)
    assert out.getvalue() == "资质过期暂停承接：1；资质更新恢复承接：0\n2026年03月信用评价：8家机构\n"
    assert Offering.objects.get(agency=a1, service=w.survey).status == OfferingStatus.SUSPENDED
    assert CreditRecord.objects.filter(month=MARCH).count() == 8
