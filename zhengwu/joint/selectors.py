"""Scoped reads of 联办件: who sees what.

- the lead department (its staff who may act at the joint's hall, its head in the region), the hall's
  中心管理员, and 领导/效能监察员 over the region see everything: every 子件, opinion, ruling and event;
- a co-department's staff see the joint summary (every 子件's status, limit and result) and their own 子件's
  opinion and events, not another department's internal opinions or events before the combined result;
- the applicant (their web account) sees the 联办件 with its 子件, the rulings' outcome and the result.
Anyone else gets the same 404 as for a missing number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from zhengwu.cases.models import Case
from zhengwu.cases.selectors import staff_can_read_case
from zhengwu.core.errors import NotFound
from zhengwu.org.models import Role, Staff
from zhengwu.org.scope import staff_can_act_at, staff_can_read_region

from .models import OPEN_JOINT_STATUSES, JointCase, JointEvent, JointOpinion, JointStatus


@dataclass
class JointView:
    joint: JointCase
    lead: bool = False  # sees everything
    applicant: bool = False
    departments: set[int] = field(default_factory=set)  # the co-departments whose 子件 this reader handles

    @property
    def sees_all(self) -> bool:
        return self.lead or self.joint.status == JointStatus.COMPLETED

    def opinions(self) -> QuerySet[JointOpinion]:
        qs = JointOpinion.objects.filter(joint=self.joint).select_related("department", "by", "case")
        if self.sees_all:
            return qs
        if self.applicant:
            return qs.none()
        return qs.filter(department_id__in=self.departments)

    def events(self) -> QuerySet[JointEvent]:
        qs = JointEvent.objects.filter(joint=self.joint).select_related("department")
        if self.sees_all:
            return qs
        internal = Q(action__in=["opinion", "ruling"]) & ~Q(department_id__in=self.departments)
        if self.applicant:
            internal = Q(action__in=["opinion", "ruling", "status"])
        return qs.exclude(internal)


def joint_get(*, case_no: str) -> JointCase:
    joint = (JointCase.objects.select_related("hall__region", "lead_department", "bundle", "bundle_version",
                                              "accepted_by", "accepted_window", "result_issued_by")
             .filter(case_no=case_no).first())
    if joint is None:
        raise NotFound("未找到该办件")
    return joint


def is_joint_no(case_no: str) -> bool:
    return JointCase.objects.filter(case_no=case_no).exists()


def _lead(staff: Staff, joint: JointCase) -> bool:
    if staff_can_act_at(staff, department_id=joint.lead_department_id, hall=joint.hall):
        codes = staff.role_codes()
        # a 综合窗口 officer (no department) took it in for the lead; the hall admin oversees the hall
        return staff.department_id == joint.lead_department_id or bool(codes & {Role.HALL_ADMIN}) or \
            staff.department_id is None
    codes = staff.role_codes()
    return bool(codes & {Role.LEADER, Role.SUPERVISOR}) and staff_can_read_region(staff, joint.hall.region)


def joint_view(*, joint: JointCase, user=None, staff: Staff | None = None) -> JointView:
    """What this reader may see of ``joint``; NotFound (as for a missing number) when nothing."""
    if staff is not None and staff.is_active:
        if _lead(staff, joint):
            return JointView(joint, lead=True)
        children = Case.objects.select_related("hall__region").filter(joint=joint)
        mine = {c.department_id for c in children if staff_can_read_case(staff, c)}
        if mine:
            return JointView(joint, departments=mine)
    if user is not None and joint.applicant_user_id is not None and joint.applicant_user_id == user.pk:
        return JointView(joint, applicant=True)
    raise NotFound("未找到该办件")


def joint_children(joint: JointCase) -> list[Case]:
    return list(Case.objects.select_related("item", "item_version", "department", "hall__region")
                .filter(joint=joint).order_by("joint_seq"))


def joint_list_for_staff(*, staff: Staff, status: str = "") -> QuerySet[JointCase]:
    """联办件 the lead department or a co-department of this member of staff is in, newest first."""
    codes = staff.role_codes()
    qs = JointCase.objects.select_related("bundle_version", "lead_department", "hall")
    if codes & {Role.LEADER, Role.SUPERVISOR}:
        qs = qs.filter(hall__region__code__startswith=staff.region.code_prefix)
    elif Role.HALL_ADMIN in codes:
        qs = qs.filter(hall_id=staff.hall_id)
    elif staff.department_id is None and codes & {Role.WINDOW_OFFICER, Role.CHIEF_REP}:
        qs = qs.filter(hall_id=staff.hall_id)
    elif staff.department_id:
        mine = Case.objects.filter(department_id=staff.department_id, joint__isnull=False).values("joint_id")
        qs = qs.filter(Q(lead_department_id=staff.department_id) | Q(pk__in=mine))
        if Role.DEPT_HEAD in codes:
            qs = qs.filter(hall__region__code__startswith=staff.region.code_prefix)
        else:
            qs = qs.filter(hall_id=staff.hall_id)
    else:
        return JointCase.objects.none()
    if status == "open":
        qs = qs.filter(status__in=OPEN_JOINT_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-id")


def joint_list_for_applicant(*, user) -> QuerySet[JointCase]:
    return JointCase.objects.select_related("bundle_version").filter(applicant_user=user).order_by("-submitted_at")
