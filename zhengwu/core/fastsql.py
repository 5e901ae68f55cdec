"""Single-row writes on the hottest path, without the ORM's per-call SQL compilation.

A case action is one guarded UPDATE of the case and one INSERT of its event. Through the ORM
each call compiles its SQL again (lookups resolved, expressions copied, columns quoted), which
costs more than the database spends executing it. Here the SQL text is built once per model,
column set and database vendor and cached; values still go through each field's own
``get_db_prep_save``, so they are adapted exactly as the ORM would (dates and times to the
backend's form, JSON encoded, foreign keys to their target's type).

What is given up: model signals (none of these models has receivers) and ``auto_now`` fields
(which ``QuerySet.update`` does not touch either).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

_update_sql: dict[tuple, str] = {}
_insert_sql: dict[tuple, tuple[str, list[models.Field]]] = {}


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _conn():
    """The default connection itself: adapting a value through ``django.db.connection`` (a proxy that looks
    the connection up on every attribute read) cost more than the adapting on the hot paths."""
    return connections[DEFAULT_DB_ALIAS]


def update_guarded(model: type[models.Model], *, pk, version: int, values: Mapping[str, object],
                   version_field: str = "row_version") -> int:
    """``UPDATE … SET <values>, version = version + 1 WHERE pk = %s AND version = %s``; the rows changed.

    ``values`` are keyed by field name or attname (``accepted_by`` or ``accepted_by_id``); a
    model instance given for a foreign key stands for its primary key.
    """
    sql, params = _update_guarded_sql(model, pk=pk, version=version, values=values, version_field=version_field)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _update_guarded_sql(model, *, pk, version: int, values: Mapping[str, object], version_field: str):
    conn = _conn()
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    key = (model, conn.vendor, tuple(f.column for f in fields), version_field)
    sql = _update_sql.get(key)
    if sql is None:
        vcol = _qn(meta.get_field(version_field).column)
        sets = ", ".join(f"{_qn(f.column)} = %s" for f in fields)
        sql = (f"UPDATE {_qn(meta.db_table)} SET {sets}, {vcol} = {vcol} + 1 "
               f"WHERE {_qn(meta.pk.column)} = %s AND {vcol} = %s")
        _update_sql[key] = sql
    params = []
    for field, value in zip(fields, values.values(), strict=True):
        if isinstance(value, models.Model):
            value = value.pk
        params.append(field.get_db_prep_save(value, conn))
    return sql, [*params, pk, version]


def insert(objs: Iterable[models.Model]) -> None:
    """INSERT unsaved instances of one model (auto primary key), in one statement per call.

    The instances' primary keys are not read back; use this for append-only rows such as events.
    """
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    conn = _conn()
    key = (model, conn.vendor)
    cached = _insert_sql.get(key)
    if cached is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        cols = ", ".join(_qn(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        cached = _insert_sql[key] = (f"INSERT INTO {_qn(meta.db_table)} ({cols}) VALUES ({marks})", fields)
    sql, fields = cached
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields] for obj in objs]
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)


_insert_one_sql: dict[tuple, tuple[str, list[models.Field]]] = {}


def insert_statement(obj: models.Model, *, source: str | None = None, returning: bool = True) -> tuple[str, list]:
    """The INSERT of one unsaved instance (auto primary key) as ``(sql, params)``, for ``insert_one`` and for
    ``together``: returning its primary key where the database can (``RETURNING``; PostgreSQL, SQLite ≥ 3.35)
    unless ``returning=False``. With ``source`` (PostgreSQL; the name of an earlier statement of the same
    ``together``) the row is written once per row that statement returned (``INSERT … SELECT … FROM
    source``): not at all when it changed nothing. SQL built once per model, vendor and shape; values adapted
    by each field's ``get_db_prep_save``."""
    model = type(obj)
    conn = _conn()
    returning = returning and conn.features.can_return_columns_from_insert
    key = (model, conn.vendor, returning, source)
    cached = _insert_one_sql.get(key)
    if cached is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {_qn(meta.db_table)} ({', '.join(_qn(f.column) for f in fields)}) "
        sql += f"SELECT {marks} FROM {source}" if source else f"VALUES ({marks})"
        if returning:
            sql += f" RETURNING {_qn(meta.pk.column)}"
        cached = _insert_one_sql[key] = (sql, fields)
    sql, fields = cached
    return sql, [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]


def update_guarded_statement(model: type[models.Model], *, pk, version: int, values: Mapping[str, object],
                             version_field: str = "row_version") -> tuple[str, list]:
    """``update_guarded``'s statement as ``(sql, params)`` for ``together``, returning the primary key of the
    row it changed (PostgreSQL: ``RETURNING``; none when the version did not match)."""
    sql, params = _update_guarded_sql(model, pk=pk, version=version, values=values, version_field=version_field)
    return f"{sql} RETURNING {_qn(model._meta.pk.column)}", params


def insert_one(obj: models.Model) -> None:
    """INSERT one unsaved instance (auto primary key) and set its primary key, as ``save(force_insert=True)``
    would (without signals: see the module's note)."""
    sql, params = insert_statement(obj)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def together(statements: list[tuple[str, list, bool]]) -> list[list | None]:
    """Run several data-modifying statements in one round trip where the database can, in order elsewhere.

    Each statement is ``(sql, params, returns)``; one that ``returns`` ends in ``RETURNING`` exactly one
    column, and its result is the list of that column's values (None for the others). On PostgreSQL the
    statements go as one ``WITH s0 AS (…), s1 AS (…) SELECT ARRAY(SELECT * FROM s0), …``: they all run on the
    same snapshot and none sees another's changes, so the caller must not give two statements that touch
    the same rows (PostgreSQL would apply only one of them) or that need each other's effects. Elsewhere
    they run one after the other.
    """
    if not statements:
        return []
    if len(statements) == 1 or connection.vendor != "postgresql":
        out: list[list | None] = []
        with connection.cursor() as cursor:
            for sql, params, returns in statements:
                cursor.execute(sql, params)
                out.append([row[0] for row in cursor.fetchall()] if returns else None)
        return out
    ctes, selects, params = [], [], []
    for i, (sql, p, returns) in enumerate(statements):
        ctes.append(f"s{i} AS ({sql})")
        params += p
        if returns:
            selects.append(f"ARRAY(SELECT * FROM s{i})")
    sql = f"WITH {', '.join(ctes)} SELECT {', '.join(selects) or 'NULL'}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = list(cursor.fetchone())
    out = []
    for _sql, _p, returns in statements:
        out.append(row.pop(0) if returns else None)
    return out
