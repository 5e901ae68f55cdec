"""Who may use the Chinese admin (管理后台), as policy: 中心管理员 maintain the platform there.

A member of staff with the 中心管理员 role gets ``is_staff`` and groups of model permissions,
listed here as allow-lists (a model not named is not reachable, so a new model with personal
data is closed by default):

- every 中心管理员 (``GROUP_NAME``, ``HALL_ADMIN_PERMS``): their hall's windows and staff, its
  queue settings (window groups, slot capacities, the hall's queue policy), and reading the
  organisation and the catalog;
- the 中心管理员 of a 政务服务中心 (a county or city center, or one placed in a region without a
  hall: ``CENTER_GROUP_NAME``, ``CENTER_ADMIN_PERMS``) also keeps the county-wide tables: the
  catalog, the departments, the working-day calendar, the supervision and rating policies, the
  政务公开 bodies' settings and fee rules, the case upload settings.

A 热线管理员 (``Role.HOTLINE_ADMIN``, ``HOTLINE_GROUP_NAME``, ``HOTLINE_ADMIN_PERMS``) keeps the 12345
hotline's policy there: the 派单目录 and its dispatch rules, the knowledge base, the time limits and the
hotline settings, and the Open311 client systems (their keys). Work orders, their callers, units,
events and attachments, and the Open311 requests are never in the group: they are read through the
hotline's scoped pages.

Nothing holding personal data (cases, tickets, appointments, ratings, information requests,
告诫 and assessments, absences) is in any group: those are read and changed through the scoped,
audited pages. Roles, regions and disclosure duties stay with the superuser. Which rows an admin
sees, and which roles they may grant, is in ``org/admin.py`` (their own hall). Losing the role
takes everything away (a superuser keeps ``is_staff``); kept in step by signals when a member of
staff, their roles or their user account change; the groups are reset to this policy after every
``migrate``.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from .models import Hall, Role, Staff

GROUP_NAME = "中心管理员"
CENTER_GROUP_NAME = "中心管理员（政务服务中心）"
HOTLINE_GROUP_NAME = "热线管理员"
ALL = {"add", "change", "delete", "view"}
VIEW = {"view"}
# app label → {model: actions}
HALL_ADMIN_PERMS = {
    "org": {"region": VIEW, "department": VIEW, "hall": {"view", "change"}, "window": ALL, "staff": ALL},
    "catalog": {m: VIEW for m in ("item", "itemversion", "bundle", "bundleversion", "bundlemember")},
    "hall": {"queuepolicy": {"view", "change", "add"}, "windowgroup": ALL, "slotcapacity": ALL,
             "kioskdevice": {"view", "change"}},
}
CENTER_ADMIN_PERMS = {
    "org": {"department": ALL},
    "catalog": {m: ALL for m in ("item", "itemversion", "processstep", "material", "fee", "bundle", "bundleversion",
                                 "bundlemember")},
    "projects": {"projectpolicy": {"view", "change", "add"}},
    "workdays": {"dayoverride": ALL, "yearnotice": ALL},
    "supervision": {**{m: ALL for m in ("supervisionpolicy", "scorerule", "deemedrule", "accountabilityrule")},
                    "clockkind": {"view", "change"}},
    "ratings": {"ratingpolicy": {"view", "change"}},
    "disclosure": {**{m: ALL for m in ("body", "setting", "feeband", "feewaiverreason")},
                   "publication": VIEW, "annualreport": VIEW},
    "cases": {"policysetting": ALL},
}
HOTLINE_ADMIN_PERMS = {
    # reading the organisation: the units the 派单目录 dispatches to (the dispatch rules' look-ups)
    "org": {"region": VIEW, "department": VIEW, "hall": VIEW},
    "hotline": {**{m: ALL for m in ("category", "dispatchrule", "article")},
                "timelimitrule": {"view", "change"}, "hotlinesetting": {"view", "change", "add"}},
    "open311": {"open311client": {"view", "change", "add"}},
}
# Roles a 中心管理员 may give in the admin; leaders, supervisors, department heads and other admins
# are appointed by the superuser (the 政务服务管理办公室).
GRANTABLE_ROLES = [Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.VILLAGE_AGENT]


def _permissions(policy: dict):
    perms = Permission.objects.filter(content_type__app_label__in=list(policy)).select_related("content_type")
    keep = [p.pk for p in perms
            if p.codename.split("_", 1)[0] in policy[p.content_type.app_label].get(p.content_type.model, set())]
    return Permission.objects.filter(pk__in=keep)


def admin_permissions():
    return _permissions(HALL_ADMIN_PERMS)


def _group(name: str, policy: dict, *, reset: bool = False) -> Group:
    group, created = Group.objects.get_or_create(name=name)
    if reset or created or not group.permissions.exists():
        group.permissions.set(_permissions(policy))
    return group


def admin_group() -> Group:
    return _group(GROUP_NAME, HALL_ADMIN_PERMS)


def center_admin_group() -> Group:
    return _group(CENTER_GROUP_NAME, CENTER_ADMIN_PERMS)


def hotline_admin_group() -> Group:
    return _group(HOTLINE_GROUP_NAME, HOTLINE_ADMIN_PERMS)


def reset_admin_group(**kwargs) -> None:
    """After ``migrate`` (new models, a changed policy): the groups hold exactly the policy's permissions."""
    _group(GROUP_NAME, HALL_ADMIN_PERMS, reset=True)
    _group(CENTER_GROUP_NAME, CENTER_ADMIN_PERMS, reset=True)
    _group(HOTLINE_GROUP_NAME, HOTLINE_ADMIN_PERMS, reset=True)


def is_center_admin(staff: Staff) -> bool:
    """A 中心管理员 of a county or city center (or of a region, without a hall)."""
    return staff.hall_id is None or staff.hall.kind == Hall.Kind.CENTER


def _revoke(user) -> None:
    user.groups.remove(*Group.objects.filter(name__in=[GROUP_NAME, CENTER_GROUP_NAME, HOTLINE_GROUP_NAME]))
    if user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])


def sync_admin_access(staff: Staff) -> None:
    user = staff.user
    codes = set(staff.roles.values_list("code", flat=True)) if staff.is_active else set()
    is_admin, is_hotline = Role.HALL_ADMIN in codes, Role.HOTLINE_ADMIN in codes
    if not (is_admin or is_hotline):
        _revoke(user)
        return
    drop = []
    if is_admin:
        user.groups.add(admin_group())
        if is_center_admin(staff):
            user.groups.add(center_admin_group())
        else:
            drop.append(CENTER_GROUP_NAME)
    else:
        drop += [GROUP_NAME, CENTER_GROUP_NAME]
    if is_hotline:
        user.groups.add(hotline_admin_group())
    else:
        drop.append(HOTLINE_GROUP_NAME)
    if drop:
        user.groups.remove(*Group.objects.filter(name__in=drop))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@receiver(pre_save, sender=Staff)
def _staff_saving(sender, instance: Staff, raw=False, **kwargs):
    """Remember the account a record had: if it is moved to another account, the old one loses access."""
    if not raw and instance.pk:
        instance._previous_user_id = Staff.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()


@receiver(post_save, sender=Staff)
def _staff_saved(sender, instance: Staff, raw=False, **kwargs):
    if raw:
        return
    previous = getattr(instance, "_previous_user_id", None)
    if previous and previous != instance.user_id:
        from django.contrib.auth import get_user_model

        old = get_user_model().objects.filter(pk=previous).first()
        if old is not None:
            _revoke(old)
    sync_admin_access(instance)


@receiver(m2m_changed, sender=Staff.roles.through)
def _roles_changed(sender, instance, action, reverse=False, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and not reverse:
        sync_admin_access(instance)
