"""Where a member of staff may act and what they may read. Pure functions over loaded rows."""

from __future__ import annotations

from django.db.models import Q

from zhengwu.core.errors import PermissionDenied

from .models import Hall, Region, Role, Staff


def region_q(region: Region, field: str = "region") -> Q:
    """Rows whose region is ``region`` or below it (by code prefix, one indexed LIKE)."""
    return Q(**{f"{field}__code__startswith": region.code_prefix})


def staff_can_read_region(staff: Staff, region: Region) -> bool:
    return region.code.startswith(staff.region.code_prefix)


def staff_can_act_at(staff: Staff, *, department_id: int | None, hall: Hall) -> bool:
    """May this officer act on business of ``department_id`` in ``hall``?

    - 窗口人员/首席代表: their own department, in their own hall. A comprehensive
      (综合窗口) officer has no department and acts for any department's item in their hall.
    - 部门负责人: their department in any hall of their region.
    - 中心管理员: anything in their hall.
    - 代办员: never acts as an officer; they only submit at their station.
    """
    if not staff.is_active:
        return False
    codes = staff.role_codes()
    if Role.HALL_ADMIN in codes and staff.hall_id == hall.id:
        return True
    if Role.DEPT_HEAD in codes and staff.department_id == department_id and hall.region.code.startswith(
        staff.region.code_prefix
    ):
        return True
    if codes & {Role.WINDOW_OFFICER, Role.CHIEF_REP} and staff.hall_id == hall.id:
        return staff.department_id is None or staff.department_id == department_id
    return False


def require_act_at(staff: Staff, *, department_id: int | None, hall: Hall) -> None:
    if not staff_can_act_at(staff, department_id=department_id, hall=hall):
        raise PermissionDenied("该事项不属于您所在部门或大厅，您无权办理", code="out_of_scope")


def agent_can_submit_at(staff: Staff, hall: Hall) -> bool:
    return (
        staff.is_active
        and staff.has_role(Role.VILLAGE_AGENT)
        and staff.hall_id == hall.id
        and hall.kind == Hall.Kind.VILLAGE_STATION
    )
