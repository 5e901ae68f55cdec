from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .api import api

admin.site.site_header = "综合政务服务平台 管理后台"
admin.site.site_title = "综合政务服务平台"
admin.site.index_title = "中心管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("catalog/", include("zhengwu.catalog.urls")),
    path("cases/", include("zhengwu.cases.urls_docs")),
    path("hall/", include("zhengwu.hall.urls")),
    path("gk/", include("zhengwu.disclosure.urls")),
    path("ratings/", include("zhengwu.ratings.urls")),
    path("supervision/", include("zhengwu.supervision.urls")),
    path("", include("zhengwu.cases.urls")),
    path("", include("zhengwu.portal.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
