"""What is stored of a staff photo: upright, at most 1200 pixels, without EXIF (the 岗位卡 is public);
an image too large in pixels is refused even when its file is small."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhengwu.core.errors import DomainError
from zhengwu.hall.services.staff import staff_photo_set
from zhengwu.hall.tests import factories as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return fx.build_hall()


def _jpeg(size, *, gps=True) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        exif[0x8825] = {2: (39.0, 54.0, 27.0), 1: "N"}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("我.jpg", out.getvalue(), content_type="image/jpeg")


def test_the_stored_photo_is_small_and_carries_no_metadata(w):
    upload = _jpeg((2400, 1800))
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif()  # the phone's EXIF is there
    upload.seek(0)
    staff = staff_photo_set(staff=w.o1, upload=upload)
    with staff.photo.open("rb") as fh, Image.open(fh) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 1200
        assert not stored.getexif() and "exif" not in stored.info


def test_a_decompression_bomb_sized_image_is_refused_and_nothing_stored(w, tmp_path):
    image = Image.new("1", (7000, 7000))  # a one-bit PNG: tiny file, 49 megapixels
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert len(out.getvalue()) < 2 * 1024 * 1024
    with pytest.raises(DomainError) as e:
        staff_photo_set(staff=w.o1, upload=SimpleUploadedFile("大.png", out.getvalue()))
    assert e.value.message == "照片“大.png”为 7000×7000 像素，超过 6000×6000 的上限，请缩小后上传"
    w.o1.refresh_from_db()
    assert not w.o1.photo and not any(p.is_file() for p in tmp_path.rglob("*"))
