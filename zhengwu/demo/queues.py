"""Demo hall traffic: the last working days of queue tickets at the county center and one town center.

Every ticket goes through the hall's services (``zhengwu.hall.services``) with the platform clock
frozen at the moment it happens: officers sign in at their windows before nine, people take
numbers (by category or by item, a few by 绿色通道, a few checking in an online appointment) with a
morning and an afternoon peak, windows call, recall and skip the ones who do not come up, serve
for a few minutes, sometimes open a case (即办件, finished on the spot) or transfer the ticket to a
department's group, and about two thirds of the people rate the visit on the pad. Some officers
are away for a meeting for an hour. Windows stop calling at closing time and sign out; the hall's
expiry service then voids what was left waiting, as ``zhengwu hall_no_shows`` does in production.

Today (a working day) is played up to the present moment only, so a demo built during office
hours has people waiting and windows serving. The build is one small discrete-event simulation
per hall and day, seeded, so the same day always gives the same traffic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import itertools
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from zhengwu.cases import services as case_services
from zhengwu.cases.plan import plan_for
from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core import clock
from zhengwu.hall import selectors
from zhengwu.hall import services as hs
from zhengwu.hall.models import AbsenceKind, GreenReason, Ticket, WindowGroup
from zhengwu.hall.policy import at_local, policy_for, slot_starts
from zhengwu.org.models import Hall, Role, Staff, Window
from zhengwu.org.scope import staff_can_act_at
from zhengwu.workdays import engine

from .cases import workdays_before
from .geography import CENTER_CODE

HISTORY_DAYS = 10  # working days before today
DEMO_OFFICER = "ck_officer"  # keeps their window (A09) in the history, and is never sent to a meeting
TOWN_CODE = "QHZ"  # 清河镇便民服务中心, the demo agent's town

# Share of the center's tickets by window group (named as ``hall_setup_groups`` names them), how
# many of the group's windows are staffed, and the minutes a visit takes there (low, high).
CENTER_TRAFFIC: dict[str, tuple[int, int, tuple[int, int]]] = {
    "综合受理": (20, 1, (3, 12)),
    "县市场监管局": (10, 1, (6, 18)),
    "县税务局": (9, 1, (4, 12)),
    "县公安局": (9, 1, (3, 10)),
    "县人社局": (9, 1, (4, 12)),
    "县不动产登记中心": (9, 2, (10, 25)),
    "县医保局": (6, 1, (3, 10)),
    "县公积金管理部": (5, 1, (4, 10)),
    "县交警大队": (5, 1, (3, 8)),
    "县民政局": (4, 1, (5, 15)),
    "县卫健局": (3, 1, (3, 8)),
    "县房产服务中心": (3, 1, (5, 12)),
    "县残联": (2, 1, (4, 10)),
    "县供电公司": (2, 1, (3, 8)),
    "县交通运输局": (2, 1, (4, 10)),
    "县住建局": (1, 1, (5, 15)),
    "县农业农村局": (1, 1, (4, 10)),
}
CENTER_TICKETS = (60, 120)  # a day at the county center
TOWN_TRAFFIC = {"综合受理": (1, 2, (3, 10))}
TOWN_TICKETS = (10, 20)

# When people come: (from, to) in minutes after 8:30 with a relative rate. Numbers are handed out
# from 8:30 to 16:45 (the default policy); the windows call 9:00–12:00 and 13:30–17:00.
ARRIVALS = [(0, 30, 1.4), (30, 120, 3.0), (120, 210, 2.0), (210, 300, 0.3), (300, 330, 1.2), (330, 420, 2.6),
            (420, 495, 1.3)]
GREEN_SHARE = 0.04
BY_ITEM_SHARE = 0.6
PHONE_SHARE = 0.1
NO_SHOW_SHARE = 0.05
TRANSFER_SHARE = 0.04  # of the 综合受理 tickets whose item a department's group handles
CASE_SHARE = 0.15  # of the visits for a 即办件 the window may accept: a case is opened and finished
RATED_SHARE = 0.65
APPOINTMENTS = (3, 6)  # checked in a day at the center; one in six booked never comes
# Pad ratings: mostly 非常满意, a handful of 差评 (≤ 2) over the fortnight.
PAD_LEVELS = [(5, 0.80), (4, 0.155), (3, 0.039), (2, 0.004), (1, 0.002)]
PAD_COMMENTS = {5: ["", "", "很快就办好了", "态度很好，谢谢", "讲解很耐心"], 4: ["", "等的时间稍长"],
                3: ["", "材料要求没有提前讲清楚"], 2: ["排队时间太长"], 1: ["窗口人员态度不好"]}
MEETINGS = ["参加中心周例会", "业务培训", "参加部门会议"]
ERRANDS = ["到企业现场核查", "到现场踏勘", "送达文书"]
ERRAND_SHARE = 0.8  # of the center's days: an officer goes out before closing; their queue's tail expires
GREEN_REASONS = [GreenReason.ELDERLY] * 6 + [GreenReason.DISABLED, GreenReason.PREGNANT, GreenReason.OTHER]


def load_demo_queues(*, days: int = HISTORY_DAYS, seed: int = 2026) -> int:
    """Play the hall traffic once (skipped when any ticket exists); returns how many tickets were issued."""
    if Ticket.objects.exists():
        return 0
    now = clock.now()
    made = 0
    for code, traffic, volume in ((CENTER_CODE, CENTER_TRAFFIC, CENTER_TICKETS),
                                  (TOWN_CODE, TOWN_TRAFFIC, TOWN_TICKETS)):
        hall = Hall.objects.select_related("region").filter(code=code).first()
        if hall is None:
            continue
        plan = _HallPlan.build(hall, traffic)
        if not plan.desks:
            continue
        for i, day in enumerate(_days(hall, days, now)):
            rng = random.Random(f"{seed}-{code}-{day.isoformat()}")
            made += _Day(plan, day, rng, cutoff=now, overstay=(i == 3 and code == CENTER_CODE)).run(volume)
    return made


def _days(hall: Hall, n: int, now: dt.datetime) -> list[dt.date]:
    """The ``n`` working days before today, oldest first, and today if it is one."""
    today = timezone.localdate(now)
    out = workdays_before(today, n, region=hall.region)
    if engine.is_workday(today, region=hall.region):
        out.append(today)
    return out


# ---------------------------------------------------------------- who works where


@dataclasses.dataclass
class _Desk:
    window: Window
    officer: Staff
    group: WindowGroup
    minutes: tuple[int, int]
    items: set[int]
    state: str = "off"  # off, idle, busy, away
    pending: bool = False  # a call is scheduled
    away: tuple[dt.datetime, str, dt.datetime] | None = None  # (from, kind, expected back)


@dataclasses.dataclass
class _Group:
    group: WindowGroup
    share: int
    desks: list[_Desk]
    items: list[Item]  # what its staffed windows take, for tickets by item
    immediate: set[int]  # 即办件 among them that the hall may accept


@dataclasses.dataclass
class _HallPlan:
    hall: Hall
    groups: list[_Group]
    desks: list[_Desk]
    appointment_items: list[Item]
    items_by_dept_group: dict[int, int]  # item id → a department group's id (for transfers from 综合受理)

    @classmethod
    def build(cls, hall: Hall, traffic: dict) -> _HallPlan:
        officers = _window_officers(hall)
        used: set[int] = set()
        groups: list[_Group] = []
        for g in WindowGroup.objects.filter(hall=hall, is_active=True).order_by("sort", "code"):
            if g.name not in traffic:
                continue
            share, n_desks, minutes = traffic[g.name]
            desks = []
            for w in g.windows.filter(is_open=True).order_by("number").prefetch_related("items"):
                officer = next((o for o in officers.get(w.pk, []) if o.pk not in used), None)
                if officer is None:
                    continue
                used.add(officer.pk)
                desks.append(_Desk(window=w, officer=officer, group=g, minutes=minutes,
                                   items={i.pk for i in w.items.all()}))
                if len(desks) == n_desks:
                    break
            if not desks:
                continue
            item_ids = set().union(*(d.items for d in desks))
            items = list(Item.objects.filter(pk__in=item_ids, status=ItemVersion.Status.ACTIVE)
                         .select_related("current").order_by("impl_code"))
            immediate = set()
            for item in items:
                p = plan_for(item.current)
                if p.immediate and (not p.handling_tiers or hall.tier in p.handling_tiers):
                    immediate.add(item.pk)
            groups.append(_Group(group=g, share=share, desks=desks, items=items, immediate=immediate))
        desks = [d for g in groups for d in g.desks]
        by_group = {g.group.pk: g for g in groups}
        dept_groups = {}
        for g in groups[1:]:
            for item in g.items:
                dept_groups.setdefault(item.pk, g.group.pk)
        pol = policy_for(hall)
        appointment_items = []
        for g in groups:
            for item in g.items:
                if not item.current.appointment or selectors.slot_capacity(hall, item, pol) == 0:
                    continue
                target = selectors.group_for_item(hall, item)
                if target is not None and target.pk in by_group and any(
                        item.pk in d.items or not d.items for d in by_group[target.pk].desks):
                    appointment_items.append(item)
        return cls(hall=hall, groups=groups, desks=desks, appointment_items=appointment_items,
                   items_by_dept_group=dept_groups)


def _window_officers(hall: Hall) -> dict[int, list[Staff]]:
    """Each window's own 窗口人员 (not the 首席代表 or the hall's admin), the demo officer first."""
    out: dict[int, list[Staff]] = {}
    staff = (Staff.objects.filter(hall=hall, is_active=True, roles__code=Role.WINDOW_OFFICER)
             .exclude(roles__code__in=[Role.HALL_ADMIN, Role.CHIEF_REP])
             .select_related("user", "hall__region", "department", "region").prefetch_related("roles", "windows")
             .order_by("employee_no").distinct())
    for s in staff:
        for w in s.windows.all():
            out.setdefault(w.pk, []).append(s)
    for officers in out.values():
        officers.sort(key=lambda s: (s.user.username != DEMO_OFFICER, s.employee_no))
    return out


# ---------------------------------------------------------------- one day at one hall


class _Day:
    """A discrete-event run of one hall's day: events are played in time order, each with the
    platform clock frozen at its moment, and those after ``cutoff`` (now) are never played."""

    def __init__(self, plan: _HallPlan, day: dt.date, rng: random.Random, *, cutoff: dt.datetime,
                 overstay: bool = False):
        self.plan, self.day, self.rng, self.cutoff, self.overstay = plan, day, rng, cutoff, overstay
        self.hall = plan.hall
        self.policy = policy_for(self.hall)
        self.events: list = []
        self.seq = itertools.count()
        self.groups = {g.group.pk: g for g in plan.groups}
        # Tickets the run knows to be waiting, by group: a window with nothing to call does not ask
        # (the answer would be "nobody"), which keeps the build fast.
        self.waiting: dict[int, int] = {}
        self.issued = 0

    def at(self, hh: int, mm: int = 0) -> dt.datetime:
        return at_local(self.day, dt.time(hh, mm))

    def schedule(self, when: dt.datetime, fn: Callable, *args) -> None:
        heapq.heappush(self.events, (when, next(self.seq), fn, args))

    def run(self, volume: tuple[int, int]) -> int:
        rng, p = self.rng, self.policy
        opening = at_local(self.day, p.am_start)
        closing = at_local(self.day, p.pm_end)
        for desk in self.plan.desks:
            desk.state, desk.pending, desk.away = "off", False, None
            self.schedule(opening - dt.timedelta(minutes=rng.randint(3, 16)), self.sign_in, desk)
            self.schedule(closing + dt.timedelta(seconds=rng.randint(0, 300)), self.end_shift, desk)
        # An hour's meeting for one or two officers; at the center, often someone out on an errand
        # until closing (never the demo officer, whose console should be free).
        others = [d for d in self.plan.desks if d.officer.user.username != DEMO_OFFICER]
        meetings = rng.choice((1, 1, 2)) if len(self.plan.desks) > 4 else int(rng.random() < 0.3)
        errand = len(self.plan.desks) > 4 and rng.random() < ERRAND_SHARE
        for desk in rng.sample(others, k=min(len(others), meetings)):
            start = opening + dt.timedelta(minutes=rng.randint(50, 390))
            desk.away = (start, AbsenceKind.MEETING, start + dt.timedelta(minutes=rng.choice((45, 60, 60, 90))))
            self.schedule(start, self.poke, desk)
        alone = [d for d in others if d.away is None and len(self.groups[d.group.pk].desks) == 1]
        if errand and alone:  # the busier the group, the more its tail is left waiting
            desk = rng.choices(alone, [self.groups[d.group.pk].share for d in alone])[0]
            start = closing - dt.timedelta(minutes=rng.randint(60, 100))
            desk.away = (start, AbsenceKind.ERRAND, closing)
            self.schedule(start, self.poke, desk)
        n = rng.randint(*volume)
        weights = [g.share for g in self.plan.groups]
        for _ in range(n):
            g = rng.choices(self.plan.groups, weights)[0]
            self.schedule(self._arrival(), self.issue, g)
        if opening - dt.timedelta(minutes=p.issue_before_minutes) < self.cutoff < closing - dt.timedelta(
                minutes=p.stop_issue_minutes + 1):
            # Today, now: a few people have just taken a number (too late for a window to have called it).
            for _ in range(rng.randint(2, 4)):
                g = rng.choices(self.plan.groups, weights)[0]
                self.schedule(self.cutoff - dt.timedelta(seconds=rng.randint(1, 9)), self.issue, g)
        if self.plan.appointment_items and self.hall.code == CENTER_CODE:
            for _ in range(rng.randint(*APPOINTMENTS)):
                self._book(rng.choice(self.plan.appointment_items))
        expire_at = at_local(self.day, p.pm_end) + dt.timedelta(minutes=p.expire_after_minutes + 5)
        self.schedule(expire_at, self.close_day)
        while self.events:
            when, _, fn, args = heapq.heappop(self.events)
            if when > self.cutoff:
                break
            with clock.frozen(when):
                fn(*args)
        return self.issued

    def _arrival(self) -> dt.datetime:
        rng = self.rng
        lo, hi, _ = rng.choices(ARRIVALS, [(b - a) * w for a, b, w in ARRIVALS])[0]
        start = at_local(self.day, dt.time(8, 30))
        return start + dt.timedelta(seconds=rng.randint(lo * 60, hi * 60 - 1))

    # -- people

    def issue(self, g: _Group) -> None:
        rng = self.rng
        item = rng.choice(g.items) if g.items and rng.random() < BY_ITEM_SHARE else None
        green = rng.choice(GREEN_REASONS) if rng.random() < GREEN_SHARE else ""
        phone = _phone(rng) if rng.random() < PHONE_SHARE else ""
        ticket = hs.ticket_issue(hall=self.hall, group=g.group, item=item, green_reason=green, phone=phone)
        self.issued += 1
        self.wake(ticket.group_id)

    def _book(self, item: Item) -> None:
        """Booked online the evening before; checked in at the kiosk shortly before the slot (or never)."""
        rng = self.rng
        start, _end = rng.choice(slot_starts(self.policy)[1:-2])
        person = _person(rng)
        with clock.frozen(at_local(self.day - dt.timedelta(days=1), dt.time(rng.randint(19, 21), rng.randint(0, 59)))):
            a = hs.appointment_book(hall=self.hall, item=item, day=self.day, start=start, name=person.name,
                                    phone=person.phone, id_number=person.id_number)
        if rng.random() < 1 / 6:
            return  # 爽约: marked by the no-show sweep after the slot
        self.schedule(at_local(self.day, start) - dt.timedelta(minutes=rng.randint(2, 25)), self.check_in, a.code)

    def check_in(self, code: str) -> None:
        ticket = hs.appointment_check_in(hall=self.hall, code=code)
        self.issued += 1
        self.wake(ticket.group_id)

    # -- windows

    def wake(self, group_id: int) -> None:
        """A ticket joined the group's queue: its idle windows will call in a moment."""
        self.waiting[group_id] = self.waiting.get(group_id, 0) + 1
        g = self.groups.get(group_id)
        for desk in g.desks if g else ():
            if desk.state == "idle" and not desk.pending:
                desk.pending = True
                self.schedule(clock.now() + dt.timedelta(seconds=self.rng.randint(10, 60)), self.call, desk)

    def poke(self, desk: _Desk) -> None:
        """An idle window notices the time (to leave for its meeting)."""
        if desk.state == "idle" and not desk.pending:
            self.call(desk)

    def sign_in(self, desk: _Desk) -> None:
        hs.window_sign_in(window=desk.window, officer=desk.officer)
        desk.state, desk.pending = "idle", True
        first = at_local(self.day, self.policy.am_start) + dt.timedelta(seconds=self.rng.randint(0, 120))
        self.schedule(first, self.call, desk)

    def call(self, desk: _Desk) -> None:
        desk.pending = False
        if desk.state not in ("idle", "busy"):
            return
        now, p = clock.now(), self.policy
        if now >= at_local(self.day, p.pm_end):
            self.sign_out(desk)
            return
        if at_local(self.day, p.am_end) <= now < at_local(self.day, p.pm_start):
            desk.pending = True
            back = at_local(self.day, p.pm_start) + dt.timedelta(seconds=self.rng.randint(0, 240))
            self.schedule(back, self.call, desk)
            return
        if desk.away is not None and now >= desk.away[0]:
            self.go_away(desk)
            return
        if not self.waiting.get(desk.group.pk):
            desk.state = "idle"
            return
        ticket = hs.ticket_call_next(window=desk.window, officer=desk.officer)
        if ticket is None:
            desk.state = "idle"
            return
        self.waiting[ticket.group_id] -= 1
        desk.state = "busy"
        rng = self.rng
        if rng.random() < NO_SHOW_SHARE:
            for k in range(1, p.max_recalls + 1):
                self.schedule(now + dt.timedelta(minutes=k), self.recall, desk, ticket)
            self.schedule(now + dt.timedelta(minutes=p.max_recalls + 1), self.skip, desk, ticket)
            return
        self.schedule(now + dt.timedelta(seconds=rng.randint(30, 120)), self.start, desk, ticket)

    def recall(self, desk: _Desk, ticket: Ticket) -> None:
        hs.ticket_recall(ticket=ticket, window=desk.window, officer=desk.officer)

    def skip(self, desk: _Desk, ticket: Ticket) -> None:
        hs.ticket_skip(ticket=ticket, window=desk.window, officer=desk.officer)
        self.next_call(desk, 10, 40)

    def start(self, desk: _Desk, ticket: Ticket) -> None:
        hs.ticket_start(ticket=ticket, window=desk.window, officer=desk.officer)
        rng = self.rng
        comprehensive = desk.group.pk == self.plan.groups[0].group.pk
        target = self.plan.items_by_dept_group.get(ticket.item_id) if comprehensive else None
        if target is not None and target != ticket.group_id and rng.random() < TRANSFER_SHARE:
            self.schedule(clock.now() + dt.timedelta(minutes=rng.randint(1, 3)), self.transfer, desk, ticket, target)
            return
        lo, hi = desk.minutes
        minutes = rng.triangular(lo, hi, lo + (hi - lo) / 3)
        self.schedule(clock.now() + dt.timedelta(seconds=int(minutes * 60)), self.finish, desk, ticket)

    def transfer(self, desk: _Desk, ticket: Ticket, group_id: int) -> None:
        to_group = self.groups[group_id].group
        hs.ticket_transfer(ticket=ticket, window=desk.window, officer=desk.officer, to_group=to_group,
                           note="属部门专业事项，转部门窗口办理")
        self.wake(group_id)
        self.next_call(desk, 20, 60)

    def finish(self, desk: _Desk, ticket: Ticket) -> None:
        rng = self.rng
        g = self.groups[desk.group.pk]
        applicant = None
        if (ticket.item_id in g.immediate and rng.random() < CASE_SHARE
                and staff_can_act_at(desk.officer, department_id=ticket.item.department_id, hall=self.hall)):
            applicant = _person(rng)
        with transaction.atomic():
            hs.ticket_finish(ticket=ticket, window=desk.window, officer=desk.officer, applicant=applicant)
            if ticket.case is not None:
                plan = plan_for(ticket.case.item_version_id)
                case_services.case_accept(case=ticket.case, officer=desk.officer, window=desk.window,
                                          paper_materials=list(plan.required))
        if rng.random() < RATED_SHARE:
            self.schedule(clock.now() + dt.timedelta(seconds=rng.randint(15, 150)), self.rate, desk, ticket)
        self.next_call(desk, 20, 120)

    def rate(self, desk: _Desk, ticket: Ticket) -> None:
        rng = self.rng
        level = _pick(rng, PAD_LEVELS)
        hs.ticket_rate(ticket=ticket, window=desk.window, operator=desk.officer, overall=level,
                       comment=rng.choice(PAD_COMMENTS[level]))

    def next_call(self, desk: _Desk, lo: int, hi: int) -> None:
        desk.state, desk.pending = "idle", True
        self.schedule(clock.now() + dt.timedelta(seconds=self.rng.randint(lo, hi)), self.call, desk)

    def go_away(self, desk: _Desk) -> None:
        rng = self.rng
        now = clock.now()
        start, kind, until = desk.away
        # a meeting lasts as planned from when the officer actually leaves; an errand ends at closing
        until = now + (until - start) if kind == AbsenceKind.MEETING else max(until, now + dt.timedelta(minutes=15))
        note = rng.choice(MEETINGS if kind == AbsenceKind.MEETING else ERRANDS)
        hs.presence_mark_away(staff=desk.officer, kind=kind, until=until, note=note)
        desk.state, desk.away = "away", None
        late = rng.randint(-10, 4) if kind == AbsenceKind.MEETING else rng.randint(0, 10)
        if self.overstay and kind == AbsenceKind.MEETING:  # once in the fortnight: back 35 minutes late
            late, self.overstay = 35, False
        self.schedule(until + dt.timedelta(minutes=late), self.come_back, desk)

    def come_back(self, desk: _Desk) -> None:
        hs.presence_mark_back(staff=desk.officer)
        self.next_call(desk, 30, 90)

    def end_shift(self, desk: _Desk) -> None:
        """Closing time: an idle window signs out; a busy one does after its last visit (see ``call``)."""
        if desk.state == "idle":
            self.sign_out(desk)

    def sign_out(self, desk: _Desk) -> None:
        hs.window_sign_out(window=desk.window, officer=desk.officer)
        desk.state, desk.pending = "off", False

    def close_day(self) -> None:
        """After closing: the no-show sweep production runs (``zhengwu hall_no_shows``)."""
        hs.appointment_mark_no_shows(hall=self.hall)
        hs.ticket_mark_expired(hall=self.hall)


def _pick(rng: random.Random, table: list[tuple[int, float]]) -> int:
    x, acc = rng.random(), 0.0
    for value, share in table:
        acc += share
        if x < acc:
            return value
    return table[0][0]


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randint(0, 999999999):09d}"


def _person(rng: random.Random) -> case_services.Applicant:
    from .cases import _person as person

    return person(rng, 7000 + rng.randint(0, 999))

