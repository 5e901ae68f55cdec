"""Every step of the transition table is refused from every status outside its sources, by the very
actor who may take it, and the refusal writes nothing (the order's version and events stay)."""

from __future__ import annotations

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.hotline import services
from zhengwu.hotline.models import Extension, ExtensionState, Order, OrderEvent, Status
from zhengwu.hotline.transitions import TRANSITIONS

from .factories import build_world, dispatched, new_order, replied, signed

pytestmark = pytest.mark.django_db


def orders_in_every_status(w) -> dict[str, Order]:
    s = services
    out = {Status.PENDING: new_order(w), Status.DISPATCHED: dispatched(w), Status.HANDLING: signed(w)}
    out[Status.RETURNED] = s.order_return(order=dispatched(w), staff=w.officer, reason="不属于本单位职责")
    out[Status.REVIEWING] = s.order_reply(order=signed(w), staff=w.officer, text="已处理", solved=True)
    out[Status.CALLBACK] = replied(w)
    out[Status.CLOSED] = s.order_callback(order=replied(w), staff=w.taker, result="satisfied", solved=True)
    out[Status.MERGED] = s.order_merge(order=new_order(w), into=new_order(w), staff=w.taker)
    out[Status.TRANSFERRED] = s.order_transfer(order=new_order(w), staff=w.taker, to="110", reason="现场斗殴")
    return out


def step(action: str, w, order: Order, target: Order):
    s, admin = services, w.admin
    if action == "extend_decide":
        ext = Extension.objects.filter(order=order, state=ExtensionState.PENDING).first()
        if ext is None:
            ext = Extension.objects.create(
                order=order,
                days=2,
                reason="需协调",
                requested_by=w.officer,
                requested_at=clock.now(),
                old_due=order.due_on or clock.today(),
            )
        return lambda: s.order_extend_decide(extension=ext, staff=admin, approve=True)
    return {
        "dispatch": lambda: s.order_dispatch(order=order, staff=admin),
        "answer": lambda: s.order_answer(order=order, staff=admin, answer="已答复"),
        "transfer": lambda: s.order_transfer(order=order, staff=admin, to="110", reason="现场斗殴"),
        "merge": lambda: s.order_merge(order=order, into=target, staff=admin),
        "sign": lambda: s.order_sign(order=order, staff=w.officer),
        "return": lambda: s.order_return(order=order, staff=w.officer, reason="不属于本单位职责"),
        "reassign": lambda: s.order_reassign(order=order, staff=admin, main=w.dept),
        "reject_return": lambda: s.order_reject_return(order=order, staff=admin, note="属于贵单位职责"),
        "extend_request": lambda: s.order_extend_request(
            order=order, staff=w.officer, days=2, reason="需协调"
        ),
        "reply": lambda: s.order_reply(order=order, staff=w.officer, text="已处理", solved=True),
        "approve": lambda: s.order_approve(order=order, staff=w.head),
        "send_back": lambda: s.order_send_back(order=order, staff=w.head, note="请补充"),
        "urge": lambda: s.order_urge(order=order, staff=admin),
        "supervise": lambda: s.order_supervise(order=order, staff=admin, note="请尽快办结"),
        "callback": lambda: s.order_callback(order=order, staff=admin, result="satisfied", solved=True),
    }[action]


def test_every_step_is_refused_outside_its_sources_and_writes_nothing():
    w = build_world()
    orders = orders_in_every_status(w)
    assert {st: o.status for st, o in orders.items()} == {st: st for st in orders}
    target = new_order(w)  # the main order a 并单 would go into
    tried = []
    for action, t in TRANSITIONS.items():
        if action == "create":
            continue
        for status, order in orders.items():
            if status in t.sources:
                continue
            before = Order.objects.filter(pk=order.pk).values_list("status", "row_version").get()
            events = OrderEvent.objects.filter(order_id=order.pk).count()
            fresh = Order.objects.get(pk=order.pk)
            with pytest.raises(DomainError) as exc:
                step(action, w, fresh, target)()
            assert (action, status, exc.value.code, exc.value.status) == (action, status, "wrong_status", 409)
            assert f"不能{t.label}" in exc.value.message and Status(status).label in exc.value.message
            assert Order.objects.filter(pk=order.pk).values_list("status", "row_version").get() == before
            assert OrderEvent.objects.filter(order_id=order.pk).count() == events
            tried.append((action, status))
    # every action was refused from at least one status, 16 actions in all
    assert len({a for a, _ in tried}) == len(TRANSITIONS) - 1 == 16
    assert len(tried) > 90
