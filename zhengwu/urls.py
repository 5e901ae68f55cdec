from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .accounts.oidc import oidc_callback, oidc_login
from .api import api
from .core.media import public_media
from .core.views import elder_switch, healthz, livez

admin.site.site_header = "综合政务服务平台 管理后台"
admin.site.site_title = "综合政务服务平台"
admin.site.index_title = "中心管理"

urlpatterns = [
    path("livez", livez, name="livez"),
    path("healthz", healthz, name="healthz"),
    path("elder/", elder_switch, name="elder_switch"),
    path("oidc/login/", oidc_login, name="oidc_login"),
    path("oidc/callback/", oidc_callback, name="oidc_callback"),
    # The admin signs in on the platform's login page, which slows password guessing.
    path("admin/login/", RedirectView.as_view(pattern_name="portal:login", query_string=True)),
    path("admin/", admin.site.urls),
    # Only the public uploads (catalog forms, public/); personal files go through their own views.
    path(settings.MEDIA_URL.strip("/") + "/<path:path>", public_media, name="public_media"),
    path("api/", api.urls),
    path("catalog/", include("zhengwu.catalog.urls")),
    path("cases/", include("zhengwu.cases.urls_docs")),
    path("hall/", include("zhengwu.hall.urls")),
    path("gk/", include("zhengwu.disclosure.urls")),
    path("hotline/", include("zhengwu.hotline.urls")),
    path("ratings/", include("zhengwu.ratings.urls")),
    path("supervision/", include("zhengwu.supervision.urls")),
    path("open311/v2/", include("zhengwu.open311.urls")),
    path("joint/", include("zhengwu.joint.urls")),
    path("projects/", include("zhengwu.projects.urls")),
    path("agency/", include("zhengwu.agency.urls")),
    path("trading/", include("zhengwu.trading.urls")),
    path("intermediary/", include("zhengwu.intermediary.urls")),
    path("appraisal/", include("zhengwu.appraisal.urls")),
    path("commitments/", include("zhengwu.commitments.urls")),
    path("declarations/", include("zhengwu.declarations.urls")),
    path("", include("zhengwu.cases.urls")),
    path("", include("zhengwu.portal.urls")),
]


handler400 = "zhengwu.core.views.bad_request"
handler403 = "zhengwu.core.views.permission_denied"
handler404 = "zhengwu.core.views.page_not_found"
handler500 = "zhengwu.core.views.server_error"
