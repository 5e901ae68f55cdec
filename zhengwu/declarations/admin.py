"""涉企活动申报 in the admin: the policy (limits, working-day limits) and the 免检期 are edited here; declarations,
reports and ratings are written only by the services and only read here (the rating shows no more than the
check page does)."""

from django.contrib import admin

from zhengwu.core.admin import ReadOnlyAdmin

from .models import Declaration, Event, Inspector, Policy, QuietPeriod, Rating, Report, Target


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["region", "approval_workdays", "report_workdays", "max_inspections_per_year", "over_limit",
                    "min_lead_days"]
    autocomplete_fields = ["region"]


@admin.register(QuietPeriod)
class QuietPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "start", "end"]
    list_filter = ["region"]
    autocomplete_fields = ["region"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    can_delete = False
    readonly_fields = ["uscc", "name", "visited_on", "result"]

    def has_add_permission(self, request, obj=None):
        return False


class InspectorInline(admin.TabularInline):
    model = Inspector
    extra = 0
    can_delete = False
    readonly_fields = ["name", "cert_no"]

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "from_status", "to_status", "actor", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "department", "activity_type", "start_date", "end_date", "status"]
    list_filter = ["status", "activity_type", "department"]
    search_fields = ["code", "title", "department__name"]
    inlines = [TargetInline, InspectorInline, EventInline]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["no", "department", "visit_date", "status", "created_at"]
    list_filter = ["status", "department"]
    search_fields = ["no", "department__name"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["declaration", "level", "created_at"]
    list_filter = ["level"]
