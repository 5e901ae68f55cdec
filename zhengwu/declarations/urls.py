from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "declarations"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="declarations:check", query_string=True), name="index"),
    path("check", views.check, name="check"),
    path("check/rate", views.rate, name="rate"),
    path("report", views.report, name="report"),
    path("work/", views.work, name="work"),
    path("work/new", views.create, name="create"),
    path("work/<int:pk>/", views.detail, name="detail"),
    path("work/<int:pk>/<slug:action>", views.act, name="act"),
    path("queue/", views.queue, name="queue"),
    path("supervise/", views.supervise, name="supervise"),
    path("supervise/reports/<int:pk>/<slug:action>", views.report_handle, name="report_handle"),
    path("supervise/stats.xlsx", views.export, name="export"),
]
