"""The work order's common life (受理 → 派单 → 签收 → 办结反馈 → 审核通过 → 回访 满意) in a bounded number of
statements per step, so the throughput measured by ``benchmarks/bench_hotline.py`` cannot quietly regress.

The bounds count what ``django_assert_max_num_queries`` sees: each step's statements plus the savepoint
and release of its ``atomic`` block (a test runs inside a transaction), and the 回访's nested one for the
rating. What each step writes is asserted too (a step that wrote less would pass the count)."""

from __future__ import annotations

import pytest

from zhengwu.hotline import clocks as oc
from zhengwu.hotline import services
from zhengwu.hotline.models import Order, OrderEvent, OrderUnit, Status, UnitState
from zhengwu.org.models import Staff
from zhengwu.ratings.models import Rating
from zhengwu.supervision.models import Clock, ClockState

from .factories import PHONE, build_world

pytestmark = pytest.mark.django_db

TX = 2  # SAVEPOINT + RELEASE of the step's own transaction
BOUNDS = {  # statements + transaction control
    "create": 3 + TX,
    "dispatch": 6 + TX,
    "sign": 5 + TX,  # the unit rows come with the lock
    "reply": 3 + TX,  # the pending 延期 check comes with the lock
    "approve": 5 + TX,
    "callback": 7 + TX + 2,  # the rating's own savepoint
}


def life(w, taker, officer, head, check=None):
    step = check or (lambda name: pytest.MonkeyPatch.context())
    with step("create"):
        o = services.order_create(
            channel="phone",
            kind="complaint",
            category=w.roads,
            region=w.town,
            text="城关镇东大街路灯坏了三天",
            caller_phone=PHONE,
            caller_name="张大明",
            actor=taker,
        )
    with step("dispatch"):
        o = services.order_dispatch(order=o, staff=taker)
    with step("sign"):
        o = services.order_sign(order=o, staff=officer)
    with step("reply"):
        o = services.order_reply(order=o, staff=officer, text="已更换路灯灯泡", solved=True)
    with step("approve"):
        o = services.order_approve(order=o, staff=head)
    with step("callback"):
        o = services.order_callback(order=o, staff=taker, result="satisfied", solved=True)
    return o


def test_the_common_life_of_an_order_stays_within_its_statements(django_assert_max_num_queries):
    w = build_world()
    # what a request handler holds: the staff with their region, hall, department and roles read
    taker, officer, head = (
        Staff.objects.select_related("region", "hall", "department").get(pk=x.pk)
        for x in (w.taker, w.officer, w.head)
    )
    for x in (taker, officer, head):
        x.role_codes()
    life(w, taker, officer, head)  # the first order reads the policy rows the next ones share

    o = life(w, taker, officer, head, check=lambda name: django_assert_max_num_queries(BOUNDS[name]))

    o = Order.objects.get(pk=o.pk)
    assert (o.status, o.main_department_id, o.signed_late, o.reply_late, o.callback_result) == (
        Status.CLOSED,
        w.dept.pk,
        False,
        False,
        "satisfied",
    )
    assert list(o.events.order_by("id").values_list("action", flat=True)) == [
        "create",
        "dispatch",
        "sign",
        "reply",
        "approve",
        "callback",
    ]
    assert list(OrderUnit.objects.filter(order=o).values_list("seq", "state")) == [(1, UnitState.SIGNED)]
    clocks = Clock.objects.filter(subject_type=oc.SUBJECT_TYPE, subject_id=o.pk).order_by("kind_id")
    assert [(c.kind_id, c.part, c.state, c.late, c.head_id) for c in clocks] == [
        (oc.CALLBACK.code, 1, ClockState.FINISHED, False, None),
        (oc.REPLY.code, 1, ClockState.FINISHED, False, w.head.pk),
        (oc.SIGN.code, 1, ClockState.FINISHED, False, w.head.pk),
    ]
    assert Rating.objects.filter(ticket_ref=f"{o.no}-1", department_id=w.dept.pk, overall=4).count() == 1
    assert OrderEvent.objects.filter(order=o).count() == 6
