"""Admin: the 好差评 policy is editable; ratings, rectifications, appeals and invitations are
read-only here (they change only through the services, with their event rows)."""

from django.contrib import admin

from zhengwu.core.admin import ReadOnlyAdmin

from .models import Appeal, Rating, RatingEvent, RatingInvite, RatingPolicy, Rectification


@admin.register(RatingPolicy)
class RatingPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "invite_after_days", "invite_max_age_days", "invite_valid_days", "rectify_workdays",
                    "appeal_workdays"]

    def has_add_permission(self, request):
        return not RatingPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = RatingEvent
    fields = ["at", "label", "from_status", "to_status", "actor_name", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["rated_at", "kind", "channel", "overall", "is_bad", "excluded", "hall", "window", "officer",
                    "department"]
    list_filter = ["kind", "channel", "overall", "is_bad", "excluded", "hall", "department"]
    date_hierarchy = "rated_on"
    list_select_related = ["hall", "window__hall", "officer", "department"]
    exclude = ["contact_phone"]
    inlines = [EventInline]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "department", "hall", "status", "opened_on", "due_on", "closed_on",
                    "callback_result"]
    list_filter = ["status", "department", "hall", "callback_result"]
    list_select_related = ["department", "hall"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "officer", "reason", "status", "filed_at", "decided_by", "decided_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["officer", "decided_by"]


@admin.register(RatingInvite)
class RatingInviteAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "channel", "sent_to", "created_at", "expires_at", "used_at"]
    list_filter = ["channel", "kind"]
    exclude = ["token_hash"]
    list_select_related = ["case"]
