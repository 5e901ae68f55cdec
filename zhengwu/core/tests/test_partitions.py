"""Monthly partitions of the history tables (PostgreSQL): ensure, the default partition, archive and
restore, and the audit chain across archived months. On SQLite the command refuses in Chinese."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from zhengwu.core import partitions as pt
from zhengwu.core.errors import DomainError
from zhengwu.core.models import AuditEvent
from zhengwu.core.services import audit_chain_verify, audit_record
from zhengwu.org.tests import factories as f

pytestmark = pytest.mark.django_db

on_pg = pytest.mark.skipif(connection.vendor != "postgresql",
                           reason="partitions exist only on PostgreSQL; SQLite keeps plain tables")

AUDIT = "core_auditevent"


def _this_month() -> dt.date:
    return pt.month_of(timezone.now())


def _at(month: dt.date, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, hour, tzinfo=pt._tz())


def _names(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [p.name for p in pt.partitions(cursor, table)]


def _home(table: str, pk: int) -> str:
    """The partition a row is stored in."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _chained(times: list[dt.datetime], actor=None) -> list[AuditEvent]:
    """Audit rows at the given times, chained after the last row exactly as the writer chains them."""
    prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
    rows = []
    for i, at in enumerate(times):
        event = AuditEvent(at=at, actor=actor, actor_name="王晓丽" if actor else "", actor_no="0107" if actor else "",
                           action="view", object_type="cases.case", object_id=str(100 + i),
                           summary=f'查看办件 {i}, "引号", 反斜杠\\ 与\n换行', ip="2001:db8::7" if i % 2 else None,
                           prev_hash=prev)
        event.hash = prev = event.content_hash()
        event.save(force_insert=True)
        rows.append(event)
    return rows


def _all_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        return cursor.fetchall()


def _verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@on_pg
def test_the_migrated_tables_are_partitioned_with_a_default_and_the_coming_months():
    this = _this_month()
    for spec in pt.REGISTRY:
        names = _names(spec.table)
        assert f"{spec.table}_default" in names
        assert pt.partition_name(spec.table, this) in names
        assert pt.partition_name(spec.table, pt.add_months(this, 3)) in names
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'core_auditevent_pkey'")
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, at)"


@on_pg
@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_a_plain_table_with_rows_and_back():
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes() if target is None else [target])

    migrate(("core", "0005_idempotencyrecord"))  # back: a plain table again
    with connection.cursor() as cursor:
        assert not pt.is_partitioned(cursor, AUDIT)
    this = _this_month()
    rows = _chained([_at(pt.add_months(this, -14), 3), _at(pt.add_months(this, -2), 9), _at(this, 1, 0)])
    before = _all_rows(AUDIT)

    migrate(None)

    assert _all_rows(AUDIT) == before
    assert [_home(AUDIT, r.id) for r in rows] == [pt.partition_name(AUDIT, pt.add_months(this, -14)),
                                                  pt.partition_name(AUDIT, pt.add_months(this, -2)),
                                                  pt.partition_name(AUDIT, this)]
    assert len([n for n in _names(AUDIT) if n != f"{AUDIT}_default"]) == 14 + 3 + 1  # no month missing
    assert audit_record(actor=None, action="view", object_type="x").id == rows[-1].id + 1  # the sequence goes on
    assert audit_chain_verify().intact == 4


@on_pg
def test_ensure_twice_gives_the_same_partitions():
    first = pt.ensure(ahead=5)
    names = {spec.table: _names(spec.table) for spec in pt.REGISTRY}
    this = _this_month()
    assert {r.table: r.created for r in first}[AUDIT] == [pt.partition_name(AUDIT, pt.add_months(this, 4)),
                                                         pt.partition_name(AUDIT, pt.add_months(this, 5))]
    again = pt.ensure(ahead=5)
    assert [r.created for r in again] == [[], [], [], []]
    assert {spec.table: _names(spec.table) for spec in pt.REGISTRY} == names
    out = io.StringIO()
    call_command("partitions", "ensure", "--ahead", "5", stdout=out)
    assert out.getvalue().count("分区齐全，无需新建") == 4


@on_pg
def test_a_row_dated_next_month_lands_in_its_partition_and_a_later_one_in_the_default():
    this = _this_month()
    nxt, far = pt.add_months(this, 1), pt.add_months(this, 8)
    soon = AuditEvent.objects.create(at=_at(nxt, 15), action="view", object_type="x")
    later = AuditEvent.objects.create(at=_at(far, 15), action="view", object_type="x")
    assert _home(AUDIT, soon.id) == pt.partition_name(AUDIT, nxt)
    assert _home(AUDIT, later.id) == f"{AUDIT}_default"


@on_pg
def test_rows_in_the_default_partition_move_when_their_month_gets_a_partition():
    far = pt.add_months(_this_month(), 8)
    rows = _chained([_at(far, 1, 0), _at(far, 28, 23)])  # Beijing midnight on the 1st belongs to the month
    outside = AuditEvent.objects.create(at=_at(pt.add_months(far, 1), 1, 0), action="view", object_type="x")
    before = _all_rows(AUDIT)

    result = pt.ensure_table(pt.spec_for(AUDIT), ahead=8)

    name = pt.partition_name(AUDIT, far)
    assert result.moved == {name: 2}
    assert [_home(AUDIT, r.id) for r in rows] == [name, name]
    assert _home(AUDIT, outside.id) == f"{AUDIT}_default"  # month 9 ahead: not created, stays
    assert _all_rows(AUDIT) == before  # moved, not changed
    with connection.cursor() as cursor:  # the per-partition fork guard exists on the new partition
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [f"{name}_one_successor"])
        assert "UNIQUE" in cursor.fetchone()[0]


@on_pg
def test_archive_then_restore_gives_back_identical_rows_and_the_manifest_checks(tmp_path):
    officer = f.staff("0107", hall=f.hall(f.county()), name="王晓丽")
    old = pt.add_months(_this_month(), -6)
    _chained([_at(old, 2), _at(old, 17), _at(old, 30, 23)], actor=officer.user)
    pt.ensure_table(pt.spec_for(AUDIT))
    name = pt.partition_name(AUDIT, old)
    before = _all_rows(AUDIT)
    assert len(before) == 3

    out = io.StringIO()
    call_command("partitions", "archive", "--before", f"{pt.add_months(old, 1):%Y-%m}", "--to", str(tmp_path),
                 "--table", AUDIT, stdout=out)

    assert name not in _names(AUDIT)
    assert _all_rows(AUDIT) == []
    manifest = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
    assert (manifest["rows"], manifest["month"], manifest["table"]) == (3, f"{old:%Y-%m}", AUDIT)
    assert manifest["audit_chain"]["last_hash"] == before[-1][-1]
    assert pt.read_manifest(tmp_path / f"{name}.csv.gz")[0] == manifest  # the data matches its SHA-256
    assert f"{old:%Y-%m}：3 行已写入" in out.getvalue()

    call_command("partitions", "restore", str(tmp_path / f"{name}.json"), stdout=io.StringIO())

    assert name in _names(AUDIT)
    assert _all_rows(AUDIT) == before
    assert pt.audit_archived_segments() == []  # restored: no longer a gap in the chain
    with pytest.raises(DomainError, match="分区已有数据"):  # a second restore is refused
        pt.restore(tmp_path / f"{name}.json")
    assert _all_rows(AUDIT) == before


@on_pg
def test_a_changed_archive_file_is_refused_and_nothing_changes(tmp_path):
    old = pt.add_months(_this_month(), -6)
    _chained([_at(old, 2), _at(old, 3)])
    pt.ensure_table(pt.spec_for(AUDIT))
    manifest = pt.detach_and_archive(AUDIT, old, tmp_path)
    data = tmp_path / manifest["data_file"]
    text = gzip.decompress(data.read_bytes()).decode("utf-8").replace("查看办件 1", "查看办件 9")
    data.write_bytes(gzip.compress(text.encode("utf-8")))

    with pytest.raises(DomainError, match="与清单不符"):
        pt.restore(data)
    assert pt.partition_name(AUDIT, old) not in _names(AUDIT)
    assert AuditEvent.objects.count() == 0


@on_pg
def test_the_current_month_cannot_be_archived(tmp_path):
    AuditEvent.objects.create(at=timezone.now(), action="view", object_type="x")
    with pytest.raises(DomainError, match="还没有结束"):
        pt.detach_and_archive(AUDIT, _this_month(), tmp_path)
    assert pt.partition_name(AUDIT, _this_month()) in _names(AUDIT)
    assert AuditEvent.objects.count() == 1
    assert list(tmp_path.iterdir()) == []


@on_pg
def test_audit_verify_passes_after_the_oldest_month_is_archived_and_catches_a_change_in_the_rest(tmp_path):
    this = _this_month()
    oldest, older = pt.add_months(this, -3), pt.add_months(this, -2)
    archived = _chained([_at(oldest, 5), _at(oldest, 6)])
    remaining = _chained([_at(older, 5), _at(older, 6)])
    latest = audit_record(actor=None, action="view", object_type="cases.case", object_id="1", summary="现在")
    pt.ensure_table(pt.spec_for(AUDIT))
    assert _verify()[0] == 0

    call_command("partitions", "archive", "--before", f"{older:%Y-%m}", "--to", str(tmp_path),
                 "--table", AUDIT, stdout=io.StringIO())

    code, out, _ = _verify()
    assert code == 0
    assert f"已归档的 {oldest:%Y-%m}（2 行，#{archived[0].id}–#{archived[1].id}）" in out
    assert f"审计日志哈希链完整：共 3 行。最后一行 #{latest.id}" in out
    check = audit_chain_verify()
    assert [s["month"] for s in check.archived] == [f"{oldest:%Y-%m}"]

    AuditEvent.objects.filter(id=remaining[1].id).update(summary="改过")
    code, _, err = _verify()
    assert code == 1
    assert f"审计日志哈希链在 #{remaining[1].id} 行断开" in err


@on_pg
def test_audit_verify_catches_a_deleted_first_row_after_the_archived_boundary(tmp_path):
    this = _this_month()
    oldest, older = pt.add_months(this, -3), pt.add_months(this, -2)
    _chained([_at(oldest, 5)])
    remaining = _chained([_at(older, 5), _at(older, 6)])
    pt.ensure_table(pt.spec_for(AUDIT))
    pt.detach_and_archive(AUDIT, oldest, tmp_path)
    AuditEvent.objects.filter(id=remaining[0].id).delete()

    code, _, err = _verify()

    assert code == 1
    assert f"审计日志哈希链在 #{remaining[1].id} 行断开" in err


@on_pg
def test_the_audit_writer_still_chains_on_the_partitioned_table():
    first = audit_record(actor=None, action="view", object_type="x", object_id="1")
    second = audit_record(actor=None, action="view", object_type="x", object_id="2")
    assert second.prev_hash == first.hash
    assert second.id == first.id + 1  # the identity goes on
    assert audit_chain_verify().intact == 2


@on_pg
def test_list_shows_each_partition_with_its_rows():
    AuditEvent.objects.create(at=timezone.now(), action="view", object_type="x")
    out = io.StringIO()
    call_command("partitions", "list", "--table", AUDIT, stdout=out)
    assert f"{pt.partition_name(AUDIT, _this_month())}" in out.getvalue()
    assert "共 1 行" in out.getvalue()
    assert "其他时间（默认分区）" in out.getvalue()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is SQLite's")
def test_on_sqlite_the_command_refuses_in_chinese_and_the_job_does_nothing():
    for args in (["list"], ["ensure"], ["archive", "--before", "2026-01", "--to", "/tmp/x"], ["restore", "x.json"]):
        with pytest.raises(CommandError, match="仅 PostgreSQL 支持分区"):
            call_command("partitions", *args, stdout=io.StringIO())
    out = io.StringIO()
    call_command("partitions", "ensure", "--if-supported", stdout=out)
    assert out.getvalue() == ""


def test_a_month_must_be_written_yyyy_mm():
    assert pt.parse_month("2026-03") == dt.date(2026, 3, 1)
    with pytest.raises(DomainError, match="YYYY-MM"):
        pt.parse_month("2026-13")
