from django.urls import path

from . import views, views_screen

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="board"),
    path("deemed/", views.deemed_list, name="deemed_list"),
    path("deemed/<str:notice_no>/", views.deemed_notice, name="deemed_notice"),
    path("deemed/<str:notice_no>/confirm/", views.deemed_confirm, name="deemed_confirm"),
    path("admonitions/", views.admonitions, name="admonitions"),
    path("admonitions/<int:pk>/", views.admonition, name="admonition"),
    path("admonitions/<int:pk>/evidence/", views.admonition_evidence, name="admonition_evidence"),
    path("accountability/", views.flags, name="flags"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/<str:month>/", views.assessment, name="assessment_month"),
    path("report/<int:year>/Q<int:quarter>/", views.report, name="report"),
    path("report/<int:year>/Q<int:quarter>/<str:fmt>/", views.report, name="report_file"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("screen/", views_screen.screen, name="screen"),
    path("screen/data/", views_screen.screen_data, name="screen_data"),
]
