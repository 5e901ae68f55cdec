"""Staff photos on the hall's pages: the officer uploads or removes their own from 我的窗口; the
岗位卡, the window screen (also in its live update) and the 外出告知图 show it, or the initial of
the name without one; the photo is served only at its random address."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.models import AuditEvent
from zhengwu.core.testing import image_bytes
from zhengwu.org.tests import factories as f

from .. import live, selectors, services
from . import factories as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def w(media):
    world = fx.build_hall()
    with clock.frozen(fx.at(8, 40)):
        services.window_sign_in(window=world.w1, officer=world.o1)
    return world


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_officer_sets_a_photo_and_it_is_served_only_at_its_address(client, w, media):
    staff = services.staff_photo_set(staff=w.o1, upload=f.photo("我.png"))
    key = staff.photo.name.split("/")[2]
    url = f"/hall/staff/{w.o1.pk}/photo/{key}/"
    assert re.fullmatch(r"staff/photos/[0-9a-f]{32}/photo\.png", staff.photo.name)
    assert f.stored_files(media) == [staff.photo.name]
    assert selectors.photo_url(w.o1) == url
    audit = AuditEvent.objects.filter(object_type="org.staff")
    assert list(audit.values_list("action", "object_id", "summary", "actor")) == [
        ("update", str(w.o1.pk), "更新本人照片", w.o1.user_id)]

    r = client.get(url)
    assert (r.status_code, r["Content-Type"], r["Cache-Control"]) == (200, "image/png", "public, max-age=86400")
    assert b"".join(r.streaming_content) == (media / staff.photo.name).read_bytes()
    assert client.get(f"/hall/staff/{w.o1.pk}/photo/{'0' * 32}/").status_code == 404
    assert client.get(f"/hall/staff/{w.o2.pk}/photo/{key}/").status_code == 404
    w.o1.is_active = False
    w.o1.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404  # someone who left is no longer shown


@pytest.mark.parametrize(("upload", "code", "message"), [
    (f.photo("大.jpg", "JPEG", pad_to=2 * 1024 * 1024 + 1), "photo_too_large",
     "照片“大.jpg”大小为 2.1 MB，超过 2 MB 的上限"),
    (f.photo("动图.gif", "GIF"), "photo_type", "照片“动图.gif”的格式不支持，请上传 JPG、PNG 或 WebP 格式的图片"),
    (SimpleUploadedFile("照片.webp", b"RIFF0000WEBPnot really"), "photo_content",
     "照片“照片.webp”不是有效的 WEBP 图片，请重新选择"),
    (SimpleUploadedFile("空.png", b""), "photo_empty", "照片“空.png”是空文件"),
    # A JPEG cut in half opens and passes Pillow's verify(); decoding it (the re-encoding) was a 500.
    (SimpleUploadedFile("截断.jpg", image_bytes("JPEG", width=400, height=300)[:1500]), "photo_content",
     "照片“截断.jpg”不是有效的 JPG 图片，请重新选择"),
])
def test_a_refused_photo_changes_nothing(w, media, upload, code, message):
    with pytest.raises(DomainError) as exc:
        services.staff_photo_set(staff=w.o1, upload=upload)
    assert (exc.value.code, exc.value.message) == (code, message)
    w.o1.refresh_from_db()
    assert w.o1.photo.name == "" and f.stored_files(media) == []
    assert not AuditEvent.objects.filter(object_type="org.staff").exists()


def test_my_windows_page_uploads_replaces_and_removes(client, w, media, django_capture_on_commit_callbacks):
    client.force_login(w.o1.user)
    page = text(client.get("/hall/my/"))
    assert "我的照片" in page and 'enctype="multipart/form-data"' in page and 'data-testid="my-photo"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/hall/my/photo/", {"photo": f.photo("a.png")}, follow=True)
    assert "照片已更新" in text(r) and 'data-testid="my-photo"' in text(r)
    w.o1.refresh_from_db()
    first = w.o1.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/hall/my/photo/", {"photo": f.photo("b.jpg", "JPEG")})
    w.o1.refresh_from_db()
    assert w.o1.photo.name != first and w.o1.photo.name.endswith("/photo.jpg") and f.stored_files(media) == [w.o1.photo.name]

    r = client.post("/hall/my/photo/", {"photo": f.photo("c.gif", "GIF")}, follow=True)
    assert "照片“c.gif”的格式不支持，请上传 JPG、PNG 或 WebP 格式的图片" in text(r)
    cut = SimpleUploadedFile("d.jpg", image_bytes("JPEG", width=400, height=300)[:1500])
    r = client.post("/hall/my/photo/", {"photo": cut}, follow=True)
    assert (r.status_code, "照片“d.jpg”不是有效的 JPG 图片，请重新选择" in text(r)) == (200, True)
    w.o1.refresh_from_db()
    assert w.o1.photo.name.endswith("/photo.jpg") and f.stored_files(media) == [w.o1.photo.name]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/hall/my/photo/", {"remove": "1"}, follow=True)
    assert "已删除照片" in text(r)
    w.o1.refresh_from_db()
    assert w.o1.photo.name == "" and f.stored_files(media) == []
    assert "您还没有上传照片" in text(client.post("/hall/my/photo/", {"remove": "1"}, follow=True))


def test_cards_screen_and_presence_board_show_the_photo_or_the_initial(client, w):
    def pages():
        with clock.frozen(fx.at(9)):
            return (text(client.get("/hall/SFXZW/cards/post/")), text(client.get(f"/hall/window/{w.w1.pk}/screen/")),
                    text(client.get("/hall/SFXZW/presence/")))

    card, screen, presence = pages()
    assert "<img" not in card and "<img" not in screen and "<img" not in presence
    assert '<div class="photo small" aria-hidden="true">李</div>' in card
    assert '<div class="photo" data-field="photo" data-testid="window-photo" aria-hidden="true">李</div>' in screen
    assert '<div class="photo small" aria-hidden="true">李</div>' in presence

    services.staff_photo_set(staff=w.o1, upload=f.photo("me.webp", "WEBP"))
    url = selectors.photo_url(w.o1)
    card, screen, presence = pages()
    img = f'<img src="{url}" alt="李明的照片"'
    assert card.count("<img") == 1 and f'{img} data-testid="staff-photo">' in card
    assert '<div class="photo small" aria-hidden="true">王</div>' in card  # the others keep their initial
    assert f'<div class="photo" data-field="photo" data-testid="window-photo">{img}></div>' in screen
    assert presence.count("<img") == 1 and img in presence


def test_the_window_screens_live_update_carries_the_photo(w, hall_broker, django_capture_on_commit_callbacks):
    sub = hall_broker.subscribe(live.hall_channel(w.hall.pk))
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_photo_set(staff=w.o1, upload=f.photo("me.png"))
    deadline, msgs = time.monotonic() + 3, []
    while time.monotonic() < deadline and not msgs:
        msg = sub.get(0.2)
        if msg is not None:
            msgs.append(json.loads(msg))
    assert [(m["type"], [x["officer"]["photo"] for x in m["windows"]]) for m in msgs] == [
        ("update", [selectors.photo_url(w.o1)])]
    with clock.frozen(fx.at(9)):
        assert selectors.window_state(w.w1)["officer"] == {
            "id": w.o1.pk, "name": "李明", "employee_no": "2001", "title": "", "initial": "李",
            "photo": selectors.photo_url(w.o1)}
        assert selectors.window_state(w.w2)["officer"] is None
