"""Evidence attached to a 效能告诫: checked like case materials, stored where nobody can guess, and
served only to those who may read the 告诫, each opening audited."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.cases.tests.factories import pdf
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.models import AuditEvent
from zhengwu.supervision.models import Admonition
from zhengwu.supervision.services import admonition_issue

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _issue(w, upload):
    with clock.frozen(DAY):
        return admonition_issue(supervisor=w.supervisor, staff=w.chief, reason="无正当理由超期办理",
                                evidence="", evidence_file=upload)


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("x.html", b"<script>alert(1)</script>"), "文件“x.html”的类型不允许上传"),
    (SimpleUploadedFile("照片.jpg", b"GIF89a not a jpeg"), "文件“照片.jpg”不是可以打开的JPEG 图片（内容已损坏或与扩展名不符）"),
])
def test_a_bad_evidence_file_is_refused_and_nothing_is_issued(w, upload, message, media):
    with pytest.raises(DomainError) as e:
        _issue(w, upload)
    assert e.value.message.startswith(message)
    assert not Admonition.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_evidence_is_served_to_readers_only_and_audited(client, w, media):
    adm = _issue(w, pdf("超期记录.pdf"))
    directory = adm.evidence_file.name.split("/")
    assert directory[:3] == ["supervision", "evidence", "2026"] and len(directory[3]) == 32
    assert client.get(f"/media/{adm.evidence_file.name}").status_code == 404  # never by its path
    url = f"/supervision/admonitions/{adm.pk}/evidence/"

    client.force_login(w.outsider.user)  # another department's window officer
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(summary__contains="证据材料").exists()

    for reader in (w.supervisor, w.chief):
        client.force_login(reader.user)
        r = client.get(url)
        assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
        assert "attachment" in r["Content-Disposition"]
    audits = AuditEvent.objects.filter(summary=f"查看效能告诫 {adm.doc_no} 的证据材料")
    assert sorted(a.actor_id for a in audits) == sorted([w.supervisor.user_id, w.chief.user_id])
    client.force_login(w.supervisor.user)
    assert "下载证据材料" in client.get(f"/supervision/admonitions/{adm.pk}/").content.decode()
