"""What every order service shares: who may act (from the transition table and org scope), the
locked re-read of the order, the event row, and the caller's notices."""

from __future__ import annotations

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.notify import Message, notify
from zhengwu.org.models import Hall, Role, Staff
from zhengwu.supervision.clocks import department_head_pick

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
    """The order's units still in play, with their department or hall (their names go into events):
    the 主办's from the order when it names the same (``locked`` holds it), the others' read when used."""
    found = order.__dict__.pop("_locked_units", None)  # read with the lock (``locked(units=True)``)
    if found is None:
        found = _rows(OrderUnit, "units", lambda: OrderUnit.objects.filter(order_id=_ANY), order.pk)
    units = [u for u in found if u.state not in (UnitState.WITHDRAWN, UnitState.RETURNED)]
    main_d, main_h = Order.main_department.field, Order.main_hall.field
    for u in units:
        u.order = order
        if (
            u.department_id is not None
            and u.department_id == order.main_department_id
            and main_d.is_cached(order)
        ):
            u.department = order.main_department
        if u.hall_id is not None and u.hall_id == order.main_hall_id and main_h.is_cached(order):
            u.hall = order.main_hall
    return units


# Where the order's 主办 fields name its live 主办 unit: from dispatch to the end, but while a 退单 waits.
_MAIN_LIVE = {Status.DISPATCHED, Status.HANDLING, Status.REVIEWING, Status.CALLBACK, Status.CLOSED}


def main_unit(order: Order) -> OrderUnit | None:
    """The live 主办 unit, as the order names it (no read of the unit rows).

    Dispatch (``_send``) writes the 主办 to the order and to its unit row together, and only 退单 (the
    order goes 已退单), 改派 (a new dispatch), 驳回退单 (the same unit back) and 并单 (已并单) change a
    主办 row's state: so in the statuses of ``_MAIN_LIVE`` the order's ``main_department``/``main_hall``
    is the live 主办 row's unit. The row returned is not saved (its role and unit only); a step that
    writes the unit row reads it (``staff_unit``, ``live_units``)."""
    if order.status not in _MAIN_LIVE or (order.main_department_id is None and order.main_hall_id is None):
        return None
    return OrderUnit(
        order=order,
        role=UnitRole.MAIN,
        state=UnitState.SIGNED if order.signed_at else UnitState.DISPATCHED,
        department=order.main_department,
        hall=order.main_hall,
    )


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
        if t.main_only and not t.writes_unit:
            # the 主办's own steps that write no unit row: the order names its 主办 (``main_unit``)
            unit = main_unit(order)
            if unit is not None and staff_in_unit(staff, unit):
                return t, unit
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


_SHOWN = ("category", "region", "main_department", "main_hall")
_ANY = -918273645  # the placeholder id a hot read is compiled with
_compiled: dict = {}


def _sql(key: str, build) -> tuple[str, tuple]:
    """The SQL of one of the steps' hot reads, compiled once per process and database: ``build()`` makes
    the ORM query with ``_ANY`` for the id it is run with (``_params``). Building and compiling an ORM
    query costs several times what SQLite or PostgreSQL spend running these short reads."""
    alias = transaction.get_connection().alias
    got = _compiled.get((alias, key))
    if got is None:
        qs = build()
        got = _compiled[(alias, key)] = qs.query.get_compiler(using=alias).as_sql()
    return got


def _params(params: tuple, pk: int) -> list:
    return [pk if p == _ANY else p for p in params]


def _rows(model, key: str, build, pk: int) -> list:
    """The instances a hot read of whole ``model`` rows finds for ``pk``: the ORM's own SQL and converters,
    prepared once (``_sql``), then each run is the statement, the converters and ``Model.from_db`` —
    what a ``QuerySet`` does, without building and compiling it again on every step."""
    conn = transaction.get_connection()
    got = _compiled.get((conn.alias, key))
    if got is None:
        compiler = build().query.get_compiler(using=conn.alias)
        sql, params = compiler.as_sql()
        cols = [c[0] for c in compiler.select]
        fields = list(model._meta.concrete_fields)
        if [getattr(c, "target", None) for c in cols] != fields:  # the default columns, in field order
            raise AssertionError(f"{key}: not the model's columns")
        converters = list(compiler.get_converters(cols).items())
        got = _compiled[(conn.alias, key)] = (sql, params, [f.attname for f in fields], converters)
    sql, params, names, converters = got
    with conn.cursor() as cur:
        cur.execute(sql, _params(params, pk))
        found = cur.fetchall()
    out = []
    for values in found:
        values = list(values)
        for i, (convs, expr) in converters:
            for convert in convs:
                values[i] = convert(values[i], expr, conn)
        out.append(model.from_db(conn.alias, names, values))
    return out


def _locked_read(pk: int, *, units: bool, pending: bool) -> tuple[Order | None, list[OrderUnit], bool]:
    """One statement: the order's row under its lock and, as the step asks, its unit rows (a LEFT JOIN,
    one result row per unit) and whether an 延期申请 waits (an EXISTS column). The SQL and the ORM's
    converters for each column are prepared once per process and database, like ``_rows``.

    Under READ COMMITTED, a ``FOR UPDATE`` that waited for another transaction gets the order's newest
    row, but the joined unit rows and the EXISTS come from the statement's snapshot, taken before that
    transaction committed: stale. So the statement also reads the order's ``row_version`` through a
    subquery (the snapshot's); when it differs from the locked row's, the statement runs once more,
    now holding the lock, with a fresh snapshot (only ever after a wait)."""
    from ..models import Extension, ExtensionState

    conn = transaction.get_connection()
    key = (conn.alias, "locked", units, pending)
    got = _compiled.get(key)
    if got is None:
        qn = conn.ops.quote_name
        o_fields = list(Order._meta.concrete_fields)
        u_fields = list(OrderUnit._meta.concrete_fields) if units else []
        cols = [f.get_col("o") for f in o_fields] + [f.get_col("u") for f in u_fields]
        converters = list(
            Order.objects.none().query.get_compiler(using=conn.alias).get_converters(cols).items()
        )
        select = [f"o.{qn(f.column)}" for f in o_fields] + [f"u.{qn(f.column)}" for f in u_fields]
        params: list = []
        if pending:
            select.append(
                f"EXISTS (SELECT 1 FROM {qn(Extension._meta.db_table)} e "
                f"WHERE e.{qn('order_id')} = o.{qn('id')} AND e.{qn('state')} = %s)"
            )
            params.append(ExtensionState.PENDING.value)
        if conn.features.has_select_for_update:
            select.append(
                f"(SELECT x.{qn('row_version')} FROM {qn(Order._meta.db_table)} x WHERE x.{qn('id')} = o.{qn('id')})"
            )
        sql = f"SELECT {', '.join(select)} FROM {qn(Order._meta.db_table)} o"
        if units:
            sql += f" LEFT JOIN {qn(OrderUnit._meta.db_table)} u ON u.{qn('order_id')} = o.{qn('id')}"
        sql += f" WHERE o.{qn('id')} = %s"
        if units:
            sql += f" ORDER BY u.{qn('id')}"
        if conn.features.has_select_for_update:
            sql += " FOR UPDATE OF o" if conn.features.has_select_for_update_of else " FOR UPDATE"
        got = _compiled[key] = (
            sql,
            params,
            [f.attname for f in o_fields],
            [f.attname for f in u_fields],
            converters,
        )
    sql, params, o_names, u_names, converters = got
    n_o, n_u = len(o_names), len(u_names)
    version = o_names.index("row_version")
    with conn.cursor() as cur:
        cur.execute(sql, [*params, pk])
        found = cur.fetchall()
        if found and conn.features.has_select_for_update and found[0][version] != found[0][-1]:
            cur.execute(sql, [*params, pk])  # waited for a commit: read again under the lock we hold
            found = cur.fetchall()
    if not found:
        return None, [], False
    rows = []
    for values in found:
        values = list(values)
        for i, (convs, expr) in converters:
            if values[i] is not None or i < n_o:
                for convert in convs:
                    values[i] = convert(values[i], expr, conn)
        rows.append(values)
    order = Order.from_db(conn.alias, o_names, rows[0][:n_o])
    unit_rows = (
        [OrderUnit.from_db(conn.alias, u_names, r[n_o : n_o + n_u]) for r in rows if r[n_o] is not None]
        if units
        else []
    )
    return order, unit_rows, bool(rows[0][n_o + n_u]) if pending else False


def locked(order: Order, *, units: bool = False, pending: bool = False) -> Order:
    """The order re-read under a row lock (inside the caller's transaction), with what the steps show
    of it: its category, region and 主办 unit (``main_unit``). Those the caller's copy holds already
    (a page's or the previous step's) are taken from it rather than joined again; the ids are the
    locked row's, so a relation that changed meanwhile is read afresh when used.

    ``units``: the step reads the order's unit rows (``live_units``); ``pending``: it asks whether an
    延期申请 waits (``pending_extension``). The hot path reads them in the same statement as the lock;
    each answer is used once (the next read of either goes to the database)."""
    assert transaction.get_connection().in_atomic_block
    fields = [Order._meta.get_field(name) for name in _SHOWN]
    held = [f for f in fields if f.is_cached(order)]
    if all(f in held or getattr(order, f.attname) is None for f in fields):
        if units or pending:
            fresh, unit_rows, waiting = _locked_read(order.pk, units=units, pending=pending)
            if fresh is not None:
                if units:
                    fresh.__dict__["_locked_units"] = unit_rows
                if pending:
                    fresh.__dict__["_locked_pending"] = waiting
        else:
            found = _rows(
                Order, "lock", lambda: Order.objects.select_for_update(of=("self",)).filter(pk=_ANY), order.pk
            )
            fresh = found[0] if found else None
    else:
        qs = Order.objects.select_for_update(of=("self",)).select_related(*_SHOWN)
        fresh = qs.filter(pk=order.pk).first()
    if fresh is None:
        raise NotFound("工单不存在")
    for f in held:
        if getattr(fresh, f.attname) == getattr(order, f.attname):
            f.set_cached_value(fresh, f.get_cached_value(order))
    return fresh


def pending_extension(order: Order) -> bool:
    """Does an 延期申请 of the order wait for the centre's decision (read after the order's lock)."""
    from ..models import Extension, ExtensionState

    waiting = order.__dict__.pop("_locked_pending", None)  # read with the lock (``locked(pending=True)``)
    if waiting is not None:
        return waiting
    sql, params = _sql(
        "ext", lambda: Extension.objects.filter(order_id=_ANY, state=ExtensionState.PENDING).values("pk")[:1]
    )
    with transaction.get_connection().cursor() as cur:
        cur.execute(sql, _params(params, order.pk))
        return cur.fetchone() is not None


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
        actor_id=staff.user_id if staff is not None else None,
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


def unit_people(unit: OrderUnit, region_code: str) -> tuple[list[tuple[int, int | None, str]], int | None]:
    """Who may act for ``unit`` (``(staff id, user id, phone)`` in ``employee_no`` order: its notices go
    to them) and, for a department, its head for the supervised clocks (``department_head``'s choice):
    one read for both."""
    if unit.department_id is not None:
        sql, params = _sql(
            "dept_people", lambda: _people(department_id=_ANY, roles__code__in=sorted(UNIT_ROLES))
        )
    else:
        sql, params = _sql("hall_people", lambda: _people(hall_id=_ANY, roles__code__in=sorted(HALL_ROLES)))
    with transaction.get_connection().cursor() as cur:
        cur.execute(sql, _params(params, unit.department_id or unit.hall_id))
        rows = cur.fetchall()
    people: dict[int, tuple[int, int | None, str]] = {}
    heads = []
    for pk, user_id, phone, role, code, level in rows:
        people.setdefault(pk, (pk, user_id, phone))
        if role == Role.DEPT_HEAD and code and unit.department_id is not None:
            heads.append((pk, code, level))
    return list(people.values()), department_head_pick(heads, region_code) if heads else None


def _people(**where):
    return (
        Staff.objects.filter(is_active=True, **where)
        .order_by("employee_no", "pk")
        .values_list("pk", "user_id", "phone", "roles__code", "region__code", "region__level")
    )


def tell_unit(unit: OrderUnit, text: str, kind: str, order: Order, *, people=None) -> None:
    """An SMS to the unit's staff who may act for it, after the commit (never any caller data in it).
    ``people``: ``unit_people``'s first answer when the step has read it already."""
    if people is None:
        people, _ = unit_people(unit, order.region.code)
    for _, user_id, phone in people:
        if phone:
            notify(
                Message(
                    to_phone=phone,
                    to_user_id=user_id,
                    text=f"【12345】{text}",
                    kind=kind,
                    data={"order_no": order.no},
                )
            )
