"""Who may use the Chinese admin (管理后台), as policy: 中心管理员 maintain the platform there.

A member of staff with the 中心管理员 role gets ``is_staff`` and the group “中心管理员”, which
holds the model permissions of ``ADMIN_APPS`` (organisation, catalog, calendar, hall, ratings
and supervision rules, disclosure) except ``DENIED``: the models that hold personal data (cases,
tickets, appointments, ratings, information requests), which are read and changed only through
the scoped, audited pages, and those that would let an admin widen their own scope (roles,
regions, disclosure duties), which stay with the superuser. Losing the role takes both away (a
superuser keeps ``is_staff``). Kept in step by signals whenever a member of staff or their roles
change; the group's permissions are reset to this policy after every ``migrate``. Which rows an
admin sees and which roles they may grant is in ``org/admin.py`` (their hall only).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from .models import Role, Staff

GROUP_NAME = "中心管理员"
ADMIN_APPS = ["org", "catalog", "workdays", "hall", "ratings", "supervision", "disclosure", "cases"]
# app label → {model: denied actions}; "*" as a model: the whole app but ``ALLOWED``. Regions stay
# viewable (the forms pick them), never editable.
ALL = {"add", "change", "delete", "view"}
DENIED = {
    "org": {"role": ALL, "region": {"add", "change", "delete"}},
    "cases": {"*": ALL},
    "hall": {m: ALL for m in ("ticket", "ticketevent", "appointment", "ticketcounter", "slotcounter")},
    "ratings": {m: ALL for m in ("rating", "ratinginvite", "ratingevent", "rectification", "appeal")},
    "disclosure": {**{m: ALL for m in ("bodymember", "inforequest", "requestattachment", "clockstop", "consultation",
                                       "extension", "appeal", "requestevent", "counter")},
                   # publishing and the annual report go through their approval chain on the pages
                   **{m: {"add", "change", "delete"} for m in ("publication", "publicationattachment",
                                                               "publicationevent", "annualreport")}},
}
ALLOWED = {"cases": {"policysetting"}}  # the upload types and other case settings
# Roles a 中心管理员 may give in the admin; leaders, supervisors, department heads and other admins
# are appointed by the superuser (the 政务服务管理办公室).
GRANTABLE_ROLES = [Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.VILLAGE_AGENT]


def admin_permissions():
    perms = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS).select_related("content_type")
    keep = []
    for perm in perms:
        app, model = perm.content_type.app_label, perm.content_type.model
        action = perm.codename.split("_", 1)[0]
        denied = DENIED.get(app, {})
        actions = denied.get(model) or (denied.get("*", set()) if model not in ALLOWED.get(app, set()) else set())
        if action in actions:
            continue
        keep.append(perm.pk)
    return Permission.objects.filter(pk__in=keep)


def admin_group() -> Group:
    group, created = Group.objects.get_or_create(name=GROUP_NAME)
    if created or not group.permissions.exists():
        group.permissions.set(admin_permissions())
    return group


def reset_admin_group(**kwargs) -> None:
    """After ``migrate`` (new models, a changed policy): the group holds exactly the policy's permissions."""
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(admin_permissions())


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
