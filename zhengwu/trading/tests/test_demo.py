"""The demo's 公共资源交易中心: every round status under both regimes, the re-tender after a 流标, an 异议
that paused a round (answered) and one still open, a 串通 flag, 60 experts, valid releases; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from zhengwu.core.validators import validate_id_number, validate_uscc
from zhengwu.demo.geography import COUNTY
from zhengwu.demo.people import DEMO_PASSWORD
from zhengwu.org.models import Role, Staff
from zhengwu.org.tests import factories as f
from zhengwu.trading.demo import FINANCE_DEPT, HALL_CODE, WORKS_DEPT, build_trading
from zhengwu.trading.models import (
    BidStatus,
    CollusionFlag,
    Expert,
    ExpertTie,
    FlagKind,
    Objection,
    ObjectionStatus,
    Party,
    Project,
    Regime,
    Release,
    Tender,
    TenderStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo county's org as ``load_demo`` leaves it, reduced to what the trading demo looks up (the
    county, the 住建局 and the 财政局), then ``build_trading``; rolled back after the module."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        county = f.county(code=COUNTY[0], name=COUNTY[1])
        f.hall(county, code="SFXZW", name="示范县政务服务中心")
        f.department(county, code="D101", name=WORKS_DEPT)
        f.department(county, code="D102", name=FINANCE_DEPT)
        yield build_trading()
        transaction.set_rollback(True)


def test_every_status_under_both_regimes(demo):
    for regime in Regime.values:
        found = set(Tender.objects.filter(project__regime=regime).values_list("status", flat=True))
        # 资格预审 is an engineering procedure (招标投标法实施条例第十五条)
        expected = set(TenderStatus.values) - ({TenderStatus.PREQUAL} if regime == Regime.PROCUREMENT else set())
        assert found == expected, regime
    assert demo["created"] is True
    assert demo["tenders"] == Tender.objects.count() == 26
    assert demo["projects"] == Project.objects.count() == 24
    assert sum(demo["statuses"].values()) == 26
    assert set(demo["statuses"]) == set(TenderStatus.labels)


def test_prequalification_rounds(demo):
    waiting = Tender.objects.get(status=TenderStatus.PREQUAL)
    assert waiting.prequal_deadline is not None and waiting.bid_deadline is None
    assert waiting.amendments.filter(prequal=True, affects_bids=True).count() == 1
    done = Tender.objects.get(project__name="示范县第一中学综合楼新建工程")
    assert done.prequalification and done.prequal_result_at is not None and done.status == TenderStatus.COMPLETED
    assert done.invitees.count() == 3 and done.documents_from > done.prequal_deadline


def test_a_buyer_representative_signed_a_report(demo):
    from zhengwu.trading.models import CommitteeMember

    seat = CommitteeMember.objects.get(user__username="cg_jyj")
    assert seat.expert_id is None and seat.signed_at is not None and seat.scores.count() == 3
    assert seat.committee.tender.project.name == "示范县柳林镇中心小学风雨操场工程"
    assert seat.committee.report_signed_at is not None


def test_procurement_notices_published_and_filed(demo):
    """G5 and G6 were kept: every procurement award has its result 公告, every contract its 公告 and 备案."""
    decided = Tender.objects.filter(project__regime=Regime.PROCUREMENT,
                                    status__in=[TenderStatus.AWARDED, TenderStatus.CONTRACTED, TenderStatus.COMPLETED])
    assert decided.count() == 5
    assert all(t.result_notice_on is not None for t in decided)
    contracts = [t.contract for t in decided if t.status != TenderStatus.AWARDED]
    assert len(contracts) == 4
    assert all(c.published_on and c.filed_on and c.filed_on > c.signed_on for c in contracts)


def test_retender_after_failed_round(demo):
    works = Project.objects.get(name="示范县人民路雨污分流改造工程")
    rounds = list(works.tenders.order_by("round").values_list("round", "status"))
    assert rounds == [(1, TenderStatus.FAILED), (2, TenderStatus.CONTRACTED)]
    first = works.tenders.get(round=1)
    assert first.bids.count() == 2 and "3" in first.failure_reason
    goods = Project.objects.get(name="示范县人民医院信息化系统升级采购")
    rounds = list(goods.tenders.order_by("round").values_list("round", "status"))
    assert rounds == [(1, TenderStatus.FAILED), (2, TenderStatus.DRAFT)]
    failed = goods.tenders.get(round=1)
    assert failed.bids.filter(status=BidStatus.REJECTED).count() == 2
    assert "废标" in failed.failure_reason


def test_objections_paused_and_answered(demo):
    still_open = Objection.objects.get(status=ObjectionStatus.OPEN)
    assert still_open.tender.paused is True
    assert still_open.tender.status == TenderStatus.PUBLISHED
    assert still_open.tender.project.regime == Regime.ENGINEERING
    answered = Objection.objects.filter(status=ObjectionStatus.ANSWERED)
    assert answered.count() == 2
    for o in answered:
        assert o.answer and o.answered_at and o.tender.paused is False
        assert o.tender.events.filter(action="object").exists() and o.tender.events.filter(action="answer").exists()
    assert demo["objections"] == 3 and demo["objections_open"] == 1


def test_collusion_flag(demo):
    tender = Tender.objects.get(project__name="示范县杏花乡卫生院业务用房新建工程")
    assert tender.status == TenderStatus.EVALUATING
    kinds = set(CollusionFlag.objects.filter(tender=tender).values_list("kind", flat=True))
    assert kinds == {FlagKind.SAME_MANAGER, FlagKind.SAME_DEVICE}
    flag = CollusionFlag.objects.get(tender=tender, kind=FlagKind.SAME_MANAGER)
    assert sorted(flag.bidders.values_list("name", flat=True)) == ["示范县宏基建筑工程有限公司", "示范市永固建筑有限公司"]
    assert flag.status == "open" and flag.evidence["project_manager"] == "李建军"
    # only the planted case: the other rounds' prices are irregular and their bidders independent
    assert demo["flags"] == CollusionFlag.objects.count() == 2


def test_expert_pool_and_parties(demo):
    assert Expert.objects.count() == 60 == demo["experts"]
    for e in Expert.objects.all():
        assert validate_id_number(e.id_number) == e.id_number
        assert e.specialties and e.user_id is not None and e.years >= 8
    assert ExpertTie.objects.count() == 6
    for p in Party.objects.all():
        assert validate_uscc(p.uscc) == p.uscc
    assert Party.objects.filter(is_bidder=True).count() == 9
    assert Party.objects.filter(is_agency=True).count() == 3
    assert all(p.members.exists() for p in Party.objects.filter(is_bidder=True))


def test_logins(demo):
    assert demo["password"] == DEMO_PASSWORD
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[x.username for x in demo["logins"]])}
    assert len(users) == len(demo["logins"]) == 16
    admin = Staff.objects.get(user__username="jyzx")
    assert admin.hall.code == HALL_CODE and admin.roles.filter(code=Role.TRADING_ADMIN).exists()
    for username, dept in (("jyjd_zjj", WORKS_DEPT), ("jyjd_czj", FINANCE_DEPT)):
        s = Staff.objects.get(user__username=username)
        assert s.department.name == dept and s.roles.filter(code=Role.TRADING_SUPERVISOR).exists()


def test_releases_validate(demo):
    from zhengwu.trading.ocds.validate import release_check

    assert all(Release.objects.filter(project=p).exists() for p in Project.objects.all())
    for r in Release.objects.all():
        report = release_check(r.data)
        assert report.ok, (r.release_id, report.errors[:3])


def test_second_run_makes_nothing(demo):
    again = build_trading()
    assert again["created"] is False
    assert again["tenders"] == demo["tenders"] and again["experts"] == 60
    assert Expert.objects.count() == 60 and Project.objects.count() == demo["projects"]


def test_running_clocks_not_overdue_when_built(demo):
    """Every period still running after the last step (2026-12-04) ends on the demo's today or later: no
    red card comes from the demo itself."""
    from zhengwu.supervision.models.cards import Clock, ClockState

    running = Clock.objects.filter(subject_type="trading.tender", state=ClockState.RUNNING)
    assert sorted(running.values_list("kind__code", flat=True)) == [
        "trading_award", "trading_contract", "trading_contract", "trading_objection"]
    assert min(running.values_list("due_date", flat=True)) >= dt.date(2026, 12, 6)
