"""The officer's own photo (岗位卡、窗口屏、外出告知图), set from their 我的窗口 page.

The 中心管理员 sets photos in the admin (``org.admin.StaffAdmin``); both go through
``zhengwu.org.photos`` for the checks, the storage path and removing the replaced file.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction

from zhengwu.core.errors import DomainError
from zhengwu.core.services import audit_record
from zhengwu.org.models import Staff
from zhengwu.org.photos import check_photo, clean_photo, delete_after_commit

from ..models import WindowSeat
from ._common import publish_windows


def _changed(staff: Staff, summary: str) -> None:
    audit_record(actor=staff.user, action="update", obj=staff, summary=summary)
    if staff.hall_id is not None:
        windows = list(WindowSeat.objects.filter(officer=staff).values_list("window_id", flat=True))
        if windows:
            publish_windows(staff.hall, windows)  # the window screen shows the new photo at once


def staff_photo_set(*, staff: Staff, upload) -> Staff:
    """Set the officer's photo (JPG, PNG or WebP, at most 2 MB); a refused file changes nothing."""
    if upload is None:
        raise DomainError("photo_required", "请选择要上传的照片")
    ext = check_photo(upload)
    written = ""
    try:
        with transaction.atomic():
            locked = Staff.objects.select_for_update(of=("self",)).select_related("user", "hall").get(pk=staff.pk)
            old = locked.photo.name
            locked.photo.save(f"photo.{ext}", clean_photo(upload, ext), save=False)
            written = locked.photo.name
            locked.save(update_fields=["photo"])
            delete_after_commit(old)
            _changed(locked, "更新本人照片")
    except Exception:
        if written:
            default_storage.delete(written)  # the row kept the old photo: the new file is nobody's
        raise
    staff.photo = locked.photo
    return staff


def staff_photo_remove(*, staff: Staff) -> Staff:
    """Remove the officer's photo: cards and screens show the initial of the name again."""
    with transaction.atomic():
        locked = Staff.objects.select_for_update(of=("self",)).select_related("user", "hall").get(pk=staff.pk)
        old = locked.photo.name
        if not old:
            raise DomainError("no_photo", "您还没有上传照片", status=409)
        locked.photo = ""
        locked.save(update_fields=["photo"])
        delete_after_commit(old)
        _changed(locked, "删除本人照片")
    staff.photo = locked.photo
    return staff
