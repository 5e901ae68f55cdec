"""Hotline policy in the admin: the 派单目录 with its rules, the knowledge base, time limits and settings.
Work orders hold callers' personal data: they are read in the hotline pages (scoped), not here."""

from django.contrib import admin

from zhengwu.org.admin import lookup_halls
from zhengwu.org.models import Hall

from .models import Article, Category, DispatchRule, HotlineSetting, TimeLimitRule
from .services import article_save


class DispatchRuleInline(admin.TabularInline):
    model = DispatchRule
    extra = 1
    autocomplete_fields = ["department", "hall"]
    raw_id_fields = ["region"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # a 热线管理员 picks (and may save) the town centres and village stations of their region: the
        # same halls the hall search offers them (org.admin.REGION_HALL_LOOKUPS)
        if db_field.name == "hall" and not request.user.is_superuser:
            halls = lookup_halls(request, "hotline", "dispatchrule", "hall")
            kwargs["queryset"] = halls if halls is not None else Hall.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "urgency", "active", "sort"]
    list_filter = ["active", "urgency"]
    search_fields = ["code", "name", "keywords"]
    inlines = [DispatchRuleInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "department", "active", "updated_at"]
    list_filter = ["active", "category"]
    search_fields = ["title", "title_initials", "title_pinyin", "keywords"]
    readonly_fields = ["title_pinyin", "title_initials", "updated_at"]

    def save_model(self, request, obj, form, change):
        # the pinyin keys come with every save
        article_save(
            title=obj.title,
            body=obj.body,
            category=obj.category,
            department=obj.department,
            keywords=obj.keywords,
            active=obj.active,
            article=obj,
        )


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "amount", "unit", "around_the_clock"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HotlineSetting)
class HotlineSettingAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "jurisdiction",
        "centre_hall",
        "service_start",
        "service_end",
        "duplicate_days",
    ]
    raw_id_fields = ["jurisdiction", "centre_hall"]

    def has_add_permission(self, request):
        return not HotlineSetting.objects.exists()
