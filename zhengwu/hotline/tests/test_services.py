"""Each step of the work-order transition table, its refusals, its events and its clocks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.hotline import services
from zhengwu.hotline.models import (
    Extension,
    Order,
    OrderEvent,
    OrderUnit,
    Status,
    UnitState,
)
from zhengwu.ratings.models import Rating
from zhengwu.supervision.models import Clock

from .factories import PHONE, build_world, dispatched, new_order, replied, signed

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    ConsoleNotifier.sent.clear()
    return build_world()


@pytest.fixture
def sms(django_capture_on_commit_callbacks):
    """``with sms():`` sends what the block queued for after its commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def at(y, m, d, hh, mm):
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


def snapshot(order: Order) -> tuple:
    o = Order.objects.get(pk=order.pk)
    return (
        o.status,
        o.row_version,
        OrderEvent.objects.filter(order=o).count(),
        list(OrderUnit.objects.filter(order=o).values_list("state", flat=True)),
        list(
            Clock.objects.filter(subject_id=o.pk, subject_type="hotline_order").values_list(
                "state", "kind_id"
            )
        ),
    )


def clocks(order: Order) -> list[tuple]:
    return list(
        Clock.objects.filter(subject_type="hotline_order", subject_id=order.pk)
        .order_by("id")
        .values_list("kind_id", "part", "state", "due_date", "late")
    )


# -- intake ----------------------------------------------------------------------------------------------


def test_create_records_a_pending_order_with_its_public_event(w):
    with clock.frozen(at(2026, 9, 24, 10, 0)):
        order = new_order(w)
    assert (order.no, order.status, order.kind, order.urgency, order.region, order.caller_phone) == (
        "RX2026092400001",
        Status.PENDING,
        "complaint",
        "normal",
        w.town,
        PHONE,
    )
    ev = OrderEvent.objects.get(order=order)
    assert (ev.action, ev.to_status, ev.public, ev.actor_name) == ("create", "pending", True, "周话务")
    with clock.frozen(at(2026, 9, 24, 11, 0)):
        assert new_order(w).no == "RX2026092400002"
    assert clocks(order) == []


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"caller_phone": ""}, "phone_required"),
        ({"caller_phone": "12345"}, "invalid_phone"),
        ({"category": "NOPE"}, "unknown_category"),
        ({"category": "OLD-01"}, "inactive_category"),
        ({"region": "130622000000"}, "outside_jurisdiction"),
        ({"region": "999999999999"}, "unknown_region"),
        ({"text": "字" * 2001}, "too_long"),
        ({"text": "   "}, "required"),
        ({"kind": "gossip"}, "invalid_kind"),
        ({"channel": "fax"}, "invalid_channel"),
        ({"lat": "91"}, "invalid_coordinate"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(w, over, code):
    if over.get("category") == "OLD-01":
        over = {"category": w.old}
    if over.get("region") == "130622000000":
        over = {"region": w.other_county}
    with pytest.raises(DomainError) as exc:
        new_order(w, **over)
    assert exc.value.code == code
    assert (Order.objects.count(), OrderEvent.objects.count()) == (0, 0)


def test_an_oversize_attachment_is_refused_and_writes_nothing(w, settings):
    from zhengwu.core.testing import pdf_bytes, upload

    settings.ZHENGWU_MAX_UPLOAD_BYTES = 2000
    with pytest.raises(DomainError) as exc:
        new_order(w, attachments=[upload("照片.pdf", pdf_bytes(size=5000))])
    assert exc.value.code == "file_too_large"
    assert (Order.objects.count(), OrderEvent.objects.count()) == (0, 0)


def test_anonymous_caller_needs_no_phone_and_keeps_no_name(w):
    order = new_order(w, caller_phone="", anonymous=True, caller_name="李四")
    assert (order.anonymous, order.caller_phone, order.caller_name) == (True, "", "")


def test_a_unit_officer_cannot_take_calls(w):
    with pytest.raises(DomainError) as exc:
        new_order(w, actor=w.officer)
    assert exc.value.code == "not_centre" and Order.objects.count() == 0


# -- dispatch, 签收, the clocks ------------------------------------------------------------------------


def test_dispatch_by_the_catalogue_starts_sign_and_reply_clocks_13_workdays_over_national_day(w, sms):
    # 2026-09-24 (Thu): 9/25–27 中秋, 10/1–7 国庆, 10/10 (Sat) 调休上班. 13 working days from the next day:
    # 9/28 29 30, 10/8 9 10, 12 13 14 15 16, 19 20 → 2026-10-20.
    with clock.frozen(at(2026, 9, 24, 10, 0)), sms():
        order = dispatched(w)
    assert (order.status, order.main_department, order.main_hall, order.due_on) == (
        Status.DISPATCHED,
        w.dept,
        None,
        D(2026, 10, 20),
    )
    unit = OrderUnit.objects.get(order=order)
    # 签收 in 1 working day (the next one is 9/28), 退单 within 2 (9/29)
    assert (unit.role, unit.state, unit.seq, unit.return_until) == ("main", "dispatched", 1, D(2026, 9, 29))
    assert timezone.localtime(unit.sign_due_at) == at(2026, 9, 28, 23, 59) + dt.timedelta(seconds=59)
    assert clocks(order) == [
        ("hotline_sign", 1, "running", D(2026, 9, 28), None),
        ("hotline_reply", 1, "running", D(2026, 10, 20), None),
    ]
    assert (
        ConsoleNotifier.sent[-1].to_phone == "13800000000"
        and "张大明" not in ConsoleNotifier.sent[-1].text
        and PHONE not in ConsoleNotifier.sent[-1].text
    )


def test_consult_answered_within_3_workdays_counting_a_sunday_made_workday(w):
    # 2026-09-18 (Fri) → 9/20 (Sun, 调休上班), 9/21, 9/22
    with clock.frozen(at(2026, 9, 18, 16, 0)):
        order = dispatched(w, kind="consult")
    assert order.due_on == D(2026, 9, 22)


def test_a_village_matter_goes_to_the_village_station_by_the_most_specific_rule(w):
    order = dispatched(w, category=w.village_cat, region=w.village)
    assert (order.main_department, order.main_hall) == (None, w.station)
    order2 = dispatched(w, category=w.village_cat, region=w.town)
    assert order2.main_hall == w.town_hall


def test_danger_sign_limit_is_15_minutes_round_the_clock_across_midnight(w):
    from zhengwu.supervision.models import Card
    from zhengwu.supervision.services import sweep_minutes

    start = at(2026, 10, 1, 23, 55)  # a holiday, five minutes to midnight
    with clock.frozen(start):
        order = dispatched(w, category=w.gas, kind="help")
    unit = OrderUnit.objects.get(order=order)
    assert unit.sign_due_at == at(2026, 10, 2, 0, 10)
    c = Clock.objects.get(subject_id=order.pk, kind_id="hotline_sign_min")
    assert (c.due_at, c.due_date, c.part) == (at(2026, 10, 2, 0, 10), None, 1)
    sweep_minutes(now=at(2026, 10, 2, 0, 10))
    assert not Card.objects.filter(clock=c, level="red").exists()
    sweep_minutes(now=at(2026, 10, 2, 0, 11))
    assert Card.objects.filter(clock=c, level="red").count() == 1
    with clock.frozen(at(2026, 10, 2, 0, 20)):
        order = services.order_sign(order=order, staff=w.water_officer)
    assert (order.status, order.signed_late) == (Status.HANDLING, True)
    assert Clock.objects.get(pk=c.pk).state == "finished" and Clock.objects.get(pk=c.pk).late is True


def test_utility_sign_limit_in_service_hours_only_when_so_configured(w):
    from zhengwu.hotline.models import TimeLimitRule

    TimeLimitRule.objects.update_or_create(
        code="sign_utility",
        defaults={"name": "水电气热", "amount": 30, "unit": "minute", "around_the_clock": False},
    )
    with clock.frozen(at(2026, 9, 30, 17, 15)):  # 15 minutes left on 9/30; 10/1–7 国庆; 10/8 08:30 + 15
        order = dispatched(w, category=w.water_cat, kind="help")
    assert OrderUnit.objects.get(order=order).sign_due_at == at(2026, 10, 8, 8, 45)


def test_sign_moves_to_handling_and_a_second_sign_is_refused(w):
    with clock.frozen(at(2026, 9, 24, 10, 0)):
        order = dispatched(w)
    with clock.frozen(at(2026, 9, 24, 11, 0)):
        order = services.order_sign(order=order, staff=w.officer)
    assert (order.status, order.signed_late) == (Status.HANDLING, False)
    assert clocks(order)[0] == ("hotline_sign", 1, "finished", D(2026, 9, 28), False)
    before = snapshot(order)
    with pytest.raises(DomainError) as exc:
        services.order_sign(order=order, staff=w.head)
    assert exc.value.code == "already_signed" and exc.value.status == 409
    assert snapshot(order) == before


def test_a_unit_that_is_neither_main_nor_assisting_cannot_act(w):
    order = dispatched(w)
    before = snapshot(order)
    for fn, kw in [(services.order_sign, {}), (services.order_return, {"reason": "不归我们管"})]:
        with pytest.raises(DomainError) as exc:
            fn(order=order, staff=w.other_officer, **kw)
        assert exc.value.code == "out_of_scope" and exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.order_dispatch(order=order, staff=w.officer)
    assert exc.value.code == "wrong_status"
    assert snapshot(order) == before


def test_an_assisting_unit_signs_but_cannot_reply_or_return(w):
    order = new_order(w)
    order = services.order_dispatch(order=order, staff=w.taker, main=w.dept, assist=[w.other])
    order = services.order_sign(order=order, staff=w.other_officer)
    assert order.status == Status.DISPATCHED  # only the 主办's 签收 moves the order
    order = services.order_sign(order=order, staff=w.officer)
    assert order.status == Status.HANDLING
    before = snapshot(order)
    with pytest.raises(DomainError) as exc:
        services.order_reply(order=order, staff=w.other_officer, text="已处理", solved=True)
    assert exc.value.code == "not_main_unit"
    with pytest.raises(DomainError) as exc:
        services.order_return(order=order, staff=w.other_officer, reason="不归我们")
    assert exc.value.code == "not_main_unit"
    assert snapshot(order) == before


# -- 退单 and 改派 ---------------------------------------------------------------------------------------


def test_return_then_reassign_to_another_unit(w):
    with clock.frozen(at(2026, 9, 24, 10, 0)):
        order = dispatched(w)
    with clock.frozen(at(2026, 9, 28, 9, 0)):
        order = services.order_return(order=order, staff=w.officer, reason="食品问题属市场监管")
    assert (order.status, order.returns) == (Status.RETURNED, 1)
    assert ("hotline_review", 1, "running", D(2026, 9, 29), None) in clocks(order)
    with pytest.raises(DomainError) as exc:  # a call-taker may not decide 退单
        services.order_reassign(order=order, staff=w.taker, main=w.other)
    assert exc.value.code == "not_centre"
    with clock.frozen(at(2026, 9, 28, 10, 0)):
        order = services.order_reassign(order=order, staff=w.admin, main=w.other)
    assert (order.status, order.main_department, order.due_on) == (
        Status.DISPATCHED,
        w.other,
        D(2026, 10, 21),
    )
    assert list(OrderUnit.objects.filter(order=order).values_list("seq", "state")) == [
        (1, "returned"),
        (2, "dispatched"),
    ]
    assert [(k, p, s) for k, p, s, _, _ in clocks(order)] == [
        ("hotline_sign", 1, "finished"),
        ("hotline_reply", 1, "finished"),
        ("hotline_review", 1, "finished"),
        ("hotline_sign", 2, "running"),
        ("hotline_reply", 1, "running"),
    ]
    # the first unit now reads nothing and may do nothing
    with pytest.raises(DomainError):
        services.order_sign(order=order, staff=w.officer)
    order = services.order_sign(order=order, staff=w.other_officer)
    assert order.status == Status.HANDLING


def test_return_after_its_limit_is_refused(w):
    with clock.frozen(at(2026, 9, 24, 10, 0)):
        order = dispatched(w)  # 退单 until 9/29
    with clock.frozen(at(2026, 9, 29, 17, 0)):
        services.order_sign(order=order, staff=w.officer)
    order = Order.objects.get(pk=order.pk)
    before = snapshot(order)
    with clock.frozen(at(2026, 9, 30, 9, 0)), pytest.raises(DomainError) as exc:
        services.order_return(order=order, staff=w.officer, reason="不属于本单位")
    assert (exc.value.code, exc.value.status) == ("return_too_late", 409)
    assert snapshot(order) == before


def test_rejected_return_goes_back_to_the_unit(w):
    order = signed(w)
    order = services.order_return(order=order, staff=w.officer, reason="不归我们")
    order = services.order_reject_return(order=order, staff=w.admin, note="属于住建职责")
    assert order.status == Status.HANDLING
    assert OrderUnit.objects.get(order=order).state == UnitState.SIGNED
    order = services.order_reply(order=order, staff=w.officer, text="已修复", solved=True)
    assert order.status == Status.REVIEWING


# -- 延期 -------------------------------------------------------------------------------------------------


def test_extension_requested_before_the_limit_and_approved_moves_the_due_and_tells_the_caller(w, sms):
    with clock.frozen(at(2026, 9, 24, 10, 0)):
        order = signed(w)
    with clock.frozen(at(2026, 10, 19, 10, 0)), sms():
        ext = services.order_extend_request(order=order, staff=w.officer, days=5, reason="需协调施工队")
        with pytest.raises(DomainError) as exc:
            services.order_extend_request(order=order, staff=w.officer, days=2, reason="再延")
        assert exc.value.code == "extension_pending"
        with pytest.raises(DomainError) as exc:
            services.order_extend_decide(extension=ext, staff=w.taker, approve=True)
        assert exc.value.code == "not_centre"
        ext = services.order_extend_decide(extension=ext, staff=w.admin, approve=True)
    order = Order.objects.get(pk=order.pk)
    # 10/20 + 5 working days: 21 22 23 26 27
    assert (ext.state, ext.old_due, ext.new_due, order.due_on) == (
        "approved",
        D(2026, 10, 20),
        D(2026, 10, 27),
        D(2026, 10, 27),
    )
    assert Clock.objects.get(subject_id=order.pk, kind_id="hotline_reply").due_date == D(2026, 10, 27)
    assert ConsoleNotifier.sent[-1].to_phone == PHONE and "2026年10月27日" in ConsoleNotifier.sent[-1].text


@pytest.mark.parametrize(
    ("days", "when", "code"),
    [
        (11, D(2026, 10, 19), "extension_days"),
        (0, D(2026, 10, 19), "extension_days"),
        (3, D(2026, 10, 21), "extension_too_late"),
    ],
)
def test_extension_refusals(w, days, when, code):
    with clock.frozen(at(2026, 9, 24, 10, 0)):
        order = signed(w)
    before = snapshot(order)
    with clock.frozen(when), pytest.raises(DomainError) as exc:
        services.order_extend_request(order=order, staff=w.officer, days=days, reason="理由")
    assert exc.value.code == code
    assert snapshot(order) == before and Extension.objects.count() == 0


# -- reply, sign-off, 回访 -----------------------------------------------------------------------------


def test_reply_needs_the_heads_sign_off_then_callback_closes_and_rates_the_unit(w):
    with clock.frozen(at(2026, 9, 24, 10, 0)):
        order = signed(w)
    with clock.frozen(at(2026, 9, 29, 10, 0)):
        order = services.order_reply(order=order, staff=w.officer, text="已更换路灯", solved=True)
        assert order.status == Status.REVIEWING
        with pytest.raises(DomainError) as exc:
            services.order_approve(order=order, staff=w.officer)
        assert exc.value.code == "not_unit_head"
        with pytest.raises(DomainError) as exc:
            services.order_approve(order=order, staff=w.other_head)
        assert exc.value.code == "not_unit_head"
        order = services.order_approve(order=order, staff=w.head)
    assert (order.status, order.reply_late) == (Status.CALLBACK, False)
    assert ("hotline_reply", 1, "finished", D(2026, 10, 20), False) in clocks(order)
    assert ("hotline_callback", 1, "running", D(2026, 9, 30), None) in clocks(order)
    with clock.frozen(at(2026, 9, 30, 10, 0)):
        order = services.order_callback(order=order, staff=w.taker, result="satisfied", solved=True)
    assert (order.status, order.callback_result, order.closed_on) == (
        Status.CLOSED,
        "satisfied",
        D(2026, 9, 30),
    )
    r = Rating.objects.get()
    assert (r.channel, r.kind, r.overall, r.hall, r.department, r.ticket_ref, r.is_bad, r.rated_on) == (
        "12345",
        "hall",
        4,
        w.center,
        w.dept,
        f"{order.no}-1",
        False,
        D(2026, 9, 30),
    )


def test_rating_appears_in_the_units_satisfaction_rate(w):
    from zhengwu.ratings.selectors import rating_metrics

    with clock.frozen(at(2026, 9, 24, 10, 0)):
        a = replied(w)
        b = replied(w)
        services.order_callback(order=a, staff=w.taker, result="basic", solved=True)
        services.order_callback(
            order=b, staff=w.taker, result="dissatisfied", solved=False, note="路灯又坏了"
        )
    rows = rating_metrics(by="department", start=D(2026, 9, 1), end=D(2026, 9, 30), with_cases=False)
    row = next(r for r in rows if r.key == w.dept.pk)
    assert (row.ratings, row.satisfied, row.bad, row.satisfaction_rate) == (2, 1, 1, 0.5)


def test_dissatisfied_for_the_units_fault_sends_it_back_for_redo(w):
    with clock.frozen(at(2026, 9, 24, 10, 0)):
        order = replied(w)
    with clock.frozen(at(2026, 9, 28, 10, 0)):
        with pytest.raises(DomainError) as exc:
            services.order_callback(order=order, staff=w.taker, result="dissatisfied", solved=False)
        assert exc.value.code == "required"  # the reason is required
        order = services.order_callback(
            order=order,
            staff=w.taker,
            result="dissatisfied",
            solved=False,
            unit_fault=True,
            note="路灯仍未亮",
        )
    # 9/28 + 13 working days: 29 30, 10/8 9 10, 12–16, 19 20 21 → 10/21
    assert (order.status, order.round, order.redos, order.due_on, order.reply_text) == (
        Status.HANDLING,
        2,
        1,
        D(2026, 10, 21),
        "",
    )
    assert ("hotline_reply", 2, "running", D(2026, 10, 21), None) in clocks(order)
    order = services.order_reply(order=order, staff=w.officer, text="更换线路", solved=True)
    order = services.order_approve(order=order, staff=w.head)
    order = services.order_callback(order=order, staff=w.taker, result="satisfied", solved=True)
    assert order.status == Status.CLOSED
    assert sorted(Rating.objects.values_list("ticket_ref", "overall")) == [
        (f"{order.no}-1", 2),
        (f"{order.no}-2", 4),
    ]


def test_send_back_returns_the_reply_to_the_officers(w):
    order = signed(w)
    order = services.order_reply(order=order, staff=w.officer, text="已处理", solved=True)
    order = services.order_send_back(order=order, staff=w.head, note="请写明更换的数量")
    assert order.status == Status.HANDLING


def test_town_centre_head_is_its_hall_admin(w):
    order = dispatched(w, category=w.village_cat, region=w.town)
    order = services.order_sign(order=order, staff=w.town_officer)
    order = services.order_reply(order=order, staff=w.town_officer, text="已清理", solved=True)
    with pytest.raises(DomainError):
        services.order_approve(order=order, staff=w.head)
    order = services.order_approve(order=order, staff=w.town_admin)
    order = services.order_callback(order=order, staff=w.taker, result="satisfied", solved=True)
    r = Rating.objects.get()
    assert (r.hall, r.department) == (w.town_hall, None)


# -- centre: 直接答复, 转警, 并单, 催办, 督办 -----------------------------------------------------------------


def test_direct_answer_closes_at_intake(w):
    order = new_order(w, kind="consult")
    order = services.order_answer(order=order, staff=w.taker, answer="路灯报修可拨打城管热线")
    assert (order.status, order.reply_text, order.main_unit) == (
        Status.CLOSED,
        "路灯报修可拨打城管热线",
        None,
    )
    assert clocks(order) == []


def test_transfer_to_110_is_recorded_and_never_dispatched(w):
    with clock.frozen(at(2026, 9, 24, 22, 5)):
        order = new_order(w, kind="help", text="有人在街上打架")
        order = services.order_transfer(order=order, staff=w.taker, to="110", reason="治安事件")
    assert (order.status, order.emergency, order.main_unit) == (Status.TRANSFERRED, "110", None)
    ev = order.events.get(action="transfer")
    assert ev.detail == {"to": "110", "reason": "治安事件", "at": at(2026, 9, 24, 22, 5).isoformat()}
    with pytest.raises(DomainError) as exc:
        services.order_dispatch(order=order, staff=w.taker)
    assert exc.value.code == "wrong_status"
    with pytest.raises(DomainError) as exc:
        services.order_transfer(order=new_order(w), staff=w.taker, to="999", reason="x")
    assert exc.value.code == "invalid_emergency"


def test_merge_withdraws_the_duplicate_and_ends_its_clocks_uncounted(w):
    main = dispatched(w)
    dup = dispatched(w, caller_phone="13700000000", text="东大街路灯不亮")
    dup = services.order_merge(order=dup, into=main, staff=w.taker)
    assert (dup.status, dup.merged_into) == (Status.MERGED, main)
    assert OrderUnit.objects.get(order=dup).state == UnitState.WITHDRAWN
    assert {(s, late) for _, _, s, _, late in clocks(dup)} == {("finished", None)}
    assert main.events.filter(action="merge_in").count() == 1
    with pytest.raises(DomainError) as exc:
        services.order_merge(order=main, into=main, staff=w.taker)
    assert exc.value.code == "merge_self"


def test_urge_and_supervise(w, sms):
    order = signed(w)
    with sms():
        order = services.order_urge(order=order, staff=w.taker, note="请尽快")
    assert order.urges == 1 and "催办" in ConsoleNotifier.sent[-1].text
    with pytest.raises(DomainError) as exc:
        services.order_supervise(order=order, staff=w.taker, note="督办")
    assert exc.value.code == "not_centre"
    order = services.order_supervise(order=order, staff=w.admin, note="逾期未办结，请三日内反馈")
    assert order.supervised is True
    assert order.events.get(action="supervise").detail["notice"] == f"督办通知〔{order.no}〕"


def test_duplicates_by_phone_or_address_and_category(w):
    from zhengwu.hotline.selectors import duplicates

    with clock.frozen(at(2026, 9, 1, 10, 0)):
        old = new_order(w)
    with clock.frozen(at(2026, 9, 24, 10, 0)):
        a = new_order(w)
        b = new_order(w, caller_phone="13700000000")
        new_order(w, caller_phone="13700000001", address="别处")
        assert [o.pk for o in duplicates(phone=PHONE)] == [a.pk, old.pk]
        assert {o.pk for o in duplicates(address="城关镇东大街12号", category=w.roads)} == {
            a.pk,
            b.pk,
            old.pk,
        }
        assert [o.pk for o in duplicates(phone=PHONE, days=10)] == [a.pk]


def test_a_village_station_is_handled_by_its_agent_and_signed_off_by_the_town_centre(w):
    order = dispatched(w, category=w.village_cat, region=w.village)
    before = snapshot(order)
    with pytest.raises(DomainError) as exc:  # the town centre's officer is not the station
        services.order_sign(order=order, staff=w.town_officer)
    assert exc.value.code == "out_of_scope" and snapshot(order) == before
    order = services.order_sign(order=order, staff=w.station_agent)
    order = services.order_reply(order=order, staff=w.station_agent, text="已清理村内垃圾", solved=True)
    with pytest.raises(DomainError) as exc:
        services.order_approve(order=order, staff=w.station_agent)
    assert exc.value.code == "not_unit_head"
    order = services.order_approve(order=order, staff=w.town_admin)
    assert order.status == Status.CALLBACK
