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

from django.db import connection, models

_update_sql: dict[tuple, str] = {}
_insert_sql: dict[tuple, tuple[str, list[models.Field]]] = {}


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def update_guarded(model: type[models.Model], *, pk, version: int, values: Mapping[str, object],
                   version_field: str = "row_version") -> int:
    """``UPDATE … SET <values>, version = version + 1 WHERE pk = %s AND version = %s``; the rows changed.

    ``values`` are keyed by field name or attname (``accepted_by`` or ``accepted_by_id``); a
    model instance given for a foreign key stands for its primary key.
    """
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    key = (model, connection.vendor, tuple(f.column for f in fields), version_field)
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
        params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk, version])
        return cursor.rowcount


def insert(objs: Iterable[models.Model]) -> None:
    """INSERT unsaved instances of one model (auto primary key), in one statement per call.

    The instances' primary keys are not read back; use this for append-only rows such as events.
    """
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    key = (model, connection.vendor)
    cached = _insert_sql.get(key)
    if cached is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        cols = ", ".join(_qn(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        cached = _insert_sql[key] = (f"INSERT INTO {_qn(meta.db_table)} ({cols}) VALUES ({marks})", fields)
    sql, fields = cached
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)
