from django.contrib import admin

from .models import Department, Hall, Region, Role, Staff, Window


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
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
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "name", "department", "floor", "is_open"]
    list_filter = ["hall", "is_open"]
    search_fields = ["number", "name"]
    autocomplete_fields = ["hall", "department", "items"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["employee_no", "name", "department", "hall", "title", "is_active"]
    list_filter = ["roles", "hall", "is_active"]
    search_fields = ["employee_no", "name", "user__username"]
    autocomplete_fields = ["user", "department", "hall", "region", "windows"]
    filter_horizontal = ["roles"]
