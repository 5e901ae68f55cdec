"""After the selection: confirm or decline, the contract, extensions, delivery, rating, termination — with the
supervised clocks and the credit records they leave."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.testing import upload
from zhengwu.intermediary.models import (
    Contract,
    CreditEvent,
    Event,
    Extension,
    ExtensionState,
    Funding,
    Mode,
    PurchaseStatus,
    Rating,
    Signup,
    SignupStatus,
)
from zhengwu.intermediary.services.purchases import purchase_act
from zhengwu.intermediary.services.service import (
    contract_register,
    extension_decide,
    extension_request,
    purchase_confirm,
    purchase_decline,
    purchase_terminate,
    rating_create,
    result_deliver,
)
from zhengwu.supervision.models import Clock, ClockState

from .factories import at, build_world
from .test_purchases import SELECT_AT, _media, member, published, reload, select, sign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


def clocks(p) -> dict:
    rows = Clock.objects.filter(subject_type="intermediary.purchase", subject_id=p.pk)
    return {c.kind_id.removeprefix("intermediary_"): (c.state, c.due_date, c.late) for c in rows}


def selected(w, **over):
    """A purchase selected on Tuesday 10 March 09:00 (three sign-ups, state money, random)."""
    over.setdefault("funding", Funding.STATE)
    p = published(w, **over)
    for a in w.agencies[:3]:
        sign(p, a, **({"quote": "20000"} if over.get("mode") == Mode.BIDDING else {}))
    p = select(p)
    assert p.status == PurchaseStatus.SELECTED
    return p


def agency_user(p):
    return member(p.selected.agency)


def confirmed(w, **over):
    p = selected(w, **over)
    with clock.frozen(at(D(2026, 3, 10), 10)):
        return purchase_confirm(purchase_id=p.pk, user=agency_user(p))


def in_service(w, **over):
    p = confirmed(w, **over)
    with clock.frozen(at(D(2026, 3, 11), 10)):
        contract_register(purchase_id=p.pk, user=member(p.owner), amount="20000", signed_on="2026-03-11",
                          service_start="2026-03-12")
    return reload(p)


def deliver(p, day, name="成果报告.pdf"):
    with clock.frozen(at(day, 15)):
        return result_deliver(purchase_id=p.pk, user=agency_user(p), result_file=upload(name), note="报告表已编制完成")


def test_the_whole_service_on_time_with_an_agreed_extension(w):
    p = selected(w)
    assert clocks(p) == {"confirm": (ClockState.RUNNING, D(2026, 3, 12), None)}
    with clock.frozen(at(D(2026, 3, 10), 10)), pytest.raises(PermissionDenied):
        purchase_confirm(purchase_id=p.pk, user=member(next(a for a in w.agencies if a != p.selected.agency)))
    with clock.frozen(at(D(2026, 3, 10), 10)):
        p = purchase_confirm(purchase_id=p.pk, user=agency_user(p))
    assert p.status == PurchaseStatus.CONFIRMED
    assert clocks(p) == {"confirm": (ClockState.FINISHED, D(2026, 3, 12), False),
                         "contract": (ClockState.RUNNING, D(2026, 3, 17), None)}

    owner = member(p.owner)
    refusals = [
        (dict(amount="30000.01", signed_on="2026-03-11", service_start="2026-03-12"), "超过最高限价30000.00元"),
        (dict(amount="9000", signed_on="2026-03-11", service_start="2026-03-12"), "低于最低限价10000.00元"),
        (dict(amount="20000", signed_on="2026-03-12", service_start="2026-03-12"), "合同签订日期不能晚于今天"),
        (dict(amount="20000", signed_on="2026-03-11", service_start="2026-03-10"), "服务开始日期不能早于合同签订日期"),
        (dict(amount="20000", signed_on="11/03/2026", service_start="2026-03-12"), "请填写合同签订日期"),
        (dict(amount="20000", signed_on="2026-03-11", service_start="2026-03-12", file=upload("合同.docx")),
         "仅支持：pdf、ofd、jpg、jpeg、png"),
    ]
    for data, words in refusals:
        with clock.frozen(at(D(2026, 3, 11), 10)), pytest.raises(DomainError) as e:
            contract_register(purchase_id=p.pk, user=owner, **data)
        assert words in e.value.message, e.value.message
    assert (reload(p).status, Contract.objects.count()) == (PurchaseStatus.CONFIRMED, 0)
    assert clocks(p)["contract"][0] == ClockState.RUNNING

    with clock.frozen(at(D(2026, 3, 11), 10)):
        answer = purchase_act(purchase_id=p.pk, user=owner, action="register_contract",
                              data={"amount": "20000", "signed_on": "2026-03-11", "service_start": "2026-03-12",
                                    "file": upload("合同.pdf")})
    # 20 working days from Thursday 12 March (清明 4–6 April not counted): Friday 10 April.
    assert answer == {"status": "in_service", "service_end": "2026-04-10"}
    contract = Contract.objects.get(purchase=p)
    assert (contract.amount, contract.service_start, contract.service_end) == (
        Decimal("20000.00"), D(2026, 3, 12), D(2026, 4, 10))
    assert clocks(p)["contract"] == (ClockState.FINISHED, D(2026, 3, 17), False)
    service_clock = Clock.objects.get(subject_id=p.pk, kind_id="intermediary_service")
    assert (service_clock.state, service_clock.due_date, service_clock.department_id) == (
        ClockState.RUNNING, D(2026, 4, 10), w.env.pk)

    with clock.frozen(at(D(2026, 4, 1), 10)):
        e = extension_request(purchase_id=p.pk, user=agency_user(p), days=5, reason="补充监测数据")
        with pytest.raises(DomainError) as again:
            extension_request(purchase_id=p.pk, user=agency_user(p), days=2, reason="再延")
        assert again.value.code == "intermediary_extension_pending"
        with pytest.raises(PermissionDenied):
            extension_decide(purchase_id=p.pk, user=agency_user(p), approve=True)
        answer = purchase_act(purchase_id=p.pk, user=owner, action="decide_extension", data={"approve": "true"})
    assert answer == {"status": "in_service", "extension_state": "approved", "service_end": "2026-04-17"}
    e = Extension.objects.get(pk=e.pk)
    assert (e.state, e.new_end) == (ExtensionState.APPROVED, D(2026, 4, 17))
    assert Contract.objects.get(purchase=p).service_end == D(2026, 4, 17)
    assert clocks(p)["service"] == (ClockState.RUNNING, D(2026, 4, 17), None)

    # A result of the wrong type is refused and changes nothing.
    for name, body, code in (("成果.zip", b"PK\x03\x04", "file_type"), ("成果.pdf", b"not a pdf", "file_content")):
        with clock.frozen(at(D(2026, 4, 16), 15)), pytest.raises(DomainError) as bad:
            result_deliver(purchase_id=p.pk, user=agency_user(p), result_file=upload(name, body), note="")
        assert bad.value.code == code
    assert reload(p).status == PurchaseStatus.IN_SERVICE and not reload(p).result_file
    assert clocks(p)["service"][0] == ClockState.RUNNING

    p = deliver(p, D(2026, 4, 16))  # after the first end, before the agreed one: on time
    assert (p.status, p.result_note) == (PurchaseStatus.DELIVERED, "报告表已编制完成")
    assert p.result_file.name.endswith(".pdf")
    assert clocks(p)["service"] == (ClockState.FINISHED, D(2026, 4, 17), False)
    assert CreditEvent.objects.count() == 0
    with clock.frozen(at(D(2026, 4, 17), 9)), pytest.raises(DomainError) as e:
        rating_create(purchase_id=p.pk, user=owner, quality=6, timeliness=5, price=5, attitude=5)
    assert e.value.message == "服务质量评分应在1至5之间"
    with clock.frozen(at(D(2026, 4, 17), 9)):
        answer = purchase_act(purchase_id=p.pk, user=owner, action="rate",
                              data={"quality": "5", "timeliness": "4", "price": "5", "attitude": "4", "comment": "专业"})
    rating = Rating.objects.get(purchase=p)
    assert answer == {"status": "completed", "rating_id": rating.pk, "score": "90", "late": False}
    assert (rating.agency, rating.late, reload(p).status) == (p.selected.agency, False, PurchaseStatus.COMPLETED)
    assert "rating" not in clocks(p)  # an enterprise owner's rating is not a supervised clock
    assert list(Event.objects.filter(purchase=p).values_list("action", flat=True)) == [
        "create", "publish", "select", "confirm", "register_contract", "request_extension", "decide_extension",
        "deliver", "rate"]


def test_late_delivery_and_a_poor_rating_count_against_the_agency(w):
    p = in_service(w)
    p = deliver(p, D(2026, 4, 13))  # the end was Friday 10 April
    assert clocks(p)["service"] == (ClockState.FINISHED, D(2026, 4, 10), True)
    agency = p.selected.agency
    assert list(CreditEvent.objects.filter(agency=agency).values_list("rule__code", "purchase", "on")) == [
        ("late_delivery", p.pk, D(2026, 4, 13))]
    with clock.frozen(at(D(2026, 4, 14), 9)):
        rating = rating_create(purchase_id=p.pk, user=member(p.owner), quality=2, timeliness=1, price=3, attitude=3,
                               comment="逾期且质量一般")
    assert (rating.score, rating.late) == (Decimal("45"), True)
    assert sorted(CreditEvent.objects.filter(agency=agency).values_list("rule__code", flat=True)) == [
        "late_delivery", "poor_rating"]


def test_refused_extensions(w):
    p = in_service(w)
    with clock.frozen(at(D(2026, 3, 20), 9)), pytest.raises(DomainError) as e:
        extension_decide(purchase_id=p.pk, user=member(p.owner), approve=True)
    assert e.value.message == "没有待决定的延期申请"
    with clock.frozen(at(D(2026, 3, 20), 9)), pytest.raises(DomainError) as e:
        extension_request(purchase_id=p.pk, user=agency_user(p), days=0, reason="x")
    assert e.value.message == "延长工作日应在1至20之间"
    with clock.frozen(at(D(2026, 4, 13), 9)), pytest.raises(DomainError) as e:
        extension_request(purchase_id=p.pk, user=agency_user(p), days=3, reason="来不及")
    assert e.value.message == "服务期限已于2026年04月10日届满，不能再申请延期"
    with clock.frozen(at(D(2026, 3, 20), 9)):
        extension_request(purchase_id=p.pk, user=agency_user(p), days=3, reason="资料未齐")
        e = extension_decide(purchase_id=p.pk, user=member(p.owner), approve=False)
    assert (e.state, e.new_end) == (ExtensionState.REFUSED, None)
    assert Contract.objects.get(purchase=p).service_end == D(2026, 4, 10)
    assert clocks(p)["service"][1] == D(2026, 4, 10)


def test_decline_after_selection_fails_the_purchase_and_counts_against_the_agency(w):
    p = selected(w)
    with clock.frozen(at(D(2026, 3, 11), 9)), pytest.raises(DomainError) as e:
        purchase_decline(purchase_id=p.pk, user=agency_user(p), reason="")
    assert e.value.message == "请填写放弃理由"
    agency = p.selected.agency
    with clock.frozen(at(D(2026, 3, 11), 9)):
        p = purchase_decline(purchase_id=p.pk, user=agency_user(p), reason="人员不足")
    assert (p.status, p.status_reason) == (PurchaseStatus.FAILED, f"中选机构{agency.name}放弃：人员不足")
    assert Signup.objects.get(purchase=p, agency=agency).status == SignupStatus.DECLINED
    assert list(CreditEvent.objects.values_list("agency", "rule__code")) == [(agency.pk, "decline_after_selection")]
    assert clocks(p) == {"confirm": (ClockState.FINISHED, D(2026, 3, 12), False)}


def test_a_government_owners_rating_is_supervised(w):
    p = in_service(w, owner=w.government, service=w.drawings, service_days=15, title="县住建局办公楼施工图审查")
    p = deliver(p, D(2026, 3, 20))
    rating_clock = Clock.objects.get(subject_id=p.pk, kind_id="intermediary_rating")
    assert (rating_clock.state, rating_clock.department_id, rating_clock.due_date) == (
        ClockState.RUNNING, w.housing.pk, D(2026, 4, 3))
    with clock.frozen(at(D(2026, 3, 23), 9)):
        rating_create(purchase_id=p.pk, user=member(p.owner), quality=5, timeliness=5, price=5, attitude=5)
    assert clocks(p)["rating"] == (ClockState.FINISHED, D(2026, 4, 3), False)


def test_contract_cannot_exceed_the_winning_quote(w):
    p = confirmed(w, mode=Mode.BIDDING, bidding_rule="lowest")
    with clock.frozen(at(D(2026, 3, 11), 10)), pytest.raises(DomainError) as e:
        contract_register(purchase_id=p.pk, user=member(p.owner), amount="20000.50", signed_on="2026-03-11",
                          service_start="2026-03-12")
    assert e.value.message == "合同金额20000.50元超过中选报价20000.00元"
    assert reload(p).status == PurchaseStatus.CONFIRMED


def test_terminate_ends_the_clocks_uncounted(w):
    p = in_service(w)
    with clock.frozen(at(D(2026, 3, 20), 9)), pytest.raises(PermissionDenied):
        purchase_terminate(purchase_id=p.pk, user=agency_user(p), reason="x")
    with clock.frozen(at(D(2026, 3, 20), 9)):
        p = purchase_terminate(purchase_id=p.pk, user=member(p.owner), reason="项目取消")
    assert (p.status, p.status_reason) == (PurchaseStatus.TERMINATED, "项目取消")
    assert clocks(p)["service"] == (ClockState.FINISHED, D(2026, 4, 10), None)
    with clock.frozen(at(D(2026, 3, 20), 10)):
        answer = purchase_act(purchase_id=p.pk, user=member(p.owner), action="republish",
                              data={"signup_deadline": "2026-03-27T17:00", "select_at": "2026-03-30T09:00"})
    assert answer["status"] == "signup" and answer["previous"] == p.code


def test_actions_out_of_order_are_refused(w):
    p = selected(w)
    with clock.frozen(SELECT_AT), pytest.raises(DomainError) as e:
        result_deliver(purchase_id=p.pk, user=agency_user(p), result_file=upload("成果.pdf"), note="")
    assert e.value.message == "采购公告当前状态为“待机构确认”，不能提交服务成果"
