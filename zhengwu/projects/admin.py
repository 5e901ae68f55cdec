"""The 工程建设项目 limits are edited here by a centre's 中心管理员 (like the other policies); projects, their
stages and events are written by the services and read through the scoped pages."""

from django.contrib import admin

from .models import ProjectPolicy


@admin.register(ProjectPolicy)
class ProjectPolicyAdmin(admin.ModelAdmin):
    fieldsets = [
        ("全流程", {"fields": ["whole_limit_days"]}),
        ("各阶段时限（工作日）", {"fields": ["stage1_days", "stage2_days", "stage3_days", "stage4_days",
                                           "parallel_days"]}),
    ]

    def has_add_permission(self, request):
        return not ProjectPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
