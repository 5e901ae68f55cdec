"""The marketplace's scoped reads: what the public sees (no drafts, no ID numbers, no sign-up before the
selection), who may open a purchase's working view, the administrator's queue, credit explained.

Rows are set here directly in the states the services would leave them in: these tests test the reads."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from zhengwu.core import clock
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.intermediary import selectors
from zhengwu.intermediary.models import (
    AgencyChange,
    AgencyStatus,
    Appeal,
    CreditEvent,
    CreditRecord,
    CreditRule,
    Event,
    Mode,
    OfferingStatus,
    PurchaseStatus,
    Rating,
    ServiceStatus,
    Signup,
    SignupStatus,
)
from zhengwu.intermediary.tests.factories import DAY, at, build_world, purchase

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with clock.frozen(at(DAY, 9)):
        return build_world()


def dump(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def signed_up(w, p, which=(0, 1, 2)):
    for i in which:
        a = w.agencies[i]
        Signup.objects.create(purchase=p, agency=a, at=at(DAY, 10 + i), quote=Decimal(20000 + 1000 * i),
                              credit_score=Decimal("85"))
    return list(p.signups.order_by("agency__uscc"))


def published(w, **fields):
    p = purchase(w, **fields)
    p.status = PurchaseStatus.SIGNUP
    p.published_at = at(DAY, 9)
    p.seed_hash = "a" * 64
    p.save()
    return p


def selected(w, p, winner: int = 1):
    rows = signed_up(w, p)
    win = next(s for s in rows if s.agency == w.agencies[winner])
    Signup.objects.filter(purchase=p).update(status=SignupStatus.NOT_SELECTED)
    Signup.objects.filter(pk=win.pk).update(status=SignupStatus.SELECTED)
    p.status = PurchaseStatus.SELECTED
    p.seed = "b" * 64
    p.selected = win
    p.selected_at = at(DAY + dt.timedelta(days=8), 9)
    p.draw = {"rule": "random", "candidates": [s.agency.uscc for s in rows], "result": win.agency.uscc}
    p.save()
    return p


# -- the service list ---------------------------------------------------------------------------------------


def test_services_list_shows_active_services_by_item_and_text(w):
    w.survey.status = ServiceStatus.CANCELLED
    w.survey.save()

    assert [s.code for s in selectors.services_list()] == ["ZJ001", "ZJ002"]
    assert [s.code for s in selectors.services_list(item_id=w.env_item.pk)] == ["ZJ001"]
    assert [s.code for s in selectors.services_list(q="审图")] == ["ZJ002"]
    assert [s.code for s in selectors.services_list(region=w.county.code)] == ["ZJ001", "ZJ002"]
    assert list(selectors.services_list(region="999999999999")) == []


def test_service_public_names_the_items_and_the_admitted_agencies_offering_it(w):
    w.agencies[7].status = AgencyStatus.PENDING
    w.agencies[7].save()
    w.agencies[6].offerings.filter(service=w.drawings).update(status=OfferingStatus.SUSPENDED,
                                                              status_reason="资质证书已过期")

    view = selectors.service_public(selectors.service_get("ZJ002"))

    assert view["items"] == [{"item_id": w.build_item.pk, "item_code": "11130621MB0101-01",
                              "item_name": "建筑工程施工许可证核发", "basis": "《建筑工程施工许可管理办法》第四条",
                              "stage": "review", "stage_label": "审查中委托（特别程序，不计入审批时限）",
                              "review_limit": 30}]
    names = [a["name"] for a in view["agencies"]]
    assert len(names) == 7 and w.agencies[7].name not in names
    suspended = next(a for a in view["agencies"] if a["id"] == w.agencies[6].pk)
    assert suspended["status"] == "suspended" and suspended["status_reason"] == "资质证书已过期"
    with pytest.raises(NotFound):
        selectors.service_get("nope")


# -- the directory --------------------------------------------------------------------------------------------


def test_directory_shows_admitted_agencies_only_without_id_numbers(w, django_assert_max_num_queries):
    w.agencies[0].status = AgencyStatus.PENDING
    w.agencies[1].status = AgencyStatus.DELISTED
    w.agencies[2].status = AgencyStatus.SUSPENDED
    w.agencies[2].status_reason = "信用等级为D级，暂停选取"
    for a in w.agencies[:3]:
        a.save()
    w.agencies[3].credit_grade = "A"
    w.agencies[3].save()

    w.agencies[5].certificates.filter(qualification=w.q_survey).update(valid_until=DAY - dt.timedelta(days=1))

    with clock.frozen(at(DAY, 12)), django_assert_max_num_queries(5):
        rows = selectors.agencies_directory()

    ids = [r["id"] for r in rows]
    assert w.agencies[0].pk not in ids and w.agencies[1].pk not in ids and len(rows) == 6
    text = dump(rows)
    for a in w.agencies:
        assert a.contact_id_number not in text
        for p in a.practitioners.all():
            assert p.id_number not in text
    expired = next(r for r in rows if r["id"] == w.agencies[5].pk)
    assert expired["qualifications"] == ["施工图审查机构认定", "环境影响评价能力"]
    row = next(r for r in rows if r["id"] == w.agencies[2].pk)
    assert row["status_label"] == "暂停选取" and row["status_reason"] == "信用等级为D级，暂停选取"
    assert [o["service_code"] for o in row["offerings"]] == ["ZJ001", "ZJ002", "ZJ003"]
    assert row["offerings"][0]["price_min"] == Decimal("5000")
    assert [r["id"] for r in selectors.agencies_directory(grade="a")] == [w.agencies[3].pk]
    # withdrawn from one service: still listed under the others
    w.agencies[4].offerings.filter(service=w.survey).update(status=OfferingStatus.WITHDRAWN)
    assert w.agencies[4].pk in [r["id"] for r in selectors.agencies_directory(service_code="ZJ001")]
    assert w.agencies[4].pk not in [r["id"] for r in selectors.agencies_directory(service_code="ZJ003")]
    assert len(selectors.agencies_directory(limit=2, offset=1)) == 2


def test_directory_counts_completed_services_and_averages_ratings(w):
    a = w.agencies[4]
    for n, (q, t, pr, att) in enumerate([(5, 5, 5, 5), (3, 4, 4, 4)]):
        p = published(w)
        s = Signup.objects.create(purchase=p, agency=a, at=at(DAY, 10), status=SignupStatus.SELECTED)
        p.status = PurchaseStatus.COMPLETED
        p.selected = s
        p.save()
        Rating.objects.create(purchase=p, agency=a, quality=q, timeliness=t, price=pr, attitude=att,
                              at=at(DAY + dt.timedelta(days=30 + n), 9))
    other = published(w)
    s = Signup.objects.create(purchase=other, agency=a, at=at(DAY, 10), status=SignupStatus.SELECTED)
    other.status, other.selected = PurchaseStatus.IN_SERVICE, s
    other.save()

    row = next(r for r in selectors.agencies_directory(q="天衡"))

    # (5+5+5+5)×5 = 100 and (3+4+4+4)×5 = 75: the mean is 87.50; the one in service is not completed
    assert row["id"] == a.pk and row["completed_count"] == 2 and row["rating_avg"] == Decimal("87.50")
    assert selectors.agencies_directory(q="清源")[0]["completed_count"] == 0
    assert selectors.agencies_directory(q="清源")[0]["rating_avg"] is None


def test_agency_public_masks_practitioners_and_hides_unadmitted_agencies(w):
    a = w.agencies[0]
    with clock.frozen(at(DAY, 12)):
        view = selectors.agency_public(a.pk)

    p = a.practitioners.get()
    assert view["practitioners"] == [{"name": p.name, "id_number": p.id_number[:4] + "**********" + p.id_number[-4:],
                                      "title": "注册环评工程师", "certificate_no": p.certificate_no}]
    assert a.contact_id_number not in dump(view)
    assert view["certificates"][0]["expired"] is False
    a.status = AgencyStatus.RETURNED
    a.save()
    with pytest.raises(NotFound):
        selectors.agency_public(a.pk)


# -- purchases -------------------------------------------------------------------------------------------------


def test_public_purchases_never_show_drafts_nor_signups_before_the_selection(w):
    draft = purchase(w, title="尚未发布的采购")
    p = published(w)
    signed_up(w, p)

    rows = selectors.purchases_public()
    view = selectors.purchase_public(p.code)

    assert [r["code"] for r in rows] == [p.code]
    with pytest.raises(NotFound):
        selectors.purchase_public(draft.code)
    text = dump(view)
    for a in w.agencies[:3]:
        assert a.name not in text and a.uscc not in text
    assert view["signups"] == [] and "signup_count" not in view
    assert view["draw"]["seed_hash"] == "a" * 64 and view["draw"]["seed"] == "" and view["draw"]["draw"] == {}
    assert view["draw"]["revealed"] is False and view["selected_agency"] == ""


def test_after_the_selection_the_signups_seed_and_draw_are_public(w):
    p = selected(w, published(w))

    view = selectors.purchase_public(p.code)
    draw = selectors.draw_get(p.code)

    assert [s["agency"] for s in view["signups"]] == [a.name for a in sorted(w.agencies[:3], key=lambda a: a.uscc)]
    assert view["selected_agency"] == w.agencies[1].name
    assert draw["revealed"] is True and draw["seed"] == "b" * 64 and draw["selected_uscc"] == w.agencies[1].uscc
    assert draw["draw"]["candidates"] == sorted(a.uscc for a in w.agencies[:3])
    assert draw["recipe"] and "SHA-256" in draw["recipe"][0] and "hashlib" in draw["snippet"]


def test_a_person_owner_is_masked_in_public(w):
    p = published(w, owner=w.person, contact_name="张三", contact_phone="13900000002")

    view = selectors.purchase_public(p.code)

    assert view["owner"] == "张*" and view["contact_name"] == "张*" and view["contact_phone"] == "139****0002"
    assert w.person.id_number not in dump(view)


def test_filters_of_the_public_list(w, django_assert_max_num_queries):
    a = published(w, mode=Mode.RANDOM, title="随机选取的环评")
    b = published(w, mode=Mode.BIDDING, service=w.survey, title="竞价的房产测绘", bidding_rule="lowest")
    selected(w, published(w, title="已选取的"))

    with django_assert_max_num_queries(1):
        assert len(selectors.purchases_public()) == 3

    assert [r["code"] for r in selectors.purchases_public(mode="bidding")] == [b.code]
    assert a.code in [r["code"] for r in selectors.purchases_public(service_code="ZJ001")]
    assert b.code not in [r["code"] for r in selectors.purchases_public(service_code="ZJ001")]
    assert [r["code"] for r in selectors.purchases_public(q="测绘")] == [b.code]
    assert selectors.purchases_public(status="completed") == []


def test_working_view_scopes(w):
    p = published(w)
    signed_up(w, p, which=(0, 1))
    owner = w.enterprise.members.get()
    first = w.agencies[0].members.get()
    outsider_agency = w.agencies[5].members.get()

    mine = selectors.purchase_for_user(purchase_id=p.pk, user=first)
    assert mine["roles"] == ["agency"] and mine["my_signup"]["agency"] == w.agencies[0].name
    assert mine["signups"] == [] and mine["signup_count"] is None
    assert w.agencies[1].name not in dump({k: v for k, v in mine.items() if k != "purchase"})
    assert [a["action"] for a in mine["actions"]] == ["withdraw_signup"]

    Event.objects.create(purchase=p, action="close_signup", label="报名截止", at=clock.now(), note="有效报名2家")
    own = selectors.purchase_for_user(purchase_id=p.pk, user=owner)
    assert own["roles"] == ["owner"] and own["my_signup"] is None and own["signup_count"] is None
    assert [(e["action"], e["note"]) for e in own["events"]] == [("close_signup", "")]
    assert {a["action"] for a in own["actions"]} == {"close_signup", "select", "cancel"}

    assert selectors.purchase_for_user(purchase_id=p.pk, user=w.admin.user)["roles"] == ["admin"]
    assert selectors.purchase_for_user(purchase_id=p.pk, user=w.env_supervisor.user)["roles"] == ["supervisor"]
    # an admitted agency that has not signed up may read the notice to sign up
    assert selectors.purchase_for_user(purchase_id=p.pk, user=outsider_agency)["roles"] == ["candidate"]
    for stranger in (w.foreign_admin.user, w.housing_supervisor.user, w.person.members.get()):
        with pytest.raises(PermissionDenied):
            selectors.purchase_for_user(purchase_id=p.pk, user=stranger)
    with pytest.raises(NotFound):
        selectors.purchase_for_user(purchase_id=999999, user=owner)

    draft = purchase(w)
    with pytest.raises(PermissionDenied):
        selectors.purchase_for_user(purchase_id=draft.pk, user=outsider_agency)
    assert selectors.purchase_for_user(purchase_id=draft.pk, user=owner)["actions"][0]["action"] == "publish"


def test_my_purchases_and_signups(w):
    p = published(w)
    signed_up(w, p, which=(2,))
    purchase(w, owner=w.government)

    assert list(selectors.my_purchases(w.enterprise.members.get())) == [p]
    assert [s.purchase_id for s in selectors.my_signups(w.agencies[2].members.get())] == [p.pk]
    assert selectors.my_agency(w.agencies[2].members.get()) == w.agencies[2]
    assert selectors.my_agency(w.enterprise.members.get()) is None
    with clock.frozen(at(DAY, 12)):
        assert list(selectors.open_purchases_for(w.agencies[3])) == [p]


# -- the administrator and credit -------------------------------------------------------------------------------


def test_admin_queue_is_the_admins_region_only(w):
    pending = w.agencies[0]
    pending.status = AgencyStatus.PENDING
    pending.save()
    change = AgencyChange.objects.create(agency=w.agencies[1], data={"address": "新地址"}, submitted_at=clock.now())
    rule = CreditRule.objects.get(code="late_delivery")
    event = CreditEvent.objects.create(agency=w.agencies[2], rule=rule, on=DAY)
    appeal = Appeal.objects.create(agency=w.agencies[2], kind=Appeal.Kind.APPEAL, event=event, reason="已按期交付",
                                   filed_at=clock.now())

    q = selectors.admin_queue(w.admin.user)

    assert list(q["agencies"]) == [pending] and list(q["changes"]) == [change] and list(q["appeals"]) == [appeal]
    foreign = selectors.admin_queue(w.foreign_admin.user)
    assert not foreign["agencies"].exists() and not foreign["appeals"].exists()
    with pytest.raises(PermissionDenied):
        selectors.admin_queue(w.env_supervisor.user)


def test_credit_explained_latest_and_given_month(w):
    a = w.agencies[0]
    for month, score, grade in [(dt.date(2026, 1, 1), "91.00", "A"), (dt.date(2026, 2, 1), "78.50", "C")]:
        CreditRecord.objects.create(agency=a, month=month, owner_score=Decimal("80"), weighted=Decimal(score),
                                    score=Decimal(score), grade=grade, explanation=[f"{month:%Y-%m} 说明"],
                                    computed_at=clock.now())

    latest = selectors.credit_explained(a.pk)
    jan = selectors.credit_explained(a.pk, dt.date(2026, 1, 15))

    assert latest["record"]["grade"] == "C" and latest["record"]["explanation"] == ["2026-02 说明"]
    assert [h["grade"] for h in latest["history"]] == ["C", "A"]
    assert jan["record"]["score"] == Decimal("91.00")
    with pytest.raises(NotFound):
        selectors.credit_explained(a.pk, dt.date(2025, 1, 1))
