"""The rating pad (评价器) at the counter: the person rates the visit just finished (现场服务一次一评).

The rating is a 好差评 rating, recorded by ``zhengwu.ratings.services.rating_record`` (kind
``hall``, channel ``pad``): it counts in 满意率, the monthly assessment and the dashboard, and a
差评 opens its rectification in the same transaction. The hall adds its own rules around it:
which ticket may be rated at which window and for how long, what is rated (the visit's case when
it is finished, else the ticket), and who had the pad signed in (a ``rate`` ticket event).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhengwu.cases.models import Case
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.org.models import Staff, Window
from zhengwu.ratings.models import Channel, Kind, Rating
from zhengwu.ratings.selectors import staff_may_use_pad
from zhengwu.ratings.services import FINISHED, rating_record

from ..models import Ticket, TicketStatus
from ..policy import policy_for
from ._common import event

PAD_SIGN_IN = "评价器须由本窗口的工作人员登录后使用：请在叫号台点击“评价器”打开"


def ticket_rated_case(ticket: Ticket) -> Case | None:
    """The case a rating of ``ticket`` is about: the one it was finished with, once that case is finished."""
    case = ticket.case if ticket.case_id is not None else None
    return case if case is not None and case.status in FINISHED else None


def ticket_rate(*, ticket: Ticket, window: Window, operator: Staff | None, overall, dims: dict | None = None,
                comment: str = "", contact_phone: str = "") -> Rating:
    """Record the person's rating of ``ticket``, finished at ``window``, on the pad ``operator`` signed in.

    ``overall`` and ``dims`` are 好差评 levels (5 非常满意 … 1 非常不满意) for the offline
    dimensions (``ratings.models.OFFLINE_DIMENSIONS``); only ``overall`` is required. The rated
    officer is the one who finished the ticket. A ticket finished with a case that is now finished
    is rated as that case (one rating per case); otherwise as the ticket (one rating per ticket).
    """
    if operator is None or not staff_may_use_pad(operator, window):
        raise PermissionDenied(PAD_SIGN_IN, code="pad_not_signed_in")
    if ticket.window_id != window.pk or ticket.status != TicketStatus.DONE:
        raise DomainError("not_ratable", f"{ticket.number}号不是本窗口已办结的号，不能评价", status=409)
    p = policy_for(window.hall)
    if ticket.finished_at is None or clock.now() - ticket.finished_at > dt.timedelta(minutes=p.rating_minutes):
        raise DomainError("rating_closed", f"办结超过{p.rating_minutes}分钟，评价器已关闭该号的评价", status=409)
    with transaction.atomic():
        # Two pads (or a double tap) rating one ticket wait here for each other.
        locked = Ticket.objects.select_for_update(of=("self",)).select_related("case", "officer").get(pk=ticket.pk)
        ref = locked.rating_ref
        if Rating.objects.filter(hall_id=locked.hall_id, ticket_ref=ref).exists():
            raise DomainError("already_rated", "该排队号的服务已经评价过", status=409)
        case = ticket_rated_case(locked)
        rating = rating_record(kind=Kind.HALL, channel=Channel.PAD, overall=overall, dims=dims, comment=comment,
                               case=case, window=window, officer=locked.officer, ticket_ref=ref,
                               contact_phone=contact_phone if case is None else "")
        event(locked, "rate", window=window, officer=operator, at=rating.rated_at, rating_id=rating.pk,
              overall=rating.overall, case_no=case.case_no if case else "").save()
    return rating
