"""Admin: campaigns and their settings, sections, questions and rectifications. Answers and invitations are
read-only lists without any link between them (the answer has none)."""

from django.contrib import admin

from .models import Campaign, Question, Rectification, Section


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "starts_on", "ends_on", "bottom_n", "min_answers", "published_on"]
    list_filter = ["status"]
    readonly_fields = ["status", "opened_on", "closed_on", "published_on", "created_by", "created_at"]
    inlines = [SectionInline, QuestionInline]


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ["section", "campaign", "status", "due_date", "filed_on", "accepted_on"]
    list_filter = ["status"]
    readonly_fields = ["status", "filed_on", "filed_by", "accepted_on", "accepted_by", "returns"]
