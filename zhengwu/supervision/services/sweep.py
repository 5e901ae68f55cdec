"""The sweep (电子监察): yellow and red cards on cases and on each review step, and 超时默认.

One call looks at every case whose clock runs, works out which conditions hold today, and
compares them with the cards already raised: new conditions get a card and a message to the
responsible officer and their department head; cards whose condition ended are cleared. A card
is unique per (case, scope, step, level, due date) in the database, so running the sweep twice
raises nothing new. Working days come from the working-day engine, per hall region.

Conditions, for a deadline ``due`` and today ``t`` (REFERENCE §7):
- yellow: at most ``warn_workdays`` working days left (count_workdays(t, due) ≤ warn);
- red: at least one working day past it (count_workdays(due, t) ≥ 1), i.e. from the first
  working day after the deadline;
- 超时默认: ``deemed_after_workdays`` working days past it (default the 2nd), for items configured.
Cases whose clock is stopped (特别程序, 审查中补正) keep their cards as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from zhengwu.cases.models import Case, Status
from zhengwu.core import clock
from zhengwu.org.models import Hall

from ..models import Card, DeemedApproval, SupervisionPolicy, SweepRun
from ..policy import policy_get
from .conditions import (
    HELD,
    RUNNING,
    Cutoffs,
    calendars_for,
    chunks,
    closed_stops,
    cutoffs_for,
    deemed_scope,
    step_starts,
    steps_by_version,
)
from .notices import NewCard, People, insert_cards, issue_deemed, notify_cards

__all__ = ["HELD", "RUNNING", "SweepResult", "sweep_run"]


@dataclass
class SweepResult:
    today: dt.date
    cases: int = 0
    raised_yellow: int = 0
    raised_red: int = 0
    cleared: int = 0
    deemed: int = 0
    flags: int = 0
    messages: int = 0
    run_id: int | None = None
    new_cards: list[int] = field(default_factory=list)

    @property
    def raised(self) -> int:
        return self.raised_yellow + self.raised_red


def sweep_run(*, today: dt.date | None = None) -> SweepResult:
    """Raise and clear cards, issue 超时默认 notices; one transaction, serialised across processes."""
    today = today or clock.today()
    now = clock.now()
    policy_get()
    with transaction.atomic():
        policy = SupervisionPolicy.objects.select_for_update().get(pk=1)
        started = clock.now()
        result = _sweep(today, now, policy)
        run = SweepRun.objects.create(today=today, started_at=started, finished_at=clock.now(), cases=result.cases,
                                      raised_yellow=result.raised_yellow, raised_red=result.raised_red,
                                      cleared=result.cleared, deemed=result.deemed, messages=result.messages)
        result.run_id = run.pk
    return result


def _sweep(today: dt.date, now: dt.datetime, policy: SupervisionPolicy) -> SweepResult:
    result = SweepResult(today=today)
    halls = {h.pk: h for h in Hall.objects.select_related("region")}
    cals = calendars_for(h.region for h in halls.values())
    cal_by_hall = {pk: cals[h.region_id] for pk, h in halls.items()}
    cut_by_cal: dict[int, Cutoffs] = {}
    for cal in cals.values():
        if id(cal) not in cut_by_cal:
            cut_by_cal[id(cal)] = cutoffs_for(cal, today, policy)
    cut_by_hall = {pk: cut_by_cal[id(cal)] for pk, cal in cal_by_hall.items()}

    rows = list(Case.objects.filter(status__in=RUNNING, due_date__isnull=False).order_by().values_list(
        "id", "status", "due_date", "current_step", "item_version_id", "item_id", "department_id", "hall_id",
        "accepted_by_id", "first_officer_id", "accepted_on", "case_no"))
    result.cases = len(rows)
    steps = steps_by_version({r[4] for r in rows}) if policy.step_cards else {}
    starts = step_starts(rows, steps) if policy.step_cards else {}
    stops = closed_stops() if policy.step_cards else {}
    deemed_items, deemed_depts = deemed_scope()
    people = People()

    # key → (case row, step name, responsible officer)
    desired: dict[tuple, tuple] = {}
    state: dict[int, tuple] = {}  # case id → (status, current step, due date, current step's deadline)
    deem: list[tuple] = []
    adds: dict[tuple, dt.date] = {}  # (calendar, start, days) → deadline: many cases share them
    for row in rows:
        cid, status, due, k, vid, item_id, dept, hall_id, accepted_by, first, accepted_on, _no = row
        cut = cut_by_hall[hall_id]
        handler = accepted_by or first
        level = cut.level(due)
        if level:
            desired[(cid, Card.Scope.CASE, 0, level, due)] = (row, "", handler)
        step_due = None
        plan = steps.get(vid)
        if status == Status.IN_REVIEW:
            if due < cut.deemed_before and (item_id in deemed_items or dept in deemed_depts):
                deem.append(row)
            if plan and 1 <= k <= len(plan) and plan[k - 1].days > 0:
                step = plan[k - 1]
                start = accepted_on if k <= 2 else starts.get(cid, accepted_on)
                cal = cal_by_hall[hall_id]
                if cid in stops:
                    step_due = cal.due(start, step.days, stops[cid]).due
                else:
                    key = (id(cal), start, step.days)
                    step_due = adds.get(key)
                    if step_due is None:
                        step_due = adds[key] = cal.add(start, step.days)
                level = cut.level(step_due)
                if level:
                    officer = people.officer(step.role, department_id=dept, hall_id=hall_id,
                                             region_code=halls[hall_id].region.code, handler=handler)
                    desired[(cid, Card.Scope.STEP, k, level, step_due)] = (row, step.name, officer)
        state[cid] = (status, k, due, step_due)

    # Active cards: still wanted, held (clock stopped), or cleared with the reason.
    active = list(Card.objects.filter(cleared_on__isnull=True).order_by().values_list(
        "id", "case_id", "scope", "step", "level", "due_date"))
    others = {c[1] for c in active if c[1] not in state}
    for chunk in chunks(others):
        for cid, status, k, due in Case.objects.filter(pk__in=chunk).values_list("id", "status", "current_step",
                                                                               "due_date"):
            state[cid] = (status, k, due, None)
    active_keys: set[tuple] = set()
    clear: dict[str, list[int]] = {}
    for card_id, cid, scope, step, level, due in active:
        key = (cid, scope, step, level, due)
        active_keys.add(key)
        status = state[cid][0]
        if key in desired or status in HELD:
            continue
        clear.setdefault(_clear_reason(key, state[cid], desired), []).append(card_id)
    for reason, ids in clear.items():
        for chunk in chunks(ids):
            result.cleared += Card.objects.filter(pk__in=chunk, cleared_on__isnull=True).update(
                cleared_on=today, cleared_at=now, cleared_reason=reason)

    # New conditions, less those already raised and cleared (one alert per condition, ever).
    new = {key: val for key, val in desired.items() if key not in active_keys}
    for chunk in chunks({key[0] for key in new}):
        for key in Card.objects.filter(case_id__in=chunk, cleared_on__isnull=False).values_list(
                "case_id", "scope", "step", "level", "due_date"):
            new.pop(key, None)
    cards = [NewCard(cid, scope, step, step_name, level, due, officer, row[6], row[7], row[11], row[5])
             for (cid, scope, step, level, due), (row, step_name, officer) in new.items()]
    result.raised_red = sum(1 for c in cards if c.level == Card.Level.RED)
    result.raised_yellow = len(cards) - result.raised_red
    result.new_cards = insert_cards(cards, today=today, now=now)
    result.messages += notify_cards(cards, result.new_cards, people, halls, policy)

    if deem:
        done = set(DeemedApproval.objects.filter(case__status=Status.IN_REVIEW).values_list("case_id", flat=True))
        deem = [r for r in deem if r[0] not in done]
    if deem:
        result.deemed, sent = issue_deemed(deem, today, policy, people, halls, steps, cal_by_hall)
        result.messages += sent
    return result


def _clear_reason(key, state, desired) -> str:
    """Why an active card's condition no longer holds, in the words shown on the board."""
    cid, scope, step, level, due = key
    status, current_step, case_due, step_due = state
    if status in (Status.COMPLETED, Status.DELIVERED):
        return "办件已办结"
    if status == Status.WITHDRAWN:
        return "申请人已撤回"
    if status == Status.REJECTED:
        return "办件已终止"
    if scope == Card.Scope.STEP and status == Status.DECIDED:
        return "已作出决定"
    if scope == Card.Scope.STEP and current_step != step:
        return "已转入下一环节"
    if level == Card.Level.YELLOW and (cid, scope, step, Card.Level.RED, due) in desired:
        return "已升级为红牌"
    if scope == Card.Scope.CASE and case_due != due:
        return "办结期限已变更"
    if scope == Card.Scope.STEP and step_due is not None and step_due != due:
        return "环节期限已变更"
    return "预警条件已解除"


