"""The daily run of 政务公开: abandon what the law says is abandoned, restart what the law says runs again,
warn about what is due.

Three kinds of request would otherwise sit silent: one filed online (or by plain letter or fax) that
nobody confirmed — it has no clock and is in no report until confirmed —, a consultation whose 15
working days after the other side's receipt are over (the clock runs again from then, 条例第三十二条、
第三十四条), and a consultation whose receipt nobody recorded (its 15 days have not begun, so it is
never closed early: the officers are asked to record the receipt).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zhengwu.core import clock
from zhengwu.core.notify import Message, notify

from .. import policy, selectors
from ..models import BodyMember, InfoRequest, ReqStatus, VillagePeriod
from ..models.requests import OPEN_STATUSES
from .requests import consultations_sweep, requests_sweep
from .village import village_periods_open


@dataclass
class DailyReport:
    abandoned: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    receipt_unrecorded: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)
    soon: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    late_publications: list[str] = field(default_factory=list)
    village_opened: int = 0
    village_overdue: list[str] = field(default_factory=list)
    messages: int = 0


def disclosure_daily() -> DailyReport:
    """Sweep lapsed 补正/fee periods and consultations, open the villages' new 村务公开 periods (each with its
    supervised clock), then tell each body's officers what needs them."""
    out = DailyReport(abandoned=[r.request_no for r in requests_sweep()])
    today = clock.today()
    # 村务公开/党务公开: the periods that just ended are opened with their supervised clocks
    out.village_opened = len(village_periods_open(today=today))
    by_body: dict[int, list[str]] = {}
    resumed: dict[int, str] = {}
    for req, c in consultations_sweep():
        out.resumed.append(req.request_no)
        if c.is_agency:
            resumed[req.pk] = (f"{c.third_party}未在{c.opinion_due:%Y-%m-%d}前提出意见，视为同意公开"
                               "（条例第三十四条），已恢复计时")
        else:
            resumed[req.pk] = (f"第三方未在{c.opinion_due:%Y-%m-%d}前提出意见，已恢复计时，"
                               "请依照条例第三十二条决定是否公开")
    limits = policy.limits()
    for req in selectors.with_clock(InfoRequest.objects.filter(status__in=OPEN_STATUSES)
                                    .select_related("body__region").order_by("id")):
        state, text = selectors.due_state(req, today, limits=limits)
        if req.pk in resumed:
            text = f"{resumed[req.pk]}；{text}"
        elif state not in ("soon", "overdue"):
            continue
        if req.status == ReqStatus.AWAITING_RECEIPT:
            out.unconfirmed.append(req.request_no)  # 待确认逾期
        elif req.status == ReqStatus.CONSULTING and getattr(selectors.open_consultation(req), "opinion_due", 0) is None:
            out.receipt_unrecorded.append(req.request_no)  # 送达未登记
        elif state in ("soon", "overdue"):
            (out.soon if state == "soon" else out.overdue).append(req.request_no)
        by_body.setdefault(req.body_id, []).append(f"{req.request_no}：{text}")
    for pub in selectors.publication_overdue_list(today=today).filter(published_on__isnull=True):
        out.late_publications.append(pub.index_no)
        by_body.setdefault(pub.body_id, []).append(f"{pub.title}（{pub.index_no}）逾期未公开，应于{pub.publish_due:%Y-%m-%d}前公开")
    for p in (VillagePeriod.objects.filter(state=VillagePeriod.State.OPEN, due_date__lt=today)
              .select_related("category", "body").order_by("body_id", "due_date", "category__order")):
        out.village_overdue.append(f"{p.body.code}-{p.category.code}-{p.period_end:%Y%m}")
        by_body.setdefault(p.body_id, []).append(
            f"村务公开“{p.category.name}”（{p.label}）逾期未公开，应于{p.due_date:%Y-%m-%d}前公开")
    officers = BodyMember.objects.filter(body_id__in=by_body, duty=BodyMember.Duty.OFFICER).select_related("staff")
    for m in officers:
        lines = by_body[m.body_id]
        notify(Message(to_phone=m.staff.phone, to_user_id=m.staff.user_id, kind="gk_warning",
                       text=f"政务公开提醒（{len(lines)}项）：" + "；".join(lines[:5]) + ("……" if len(lines) > 5 else ""),
                       data={"body_id": m.body_id}))
        out.messages += 1
    return out
