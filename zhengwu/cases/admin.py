"""Cases in the admin are read-only: every change goes through the service functions."""

from django.contrib import admin

from zhengwu.core.validators import mask_id_number

from .models import Case, CaseEvent, ClockStop, Extension, FeeLine, PolicySetting, SupplementRequest
from .services import POLICY_DEFAULTS


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(_ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "action", "from_status", "to_status", "actor_name", "role", "note"]
    readonly_fields = fields


class StopInline(_ReadOnlyInline):
    model = ClockStop
    fields = ["kind", "reason", "start_on", "end_on", "result"]
    readonly_fields = fields


class SupplementInline(_ReadOnlyInline):
    model = SupplementRequest
    fields = ["requested_on", "missing", "received_on"]
    readonly_fields = fields


class ExtensionInline(_ReadOnlyInline):
    model = Extension
    fields = ["days", "reason", "approved_by", "approved_at"]
    readonly_fields = fields


class FeeInline(_ReadOnlyInline):
    model = FeeLine
    fields = ["name", "amount", "waived", "paid_on", "receipt_no"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["case_no", "item", "applicant_name", "masked_id", "status", "channel", "accepted_on", "due_date"]
    list_filter = ["status", "channel", "hall", "department"]
    search_fields = ["case_no", "applicant_name"]
    date_hierarchy = "submitted_at"
    inlines = [EventInline, SupplementInline, StopInline, ExtensionInline, FeeInline]
    exclude = ["id_number"]
    list_select_related = ["item"]

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields if f.name != "id_number"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PolicySetting)
class PolicySettingAdmin(admin.ModelAdmin):
    list_display = ["key", "value", "note"]

    def get_changeform_initial_data(self, request):
        return {"note": "可用的键：" + "；".join(f"{k}（{v[1]}，默认 {v[0]}）" for k, v in POLICY_DEFAULTS.items())}
