"""A 依申请公开 request's supervised clock: its 答复时限 (kind ``gk_reply``, 条例第三十三条).

Called by the request services inside their transactions, right beside the state change; everything
supervision does with a request's deadline (cards, the board, lateness in the assessment, the 按时办结率)
follows from these.

- 收到申请 (on filing in person or by signed post, or when receipt is confirmed): the clock starts.
- 告知补正, 征求第三方或其他机关意见 (from the sending day, 条例第三十三条第二款), 收费通知: the clock stops;
  收到补正, the opinion (or the end of the 15 working days after the other side's receipt), payment or a
  whole 减免: it runs again with the request's recomputed ``due_date``.
- 延长答复期限: the clock's due follows.
- 答复: the clock ends (``late`` says whether it was in time); 视为放弃 and 撤回 end it without counting.
- A written 补正 received in time but typed in after the request was treated as abandoned: a new clock
  starts on the day the 补正 was received (the abandoned one stays finished, uncounted).
- A 征求意见书 that could not be delivered: the stop ends on the day it came back; the clock runs again.
"""

from __future__ import annotations

from django.urls import reverse

from zhengwu.supervision.clocks import (
    KindSpec,
    Subject,
    clock_finish,
    clock_move,
    clock_resume,
    clock_start,
    clock_stop,
    register_backfill,
    register_kind,
)

from .models import InfoRequest

REPLY = register_kind(KindSpec(code="gk_reply", name="答复时限", subject_label="政府信息公开申请",
                               due_label="答复期限", weight=1, sort=30))

SUBJECT_TYPE = "gk_request"
TITLE_CHARS = 60

# Why the clock ends, in the words the board shows on the cards it clears.
REPLIED = "已答复"
WITHDRAWN = "申请人已撤回"


def _title(req: InfoRequest) -> str:
    text = " ".join((req.description or "").split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"


def _subject(req: InfoRequest) -> Subject:
    return Subject(SUBJECT_TYPE, req.pk, req.request_no, _title(req),
                   reverse("disclosure:work_request", args=[req.request_no]))


def _key(req: InfoRequest) -> tuple[str, int]:
    return SUBJECT_TYPE, req.pk


def _start(req: InfoRequest, officer_id: int | None) -> None:
    body = req.body
    clock_start(kind=REPLY.code, subject=_subject(req), region=body.region, due_date=req.due_date,
                department=body.department_id, officer=req.handled_by_id or officer_id,
                started_on=req.clock_start)


def gk_clock_start(req: InfoRequest, *, officer_id: int | None = None) -> None:
    """收到申请: the reply period runs from ``req.clock_start`` to ``req.due_date``.

    The responsible officer is the request's 承办人, or else ``officer_id`` (who entered it)."""
    _start(req, officer_id)


def gk_clock_stop(req: InfoRequest, *, today) -> None:
    """补正, third-party consultation or a fee notice: the clock does not run meanwhile."""
    clock_stop(subject=_key(req), kind=REPLY.code, on=today)


def gk_clock_resume(req: InfoRequest) -> None:
    """The clock runs again, to the request's recomputed ``due_date`` (the stopped days not counted)."""
    clock_resume(subject=_key(req), kind=REPLY.code, due_date=req.due_date)


def gk_clock_move(req: InfoRequest) -> None:
    """延长答复期限 (or any other new due date): the clock follows the request's ``due_date``."""
    clock_move(subject=_key(req), kind=REPLY.code, due_date=req.due_date)


def gk_clock_officer(req: InfoRequest, officer_id: int | None) -> None:
    """A new 承办人 answers for the clock from now on."""
    clock_move(subject=_key(req), kind=REPLY.code, officer=officer_id)


def gk_clock_finish(req: InfoRequest, *, reason: str, counts: bool = True) -> None:
    """答复 (``counts``: late or not) or an end without a reply (视为放弃, 撤回: not counted)."""
    clock_finish(subject=_key(req), kind=REPLY.code, reason=reason, counts=counts)


def backfill() -> int:
    """Clocks for open requests that have none (a database from before clocks): a running one for a
    request being processed, a stopped one for a request waiting for 补正, a third party or a fee."""
    from zhengwu.supervision.models import Clock, ClockState

    from .models import ClockStop, ReqStatus
    from .services.requests import reply_deadline

    have = Clock.objects.filter(subject_type=SUBJECT_TYPE, kind_id=REPLY.code).exclude(state=ClockState.FINISHED)
    stopped = [ReqStatus.SUPPLEMENT, ReqStatus.CONSULTING, ReqStatus.FEE_NOTICE]
    todo = (InfoRequest.objects.filter(status__in=[ReqStatus.PROCESSING, *stopped], clock_start__isnull=False)
            .exclude(pk__in=have.values("subject_id")).select_related("body__region").order_by("id"))
    n = 0
    for req in todo:
        if req.due_date is None:
            if req.status not in stopped:
                continue
            # 待补正: the due the clock had when it stopped (a new one is set when the 补正 arrives).
            req.due_date = reply_deadline(req).due
        _start(req, req.entered_by_id)
        n += 1
        if req.status == ReqStatus.SUPPLEMENT:
            gk_clock_stop(req, today=req.supplement_requested_on)
        elif req.status in stopped:
            since = (ClockStop.objects.filter(request=req, end_on__isnull=True).order_by("-start_on")
                     .values_list("start_on", flat=True).first())
            gk_clock_stop(req, today=since)
    return n


register_backfill(backfill)


# -- 村务公开/党务公开: one clock per village, category and period (kind ``gk_village``) ------------------------

VILLAGE = register_kind(KindSpec(code="gk_village", name="村务公开时限", subject_label="村务（党务）公开",
                                 due_label="公开期限", weight=1, warn_workdays=2, sort=31))

VILLAGE_SUBJECT = "gk_village_period"
VILLAGE_PUBLISHED = "已公开"


def village_subject(period, *, town_code: str) -> Subject:
    body = period.body
    return Subject(VILLAGE_SUBJECT, period.pk, f"{body.code}-{period.category.code}-{period.period_end:%Y%m}",
                   f"{body.name}{period.category.name}（{period.label}）",
                   reverse("disclosure:village_town", args=[town_code]) + f"#v-{body.code}")


def village_clock_start_many(periods, *, officers: dict[int, int | None]) -> None:
    """Clocks for newly opened periods (the daily run opens a whole county's at once). ``officers``:
    body id → the village's 经办人 (who answers for the clock)."""
    from zhengwu.supervision.clocks import clocks_start_many

    clocks_start_many(kind=VILLAGE.code, starts=[
        {"subject": village_subject(p, town_code=_town_code(p.body)), "region": p.body.region,
         "due_date": p.due_date, "officer": officers.get(p.body_id), "head": None, "started_on": p.opened_on}
        for p in periods])


def village_clock_finish(period) -> None:
    """The period's disclosure is public: the clock ends (late if past its due) and its cards clear."""
    clock_finish(subject=(VILLAGE_SUBJECT, period.pk), kind=VILLAGE.code, reason=VILLAGE_PUBLISHED, counts=True)


def _town_code(body) -> str:
    region = body.region
    return region.parent.code if region.level == "village" and region.parent_id else region.code
