"""The demo's 网上中介服务超市, built on the demo county (``load_demo``) in an empty marketplace: the service list
linked to real catalog items, agencies in every status (one downgraded to D and suspended, one delisted with
its appeal pending, one with an expired certificate), purchases in every status and every mode whose draws
recompute, six months of credit; no period overdue when built; idempotent."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from zhengwu.core.validators import validate_id_number, validate_uscc
from zhengwu.demo.build import load_demo
from zhengwu.demo.people import DEMO_PASSWORD
from zhengwu.intermediary.demo import (
    CODE_PREFIX,
    CREDIT_MONTHS,
    DEPARTMENTS,
    build_intermediary,
)
from zhengwu.intermediary.models import (
    Agency,
    AgencyStatus,
    Appeal,
    BiddingRule,
    CreditEvent,
    CreditRecord,
    Event,
    LinkStage,
    MeritRule,
    Mode,
    Offering,
    OfferingStatus,
    Owner,
    OwnerKind,
    Purchase,
    PurchaseStatus,
    Rating,
    Service,
    ServiceLink,
    SignupStatus,
)
from zhengwu.intermediary.services import draws
from zhengwu.intermediary.services.catalog import services_for_item
from zhengwu.org.models import Role, Staff

pytestmark = pytest.mark.django_db

DOWNGRADED_NAME = "示范县信达测绘有限公司"
DELISTED_NAME = "河南中安安全技术有限公司"
EXPIRED_NAME = "山东鲁环生态技术有限公司"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo county as ``load_demo`` leaves it (no marketplace yet), then ``build_intermediary``; rolled
    back after the module. Uploads go to a throw-away media directory."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                             MEDIA_ROOT=tempfile.mkdtemp(prefix="zhengwu-intermediary-demo-"))
    with django_db_blocker.unblock(), fast, transaction.atomic():
        load_demo()
        assert not Agency.objects.exists() and not Purchase.objects.exists() and not Service.objects.exists()
        yield build_intermediary()
        transaction.set_rollback(True)


def test_every_status_and_every_mode(demo):
    assert demo["created"] is True
    assert set(Purchase.objects.values_list("status", flat=True)) == set(PurchaseStatus.values)
    assert set(Purchase.objects.values_list("mode", flat=True)) == set(Mode.values)
    assert set(Purchase.objects.filter(mode=Mode.BIDDING).values_list("bidding_rule", flat=True)) == \
        set(BiddingRule.values)
    assert set(Purchase.objects.filter(mode=Mode.MERIT).values_list("merit_rule", flat=True)) == set(MeritRule.values)
    assert {p for p in Purchase.objects.values_list("price_mode", flat=True)} == {"fixed", "range", "discount"}
    assert demo["purchases"] == Purchase.objects.count() == 29
    assert set(demo["statuses"]) == set(PurchaseStatus.labels) and all(demo["statuses"].values())
    assert sum(demo["modes"].values()) == 29
    # who buys: enterprises, a person and government units (two of them commissioning during review)
    kinds = set(Purchase.objects.values_list("owner__kind", flat=True))
    assert kinds == set(OwnerKind.values)
    review = [p for p in Purchase.objects.exclude(item=None).select_related("owner")
              if ServiceLink.objects.get(service=p.service, item=p.item).stage == LinkStage.REVIEW]
    assert len(review) == 2 and {p.owner.kind for p in review} == {OwnerKind.GOVERNMENT}


def test_service_list_linked_to_catalog_items(demo):
    services = list(Service.objects.filter(code__startswith=CODE_PREFIX))
    assert len(services) == demo["services"] == 20
    for s in services:
        assert s.basis and s.time_limit >= 1 and s.qualifications.exists()
        assert s.department.name in DEPARTMENTS.values()
        links = list(s.links.select_related("item__department"))
        assert links, s.name
        for link in links:
            assert link.basis.startswith("《") and link.item.department.region.code == "130621000000"
            assert link.item.current_id is not None  # a published item of the county's catalog
    assert ServiceLink.objects.count() == demo["links"] == 23
    eia = ServiceLink.objects.get(item__name="建设项目环境影响报告书审批", stage=LinkStage.REVIEW)
    assert eia.review_limit == 30 and "第四十五条" in eia.basis
    needed = [link.service.name for link in services_for_item(eia.item)]
    assert needed == ["建设项目环境影响报告书编制", "建设项目环境影响报告书技术评估"]
    approval = ServiceLink.objects.get(item__name="企业投资项目核准")
    assert approval.stage == LinkStage.REVIEW and "第九条" in approval.basis
    assert ServiceLink.objects.get(item__name="建筑工程施工许可证核发（新办）").service.name == "施工图设计文件审查"


def test_agencies_in_every_status(demo):
    assert Agency.objects.count() == demo["agencies"] == 40
    assert set(Agency.objects.values_list("status", flat=True)) == set(AgencyStatus.values)
    assert demo["agency_statuses"] == {"填报中": 1, "待审核": 1, "退回修改": 1, "已入驻": 35, "暂停选取": 1, "已清退": 1}
    returned = Agency.objects.get(status=AgencyStatus.RETURNED)
    assert "承诺书" in returned.review_note
    for a in Agency.objects.all():
        assert validate_uscc(a.uscc) == a.uscc
        assert validate_id_number(a.contact_id_number) == a.contact_id_number
        assert a.members.count() == 1 and a.pledge_signed_at is not None and a.licence
        assert a.certificates.exists() and a.practitioners.count() == 2 and a.offerings.exists()
    outside = Agency.objects.exclude(home_region__startswith="河北省")
    assert outside.count() >= 8 and {"北京市海淀区", "天津市滨海新区", "江苏省南京市"} <= set(
        outside.values_list("home_region", flat=True))


def test_expired_certificate_suspends_offerings(demo):
    agency = Agency.objects.get(name=EXPIRED_NAME)
    assert agency.status == AgencyStatus.ACTIVE
    assert agency.certificates.get().valid_until == dt.date(2026, 10, 31)
    offerings = list(agency.offerings.all())
    assert len(offerings) == 2 and all(o.status == OfferingStatus.SUSPENDED for o in offerings)
    assert all(o.status_reason.startswith("资质证书已过期") for o in offerings)
    assert Offering.objects.filter(status=OfferingStatus.SUSPENDED).count() == demo["suspended_offerings"] == 2


def test_agency_downgraded_to_d_is_suspended(demo):
    """June: rating 85, department 90, market 90 → (5×85+3×90+2×90)/10 = 87.50, minus 10 for declining after
    selection = 77.50 (C). July: ratings 85 and 55 (late, poor) → 70.00 → 80.00 weighted, minus 10+5+3 = 62.00
    (D): suspended from the July recalculation on, still D through November."""
    agency = Agency.objects.get(name=DOWNGRADED_NAME)
    assert agency.status == AgencyStatus.SUSPENDED and agency.credit_grade == "D"
    assert agency.status_reason.startswith("信用等级为D（2026年07月")
    grades = list(agency.credit_records.order_by("month").values_list("month", "score", "grade"))
    assert [(m.month, str(s), g) for m, s, g in grades] == [
        (6, "77.50", "C"), (7, "62.00", "D"), (8, "62.00", "D"), (9, "62.00", "D"), (10, "62.00", "D"),
        (11, "62.00", "D")]
    rules = sorted(agency.credit_events.values_list("rule__code", flat=True))
    assert rules == ["decline_after_selection", "late_delivery", "poor_rating"]
    late = Rating.objects.get(agency=agency, late=True)
    assert late.score == 55 and late.purchase.status == PurchaseStatus.COMPLETED
    assert Event.objects.filter(agency=agency, action="agency_suspend").count() == 1


def test_agency_delisted_with_appeal_pending(demo):
    from zhengwu.supervision.models.cards import Clock, ClockState

    agency = Agency.objects.get(name=DELISTED_NAME)
    assert agency.status == AgencyStatus.DELISTED and agency.credit_grade == "E"
    october = agency.credit_records.get(month=dt.date(2026, 10, 1))
    assert october.vetoed is True and october.grade == "E" and october.score > 90  # the veto, not the score
    event = CreditEvent.objects.get(agency=agency)
    assert event.rule.code == "false_materials" and event.rule.veto and event.state == CreditEvent.State.VALID
    appeal = Appeal.objects.get(agency=agency)
    assert appeal.state == Appeal.State.PENDING and appeal.event == event and appeal.kind == Appeal.Kind.APPEAL
    clock = Clock.objects.get(kind__code="intermediary_appeal", subject_id=agency.pk, part=appeal.pk)
    assert clock.state == ClockState.RUNNING and clock.due_date == dt.date(2026, 12, 18)
    assert not agency.credit_records.filter(month=dt.date(2026, 11, 1)).exists()  # delisted: not recomputed


def test_failed_purchases_were_republished(demo):
    failed = {p.code: p for p in Purchase.objects.filter(status=PurchaseStatus.FAILED)}
    assert len(failed) == 2
    too_few = next(p for p in failed.values() if "少于" in p.status_reason)
    assert too_few.signups.count() == 2 and too_few.min_participants == 3 and too_few.funding == "state"
    declined = next(p for p in failed.values() if p is not too_few)
    assert declined.signups.get(status=SignupStatus.DECLINED).agency.name == DOWNGRADED_NAME
    for p in failed.values():
        again = Purchase.objects.get(previous=p)
        assert again.status == PurchaseStatus.COMPLETED and again.service_id == p.service_id
        assert again.published_at is not None and again.rating.score >= 90


def test_draws_recompute_from_the_published_record(demo):
    drawn = Purchase.objects.filter(selected__isnull=False).exclude(seed="")
    rules = set()
    for p in drawn:
        record = p.draw
        assert hashlib.sha256(record["seed"].encode()).hexdigest() == p.seed_hash == record["seed_hash"]
        publish = p.events.get(action="publish")
        assert publish.data["seed_hash"] == p.seed_hash and publish.at < p.signup_deadline
        result = draws.verify(record)
        if record["rule"] == "credit":
            assert p.selected.agency.uscc in result
        else:
            assert result == p.selected.agency.uscc, p.code
        rules.add(record["rule"])
    assert rules == {"random", "lowest", "average", "credit"}
    average = drawn.filter(bidding_rule=BiddingRule.AVERAGE, funding="state").get()
    assert len(average.draw["candidates"]) == 5 and draws.verify(average.draw) == average.selected.agency.uscc
    shortlisted = Purchase.objects.get(status=PurchaseStatus.SHORTLISTED)
    assert sorted(draws.verify(shortlisted.draw)) == sorted(
        shortlisted.signups.filter(status=SignupStatus.SHORT_LISTED).values_list("agency__uscc", flat=True))
    assert shortlisted.draw["short_list_size"] == 2


def test_six_months_of_credit(demo):
    assert set(CreditRecord.objects.values_list("month", flat=True)) == set(CREDIT_MONTHS)
    assert CreditRecord.objects.count() == demo["credit_records"]
    admitted = Agency.objects.filter(status__in=[AgencyStatus.ACTIVE, AgencyStatus.SUSPENDED])
    for a in admitted:
        assert a.credit_records.count() == 6 and a.credit_grade
        november = a.credit_records.get(month=dt.date(2026, 11, 1))
        assert november.explanation and november.grade == a.credit_grade
    rated = Agency.objects.filter(ratings__isnull=False).distinct()
    assert rated.count() >= 10
    assert all(r.owner_score is not None for r in CreditRecord.objects.filter(
        agency__in=rated, month=dt.date(2026, 11, 1)))


def test_running_clocks_not_overdue_when_built(demo):
    """Every period still running after the last step (2026-12-04) ends on 2026-12-07 or later."""
    from zhengwu.supervision.models.cards import Clock, ClockState

    running = Clock.objects.filter(kind__code__startswith="intermediary", state=ClockState.RUNNING)
    kinds = sorted(running.values_list("kind__code", flat=True))
    assert kinds == ["intermediary_appeal", "intermediary_confirm", "intermediary_contract", "intermediary_rating",
                     "intermediary_review", "intermediary_service", "intermediary_service"]
    assert min(running.values_list("due_date", flat=True)) >= dt.date(2026, 12, 7)
    open_signup = Purchase.objects.get(status=PurchaseStatus.SIGNUP)
    assert open_signup.signup_deadline.date() >= dt.date(2026, 12, 7)


def test_logins(demo):
    assert demo["password"] == DEMO_PASSWORD
    names = [x.username for x in demo["logins"]]
    assert len(names) == len(set(names)) == 18
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    assert len(users) == 18 and all(u.check_password(DEMO_PASSWORD) for u in users.values())
    admin = Staff.objects.get(user__username="zjcs")
    assert admin.roles.filter(code=Role.INTERMEDIARY_ADMIN).exists() and admin.hall.code == "SFXZW"
    supervisors = Staff.objects.filter(roles__code=Role.INTERMEDIARY_SUPERVISOR)
    assert set(supervisors.values_list("department__name", flat=True)) == set(DEPARTMENTS.values())
    owners = {Owner.objects.get(members=users[u]).kind for u in names if u.startswith("yz_")}
    assert owners == set(OwnerKind.values)
    assert all(Agency.objects.filter(members=users[u]).exists() for u in names if u.startswith("zjjg"))
    from zhengwu.accounts.models import ApiToken, hash_token

    assert all(ApiToken.objects.filter(key_hash=hash_token(x.token)).exists() for x in demo["logins"])


def test_second_run_makes_nothing(demo):
    steps = Event.objects.count()
    again = build_intermediary()
    assert Event.objects.count() == steps
    assert again["created"] is False
    assert again["purchases"] == demo["purchases"] and again["agencies"] == 40 and again["services"] == 20
    assert CreditRecord.objects.count() == demo["credit_records"]
