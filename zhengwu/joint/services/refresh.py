"""The 联办件's derived status and due date (joint_refresh), from its 子件, opinions and rulings.

Called by every joint service and, through the hook in ``cases.services.common._update``, by every action
on a 子件, inside that action's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from zhengwu.cases.models import Case, Status
from zhengwu.core import clock
from zhengwu.supervision.models import DeemedApproval

from ..models import JointCase, JointOpinion, JointStatus, OpinionKind
from .common import event, lock, save

DONE = frozenset({Status.DECIDED, Status.COMPLETED, Status.DELIVERED})
FINAL = frozenset({JointStatus.COMPLETED, JointStatus.REFUSED, JointStatus.REJECTED, JointStatus.WITHDRAWN})


@dataclass
class ChildState:
    id: int
    case_no: str
    status: str
    due_date: object
    decision: str
    department_id: int
    deemed: bool

    @property
    def settled(self) -> bool:
        """Decided by its department, or deemed to agree (超时默认)."""
        return self.status in DONE or self.deemed


def deemed_case_ids(case_ids) -> set[int]:
    """子件 marked 超时默认 by the sweep (a DeemedApproval on their 办结时限 clock)."""
    ids = list(case_ids)
    if not ids:
        return set()
    return set(DeemedApproval.objects.filter(clock__subject_type="case", clock__kind_id="case",
                                             clock__subject_id__in=ids).values_list("clock__subject_id", flat=True))


def children_state(joint: JointCase) -> list[ChildState]:
    return _children_state(joint)[0]


_prepared: dict[tuple, tuple] = {}


def prepared_rows(name: str, build, value) -> list[tuple]:
    """The rows of the ``values_list`` queryset ``build()`` makes (filtered on the placeholder -1), for
    ``value`` in place of the placeholder: its SQL compiled once per database vendor, then run with the
    new value (through the ORM, compiling it cost more than running it on every 子件 action). Values are
    converted as the ORM's compiler converts them (dates on SQLite, booleans, JSON)."""
    key = (name, connection.vendor)
    cached = _prepared.get(key)
    if cached is None:
        compiler = build().query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slot = [i for i, p in enumerate(params) if p == -1]
        if len(slot) != 1:
            raise RuntimeError(f"{name}: one placeholder expected")
        converters = compiler.get_converters([c[0] for c in compiler.select])
        cached = _prepared[key] = (sql, list(params), slot[0], compiler, converters)
    sql, params, slot, compiler, converters = cached
    params = list(params)
    params[slot] = value
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if converters:
        rows = [tuple(r) for r in compiler.apply_converters(rows, converters)]
    return rows


def _children_query():
    open_disagree = Exists(JointOpinion.objects.filter(case_id=OuterRef("pk"), kind=OpinionKind.DISAGREE,
                                                       ruling__isnull=True))
    return (Case.objects.filter(joint_id=-1).annotate(open_disagree=open_disagree).order_by("joint_seq")
            .values_list("id", "case_no", "status", "due_date", "decision", "department_id", "open_disagree"))


def _children_rows(joint_id: int) -> list[tuple]:
    """(id, case_no, status, due_date, decision, department_id, open 不同意) of each 子件 in ``joint_seq``
    order, in one SELECT."""
    return prepared_rows("children_state", _children_query, joint_id)


def _children_state(joint: JointCase, rows: list[tuple] | None = None) -> tuple[list[ChildState], bool]:
    """The 子件's states, and whether a 不同意 awaits the lead's ruling (one query, plus one for 超时默认).
    ``rows``: those the caller read with the 联办件's lock (``common.lock_row_children``), current."""
    if rows is None:
        rows = _children_rows(joint.pk)
    # only a 子件 past its due date can have been deemed (the sweep marks it two working days after)
    today = clock.today()
    deemed = deemed_case_ids(r[0] for r in rows if r[3] is not None and r[3] < today)
    return [ChildState(*r[:6], deemed=r[0] in deemed) for r in rows], any(r[6] for r in rows)


def derive(joint: JointCase, children: list[ChildState], *, open_disagree: bool) -> str:
    if joint.status in FINAL or joint.status == JointStatus.SUSPENDED:
        return joint.status
    if joint.accepted_on is None:
        return JointStatus.SUPPLEMENT if any(c.status == Status.SUPPLEMENT for c in children) else JointStatus.SUBMITTED
    if open_disagree:
        return JointStatus.RULING
    if children and all(c.settled for c in children):
        return JointStatus.READY
    return JointStatus.IN_REVIEW


def joint_refresh(*, joint: JointCase | None = None, joint_id: int | None = None, locked: bool = False,
                  also: JointCase | None = None, rows: list[tuple] | None = None) -> JointCase:
    """Recompute and store the 联办件's status and due date (the latest 子件 due date). ``locked``: the
    caller holds the row lock and ``joint`` is fresh; ``also``: another instance of it to update too;
    ``rows``: the 子件' current states when the caller has them (read with the lock, kept up to date)."""
    if locked:  # inside the caller's transaction, which holds the row lock: no savepoint needed
        return _refresh(joint, joint, also, rows=rows)
    with transaction.atomic():
        j = lock(joint if joint is not None else JointCase(pk=joint_id))
        _refresh(j, joint, also)
        return joint if joint is not None else j


def refresh_with(j: JointCase, rows: list[tuple] | None = None) -> list[ChildState]:
    """``joint_refresh`` of the locked, fresh ``j``, returning the 子件' states it read (for a caller that
    needs them too: one read instead of two); ``rows`` as ``joint_refresh`` takes them."""
    return _refresh(j, j, None, out=True, rows=rows)


def _refresh(j: JointCase, joint: JointCase | None, also: JointCase | None, *, out: bool = False,
             rows: list[tuple] | None = None):
    children, open_disagree = _children_state(j, rows)
    status = derive(j, children, open_disagree=open_disagree)
    dues = [c.due_date for c in children if c.due_date is not None]
    due = max(dues) if dues else None
    if (status, due) != (j.status, j.due_date):
        frm = j.status
        save(also or (joint if joint is not None else j), j, status=status, due_date=due)
        if status != frm:
            event(j, "status", frm, status, note="根据各子件办理情况更新")
    if out:
        return children
    return joint if joint is not None else j
