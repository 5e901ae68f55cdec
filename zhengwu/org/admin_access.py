"""Who may use the Chinese admin (管理后台), as policy: 中心管理员 maintain the platform there.

A member of staff with the 中心管理员 role gets ``is_staff`` and the group “中心管理员”, which
holds the model permissions of ``ADMIN_APPS`` (organisation, catalog, calendar, hall, ratings
and supervision rules, disclosure); losing the role takes both away (a superuser keeps
``is_staff``). Kept in step by signals whenever a member of staff or their roles change.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from .models import Role, Staff

GROUP_NAME = "中心管理员"
ADMIN_APPS = ["org", "catalog", "workdays", "hall", "ratings", "supervision", "disclosure", "cases"]


def admin_group() -> Group:
    group, created = Group.objects.get_or_create(name=GROUP_NAME)
    if created or not group.permissions.exists():
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
    return group


def sync_admin_access(staff: Staff) -> None:
    user = staff.user
    is_admin = staff.is_active and staff.roles.filter(code=Role.HALL_ADMIN).exists()
    group = admin_group()
    if is_admin:
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    else:
        user.groups.remove(group)
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])


@receiver(post_save, sender=Staff)
def _staff_saved(sender, instance: Staff, raw=False, **kwargs):
    if not raw:
        sync_admin_access(instance)


@receiver(m2m_changed, sender=Staff.roles.through)
def _roles_changed(sender, instance, action, reverse=False, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and not reverse:
        sync_admin_access(instance)
