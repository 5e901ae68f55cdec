"""Shared by the joint services: the lock on a 联办件, its event row, the member limits, who answers for a
子件's clock, and the one message to the applicant."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models

from zhengwu.catalog.models import BundleMember, BundleVersion
from zhengwu.core import fastsql
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.notify import Message, notify
from zhengwu.org.models import Role, Staff
from zhengwu.org.scope import staff_can_act_at

from ..models import JointCase, JointEvent, JointStatus

FRONT = frozenset({Role.WINDOW_OFFICER, Role.CHIEF_REP})
LEAD_ROLES = frozenset({Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD, Role.HALL_ADMIN})


def member_limit(member: BundleMember, version: BundleVersion) -> int:
    """A member's own limit in working days: its set share, else the shorter of the item's promised limit
    and the bundle's combined limit (BundleMember.promised_days help text)."""
    try:  # the catalog's own rule, when it exists
        from zhengwu.catalog.selectors import member_limit as catalog_member_limit  # type: ignore[attr-defined]
    except ImportError:
        catalog_member_limit = None
    if catalog_member_limit is not None:
        return catalog_member_limit(member)
    if member.promised_days:
        return member.promised_days
    return min(member.item.current.promised_limit, version.promised_days)


_lock_sql: dict[tuple, tuple] = {}


def lock_row(joint_id: int) -> JointCase | None:
    """The 联办件 row ``SELECT … FOR UPDATE`` (a plain SELECT where the database has no row locks), as an
    instance; the SQL is built once per database vendor (the ORM compiles it again on every call, which
    costs more than the database spends on it)."""
    key = (connection.vendor, connection.features.has_select_for_update)
    cached = _lock_sql.get(key)
    if cached is None:
        qn = connection.ops.quote_name
        meta = JointCase._meta
        fields = list(meta.concrete_fields)
        sql = (f"SELECT {', '.join(qn(f.column) for f in fields)} FROM {qn(meta.db_table)} "
               f"WHERE {qn(meta.pk.column)} = %s")
        if connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        cached = _lock_sql[key] = (sql, [f.attname for f in fields], _converters(fields))
    sql, names, converters = cached
    with connection.cursor() as cur:
        cur.execute(sql, [joint_id])
        row = cur.fetchone()
    if row is None:
        return None
    return _joint_from_row(row, names, converters)


def _converters(fields) -> list[tuple]:
    """(index, column, converters) of the JointCase ``fields`` as the ORM's compiler applies them (JSON; on
    SQLite dates, times, booleans)."""
    out = []
    for i, f in enumerate(fields):
        col = f.get_col(JointCase._meta.db_table)
        convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if convs:
            out.append((i, col, convs))
    return out


def _joint_from_row(row, names: list[str], converters: list[tuple]) -> JointCase:
    values = list(row[:len(names)])
    for i, col, convs in converters:
        for conv in convs:
            values[i] = conv(values[i], col, connection)
    return JointCase.from_db(connection.alias, names, values)


_children_lock_sql: dict[tuple, tuple] = {}


def lock_row_children(joint_id: int) -> tuple[JointCase | None, list[tuple]]:
    """The 联办件 row locked as ``lock_row`` does, and its 子件' states in the same statement: rows of
    ``(id, case_no, status, due_date, decision, department_id, open 不同意)`` in ``joint_seq`` order, the
    shape ``refresh._children_rows`` reads after the lock (one round trip instead of two).

    On PostgreSQL the 子件 rows are locked too (``FOR NO KEY UPDATE OF c``, after the 联办件 and in
    ``joint_seq`` order: the lock order every joint path keeps). That is what makes the read current: a
    statement that waited for the 联办件's lock sees the other rows as they were when it started, but a
    locked row is re-read at its latest version, so a 子件 changed by the transaction waited for is seen
    changed. ``NO KEY UPDATE`` leaves the 子件 open to inserts that reference them (events, materials)."""
    has_lock = connection.features.has_select_for_update
    key = (connection.vendor, has_lock)
    cached = _children_lock_sql.get(key)
    if cached is None:
        from zhengwu.cases.models import Case

        from ..models import JointOpinion, JointRuling, OpinionKind

        qn = connection.ops.quote_name
        meta, cmeta = JointCase._meta, Case._meta
        fields = list(meta.concrete_fields)
        kid_names = ("id", "case_no", "status", "due_date", "decision", "department")
        kid_fields = [cmeta.get_field(n) for n in kid_names]
        op, ru = JointOpinion._meta, JointRuling._meta
        disagree = (f"EXISTS (SELECT 1 FROM {qn(op.db_table)} u0 LEFT OUTER JOIN {qn(ru.db_table)} u2 "
                    f"ON u0.{qn('id')} = u2.{qn(ru.get_field('opinion').column)} "
                    f"WHERE u0.{qn(op.get_field('case').column)} = c.{qn('id')} "
                    f"AND u0.{qn(op.get_field('kind').column)} = %s AND u2.{qn('id')} IS NULL)")
        sql = (f"SELECT {', '.join('j.' + qn(f.column) for f in fields)}, "
               f"{', '.join('c.' + qn(f.column) for f in kid_fields)}, {disagree} "
               f"FROM {qn(meta.db_table)} j INNER JOIN {qn(cmeta.db_table)} c "
               f"ON c.{qn(cmeta.get_field('joint').column)} = j.{qn('id')} "
               f"WHERE j.{qn('id')} = %s ORDER BY c.{qn(cmeta.get_field('joint_seq').column)}")
        if has_lock:
            sql += (" FOR UPDATE OF j FOR NO KEY UPDATE OF c" if connection.vendor == "postgresql"
                    else " FOR UPDATE")
        converters = _converters(fields)
        due = cmeta.get_field("due_date").get_col(cmeta.db_table)
        due_convs = connection.ops.get_db_converters(due) + due.get_db_converters(connection)
        cached = _children_lock_sql[key] = (sql, [f.attname for f in fields], converters, (due, due_convs),
                                            OpinionKind.DISAGREE.value)
    sql, names, converters, (due, due_convs), disagree_kind = cached
    with connection.cursor() as cur:
        cur.execute(sql, [disagree_kind, joint_id])
        found = cur.fetchall()
    if not found:  # no such 联办件, or one without 子件 (the join is inner: PostgreSQL locks no outer side)
        return lock_row(joint_id), []
    joint = _joint_from_row(found[0], names, converters)
    n = len(names)
    kids = []
    for r in found:
        d = r[n + 3]
        for conv in due_convs:
            d = conv(d, due, connection)
        kids.append((r[n], r[n + 1], r[n + 2], d, r[n + 4], r[n + 5], bool(r[n + 6])))
    return joint, kids


def lock(joint: JointCase) -> JointCase:
    """The 联办件 row locked for the transaction (every joint write serialises on it), fresh.

    Lock order (PostgreSQL): every path that writes a 联办件 and its 子件 locks the 联办件 row first, then
    the 子件 (in ``joint_seq`` order): the joint services here, and every case action on a 子件
    (``cases.services.common.case_tx`` takes this lock before its first statement)."""
    fresh = lock_row(joint.pk)
    if fresh is None:
        raise NotFound("未找到该联办件")
    return _keep_loaded(joint, fresh)


def lock_children(joint: JointCase) -> tuple[JointCase, list[tuple]]:
    """``lock``, and the 子件' states read in the same statement (``lock_row_children``), for a service
    that refreshes the 联办件 without changing a 子件 first (``refresh_with(j, rows)``)."""
    fresh, rows = lock_row_children(joint.pk)
    if fresh is None:
        raise NotFound("未找到该联办件")
    return _keep_loaded(joint, fresh), rows


def _keep_loaded(joint: JointCase, fresh: JointCase) -> JointCase:
    for name in ("hall", "lead_department", "bundle_version"):  # what the caller's instance already loaded
        if joint._state.fields_cache.get(name) is not None:
            setattr(fresh, name, getattr(joint, name))
    return fresh


_save_sql: dict[tuple, tuple[str, list]] = {}


def save(joint: JointCase, target: JointCase, **changes) -> None:
    """Write ``changes`` to the locked row (and bump its version); the caller's instance follows.

    One UPDATE whose SQL is built once per column set (values adapted by each field's ``get_db_prep_save``,
    as ``zhengwu.core.fastsql`` does)."""
    meta = JointCase._meta
    key = (connection.vendor, tuple(changes))
    cached = _save_sql.get(key)
    if cached is None:
        qn = connection.ops.quote_name
        fields = [meta.get_field(name) for name in changes]
        vcol = qn(meta.get_field("row_version").column)
        sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        cached = _save_sql[key] = (f"UPDATE {qn(meta.db_table)} SET {sets}, {vcol} = {vcol} + 1 "
                                   f"WHERE {qn(meta.pk.column)} = %s", fields)
    sql, fields = cached
    params = [f.get_db_prep_save(v.pk if isinstance(v, models.Model) else v, connection)
              for f, v in zip(fields, changes.values(), strict=True)]
    with connection.cursor() as cur:
        cur.execute(sql, [*params, target.pk])
    version = target.row_version + 1
    for obj in {id(joint): joint, id(target): target}.values():
        for k, v in changes.items():
            setattr(obj, k, v)
        obj.row_version = version


def check_status(joint: JointCase, allowed, label: str) -> None:
    if joint.status not in allowed:
        raise DomainError("bad_state", f"联办件当前状态为“{JointStatus(joint.status).label}”，不能{label}", status=409)


def check_lead(officer: Staff, joint: JointCase, *, roles=LEAD_ROLES, label: str) -> str:
    """The lead department's staff (or the hall's 中心管理员) at the joint's hall; returns the role."""
    if officer is None or not staff_can_act_at(officer, department_id=joint.lead_department_id, hall=joint.hall):
        raise PermissionDenied(f"{label}须由牵头部门（{joint.lead_department.name}）办理", code="not_lead")
    codes = officer.role_codes()
    for r in sorted(roles):
        if r in codes:
            return r
    raise PermissionDenied(f"您的岗位不能{label}", code="wrong_role")


def event(joint: JointCase, action: str, frm: str, to: str, *, officer: Staff | None = None, user=None,
          department_id: int | None = None, note: str = "", data: dict | None = None) -> JointEvent:
    """The 联办件's event row (append-only: written without the ORM's per-call compilation, pk not read)."""
    row = event_row(joint, action, frm, to, officer=officer, user=user, department_id=department_id, note=note,
                    data=data)
    fastsql.insert([row])
    return row


def event_row(joint: JointCase, action: str, frm: str, to: str, *, officer: Staff | None = None, user=None,
              department_id: int | None = None, note: str = "", data: dict | None = None) -> JointEvent:
    """The event row ``event`` writes, unsaved (for a statement that writes it with another row)."""
    return JointEvent(
        joint=joint, action=action, from_status=frm, to_status=to,
        actor_id=officer.user_id if officer else (user.pk if user is not None else None),
        actor_name=officer.name if officer else (getattr(user, "display_name", "") if user is not None else "系统"),
        department_id=department_id, note=note, data=data or {})


def tell_applicant(joint: JointCase, kind: str, text: str) -> None:
    """One SMS (or in-app message) for the whole 联办件, sent when the transaction commits."""
    if not joint.contact_phone:
        return
    notify(Message(to_phone=joint.contact_phone, to_user_id=joint.applicant_user_id, kind=f"joint_{kind}",
                   text=f"【{settings.ZHENGWU_SITE_NAME}】{text}", data={"case_no": joint.case_no}))


def cn(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
