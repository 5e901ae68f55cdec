"""Who sees and who acts on a 工程建设项目, after ``org/scope.py``.

- The centre's own staff of the hall where the project was registered — its 中心管理员, and the 窗口人员 and
  首席代表 of its 综合窗口 (no department: 11号's "一个窗口" for 工程建设项目) — register, link stages, refresh
  and close it; they read every project of their hall.
- 领导 and 效能监察员 read the projects located in their region (and below it).
- A department involved in a project (the lead of a stage's 联办件, or the department of one of its 子件) reads
  that project: its 窗口人员, 首席代表 and 部门负责人, wherever they sit.
Nobody else reads a project: a project outside one's scope answers like a missing one (404).
"""

from __future__ import annotations

from django.db.models import Q

from zhengwu.org.models import Hall, Role, Staff

FRONT = {Role.WINDOW_OFFICER, Role.CHIEF_REP}
READERS = {Role.LEADER, Role.SUPERVISOR}
DEPARTMENT = {Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD}


def is_centre_staff(staff: Staff) -> bool:
    """A 中心管理员, or a 综合窗口 officer (窗口人员/首席代表 without a department), on duty in a hall."""
    if not staff.is_active or not staff.hall_id:
        return False
    codes = staff.role_codes()
    return Role.HALL_ADMIN in codes or bool(staff.department_id is None and codes & FRONT)


def can_register_at(staff: Staff, hall: Hall | None) -> bool:
    """The centre's own staff register projects in their 政务服务中心 (the 工程建设项目 window)."""
    return bool(hall is not None and hall.kind == Hall.Kind.CENTER and staff.hall_id == hall.id
                and is_centre_staff(staff))


def can_manage(staff: Staff, project) -> bool:
    return staff.hall_id == project.hall_id and is_centre_staff(staff)


def read_q(staff: Staff) -> Q | None:
    """The projects ``staff`` may read, as one filter (None: none at all)."""
    if not staff.is_active:
        return None
    codes = staff.role_codes()
    parts = []
    if is_centre_staff(staff):
        parts.append(Q(hall_id=staff.hall_id))
    if codes & READERS:
        parts.append(Q(region__code__startswith=staff.region.code_prefix))
    if codes & DEPARTMENT and staff.department_id:
        parts.append(Q(stages__joint__lead_department_id=staff.department_id)
                     | Q(stages__joint__children__department_id=staff.department_id))
    if not parts:
        return None
    q = parts[0]
    for p in parts[1:]:
        q |= p
    return q
