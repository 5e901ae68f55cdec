"""超时默认 for 子件: the supervision sweep's own 超时默认 (``supervision.services.sweep._Sweep._deem``) also
covers the running 办结时限 clocks of the 子件 of 联办件 whose bundle version says ``deemed``; the sweep
issues the 超时默认通知单 (DeemedApproval + its PDF), starts the 1-working-day ``deemed_reply`` clock and
queues the notices to the department. Here: which clocks, and what the 联办件 does when one is deemed
(its status is refreshed — a deemed 子件 counts as agreed — an event row, and the applicant is told).

Rules: HOTLINE-JOINT.md §5 (东莞 东府〔2011〕56号 第六条: the 2nd working day after expiry; 泰州
泰政办发〔2022〕58号: next step proceeds, approval within 1 working day); REFERENCE.md §7.
"""

from __future__ import annotations

from django.db.models import Q

from zhengwu.cases.models import Case
from zhengwu.supervision.services.conditions import register_deemed_scope

from ..models import JointCase, JointStatus
from .common import event, tell_applicant
from .refresh import joint_refresh


def deemed_scope() -> Q:
    children = Case.objects.filter(joint__isnull=False, joint__bundle_version__deemed=True,
                                   joint__status__in=[JointStatus.IN_REVIEW, JointStatus.RULING])
    return Q(subject_type="case", kind_id="case", subject_id__in=children.values("id"))


def on_deemed(clocks) -> None:
    ids = [c.subject_id for c in clocks if c.subject_type == "case"]
    if not ids:
        return
    by_joint: dict[int, list[tuple[str, str]]] = {}
    for joint_id, no, dept in Case.objects.filter(pk__in=ids, joint__isnull=False).values_list(
            "joint_id", "case_no", "department__name"):
        by_joint.setdefault(joint_id, []).append((no, dept))
    for joint in JointCase.objects.filter(pk__in=list(by_joint)):
        for no, dept in by_joint[joint.pk]:
            event(joint, "deemed", joint.status, joint.status, note=f"{dept}逾期未办结，按超时默认视为同意",
                  data={"case_no": no, "notice_no": f"CSMR-{no}"[:40]})
        joint_refresh(joint=joint)
        depts = "、".join(d for _, d in by_joint[joint.pk])
        tell_applicant(joint, "deemed", f"您的联办件{joint.case_no}中，{depts}逾期未办结，依照超时默认制视为同意，"
                       "可凭超时默认通知单办理下一环节；该部门须在1个工作日内出具批准文书。")


register_deemed_scope(deemed_scope, on_deemed=on_deemed)
