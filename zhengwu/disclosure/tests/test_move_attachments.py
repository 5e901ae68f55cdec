"""``zhengwu disclosure_move_attachments``: files uploaded before the token directories are moved into them."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command

from zhengwu.core import clock
from zhengwu.core.models import AuditEvent
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import PublicationAttachment

from .factories import build_world
from .test_attachments import PDF, body_of, publish

pytestmark = pytest.mark.django_db
D = dt.date
OLD = "gk/attachments/2026/05/抽检计划.pdf"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def old_world(media):
    """A published notice with one file at its old, guessable path, one already in a token directory,
    and a row whose file is gone from storage."""
    w = build_world()
    with clock.frozen(D(2026, 5, 6)):
        w.pub = s.publication_create(body=w.scj, officer=w.officer, title="抽检计划", category="plan",
                                     content="见附件", made_on=D(2026, 5, 6))
    publish(w, w.pub)
    (media / "gk/attachments/2026/05").mkdir(parents=True)
    (media / OLD).write_bytes(PDF)
    w.old = PublicationAttachment.objects.create(publication=w.pub, name="抽检计划.pdf", file=OLD, size=len(PDF))
    w.lost = PublicationAttachment.objects.create(publication=w.pub, name="遗失.pdf",
                                                  file="gk/attachments/2025/12/遗失.pdf", size=10)
    token = "gk/attachments/0123456789abcdef0123456789abcdef/已在随机目录.pdf"
    (media / token).parent.mkdir(parents=True)
    (media / token).write_bytes(PDF)
    w.new = PublicationAttachment.objects.create(publication=w.pub, name="已在随机目录.pdf", file=token, size=len(PDF))
    return w


def run(*args) -> str:
    out = StringIO()
    call_command("disclosure_move_attachments", *args, stdout=out)
    return out.getvalue()


def paths() -> dict[int, str]:
    return dict(PublicationAttachment.objects.values_list("id", "file"))


def test_dry_run_lists_what_would_move_and_changes_nothing(old_world, media):
    w = old_world
    before = paths()
    out = run("--dry-run")
    assert out.splitlines() == [
        f"附件 {w.old.pk}：{OLD} 待移动",
        f"附件 {w.lost.pk}：gk/attachments/2025/12/遗失.pdf：文件不存在，未移动",
        "试运行：待移动 1 个，无法移动 1 个，未做任何改动"]
    assert paths() == before
    assert (media / OLD).read_bytes() == PDF
    assert AuditEvent.objects.filter(object_type="disclosure.publicationattachment").count() == 0


def test_the_old_file_moves_into_a_token_directory_and_still_downloads(old_world, media, client):
    w = old_world
    out = run()
    moved = PublicationAttachment.objects.get(pk=w.old.pk)
    assert re.fullmatch(r"gk/attachments/[0-9a-f]{32}/抽检计划\.pdf", moved.file.name)
    assert out.splitlines() == [
        f"附件 {w.old.pk}：{OLD} → {moved.file.name}",
        f"附件 {w.lost.pk}：gk/attachments/2025/12/遗失.pdf：文件不存在，未移动",
        "已移动 1 个，无法移动 1 个"]
    assert (media / moved.file.name).read_bytes() == PDF
    assert not (media / OLD).exists()
    # The other rows are as they were.
    assert (PublicationAttachment.objects.get(pk=w.new.pk).file.name,
            PublicationAttachment.objects.get(pk=w.lost.pk).file.name) == (w.new.file.name, w.lost.file.name)
    audit = AuditEvent.objects.get(object_type="disclosure.publicationattachment")
    assert (audit.action, audit.object_id, audit.actor_id, audit.summary) == (
        "update", str(w.old.pk), None, f"附件“抽检计划.pdf”移入随机目录：{OLD} → {moved.file.name}")
    resp = client.get(f"/gk/SFXSCJ/p/{w.pub.pk}/files/{w.old.pk}/")
    assert (resp.status_code, body_of(resp)) == (200, PDF)


def test_running_again_moves_nothing(old_world, media):
    run()
    after = paths()
    files = sorted(p for p in media.rglob("*") if p.is_file())
    out = run()
    assert out.splitlines()[-1] == "已移动 0 个，无法移动 1 个"
    assert paths() == after
    assert sorted(p for p in media.rglob("*") if p.is_file()) == files
    assert AuditEvent.objects.filter(object_type="disclosure.publicationattachment").count() == 1


def test_a_row_changed_meanwhile_is_left_and_the_copy_removed(old_world, media, monkeypatch):
    """If the row no longer points at the old path when it is updated, the new copy is deleted again."""
    w = old_world
    real_save = PublicationAttachment.file.field.storage.save

    def save_then_change_the_row(name, content, *args, **kwargs):
        saved = real_save(name, content, *args, **kwargs)
        PublicationAttachment.objects.filter(pk=w.old.pk).update(file="gk/attachments/2026/05/改名.pdf")
        return saved

    monkeypatch.setattr(PublicationAttachment.file.field.storage, "save", save_then_change_the_row)
    out = run()
    assert f"附件 {w.old.pk}：{OLD}：记录刚刚被其他人更新，未移动" in out
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*.pdf")) == sorted([OLD, w.new.file.name])
