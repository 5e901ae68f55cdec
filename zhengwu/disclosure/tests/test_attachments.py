"""Publication attachments: stored under a random directory, fetched only through the checked view.

``/media/`` is served only with DEBUG on; the public page links to ``disclosure:attachment``, which
streams the file once the publication is public and, before that, only to the body's own staff.
"""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.core import clock
from zhengwu.core.testing import pdf_bytes
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import Publication, PublicationAttachment
from zhengwu.disclosure.views.common import content_disposition

from .factories import build_world

pytestmark = pytest.mark.django_db
D = dt.date
PDF = pdf_bytes()
NAME = "2026年食品抽检计划（附表）.pdf"
# NAME percent-encoded as UTF-8 (RFC 5987)
NAME_5987 = ("2026%E5%B9%B4%E9%A3%9F%E5%93%81%E6%8A%BD%E6%A3%80%E8%AE%A1%E5%88%92"
             "%EF%BC%88%E9%99%84%E8%A1%A8%EF%BC%89.pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def w():
    return build_world()


def upload(client, w, title="2026年食品安全抽检计划", name=NAME, content=PDF) -> Publication:
    """The officer drafts a publication with one attachment on the work page."""
    client.force_login(w.officer.user)
    with clock.frozen(D(2026, 5, 6)):
        resp = client.post("/gk/work/publications/new/SFXSCJ/", {
            "title": title, "category": "plan", "doc_kind": "general", "made_on": "2026-05-06",
            "content": "抽检计划见附件。", "files": SimpleUploadedFile(name, content, "application/pdf")})
    assert resp.status_code == 302, resp.content[:500]
    return Publication.objects.get(title=title)


def publish(w, pub: Publication) -> None:
    with clock.frozen(D(2026, 5, 7)):
        s.publication_submit(publication=pub, officer=w.officer)
        s.publication_review(publication=pub, reviewer=w.reviewer, approve=True)
        s.publication_secrecy_review(publication=pub, reviewer=w.secrecy, passed=True)
        s.publication_sign(publication=pub, signer=w.signer)
        s.publication_publish(publication=pub, officer=w.officer)


def body_of(resp) -> bytes:
    return b"".join(resp.streaming_content)


def test_an_upload_is_stored_under_a_random_directory_keeping_its_name(client, w, media):
    first = upload(client, w)
    second = upload(client, w, title="另一份通知")
    a, b = first.attachments.get(), second.attachments.get()
    assert (a.name, a.size, b.name) == (NAME, len(PDF), NAME)
    # Nothing in the path can be derived from the publication: a 32-hex-digit token, then the name
    # as the storage cleans it (the display name above keeps the full-width brackets).
    assert re.fullmatch(r"gk/attachments/[0-9a-f]{32}/2026年食品抽检计划附表\.pdf", a.file.name)
    assert a.file.name.split("/")[2] != b.file.name.split("/")[2]
    assert (media / a.file.name).read_bytes() == PDF


def test_a_drafts_attachment_is_refused_to_the_public_and_served_to_the_bodys_staff(client, w):
    pub = upload(client, w)
    att = pub.attachments.get()
    url = f"/gk/SFXSCJ/p/{pub.pk}/files/{att.pk}/"
    # The workbench shows the draft's file to its staff, through the view.
    work = client.get(f"/gk/work/publications/{pub.pk}/").content.decode()
    assert f'<a href="{url}">{NAME}</a>' in work
    resp = client.get(url)
    assert (resp.status_code, body_of(resp)) == (200, PDF)
    client.force_login(w.reviewer.user)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 404
    client.force_login(w.citizen)
    assert client.get(url).status_code == 404
    client.force_login(w.outsider.user)  # an officer of another body
    assert client.get(url).status_code == 404
    # Nor by the stored path: /media/ is not served outside DEBUG.
    assert client.get(f"/media/{att.file.name}").status_code == 404


def test_a_published_attachment_downloads_with_its_chinese_name_and_the_page_links_to_the_view(client, w):
    pub = upload(client, w)
    publish(w, pub)
    att = pub.attachments.get()
    url = f"/gk/SFXSCJ/p/{pub.pk}/files/{att.pk}/"
    client.logout()
    page = client.get(f"/gk/SFXSCJ/p/{pub.pk}/").content.decode()
    assert f'<a href="{url}">{NAME}</a>' in page
    assert "/media/" not in page and att.file.name not in page
    resp = client.get(url)
    assert resp.status_code == 200
    assert (resp["Content-Type"], resp["Content-Length"]) == ("application/pdf", str(len(PDF)))
    assert resp["Content-Disposition"] == f"attachment; filename=\"download.pdf\"; filename*=UTF-8''{NAME_5987}"
    assert body_of(resp) == PDF
    # The numbers must belong together: another body's code or another publication is no file.
    other = upload(client, w, title="另一份通知")
    publish(w, other)
    client.logout()
    assert client.get(f"/gk/SFXZRJ/p/{pub.pk}/files/{att.pk}/").status_code == 404
    assert client.get(f"/gk/SFXSCJ/p/{other.pk}/files/{att.pk}/").status_code == 404
    assert client.get(f"/gk/SFXSCJ/p/{pub.pk}/files/{att.pk + 100}/").status_code == 404


def test_a_file_gone_from_storage_is_a_404_not_a_crash(client, w, media):
    pub = upload(client, w)
    publish(w, pub)
    att = PublicationAttachment.objects.get(publication=pub)
    (media / att.file.name).unlink()
    client.logout()
    resp = client.get(f"/gk/SFXSCJ/p/{pub.pk}/files/{att.pk}/")
    assert resp.status_code == 404


def test_content_disposition_has_an_ascii_fallback_and_the_rfc5987_name():
    assert content_disposition("report 2026.pdf") == (
        "attachment; filename=\"report 2026.pdf\"; filename*=UTF-8''report%202026.pdf")
    assert content_disposition('a"b;c.pdf', inline=True) == (
        "inline; filename=\"download.pdf\"; filename*=UTF-8''a%22b%3Bc.pdf")
    assert content_disposition("年报.附件") == (
        "attachment; filename=\"download\"; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.%E9%99%84%E4%BB%B6")


def test_the_admin_links_to_the_view_not_to_media(client, w):
    from django.contrib.auth import get_user_model

    pub = upload(client, w)
    att = pub.attachments.get()
    client.force_login(get_user_model().objects.create_superuser(username="root", password="pass-123456"))
    html = client.get(f"/admin/disclosure/publication/{pub.pk}/change/").content.decode()
    assert f'<a href="/gk/SFXSCJ/p/{pub.pk}/files/{att.pk}/">下载</a>' in html
    assert att.file.name not in html
