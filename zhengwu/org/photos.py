"""Staff photos (工作人员照片) for the 岗位卡, the window screen and the 外出告知图.

A photo is JPG, PNG or WebP, at most 2 MB and 6000 pixels a side, and its content must be an image
of the type its name says (read by Pillow, not trusted from the name, and its pixel data decoded by
the platform's upload check, ``zhengwu.core.uploads``). What is stored is re-encoded
(upright, at most 1200 pixels, without EXIF or other metadata). It is stored as ``staff/photos/<random>/photo.<ext>``:
the directory changes with every upload, so an address cannot be guessed from the staff id and
an old address stops working when the photo is replaced. The hall serves it through a view that
checks the address against the current photo (``/media/`` is not served in production).
"""

from __future__ import annotations

import io
import os
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps

from zhengwu.core.errors import DomainError
from zhengwu.core.uploads import check_file_content
from zhengwu.core.validators import human_size

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 6000  # larger is refused (a small file can still decode to a huge image)
KEEP_SIDE = 1200  # what is stored: plenty for a card, a window screen or a board
# extension as uploaded → the format Pillow must find; the format → the extension stored
EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
STORED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def check_photo(upload) -> str:
    """Refuse a photo of another type, too large, empty or not really an image (a ``DomainError``
    with a Chinese message); returns the extension to store it under."""
    name = os.path.basename(getattr(upload, "name", "") or "")
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext not in EXTENSIONS:
        raise DomainError("photo_type", f"照片“{name}”的格式不支持，请上传 JPG、PNG 或 WebP 格式的图片")
    if upload.size > MAX_BYTES:
        raise DomainError("photo_too_large",
                          f"照片“{name}”大小为 {human_size(upload.size)}，超过 {human_size(MAX_BYTES)} 的上限")
    if upload.size == 0:
        raise DomainError("photo_empty", f"照片“{name}”是空文件")
    size = None
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            found, size = image.format, image.size
            image.verify()
    except Exception:  # noqa: BLE001 — Pillow raises many kinds for a broken or hostile file
        found = None
    finally:
        upload.seek(0)
    if found != EXTENSIONS[ext]:
        raise DomainError("photo_content", f"照片“{name}”不是有效的 {ext.upper()} 图片，请重新选择")
    if size[0] > MAX_SIDE or size[1] > MAX_SIDE:
        raise DomainError("photo_pixels", f"照片“{name}”为 {size[0]}×{size[1]} 像素，超过 {MAX_SIDE}×{MAX_SIDE} 的上限，"
                                          "请缩小后上传")
    try:  # the platform's check of every upload: the pixel data decodes (a truncated JPEG passes verify())
        check_file_content(upload, ext=ext)
    except DomainError:
        raise DomainError("photo_content", f"照片“{name}”不是有效的 {ext.upper()} 图片，请重新选择") from None
    return STORED[found]


def clean_photo(upload, ext: str) -> ContentFile:
    """The checked photo re-encoded: turned upright, at most ``KEEP_SIDE`` pixels a side, and with
    no metadata (a phone photo's EXIF can carry where it was taken, and the 岗位卡 is public)."""
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((KEEP_SIDE, KEEP_SIDE))
        fmt = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[ext]
        if fmt == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format=fmt, quality=88) if fmt != "PNG" else image.save(out, format=fmt)
    upload.seek(0)
    return ContentFile(out.getvalue(), name=f"photo.{ext}")


def validate_staff_photo(value) -> None:
    """The model field's validator (the admin's form): a newly chosen file only, not the stored one."""
    if not value or getattr(value, "_committed", True):
        return
    try:
        check_photo(value)
    except DomainError as exc:
        raise ValidationError(exc.message, code=exc.code) from None


def staff_photo_upload_to(instance, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower().lstrip(".")
    ext = STORED.get(EXTENSIONS.get(ext, ""), "bin")
    return f"staff/photos/{secrets.token_hex(16)}/photo.{ext}"


def photo_key(name: str) -> str:
    """The random directory of a stored photo: the part of its address nobody can guess."""
    parts = (name or "").split("/")
    return parts[-2] if len(parts) >= 2 else ""


def delete_after_commit(name: str) -> None:
    """Remove a replaced or removed photo's file once the change is committed."""
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
