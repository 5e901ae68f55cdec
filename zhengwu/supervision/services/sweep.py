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
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import TruncDate

from zhengwu.cases.models import Case, CaseEvent, ClockStop, Status
from zhengwu.catalog.models import Item, ProcessStep
from zhengwu.core import clock
from zhengwu.core.notify import Message, notify
from zhengwu.org.models import Hall, Role, Staff
from zhengwu.workdays import engine

from ..models import Card, DeemedApproval, DeemedRule, SupervisionPolicy, SweepRun
from ..policy import policy_get

RUNNING = (Status.IN_REVIEW, Status.DECIDED)  # the case's clock runs (办结 is the deadline)
HELD = (Status.SUSPENDED, Status.SUPPLEMENT)  # the clock is stopped: cards stay as they are
BATCH = 2000


@dataclass(frozen=True)
class StepInfo:
    seq: int
    name: str
    role: str
    days: int


@dataclass(frozen=True)
class Cutoffs:
    """Date thresholds for one calendar and day: a deadline before the date meets the condition."""

    red_before: dt.date
    deemed_before: dt.date
    yellow_before: dt.date

    def level(self, due: dt.date) -> str | None:
        if due < self.red_before:
            return Card.Level.RED
        if due < self.yellow_before:
            return Card.Level.YELLOW
        return None


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


def workday_back(cal: engine.Calendar, day: dt.date, n: int) -> dt.date:
    """The n-th working day counting back from ``day`` (``day`` itself is the first if it is one)."""
    seen = 0
    while True:
        if cal.is_workday(day):
            seen += 1
            if seen == n:
                return day
        day -= dt.timedelta(days=1)


def cutoffs_for(cal: engine.Calendar, today: dt.date, policy: SupervisionPolicy) -> Cutoffs:
    return Cutoffs(
        red_before=workday_back(cal, today, 1),
        deemed_before=workday_back(cal, today, max(1, policy.deemed_after_workdays)),
        yellow_before=cal.add(today, policy.warn_workdays + 1),
    )


def calendars_for(regions) -> dict[int, engine.Calendar]:
    """The working-day calendar of each region. Regions with no local override in their chain
    share the nationwide calendar (identical, and built once instead of once per village)."""
    from zhengwu.org.models import Region
    from zhengwu.workdays.models import DayOverride

    ids = DayOverride.objects.filter(region__isnull=False).values_list("region_id", flat=True).distinct()
    prefixes = [r.code_prefix for r in Region.objects.filter(pk__in=list(ids))]
    out = {}
    for region in regions:
        if region.pk not in out:
            local = any(region.code.startswith(p) for p in prefixes)
            out[region.pk] = engine.calendar_for(region if local else None)
    return out


def steps_by_version(version_ids) -> dict[int, tuple[StepInfo, ...]]:
    """Review steps per item version, numbered 1..n in order as ``cases.plan`` numbers them."""
    rows = ProcessStep.objects.filter(version_id__in=list(version_ids)).order_by("version_id", "seq")
    out: dict[int, list[StepInfo]] = {}
    for vid, name, role, days in rows.values_list("version_id", "name", "role", "days"):
        steps = out.setdefault(vid, [])
        steps.append(StepInfo(len(steps) + 1, name, role, days))
    return {vid: tuple(steps) for vid, steps in out.items()}


class People:
    """Who answers for a card: the officer of the step and the department head, loaded once per sweep."""

    def __init__(self):
        self.info: dict[int, tuple[str, str, int]] = {}
        self.chiefs: dict[tuple[int, int], int] = {}
        self.heads: dict[int, list[tuple[int, str]]] = {}
        rows = (Staff.objects.filter(is_active=True, roles__code__in=[Role.CHIEF_REP, Role.DEPT_HEAD])
                .order_by("employee_no")
                .values_list("id", "name", "phone", "user_id", "department_id", "hall_id", "region__code",
                             "region__level", "roles__code"))
        for sid, name, phone, user_id, dept, hall, rcode, rlevel, role in rows:
            self.info[sid] = (name, phone, user_id)
            if role == Role.CHIEF_REP and dept and hall:
                self.chiefs.setdefault((dept, hall), sid)
            elif role == Role.DEPT_HEAD and dept:
                prefix = rcode[: {"city": 4, "county": 6, "town": 9, "village": 12}[rlevel]]
                self.heads.setdefault(dept, []).append((sid, prefix))

    def head(self, department_id: int, region_code: str) -> int | None:
        for sid, prefix in self.heads.get(department_id, []):
            if region_code.startswith(prefix):
                return sid
        return None

    def officer(self, role: str, *, department_id: int, hall_id: int, region_code: str,
                handler: int | None) -> int | None:
        if role == Role.CHIEF_REP:
            return self.chiefs.get((department_id, hall_id)) or handler
        if role == Role.DEPT_HEAD:
            return self.head(department_id, region_code) or handler
        return handler

    def load(self, staff_ids) -> None:
        missing = [s for s in staff_ids if s and s not in self.info]
        for i in range(0, len(missing), 900):
            for sid, name, phone, user_id in Staff.objects.filter(pk__in=missing[i:i + 900]).values_list(
                    "id", "name", "phone", "user_id"):
                self.info[sid] = (name, phone, user_id)

    def message(self, staff_id: int, *, kind: str, text: str, data: dict) -> Message:
        name, phone, user_id = self.info[staff_id]
        return Message(to_phone=phone, to_user_id=user_id, kind=kind, text=text, data=data)


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _card_text(level: str, scope: str, step_name: str, case_no: str, item_name: str, due: dt.date) -> str:
    what = "办结期限" if scope == Card.Scope.CASE else f"“{step_name}”环节时限"
    if level == Card.Level.RED:
        return (f"【效能监察·红牌】办件{case_no}（{item_name}）已超过{what}（{_cn(due)}），"
                "请立即办理并说明超期原因。")
    return (f"【效能监察·黄牌】办件{case_no}（{item_name}）的{what}为{_cn(due)}，即将到期，请抓紧办理。")


def _chunks(seq, n=900):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _step_starts() -> dict[int, dt.date]:
    """For cases beyond their first review step: the local date their current step began (the
    ``review`` event that passed the step before it)."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    rows = (CaseEvent.objects.filter(action="review", case__status=Status.IN_REVIEW, case__current_step__gte=3,
                                     step=F("case__current_step") - 1)
            .order_by().values_list("case_id").annotate(day=Max(TruncDate("at", tzinfo=tz))))
    return dict(rows)


def _closed_stops() -> dict[int, list[tuple[dt.date, dt.date]]]:
    out: dict[int, list[tuple[dt.date, dt.date]]] = {}
    rows = ClockStop.objects.filter(case__status=Status.IN_REVIEW, end_on__isnull=False).order_by()
    for case_id, a, b in rows.values_list("case_id", "start_on", "end_on"):
        out.setdefault(case_id, []).append((a, b))
    return out


def _deemed_scope() -> tuple[set[int], set[int]]:
    rules = list(DeemedRule.objects.filter(is_active=True).values_list("impl_code", "department_id"))
    codes = [c for c, _ in rules if c]
    items = set(Item.objects.filter(impl_code__in=codes).values_list("id", flat=True)) if codes else set()
    return items, {d for _, d in rules if d}


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
        "accepted_by_id", "first_officer_id", "accepted_on"))
    result.cases = len(rows)
    steps = steps_by_version({r[4] for r in rows}) if policy.step_cards else {}
    starts = _step_starts() if policy.step_cards else {}
    stops = _closed_stops() if policy.step_cards else {}
    deemed_items, deemed_depts = _deemed_scope()
    people = People()

    # key → (case row, step name, responsible officer)
    desired: dict[tuple, tuple] = {}
    running: dict[int, tuple] = {}
    deem: list[tuple] = []
    step_due_of: dict[int, dt.date] = {}  # the current step's deadline, per case
    for row in rows:
        cid, status, due, k, vid, item_id, dept, hall_id, accepted_by, first, accepted_on = row
        running[cid] = row
        cut = cut_by_hall[hall_id]
        handler = accepted_by or first
        level = cut.level(due)
        if level:
            desired[(cid, Card.Scope.CASE, 0, level, due)] = (row, "", handler)
        if status != Status.IN_REVIEW:
            continue
        if (item_id in deemed_items or dept in deemed_depts) and due < cut.deemed_before:
            deem.append(row)
        plan = steps.get(vid)
        if not plan or not 1 <= k <= len(plan) or plan[k - 1].days <= 0:
            continue
        step = plan[k - 1]
        start = accepted_on if k <= 2 else starts.get(cid, accepted_on)
        if start is None:
            continue
        cal = cal_by_hall[hall_id]
        step_due = cal.due(start, step.days, stops[cid]).due if cid in stops else cal.add(start, step.days)
        step_due_of[cid] = step_due
        level = cut.level(step_due)
        if level:
            region_code = halls[hall_id].region.code
            officer = people.officer(step.role, department_id=dept, hall_id=hall_id, region_code=region_code,
                                     handler=handler)
            desired[(cid, Card.Scope.STEP, k, level, step_due)] = (row, step.name, officer)

    existing = (Card.objects.filter(Q(cleared_on__isnull=True) | Q(case__status__in=RUNNING)).order_by()
                .values_list("id", "case_id", "scope", "step", "level", "due_date", "cleared_on", "case__status",
                             "case__current_step", "case__due_date"))
    known: set[tuple] = set()
    clear: dict[str, list[int]] = {}
    for card_id, cid, scope, step, level, due, cleared_on, status, current_step, case_due in existing:
        key = (cid, scope, step, level, due)
        known.add(key)
        if cleared_on is not None or key in desired or status in HELD:
            continue
        clear.setdefault(_clear_reason(key, status, current_step, case_due, desired, step_due_of), []).append(card_id)
    for reason, ids in clear.items():
        for chunk in _chunks(ids):
            result.cleared += Card.objects.filter(pk__in=chunk, cleared_on__isnull=True).update(
                cleared_on=today, cleared_at=now, cleared_reason=reason)

    new = [(key, val) for key, val in desired.items() if key not in known]
    cards = []
    for (cid, scope, step, level, due), (row, step_name, officer) in new:
        cards.append(Card(case_id=cid, scope=scope, step=step, step_name=step_name, level=level, due_date=due,
                          raised_on=today, raised_at=now, officer_id=officer, department_id=row[6],
                          hall_id=row[7]))
        if level == Card.Level.RED:
            result.raised_red += 1
        else:
            result.raised_yellow += 1
    created = Card.objects.bulk_create(cards, batch_size=BATCH)
    result.new_cards = [c.pk for c in created if c.pk is not None]

    existing_deemed = set(DeemedApproval.objects.filter(case_id__in=[r[0] for r in deem]).values_list(
        "case_id", flat=True)) if deem else set()
    deem = [r for r in deem if r[0] not in existing_deemed]
    result.messages += _notify_cards(cards, people, halls, policy)
    if deem:
        result.deemed, sent = _issue_deemed(deem, today, policy, people, halls, steps, cal_by_hall)
        result.messages += sent
    return result


def _clear_reason(key, status, current_step, case_due, desired, step_due_of) -> str:
    """Why an active card's condition no longer holds, in the words shown on the board."""
    cid, scope, step, level, due = key
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
    if scope == Card.Scope.STEP and cid in step_due_of and step_due_of[cid] != due:
        return "环节期限已变更"
    return "预警条件已解除"


def _notify_cards(cards: list[Card], people: People, halls: dict[int, Hall], policy: SupervisionPolicy) -> int:
    if not cards:
        return 0
    names: dict[int, tuple[str, str]] = {}
    for chunk in _chunks({c.case_id for c in cards}):
        for cid, case_no, item_name in Case.objects.filter(pk__in=chunk).values_list("id", "case_no", "item__name"):
            names[cid] = (case_no, item_name)
    heads = {}
    for c in cards:
        key = (c.department_id, c.hall_id)
        if key not in heads:
            heads[key] = people.head(c.department_id, halls[c.hall_id].region.code) if policy.notify_head else None
    people.load({c.officer_id for c in cards} | set(heads.values()))
    sent = 0
    for c in cards:
        case_no, item_name = names[c.case_id]
        text = _card_text(c.level, c.scope, c.step_name, case_no, item_name, c.due_date)
        data = {"case_no": case_no, "card_id": c.pk, "level": c.level, "scope": c.scope, "step": c.step}
        for to in dict.fromkeys([c.officer_id, heads[(c.department_id, c.hall_id)]]):
            if to:
                notify(people.message(to, kind=f"card_{c.level}", text=text, data=data))
                sent += 1
    return sent


def _issue_deemed(rows, today, policy, people: People, halls, steps, cal_by_hall) -> tuple[int, int]:
    """超时默认: the notice, and the department deemed to agree; the department must confirm in writing."""
    reply_workdays = policy.deemed_reply_workdays
    names = {}
    for chunk in _chunks([r[0] for r in rows]):
        for cid, case_no, item_name in Case.objects.filter(pk__in=chunk).values_list("id", "case_no", "item__name"):
            names[cid] = (case_no, item_name)
    records = []
    for cid, _status, due, k, vid, _item, dept, hall_id, _by, _first, _acc in rows:
        cal = cal_by_hall[hall_id]
        plan = steps.get(vid) or ()
        records.append(DeemedApproval(
            case_id=cid, department_id=dept, notice_no=f"CSMR-{names[cid][0]}", due_date=due, issued_on=today,
            overdue_workdays=cal.count(due, today), reply_by=cal.add(today, reply_workdays),
            step_name=plan[k - 1].name if 1 <= k <= len(plan) else ""))
    DeemedApproval.objects.bulk_create(records, batch_size=BATCH)
    sent = 0
    for rec, row in zip(records, rows, strict=True):
        head = people.head(rec.department_id, halls[row[7]].region.code)
        handler = row[8] or row[9]
        people.load([head, handler])
        case_no, item_name = names[rec.case_id]
        text = (f"【超时默认通知】办件{case_no}（{item_name}）已超过办结期限（{_cn(rec.due_date)}）"
                f"{rec.overdue_workdays}个工作日，依照超时默认制视为贵单位同意，"
                f"请于{_cn(rec.reply_by)}前出具批准文书。通知单编号：{rec.notice_no}")
        for to in dict.fromkeys([head, handler]):
            if to:
                notify(people.message(to, kind="deemed_approval", text=text,
                                      data={"case_no": case_no, "notice_no": rec.notice_no}))
                sent += 1
    return len(records), sent
