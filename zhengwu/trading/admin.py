"""公共资源交易 in the admin. Market entities (交易主体), the expert pool with its declared ties and the
centre's rules are kept here; projects and rounds are written by the services and only read here.

Nothing here may tell who bid or how many before a round's deadline (招标投标法第二十二条): the sealed
slots (``BidSlot``) and the obtain register are not registered at all, rounds show no bid or obtain
counts, and the bids (rows that exist only from the opening on) are listed only for rounds whose deadline
has passed.
"""

from django.contrib import admin

from zhengwu.core import clock
from zhengwu.core.admin import ReadOnlyAdmin
from zhengwu.org.admin import HallScopedAdmin

from .models import Bid, Complaint, Expert, ExpertTie, Party, Policy, Project, Tender


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "is_buyer", "is_agency", "is_bidder", "contact_name", "contact_phone"]
    list_filter = ["is_buyer", "is_agency", "is_bidder"]
    search_fields = ["name", "uscc"]
    filter_horizontal = ["members"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["region", "bid_slots", "opening_window_minutes"]
    fieldsets = [
        (None, {"fields": ["region"]}),
        ("必须招标与公开招标数额标准", {"fields": ["must_tender_works", "must_tender_goods", "must_tender_services",
                                           "open_tender_goods_services", "open_tender_works"]}),
        ("密封投标与开标", {"fields": ["bid_slots", "opening_window_minutes"]}),
        ("指定发布媒介", {"fields": ["media", "procurement_media"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False


class ExpertTieInline(admin.TabularInline):
    model = ExpertTie
    extra = 0
    fields = ["party_uscc", "party_name", "kind", "ended_on", "note"]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "employer_name", "years", "is_active"]
    list_filter = ["is_active", "title"]
    search_fields = ["name", "employer_name"]
    exclude = ["id_number"]
    readonly_fields = ["masked_id"]
    inlines = [ExpertTieInline]

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        from zhengwu.core.validators import mask_id_number

        return mask_id_number(obj.id_number) if obj and obj.id_number else "—"

    def has_add_permission(self, request):
        # New experts come in through the pool service (POST /api/trading/experts), which checks the
        # ID number and the declared ties.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin, HallScopedAdmin):
    list_display = ["code", "name", "regime", "category", "buyer", "agency", "estimate", "status"]
    list_filter = ["regime", "category", "status"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "region", "hall", "regime", "category", "buyer", "agency", "supervisor", "funding",
              "state_fund_percent", "estimate", "description", "status", "created_at"]


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin, HallScopedAdmin):
    hall_path = "project__hall"
    list_display = ["__str__", "title", "status", "bid_deadline", "paused"]
    list_filter = ["status", "method"]
    search_fields = ["project__code", "title"]
    # Only the round's published facts: no slots, obtains, invitees' answers or counts of any of them.
    fields = ["project", "round", "method", "status", "title", "notice", "prequalification", "prequal_from",
              "prequal_until", "prequal_deadline", "prequal_result_at", "documents_from", "documents_until", "bid_deadline", "opening_place", "bid_validity_days", "bid_deposit",
              "deposit_form", "max_price", "award_criteria", "published_at", "paused", "opened_at",
              "decrypt_until", "report_at", "candidates_published_on", "publicity_ends_on", "awarded_at",
              "notice_issued_on", "result_notice_on", "failure_reason"]


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin, HallScopedAdmin):
    """Bids from the opening on: rows exist only after the deadline, and this list shows none of a round
    whose deadline has not passed, whatever the rows say."""

    hall_path = "tender__project__hall"
    list_display = ["tender", "bidder", "status", "price", "submitted_at", "decrypted_at"]
    list_filter = ["status"]
    fields = ["tender", "bidder", "status", "submitted_at", "decrypted_at", "price", "duration_days",
              "project_manager", "quality", "deposit_account", "upload_ip", "upload_device", "file_authors",
              "files", "reject_reason", "reject_note"]
    show_full_result_count = False

    def get_queryset(self, request):
        return (super().get_queryset(request)
                .filter(tender__bid_deadline__lte=clock.now(), tender__opened_at__isnull=False)
                .select_related("tender__project", "bidder"))


HIDDEN = "（开标前不显示）"


def _opened(tender: Tender) -> bool:
    return tender.opened_at is not None and tender.bid_deadline is not None and clock.now() >= tender.bid_deadline


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin, HallScopedAdmin):
    """投诉, handled by the supervisors on their page; here the centre sees the register and its clocks.
    Before the round's opening a complaint's complainant, and its text (which names it), would tell a party
    that obtained the documents (招标投标法第二十二条): both show only from the opening on, and the list can
    neither be searched nor filtered by them."""

    hall_path = "tender__project__hall"
    list_display = ["tender", "matter", "status", "filed_at", "accept_due", "decide_due", "complainant_shown"]
    list_filter = ["status", "matter"]
    fields = ["tender", "matter", "complainant_shown", "text_shown", "known_on", "filed_at", "status", "accept_due",
              "decide_due", "accepted_at", "decided_at", "decision_shown", "upheld", "suspended"]
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tender__project", "complainant")

    @admin.display(description="投诉人")
    def complainant_shown(self, obj):
        return obj.complainant.name if _opened(obj.tender) else HIDDEN

    @admin.display(description="投诉内容")
    def text_shown(self, obj):
        return obj.text if _opened(obj.tender) else HIDDEN

    @admin.display(description="处理决定/不予受理理由")
    def decision_shown(self, obj):
        return obj.decision if _opened(obj.tender) else HIDDEN
