"""What the appraisal services share: who the actor is, the transition check, the token hash."""

from __future__ import annotations

import hashlib

from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.org.models import Role, Staff
from zhengwu.org.scope import staff_can_read_region

from ..transitions import DEPT_HEAD, SUPERVISOR, Transition


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def is_supervisor(staff: Staff | None, region) -> bool:
    """A 效能监察员 whose region covers ``region`` (the county's 纪委/优化营商环境办 runs the campaigns)."""
    return bool(staff and staff.is_active and staff.has_role(Role.SUPERVISOR)
                and staff_can_read_region(staff, region))


def is_dept_head(staff: Staff | None, department_id: int) -> bool:
    return bool(staff and staff.is_active and staff.has_role(Role.DEPT_HEAD) and staff.department_id == department_id)


def require(t: Transition, status: str, *, staff: Staff | None, region=None, department_id: int | None = None,
            status_label: str = "") -> None:
    if SUPERVISOR in t.actors and not is_supervisor(staff, region):
        raise PermissionDenied("只有本级效能监察员可以进行此操作")
    if DEPT_HEAD in t.actors and not is_dept_head(staff, department_id):
        raise PermissionDenied("只有该科室所属部门的负责人可以报送整改报告")
    if status not in t.sources:
        raise DomainError("wrong_status", f"当前状态（{status_label or status}）不能{t.label}", status=409)


def text(value, *, field: str, max_length: int, required: bool = False, min_length: int = 0) -> str:
    v = (value or "").strip() if isinstance(value, str) or value is None else None
    if v is None:
        raise DomainError("invalid_input", f"{field}格式不正确")
    if required and not v:
        raise DomainError("missing_field", f"请填写{field}")
    if v and len(v) < min_length:
        raise DomainError("too_short", f"{field}至少{min_length}个字")
    if len(v) > max_length:
        raise DomainError("too_long", f"{field}不能超过{max_length}个字")
    return v
