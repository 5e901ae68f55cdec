"""政务公开 in the admin: bodies, staff duties and policy are edited here; publications, requests and
reports are read-only (every change goes through the service functions and the work pages)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from zhengwu.core.validators import mask_id_number

from .models import (
    AnnualReport,
    Appeal,
    Body,
    BodyMember,
    ClockStop,
    Consultation,
    Extension,
    FeeBand,
    FeeWaiverReason,
    InfoRequest,
    Publication,
    PublicationAttachment,
    PublicationEvent,
    RequestAttachment,
    RequestEvent,
    Setting,
    VillageCadence,
    VillageCategory,
    VillageDueOverride,
    VillagePeriod,
)
from .policy import DEFAULTS, TEXT_DEFAULTS


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MemberInline(admin.TabularInline):
    model = BodyMember
    extra = 1
    autocomplete_fields = ["staff"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region", "department", "parent"]
    inlines = [MemberInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "region", "department", "parent", "is_active"]}),
        ("政府信息公开指南", {"fields": ["office", "address", "postcode", "office_hours", "phone", "fax", "email",
                                  "guide_notes"]}),
    ]


@admin.register(Setting)
class SettingAdmin(admin.ModelAdmin):
    list_display = ["key", "value", "note"]

    def get_changeform_initial_data(self, request):
        return {"note": "可用参数：" + "；".join(f"{k}（默认 {v[0]}）" for k, v in {**DEFAULTS, **TEXT_DEFAULTS}.items())}


@admin.register(FeeBand)
class FeeBandAdmin(admin.ModelAdmin):
    list_display = ["method", "lower", "upper", "unit_price", "step", "step_increase"]
    list_filter = ["method"]


@admin.register(FeeWaiverReason)
class FeeWaiverReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "requires_proof", "proof_hint", "order", "is_active"]
    list_editable = ["requires_proof", "order", "is_active"]

    def has_delete_permission(self, request, obj=None):
        """A ground once used stays (requests point at it); switch it off with 启用 instead."""
        return False


class AttachmentInline(_ReadOnlyInline):
    model = PublicationAttachment
    fields = ["name", "download", "size"]
    readonly_fields = fields

    @admin.display(description="文件")
    def download(self, obj):
        """Through the checked view: ``/media/`` is not served in production."""
        url = reverse("disclosure:attachment", args=[obj.publication.body.code, obj.publication_id, obj.pk])
        return format_html('<a href="{}">下载</a>', url)


class PubEventInline(_ReadOnlyInline):
    model = PublicationEvent
    fields = ["at", "label", "actor_name", "note"]
    readonly_fields = fields


@admin.register(Publication)
class PublicationAdmin(_ReadOnlyAdmin):
    list_display = ["index_no", "title", "body", "category", "doc_kind", "status", "made_on", "publish_due",
                    "published_on", "repealed_on", "view_count"]
    list_filter = ["status", "category", "doc_kind", "body"]
    search_fields = ["index_no", "title", "doc_no"]
    inlines = [AttachmentInline, PubEventInline]


class StopInline(_ReadOnlyInline):
    model = ClockStop
    fields = ["kind", "start_on", "end_on"]
    readonly_fields = fields


class ConsultationInline(_ReadOnlyInline):
    model = Consultation
    fields = ["kind", "third_party", "sent_on", "received_on", "delivery", "opinion_due", "replied_on", "opinion"]
    readonly_fields = fields


class ExtensionInline(_ReadOnlyInline):
    model = Extension
    fields = ["days", "reason", "approved_by", "approved_on"]
    readonly_fields = fields


class AppealInline(_ReadOnlyInline):
    model = Appeal
    fields = ["kind", "after_review", "filed_on", "organ", "case_no", "outcome", "decided_on"]
    readonly_fields = fields


class RequestFileInline(_ReadOnlyInline):
    model = RequestAttachment
    fields = ["kind", "name", "download", "size", "uploaded_by_name", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description="文件")
    def download(self, obj):
        """Through the workbench view: only the body's staff get the file, and each download is audited."""
        url = reverse("disclosure:work_attachment", args=[obj.request.request_no, obj.pk])
        return format_html('<a href="{}">下载</a>', url)


class ReqEventInline(_ReadOnlyInline):
    model = RequestEvent
    fields = ["at", "label", "from_status", "to_status", "actor_name", "note"]
    readonly_fields = fields


@admin.register(InfoRequest)
class InfoRequestAdmin(_ReadOnlyAdmin):
    list_display = ["request_no", "body", "applicant_name", "applicant_kind", "channel", "status", "received_on",
                    "due_date", "result", "closed_on"]
    list_filter = ["status", "channel", "applicant_kind", "result", "body"]
    search_fields = ["request_no", "applicant_name"]
    exclude = ["id_number"]
    readonly_fields = ["masked_id_number"]
    inlines = [RequestFileInline, StopInline, ConsultationInline, ExtensionInline, AppealInline, ReqEventInline]

    @admin.display(description="身份证号")
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)


@admin.register(Appeal)
class AppealAdmin(_ReadOnlyAdmin):
    list_display = ["request", "kind", "after_review", "filed_on", "organ", "outcome", "decided_on"]
    list_filter = ["kind", "outcome"]


@admin.register(AnnualReport)
class AnnualReportAdmin(_ReadOnlyAdmin):
    list_display = ["body", "year", "status", "finalised_by", "finalised_at"]
    list_filter = ["year", "status"]


# -- 村务公开/党务公开: the catalogue and its calendar are policy an administrator edits ------------------------


@admin.register(VillageCategory)
class VillageCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "catalogue", "content_kind", "cadence", "due_months_after", "due_day", "roll_to_workday",
                    "order", "is_active"]
    list_filter = ["catalogue", "is_active"]
    list_editable = ["cadence", "due_months_after", "due_day", "roll_to_workday", "order", "is_active"]

    def has_delete_permission(self, request, obj=None):
        """A category once used stays (periods point at it); switch it off with 启用 instead."""
        return False


@admin.register(VillageCadence)
class VillageCadenceAdmin(admin.ModelAdmin):
    list_display = ["body", "category", "cadence"]
    list_filter = ["category", "cadence"]
    autocomplete_fields = ["body"]


@admin.register(VillageDueOverride)
class VillageDueOverrideAdmin(admin.ModelAdmin):
    list_display = ["category", "period_end", "due_date", "note"]
    list_filter = ["category"]


@admin.register(VillagePeriod)
class VillagePeriodAdmin(_ReadOnlyAdmin):
    list_display = ["body", "category", "label", "due_date", "state", "published_on"]
    list_filter = ["state", "category", "cadence"]
    search_fields = ["body__name", "body__code"]
