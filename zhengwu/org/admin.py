"""The organisation in the admin. A superuser sees and changes everything; a 中心管理员 (the
group of ``admin_access``) works within their own hall: its windows and staff (for a town center
also the village stations below it), never their own record, and grants only the roles of
``admin_access.GRANTABLE_ROLES``."""

from django.contrib import admin
from django.db.models import Q

from .admin_access import GRANTABLE_ROLES
from .models import Department, Hall, Region, Role, Staff, Window
from .photos import check_photo, clean_photo, delete_after_commit
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


# Look-ups that reach past the admin's own hall: (app label, model, field) of the form asking → the role
# that may pick, for that field only, the town centres and village stations inside their own region.
# Only the 派单目录's 属地 rules: a 热线管理员 dispatches to the towns and villages of the county they
# serve. Every other look-up, list and form of halls stays ``scoped_halls``.
REGION_HALL_LOOKUPS = {("hotline", "dispatchrule", "hall"): Role.HOTLINE_ADMIN}


def region_halls(staff):
    """The town centres and village stations inside the staff's region (their hall's, when none)."""
    region = staff.region or (staff.hall.region if staff.hall_id else None)
    if region is None:
        return Hall.objects.none()
    return Hall.objects.filter(
        kind__in=[Hall.Kind.TOWN_CENTER, Hall.Kind.VILLAGE_STATION], region__code__startswith=region.code_prefix
    )


def lookup_halls(request, app_label: str, model_name: str, field_name: str):
    """The halls ``request``'s user may pick for that field, when ``REGION_HALL_LOOKUPS`` widens it for a
    role they hold (their own hall's scope plus the halls in their region); None otherwise (the usual
    scope applies)."""
    role = REGION_HALL_LOOKUPS.get((app_label, model_name, field_name))
    if role is None or request.user.is_superuser:
        return None
    staff = staff_for_user(request.user)
    if staff is None or not staff.is_active or not staff.roles.filter(code=role).exists():
        return None
    own = Hall.objects.filter(scoped_halls(staff)).values("pk") if staff.hall_id else Hall.objects.none()
    return Hall.objects.filter(Q(pk__in=region_halls(staff).values("pk")) | Q(pk__in=own))


def _autocomplete_halls(request):
    """The wider halls of an admin autocomplete request coming from a ``REGION_HALL_LOOKUPS`` field."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "autocomplete":
        return None
    g = request.GET
    return lookup_halls(request, g.get("app_label", ""), g.get("model_name", ""), g.get("field_name", ""))


def _ancestors(region) -> list[int]:
    ids, r = [], region.parent
    while r is not None:
        ids.append(r.pk)
        r = r.parent
    return ids


class HallScopedAdmin(admin.ModelAdmin):
    """Rows limited to the admin's halls through ``hall_path`` (the lookup from the model to its hall)."""

    hall_path = "hall"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = admin_scope(request)
        if scope is None:
            return qs
        if self.hall_path == "pk":
            wider = _autocomplete_halls(request)  # the hall admin's search from a widened look-up
            if wider is not None:
                return qs.filter(pk__in=wider.values("pk"))
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
    """A 中心管理员 keeps their hall's address, phone and hours; what it is, where it is and its code
    (the prefix of every case number, the key of its kiosks) are the superuser's."""

    hall_path = "pk"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if admin_scope(request) is None else [*fields, "code", "kind", "region", "is_active"]

    def has_add_permission(self, request):
        return admin_scope(request) is None and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return admin_scope(request) is None and super().has_delete_permission(request, obj)

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

    def get_readonly_fields(self, request, obj=None):
        """A record's login account is never re-pointed by a scoped admin (that would hand its roles
        to an account they hold); on a new record they pick an account that is nobody's yet."""
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user"] if obj is not None and admin_scope(request) is not None else fields

    def get_autocomplete_fields(self, request):
        fields = super().get_autocomplete_fields(request)
        return fields if admin_scope(request) is None else [f for f in fields if f != "user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = admin_scope(request)
        if scope is not None and db_field.name == "user":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(
                staff__isnull=True, is_staff=False, is_superuser=False).order_by("username")
        if scope and db_field.name == "region":
            kwargs["queryset"] = Region.objects.filter(code__startswith=scope.hall.region.code_prefix)
        if scope and db_field.name == "department":
            region = scope.hall.region
            kwargs["queryset"] = Department.objects.filter(
                Q(region__code__startswith=region.code_prefix)
                | Q(region__in=Region.objects.filter(pk__in=_ancestors(region))))
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
        """A new photo is stored re-encoded (no EXIF); a replaced or cleared photo's old file goes
        once the change is saved."""
        old = getattr(form.initial.get("photo"), "name", "") or ""
        if "photo" in form.changed_data and obj.photo and not getattr(obj.photo, "_committed", True):
            ext = check_photo(obj.photo.file)
            obj.photo = clean_photo(obj.photo.file, ext)
        super().save_model(request, obj, form, change)
        if old and old != obj.photo.name:
            delete_after_commit(old)
