"""Staff photos in the admin: the 中心管理员 uploads one; a wrong type or an oversize file is refused
in Chinese and nothing is saved; replacing a photo removes the old file."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.org.models import Role, Staff
from zhengwu.org.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def people():
    hall = f.hall(f.county())
    admin = f.staff("3001", Role.HALL_ADMIN, hall=hall, name="周主任")
    officer = f.staff("3002", Role.WINDOW_OFFICER, hall=hall, name="李明")
    return admin, officer


def post_form(client, officer: Staff, photo=None, **extra):
    data = {"user": officer.user_id, "employee_no": officer.employee_no, "name": officer.name,
            "region": officer.region_id, "hall": officer.hall_id, "roles": [r.pk for r in officer.roles.all()],
            "is_active": "on", "title": "", "phone": "", "_save": "保存", **extra}
    if photo is not None:
        data["photo"] = photo
    return client.post(f"/admin/org/staff/{officer.pk}/change/", data)


def test_the_hall_admin_uploads_a_photo_and_a_replacement_removes_the_old_file(client, people, media,
                                                                               django_capture_on_commit_callbacks):
    admin, officer = people
    client.force_login(admin.user)
    assert 'name="photo"' in client.get(f"/admin/org/staff/{officer.pk}/change/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = post_form(client, officer, f.photo("证件照.JPG", "JPEG"))
    assert r.status_code == 302
    officer.refresh_from_db()
    first = officer.photo.name
    assert re.fullmatch(r"staff/photos/[0-9a-f]{32}/photo\.jpg", first)
    assert f.stored_files(media) == [first]
    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, officer, f.photo("新照片.webp", "WEBP"))
    officer.refresh_from_db()
    assert officer.photo.name.endswith("/photo.webp") and f.stored_files(media) == [officer.photo.name]
    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, officer, **{"photo-clear": "on"})
    officer.refresh_from_db()
    assert officer.photo.name == "" and f.stored_files(media) == []


@pytest.mark.parametrize(("upload", "message"), [
    (f.photo("大.jpg", "JPEG", pad_to=2 * 1024 * 1024 + 1),
     "照片“大.jpg”大小为 2.1 MB，超过 2 MB 的上限"),
    (f.photo("动图.gif", "GIF"), "照片“动图.gif”的格式不支持，请上传 JPG、PNG 或 WebP 格式的图片"),
    (f.photo("假的.png", "JPEG"), "照片“假的.png”不是有效的 PNG 图片，请重新选择"),
])
def test_the_admin_refuses_a_wrong_photo_in_chinese_and_saves_nothing(client, people, media, upload, message):
    admin, officer = people
    client.force_login(admin.user)
    r = post_form(client, officer, upload)
    assert r.status_code == 200 and message in r.content.decode()
    officer.refresh_from_db()
    assert officer.photo.name == "" and f.stored_files(media) == []


def test_the_field_validator_checks_only_a_new_file(people, media):
    _, officer = people
    officer.photo = SimpleUploadedFile("说明.pdf", b"%PDF-1.7")
    with pytest.raises(ValidationError) as exc:
        officer.full_clean()
    assert exc.value.message_dict == {"photo": ["照片“说明.pdf”的格式不支持，请上传 JPG、PNG 或 WebP 格式的图片"]}
    officer.photo = f.photo("a.png", "PNG")
    officer.full_clean()
    officer.save()
    officer.refresh_from_db()
    officer.full_clean()  # the stored photo is not read again
