"""The sweep (电子监察): yellow and red cards on every running clock, 超时默认, and the notices.

Set-based: per working-day calendar a few ``INSERT … SELECT`` and ``UPDATE`` statements over the clocks
table compare each clock's due with the calendar's cutoffs (``conditions``); nothing is read row by row
into Python but the handful of 超时默认 candidates. Every statement runs inside one transaction, serialised
across processes by a lock on the policy row: a crash leaves nothing half-done, and a second run the same
day finds every condition already carded (one card per (clock, level, due), ever) and does nothing.

The daily run handles day clocks (a due date, judged on working days) and minute clocks; the frequent run
(``sweep_minutes``, every minute) handles minute clocks only (a due moment, round the clock: red from the
first moment past it, yellow ``warn_minutes`` before).

Clearing: when a clock finishes (its finish reason: "办件已办结", "已转入下一环节"…) or its due moves
("办结期限已变更"), the clock service clears its cards in the same transaction. The sweep clears, in this
order (the first that applies gives the reason shown on the board): a red card replaced the yellow one
("已升级为红牌"); the condition no longer holds ("预警条件已解除", a calendar changed); the kind is no longer
watched ("已停止监察"). Stopped clocks keep their cards as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from zhengwu.core import clock

from ..models import Card, Clock, ClockKind, ClockState, DeemedApproval, Notice, SupervisionPolicy, SweepRun
from ..policy import policy_get
from .conditions import (
    Group,
    calendar_groups,
    deemed_extra_scope,
    deemed_notify,
    deemed_rule_q,
    region_filter,
)
from .notices import issue_deemed, notices_deliver

__all__ = ["SweepResult", "sweep_minutes", "sweep_run"]

CLOCK = Clock._meta.db_table
CARD = Card._meta.db_table
RUNNING = ClockState.RUNNING


@dataclass
class SweepResult:
    today: dt.date
    clocks: int = 0
    raised_yellow: int = 0
    raised_red: int = 0
    cleared: int = 0
    deemed: int = 0
    flags: int = 0
    messages: int = 0
    card_messages: int = 0  # of ``messages``, those about this run's cards
    run_id: int | None = None
    new_cards: list[int] = field(default_factory=list)

    @property
    def raised(self) -> int:
        return self.raised_yellow + self.raised_red

    @property
    def cases(self) -> int:  # the number the command has always printed
        return self.clocks


def sweep_run(*, today: dt.date | None = None, deliver: bool = True) -> SweepResult:
    """The daily run: day and minute clocks. Notices go out after the commit unless ``deliver`` is off
    (then the frequent job sends them)."""
    return _run(today=today or clock.today(), now=clock.now(), days=True, deliver=deliver)


def sweep_minutes(*, now: dt.datetime | None = None, deliver: bool = True) -> SweepResult:
    """The frequent run (every minute): minute clocks only."""
    now = now or clock.now()
    return _run(today=timezone.localdate(now), now=now, days=False, deliver=deliver)


def _run(*, today: dt.date, now: dt.datetime, days: bool, deliver: bool) -> SweepResult:
    policy_get()
    with transaction.atomic():
        policy = SupervisionPolicy.objects.select_for_update().get(pk=1)
        run = SweepRun.objects.create(today=today, minutes=not days, started_at=clock.now())
        result = _Sweep(today, now, policy, run.pk).run(days=days)
        SweepRun.objects.filter(pk=run.pk).update(
            finished_at=clock.now(), clocks=result.clocks, raised_yellow=result.raised_yellow,
            raised_red=result.raised_red, cleared=result.cleared, deemed=result.deemed, messages=result.messages,
            cards_pending=result.card_messages > 0)
        result.run_id = run.pk
        if deliver and result.messages:
            transaction.on_commit(lambda: notices_deliver(run_id=run.pk))
    return result


class _Sweep:
    def __init__(self, today: dt.date, now: dt.datetime, policy: SupervisionPolicy, run_id: int):
        self.today, self.now, self.policy, self.run_id = today, now, policy, run_id
        ops = connection.ops
        self.p_today = ops.adapt_datefield_value(today)
        self.p_now = ops.adapt_datetimefield_value(now)
        self.kinds = list(ClockKind.objects.all())
        self.active = [k for k in self.kinds if k.is_active]
        self.result = SweepResult(today=today)

    # -- helpers ----------------------------------------------------------------------------------------
    def _exec(self, sql: str, params: list) -> int:
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return max(cur.rowcount, 0)

    @staticmethod
    def _in(column: str, values: list) -> tuple[str, list]:
        return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)

    def _insert_cards(self, level: str, where: str, params: list, due_col: str) -> int:
        # One card per (clock, level, due), ever: the partial unique index refuses a second one, so each
        # candidate costs one index probe. (An anti-join over the active cards instead was tried: on the
        # day after a sweep the planner scanned the card history and took 17 s at 10M clocks.)
        other = "due_at" if due_col == "due_date" else "due_date"
        sql = (f"INSERT INTO {CARD} (clock_id, kind_id, part, level, due_date, due_at, raised_on, raised_at, run_id, "
               f"officer_id, head_id, region_id, department_id, hall_id, cleared_reason) "
               f"SELECT c.id, c.kind_id, c.part, %s, c.due_date, c.due_at, %s, %s, %s, c.officer_id, c.head_id, c.region_id, "
               f"c.department_id, c.hall_id, '' FROM {CLOCK} c WHERE c.state = %s AND {where} "
               f"ON CONFLICT (clock_id, level, {due_col}) WHERE {other} IS NULL DO NOTHING")
        return self._exec(sql, [level, self.p_today, self.p_now, self.run_id, RUNNING, *params])

    def _clear(self, reason_sql: str, reason_params: list, where: str, params: list) -> int:
        sql = (f"UPDATE {CARD} SET cleared_on = %s, cleared_at = %s, cleared_reason = {reason_sql} "
               f"WHERE cleared_on IS NULL AND {where}")
        n = self._exec(sql, [self.p_today, self.p_now, *reason_params, *params])
        self.result.cleared += n
        return n

    # -- the run ----------------------------------------------------------------------------------------
    def run(self, *, days: bool) -> SweepResult:
        r = self.result
        day_kinds = [k for k in self.active if k.unit == ClockKind.Unit.DAY]
        minute_kinds = [k for k in self.active if k.unit == ClockKind.Unit.MINUTE]
        groups: list[Group] = []
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:  # short statements: compiling them costs more than it saves
                cur.execute("SET LOCAL jit = off")
        # Both counts are index-only scans of the partial "running" indexes.
        r.clocks = Clock.objects.filter(state=RUNNING, due_at__isnull=False).count()
        if days:
            warns = {self._warn(k) for k in day_kinds}
            groups = calendar_groups(self.today, self.policy, warns)
            r.clocks += Clock.objects.filter(state=RUNNING, due_date__isnull=False).count()
            # 超时默认 first: the clocks it starts (the approval document's) are carded in this same run,
            # so a second run the same day finds nothing new.
            self._deem(groups)
            if day_kinds:
                self._raise_days(groups, day_kinds)
        if minute_kinds:
            self._raise_minutes(minute_kinds)
        self._clear_all(groups, day_kinds, minute_kinds, days=days)
        r.messages += self._enqueue()
        return r

    @staticmethod
    def _by_warn(kinds: list[ClockKind], warn) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for k in kinds:
            out.setdefault(warn(k), []).append(k.code)
        return out

    def _warn(self, kind: ClockKind) -> int:
        return self.policy.warn_workdays if kind.warn_workdays is None else kind.warn_workdays

    def _raise_days(self, groups: list[Group], kinds: list[ClockKind]) -> None:
        r = self.result
        by_warn = self._by_warn(kinds, self._warn)
        codes = [k.code for k in kinds]
        for g in groups:
            region_sql, region_params = region_filter(groups, g, "c.region_id")
            kind_sql, kind_params = self._in("c.kind_id", codes)
            r.raised_red += self._insert_cards(
                Card.Level.RED, f"c.due_date < %s AND {kind_sql}{region_sql}",
                [g.red_before, *kind_params, *region_params], "due_date")
            for warn, kcodes in by_warn.items():
                kind_sql, kind_params = self._in("c.kind_id", kcodes)
                r.raised_yellow += self._insert_cards(
                    Card.Level.YELLOW, f"c.due_date >= %s AND c.due_date < %s AND {kind_sql}{region_sql}",
                    [g.red_before, g.yellow_before[warn], *kind_params, *region_params], "due_date")

    def _raise_minutes(self, kinds: list[ClockKind]) -> None:
        r = self.result
        ops = connection.ops
        kind_sql, kind_params = self._in("c.kind_id", [k.code for k in kinds])
        r.raised_red += self._insert_cards(Card.Level.RED, f"c.due_at < %s AND {kind_sql}",
                                           [self.p_now, *kind_params], "due_at")
        for warn, kcodes in self._by_warn(kinds, lambda k: k.warn_minutes).items():
            kind_sql, kind_params = self._in("c.kind_id", kcodes)
            until = ops.adapt_datetimefield_value(self.now + dt.timedelta(minutes=warn))
            r.raised_yellow += self._insert_cards(
                Card.Level.YELLOW, f"c.due_at >= %s AND c.due_at <= %s AND {kind_sql}",
                [self.p_now, until, *kind_params], "due_at")

    def _clear_all(self, groups: list[Group], day_kinds, minute_kinds, *, days: bool) -> None:
        # A finished clock's cards, and those of a clock whose due moved, were cleared by the clock service
        # when it happened (``clock_finish``, ``clock_move``, ``clock_resume``): no pass over them here.
        # A minute run touches only the cards of minute clocks; the daily run all of them.
        only = "" if days else f" AND {CARD}.due_at IS NOT NULL"
        clock_of = f"c.id = {CARD}.clock_id"
        # 2. a red card replaced the yellow one: the yellow card's due is past the red cutoff and the clock
        #    still runs to that due (the red card for it was raised above). A range, not a self-join.
        same_due = f"EXISTS (SELECT 1 FROM {CLOCK} c WHERE {clock_of} AND c.state = %s AND c.{{due}} = {CARD}.{{due}})"
        if days:
            for g in groups:
                region_sql, region_params = region_filter(groups, g, f"{CARD}.region_id")
                self._clear("%s", ["已升级为红牌"],
                            f"level = %s AND due_date < %s{region_sql} AND {same_due.format(due='due_date')}",
                            [Card.Level.YELLOW, g.red_before, *region_params, RUNNING])
        if minute_kinds or not days:
            self._clear("%s", ["已升级为红牌"], f"level = %s AND due_at < %s AND {same_due.format(due='due_at')}",
                        [Card.Level.YELLOW, self.p_now, RUNNING])
        # 4. the condition no longer holds for the same due
        running = f"EXISTS (SELECT 1 FROM {CLOCK} c WHERE {clock_of} AND c.state = %s)"
        reason = "预警条件已解除"
        if days:
            for g in groups:
                region_sql, region_params = region_filter(groups, g, f"{CARD}.region_id")
                self._clear("%s", [reason], f"level = %s AND due_date >= %s{region_sql} AND {running}",
                            [Card.Level.RED, g.red_before, *region_params, RUNNING])
                for warn, codes in self._by_warn(day_kinds, self._warn).items():
                    kind_sql, kind_params = self._in("kind_id", codes)
                    self._clear("%s", [reason],
                                f"level = %s AND {kind_sql} AND due_date >= %s{region_sql} AND {running}",
                                [Card.Level.YELLOW, *kind_params, g.yellow_before[warn], *region_params, RUNNING])
        if minute_kinds:
            self._clear("%s", [reason], f"level = %s AND due_at >= %s AND {running}",
                        [Card.Level.RED, self.p_now, RUNNING])
        for warn, codes in self._by_warn(minute_kinds, lambda k: k.warn_minutes).items():
            kind_sql, kind_params = self._in("kind_id", codes)
            until = connection.ops.adapt_datetimefield_value(self.now + dt.timedelta(minutes=warn))
            self._clear("%s", [reason], f"level = %s AND {kind_sql} AND due_at > %s AND {running}",
                        [Card.Level.YELLOW, *kind_params, until, RUNNING])
        # 5. the kind is no longer watched
        idle = [k.code for k in self.kinds if not k.is_active]
        if idle:
            kind_sql, kind_params = self._in("kind_id", idle)
            self._clear("%s", ["已停止监察"], f"{kind_sql}{only}", kind_params)

    def _deem(self, groups: list[Group]) -> None:
        """超时默认: running clocks of a kind under it, for the items and departments configured (and those
        other apps register), the n-th working day past their due, once per clock."""
        kinds = [k.code for k in self.active if k.deemed and k.unit == ClockKind.Unit.DAY]
        if not kinds:
            return
        scope = deemed_rule_q()
        extra = deemed_extra_scope()  # other apps' clocks (register_deemed_scope), e.g. 联办件's 子件
        if extra is not None:
            scope |= extra
        rows = []
        for g in groups:
            qs = Clock.objects.filter(state=RUNNING, deemable=True, kind_id__in=kinds, department__isnull=False,
                                      due_date__lt=g.deemed_before).filter(scope)
            if g.region_ids is not None:
                qs = qs.filter(region_id__in=g.region_ids)
            else:
                others = [pk for o in groups if o.region_ids is not None for pk in o.region_ids]
                if others:
                    qs = qs.exclude(region_id__in=others)
            qs = qs.exclude(pk__in=DeemedApproval.objects.values("clock_id"))
            rows += [(c, g) for c in qs.select_related("region")]
        if rows:
            self.result.deemed = issue_deemed(rows, today=self.today, policy=self.policy, run_id=self.run_id)
            deemed_notify([c for c, _g in rows])

    def _enqueue(self) -> int:
        """The messages owed for this run's new cards (the responsible officer, then the department head) and
        its 超时默认 notices. The cards' messages are not copied into an outbox: delivery reads the run's cards
        in id order and keeps its place on the run."""
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(officer_id), COUNT(CASE WHEN head_id IS NOT NULL AND (officer_id IS NULL "
                        f"OR head_id <> officer_id) THEN 1 END) FROM {CARD} WHERE run_id = %s", [self.run_id])
            officers, heads = cur.fetchone()
        self.result.card_messages = officers + (heads if self.policy.notify_head else 0)
        return self.result.card_messages + Notice.objects.filter(run_id=self.run_id, deemed__isnull=False).count()
