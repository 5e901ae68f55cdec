"""Policy is edited here; records (cards, notices, 告诫, flags, scores) are read-only: services write them."""

from django.contrib import admin

from zhengwu.core.admin import ReadOnlyAdmin

from .models import (
    AccountabilityFlag,
    AccountabilityRule,
    Admonition,
    Card,
    Clock,
    ClockKind,
    Commendation,
    DeemedApproval,
    DeemedRule,
    MonthlyScore,
    ScoreRule,
    SupervisionPolicy,
    SweepRun,
)


@admin.register(SupervisionPolicy)
class PolicyAdmin(admin.ModelAdmin):
    fieldsets = [
        ("红黄牌", {"fields": ["warn_workdays", "notify_head"]}),
        ("超时默认", {"fields": ["deemed_after_workdays", "deemed_reply_workdays"]}),
        ("月度考核", {"fields": ["base_score", "max_score", "min_score", "red_flag_windows", "service_stars", "min_cases_for_award",
                             "exclude_admonished", "exclude_unsatisfied", "exclude_red_card"]}),
    ]

    def has_add_permission(self, request):
        return not SupervisionPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoreRule)
class ScoreRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "points", "for_windows", "for_officers", "is_active", "note"]
    list_editable = ["points", "for_windows", "for_officers", "is_active"]


@admin.register(DeemedRule)
class DeemedRuleAdmin(admin.ModelAdmin):
    list_display = ["impl_code", "department", "is_active", "basis"]
    list_filter = ["is_active"]
    autocomplete_fields = ["department"]


@admin.register(AccountabilityRule)
class AccountabilityRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "count", "months", "bottom", "roles", "consequence", "is_active"]
    list_editable = ["is_active"]


@admin.register(ClockKind)
class ClockKindAdmin(admin.ModelAdmin):
    """Kinds are declared by the domains; an admin tunes how each is watched and weighed."""

    list_display = ["code", "subject_label", "name", "unit", "warn_workdays", "warn_minutes", "weight", "deemed",
                    "is_active"]
    list_editable = ["warn_workdays", "warn_minutes", "weight", "deemed", "is_active"]
    readonly_fields = ["code", "unit"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = ["subject_no", "kind", "part_name", "state", "due_date", "due_at", "department", "officer",
                    "finished_on", "late"]
    list_filter = ["kind", "state", "late"]
    search_fields = ["subject_no"]
    list_select_related = ["kind", "department", "officer"]


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ["clock", "level", "kind", "due_date", "due_at", "raised_on", "officer", "department",
                    "cleared_on", "cleared_reason"]
    list_filter = ["level", "kind", "raised_on", "hall"]
    search_fields = ["clock__subject_no"]
    list_select_related = ["clock__kind", "kind", "officer", "department"]


@admin.register(DeemedApproval)
class DeemedApprovalAdmin(ReadOnlyAdmin):
    list_display = ["notice_no", "subject_no", "department", "due_date", "issued_on", "reply_by", "status"]
    list_filter = ["status"]


@admin.register(Admonition)
class AdmonitionAdmin(ReadOnlyAdmin):
    list_display = ["doc_no", "staff", "department", "issued_on", "issued_by", "reason", "revoked_on"]
    search_fields = ["doc_no", "staff__name"]


@admin.register(Commendation)
class CommendationAdmin(ReadOnlyAdmin):
    list_display = ["on", "staff", "window", "source", "note", "recorded_by"]


@admin.register(AccountabilityFlag)
class AccountabilityFlagAdmin(ReadOnlyAdmin):
    list_display = ["staff", "rule", "raised_on", "reason", "resolved_on", "resolution"]
    list_filter = ["rule", "resolved_on"]


@admin.register(MonthlyScore)
class MonthlyScoreAdmin(ReadOnlyAdmin):
    list_display = ["month", "kind", "hall", "window", "staff", "score", "rank", "award", "excluded"]
    list_filter = ["month", "kind", "award"]


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["today", "minutes", "started_at", "finished_at", "clocks", "raised_yellow", "raised_red", "cleared", "deemed",
                    "flags", "messages"]
