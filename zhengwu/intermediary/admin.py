"""网上中介服务超市 in the admin. The policy data (the region's settings, the credit rules) and the service
list (qualification kinds, services and the items that require them) are edited here; everything an agency,
an owner or the marketplace does (entry, review, purchases, sign-ups, ratings, credit, appeals, the step log)
goes through the services and is only read here.

Nothing here may tell who signed up for a purchase before its selection: sign-ups are listed only for
purchases past it, and the sealed seed is never shown. ID numbers are shown masked.
"""

from django import forms
from django.contrib import admin

from zhengwu.core.admin import ReadOnlyAdmin
from zhengwu.core.validators import mask_id_number

from .models import (
    Agency,
    AgencyChange,
    Appeal,
    Certificate,
    Contract,
    CreditEvent,
    CreditRecord,
    CreditRule,
    DepartmentScore,
    Event,
    Extension,
    MarketScore,
    Offering,
    Owner,
    Policy,
    Practitioner,
    Purchase,
    PurchaseStatus,
    Qualification,
    Rating,
    Service,
    ServiceLink,
    ServiceStatus,
    Signup,
)
from .services.common import RULES

# Purchases whose sign-ups may be shown (the selection has been made, or the purchase ended without one).
BEFORE_SELECTION = (PurchaseStatus.DRAFT, PurchaseStatus.SIGNUP, PurchaseStatus.SELECTING)


def _masked(value: str) -> str:
    return mask_id_number(value) if value else "—"


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(NoDeleteAdmin):
    list_display = ["region", "must_use_state_funds", "procurement_threshold", "min_participants_state",
                    "weight_owner", "weight_department", "weight_market", "grade_suspend", "grade_delist"]
    fieldsets = [
        (None, {"fields": ["region"]}),
        ("进场范围", {"fields": ["must_use_state_funds", "procurement_threshold"]}),
        ("选取", {"fields": ["min_participants_state", "min_participants_private", "min_participants_merit",
                           "signup_min_workdays", "average_factor_min", "average_factor_max"]}),
        ("时限（工作日）", {"fields": ["review_workdays", "confirm_workdays", "contract_workdays", "rating_workdays",
                                 "appeal_workdays"]}),
        ("信用评价", {"fields": ["weight_owner", "weight_department", "weight_market", "rating_months",
                             "grade_bands", "grade_suspend", "grade_delist"]}),
    ]


@admin.register(CreditRule)
class CreditRuleAdmin(NoDeleteAdmin):
    list_display = ["code", "name", "source", "points", "veto", "months", "automatic"]
    list_filter = ["source", "veto", "automatic"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # The purchase services record the automatic ones by code.
        return ["code", "automatic"] if obj is not None else []


@admin.register(Qualification)
class QualificationAdmin(NoDeleteAdmin):
    list_display = ["code", "name", "issuer"]
    search_fields = ["code", "name"]


class ServiceLinkFormSet(forms.BaseInlineFormSet):
    """An item may list only a service on the list (优化营商环境条例第四十三条)."""

    def clean(self):
        super().clean()
        # The admin builds the inlines on the service as posted: a service being cancelled counts too.
        if self.instance.status == ServiceStatus.CANCELLED and any(f.has_changed() and not f.cleaned_data.get("DELETE") for f in self.forms
                             if hasattr(f, "cleaned_data")):
            raise forms.ValidationError(f"该中介服务事项已取消，不在清单内，不能关联审批事项（{RULES['LIST']}）")


class ServiceLinkInline(admin.TabularInline):
    model = ServiceLink
    formset = ServiceLinkFormSet
    extra = 0
    fields = ["item", "basis", "stage", "review_limit"]
    autocomplete_fields = ["item"]


@admin.register(Service)
class ServiceAdmin(NoDeleteAdmin):
    list_display = ["code", "name", "category", "department", "time_limit", "fee_mode", "status"]
    list_filter = ["status", "fee_mode", "category"]
    search_fields = ["code", "name", "basis"]
    filter_horizontal = ["qualifications"]
    inlines = [ServiceLinkInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "category", "region", "department", "status"]}),
        ("设定依据与资质要求", {"fields": ["basis", "qualifications"]}),
        ("时限与收费", {"fields": ["time_limit", "time_limit_note", "fee_mode", "fee_standard"]}),
        ("申报条件与流程", {"fields": ["conditions", "process"]}),
    ]


@admin.register(ServiceLink)
class ServiceLinkAdmin(ReadOnlyAdmin):
    list_display = ["item", "service", "stage", "review_limit", "basis"]
    list_filter = ["stage"]
    search_fields = ["item__name", "service__name"]


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0
    fields = ["qualification", "number", "level", "issuer", "valid_until", "file"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PractitionerInline(admin.TabularInline):
    model = Practitioner
    extra = 0
    fields = ["name", "masked_id", "title", "certificate_no"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return _masked(obj.id_number)


class OfferingInline(admin.TabularInline):
    model = Offering
    extra = 0
    fields = ["service", "price_min", "price_max", "price_note", "status", "status_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    """Entry, review, suspension and delisting go through the services (the manage pages and the API)."""

    list_display = ["name", "uscc", "home_region", "status", "credit_grade", "credit_score", "submitted_at"]
    list_filter = ["status", "credit_grade", "kind"]
    search_fields = ["name", "uscc"]
    fields = ["name", "uscc", "kind", "home_region", "legal_rep", "address", "contact_name", "masked_contact_id",
              "contact_phone", "intro", "licence", "pledge", "pledge_signed_at", "status", "status_reason",
              "submitted_at", "reviewed_at", "reviewed_by", "review_note", "region", "credit_score", "credit_grade"]
    readonly_fields = ["masked_contact_id"]
    inlines = [CertificateInline, PractitionerInline, OfferingInline]

    @admin.display(description="授权人身份证号")
    def masked_contact_id(self, obj):
        return _masked(obj.contact_id_number)


@admin.register(AgencyChange)
class AgencyChangeAdmin(ReadOnlyAdmin):
    list_display = ["agency", "state", "submitted_at", "reviewed_at", "note"]
    list_filter = ["state"]
    search_fields = ["agency__name", "agency__uscc"]
    exclude = ["data"]
    readonly_fields = ["changed"]

    @admin.display(description="变更内容")
    def changed(self, obj):
        return "；".join(f"{Agency._meta.get_field(k).verbose_name}：{_masked(v) if k == 'contact_id_number' else v}"
                        for k, v in obj.data.items() if k in {f.name for f in Agency._meta.fields})


class OwnerForm(forms.ModelForm):
    class Meta:
        model = Owner
        fields = ["kind", "name", "uscc", "id_number", "contact_name", "contact_phone", "department", "members"]

    def clean_uscc(self):
        from zhengwu.core.errors import DomainError
        from zhengwu.core.validators import validate_uscc

        value = self.cleaned_data.get("uscc") or ""
        try:
            return validate_uscc(value) if value else ""
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_id_number(self):
        from zhengwu.core.errors import DomainError
        from zhengwu.core.validators import validate_id_number

        value = self.cleaned_data.get("id_number") or ""
        try:
            return validate_id_number(value) if value else ""
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(Owner)
class OwnerAdmin(NoDeleteAdmin):
    form = OwnerForm
    list_display = ["name", "kind", "uscc", "contact_name", "contact_phone", "department"]
    list_filter = ["kind"]
    search_fields = ["name", "uscc"]
    filter_horizontal = ["members"]

    def get_fields(self, request, obj=None):
        fields = ["kind", "name", "uscc", "id_number", "contact_name", "contact_phone", "department", "members"]
        if obj is not None and obj.id_number:
            return [f if f != "id_number" else "masked_id" for f in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return ["masked_id"] if obj is not None and obj.id_number else []

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return _masked(obj.id_number)


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "owner", "service", "mode", "status", "signup_deadline", "select_at"]
    list_filter = ["status", "mode", "funding"]
    search_fields = ["code", "title"]
    # Never the sealed seed; the seed itself is stored only once revealed at the selection.
    exclude = ["seed_sealed"]


@admin.register(Signup)
class SignupAdmin(ReadOnlyAdmin):
    """Sign-ups of purchases past their selection only (before it nobody but the agency sees who signed up)."""

    list_display = ["purchase", "agency", "status", "quote", "discount", "credit_score", "at"]
    list_filter = ["status"]
    show_full_result_count = False

    def get_queryset(self, request):
        return (super().get_queryset(request).exclude(purchase__status__in=BEFORE_SELECTION)
                .select_related("purchase", "agency"))


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["purchase", "amount", "signed_on", "service_start", "service_end", "registered_at"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ["purchase", "days", "state", "asked_at", "new_end"]
    list_filter = ["state"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["purchase", "agency", "quality", "timeliness", "price", "attitude", "late", "at"]
    list_filter = ["late"]


@admin.register(CreditEvent)
class CreditEventAdmin(ReadOnlyAdmin):
    list_display = ["agency", "rule", "on", "state", "purchase", "note"]
    list_filter = ["state", "rule"]
    search_fields = ["agency__name", "agency__uscc"]


@admin.register(DepartmentScore)
class DepartmentScoreAdmin(ReadOnlyAdmin):
    list_display = ["agency", "department", "month", "score", "note"]
    list_filter = ["month"]


@admin.register(MarketScore)
class MarketScoreAdmin(ReadOnlyAdmin):
    list_display = ["agency", "month", "score", "note"]
    list_filter = ["month"]


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ["agency", "month", "owner_score", "department_score", "market_score", "weighted",
                    "deductions", "vetoed", "score", "grade"]
    list_filter = ["month", "grade", "vetoed"]
    search_fields = ["agency__name", "agency__uscc"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["agency", "kind", "event", "state", "filed_at", "decided_at"]
    list_filter = ["kind", "state"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["at", "label", "purchase", "agency", "actor", "note"]
    list_filter = ["action"]
    search_fields = ["purchase__code", "agency__name", "note"]
