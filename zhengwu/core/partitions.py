"""Monthly range partitions of the append-only history tables, on PostgreSQL (see docs/partitions.md).

The registry names each partitioned table and its time column. ``ensure`` creates the month
partitions ``<table>_pYYYYMM`` (months in Beijing time) from the oldest month present through a few
months ahead, plus ``<table>_default`` so that a row with any time always lands; rows already in
the default partition for a month that gets its own partition are moved there in the same
transaction. ``detach_and_archive`` writes one month to a gzip'd CSV file (``COPY``) with a JSON
manifest (row count, SHA-256 of the data, the audit chain's ends) and drops the month only once the
file has been read back and checked; ``restore`` puts such a file back as the month's partition.

On SQLite the tables stay plain tables and every function here refuses (仅 PostgreSQL 支持分区).
The migrations that turn the existing tables into partitioned ones call :func:`convert`.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.errors import DomainError

FORMAT = "zhengwu-partition-archive/1"
# One advisory lock for all partition maintenance: two `ensure` runs (cron and an operator) or an
# archive beside an ensure never create or move the same month twice.
MAINTENANCE_LOCK = int.from_bytes(hashlib.sha256(b"zhengwu.core.partitions").digest()[:8], "big", signed=True)
# The audit trail's archived chain segments are recorded in the parent table's comment: only the
# table's owner may set it, so the app role cannot forge a "bridge" over rows it deleted.
AUDIT_TABLE = "core_auditevent"
AUDIT_COMMENT_KEY = "zhengwu_archived_chain"


@dataclass(frozen=True)
class Partitioned:
    """A table partitioned by month on ``column``; ``local_unique`` are unique indexes PostgreSQL
    cannot keep across partitions (they lack the partition key), kept on each partition instead:
    (name suffix, indexed column, WHERE clause)."""

    label: str
    table: str
    column: str
    local_unique: tuple[tuple[str, str, str], ...] = ()


REGISTRY: tuple[Partitioned, ...] = (
    Partitioned("cases.CaseEvent", "cases_caseevent", "at"),
    Partitioned("core.AuditEvent", AUDIT_TABLE, "at", (("one_successor", "prev_hash", "prev_hash <> ''"),)),
    Partitioned("hall.TicketEvent", "hall_ticketevent", "at"),
    Partitioned("hotline.OrderEvent", "hotline_orderevent", "at"),
)


def spec_for(name: str) -> Partitioned:
    """The registry entry for a table name or a model label (``cases_caseevent`` / ``cases.CaseEvent``)."""
    for spec in REGISTRY:
        if name in (spec.table, spec.label) or name.lower() == spec.label.lower():
            return spec
    known = "、".join(s.table for s in REGISTRY)
    raise DomainError("partition_unknown_table", f"{name} 不是分区表（分区表：{known}）")


def require_postgresql(conn=None) -> None:
    conn = conn or default_connection
    if conn.vendor != "postgresql":
        raise DomainError("partitions_unsupported", "仅 PostgreSQL 支持分区：SQLite 上这些表是普通表，无需维护分区")


# --- months -------------------------------------------------------------------------------------

def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_of(at: dt.datetime) -> dt.date:
    local = at.astimezone(_tz())
    return dt.date(local.year, local.month, 1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's [start, end) in Beijing time, as aware datetimes."""
    tz = _tz()
    nxt = add_months(month, 1)
    return dt.datetime(month.year, month.month, 1, tzinfo=tz), dt.datetime(nxt.year, nxt.month, 1, tzinfo=tz)


def parse_month(text: str) -> dt.date:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise DomainError("partition_bad_month", f"月份格式应为 YYYY-MM（例如 2026-01），而不是“{text}”")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y%m}"


def default_name(table: str) -> str:
    return f"{table}_default"


def _lit(at: dt.datetime) -> str:
    """A timestamptz literal for DDL (partition bounds cannot be query parameters)."""
    return "'" + at.isoformat() + "'::timestamptz"


# --- catalog reads ------------------------------------------------------------------------------

@dataclass
class PartitionInfo:
    name: str
    bound: str
    month: dt.date | None  # None: the default partition (or a partition not named by this module)
    is_default: bool
    rows: int | None = None


def _q(name: str) -> str:
    return default_connection.ops.quote_name(name)


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partitions(cursor, table: str) -> list[PartitionInfo]:
    cursor.execute(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
        [table])
    found = []
    for name, bound in cursor.fetchall():
        m = re.fullmatch(re.escape(table) + r"_p(\d{4})(\d{2})", name)
        month = dt.date(int(m.group(1)), int(m.group(2)), 1) if m else None
        found.append(PartitionInfo(name=name, bound=bound, month=month, is_default=bound == "DEFAULT"))
    return found


def _columns(cursor, table: str) -> list[str]:
    cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
                   "AND NOT attisdropped ORDER BY attnum", [table])
    return [r[0] for r in cursor.fetchall()]


def _lock(cursor) -> None:
    """Take the maintenance lock, and run the deferred foreign-key checks the transaction owes so far
    (PostgreSQL refuses DDL on a table with pending trigger events; the checks would run at commit
    anyway, and the constraints stay deferred for the rest of the transaction)."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MAINTENANCE_LOCK])
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# --- creating partitions -----------------------------------------------------------------------

@dataclass
class EnsureResult:
    table: str
    created: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)  # partition → rows moved out of the default


def _local_indexes(cursor, spec: Partitioned, partition: str) -> None:
    for suffix, column, where in spec.local_unique:
        if to_regclass(cursor, partition + "_" + suffix) is not None:
            continue
        cursor.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {_q(partition + '_' + suffix)} "
                       f"ON {_q(partition)} ({_q(column)}) WHERE {where}")


def _acl(cursor, table: str) -> tuple[set, set]:
    """(table privileges, column privileges) granted to others than the owner, as comparable sets."""
    cursor.execute(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END, "
        "a.privilege_type FROM pg_class c, aclexplode(c.relacl) a "
        "WHERE c.oid = to_regclass(%s) AND a.grantee <> c.relowner", [table])
    rel = set(cursor.fetchall())
    cursor.execute(
        "SELECT att.attname, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END, "
        "a.privilege_type FROM pg_attribute att, aclexplode(att.attacl) a "
        "WHERE att.attrelid = to_regclass(%s) AND att.attnum > 0 AND NOT att.attisdropped", [table])
    return rel, set(cursor.fetchall())


def _copy_acl(cursor, source: str, target: str) -> None:
    """Give ``target`` exactly the rights others have on ``source``.

    A partition is a table of its own: reached by its name it is checked against its own rights,
    and the default privileges would give the app role UPDATE and DELETE on it. So each partition
    carries its parent's rights (append-only stays append-only), set here whenever they differ.
    """
    want_rel, want_col = _acl(cursor, source)
    have_rel, have_col = _acl(cursor, target)
    if (want_rel, want_col) == (have_rel, have_col):
        return
    for grantee in {g for g, _ in have_rel} | {g for _, g, _ in have_col}:
        cursor.execute(f"REVOKE ALL ON {_q(target)} FROM {grantee}")
    for grantee, privilege in sorted(want_rel):
        cursor.execute(f"GRANT {privilege} ON {_q(target)} TO {grantee}")
    for column, grantee, privilege in sorted(want_col):
        cursor.execute(f"GRANT {privilege} ({_q(column)}) ON {_q(target)} TO {grantee}")


def _attach_month(cursor, spec: Partitioned, month: dt.date, *, load=None) -> tuple[str, int]:
    """Create ``month``'s partition as a table of its own, fill it, and attach it; returns its name
    and the rows moved out of the default partition.

    Built beside the parent and then attached (not ``CREATE TABLE … PARTITION OF``) so that rows of
    that month already in the default partition can be moved into it first: PostgreSQL refuses a
    new partition whose range still has rows in the default. A CHECK constraint on the range lets
    ATTACH skip scanning the new table; attaching takes only SHARE UPDATE EXCLUSIVE on the parent.
    ``load`` (restore) fills the new table before the rows from the default are moved in.
    """
    name = partition_name(spec.table, month)
    lo, hi = month_bounds(month)
    col = _q(spec.column)
    cursor.execute(f"CREATE TABLE {_q(name)} (LIKE {_q(spec.table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                   "INCLUDING STORAGE)")
    cursor.execute(f"ALTER TABLE {_q(name)} ADD CONSTRAINT {_q(name + '_range')} "
                   f"CHECK ({col} IS NOT NULL AND {col} >= {_lit(lo)} AND {col} < {_lit(hi)})")
    if load is not None:
        load(name)
    moved = 0
    default = default_name(spec.table)
    if any(p.name == default for p in partitions(cursor, spec.table)):
        cols = ", ".join(_q(c) for c in _columns(cursor, spec.table))
        cursor.execute(f"WITH moved AS (DELETE FROM {_q(default)} WHERE {col} >= {_lit(lo)} AND {col} < {_lit(hi)} "
                       f"RETURNING {cols}) INSERT INTO {_q(name)} ({cols}) SELECT {cols} FROM moved")
        moved = cursor.rowcount
    cursor.execute(f"ALTER TABLE {_q(spec.table)} ATTACH PARTITION {_q(name)} "
                   f"FOR VALUES FROM ({_lit(lo)}) TO ({_lit(hi)})")
    cursor.execute(f"ALTER TABLE {_q(name)} DROP CONSTRAINT {_q(name + '_range')}")
    _local_indexes(cursor, spec, name)
    _copy_acl(cursor, spec.table, name)
    return name, moved


def _default_months(cursor, spec: Partitioned) -> list[dt.date]:
    """The months (Beijing time) of the rows sitting in the default partition."""
    default = default_name(spec.table)
    if to_regclass(cursor, default) is None:
        return []
    cursor.execute(f"SELECT DISTINCT date_trunc('month', {_q(spec.column)} AT TIME ZONE %s)::date "
                   f"FROM {_q(default)}", [settings.TIME_ZONE])
    return sorted(r[0] for r in cursor.fetchall())


def to_regclass(cursor, name: str):
    cursor.execute("SELECT to_regclass(%s)::oid", [name])
    return cursor.fetchone()[0]


def ensure_table(spec: Partitioned, *, ahead: int = 3, since: dt.date | None = None,
                 now: dt.datetime | None = None, conn=None) -> EnsureResult:
    """Create ``spec``'s missing month partitions and its default partition, in one transaction.

    Months: every month from the oldest month partition (or ``since``, or this month) through this
    month + ``ahead``, and any month whose rows sit in the default partition (without filling the
    gap before it: one row with a wrong clock must not create decades of empty partitions). Safe to
    run again: it creates nothing that exists, and re-applies the per-partition unique indexes and
    the parent's rights on every partition.
    """
    conn = conn or default_connection
    require_postgresql(conn)
    result = EnsureResult(table=spec.table)
    this_month = month_of(now or clock.now())
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        _lock(cursor)
        if not is_partitioned(cursor, spec.table):
            raise DomainError("partition_not_converted",
                              f"{spec.table} 还不是分区表：请先运行 zhengwu migrate")
        existing = {p.month for p in partitions(cursor, spec.table) if p.month}
        start = min([m for m in (since, min(existing, default=None)) if m] or [this_month])
        start = min(start, this_month)
        wanted = set()
        month = start
        while month <= add_months(this_month, ahead):
            wanted.add(month)
            month = add_months(month, 1)
        wanted |= {m for m in _default_months(cursor, spec) if m <= add_months(this_month, ahead)}
        for month in sorted(wanted - existing):
            name, moved = _attach_month(cursor, spec, month)
            result.created.append(name)
            if moved:
                result.moved[name] = moved
        default = default_name(spec.table)
        if to_regclass(cursor, default) is None:
            cursor.execute(f"CREATE TABLE {_q(default)} PARTITION OF {_q(spec.table)} DEFAULT")
            result.created.append(default)
        for p in partitions(cursor, spec.table):
            _local_indexes(cursor, spec, p.name)
            _copy_acl(cursor, spec.table, p.name)
    return result


def ensure(*, ahead: int = 3, tables: list[str] | None = None, now: dt.datetime | None = None) -> list[EnsureResult]:
    """:func:`ensure_table` for every registered table (or the named ones), one transaction each."""
    require_postgresql()
    specs = [spec_for(t) for t in tables] if tables else list(REGISTRY)
    return [ensure_table(spec, ahead=ahead, now=now) for spec in specs]


# --- converting a plain table (the migrations) --------------------------------------------------

def convert(schema_editor, table: str, *, ahead: int = 3) -> None:
    """Turn the plain table ``table`` into a partitioned one with the same rows, inside the
    migration's transaction (a no-op on SQLite and on a table already partitioned).

    Keeps the columns, defaults and identity (its sequence goes on from where the old one was), the
    indexes and foreign keys under their names, and the rights granted on the table. The primary
    key becomes (id, time): PostgreSQL requires the partition key in every unique constraint. The
    unique indexes listed as ``local_unique`` are kept on each partition instead.
    Cost: the rows are copied once and every index is built again (see docs/partitions.md); the
    table is locked against writes (and reads) for that time.
    """
    _rebuild(schema_editor, table, partitioned=True, ahead=ahead)


def unconvert(schema_editor, table: str) -> None:
    """The way back (migrating backwards): a plain table again, with the same rows, the primary key
    (id) and the ``local_unique`` indexes across the whole table."""
    _rebuild(schema_editor, table, partitioned=False)


def _rebuild(schema_editor, table: str, *, partitioned: bool, ahead: int = 3) -> None:
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    spec = spec_for(table)
    old = f"{table}_old"
    local_names = {f"{table}_{suffix}" for suffix, _, _ in spec.local_unique}
    with conn.cursor() as cursor:
        if is_partitioned(cursor, table) == partitioned:
            return
        cursor.execute(f"LOCK TABLE {_q(table)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype = 'p'", [table])
        pkey = cursor.fetchone()[0]
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND tablename = %s AND indexname <> %s", [table, pkey])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY conname", [table])
        foreign_keys = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id'), obj_description(to_regclass(%s), 'pg_class')",
                       [table, table])
        sequence, comment = cursor.fetchone()
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
        months = []
        if partitioned:
            cursor.execute(f"SELECT DISTINCT date_trunc('month', {_q(spec.column)} AT TIME ZONE %s)::date "
                           f"FROM {_q(table)}", [settings.TIME_ZONE])
            months = sorted(r[0] for r in cursor.fetchall())

        # Free the names: the old table, its sequence, its primary key and indexes (on a partitioned
        # table, dropping them drops the partitions' too).
        cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {_q(old + '_id_seq')}")
        cursor.execute(f"ALTER TABLE {_q(old)} DROP CONSTRAINT {_q(pkey)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {_q(name)}")

        cursor.execute(f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                       "INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS)"
                       + (f" PARTITION BY RANGE ({_q(spec.column)})" if partitioned else ""))
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [table, last_value, is_called])
        if comment:
            cursor.execute(f"COMMENT ON TABLE {_q(table)} IS %s", [comment])
        _copy_acl(cursor, old, table)
    if partitioned:
        ensure_table(spec, ahead=ahead, since=months[0] if months else None, conn=conn)
    with conn.cursor() as cursor:
        cols = ", ".join(_q(c) for c in _columns(cursor, table))
        cursor.execute(f"INSERT INTO {_q(table)} ({cols}) SELECT {cols} FROM {_q(old)}")
        # Indexes after the rows: one bulk build (per partition) instead of row-by-row upkeep.
        key = f"id, {_q(spec.column)}" if partitioned else "id"
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(pkey)} PRIMARY KEY ({key})")
        for name, definition in indexes:
            if name in local_names:
                continue  # kept per partition by ensure_table
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
        if not partitioned:
            for suffix, column, where in spec.local_unique:
                cursor.execute(f"CREATE UNIQUE INDEX {_q(table + '_' + suffix)} ON {_q(table)} ({_q(column)}) "
                               f"WHERE {where}")
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
        cursor.execute(f"DROP TABLE {_q(old)}")
        cursor.execute(f"ANALYZE {_q(table)}")


# --- archive and restore ------------------------------------------------------------------------

def _sha256_file_data(path: Path) -> tuple[str, int]:
    """SHA-256 of the decompressed data and its number of CSV records (header excluded)."""
    digest = hashlib.sha256()
    with gzip.open(path, "rb") as raw:
        while chunk := raw.read(1 << 20):
            digest.update(chunk)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as text:
        records = sum(1 for _ in csv.reader(text)) - 1
    return digest.hexdigest(), max(records, 0)


def _audit_segments(cursor) -> list[dict]:
    cursor.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", [AUDIT_TABLE])
    row = cursor.fetchone()
    try:
        data = json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return []
    return list(data.get(AUDIT_COMMENT_KEY, [])) if isinstance(data, dict) else []


def _set_audit_segments(cursor, segments: list[dict]) -> None:
    text = json.dumps({AUDIT_COMMENT_KEY: sorted(segments, key=lambda s: s["first_id"])}, ensure_ascii=False)
    cursor.execute(f"COMMENT ON TABLE {_q(AUDIT_TABLE)} IS %s", [text])


def audit_archived_segments(conn=None) -> list[dict]:
    """The audit months archived out of the database: each with ``month``, ``rows``, ``first_id``,
    ``first_prev_hash`` (the hash of the row before it), ``last_id`` and ``last_hash``."""
    conn = conn or default_connection
    if conn.vendor != "postgresql":
        return []
    with conn.cursor() as cursor:
        return _audit_segments(cursor)


def detach_and_archive(table: str, month: dt.date, directory: str | os.PathLike) -> dict:
    """Write ``month`` of ``table`` to ``<directory>/<partition>.csv.gz`` and ``.json`` and drop it.

    One transaction: the month is locked against new rows, copied out, the file written, synced
    and read back (row count and SHA-256 must match what was copied), and only then the partition
    is detached and dropped. If anything fails the partition stays as it was.
    Returns the manifest.
    """
    require_postgresql()
    spec = spec_for(table)
    if month >= month_of(clock.now()):
        raise DomainError("partition_month_open",
                          f"{month:%Y-%m} 还没有结束，只能归档本月之前的月份（归档期间该月不能写入新记录）")
    name = partition_name(spec.table, month)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    data_path, manifest_path = out / f"{name}.csv.gz", out / f"{name}.json"
    tmp = out / f".{name}.csv.gz.tmp"
    lo, hi = month_bounds(month)
    written = False
    try:
        with transaction.atomic(), default_connection.cursor() as cursor:
            _lock(cursor)
            if not any(p.name == name for p in partitions(cursor, spec.table)):
                raise DomainError("partition_missing", f"{spec.table} 没有 {month:%Y-%m} 的分区（{name}）")
            cursor.execute(f"LOCK TABLE {_q(name)} IN SHARE MODE")  # no new rows for that month meanwhile
            columns = _columns(cursor, name)
            cursor.execute(f"SELECT count(*), min(id), max(id) FROM {_q(name)}")
            rows, first_id, last_id = cursor.fetchone()
            cols = ", ".join(_q(c) for c in columns)
            digest = hashlib.sha256()
            with gzip.open(tmp, "wb") as sink:
                with cursor.cursor.copy(f"COPY (SELECT {cols} FROM {_q(name)} ORDER BY id) "
                                        "TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                    for chunk in copy:
                        chunk = bytes(chunk)
                        digest.update(chunk)
                        sink.write(chunk)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            sha, records = _sha256_file_data(tmp)
            if (sha, records) != (digest.hexdigest(), rows):
                raise DomainError("partition_archive_mismatch",
                                  f"归档文件校验不一致（{records} 行，应为 {rows} 行）：分区未删除")
            manifest = {
                "format": FORMAT, "table": spec.table, "model": spec.label, "partition": name,
                "month": f"{month:%Y-%m}", "column": spec.column, "from": lo.isoformat(), "to": hi.isoformat(),
                "columns": columns, "rows": rows, "first_id": first_id, "last_id": last_id,
                "data_file": data_path.name, "data_sha256": sha,
                "archived_at": timezone.now().isoformat(),
            }
            if spec.table == AUDIT_TABLE and rows:
                cursor.execute(f"SELECT prev_hash FROM {_q(name)} ORDER BY id LIMIT 1")
                first_prev = cursor.fetchone()[0]
                cursor.execute(f"SELECT hash FROM {_q(name)} ORDER BY id DESC LIMIT 1")
                segment = {"month": manifest["month"], "rows": rows, "first_id": first_id,
                           "first_prev_hash": first_prev, "last_id": last_id, "last_hash": cursor.fetchone()[0],
                           "data_sha256": sha}
                manifest["audit_chain"] = segment
                _set_audit_segments(cursor, [s for s in _audit_segments(cursor) if s["month"] != segment["month"]]
                                    + [segment])
            manifest_tmp = out / f".{name}.json.tmp"
            manifest_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, data_path)
            os.replace(manifest_tmp, manifest_path)
            written = True
            cursor.execute("SET LOCAL lock_timeout = '30s'")
            cursor.execute(f"ALTER TABLE {_q(spec.table)} DETACH PARTITION {_q(name)}")
            cursor.execute(f"DROP TABLE {_q(name)}")
    except BaseException:
        # The month is still in the database: leave no file that says it was archived.
        for path in (tmp, out / f".{name}.json.tmp", *((data_path, manifest_path) if written else ())):
            path.unlink(missing_ok=True)
        raise
    return manifest


def archivable_months(table: str, before: dt.date) -> list[dt.date]:
    """The month partitions of ``table`` strictly before ``before``, oldest first."""
    require_postgresql()
    spec = spec_for(table)
    with default_connection.cursor() as cursor:
        return sorted(p.month for p in partitions(cursor, spec.table) if p.month and p.month < before)


def read_manifest(path: str | os.PathLike) -> tuple[dict, Path]:
    """The manifest and data file for ``path`` (either of the two files), checked against each other."""
    path = Path(path)
    manifest_path = path if path.suffix == ".json" else path.with_name(path.name.removesuffix(".csv.gz") + ".json")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DomainError("partition_archive_missing", f"找不到归档清单 {manifest_path}") from exc
    except ValueError as exc:
        raise DomainError("partition_archive_bad", f"归档清单 {manifest_path} 不是有效的 JSON") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DomainError("partition_archive_bad", f"{manifest_path} 不是 zhengwu 分区归档清单")
    data_path = manifest_path.with_name(manifest["data_file"])
    if not data_path.exists():
        raise DomainError("partition_archive_missing", f"找不到归档数据文件 {data_path}")
    sha, records = _sha256_file_data(data_path)
    if sha != manifest["data_sha256"] or records != manifest["rows"]:
        raise DomainError("partition_archive_mismatch",
                          f"归档数据 {data_path.name} 与清单不符（{records} 行，清单记 {manifest['rows']} 行；"
                          "SHA-256 " + ("一致" if sha == manifest["data_sha256"] else "不一致") + "）")
    return manifest, data_path


def restore(path: str | os.PathLike) -> dict:
    """Put an archived month back as its partition (one transaction); returns the manifest.

    The file is checked against its manifest first. Refused when the month's partition exists
    with rows; an empty partition of that month (created by ``ensure`` since) is replaced.
    """
    require_postgresql()
    manifest, data_path = read_manifest(path)
    spec = spec_for(manifest["table"])
    month = parse_month(manifest["month"])
    name = partition_name(spec.table, month)
    columns = manifest["columns"]

    def load(target: str) -> None:
        with default_connection.cursor() as cursor, gzip.open(data_path, "rb") as source:
            cols = ", ".join(_q(c) for c in columns)
            with cursor.cursor.copy(f"COPY {_q(target)} ({cols}) FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)

    with transaction.atomic(), default_connection.cursor() as cursor:
        _lock(cursor)
        if not is_partitioned(cursor, spec.table):
            raise DomainError("partition_not_converted", f"{spec.table} 还不是分区表：请先运行 zhengwu migrate")
        if any(p.name == name for p in partitions(cursor, spec.table)):
            cursor.execute(f"SELECT count(*) FROM {_q(name)}")
            if cursor.fetchone()[0]:
                raise DomainError("partition_exists",
                                  f"{spec.table} 的 {manifest['month']} 分区已有数据，不能恢复：请先确认这些数据的来源")
            cursor.execute(f"ALTER TABLE {_q(spec.table)} DETACH PARTITION {_q(name)}")
            cursor.execute(f"DROP TABLE {_q(name)}")
        _, moved = _attach_month(cursor, spec, month, load=load)
        cursor.execute(f"SELECT count(*) FROM {_q(name)}")
        if cursor.fetchone()[0] != manifest["rows"] + moved:
            raise DomainError("partition_archive_mismatch", "恢复后的行数与归档清单不符，已撤销")
        if spec.table == AUDIT_TABLE:
            _set_audit_segments(cursor, [s for s in _audit_segments(cursor) if s["month"] != manifest["month"]])
    return manifest


# --- listing ------------------------------------------------------------------------------------

def listing(tables: list[str] | None = None) -> list[tuple[Partitioned, bool, list[PartitionInfo]]]:
    """Each registered table, whether it is partitioned, and its partitions with exact row counts."""
    require_postgresql()
    specs = [spec_for(t) for t in tables] if tables else list(REGISTRY)
    found = []
    with default_connection.cursor() as cursor:
        for spec in specs:
            if not is_partitioned(cursor, spec.table):
                found.append((spec, False, []))
                continue
            parts = partitions(cursor, spec.table)
            for p in parts:
                cursor.execute(f"SELECT count(*) FROM {_q(p.name)}")
                p.rows = cursor.fetchone()[0]
            parts.sort(key=lambda p: (p.month is None, p.month or dt.date.min, p.name))
            found.append((spec, True, parts))
    return found


def human_bound(info: PartitionInfo) -> str:
    if info.is_default:
        return "其他时间（默认分区）"
    if info.month is None:
        return info.bound
    lo, hi = month_bounds(info.month)
    return f"{lo:%Y-%m-%d %H:%M} 至 {hi:%Y-%m-%d %H:%M}（北京时间）"


__all__ = [
    "REGISTRY", "EnsureResult", "Partitioned", "PartitionInfo", "archivable_months", "audit_archived_segments",
    "convert", "detach_and_archive", "ensure", "ensure_table", "listing", "month_bounds", "parse_month",
    "partition_name", "read_manifest", "restore", "spec_for", "unconvert",
]
