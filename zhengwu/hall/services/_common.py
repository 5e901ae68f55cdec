"""Helpers shared by the hall's service functions: who may work at a window, events, board messages,
and the hand-written SQL of the ticket hot paths.

Issue, call and finish run at every window all day; through the ORM each of their statements is
compiled again per call (lookups resolved, subqueries and expressions copied), which costs more
than the database spends running them. Their statements are therefore written out here once, with
values still adapted by each field's own ``get_db_prep_save`` (as ``zhengwu.core.fastsql`` does for
the case actions). Plain SQL that PostgreSQL and SQLite both run.
"""

from __future__ import annotations

from django.db import connection, models

from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.org.models import Role, Staff, Window

from .. import live, selectors
from ..models import (
    ACTIVE_STATUSES,
    QueuePolicy,
    StaffAbsence,
    Ticket,
    TicketEvent,
    TicketStatus,
    WindowGroup,
    WindowSeat,
)
from ..policy import POLICY_PICK


def officer_may_work_at(officer: Staff, window: Window) -> bool:
    """Officers listed at the window, and the hall's own administrators (中心管理员)."""
    if not officer.is_active:
        return False
    if officer.has_role(Role.HALL_ADMIN) and officer.hall_id == window.hall_id:
        return True
    return officer.windows.filter(pk=window.pk).exists()


_sql: dict[tuple, str] = {}



def _seat_cols(with_streak: bool) -> list[str]:
    active = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    cols = [
        f"EXISTS (SELECT 1 FROM {StaffAbsence._meta.db_table} a WHERE a.staff_id = %s "
        "AND a.returned_at IS NULL)",
        # at most one such ticket: a partial unique index on the window
        f"(SELECT t.number FROM {Ticket._meta.db_table} t WHERE t.window_id = %s AND t.status IN ({active}) "
        "LIMIT 1)",
    ]
    if with_streak:
        cols.append(f"(SELECT priority_streak_limit FROM {QueuePolicy._meta.db_table} WHERE {POLICY_PICK})")
    return cols


def _seat_params(window: Window, officer: Staff, *, with_streak: bool) -> list:
    return [officer.pk, window.pk, *ACTIVE_STATUSES, *([window.hall_id] if with_streak else [])]


def _seat_sql() -> str:
    key = ("seat",)
    sql = _sql.get(key)
    if sql is None:
        sql = _sql[key] = (f"SELECT {', '.join(_seat_cols(False))} FROM {WindowSeat._meta.db_table} s "
                           "WHERE s.window_id = %s AND s.officer_id = %s")
    return sql


def _check_seat_row(row, window: Window) -> None:
    if row is None:
        raise PermissionDenied(f"您未在{window.number}号窗口签到上岗，请先签到", code="not_seated")
    if row[0]:
        raise DomainError("officer_away", "您当前处于外出状态，请先销假（返回）再叫号", status=409)


def require_seated(window: Window, officer: Staff) -> str:
    """The officer acts at the window only while signed in there and not marked away.

    Returns the number the window has open ("" if none), read in the same query.
    """
    with connection.cursor() as cur:
        cur.execute(_seat_sql(), [*_seat_params(window, officer, with_streak=False), window.pk, officer.pk])
        row = cur.fetchone()
    _check_seat_row(row, window)
    return row[1] or ""


# -- reading ticket rows without a RawQuerySet (its per-call setup costs more than the query) -------------

def _ticket_reader() -> tuple[list[str], list[str], list[tuple]]:
    """The ticket's columns in model order, their attribute names, and each column's converters (what
    the ORM applies to a value read: dates and times parsed and made aware on SQLite, and so on)."""
    key = ("reader", connection.vendor)
    reader = _sql.get(key)
    if reader is None:
        meta = Ticket._meta
        converters = []
        for i, f in enumerate(meta.concrete_fields):
            col = f.get_col(meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((i, found, col))
        reader = _sql[key] = ([f.column for f in meta.concrete_fields], [f.attname for f in meta.concrete_fields],
                              converters)
    return reader


def ticket_from_row(values) -> Ticket:
    """A ``Ticket`` from a row of the columns ``_ticket_reader`` lists, in that order."""
    _, names, converters = _ticket_reader()
    values = list(values)
    for i, found, col in converters:
        v = values[i]
        for convert in found:
            v = convert(v, col, connection)
        values[i] = v
    return Ticket.from_db(connection.alias, names, values)


def waiting_sql(*, normal_only: bool) -> str:
    """``tickets.waiting_for_window``'s query (today's waiting tickets the window may take, in call
    order, the first five), written out; ``normal_only`` keeps priority 0. Parameters: ``waiting_params``."""
    key = ("waiting", normal_only)
    sql = _sql.get(key)
    if sql is None:
        groups, items = WindowGroup.windows.through._meta.db_table, Window.items.through._meta.db_table
        cols = ", ".join(f"t.{c}" for c in _ticket_reader()[0])
        sql = _sql[key] = (
            f"SELECT {cols} FROM {Ticket._meta.db_table} t WHERE t.group_id IN ("
            f"SELECT gw.windowgroup_id FROM {groups} gw JOIN {WindowGroup._meta.db_table} g "
            "ON g.id = gw.windowgroup_id WHERE gw.window_id = %s AND g.is_active = %s) "
            "AND t.status = %s AND t.day = %s "
            f"AND (t.item_id IS NULL OR t.item_id IN (SELECT wi.item_id FROM {items} wi WHERE wi.window_id = %s) "
            f"OR NOT EXISTS (SELECT 1 FROM {items} wi WHERE wi.window_id = %s))"
            + (" AND t.priority = 0" if normal_only else "")
            + " ORDER BY t.priority DESC, t.queued_at, t.id LIMIT 5"
        )
    return sql


def waiting_params(window: Window, day) -> list:
    return [window.pk, True, TicketStatus.WAITING, connection.ops.adapt_datefield_value(day), window.pk, window.pk]


def waiting_rows(window: Window, *, day, normal_only: bool) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(waiting_sql(normal_only=normal_only), waiting_params(window, day))
        return cur.fetchall()


def seat_and_waiting(window: Window, officer: Staff, *, day) -> tuple[tuple, list[tuple]]:
    """What calling the next number needs, in one query: the seat check of ``require_seated`` and the
    policy's ``priority_streak_limit`` for the window's hall (the first three values, raising as
    ``require_seated`` does), and the rows of ``waiting_sql`` (all priorities)."""
    key = ("seat_waiting",)
    sql = _sql.get(key)
    if sql is None:
        cols = ", ".join(f"c.{c}" for c in _ticket_reader()[0])
        sql = _sql[key] = (
            f"SELECT {', '.join(_seat_cols(True))}, {cols} FROM {WindowSeat._meta.db_table} s "
            f"LEFT JOIN ({waiting_sql(normal_only=False)}) c ON 1 = 1 "
            "WHERE s.window_id = %s AND s.officer_id = %s ORDER BY c.priority DESC, c.queued_at, c.id")
    with connection.cursor() as cur:
        cur.execute(sql, [*_seat_params(window, officer, with_streak=True), *waiting_params(window, day),
                          window.pk, officer.pk])
        rows = cur.fetchall()
    _check_seat_row(rows[0] if rows else None, window)
    seat = rows[0][:3]
    limit = seat[2] if seat[2] is not None else QueuePolicy._meta.get_field("priority_streak_limit").default
    return (seat[0], seat[1] or "", limit), [r[3:] for r in rows if r[3] is not None]


def ticket_insert(ticket: Ticket) -> None:
    """INSERT a new ticket and set its primary key (what ``Ticket.objects.create`` does, written out)."""
    if not connection.features.can_return_columns_from_insert:
        ticket.save(force_insert=True)
        return
    meta = Ticket._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    key = ("insert",)
    sql = _sql.get(key)
    if sql is None:
        sql = _sql[key] = (f"INSERT INTO {meta.db_table} ({', '.join(f.column for f in fields)}) "
                           f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {meta.pk.column}")
    params = [f.get_db_prep_save(f.pre_save(ticket, True), connection) for f in fields]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        ticket.pk = cur.fetchone()[0]
    ticket._state.adding = False
    ticket._state.db = connection.alias


def ticket_update_guarded(ticket: Ticket, statuses, values: dict, *, seated: tuple[Window, Staff] | None = None) -> int:
    """``UPDATE … SET <values>, row_version = row_version + 1 WHERE id = … AND row_version = … AND status IN …``;
    the rows changed. ``values`` by field name; a model instance stands for its primary key.

    With ``seated`` (window, officer) the same statement also requires ``require_seated``'s conditions
    (signed in at the window, not away): the check and the change in one step. When nothing changed,
    the caller tells which condition failed (``require_seated`` raises its own refusal)."""
    meta = Ticket._meta
    fields = [meta.get_field(name) for name in values]
    key = ("update", tuple(f.column for f in fields), len(statuses), seated is not None)
    sql = _sql.get(key)
    if sql is None:
        sets = ", ".join(f"{f.column} = %s" for f in fields)
        sql = (f"UPDATE {meta.db_table} SET {sets}, row_version = row_version + 1 "
               f"WHERE id = %s AND row_version = %s AND status IN ({', '.join(['%s'] * len(statuses))})")
        if seated is not None:
            sql += (f" AND EXISTS (SELECT 1 FROM {WindowSeat._meta.db_table} s WHERE s.window_id = %s "
                    f"AND s.officer_id = %s) AND NOT EXISTS (SELECT 1 FROM {StaffAbsence._meta.db_table} a "
                    "WHERE a.staff_id = %s AND a.returned_at IS NULL)")
        _sql[key] = sql
    params = [f.get_db_prep_save(v.pk if isinstance(v, models.Model) else v, connection)
              for f, v in zip(fields, values.values(), strict=True)]
    params += [ticket.pk, ticket.row_version, *statuses]
    if seated is not None:
        params += [seated[0].pk, seated[1].pk, seated[1].pk]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def require_at_window(ticket: Ticket, window: Window, *statuses: str) -> None:
    if ticket.window_id != window.pk or ticket.status not in statuses:
        raise DomainError("not_at_window", f"{ticket.number}号当前不在{window.number}号窗口"
                          f"（状态：{ticket.get_status_display()}）", status=409)


def event(ticket: Ticket, action: str, *, window=None, officer=None, at=None, **data) -> TicketEvent:
    kwargs = {"at": at} if at is not None else {}
    return TicketEvent(ticket=ticket, action=action, window=window, officer=officer, data=data, **kwargs)


def publish_windows(hall, window_ids: list[int], *, group_ids: list[int] = (), presence: bool = False,
                    **extra) -> None:
    """After commit, tell the hall's boards the new state of these windows and groups (and who is away)."""
    hall_id = hall.pk
    kind = extra.pop("type", "update")

    def build():
        payload = {"type": kind, **extra}
        if window_ids:
            payload["windows"] = selectors.windows_state(hall, list(window_ids))
        if group_ids:
            payload["groups"] = selectors.groups_state(hall, list(group_ids))
        if presence:
            payload["away"] = selectors.presence_list(hall)
        return payload

    live.publish_on_commit(hall_id, build)


def publish_groups(hall, group_ids: list[int]) -> None:
    publish_windows(hall, [], group_ids=group_ids)


def group_serves(group: WindowGroup, item_id: int | None) -> bool:
    """Some open window of the group can take a ticket for this item."""
    windows = group.windows.filter(is_open=True)
    if item_id is None:
        return windows.exists()
    return windows.filter(items__id=item_id).exists() or windows.filter(items__isnull=True).exists()
