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
from django.db.models import Q
from django.utils import timezone

from zhengwu.core import clock

from ..models import Card, Clock, ClockKind, ClockState, DeemedApproval, Notice, SupervisionPolicy, SweepRun
from ..policy import policy_get
from .conditions import (
    Group,
    calendar_groups,
    deemed_extra_scope,
    deemed_notify,
    deemed_scope,
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
    first_card: int = 0  # the id of this run's first card (delivery reads them from there)
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
            cards_pending=result.card_messages > 0, cards_sent_to=max(result.first_card - 1, 0))
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
        self.officers = self.heads = 0  # messages owed for the new cards

    # -- helpers ----------------------------------------------------------------------------------------
    def _exec(self, sql: str, params: list) -> int:
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return max(cur.rowcount, 0)

    @staticmethod
    def _in(column: str, values: list) -> tuple[str, list]:
        return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)

    def _insert_cards(self, level_sql: str, level_params: list, where: str, params: list, due_col: str) -> None:
        """Cards for the running clocks meeting ``where``, at the level ``level_sql`` gives (NULL: none).

        One card per (clock, level, due), ever: each candidate probes the partial unique index once for a card
        of the same condition (raised earlier, cleared or not). ``LIMIT 1 OFFSET 0`` keeps the probe a per-row
        subplan on PostgreSQL: pulled up into an anti-join, the planner may hash the whole card history (an
        anti-join of that kind took 17 s at 10M clocks the day after a sweep). A plain INSERT with the probe
        costs less than ``ON CONFLICT DO NOTHING``, whose speculative insertion writes more per row; the
        unique index still refuses a duplicate (sweeps are serialised by the policy-row lock).

        The cards are written in the order of their clocks' ids (a sort of the candidates): the two
        indexes led by ``clock_id`` then grow at their right edge, page after page, instead of taking each card
        on a random leaf (fewer pages touched, split and logged), and the probes walk the unique index in the
        same order."""
        other = "due_at" if due_col == "due_date" else "due_date"
        sql = (f"INSERT INTO {CARD} (clock_id, kind_id, part, level, due_date, due_at, raised_on, raised_at, run_id, "
               f"officer_id, head_id, region_id, department_id, hall_id, cleared_reason) "
               f"SELECT x.id, x.kind_id, x.part, x.lvl, x.due_date, x.due_at, %s, %s, %s, x.officer_id, x.head_id, "
               f"x.region_id, x.department_id, x.hall_id, '' FROM (SELECT c.id, c.kind_id, c.part, {level_sql} AS lvl, "
               f"c.due_date, c.due_at, c.officer_id, c.head_id, c.region_id, c.department_id, c.hall_id "
               f"FROM {CLOCK} c WHERE c.state = %s AND {where}) x WHERE x.lvl IS NOT NULL "
               f"AND NOT EXISTS (SELECT 1 FROM {CARD} k WHERE k.clock_id = x.id AND k.level = x.lvl "
               f"AND k.{due_col} = x.{due_col} AND k.{other} IS NULL LIMIT 1 OFFSET 0) ORDER BY x.id")
        params = [self.p_today, self.p_now, self.run_id, *level_params, RUNNING, *params]
        if connection.vendor != "postgresql":
            self._exec(sql, params)  # counted by ``_enqueue``
            return
        # The new cards counted as they are written (no second read of them): by level, and the messages owed.
        with connection.cursor() as cur:
            cur.execute(f"WITH ins AS ({sql} RETURNING id, level, officer_id, head_id) SELECT {self.COUNTS} FROM ins",
                        [*params, Card.Level.RED, Card.Level.YELLOW])
            self._count(cur.fetchone())

    # red, yellow, messages to the officers, messages to the department heads (when not the officer), first id
    COUNTS = ("COUNT(CASE WHEN level = %s THEN 1 END), COUNT(CASE WHEN level = %s THEN 1 END), COUNT(officer_id), "
              "COUNT(CASE WHEN head_id IS NOT NULL AND (officer_id IS NULL OR head_id <> officer_id) THEN 1 END), "
              "MIN(id)")

    def _count(self, row: tuple) -> None:
        red, yellow, officers, heads, first = row
        if first is not None:
            self.result.first_card = min(first, self.result.first_card or first)
        self.result.raised_red += red
        self.result.raised_yellow += yellow
        self.officers += officers
        self.heads += heads

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
        # Only the sweep writes cards, one run at a time (the policy-row lock): this run's cards are those
        # after the last id now. Reading them by id range needs no index of their own on ``run``.
        self.first_id = (Card.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        # No card this run raises meets a clearing condition (``_clear_all``): with no card active before it (the
        # first run over a county), there is nothing to clear, and no pass over the cards it is about to write.
        active_before = Card.objects.filter(cleared_on__isnull=True).exists()
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
        if active_before:
            self._clear_all(groups, day_kinds, minute_kinds, days=days)
        r.messages += self._enqueue()
        r.first_card = r.first_card or self.first_id
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
        """Per calendar, one INSERT reads the running clocks due before the usual warning cutoff (the default
        warning period's, or the one most kinds use) and raises red below the red cutoff and yellow below each
        kind's warning cutoff; a kind warned earlier than that gets one more INSERT for the days beyond it
        (reading only its own clocks there, not every clock due on those days)."""
        by_warn = self._by_warn(kinds, self._warn)
        main = (self.policy.warn_workdays if self.policy.warn_workdays in by_warn
                else max(by_warn, key=lambda w: len(by_warn[w])))
        codes = [k.code for k in kinds]
        for g in groups:
            region_sql, region_params = region_filter(groups, g, "c.region_id")
            kind_sql, kind_params = self._in("c.kind_id", codes)
            until = max(g.red_before, g.yellow_before[main])
            whens, when_params = [], []
            for warn, kcodes in by_warn.items():
                in_sql, in_params = self._in("c.kind_id", kcodes)
                whens.append(f"WHEN c.due_date < %s AND {in_sql} THEN %s")
                when_params += [g.yellow_before[warn], *in_params, Card.Level.YELLOW]
            # The watched kinds are tested in the CASE (NULL: no card), not in the WHERE, which is then the running
            # clocks' due index's range alone. A kind list there (one naming nearly every kind) invites the planner
            # to AND that index with the kind index's millions of entries: at 10M clocks with work_mem at 64MB it
            # did, and the statement took 2.6 s instead of 0.8.
            self._insert_cards(f"CASE WHEN c.due_date < %s AND {kind_sql} THEN %s {' '.join(whens)} END",
                               [g.red_before, *kind_params, Card.Level.RED, *when_params],
                               f"c.due_date < %s{region_sql}", [until, *region_params], "due_date")
            for warn, kcodes in by_warn.items():
                if g.yellow_before[warn] > until:
                    in_sql, in_params = self._in("c.kind_id", kcodes)
                    self._insert_cards("%s", [Card.Level.YELLOW],
                                       f"c.due_date >= %s AND c.due_date < %s AND {in_sql}{region_sql}",
                                       [until, g.yellow_before[warn], *in_params, *region_params], "due_date")

    def _raise_minutes(self, kinds: list[ClockKind]) -> None:
        ops = connection.ops
        kind_sql, kind_params = self._in("c.kind_id", [k.code for k in kinds])
        whens, when_params, untils = [], [], []
        for warn, kcodes in self._by_warn(kinds, lambda k: k.warn_minutes).items():
            in_sql, in_params = self._in("c.kind_id", kcodes)
            until = ops.adapt_datetimefield_value(self.now + dt.timedelta(minutes=warn))
            whens.append(f"WHEN c.due_at <= %s AND {in_sql} THEN %s")
            when_params += [until, *in_params, Card.Level.YELLOW]
            untils.append(self.now + dt.timedelta(minutes=warn))
        level_sql = f"CASE WHEN c.due_at < %s THEN %s {' '.join(whens)} END"
        until = ops.adapt_datetimefield_value(max([self.now, *untils]))
        self._insert_cards(level_sql, [self.p_now, Card.Level.RED, *when_params],
                           f"c.due_at <= %s AND {kind_sql}", [until, *kind_params], "due_at")

    def _clear_all(self, groups: list[Group], day_kinds, minute_kinds, *, days: bool) -> None:
        """Clear the cards whose condition ended, in one UPDATE: one pass over the active cards instead of one per
        condition. A card's reason is the first that applies (``CASE`` in this order):

        - "已升级为红牌": a red card replaced the yellow one (its due is past the red cutoff and the clock still runs
          to that due: the red card for it was raised above);
        - "预警条件已解除": the condition no longer holds for the same due (a calendar changed);
        - "已停止监察": the kind is no longer watched.

        A finished clock's cards, and those of a clock whose due moved, were cleared by the clock service when it
        happened (``clock_finish``, ``clock_move``, ``clock_resume``): no pass over them here. A minute run
        touches only the cards of minute clocks; the daily run all of them.

        None of the cards this run has just raised meets a condition here (so with none active before the run, it
        is not run at all). A red card is raised below the red cutoff (a day clock's due before
        ``red_before``, a minute clock's before now), where "预警条件已解除" needs it at or above; a yellow card at or
        above the red cutoff, where "已升级为红牌" needs it below, and below its own kind's warning cutoff (each
        kind is in one warning group, each region in one calendar group, the same groups as here), where
        "预警条件已解除" needs it at or above; only watched kinds get cards."""
        running = f"EXISTS (SELECT 1 FROM {CLOCK} c WHERE c.id = {CARD}.clock_id AND c.state = %s{{same}})"
        same_due = f" AND c.{{due}} = {CARD}.{{due}}"
        upgraded, lifted = "已升级为红牌", "预警条件已解除"
        conds: list[tuple[str, list, str, list, str]] = []  # (on the card, params, on its clock, params, reason)
        if days:
            for g in groups:
                region_sql, region_params = region_filter(groups, g, f"{CARD}.region_id")
                conds.append((f"level = %s AND due_date IS NOT NULL AND due_date < %s{region_sql}",
                              [Card.Level.YELLOW, g.red_before, *region_params],
                              running.format(same=same_due.format(due="due_date")), [RUNNING], upgraded))
        if minute_kinds or not days:
            conds.append(("level = %s AND due_at IS NOT NULL AND due_at < %s", [Card.Level.YELLOW, self.p_now],
                          running.format(same=same_due.format(due="due_at")), [RUNNING], upgraded))
        plain = running.format(same="")
        if days:
            for g in groups:
                region_sql, region_params = region_filter(groups, g, f"{CARD}.region_id")
                conds.append((f"level = %s AND due_date IS NOT NULL AND due_date >= %s{region_sql}",
                              [Card.Level.RED, g.red_before, *region_params], plain, [RUNNING], lifted))
                for warn, codes in self._by_warn(day_kinds, self._warn).items():
                    kind_sql, kind_params = self._in("kind_id", codes)
                    conds.append((f"level = %s AND {kind_sql} AND due_date IS NOT NULL AND due_date >= %s{region_sql}",
                                  [Card.Level.YELLOW, *kind_params, g.yellow_before[warn], *region_params],
                                  plain, [RUNNING], lifted))
        if minute_kinds:
            conds.append(("level = %s AND due_at IS NOT NULL AND due_at >= %s", [Card.Level.RED, self.p_now], plain,
                          [RUNNING], lifted))
        for warn, codes in self._by_warn(minute_kinds, lambda k: k.warn_minutes).items():
            kind_sql, kind_params = self._in("kind_id", codes)
            until = connection.ops.adapt_datetimefield_value(self.now + dt.timedelta(minutes=warn))
            conds.append((f"level = %s AND {kind_sql} AND due_at IS NOT NULL AND due_at > %s",
                          [Card.Level.YELLOW, *kind_params, until], plain, [RUNNING], lifted))
        idle = [k.code for k in self.kinds if not k.is_active]
        if idle:
            kind_sql, kind_params = self._in("kind_id", idle)
            conds.append((kind_sql + ("" if days else f" AND {CARD}.due_at IS NOT NULL"), kind_params, "", [],
                          "已停止监察"))
        if not conds:
            return
        # WHERE: any condition, the card's own columns first, never NULL (``IS NOT NULL`` on the due), so that
        # the clock is read only for a card they select (NULL AND … would evaluate the clock's subquery too).
        where = " OR ".join(f"({card} AND {clk})" if clk else f"({card})" for card, _p, clk, _cp, _r in conds)
        where_params = [x for card, p, clk, cp, _r in conds for x in (*p, *cp)]
        # SET: the first condition that holds. The conditions on the card alone exclude one another but for
        # an unwatched kind's: without one, the clock need not be read again for the reason.
        whens, when_params = [], []
        for card, p, clk, cp, reason in conds:
            if idle and clk:
                whens.append(f"WHEN {card} AND {clk} THEN %s")
                when_params += [*p, *cp, reason]
            else:
                whens.append(f"WHEN {card} THEN %s")
                when_params += [*p, reason]
        self._clear(f"CASE {' '.join(whens)} END", when_params, f"({where})", where_params)

    def _deem(self, groups: list[Group]) -> None:
        """超时默认: running clocks of a kind under it, for the items and departments configured (and those
        other apps register), the n-th working day past their due, once per clock."""
        kinds = [k.code for k in self.active if k.deemed and k.unit == ClockKind.Unit.DAY]
        if not kinds:
            return
        # The rules' items and departments as values, not subqueries: the candidates are then an index
        # intersection (item or department, and the running clocks' due), not a read of every overdue clock.
        items, depts = deemed_scope()
        rule = Q()
        if items:
            rule |= Q(item_id__in=sorted(items))
        if depts:
            rule |= Q(department_id__in=sorted(depts))
        scopes = [rule] if rule else []
        extra = deemed_extra_scope()  # other apps' clocks (register_deemed_scope), e.g. 联办件's 子件
        if extra is not None:
            scopes.append(extra)
        found: dict[int, tuple[Clock, Group]] = {}
        for g in groups:
            base = Clock.objects.filter(state=RUNNING, deemable=True, kind_id__in=kinds, department__isnull=False,
                                        due_date__lt=g.deemed_before)
            if g.region_ids is not None:
                base = base.filter(region_id__in=g.region_ids)
            else:
                others = [pk for o in groups if o.region_ids is not None for pk in o.region_ids]
                if others:
                    base = base.exclude(region_id__in=others)
            base = base.exclude(pk__in=DeemedApproval.objects.values("clock_id"))
            for scope in scopes:  # one query each: OR-ed together, no index could serve them
                for c in base.filter(scope).select_related("region").order_by("pk"):
                    found.setdefault(c.pk, (c, g))
        rows = [found[pk] for pk in sorted(found)]
        if rows:
            self.result.deemed = issue_deemed(rows, today=self.today, policy=self.policy, run_id=self.run_id)
            deemed_notify([c for c, _g in rows])

    def _enqueue(self) -> int:
        """The messages owed for this run's new cards (the responsible officer, then the department head) and
        its 超时默认 notices. The cards' messages are not copied into an outbox: delivery reads the run's cards in
        id order, from the first, and keeps its place on the run."""
        r = self.result
        if connection.vendor != "postgresql":  # counted here, not as written
            with connection.cursor() as cur:
                cur.execute(f"SELECT {self.COUNTS} FROM {CARD} WHERE id >= %s AND run_id = %s",
                            [Card.Level.RED, Card.Level.YELLOW, self.first_id, self.run_id])
                self._count(cur.fetchone())
        r.card_messages = self.officers + (self.heads if self.policy.notify_head else 0)
        return r.card_messages + Notice.objects.filter(run_id=self.run_id, deemed__isnull=False).count()
