"""``zhengwu backup`` / ``zhengwu restore`` on whichever database the suite runs on (SQLite, then
PostgreSQL in CI): a round trip gives back the same rows and files; a target that holds data, a
tampered archive and another vendor's archive are refused and nothing changes."""

import hashlib
import io
import json
import re
import shutil
import tarfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from zhengwu.org.models import Department, Hall, Region, Role, Staff
from zhengwu.org.tests import factories as f

# Restore replaces the database as a whole: it must run outside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)

MODELS = [Region, Department, Hall, Role, Staff, Staff.roles.through, get_user_model()]
ID_COPY = b"%PDF-1.7\n\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81 copy\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def data(media):
    """Rows in two apps (org, accounts) and two uploaded files, one through a model's file field."""
    county = f.county()
    f.town(county)
    department = f.department(county)
    hall = f.hall(county)
    officer = f.staff("1001", Role.WINDOW_OFFICER, Role.CHIEF_REP, department=department, hall=hall, name="王芳")
    officer.photo.save("photo.png", f.photo("photo.png"))
    default_storage.save("cases/2026/03/身份证复印件.pdf", ContentFile(ID_COPY))
    return officer


def rows() -> dict[str, list[tuple]]:
    return {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in MODELS}


def files(root) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def backup(path) -> str:
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out)
    return out.getvalue()


def restore(path, **opts) -> str:
    out = io.StringIO()
    call_command("restore", str(path), stdout=out, **opts)
    return out.getvalue()


def flush() -> None:
    """Empty every table, without the rows Django's post_migrate handlers would write back."""
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)


def wipe(media) -> None:
    flush()
    shutil.rmtree(media, ignore_errors=True)


def read_manifest(path) -> dict:
    with tarfile.open(path, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


def rewrite(src, dst, change) -> None:
    """Copy an archive member by member; ``change(name, data)`` returns new bytes or None to drop it."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for member in tin:
            data = change(member.name, tin.extractfile(member).read())
            if data is not None:
                info = tarfile.TarInfo(member.name)
                info.size = len(data)
                tout.addfile(info, io.BytesIO(data))


def test_a_round_trip_restores_the_same_rows_and_files(data, media, tmp_path):
    before_rows, before_files = rows(), files(media)
    photo = data.photo.name
    assert sorted(before_files) == ["cases/2026/03/身份证复印件.pdf", photo]

    out = backup(tmp_path / "b.tar.gz")

    assert f"备份完成：{tmp_path / 'b.tar.gz'}" in out
    assert "媒体文件：2 个" in out
    manifest = read_manifest(tmp_path / "b.tar.gz")
    assert (manifest["format_version"], manifest["database"]["vendor"]) == (1, connection.vendor)
    assert {t: manifest["tables"][t] for t in ("org_region", "org_department", "org_hall", "org_staff",
                                               "org_staff_roles", "accounts_user")} == {
        "org_region": 2, "org_department": 1, "org_hall": 1, "org_staff": 1, "org_staff_roles": 2,
        "accounts_user": 1}
    assert manifest["tables"]["django_migrations"] > 0
    assert manifest["migrations"]["org"].startswith("00")
    assert manifest["media"]["files"] == [
        {"path": p, "size": len(before_files[p]), "sha256": hashlib.sha256(before_files[p]).hexdigest()}
        for p in sorted(before_files)]

    wipe(media)
    assert Region.objects.count() == 0 and files(media) == {}

    out = restore(tmp_path / "b.tar.gz")

    assert rows() == before_rows
    assert files(media) == before_files
    assert "恢复完成" in out and "与备份清单一致" in out and "媒体文件：2 个" in out
    assert Staff.objects.get().photo.name == photo


def test_restore_refuses_a_target_with_data_and_changes_nothing_unless_forced(data, media, tmp_path):
    backup(tmp_path / "b.tar.gz")
    backed_up_rows, backed_up_files = rows(), files(media)
    f.department(Region.objects.get(level="county"), code="D002", name="示范县人力资源和社会保障局")
    (media / "cases" / "later.pdf").write_bytes(b"%PDF-later")
    before = rows(), files(media), sorted(tmp_path.iterdir())

    with pytest.raises(CommandError) as refused:
        restore(tmp_path / "b.tar.gz")

    assert re.match(r"目标数据库已有数据（\d+ 张表共 [\d,]+ 行：accounts_user 1 行、", str(refused.value))
    assert str(refused.value).endswith(f"；媒体目录 {media} 中已有 3 个文件。未做任何更改。"
                                       "确认要用备份替换现有的全部数据和文件，请加 --force")
    assert (rows(), files(media), sorted(tmp_path.iterdir())) == before

    restore(tmp_path / "b.tar.gz", force=True)

    assert rows() == backed_up_rows
    assert files(media) == backed_up_files  # the file written after the backup is gone too


def test_restore_refuses_media_files_in_an_empty_database(data, media, tmp_path):
    backup(tmp_path / "b.tar.gz")
    flush()
    before = rows(), files(media)

    with pytest.raises(CommandError, match=r"^媒体目录 .* 中已有 2 个文件。未做任何更改"):
        restore(tmp_path / "b.tar.gz")

    assert (rows(), files(media)) == before


def test_a_tampered_archive_is_refused_before_anything_is_written(data, media, tmp_path):
    backup(tmp_path / "b.tar.gz")
    rewrite(tmp_path / "b.tar.gz", tmp_path / "tampered.tar.gz",
            lambda name, data: data.replace(b"copy", b"fake") if name.startswith("media/cases/") else data)
    wipe(media)  # an empty target: only the check can stop the restore
    before = rows(), sorted(tmp_path.iterdir())

    with pytest.raises(CommandError) as refused:
        restore(tmp_path / "tampered.tar.gz", force=True)

    assert str(refused.value) == ("备份校验失败，未做任何更改。文件内容与备份清单不符（校验值不一致）："
                                  "media/cases/2026/03/身份证复印件.pdf")
    assert (rows(), sorted(tmp_path.iterdir())) == before
    assert not media.exists()


def test_an_archive_without_its_database_dump_is_refused(data, media, tmp_path):
    backup(tmp_path / "b.tar.gz")
    rewrite(tmp_path / "b.tar.gz", tmp_path / "nodump.tar.gz",
            lambda name, data: None if name.startswith("database.") else data)
    wipe(media)

    with pytest.raises(CommandError, match="备份中没有数据库转储文件"):
        restore(tmp_path / "nodump.tar.gz")

    assert Region.objects.count() == 0 and not media.exists()


@pytest.mark.parametrize("name", ["media/../escape.txt", "/tmp/escape.txt", "media//escape.txt", "other.txt"])
def test_a_member_outside_the_archive_layout_is_refused_and_never_written(data, media, tmp_path, name):
    backup(tmp_path / "b.tar.gz")
    with tarfile.open(tmp_path / "b.tar.gz", "r:gz") as tin, tarfile.open(tmp_path / "odd.tar.gz", "w:gz") as tout:
        odd = tarfile.TarInfo(name)
        odd.size = 4
        tout.addfile(odd, io.BytesIO(b"evil"))
        for member in tin:
            tout.addfile(member, tin.extractfile(member))
    wipe(media)

    with pytest.raises(CommandError, match=f"^备份校验失败，未做任何更改。备份文件中有清单之外的条目：{re.escape(name)}$"):
        restore(tmp_path / "odd.tar.gz")

    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "other.txt").exists()
    assert Region.objects.count() == 0 and not media.exists()


def test_an_archive_of_another_database_vendor_is_refused(data, media, tmp_path):
    backup(tmp_path / "b.tar.gz")
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[connection.vendor]

    def relabel(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["database"]["vendor"] = other
        return json.dumps(manifest).encode()

    rewrite(tmp_path / "b.tar.gz", tmp_path / "other.tar.gz", relabel)
    wipe(media)
    labels = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

    with pytest.raises(CommandError) as refused:
        restore(tmp_path / "other.tar.gz")

    assert str(refused.value).startswith(f"这是 {labels[other]} 数据库的备份，而当前配置的数据库是 "
                                         f"{labels[connection.vendor]}：备份只能恢复到同一种数据库")
    assert Region.objects.count() == 0 and not media.exists()


def test_backup_never_overwrites_an_existing_file(data, media, tmp_path):
    (tmp_path / "b.tar.gz").write_bytes(b"older backup")

    with pytest.raises(CommandError, match="文件已存在"):
        backup(tmp_path / "b.tar.gz")

    assert (tmp_path / "b.tar.gz").read_bytes() == b"older backup"


def test_pg_tools_get_the_password_in_the_environment_and_the_database_in_use(monkeypatch):
    from types import SimpleNamespace

    from zhengwu.core import backup as b

    monkeypatch.setenv("PGDATABASE", "zhengwu")
    pg = SimpleNamespace(settings_dict={"NAME": "test_zhengwu", "USER": "zw", "PASSWORD": "s3cret p'w",
                                        "HOST": "db.internal", "PORT": 5433,
                                        "OPTIONS": {"sslmode": "require", "pool": {"max_size": 4}}})

    env, dbname = b._pg_env(pg), b._pg_dbname_arg(pg)

    assert dbname == "--dbname=dbname=test_zhengwu"
    assert "s3cret" not in dbname
    assert {k: env.get(k) for k in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGSSLMODE", "PGDATABASE")} == {
        "PGHOST": "db.internal", "PGPORT": "5433", "PGUSER": "zw", "PGPASSWORD": "s3cret p'w",
        "PGSSLMODE": "require", "PGDATABASE": None}
