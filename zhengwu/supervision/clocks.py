"""The clock service (监察时钟): the one place where any domain starts, stops, resumes, moves and
finishes its supervised deadlines.

A domain calls these inside its own transaction, right beside its own state change, so the clock and
the domain never disagree. Nothing else writes clocks. Supervision imports no domain: a subject is a
``(type, id)`` pair plus what the board shows of it (number, title, link).

- ``register_kind(...)``: a domain declares its kinds once, at import (its ``apps.ready``); the row is
  created on first use and after ``migrate``, and stays an admin's to tune afterwards.
- ``clock_start``: a new running clock (a day clock with ``due_date`` or a minute clock with ``due_at``).
- ``clock_stop`` / ``clock_resume``: the clock does not run meanwhile (补正, 特别程序, 征求意见); cards
  already raised stay as they are. A minute clock resumes with the time it had left unless told.
- ``clock_move``: a new due (延期, a recomputed provisional date), a new responsible officer, or the
  end of 超时默认 eligibility (a decision is made).
- ``clock_finish``: the clock ends with a reason the board shows on the cards it clears ("办件已办结").
- ``clocks_batch()``: the clock writes made inside go to PostgreSQL as one statement when it ends (an
  action that ends one clock and starts the next pays one round trip, not two).

Who answers for a clock (the department head, the hall's 首席代表) is read on every case accepted and
every review step passed but changes a few times a year, so those look-ups are kept in-process
(``zhengwu.core.localmemo``): saving or deleting a ``Staff``, ``Role`` or ``Region`` row, or changing a staff
member's roles (admin, services, tests), empties this process's copy at once and again when the change
commits, and tells the other processes through the shared cache, which each checks at most every 30
seconds; an entry is also read again once it is ``STAFF_MAX_AGE_SECONDS`` old, so a write that sends no
signal (a bulk load such as the demo build's, SQL by hand) shows everywhere within that time too. A look-up
inside a transaction that has itself changed staff or roles (not committed yet; it may roll back) is used
but not kept.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, connections
from django.db.models.signals import m2m_changed, post_delete, post_save

from zhengwu.core import clock as wall
from zhengwu.core import fastsql
from zhengwu.core.errors import DomainError
from zhengwu.core.localmemo import LocalMemo
from zhengwu.org.models import Region, Role, Staff

from .models import Card, Clock, ClockKind, ClockState

__all__ = [
    "KindSpec", "Subject", "clock_finish", "clocks_backfill", "register_backfill", "clock_kind_register", "clock_move", "clock_resume", "clock_start",
    "clock_stop", "clocks_batch", "clocks_batch_lead", "clocks_start_many", "department_head", "department_head_pick", "kinds_sync", "open_started_on", "register_kind", "responsible_staff",
    "staff_lookups_invalidate",
]


@dataclass(frozen=True)
class KindSpec:
    code: str
    name: str
    subject_label: str
    due_label: str
    unit: str = ClockKind.Unit.DAY
    weight: int = 1
    deemed: bool = False
    warn_minutes: int = 5
    warn_workdays: int | None = None  # None: the policy's default
    sort: int = 100


@dataclass(frozen=True)
class Subject:
    """What a clock belongs to, as the board shows it."""

    type: str
    id: int
    no: str = ""
    title: str = ""
    url: str = ""


_REGISTRY: dict[str, KindSpec] = {}
_KNOWN: set[str] = set()
_BACKFILLS: list = []


def register_backfill(fn) -> None:
    """A domain's function that starts clocks for open subjects that have none (``zhengwu clocks_backfill``)."""
    if fn not in _BACKFILLS:
        _BACKFILLS.append(fn)


def clocks_backfill() -> dict[str, int]:
    """Run every registered backfill; {function's module: clocks started}."""
    return {fn.__module__: fn() for fn in _BACKFILLS}


def register_kind(spec: KindSpec) -> KindSpec:
    """Declare a kind of clock (at import time). The table row is created when first needed."""
    _REGISTRY[spec.code] = spec
    return spec


def clock_kind_register(spec: KindSpec) -> ClockKind:
    """Declare a kind and make sure its row exists now (an admin's later edits are kept)."""
    register_kind(spec)
    _KNOWN.discard(spec.code)
    return _ensure_kind(spec.code)


def kinds_sync(**_kwargs) -> None:
    """Create the rows of all declared kinds that do not exist yet (after every ``migrate``)."""
    have = set(ClockKind.objects.values_list("code", flat=True))
    ClockKind.objects.bulk_create([_row(s) for code, s in _REGISTRY.items() if code not in have])
    _KNOWN.update(_REGISTRY)


def _row(spec: KindSpec) -> ClockKind:
    return ClockKind(code=spec.code, name=spec.name, subject_label=spec.subject_label, due_label=spec.due_label,
                     unit=spec.unit, weight=spec.weight, deemed=spec.deemed, warn_minutes=spec.warn_minutes,
                     warn_workdays=spec.warn_workdays, sort=spec.sort)


def _ensure_kind(code: str) -> ClockKind | None:
    if code in _KNOWN:
        return None
    spec = _REGISTRY.get(code)
    if spec is None:
        if ClockKind.objects.filter(pk=code).exists():
            _KNOWN.add(code)
            return None
        raise DomainError("clock_kind_unknown", f"未登记的监察时钟类型：{code}")
    kind, _ = ClockKind.objects.get_or_create(pk=code, defaults={
        f: getattr(_row(spec), f) for f in ("name", "subject_label", "due_label", "unit", "weight", "deemed",
                                            "warn_minutes", "warn_workdays", "sort")})
    _KNOWN.add(code)
    return kind


def _key(subject) -> tuple[str, int]:
    if isinstance(subject, Subject):
        return subject.type, subject.id
    return subject[0], subject[1]


def _open(subject, kind: str | None = None, part: int | None = None):
    _batch_flush()  # a read or lock of clocks sees the writes queued before it
    stype, sid = _key(subject)
    qs = Clock.objects.filter(subject_type=stype, subject_id=sid).exclude(state=ClockState.FINISHED)
    if isinstance(kind, (tuple, list)):  # one of several kinds (e.g. a 签收 limit in minutes or in days)
        qs = qs.filter(kind_id__in=kind)
    elif kind is not None:
        qs = qs.filter(kind_id=kind)
    if part is not None:
        qs = qs.filter(part=part)
    return qs


# -- department heads and 首席代表, kept in-process (see the module's note) ------------------------------

STAFF_MAX_AGE_SECONDS = 30.0
# ("head", department id) -> (read at, its active heads' rows); ("chief", department id, hall id) -> (read at, id)
_staff = LocalMemo("zhengwu:supervision:staff")


def staff_lookups_invalidate(**_kwargs) -> None:
    """Forget the department heads and 首席代表 here and tell the other processes, now and once the change
    commits (the receiver of staff, role and region changes; call it after a bulk write of those)."""
    _staff.invalidate()


def _staff_roles_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _staff.invalidate()


def _staff_changed_here() -> bool:
    """Whether the open transaction has changed staff or roles itself (not committed yet): the memo's
    announcement is among its on-commit callbacks (Django drops those of a transaction or savepoint that
    rolls back)."""
    conn = connections["default"]
    if not conn.in_atomic_block:
        return False
    pending = getattr(conn, "run_on_commit", None)
    if pending is None:  # not knowable: keep nothing read inside a transaction
        return True
    announce = _staff._announce
    return any(entry[1] == announce for entry in pending)


def _looked_up(key: tuple, read):
    """``read()``, or what it gave for ``key`` before if that is younger than ``STAFF_MAX_AGE_SECONDS`` and no
    change was announced since."""
    now = time.monotonic()
    hit = _staff.fresh().get(key)
    if hit is not None and now - hit[0] < STAFF_MAX_AGE_SECONDS:
        return hit[1]
    generation = _staff.generation()
    value = read()
    if not _staff_changed_here():
        _staff.keep(key, (now, value), generation)
    return value


for _model in (Staff, Role, Region):
    post_save.connect(staff_lookups_invalidate, sender=_model,
                      dispatch_uid=f"supervision_staff_saved_{_model.__name__}")
    post_delete.connect(staff_lookups_invalidate, sender=_model,
                        dispatch_uid=f"supervision_staff_deleted_{_model.__name__}")
m2m_changed.connect(_staff_roles_changed, sender=Staff.roles.through, dispatch_uid="supervision_staff_roles")


# -- several clock writes in one statement -----------------------------------------------------------------
# Inside ``clocks_batch`` on PostgreSQL, ``clock_start``, ``clock_finish`` and the short ``clock_move`` queue
# their statement instead of sending it; the queue goes as one statement (``fastsql.together``) when the
# batch ends, before any read or lock of clocks (``_open``) and before a write that touches the same clocks
# as one queued (the statements of one ``WITH`` see one snapshot and must not touch the same rows).
# A domain may put its own guarded write first (``clocks_batch_lead``): what is sent with it then applies
# only if that write changed its row, and its ``done`` sees the result (and refuses, raising) before anything
# queued later is sent.


@dataclass
class _Queued:
    build: object  # (source: the lead's name or None) -> (sql, params)
    returns: bool
    scope: tuple | None  # (subject type, subject id, kinds or None for all, part or None for all); None: no clock
    done: object = None  # called with the statement's RETURNING values
    lead: bool = False


_batch: ContextVar[list | None] = ContextVar("clocks_batch", default=None)


@contextmanager
def clocks_batch() -> Iterator[None]:
    """Send the clock writes made inside as one statement at the end (PostgreSQL; elsewhere each is sent at
    once, as outside a batch). Use it inside the caller's transaction; an exception inside drops what was
    queued (the transaction is being undone anyway). Inside, ``clock_start`` returns the clock without its
    primary key until the batch is sent, and ``clock_finish``/``clock_move`` return None (the count is not
    known before)."""
    if connection.vendor != "postgresql" or _batch.get() is not None:
        yield
        return
    queue: list[_Queued] = []
    token = _batch.set(queue)
    try:
        yield
        _batch_flush()
    finally:
        _batch.reset(token)


def clocks_batch_lead(sql: str, params: list, *, done, inserts=()) -> bool:
    """Put a domain's own guarded write first in the open batch (False: no batch here; run it yourself).

    ``sql`` changes at most one row and returns one column (``UPDATE … RETURNING id``); ``inserts`` are
    unsaved rows (the action's event) written with it only if it changed its row, as is every clock write
    sent in the same statement; ``done(values)`` gets what it returned when the batch is sent, and raises
    to refuse (the clock writes queued after it are then never sent)."""
    queue = _batch.get()
    if queue is None:
        return False
    _batch_flush()
    queue.append(_Queued(lambda source: (sql, params), True, None, done, lead=True))
    for obj in inserts:
        queue.append(_Queued(lambda source, obj=obj: fastsql.insert_statement(obj, source=source, returning=False),
                             False, None))
    return True


def _scope(subject, kind, part) -> tuple:
    stype, sid = _key(subject)
    kinds = frozenset(kind) if isinstance(kind, (tuple, list)) else frozenset([kind]) if kind is not None else None
    return stype, sid, kinds, part


def _overlap(a: tuple | None, b: tuple | None) -> bool:
    if a is None or b is None:
        return False
    return (a[0] == b[0] and a[1] == b[1] and (a[2] is None or b[2] is None or bool(a[2] & b[2]))
            and (a[3] is None or b[3] is None or a[3] == b[3]))


def _queue(q: _Queued) -> bool:
    """Queue ``q`` in the open batch (False: no batch, send it now)."""
    queue = _batch.get()
    if queue is None:
        return False
    if any(_overlap(q.scope, other.scope) for other in queue):
        _batch_flush()
    queue.append(q)
    return True


def _batch_flush() -> None:
    queue = _batch.get()
    if not queue:
        return
    todo = list(queue)
    queue.clear()
    source = "s0" if todo[0].lead else None
    statements = [(*q.build(None if q.lead else source), q.returns) for q in todo]
    results = fastsql.together(statements)
    for q, result in zip(todo, results, strict=True):
        if q.done is not None:
            q.done(result)


def responsible_staff(*, role: str, department_id: int | None, hall_id: int | None, region_code: str,
                      handler_id: int | None = None, head_id: object = "auto") -> int | None:
    """Who answers for a clock held by ``role``: the 首席代表 of the department in that hall, the
    department head whose region covers ``region_code``, or else the handler."""
    if role == Role.CHIEF_REP and department_id and hall_id:
        sid = _looked_up(("chief", department_id, hall_id), lambda: (
            Staff.objects.filter(is_active=True, roles__code=Role.CHIEF_REP, department_id=department_id,
                                 hall_id=hall_id).order_by("employee_no").values_list("id", flat=True).first()))
        return sid or handler_id
    if role == Role.DEPT_HEAD and department_id:
        head = department_head(department_id, region_code) if head_id == "auto" else head_id
        return head or handler_id
    return handler_id


def open_started_on(*, subject, kind: str, part: int = 0) -> dt.date | None:
    """When the open clock of ``subject`` (that kind and part) started, or None."""
    return _open(subject, kind, part).values_list("started_on", flat=True).first()


_PREFIX = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}


def department_head(department_id: int | None, region_code: str) -> int | None:
    """The active head of the department whose own region covers ``region_code`` (the nearest first)."""
    if not department_id:
        return None
    rows = _looked_up(("head", department_id), lambda: tuple(
        Staff.objects.filter(is_active=True, roles__code=Role.DEPT_HEAD, department_id=department_id)
        .order_by("employee_no").values_list("id", "region__code", "region__level")))
    return department_head_pick(rows, region_code)


def department_head_pick(rows, region_code: str) -> int | None:
    """``department_head``'s choice among ``(staff id, region code, region level)`` rows of the department's
    active heads in ``employee_no`` order — for a caller that has read them with more (one query for the
    unit's staff and its head)."""
    best = None
    for sid, code, level in rows:
        prefix = code[: _PREFIX.get(level, 12)]
        if region_code.startswith(prefix) and (best is None or len(prefix) > best[1]):
            best = (sid, len(prefix))
    return best[0] if best else None


def clock_start(*, kind: str, subject: Subject, region, due_date: dt.date | None = None,
                due_at: dt.datetime | None = None, part: int = 0, part_name: str = "", hall=None,
                department=None, window=None, officer=None, head: object = "auto", item=None,
                started_on: dt.date | None = None) -> Clock:
    """A running clock for ``subject``. ``head="auto"`` finds the department head to notify."""
    _ensure_kind(kind)
    if (due_date is None) == (due_at is None):
        raise DomainError("clock_due", "监察时钟须有且只有一个期限（日期或时刻）")
    now = wall.now()
    dept_id = getattr(department, "pk", department)
    if head == "auto":
        head = department_head(dept_id, region.code) if dept_id else None
    # A second open clock of the same subject, kind and part is refused by a unique constraint.
    c = Clock(
        kind_id=kind, subject_type=subject.type, subject_id=subject.id, part=part, part_name=part_name[:64],
        subject_no=subject.no[:64], title=subject.title[:200], url=subject.url[:200],
        item_id=getattr(item, "pk", item), region=region, hall_id=getattr(hall, "pk", hall),
        department_id=dept_id, window_id=getattr(window, "pk", window),
        officer_id=getattr(officer, "pk", officer), head_id=getattr(head, "pk", head),
        started_on=started_on or wall.today(), started_at=now, due_date=due_date, due_at=due_at)

    def saved(ids):
        if ids:  # none when the batch's lead changed nothing (it refuses, raising, right after)
            c.pk = ids[0]
            c._state.adding = False
            c._state.db = connection.alias

    if not _queue(_Queued(lambda source: fastsql.insert_statement(c, source=source), True,
                          _scope(subject, kind, part), saved)):
        fastsql.insert_one(c)
    return c


def clocks_start_many(*, kind: str | None = None, starts: list[dict]) -> list[Clock]:
    """Many running clocks in one statement (the sweep's 超时默认 notices start hundreds at once; a
    dispatch starts a unit's 签收 clock and the 办结 clock together). Each dict holds ``clock_start``'s
    keywords; its own ``kind`` or else the ``kind`` given here; ``head`` must be given (no "auto")."""
    _batch_flush()
    now, today = wall.now(), wall.today()
    rows = []
    for a in starts:
        k = a.get("kind") or kind
        if k is None:
            raise DomainError("clock_kind_unknown", "监察时钟须指明类型")
        _ensure_kind(k)
        subject, due_date, due_at = a["subject"], a.get("due_date"), a.get("due_at")
        if (due_date is None) == (due_at is None):
            raise DomainError("clock_due", "监察时钟须有且只有一个期限（日期或时刻）")
        if a.get("head") == "auto":
            raise DomainError("clock_head", "批量开始的监察时钟须给出部门负责人")
        pk = lambda v: getattr(v, "pk", v)  # noqa: E731
        rows.append(Clock(
            kind_id=k, subject_type=subject.type, subject_id=subject.id, part=a.get("part", 0),
            part_name=a.get("part_name", "")[:64], subject_no=subject.no[:64], title=subject.title[:200],
            url=subject.url[:200], item_id=pk(a.get("item")), region=a["region"], hall_id=pk(a.get("hall")),
            department_id=pk(a.get("department")), window_id=pk(a.get("window")), officer_id=pk(a.get("officer")),
            head_id=pk(a.get("head")), started_on=a.get("started_on") or today, started_at=now, due_date=due_date,
            due_at=due_at))
    return Clock.objects.bulk_create(rows, batch_size=1000)


def clock_stop(*, subject, kind: str | None = None, part: int | None = None, on: dt.date | None = None) -> int:
    """Stop the running clocks of ``subject`` (all of them unless ``kind``/``part`` say which).

    The clocks are locked ``FOR NO KEY UPDATE`` here and in ``clock_resume``/``clock_move`` (what their UPDATE
    takes anyway): a plain ``FOR UPDATE`` also waited for the key-share lock a row referring to the clock
    holds (the sweep's DeemedApproval, a card) until that transaction ended."""
    now = wall.now()
    n = 0
    for c in _open(subject, kind, part).filter(state=ClockState.RUNNING).select_for_update(no_key=True):
        c.state = ClockState.STOPPED
        c.stopped_on = on or wall.today()
        if c.due_at is not None:
            c.remaining_seconds = int((c.due_at - now).total_seconds())
        c.save(update_fields=["state", "stopped_on", "remaining_seconds"])
        n += 1
    return n


def clock_resume(*, subject, kind: str | None = None, part: int | None = None, due_date: dt.date | None = None,
                 due_at: dt.datetime | None = None) -> int:
    """Run the stopped clocks again; day clocks take the ``due_date`` the domain recomputed
    (the stop taken out), minute clocks the time they had left unless ``due_at`` is given."""
    now = wall.now()
    moved = []
    for c in _open(subject, kind, part).filter(state=ClockState.STOPPED).select_for_update(no_key=True):
        if c.due_date is not None and due_date is not None:
            c.due_date = due_date
        elif c.due_at is not None:
            c.due_at = due_at or now + dt.timedelta(seconds=c.remaining_seconds or 0)
        c.state, c.stopped_on, c.remaining_seconds = ClockState.RUNNING, None, None
        c.save(update_fields=["state", "stopped_on", "remaining_seconds", "due_date", "due_at"])
        moved.append(c.pk)
    _clear_moved(moved)
    return len(moved)


_UNSET = object()


def clock_move(*, subject, kind: str | None = None, part: int | None = None, due_date: dt.date | None = None,
               due_at: dt.datetime | None = None, officer=_UNSET, deemable: bool | None = None) -> int | None:
    """Change what an open clock says: its due (延期, a confirmed calendar), its officer, 超时默认."""
    changes: dict = {}
    if due_date is not None:
        changes["due_date"] = due_date
    if due_at is not None:
        changes["due_at"] = due_at
    if officer is not _UNSET:
        changes["officer_id"] = getattr(officer, "pk", officer)
    if deemable is not None:
        changes["deemable"] = deemable
    if not changes:
        return 0
    if "due_date" not in changes and "due_at" not in changes:  # no cards to clear: one short UPDATE
        return _update_open(subject, kind, part, changes)
    qs = _open(subject, kind, part)
    if "due_date" in changes:
        qs = qs.filter(due_date__isnull=False)
    if "due_at" in changes:
        qs = qs.filter(due_at__isnull=False)
    ids = list(qs.select_for_update(no_key=True).values_list("pk", flat=True))
    n = Clock.objects.filter(pk__in=ids).update(**changes)
    _clear_moved(ids)
    return n


_update_open_sql: dict[tuple, tuple[str, list]] = {}


def _update_open(subject, kind, part, changes: dict) -> int | None:
    """``_open(subject, kind, part).update(**changes)`` with its SQL built once per column set and filter
    shape (compiling it through the ORM cost more than running it on the case services' hot paths)."""
    stype, sid = _key(subject)
    kinds = list(kind) if isinstance(kind, (tuple, list)) else [kind] if kind is not None else []
    key = (connection.vendor, tuple(changes), len(kinds), part is not None)
    cached = _update_open_sql.get(key)
    if cached is None:
        qn = connection.ops.quote_name
        meta = Clock._meta
        fields = [meta.get_field(name) for name in changes]
        where = ["subject_type = %s", "subject_id = %s", "state <> %s"]
        if kinds:
            where.append(f"kind_id IN ({', '.join(['%s'] * len(kinds))})")
        if part is not None:
            where.append("part = %s")
        sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        cached = _update_open_sql[key] = (f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {' AND '.join(where)}",
                                          fields)
    sql, fields = cached
    params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, changes.values(), strict=True)]
    params += [stype, sid, ClockState.FINISHED, *kinds]
    if part is not None:
        params.append(part)
    if _queue(_Queued(lambda source: (_guarded(sql, source), params), False, _scope(subject, kind, part))):
        return None
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def clock_finish(*, subject, reason: str, kind: str | tuple[str, ...] | None = None, part: int | None = None,
                 counts: bool = True) -> int | None:
    """End the open clocks of ``subject``; ``late`` records whether the due had passed (for the
    按时办结率). ``counts=False`` when the work ended undone (withdrawn, terminated): ``late`` stays
    unset and the rate leaves the clock out. Their active cards are cleared at once with ``reason``.

    Short statements whatever the number of clocks, written out like the sweep's (compiling them cost
    more than running them on the services' hot paths): one UPDATE ends the clocks (it takes their row
    locks, as a SELECT … FOR UPDATE would, decides ``late`` per row and returns whether each has an
    active card) and, if any has, one UPDATE clears the active cards of the subject's finished clocks
    (of that kind and part)."""
    now = wall.now()
    today = wall.today()
    ops = connection.ops
    p_now, p_today = ops.adapt_datetimefield_value(now), ops.adapt_datefield_value(today)
    stype, sid = _key(subject)
    where, params = ["subject_type = %s", "subject_id = %s"], [stype, sid]
    kinds = list(kind) if isinstance(kind, (tuple, list)) else [kind] if kind is not None else []
    if kinds:
        where.append(f"kind_id IN ({', '.join(['%s'] * len(kinds))})")
        params += kinds
    if part is not None:
        where.append("part = %s")
        params.append(part)
    cond = " AND ".join(where)
    sets = "state = %s, finished_on = %s, finished_at = %s, finish_reason = %s"
    set_params = [ClockState.FINISHED, p_today, p_now, reason[:64]]
    if counts:
        sets += ", late = CASE WHEN due_date < %s OR due_at < %s THEN %s ELSE %s END"
        set_params += [p_today, p_now, True, False]
    clocks, cards = Clock._meta.db_table, Card._meta.db_table
    sql = f"UPDATE {clocks} SET {sets} WHERE {cond} AND state <> %s"
    clear_sql = (f"UPDATE {cards} SET cleared_on = %s, cleared_at = %s, cleared_reason = %s "
                 f"WHERE cleared_on IS NULL AND clock_id IN (SELECT id FROM {clocks} WHERE {cond} AND state = %s)")
    clear_params = [p_today, p_now, (reason or "监察时钟已结束")[:64], *params, ClockState.FINISHED]
    returning = connection.features.can_return_columns_from_insert  # UPDATE … RETURNING too (PG, SQLite ≥ 3.35)
    if returning:
        sql += "{guard}"
        sql += (f" RETURNING EXISTS (SELECT 1 FROM {cards} WHERE {cards}.clock_id = {clocks}.id "
                f"AND {cards}.cleared_on IS NULL)")

    def clear_cards(carded):
        if any(carded):
            with connection.cursor() as cur:
                cur.execute(clear_sql, clear_params)

    all_params = [*set_params, *params, ClockState.FINISHED]
    if returning and _queue(_Queued(lambda source: (_guarded(sql, source), all_params), True,
                                    _scope(subject, kind, part), clear_cards)):
        return None
    sql = _guarded(sql, None)
    with connection.cursor() as cur:
        cur.execute(sql, all_params)
        if returning:
            carded = [bool(row[0]) for row in cur.fetchall()]
            n = len(carded)
        else:
            n = cur.rowcount
            carded = [True] if n else []
    clear_cards(carded)
    return n


def _guarded(sql: str, source: str | None) -> str:
    """An UPDATE of clocks (with ``{guard}`` where its WHERE ends, or at its end) applied only if the batch's
    lead, ``source``, changed its row."""
    guard = f" AND EXISTS (SELECT 1 FROM {source})" if source else ""
    return sql.replace("{guard}", guard) if "{guard}" in sql else sql + guard


def _clear_moved(ids: list[int]) -> None:
    """A clock's due moved (延期, resumed after a stop, a confirmed calendar): its active cards were for the
    old due and are cleared now ("办结期限已变更"); the sweep raises what the new due calls for."""
    if not ids:
        return
    due = {c.pk: (c.due_date, c.due_at) for c in Clock.objects.filter(pk__in=ids).only("due_date", "due_at")}
    stale: dict[str, list[int]] = {}
    for card in Card.objects.filter(clock_id__in=ids, cleared_on__isnull=True).select_related("kind"):
        if due.get(card.clock_id) != (card.due_date, card.due_at):
            stale.setdefault(f"{card.kind.due_label}已变更"[:64], []).append(card.pk)
    for reason, pks in stale.items():
        Card.objects.filter(pk__in=pks).update(cleared_on=wall.today(), cleared_at=wall.now(), cleared_reason=reason)
