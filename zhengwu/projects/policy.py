"""Reading the admin-editable 工程建设项目 limits, with the defaults a new installation starts from."""

from __future__ import annotations

from .models import ProjectPolicy


def policy_get() -> ProjectPolicy:
    obj = ProjectPolicy.objects.filter(pk=1).first()
    if obj is None:
        obj, _ = ProjectPolicy.objects.get_or_create(pk=1)
    return obj
