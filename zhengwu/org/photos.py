"""Staff photos (工作人员照片) for the 岗位卡, the window screen and the 外出告知图.

A photo is JPG, PNG or WebP, at most 2 MB, and its content must be an image of the type its name
says (read by Pillow, not trusted from the name). It is stored as ``staff/photos/<random>/photo.<ext>``:
the directory changes with every upload, so an address cannot be guessed from the staff id and
an old address stops working when the photo is replaced. The hall serves it through a view that
checks the address against the current photo (``/media/`` is not served in production).
"""

from __future__ import annotations

import os
import secrets

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from zhengwu.core.errors import DomainError

MAX_BYTES = 2 * 1024 * 1024
# extension as uploaded → the format Pillow must find; the format → the extension stored
EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
STORED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def check_photo(upload) -> str:
    """Refuse a photo of another type, too large, empty or not really an image (a ``DomainError``
    with a Chinese message); returns the extension to store it under."""
    from zhengwu.cases.services import human_size  # cases imports org: not at module level

    name = os.path.basename(getattr(upload, "name", "") or "")
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext not in EXTENSIONS:
        raise DomainError("photo_type", f"照片“{name}”的格式不支持，请上传 JPG、PNG 或 WebP 格式的图片")
    if upload.size > MAX_BYTES:
        raise DomainError("photo_too_large",
                          f"照片“{name}”大小为 {human_size(upload.size)}，超过 {human_size(MAX_BYTES)} 的上限")
    if upload.size == 0:
        raise DomainError("photo_empty", f"照片“{name}”是空文件")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            found = image.format
            image.verify()
    except Exception:  # noqa: BLE001 — Pillow raises many kinds for a broken or hostile file
        found = None
    finally:
        upload.seek(0)
    if found != EXTENSIONS[ext]:
        raise DomainError("photo_content", f"照片“{name}”不是有效的 {ext.upper()} 图片，请重新选择")
    return STORED[found]


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
