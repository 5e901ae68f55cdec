"""Admin: the commitments policy is editable; commitments, versions and complaints are read-only here
(they change only through the services, with their audit rows)."""

from django.contrib import admin

from zhengwu.core.admin import ReadOnlyAdmin

from .models import Breach, Commitment, CommitmentPolicy, CommitmentVersion


@admin.register(CommitmentPolicy)
class CommitmentPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "verify_workdays", "review_months"]

    def has_add_permission(self, request):
        return not CommitmentPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "scope", "current"]
    list_filter = ["scope"]
    list_select_related = ["department", "window__hall", "current"]


@admin.register(CommitmentVersion)
class CommitmentVersionAdmin(ReadOnlyAdmin):
    list_display = ["commitment", "version", "status", "signed_by", "signed_at"]
    list_filter = ["status"]
    list_select_related = ["commitment__department", "commitment__window__hall", "signed_by"]


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ["commitment", "clause_kind", "source", "source_no", "status", "filed_at"]
    list_filter = ["status", "source"]
    list_select_related = ["commitment__department", "commitment__window__hall"]
