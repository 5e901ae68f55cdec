"""What every order service shares: who may act (from the transition table and org scope), the
locked re-read of the order, the event row, and the caller's notices."""

from __future__ import annotations

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.notify import Message, notify
from zhengwu.org.models import Hall, Role, Staff

from ..models import Order, OrderEvent, OrderUnit, Status, UnitRole, UnitState
from ..transitions import CENTRE, TRANSITIONS, UNIT, UNIT_HEAD, Transition

UNIT_ROLES = {Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD}
HALL_ROLES = {Role.HALL_ADMIN, Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.VILLAGE_AGENT}


def is_centre(staff: Staff | None, order: Order | None = None, *, admin: bool = False) -> bool:
    """A member of the hotline centre (话务员/热线管理员) whose region covers the order."""
    if staff is None or not staff.is_active:
        return False
    roles = {Role.HOTLINE_ADMIN} if admin else {Role.CALL_TAKER, Role.HOTLINE_ADMIN}
    if not staff.has_role(*roles):
        return False
    return order is None or order.region.code.startswith(staff.region.code_prefix)


def staff_in_unit(staff: Staff, unit: OrderUnit) -> bool:
    """May ``staff`` act for ``unit``: the department's staff, or anyone of the town centre/station."""
    if not staff.is_active:
        return False
    if unit.department_id is not None:
        return staff.department_id == unit.department_id and bool(staff.role_codes() & UNIT_ROLES)
    return staff.hall_id == unit.hall_id and bool(staff.role_codes() & HALL_ROLES)


def staff_heads_unit(staff: Staff, unit: OrderUnit) -> bool:
    """The unit's head: the department's 部门负责人; the town centre's 中心管理员; for a village station,
    its own 中心管理员 or the one of the town centre above it (stations seldom have their own)."""
    if not staff.is_active:
        return False
    if unit.department_id is not None:
        return staff.department_id == unit.department_id and staff.has_role(Role.DEPT_HEAD)
    if not staff.has_role(Role.HALL_ADMIN) or staff.hall_id is None:
        return False
    if staff.hall_id == unit.hall_id:
        return True
    hall = unit.hall
    return (
        hall.kind == Hall.Kind.VILLAGE_STATION
        and staff.hall.kind == Hall.Kind.TOWN_CENTER
        and hall.region.parent_id == staff.hall.region_id
    )


def live_units(order: Order) -> list[OrderUnit]:
    """The order's units still in play, with their department or hall (their names go into events)."""
    units = order.units.select_related("department", "hall")
    return [u for u in units if u.state not in (UnitState.WITHDRAWN, UnitState.RETURNED)]


def main_unit(order: Order) -> OrderUnit | None:
    return next((u for u in live_units(order) if u.role == UnitRole.MAIN), None)


def staff_unit(staff: Staff, order: Order) -> OrderUnit | None:
    """The live unit row ``staff`` acts for (the 主办 first), or None."""
    units = sorted(live_units(order), key=lambda u: u.role != UnitRole.MAIN)
    return next((u for u in units if staff_in_unit(staff, u)), None)


def check(order: Order, action: str, staff: Staff | None) -> tuple[Transition, OrderUnit | None]:
    """The transition, after the status and the actor's right to do it; the unit row acted for."""
    t = TRANSITIONS[action]
    if order.status not in t.sources:
        raise DomainError(
            "wrong_status", f"工单当前状态为“{Status(order.status).label}”，不能{t.label}", status=409
        )
    if staff is None:
        raise PermissionDenied(f"“{t.label}”须由工作人员办理", code="not_staff")
    if t.actor == CENTRE:
        if not is_centre(staff, order, admin=bool(t.roles) and t.roles == {Role.HOTLINE_ADMIN}):
            who = "热线管理员" if t.roles == {Role.HOTLINE_ADMIN} else "热线中心话务员或热线管理员"
            raise PermissionDenied(f"“{t.label}”应由{who}办理", code="not_centre")
        return t, None
    if t.actor == UNIT:
        unit = staff_unit(staff, order)
        if unit is None:
            raise PermissionDenied(
                "该工单不是派给您所在单位的（非主办、协办单位），您无权办理", code="out_of_scope"
            )
        if t.main_only and unit.role != UnitRole.MAIN:
            raise PermissionDenied(f"“{t.label}”只能由主办单位办理", code="not_main_unit")
        return t, unit
    assert t.actor == UNIT_HEAD
    unit = main_unit(order)
    if unit is None or not staff_heads_unit(staff, unit):
        raise PermissionDenied(f"“{t.label}”应由主办单位负责人办理", code="not_unit_head")
    return t, unit


def locked(order: Order) -> Order:
    """The order re-read under a row lock (inside the caller's transaction)."""
    assert transaction.get_connection().in_atomic_block
    try:
        return (
            Order.objects.select_for_update(of=("self",))
            .select_related("category", "region")
            .get(pk=order.pk)
        )
    except Order.DoesNotExist as exc:
        raise NotFound("工单不存在") from exc


def event(
    order: Order,
    action: str,
    *,
    frm: str = "",
    to: str = "",
    staff: Staff | None = None,
    note: str = "",
    public: bool = False,
    unit: OrderUnit | None = None,
    detail: dict | None = None,
    actor_name: str = "",
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        at=clock.now(),
        action=action,
        from_status=frm,
        to_status=to or order.status,
        actor=staff.user if staff is not None else None,
        actor_name=actor_name or (staff.name if staff is not None else ""),
        unit_name=unit.unit_name if unit is not None else "",
        note=note,
        public=public,
        detail=detail or {},
    )


def save(order: Order, fields: list[str]) -> None:
    order.row_version += 1
    order.save(update_fields=[*fields, "row_version"])


def tell_caller(order: Order, text: str, kind: str) -> None:
    """An SMS to the caller, sent after the commit (none for anonymous callers without a phone)."""
    if order.caller_phone:
        notify(
            Message(
                to_phone=order.caller_phone, text=f"【12345】{text}", kind=kind, data={"order_no": order.no}
            )
        )


def tell_unit(unit: OrderUnit, text: str, kind: str, order: Order) -> None:
    """An SMS to the unit's staff who may act for it, after the commit (never any caller data in it)."""
    from ..selectors import unit_staff

    for s in unit_staff(unit):
        if s.phone:
            notify(
                Message(
                    to_phone=s.phone,
                    to_user_id=s.user_id,
                    text=f"【12345】{text}",
                    kind=kind,
                    data={"order_no": order.no},
                )
            )
