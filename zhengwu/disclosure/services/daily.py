"""The daily run of 政务公开: abandon what the law says is abandoned, warn about what is due."""

from __future__ import annotations

from dataclasses import dataclass, field

from zhengwu.core import clock
from zhengwu.core.notify import Message, notify

from .. import selectors
from ..models import BodyMember, InfoRequest
from ..models.requests import OPEN_STATUSES
from .requests import requests_sweep


@dataclass
class DailyReport:
    abandoned: list[str] = field(default_factory=list)
    soon: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    late_publications: list[str] = field(default_factory=list)
    messages: int = 0


def disclosure_daily() -> DailyReport:
    """Sweep 补正/fee periods that ended, then tell each body's officers what is soon due or overdue."""
    out = DailyReport(abandoned=[r.request_no for r in requests_sweep()])
    today = clock.today()
    by_body: dict[int, list[str]] = {}
    for req in InfoRequest.objects.filter(status__in=OPEN_STATUSES).select_related("body__region"):
        state, text = selectors.due_state(req, today)
        if state in ("soon", "overdue"):
            (out.soon if state == "soon" else out.overdue).append(req.request_no)
            by_body.setdefault(req.body_id, []).append(f"{req.request_no}：{text}")
    for pub in selectors.publication_overdue_list(today=today).filter(published_on__isnull=True):
        out.late_publications.append(pub.index_no)
        by_body.setdefault(pub.body_id, []).append(f"{pub.title}（{pub.index_no}）逾期未公开，应于{pub.publish_due:%Y-%m-%d}前公开")
    officers = BodyMember.objects.filter(body_id__in=by_body, duty=BodyMember.Duty.OFFICER).select_related("staff")
    for m in officers:
        lines = by_body[m.body_id]
        notify(Message(to_phone=m.staff.phone, to_user_id=m.staff.user_id, kind="gk_warning",
                       text=f"政务公开提醒（{len(lines)}项）：" + "；".join(lines[:5]) + ("……" if len(lines) > 5 else ""),
                       data={"body_id": m.body_id}))
        out.messages += 1
    return out
