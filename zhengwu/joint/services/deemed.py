"""超时默认 for 子件: the supervision sweep's own 超时默认 (``supervision.services.sweep._Sweep._deem``) also
covers the running 办结时限 clocks of the 子件 of 联办件 whose bundle version says ``deemed``; the sweep
issues the 超时默认通知单 (DeemedApproval + its PDF), starts the 1-working-day ``deemed_reply`` clock and
queues the notices to the department. Here: which clocks, and what the 联办件 does when one is deemed
(its status is refreshed — a deemed 子件 counts as agreed — an event row, and the applicant is told).

Lock order (PostgreSQL; docs/joint.md): the 联办件 row first, then anything of its 子件. The sweep asks for
the scope before it writes anything (the DeemedApproval rows, which take a key-share lock on each deemed
clock, the ``deemed_reply`` clocks, the notices), so ``deemed_scope`` locks there, in id order, the 联办件
whose 子件 may be deemed today (a running 办结时限 clock past its due date and not yet deemed); the listener
then finds them locked already. A case action on a 子件 (``case_tx``) holds the same 联办件 row before it
stops, moves or finishes the 子件's clock, so the two queue instead of deadlocking.

Rules: HOTLINE-JOINT.md §5 (东莞 东府〔2011〕56号 第六条: the 2nd working day after expiry; 泰州
泰政办发〔2022〕58号: next step proceeds, approval within 1 working day); REFERENCE.md §7.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from zhengwu.cases.models import Case
from zhengwu.core import clock
from zhengwu.supervision.models import Clock, ClockState, DeemedApproval
from zhengwu.supervision.services.conditions import register_deemed_scope

from ..models import JointCase, JointStatus
from .common import event, lock_row, tell_applicant
from .refresh import joint_refresh

OPEN = (JointStatus.IN_REVIEW, JointStatus.RULING)


def deemed_scope() -> Q:
    """The running 办结时限 clocks of the 子件 of accepted 联办件 under 超时默认 (the sweep narrows them to
    those due long enough ago). On PostgreSQL it first locks the 联办件 that may be deemed today."""
    children = Case.objects.filter(joint__isnull=False, joint__bundle_version__deemed=True,
                                   joint__status__in=OPEN)
    if connection.features.has_select_for_update and connection.in_atomic_block:
        lock_candidates()
    return Q(subject_type="case", kind_id="case", subject_id__in=children.values("id"))


def lock_candidates(today=None) -> list[int]:
    """``SELECT … FOR UPDATE`` (in id order) of the 联办件 with a 子件 whose running 办结时限 clock is past
    its due date and not yet deemed: a superset of what the sweep deems today (it waits for the working
    days after the due date). Returns their ids."""
    today = today or clock.today()
    late = Clock.objects.filter(subject_type="case", kind_id="case", state=ClockState.RUNNING,
                                subject_id=OuterRef("pk"), due_date__lt=today).exclude(
        pk__in=DeemedApproval.objects.values("clock_id"))
    kids = Case.objects.filter(joint_id=OuterRef("pk")).filter(Exists(late))
    qs = (JointCase.objects.filter(bundle_version__deemed=True, status__in=OPEN).filter(Exists(kids))
          .order_by("pk").select_for_update(of=("self",)))
    return list(qs.values_list("pk", flat=True))


def on_deemed(clocks) -> None:
    ids = [c.subject_id for c in clocks if c.subject_type == "case"]
    if not ids:
        return
    by_joint: dict[int, list[tuple[str, str]]] = {}
    for joint_id, no, dept in Case.objects.filter(pk__in=ids, joint__isnull=False).values_list(
            "joint_id", "case_no", "department__name"):
        by_joint.setdefault(joint_id, []).append((no, dept))
    for joint_id in sorted(by_joint):  # id order, as ``lock_candidates`` (those are locked already)
        joint = lock_row(joint_id)
        if joint is None:
            continue
        for no, dept in by_joint[joint.pk]:
            event(joint, "deemed", joint.status, joint.status, note=f"{dept}逾期未办结，按超时默认视为同意",
                  data={"case_no": no, "notice_no": f"CSMR-{no}"[:40]})
        joint_refresh(joint=joint, locked=True)
        depts = "、".join(d for _, d in by_joint[joint.pk])
        tell_applicant(joint, "deemed", f"您的联办件{joint.case_no}中，{depts}逾期未办结，依照超时默认制视为同意，"
                       "可凭超时默认通知单办理下一环节；该部门须在1个工作日内出具批准文书。")


register_deemed_scope(deemed_scope, on_deemed=on_deemed)
