from django.contrib import admin, messages

from . import engine
from .models import DayOverride, YearNotice


class ProvisionalWarningMixin:
    """Every page of the calendar admin says which years are still provisional."""

    def changelist_view(self, request, extra_context=None):
        years = engine.provisional_years()
        if years:
            messages.warning(
                request,
                "、".join(str(y) for y in years)
                + "年尚未录入国务院办公厅放假通知，相关期限按周末和法定节日推算，为暂定结果。"
                "请在“节假日调整”中录入放假和调休安排，并在“年度放假通知”中确认。",
            )
        return super().changelist_view(request, extra_context)


@admin.register(DayOverride)
class DayOverrideAdmin(ProvisionalWarningMixin, admin.ModelAdmin):
    list_display = ["date", "kind", "name", "region", "note"]
    list_filter = ["kind", "region"]
    date_hierarchy = "date"
    search_fields = ["name", "note"]
    autocomplete_fields = ["region"]


@admin.register(YearNotice)
class YearNoticeAdmin(ProvisionalWarningMixin, admin.ModelAdmin):
    list_display = ["year", "document", "confirmed", "updated_at"]
