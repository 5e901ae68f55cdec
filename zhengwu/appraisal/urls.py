from django.urls import path

from . import views

app_name = "appraisal"

urlpatterns = [
    path("", views.index, name="index"),
    path("workbench/", views.workbench, name="workbench"),
    path("campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path("campaigns/<int:campaign_id>/export.xlsx", views.campaign_export, name="export"),
    path("department/", views.department, name="department"),
    path("public/", views.public, name="public"),
    path("public/<int:campaign_id>/", views.public_detail, name="public_detail"),
    path("r/<str:token>/", views.rate, name="rate"),
]
