"""Backup and restore of the whole platform: the database and the uploaded files in one archive.

An archive is a ``.tar.gz`` holding

- ``database.sqlite3`` (SQLite, copied with SQLite's online backup API, safe while the server
  serves) or ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``);
- ``media/…``: every regular file under ``MEDIA_ROOT``;
- ``manifest.json`` (last, because it describes what was written before it): the format version,
  when and from which database vendor, the latest applied migration per app, the row count of
  every table of the Django models plus ``django_migrations``, and size and sha256 of the dump
  and of every media file.

The row counts describe exactly the state in the dump: on SQLite they are counted in the copy;
on PostgreSQL they are counted in a snapshot that ``pg_dump`` is told to read (``--snapshot``).

A restore unpacks into a staging directory and checks everything against the manifest before it
touches the target; it refuses a target that already holds data unless told to replace it, and
counts the rows again afterwards.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from zhengwu.core.errors import DomainError

FORMAT = "zhengwu-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MEDIA_PREFIX = "media/"
MIGRATIONS_TABLE = MigrationRecorder.Migration._meta.db_table
CHUNK = 1024 * 1024
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    vendor: str
    tables: dict[str, int]
    media_files: int
    media_bytes: int
    skipped: list[str]  # symlinks and special files under MEDIA_ROOT, not in the archive


@dataclasses.dataclass(frozen=True)
class RestoreResult:
    path: Path
    created_at: dt.datetime
    vendor: str
    tables: dict[str, int]
    media_files: int
    media_bytes: int
    pending_migrations: int  # migrations of this code the restored database has not applied yet


def backup_create(*, output: str | Path | None = None, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write one archive of the database ``using`` and of ``MEDIA_ROOT``; the file is only
    visible under its name once complete (and readable by its owner only: it holds personal data)."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise DomainError("backup_vendor", f"不支持备份 {vendor} 数据库，只支持 SQLite 和 PostgreSQL")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    created = timezone.now().replace(microsecond=0)
    path = _output_path(output, created, media_root)
    dump_name = DUMP_NAMES[vendor]
    with tempfile.TemporaryDirectory(prefix=".zhengwu-backup-", dir=path.parent) as tmp:
        dump = Path(tmp) / dump_name
        if vendor == "sqlite":
            db = _dump_sqlite(connection, dump)
        else:
            db = _dump_postgresql(connection, dump)
        fd, partial_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        partial = Path(partial_name)
        try:
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                    dump_entry = _add_file(tar, dump, dump_name)
                    files, skipped = _add_media(tar, media_root)
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": created.isoformat(),
                        "zhengwu_version": _zhengwu_version(),
                        "database": {"vendor": vendor, "file": dump_name, **dump_entry, **db["info"]},
                        "migrations": db["migrations"],
                        "tables": db["tables"],
                        "media": {"root": str(media_root), "files": files},
                    }
                    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(data), int(created.timestamp()), 0o600
                    tar.addfile(info, io.BytesIO(data))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(path=path, size=path.stat().st_size, vendor=vendor, tables=db["tables"],
                        media_files=len(files), media_bytes=sum(f["size"] for f in files), skipped=skipped)


def backup_restore(*, path: str | Path, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Restore an archive written by ``backup_create`` into the database ``using`` and ``MEDIA_ROOT``.

    Nothing in the target changes unless the whole archive matches its manifest, was taken from
    the same database vendor, needs no migration this code lacks, and the target holds no data
    (or ``force`` says to replace it: then the database is overwritten and ``MEDIA_ROOT`` emptied).
    """
    connection = connections[using]
    path = Path(path).resolve()
    if not path.is_file():
        raise DomainError("backup_not_found", f"备份文件不存在：{path}")
    if connection.in_atomic_block:
        raise DomainError("restore_in_transaction", "不能在数据库事务中恢复备份")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    with tempfile.TemporaryDirectory(prefix=".zhengwu-restore-", dir=_staging_parent(media_root)) as tmp:
        staging = Path(tmp)
        manifest = _unpack(path, staging)
        database = manifest["database"]
        _check_vendor(database["vendor"], connection)
        _check_migrations_known(manifest["migrations"])
        if connection.vendor == "sqlite" and not connection.is_in_memory_db():
            Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        if not force:
            _check_target_empty(connection, media_root)

        # Everything is checked: from here on the target changes.
        dump = staging / "db" / database["file"]
        if connection.vendor == "sqlite":
            _restore_sqlite(connection, dump)
        else:
            _restore_postgresql(connection, dump)
        _place_media(staging / "media", media_root, clear=force)

    tables = _verify_restored(connection, manifest)
    files = manifest["media"]["files"]
    return RestoreResult(path=path, created_at=dt.datetime.fromisoformat(manifest["created_at"]),
                         vendor=database["vendor"], tables=tables, media_files=len(files),
                         media_bytes=sum(f["size"] for f in files),
                         pending_migrations=_pending_migrations(connection))


# -- tables, counts, migrations -------------------------------------------------------------------


def _model_tables(connection) -> list[str]:
    """The tables of the installed apps' models (many-to-many tables included) and the migrations table."""
    names = set(connection.introspection.django_table_names(include_views=False))
    names.add(MIGRATIONS_TABLE)
    return sorted(names)


def _count_rows(cursor, quote, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _latest_migrations(cursor, quote) -> dict[str, str]:
    """The last migration applied in each app, in the order they were applied."""
    cursor.execute(f"SELECT app, name FROM {quote(MIGRATIONS_TABLE)} ORDER BY id")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        latest[app] = name
    return dict(sorted(latest.items()))


# -- SQLite ----------------------------------------------------------------------------------------


def _dump_sqlite(connection, dest: Path) -> dict:
    """Copy the database with the online backup API (a read transaction: writers go on in WAL mode),
    then count and check the copy itself. Works for a file and for an in-memory test database."""
    quote = connection.ops.quote_name
    connection.ensure_connection()
    target = sqlite3.connect(dest)
    # Django's SQL functions (REGEXP …), which the schema's CHECK constraints use, for quick_check
    from django.db.backends.sqlite3._functions import register as register_django_functions

    register_django_functions(target)
    try:
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        check = target.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise DomainError("backup_corrupt", f"SQLite 数据库校验失败：{check}")
        existing = {row[0] for row in target.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        cursor = target.cursor()
        tables = _count_rows(cursor, quote, [t for t in _model_tables(connection) if t in existing])
        migrations = _latest_migrations(cursor, quote) if MIGRATIONS_TABLE in existing else {}
    except sqlite3.Error as exc:
        raise DomainError("backup_failed", f"备份 SQLite 数据库失败：{exc}") from exc
    finally:
        target.close()
    return {"tables": tables, "migrations": migrations, "info": {"sqlite_version": sqlite3.sqlite_version}}


def _restore_sqlite(connection, dump: Path) -> None:
    """Copy the archived database over the target with the backup API in reverse, in one write
    transaction. This process's connection is reopened first (an in-memory database is kept:
    closing it would destroy it); other processes must be stopped."""
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise DomainError("restore_failed", f"恢复 SQLite 数据库失败：{exc}。请先停止平台服务再恢复") from exc
    finally:
        source.close()
    connection.close()


# -- PostgreSQL ------------------------------------------------------------------------------------


def _dump_postgresql(connection, dest: Path) -> dict:
    """Count rows in a read-only snapshot on a connection of our own and let pg_dump read the same
    snapshot, so the counts in the manifest are exactly the rows in the dump."""
    pg_dump = _tool("pg_dump")
    version = _run([pg_dump, "--version"], env=os.environ.copy(), what="pg_dump --version").strip()
    snap = _private_connection(connection)
    try:
        snap.ensure_connection()
        snap.set_autocommit(False)
        quote = snap.ops.quote_name
        with snap.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            existing = set(snap.introspection.table_names(cursor))
            tables = _count_rows(cursor, quote, [t for t in _model_tables(connection) if t in existing])
            migrations = _latest_migrations(cursor, quote) if MIGRATIONS_TABLE in existing else {}
            _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dest}",
                  *_pg_role_args(connection), _pg_dbname_arg(connection)],
                 env=_pg_env(connection), what="pg_dump")
        snap.rollback()
        server = snap.pg_version
    finally:
        snap.close()
    info = {"server_version": f"{server // 10000}.{server % 10000}", "pg_dump": version}
    return {"tables": tables, "migrations": migrations, "info": info}


def _restore_postgresql(connection, dump: Path) -> None:
    """pg_restore in one transaction (a failure leaves the target as it was). A database that
    already has tables is cleaned first; an empty one is restored into as it is.

    pg_restore's own ``--clean`` cannot drop a partition's inherited primary key or attached
    indexes ("cannot drop inherited constraint": the monthly history partitions, docs/partitions.md).
    When the target has partitioned tables, pg_restore writes its cleaning script and psql runs it
    after one statement that drops those tables with their partitions, all in one transaction.
    """
    pg_restore = _tool("pg_restore")
    has_tables = bool(connection.introspection.table_names())
    partitioned: list[str] = []
    if has_tables:
        with connection.cursor() as cursor:
            cursor.execute("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
                           "JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE c.relkind = 'p' AND NOT c.relispartition AND n.nspname = current_schema()")
            partitioned = [row[0] for row in cursor.fetchall()]
    connection.close()
    env = _pg_env(connection)
    if not partitioned:
        args = [pg_restore, "--no-owner", "--single-transaction", "--exit-on-error", "--no-password"]
        if has_tables:
            args += ["--clean", "--if-exists"]
        args += [*_pg_role_args(connection), _pg_dbname_arg(connection), str(dump)]
        _run(args, env=env, what="pg_restore")
        return
    with tempfile.TemporaryDirectory(prefix="zhengwu-restore-") as tmp:
        script = Path(tmp) / "restore.sql"
        _run([pg_restore, "--no-owner", "--clean", "--if-exists", f"--file={script}", str(dump)], env=env,
             what="pg_restore")
        role = (connection.settings_dict.get("OPTIONS") or {}).get("assign_role")
        args = [_tool("psql"), "--no-psqlrc", "--quiet", "--no-password", "-v", "ON_ERROR_STOP=1",
                "--single-transaction"]
        if role:
            args += ["-c", f'SET ROLE "{role}"']
        args += ["-c", "DROP TABLE IF EXISTS " + ", ".join(partitioned) + " CASCADE", "-f", str(script),
                 _pg_dbname_arg(connection)]
        _run(args, env=env, what="psql")


def _private_connection(connection):
    """A second connection to the same database (never from a pool) for the snapshot."""
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["OPTIONS"] = {k: v for k, v in (settings_dict.get("OPTIONS") or {}).items() if k != "pool"}
    settings_dict["CONN_MAX_AGE"] = 0
    return type(connection)(settings_dict, alias=f"{connection.alias}-backup")


def _pg_env(connection) -> dict[str, str]:
    """Connection parameters for libpq's tools from Django's settings (the database NAME in use,
    i.e. ``test_…`` under the test runner). The password goes in the environment, never in argv."""
    sd = connection.settings_dict
    options = sd.get("OPTIONS") or {}
    env = os.environ.copy()
    env.pop("PGDATABASE", None)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if sd.get(key):
            env[var] = str(sd[key])
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                     ("sslkey", "PGSSLKEY"), ("passfile", "PGPASSFILE"), ("service", "PGSERVICE")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _pg_dbname_arg(connection) -> str:
    from psycopg.conninfo import make_conninfo

    sd = connection.settings_dict
    options = sd.get("OPTIONS") or {}
    if sd.get("NAME"):
        return "--dbname=" + make_conninfo(dbname=sd["NAME"])
    if options.get("service"):
        return "--dbname=" + make_conninfo(service=options["service"])
    raise DomainError("backup_config", "数据库配置中没有数据库名（DATABASE_URL）")


def _pg_role_args(connection) -> list[str]:
    role = (connection.settings_dict.get("OPTIONS") or {}).get("assign_role")
    return [f"--role={role}"] if role else []


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise DomainError("backup_tool_missing",
                          f"未找到 {name}：请安装与数据库服务器主版本相同的 PostgreSQL 客户端"
                          f"（Debian/Ubuntu：apt install postgresql-client）")
    return path


def _run(args: list[str], *, env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise DomainError("backup_tool_failed", f"无法运行 {what}：{exc}") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-2000:]
        raise DomainError("backup_tool_failed", f"{what} 运行失败（退出码 {done.returncode}）：{detail}")
    return done.stdout


# -- the archive -----------------------------------------------------------------------------------


class _HashingReader:
    """Hands tarfile the bytes of a file and hashes exactly what was archived."""

    def __init__(self, fh):
        self.fh = fh
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, source: Path, arcname: str) -> dict:
    with source.open("rb") as fh:
        st = os.fstat(fh.fileno())
        info = tarfile.TarInfo(arcname)
        info.size, info.mtime, info.mode = st.st_size, int(st.st_mtime), 0o600
        reader = _HashingReader(fh)
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.sha256.hexdigest()}


def _add_media(tar: tarfile.TarFile, root: Path) -> tuple[list[dict], list[str]]:
    files: list[dict] = []
    skipped: list[str] = []
    if not root.is_dir():
        return files, skipped
    for dirpath, dirnames, filenames in os.walk(root):  # symlinked directories are not entered
        here = Path(dirpath)
        for name in sorted(dirnames):
            if (here / name).is_symlink():
                skipped.append((here / name).relative_to(root).as_posix())
        dirnames.sort()
        for name in sorted(filenames):
            full = here / name
            rel = full.relative_to(root).as_posix()
            if full.is_symlink() or not full.is_file() or not _utf8(rel):
                skipped.append(rel)
                continue
            try:
                entry = _add_file(tar, full, MEDIA_PREFIX + rel)
            except OSError as exc:
                raise DomainError("backup_failed",
                                  f"读取媒体文件 {rel} 失败：{exc}（文件可能正在被修改，请重试）") from exc
            files.append({"path": rel, **entry})
    return files, skipped


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not valid UTF-8 (kept as surrogates by os)
        return False
    return True


def _output_path(output, created: dt.datetime, media_root: Path) -> Path:
    name = f"zhengwu-{created.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    if output is None:
        folder = Path(getattr(settings, "VAR_DIR", Path.cwd() / "var")) / "backups"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / name
    else:
        path = Path(output).expanduser()
        if path.is_dir():
            path = path / name
    path = path.resolve()
    if path.is_relative_to(media_root):
        raise DomainError("backup_output", f"备份文件不能放在媒体目录（{media_root}）中")
    if path.exists():
        raise DomainError("backup_output", f"文件已存在：{path}，请换一个文件名")
    if not path.parent.is_dir():
        raise DomainError("backup_output", f"目录不存在：{path.parent}")
    return path


def _zhengwu_version() -> str:
    try:
        return metadata.version("zhengwu")
    except metadata.PackageNotFoundError:
        return "unknown"


# -- restore: unpack and check ---------------------------------------------------------------------


def _staging_parent(media_root: Path) -> Path | None:
    """Stage beside MEDIA_ROOT (same file system: files are moved, not copied) when possible."""
    parent = media_root.parent
    return parent if parent.is_dir() and os.access(parent, os.W_OK) else None


def _safe_media_path(rel: str) -> bool:
    parts = rel.split("/")
    return (bool(rel) and "\\" not in rel and "\0" not in rel and not PurePosixPath(rel).is_absolute()
            and all(p not in ("", ".", "..") for p in parts))


def _unpack(path: Path, staging: Path) -> dict:
    """Extract the dump and the media files into ``staging``, hashing as they come, and check
    them against the manifest. Member names are checked and never used as paths as they are."""
    found: dict[str, dict] = {}
    raw_manifest = None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                name = member.name
                if name in found or (name == MANIFEST and raw_manifest is not None):
                    raise _tampered(f"备份文件中 {name} 出现了两次")
                if not member.isreg():
                    raise _tampered(f"备份文件中有不应出现的条目：{name}")
                if name == MANIFEST:
                    if member.size > MAX_MANIFEST_BYTES:
                        raise _tampered("备份清单（manifest.json）过大")
                    raw_manifest = tar.extractfile(member).read()
                    continue
                if name in DUMP_NAMES.values():
                    target = staging / "db" / name
                elif name.startswith(MEDIA_PREFIX) and _safe_media_path(name[len(MEDIA_PREFIX):]):
                    target = staging / "media" / name[len(MEDIA_PREFIX):]
                else:
                    raise _tampered(f"备份文件中有清单之外的条目：{name}")
                target.parent.mkdir(parents=True, exist_ok=True)
                sha256 = hashlib.sha256()
                size = 0
                with tar.extractfile(member) as src, open(target, "xb") as dst:
                    while chunk := src.read(CHUNK):
                        sha256.update(chunk)
                        size += len(chunk)
                        dst.write(chunk)
                found[name] = {"size": size, "sha256": sha256.hexdigest()}
    except DomainError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise DomainError("backup_unreadable", f"无法读取备份文件 {path}：{exc}") from exc

    manifest = _parse_manifest(raw_manifest)
    expected = {manifest["database"]["file"]: manifest["database"]}
    expected.update({MEDIA_PREFIX + f["path"]: f for f in manifest["media"]["files"]})
    if manifest["database"]["file"] not in found:
        raise _tampered("备份中没有数据库转储文件（" + manifest["database"]["file"] + "）")
    missing = sorted(set(expected) - set(found))
    if missing:
        raise _tampered("备份不完整，缺少文件：" + _names(missing))
    extra = sorted(set(found) - set(expected))
    if extra:
        raise _tampered("备份中有清单之外的文件：" + _names(extra))
    changed = [n for n in sorted(expected)
               if (found[n]["size"], found[n]["sha256"]) != (expected[n]["size"], expected[n]["sha256"])]
    if changed:
        raise _tampered("文件内容与备份清单不符（校验值不一致）：" + _names(changed))
    return manifest


def _parse_manifest(raw: bytes | None) -> dict:
    if raw is None:
        raise DomainError("backup_format", "备份文件中没有 manifest.json：不是 zhengwu 的备份，或者已经损坏")
    try:
        manifest = json.loads(raw)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise DomainError("backup_format", "这不是 zhengwu 的备份文件")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise DomainError("backup_format", f"备份格式版本 {manifest.get('format_version')} 不受支持"
                                               f"（当前版本能恢复的格式版本为 {FORMAT_VERSION}）")
        database, media = manifest["database"], manifest["media"]
        dt.datetime.fromisoformat(manifest["created_at"])
        ok = (database["vendor"] in DUMP_NAMES and database["file"] in DUMP_NAMES.values()
              and _is_entry(database)
              and all(isinstance(k, str) and type(v) is int for k, v in manifest["tables"].items())
              and all(isinstance(k, str) and isinstance(v, str) for k, v in manifest["migrations"].items())
              and all(_is_entry(f) and isinstance(f["path"], str) and _safe_media_path(f["path"])
                      for f in media["files"]))
    except DomainError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise DomainError("backup_format", "备份清单（manifest.json）格式不正确")
    return manifest


def _is_entry(entry) -> bool:
    return isinstance(entry, dict) and type(entry.get("size")) is int and isinstance(entry.get("sha256"), str)


def _tampered(message: str) -> DomainError:
    return DomainError("backup_tampered", f"备份校验失败，未做任何更改。{message}")


def _names(names: list[str], limit: int = 5) -> str:
    shown = "、".join(names[:limit])
    return shown + (f" 等 {len(names)} 个" if len(names) > limit else "")


def _check_vendor(vendor: str, connection) -> None:
    if vendor != connection.vendor:
        archive = VENDOR_LABELS.get(vendor, vendor)
        target = VENDOR_LABELS.get(connection.vendor, connection.vendor)
        raise DomainError("backup_vendor_mismatch",
                          f"这是 {archive} 数据库的备份，而当前配置的数据库是 {target}：备份只能恢复到同一种数据库"
                          f"（{archive} 的备份请恢复到 {archive}，可用 DATABASE_URL 指定），未做任何更改")


def _check_migrations_known(migrations: dict[str, str]) -> None:
    """A dump from a newer zhengwu has a schema this code does not know: refuse it."""
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [f"{app}.{name}" for app, name in migrations.items() if (app, name) not in known]
    if unknown:
        raise DomainError("backup_newer_schema",
                          "备份中的数据库迁移在当前版本中不存在：" + _names(unknown)
                          + "。备份来自更新的 zhengwu 版本，请先升级到该版本再恢复，未做任何更改")


def _check_target_empty(connection, media_root: Path) -> None:
    """Empty means: no row in any table of the models (a database that ``migrate`` has run on holds
    the default roles, policies, groups and content types it writes, so it is not) and no file
    under MEDIA_ROOT. The restore is meant for a new database; replacing one takes ``--force``."""
    tables = [t for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
              if t != MIGRATIONS_TABLE]
    with connection.cursor() as cursor:
        counts = _count_rows(cursor, connection.ops.quote_name, sorted(tables))
    filled = {t: n for t, n in counts.items() if n}
    files = sum(1 for p in media_root.rglob("*") if not p.is_dir()) if media_root.is_dir() else 0
    problems = []
    if filled:
        problems.append(f"目标数据库已有数据（{len(filled)} 张表共 {sum(filled.values()):,} 行："
                        + _names([f"{t} {n:,} 行" for t, n in filled.items()], limit=3) + "）")
    if files:
        problems.append(f"媒体目录 {media_root} 中已有 {files} 个文件")
    if problems:
        raise DomainError("restore_target_not_empty",
                          "；".join(problems) + "。未做任何更改。确认要用备份替换现有的全部数据和文件，请加 --force")


def _place_media(staged: Path, media_root: Path, *, clear: bool) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    if clear:
        for child in media_root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    if not staged.is_dir():
        return
    for source in sorted(staged.rglob("*")):
        if source.is_file():
            target = media_root / source.relative_to(staged)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)


def _verify_restored(connection, manifest: dict) -> dict[str, int]:
    """Count again what was restored; any difference from the manifest names its table."""
    expected: dict[str, int] = manifest["tables"]
    connection.ensure_connection()
    existing = set(connection.introspection.table_names())
    absent = sorted(t for t in expected if t not in existing)
    if absent:
        raise DomainError("restore_count_mismatch", "恢复后缺少数据表：" + _names(absent))
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = _count_rows(cursor, quote, sorted(expected))
        migrations = _latest_migrations(cursor, quote) if MIGRATIONS_TABLE in existing else {}
    for table, count in counts.items():
        if count != expected[table]:
            raise DomainError("restore_count_mismatch",
                              f"恢复后表 {table} 有 {count} 行，备份清单记录为 {expected[table]} 行")
    if migrations != manifest["migrations"]:
        raise DomainError("restore_count_mismatch", "恢复后的数据库迁移状态与备份清单不一致")
    return counts


def _pending_migrations(connection) -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
