from django.urls import re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"
# An identifier in a path: anything up to the format suffix, without a slash.
ID = r"[^/]{1,64}"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(rf"^services/(?P<service_code>{ID}?)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.request_list, name="requests"),
    re_path(rf"^requests/(?P<service_request_id>{ID}?)" + FMT, views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>{ID}?)" + FMT, views.token_detail, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.update_list, name="updates"),
    # Anything else under /open311/v2/ is a 404 in the Open311 error body, not the portal's page.
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
