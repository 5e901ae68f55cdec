"""A work order's supervised clocks (监察时钟), started and ended by the order services inside their
transactions. Supervision does the rest (cards, the board, lateness in the monthly assessment).

- ``hotline_sign_min`` (minutes): 签收 of a dispatch whose limit is in minutes (危及生命财产 15, 水电气热 30);
  ``hotline_sign`` (working days): 签收 otherwise. One clock per dispatched unit (``part`` = the
  ``OrderUnit`` sequence), finished by that unit's 签收 (or withdrawn uncounted by 退单/改派).
- ``hotline_reply`` (working days): the 主办 unit's 办结 limit, from dispatch to its 办结反馈 being
  signed off; moved by an approved 延期; a 重办 starts a new one (``part`` = the round).
- ``hotline_review`` (working days): the centre's decision on a 退单 (改派 or 驳回).
- ``hotline_callback`` (working days): the centre's 回访 once the reply is signed off.
"""

from __future__ import annotations

import datetime as dt

from zhengwu.supervision.clocks import (
    KindSpec,
    Subject,
    clock_finish,
    clock_move,
    clock_start,
    clocks_start_many,
    register_kind,
)

from .models import Order, OrderUnit

SIGN_MIN = register_kind(
    KindSpec(
        code="hotline_sign_min",
        name="热线签收时限（分钟）",
        subject_label="12345工单",
        due_label="签收时限",
        unit="minute",
        warn_minutes=5,
        weight=1,
        sort=40,
    )
)
SIGN = register_kind(
    KindSpec(
        code="hotline_sign",
        name="热线签收时限",
        subject_label="12345工单",
        due_label="签收时限",
        weight=1,
        warn_workdays=0,
        sort=41,
    )
)
REPLY = register_kind(
    KindSpec(
        code="hotline_reply",
        name="热线办结时限",
        subject_label="12345工单",
        due_label="办结期限",
        weight=1,
        sort=42,
    )
)
REVIEW = register_kind(
    KindSpec(
        code="hotline_review",
        name="退单审核时限",
        subject_label="12345工单",
        due_label="审核期限",
        weight=1,
        warn_workdays=0,
        sort=43,
    )
)
CALLBACK = register_kind(
    KindSpec(
        code="hotline_callback",
        name="回访时限",
        subject_label="12345工单",
        due_label="回访期限",
        weight=1,
        warn_workdays=0,
        sort=44,
    )
)

SUBJECT_TYPE = "hotline_order"
TITLE_CHARS = 60

SIGNED = "已签收"
WITHDRAWN = "已改派"
RETURNED = "已退单"
REPLIED = "已办结反馈"
DECIDED = "已审核"
CALLED_BACK = "已回访"
CLOSED = "工单已关闭"


def _title(order: Order) -> str:
    text = " ".join((order.text or "").split())
    head = f"{order.category.name}：" if order.category_id else ""
    text = head + text
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"


def subject(order: Order) -> Subject:
    return Subject(SUBJECT_TYPE, order.pk, order.no, _title(order), f"/hotline/orders/{order.no}/")


def key(order: Order) -> tuple[str, int]:
    return SUBJECT_TYPE, order.pk


def sign_start(order: Order, unit: OrderUnit, *, minutes: bool, due_date: dt.date | None) -> None:
    """A unit was dispatched the order: its 签收 clock runs (to ``unit.sign_due_at`` or ``due_date``)."""
    due = {"kind": SIGN_MIN.code, "due_at": unit.sign_due_at} if minutes else {"kind": SIGN.code, "due_date": due_date}
    clock_start(subject=subject(order), region=order.region, part=unit.seq, part_name=unit.unit_name,
                department=unit.department_id, hall=unit.hall_id, **due)


def sign_finish(order: Order, unit: OrderUnit, *, reason: str = SIGNED, counts: bool = True) -> None:
    """The unit's 签收 clock ends, whichever unit it ran in (minutes or working days): one lookup."""
    clock_finish(subject=key(order), kind=(SIGN_MIN.code, SIGN.code), part=unit.seq, reason=reason, counts=counts)


def reply_start(order: Order, *, head: object = "auto") -> None:
    """The 主办 unit's 办结 clock, to ``order.due_on`` (part = the handling round)."""
    clock_start(head=head, **_reply_args(order))


def _reply_args(order: Order) -> dict:
    return dict(
        kind=REPLY.code,
        subject=subject(order),
        region=order.region,
        due_date=order.due_on,
        part=order.round,
        part_name=f"第{order.round}轮" if order.round > 1 else "",
        department=order.main_department_id,
        hall=order.main_hall_id,
    )


def dispatch_start(
    order: Order, units: list[OrderUnit], heads: list[int | None], *, minutes: bool, due_date: dt.date | None
) -> None:
    """A dispatch's clocks in one statement: each unit's 签收 clock (as ``sign_start``) and the 主办's
    办结 clock (as ``reply_start``); ``heads``: each unit's department head (``department_head``)."""
    subj = subject(order)
    starts = []
    for unit, head in zip(units, heads, strict=True):
        due = {"kind": SIGN_MIN.code, "due_at": unit.sign_due_at} if minutes else {"kind": SIGN.code, "due_date": due_date}
        starts.append(dict(subject=subj, region=order.region, part=unit.seq, part_name=unit.unit_name,
                           department=unit.department_id, hall=unit.hall_id, head=head, **due))
    reply = _reply_args(order)
    reply["subject"] = subj
    starts.append(dict(head=heads[0], **reply))
    clocks_start_many(starts=starts)


def reply_move(order: Order) -> None:
    clock_move(subject=key(order), kind=REPLY.code, due_date=order.due_on)


def reply_finish(order: Order, *, reason: str = REPLIED, counts: bool = True) -> None:
    clock_finish(subject=key(order), kind=REPLY.code, reason=reason, counts=counts)


def review_start(order: Order, *, due_date: dt.date) -> None:
    clock_start(
        kind=REVIEW.code,
        subject=subject(order),
        region=order.region,
        due_date=due_date,
        part=order.returns,
        head=None,
    )


def review_finish(order: Order) -> None:
    clock_finish(subject=key(order), kind=REVIEW.code, reason=DECIDED)


def callback_start(order: Order, *, due_date: dt.date) -> None:
    clock_start(
        kind=CALLBACK.code,
        subject=subject(order),
        region=order.region,
        due_date=due_date,
        part=order.round,
        head=None,
    )


def callback_finish(order: Order) -> None:
    clock_finish(subject=key(order), kind=CALLBACK.code, reason=CALLED_BACK)


def finish_all(order: Order, *, reason: str = CLOSED) -> None:
    """Everything still open ends uncounted (并单, 转警, an order closed some other way)."""
    clock_finish(subject=key(order), reason=reason, counts=False)
