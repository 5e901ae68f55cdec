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
from typing import NamedTuple

from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhengwu.cases.models import Case, CaseEvent, ClockStop, Status
from zhengwu.catalog.models import Item, ProcessStep
from zhengwu.core import clock
from zhengwu.core.notify import Message, notify
from zhengwu.org.models import Hall, Role, Staff
from zhengwu.workdays import engine

from ..models import Card, DeemedApproval, DeemedRule, StepStart, SupervisionPolicy, SweepRun
from ..policy import policy_get
from .bulk import insert_rows

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


class NewCard(NamedTuple):
    case_id: int
    scope: str
    step: int
    step_name: str
    level: str
    due_date: dt.date
    officer_id: int | None
    department_id: int
    hall_id: int
    case_no: str
    item_id: int


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


CHUNK = 900  # ids per IN (…) list: under SQLite's variable limit


def _chunks(seq, n=CHUNK):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def step_starts(rows, steps) -> dict[int, dt.date]:
    """The local date each case beyond its first review step began its current step.

    It is the date of the ``review`` event that passed the step before. The sweep keeps what it
    found in ``StepStart`` (one row per case), so the event table is read only for the cases
    that moved to another step since the last run.
    """
    need: dict[int, int] = {}
    for cid, status, _due, k, vid, *_ in rows:
        plan = steps.get(vid)
        if status == Status.IN_REVIEW and k >= 3 and plan and k <= len(plan) and plan[k - 1].days > 0:
            need[cid] = k
    memo = {cid: (step, day) for cid, step, day in StepStart.objects.values_list("case_id", "step", "started_on")}
    found = {cid: memo[cid][1] for cid, k in need.items() if cid in memo and memo[cid][0] == k}
    missing = [cid for cid in need if cid not in found]
    if len(missing) > 20 * CHUNK:  # a first run: one join, the date computed by the database
        local_day = TruncDate("at", tzinfo=timezone.get_current_timezone())
        rows = (CaseEvent.objects.filter(action="review", case__status=Status.IN_REVIEW, case__current_step__gte=3,
                                         step=F("case__current_step") - 1)
                .order_by().values_list("case_id").annotate(day=Max(local_day)))
        found.update((cid, day) for cid, day in rows if cid in need)
    else:
        for chunk in _chunks(missing):
            events = (CaseEvent.objects.filter(case_id__in=chunk, action="review").order_by("id")
                      .values_list("case_id", "step", "at"))
            for cid, step, at in events:
                if step == need[cid] - 1:
                    found[cid] = timezone.localdate(at)
    fresh = [(cid, need[cid], found[cid]) for cid in missing if cid in found]
    if fresh:
        _upsert_step_starts(fresh)
    gone = [cid for cid in memo if cid not in need]
    for chunk in _chunks(gone):
        StepStart.objects.filter(case_id__in=chunk).delete()
    return found


def _upsert_step_starts(rows: list[tuple[int, int, dt.date]]) -> None:
    insert_rows(StepStart, [("case_id", "bigint"), ("step", "smallint"), ("started_on", "date")], rows,
                on_conflict="ON CONFLICT (case_id) DO UPDATE SET step = EXCLUDED.step, started_on = EXCLUDED.started_on")


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
        "accepted_by_id", "first_officer_id", "accepted_on", "case_no"))
    result.cases = len(rows)
    steps = steps_by_version({r[4] for r in rows}) if policy.step_cards else {}
    starts = step_starts(rows, steps) if policy.step_cards else {}
    stops = _closed_stops() if policy.step_cards else {}
    deemed_items, deemed_depts = _deemed_scope()
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
    for chunk in _chunks(others):
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
        for chunk in _chunks(ids):
            result.cleared += Card.objects.filter(pk__in=chunk, cleared_on__isnull=True).update(
                cleared_on=today, cleared_at=now, cleared_reason=reason)

    # New conditions, less those already raised and cleared (one alert per condition, ever).
    new = {key: val for key, val in desired.items() if key not in active_keys}
    for chunk in _chunks({key[0] for key in new}):
        for key in Card.objects.filter(case_id__in=chunk, cleared_on__isnull=False).values_list(
                "case_id", "scope", "step", "level", "due_date"):
            new.pop(key, None)
    cards = [NewCard(cid, scope, step, step_name, level, due, officer, row[6], row[7], row[11], row[5])
             for (cid, scope, step, level, due), (row, step_name, officer) in new.items()]
    result.raised_red = sum(1 for c in cards if c.level == Card.Level.RED)
    result.raised_yellow = len(cards) - result.raised_red
    result.new_cards = insert_cards(cards, today=today, now=now)
    result.messages += _notify_cards(cards, result.new_cards, people, halls, policy)

    if deem:
        done = set(DeemedApproval.objects.filter(case__status=Status.IN_REVIEW).values_list("case_id", flat=True))
        deem = [r for r in deem if r[0] not in done]
    if deem:
        result.deemed, sent = _issue_deemed(deem, today, policy, people, halls, steps, cal_by_hall)
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


CARD_COLUMNS = [("case_id", "bigint"), ("scope", "varchar"), ("step", "smallint"), ("step_name", "varchar"),
                ("level", "varchar"), ("due_date", "date"), ("officer_id", "bigint"), ("department_id", "bigint"),
                ("hall_id", "bigint"), ("raised_on", "date"), ("raised_at", "timestamptz"),
                ("cleared_reason", "varchar")]


def insert_cards(cards: list[NewCard], *, today: dt.date, now: dt.datetime) -> list[int]:
    """Insert the new cards; returns their ids in order."""
    return insert_rows(Card, CARD_COLUMNS, [(*c[:9], today, now, "") for c in cards], returning=True)


def _notify_cards(cards: list[NewCard], ids: list[int], people: People, halls: dict[int, Hall],
                  policy: SupervisionPolicy) -> int:
    if not cards:
        return 0
    item_names = dict(Item.objects.filter(pk__in={c.item_id for c in cards}).values_list("id", "name"))
    heads = {}
    for c in cards:
        key = (c.department_id, c.hall_id)
        if key not in heads:
            heads[key] = people.head(c.department_id, halls[c.hall_id].region.code) if policy.notify_head else None
    people.load({c.officer_id for c in cards} | set(heads.values()))
    sent = 0
    for c, card_id in zip(cards, ids, strict=True):
        text = _card_text(c.level, c.scope, c.step_name, c.case_no, item_names[c.item_id], c.due_date)
        data = {"case_no": c.case_no, "card_id": card_id, "level": c.level, "scope": c.scope, "step": c.step}
        for to in dict.fromkeys([c.officer_id, heads[(c.department_id, c.hall_id)]]):
            if to:
                notify(people.message(to, kind=f"card_{c.level}", text=text, data=data))
                sent += 1
    return sent


def _issue_deemed(rows, today, policy, people: People, halls, steps, cal_by_hall) -> tuple[int, int]:
    """超时默认: the notice, and the department deemed to agree; the department must confirm in writing."""
    reply_workdays = policy.deemed_reply_workdays
    item_names = dict(Item.objects.filter(pk__in={r[5] for r in rows}).values_list("id", "name"))
    names = {r[0]: (r[11], item_names[r[5]]) for r in rows}
    records = []
    for cid, _status, due, k, vid, _item, dept, hall_id, _by, _first, _acc, _no in rows:
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
