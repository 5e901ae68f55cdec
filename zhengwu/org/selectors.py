from __future__ import annotations

from django.db.models import QuerySet

from .models import Department, Hall, Region, Staff, Window
from .scope import region_q


def region_descendants(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(code__startswith=region.code_prefix)


def hall_list(*, region: Region | None = None, kind: str | None = None) -> QuerySet[Hall]:
    qs = Hall.objects.select_related("region").filter(is_active=True)
    if region is not None:
        qs = qs.filter(region_q(region))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def department_list(*, region: Region | None = None) -> QuerySet[Department]:
    qs = Department.objects.select_related("region").filter(is_active=True)
    if region is not None:
        qs = qs.filter(region_q(region))
    return qs


def window_list(*, hall: Hall | None = None) -> QuerySet[Window]:
    qs = Window.objects.select_related("hall", "department")
    if hall is not None:
        qs = qs.filter(hall=hall)
    return qs


def staff_list_for(*, viewer: Staff) -> QuerySet[Staff]:
    """Staff a viewer may list: their region's staff (names and 工号 only are public to colleagues)."""
    return (
        Staff.objects.select_related("department", "hall", "region")
        .prefetch_related("roles")
        .filter(region_q(viewer.region))
    )


def staff_for_user(user) -> Staff | None:
    """The signed-in user's staff record, or None; a deactivated (离岗、调出) record counts as none,
    so a user account or API token left alive after a transfer reads and changes nothing as staff."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return Staff.objects.select_related("department", "hall__region", "region").prefetch_related(
            "roles"
        ).get(user=user, is_active=True)
    except Staff.DoesNotExist:
        return None
