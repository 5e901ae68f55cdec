"""The rating pad (评价器) at the counter: one rating per finished ticket (现场服务一次一评)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.org.models import Window

from ..models import Ticket, TicketRating, TicketStatus
from ..policy import policy_for


def ticket_rate(*, window: Window, ticket: Ticket, score: int, comment: str = "") -> TicketRating:
    """Record the person's 1–5 rating (非常满意 5 … 非常不满意 1) of the service at this window."""
    if score not in (1, 2, 3, 4, 5):
        raise DomainError("score", "评价应为1至5分（非常不满意至非常满意）")
    if ticket.window_id != window.pk or ticket.status != TicketStatus.DONE:
        raise DomainError("not_ratable", f"{ticket.number}号不是本窗口已办结的号，不能评价", status=409)
    p = policy_for(window.hall)
    if ticket.finished_at is None or clock.now() - ticket.finished_at > dt.timedelta(minutes=p.rating_minutes):
        raise DomainError("rating_closed", f"办结超过{p.rating_minutes}分钟，评价器已关闭该号的评价", status=409)
    comment = (comment or "").strip()[:300]
    try:
        with transaction.atomic():
            return TicketRating.objects.create(ticket=ticket, window=window, officer_id=ticket.officer_id,
                                               score=score, comment=comment, rated_at=clock.now())
    except IntegrityError:
        raise DomainError("already_rated", f"{ticket.number}号已评价，感谢您的反馈", status=409) from None
