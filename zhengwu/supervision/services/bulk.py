"""Fast inserts of many plain rows. On PostgreSQL: ``COPY`` for large plain inserts (ids, when
wanted, drawn from the table's sequence first), otherwise one ``INSERT … SELECT FROM unnest`` per
batch with each column sent as one typed array; elsewhere ``bulk_create``. The sweep and the
rollup insert thousands of rows a run (the first sweep over a county, hundreds of thousands); the
ORM's per-value preparation costs more than the insert itself, and psycopg's array adaptation of
that many Python values costs more than COPY's row writer."""

from __future__ import annotations

from django.db import connection

BATCH = 5000
COPY_MIN = 2000  # below this, one unnest INSERT is as quick and needs no second round trip


def insert_rows(model, columns: list[tuple[str, str]], rows: list[tuple], *, returning: bool = False,
                on_conflict: str = "") -> list[int]:
    """Insert ``rows`` (tuples in ``columns`` order; each column is (attname, PostgreSQL array type)).

    Returns the new ids in order when ``returning``. ``on_conflict`` is a PostgreSQL ``ON CONFLICT``
    clause; elsewhere it becomes an upsert on the model's primary key.
    """
    if not rows:
        return []
    names = [c for c, _ in columns]
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
        if on_conflict:
            pk = model._meta.pk.attname
            model.objects.bulk_create(objs, batch_size=1000, update_conflicts=True, unique_fields=[pk],
                                      update_fields=[n for n in names if n != pk])
            return []
        made = model.objects.bulk_create(objs, batch_size=1000)
        return [o.pk for o in made] if returning else []
    table = model._meta.db_table
    if len(rows) >= COPY_MIN and not on_conflict:
        return _copy(table, names, rows, returning=returning)
    arrays = ", ".join(f"%s::{kind}[]" for _, kind in columns)
    sql = (f"INSERT INTO {table} ({', '.join(names)}) SELECT * FROM unnest({arrays}) "
           f"{on_conflict} {'RETURNING id' if returning else ''}")
    ids: list[int] = []
    with connection.cursor() as cur:
        for i in range(0, len(rows), BATCH):
            cur.execute(sql, [list(col) for col in zip(*rows[i:i + BATCH], strict=True)])
            if returning:
                ids += [r[0] for r in cur.fetchall()]
    return ids


def _copy(table: str, names: list[str], rows: list[tuple], *, returning: bool) -> list[int]:
    ids: list[int] = []
    with connection.cursor() as cur:
        if returning:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                        [table, len(rows)])
            ids = [r[0] for r in cur.fetchall()]
            names = ["id", *names]
            rows = [(i, *row) for i, row in zip(ids, rows, strict=True)]
        with cur.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return ids
