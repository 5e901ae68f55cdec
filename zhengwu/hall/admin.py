"""The hall in the admin: policy, window groups and slot capacities are edited here; tickets,
appointments and absences are records, changed only through the service functions. (The rating
pad's ratings are 好差评 ratings, in the ratings app's admin.)"""

from django.contrib import admin

from zhengwu.core import clock
from zhengwu.core.admin import ReadOnlyAdmin
from zhengwu.core.services import audit_record
from zhengwu.core.validators import mask_id_number
from zhengwu.org.admin import HallScopedAdmin, admin_scope, scoped_halls
from zhengwu.org.models import Hall
from zhengwu.org.selectors import staff_for_user

from .guard import kiosk_device_revoke
from .models import (
    Appointment,
    KioskDevice,
    QueuePolicy,
    SlotCapacity,
    StaffAbsence,
    Ticket,
    TicketEvent,
    WindowGroup,
    WindowSeat,
)


@admin.register(QueuePolicy)
class QueuePolicyAdmin(HallScopedAdmin):
    """A 中心管理员 sets their own hall's queue policy; the default row (no hall) is the superuser's."""

    list_display = ["__str__", "max_recalls", "green_rank", "appointment_rank", "slot_minutes", "slot_capacity",
                    "am_start", "pm_end"]
    fieldsets = [
        (None, {"fields": ["hall"]}),
        ("叫号", {"fields": ["max_recalls", "green_rank", "appointment_rank", "priority_streak_limit",
                           "default_service_minutes"]}),
        ("办公时间与取号", {"fields": ["am_start", "am_end", "pm_start", "pm_end", "enforce_hours",
                                  "issue_before_minutes", "stop_issue_minutes", "expire_after_minutes"]}),
        ("预约", {"fields": ["slot_minutes", "slot_capacity", "booking_days", "checkin_early_minutes",
                           "checkin_late_minutes", "no_show_limit", "no_show_days"]}),
        ("评价器", {"fields": ["rating_minutes"]}),
    ]


@admin.register(WindowGroup)
class WindowGroupAdmin(HallScopedAdmin):
    list_display = ["code", "name", "hall", "sort", "is_active"]
    list_filter = ["hall", "is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["windows"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "windows":
            qs = db_field.related_model.objects.select_related("hall")
            scope = admin_scope(request)
            if scope is not None:
                qs = qs.filter(hall__in=Hall.objects.filter(scoped_halls(scope))) if scope else qs.none()
            kwargs["queryset"] = qs
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(SlotCapacity)
class SlotCapacityAdmin(HallScopedAdmin):
    list_display = ["item", "hall", "capacity"]
    list_filter = ["hall"]
    autocomplete_fields = ["item"]
    search_fields = ["item__name"]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "action", "window", "officer", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "day", "hall", "group", "item", "kind", "status", "window", "officer", "issued_at"]
    list_filter = ["day", "hall", "status", "kind"]
    search_fields = ["number", "token"]
    date_hierarchy = "day"
    inlines = [TicketEventInline]
    exclude = ["phone"]
    readonly_fields = ["masked_phone"]

    @admin.display(description="手机号码")
    def masked_phone(self, obj):
        return f"{obj.phone[:3]}****{obj.phone[-4:]}" if obj.phone else ""


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["day", "start", "end", "hall", "item", "name", "masked_id", "status", "late", "ticket"]
    list_filter = ["day", "hall", "status"]
    search_fields = ["code", "name", "phone"]
    date_hierarchy = "day"
    exclude = ["id_number"]
    readonly_fields = ["masked_id"]

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(ReadOnlyAdmin):
    list_display = ["staff", "kind", "note", "started_at", "expected_return", "returned_at", "hall"]
    list_filter = ["kind", "hall"]
    search_fields = ["staff__name", "staff__employee_no"]
    date_hierarchy = "started_at"


@admin.register(WindowSeat)
class WindowSeatAdmin(ReadOnlyAdmin):
    list_display = ["window", "officer", "since"]
    list_filter = ["window__hall"]


@admin.register(KioskDevice)
class KioskDeviceAdmin(HallScopedAdmin):
    """The hall's marked 取号机: listed, and revoked (a lost or replaced machine); they are created
    from the kiosk page on the machine itself."""

    list_display = ["hall", "label", "created_by", "created_at", "revoked_at"]
    list_filter = ["hall"]
    readonly_fields = ["hall", "nonce", "created_by", "created_at", "revoked_at"]
    fields = ["hall", "label", "created_by", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="吊销所选取号机", permissions=["change"])
    def revoke(self, request, queryset):
        staff = staff_for_user(request.user)
        done = 0
        for device in queryset.filter(revoked_at__isnull=True).select_related("hall"):
            if staff is None and request.user.is_superuser:
                KioskDevice.objects.filter(pk=device.pk).update(revoked_at=clock.now())
                audit_record(actor=request.user, action="update", obj=device, request=request,
                             summary=f"吊销{device}的取号机标记")
            else:
                kiosk_device_revoke(device=device, staff=staff)
            done += 1
        self.message_user(request, f"已吊销 {done} 台取号机")
