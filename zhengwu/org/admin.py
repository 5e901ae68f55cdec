"""The organisation in the admin. A superuser sees and changes everything; a 中心管理员 (the
group of ``admin_access``) works within their own hall: its windows and staff (for a town center
also the village stations below it), never their own record, and grants only the roles of
``admin_access.GRANTABLE_ROLES``."""

from django.contrib import admin
from django.db.models import Q

from .admin_access import GRANTABLE_ROLES
from .models import Department, Hall, Region, Role, Staff, Window
from .photos import delete_after_commit
from .selectors import staff_for_user


def admin_scope(request):
    """None for a superuser (no limit); else the 中心管理员's staff record (or False: no hall at all)."""
    if request.user.is_superuser:
        return None
    staff = staff_for_user(request.user)
    return staff if staff is not None and staff.hall_id is not None else False


def scoped_halls(staff) -> Q:
    """The admin's hall, and for a town center the village stations in its town."""
    q = Q(pk=staff.hall_id)
    if staff.hall.kind == Hall.Kind.TOWN_CENTER:
        q |= Q(kind=Hall.Kind.VILLAGE_STATION, region__code__startswith=staff.hall.region.code_prefix)
    return q


class HallScopedAdmin(admin.ModelAdmin):
    """Rows limited to the admin's halls through ``hall_path`` (the lookup from the model to its hall)."""

    hall_path = "hall"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = admin_scope(request)
        if scope is None:
            return qs
        if scope is False:
            return qs.none()
        halls = Hall.objects.filter(scoped_halls(scope))
        return qs.filter(**{f"{self.hall_path}__in": halls})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = admin_scope(request)
        if scope and db_field.name == "hall":
            kwargs["queryset"] = Hall.objects.filter(scoped_halls(scope))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Hall)
class HallAdmin(HallScopedAdmin):
    hall_path = "pk"

    list_display = ["code", "name", "kind", "region", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "approval_section", "section_in_hall", "authorised"]
    list_filter = ["section_in_hall", "authorised", "region"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["region"]


@admin.register(Window)
class WindowAdmin(HallScopedAdmin):
    list_display = ["hall", "number", "name", "department", "floor", "is_open"]
    list_filter = ["hall", "is_open"]
    search_fields = ["number", "name"]
    autocomplete_fields = ["hall", "department", "items"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Staff)
class StaffAdmin(HallScopedAdmin):
    list_display = ["employee_no", "name", "department", "hall", "title", "is_active"]
    list_filter = ["roles", "hall", "is_active"]
    search_fields = ["employee_no", "name", "user__username"]
    autocomplete_fields = ["user", "department", "hall", "region", "windows"]
    filter_horizontal = ["roles"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = admin_scope(request)
        return qs.exclude(pk=scope.pk) if scope else qs  # nobody widens their own scope

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = admin_scope(request)
        if scope and db_field.name == "region":
            kwargs["queryset"] = Region.objects.filter(code__startswith=scope.hall.region.code_prefix)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope = admin_scope(request)
        if scope and db_field.name == "roles":
            kwargs["queryset"] = Role.objects.filter(code__in=GRANTABLE_ROLES)
        elif scope and db_field.name == "windows":
            kwargs["queryset"] = Window.objects.filter(hall__in=Hall.objects.filter(scoped_halls(scope)))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        """A role the admin may not grant, already held (given by the superuser), is kept as is."""
        scope = admin_scope(request)
        kept = []
        if scope and change:
            kept = list(form.instance.roles.exclude(code__in=GRANTABLE_ROLES))
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.roles.add(*kept)

    def save_model(self, request, obj, form, change):
        """A replaced or cleared photo's old file goes once the change is saved."""
        old = getattr(form.initial.get("photo"), "name", "") or ""
        super().save_model(request, obj, form, change)
        if old and old != obj.photo.name:
            delete_after_commit(old)
