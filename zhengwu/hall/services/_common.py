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



def _seat_sql(with_streak: bool) -> str:
    key = ("seat", with_streak)
    sql = _sql.get(key)
    if sql is None:
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
        sql = _sql[key] = (f"SELECT {', '.join(cols)} FROM {WindowSeat._meta.db_table} s "
                           "WHERE s.window_id = %s AND s.officer_id = %s")
    return sql


def _seated_row(window: Window, officer: Staff, *, with_streak: bool) -> tuple:
    params = [officer.pk, window.pk, *ACTIVE_STATUSES, *([window.hall_id] if with_streak else []),
              window.pk, officer.pk]
    with connection.cursor() as cur:
        cur.execute(_seat_sql(with_streak), params)
        row = cur.fetchone()
    if row is None:
        raise PermissionDenied(f"您未在{window.number}号窗口签到上岗，请先签到", code="not_seated")
    if row[0]:
        raise DomainError("officer_away", "您当前处于外出状态，请先销假（返回）再叫号", status=409)
    return row


def require_seated(window: Window, officer: Staff) -> str:
    """The officer acts at the window only while signed in there and not marked away.

    Returns the number the window has open ("" if none), read in the same query.
    """
    return _seated_row(window, officer, with_streak=False)[1] or ""


def require_seated_to_call(window: Window, officer: Staff) -> tuple[str, int]:
    """``require_seated`` and, in the same query, the policy's ``priority_streak_limit`` for the window's hall."""
    row = _seated_row(window, officer, with_streak=True)
    limit = row[2] if row[2] is not None else QueuePolicy._meta.get_field("priority_streak_limit").default
    return row[1] or "", limit


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


def ticket_update_guarded(ticket: Ticket, statuses, values: dict) -> int:
    """``UPDATE … SET <values>, row_version = row_version + 1 WHERE id = … AND row_version = … AND status IN …``;
    the rows changed. ``values`` by field name; a model instance stands for its primary key."""
    meta = Ticket._meta
    fields = [meta.get_field(name) for name in values]
    key = ("update", tuple(f.column for f in fields), len(statuses))
    sql = _sql.get(key)
    if sql is None:
        sets = ", ".join(f"{f.column} = %s" for f in fields)
        sql = _sql[key] = (f"UPDATE {meta.db_table} SET {sets}, row_version = row_version + 1 "
                           f"WHERE id = %s AND row_version = %s AND status IN ({', '.join(['%s'] * len(statuses))})")
    params = [f.get_db_prep_save(v.pk if isinstance(v, models.Model) else v, connection)
              for f, v in zip(fields, values.values(), strict=True)]
    with connection.cursor() as cur:
        cur.execute(sql, [*params, ticket.pk, ticket.row_version, *statuses])
        return cur.rowcount


def waiting_sql(window: Window, *, day, normal_only: bool) -> tuple[str, list]:
    """``tickets.waiting_for_window``'s query (today's waiting tickets the window may take, in call
    order, the first five), written out; ``normal_only`` keeps priority 0."""
    key = ("waiting", normal_only)
    sql = _sql.get(key)
    if sql is None:
        groups, items = WindowGroup.windows.through._meta.db_table, Window.items.through._meta.db_table
        sql = _sql[key] = (
            f"SELECT t.* FROM {Ticket._meta.db_table} t WHERE t.group_id IN ("
            f"SELECT gw.windowgroup_id FROM {groups} gw JOIN {WindowGroup._meta.db_table} g "
            "ON g.id = gw.windowgroup_id WHERE gw.window_id = %s AND g.is_active = %s) "
            "AND t.status = %s AND t.day = %s "
            f"AND (t.item_id IS NULL OR t.item_id IN (SELECT wi.item_id FROM {items} wi WHERE wi.window_id = %s) "
            f"OR NOT EXISTS (SELECT 1 FROM {items} wi WHERE wi.window_id = %s))"
            + (" AND t.priority = 0" if normal_only else "")
            + " ORDER BY t.priority DESC, t.queued_at, t.id LIMIT 5"
        )
    return sql, [window.pk, True, TicketStatus.WAITING, connection.ops.adapt_datefield_value(day), window.pk,
                 window.pk]


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
