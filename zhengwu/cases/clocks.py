"""A case's supervised clocks: its 办结时限 (kind ``case``) and each review step's own share of time
(kind ``case_step``, one clock per step, ``part`` = the step's number).

Called by the case services inside their transactions; everything supervision does with a case's
deadlines (cards, 超时默认, the board, lateness in the assessment, the 按时办结率) follows from these.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from zhengwu.supervision.clocks import (
    KindSpec,
    Subject,
    clock_finish,
    clock_move,
    clock_resume,
    clock_start,
    clock_stop,
    department_head,
    open_started_on,
    register_backfill,
    register_kind,
    responsible_staff,
)
from zhengwu.workdays import engine

from .models import Case
from .plan import Plan

CASE = register_kind(KindSpec(code="case", name="办结时限", subject_label="办件", due_label="办结期限", weight=1,
                              deemed=True, sort=10))
STEP = register_kind(KindSpec(code="case_step", name="环节时限", subject_label="办件", due_label="环节期限", weight=0,
                              sort=20))

# Why a step's clock ends, in the words the board shows on the cards it clears.
NEXT_STEP = "已转入下一环节"
DECIDED = "已作出决定"
COMPLETED = "办件已办结"
WITHDRAWN = "申请人已撤回"


def _subject(case: Case, plan: Plan) -> Subject:
    return Subject("case", case.pk, case.case_no, plan.item_name, reverse("cases:staff_case", args=[case.case_no]))


def _handler(case: Case) -> int | None:
    return case.accepted_by_id or case.first_officer_id


def _step_due(case: Case, plan: Plan, k: int, start: dt.date, stops) -> dt.date | None:
    if not 1 <= k <= plan.last_seq or plan.step(k).days <= 0:
        return None
    return engine.calendar_for(case.hall.region).due(start, plan.step(k).days, stops).due


def _start_step(case: Case, plan: Plan, k: int, start: dt.date, head: int | None, officer: object = "auto") -> None:
    due = _step_due(case, plan, k, start, ())
    if due is None:
        return
    step = plan.step(k)
    region = case.hall.region
    if officer == "auto":
        officer = responsible_staff(role=step.role, department_id=case.department_id, hall_id=case.hall_id,
                                    region_code=region.code, handler_id=_handler(case), head_id=head)
    clock_start(kind=STEP.code, subject=_subject(case, plan), region=region, due_date=due, part=k,
                part_name=step.name, hall=case.hall_id, department=case.department_id,
                window=case.accepted_window_id, officer=officer, head=head, item=case.item_id, started_on=start)


def case_clocks_accept(case: Case, plan: Plan, *, today: dt.date, officer: object = "auto",
                       head: object = "auto") -> None:
    """受理: the case's clock and its current step's; a 即办件's clock starts and ends on the spot.

    ``officer`` (a staff id or None): who answers for both clocks when the caller knows (a 子件 of a 联办件:
    its department's 首席代表), else ("auto") the accepting officer and the step's role; ``head``: the
    department head when the caller has read it."""
    region = case.hall.region
    if head == "auto":
        head = department_head(case.department_id, region.code)
    clock_start(kind=CASE.code, subject=_subject(case, plan), region=region, due_date=case.due_date,
                hall=case.hall_id, department=case.department_id, window=case.accepted_window_id,
                officer=_handler(case) if officer == "auto" else officer, head=head, item=case.item_id,
                started_on=today)
    if plan.immediate:
        clock_finish(subject=("case", case.pk), reason=COMPLETED)
        return
    _start_step(case, plan, case.current_step, today, head, officer)


def case_clocks_next_step(case: Case, plan: Plan, *, passed: int, today: dt.date) -> None:
    clock_finish(subject=("case", case.pk), kind=STEP.code, part=passed, reason=NEXT_STEP)
    head = department_head(case.department_id, case.hall.region.code)
    _start_step(case, plan, case.current_step, today, head)


def case_clocks_stop(case: Case, *, today: dt.date) -> None:
    clock_stop(subject=("case", case.pk), on=today)


def case_clocks_resume(case: Case, plan: Plan, *, stops) -> None:
    """The clock runs again: the case's new due date, and the current step's recomputed with the stops."""
    clock_resume(subject=("case", case.pk), kind=CASE.code, due_date=case.due_date)
    start = open_started_on(subject=("case", case.pk), kind=STEP.code, part=case.current_step)
    if start is not None:
        clock_resume(subject=("case", case.pk), kind=STEP.code,
                     due_date=_step_due(case, plan, case.current_step, start, stops))


def case_clocks_move(case: Case) -> None:
    """延期 or a recomputed provisional date: the case's clock follows its due date."""
    clock_move(subject=("case", case.pk), kind=CASE.code, due_date=case.due_date)


def case_clocks_decided(case: Case, plan: Plan | None = None) -> None:
    # step clocks start from the step a case is accepted into (the 2nd, 受理 being the 1st) and only for
    # steps with time of their own: a version with none of those never had one, nothing to finish
    if plan is None or any(s.days > 0 for s in plan.steps[min(2, plan.last_seq) - 1:]):
        clock_finish(subject=("case", case.pk), kind=STEP.code, reason=DECIDED)
    clock_move(subject=("case", case.pk), kind=CASE.code, deemable=False)


def case_clocks_finish(case: Case, *, reason: str, counts: bool = True) -> None:
    clock_finish(subject=("case", case.pk), reason=reason, counts=counts)


def backfill() -> int:
    """Clocks for accepted, unfinished cases that have none (a database from before clocks)."""
    from django.utils import timezone

    from zhengwu.supervision.models import Clock, ClockState

    from .models import CaseEvent, ClockStop, Status
    from .plan import plan_for

    have = Clock.objects.filter(subject_type="case", kind_id=CASE.code).exclude(state=ClockState.FINISHED)
    todo = (Case.objects.filter(status__in=[Status.IN_REVIEW, Status.DECIDED, Status.SUSPENDED, Status.SUPPLEMENT],
                                accepted_on__isnull=False, due_date__isnull=False)
            .exclude(pk__in=have.values("subject_id")).select_related("hall__region"))
    n = 0
    for case in todo:
        plan = plan_for(case.item_version_id)
        region = case.hall.region
        head = department_head(case.department_id, region.code)
        clock_start(kind=CASE.code, subject=_subject(case, plan), region=region, due_date=case.due_date,
                    hall=case.hall_id, department=case.department_id, window=case.accepted_window_id,
                    officer=_handler(case), head=head, item=case.item_id, started_on=case.accepted_on)
        n += 1
        if case.status == Status.DECIDED:
            clock_move(subject=("case", case.pk), kind=CASE.code, deemable=False)
            continue
        k = case.current_step
        passed = (CaseEvent.objects.filter(case=case, action="review", step=k - 1).order_by("-at")
                  .values_list("at", flat=True).first()) if k >= 3 else None
        start = timezone.localdate(passed) if passed else case.accepted_on
        stops = list(ClockStop.objects.filter(case=case, end_on__isnull=False).values_list("start_on", "end_on"))
        due = _step_due(case, plan, k, start, stops)
        if due is not None:
            step = plan.step(k)
            officer = responsible_staff(role=step.role, department_id=case.department_id, hall_id=case.hall_id,
                                        region_code=region.code, handler_id=_handler(case), head_id=head)
            clock_start(kind=STEP.code, subject=_subject(case, plan), region=region, due_date=due, part=k,
                        part_name=step.name, hall=case.hall_id, department=case.department_id,
                        window=case.accepted_window_id, officer=officer, head=head, item=case.item_id,
                        started_on=start)
            n += 1
        if case.status in (Status.SUSPENDED, Status.SUPPLEMENT):
            clock_stop(subject=("case", case.pk))
    return n


register_backfill(backfill)
