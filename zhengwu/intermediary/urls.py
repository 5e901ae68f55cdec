from django.urls import path

from . import views

app_name = "intermediary"

urlpatterns = [
    path("", views.index, name="index"),
    path("services/<str:code>/", views.service_page, name="service"),
    path("agencies/", views.agencies_page, name="agencies"),
    path("agencies/<int:agency_id>/", views.agency_page, name="agency_detail"),
    path("purchases/", views.purchases_page, name="purchases"),
    path("purchases/<str:code>/", views.purchase_page, name="purchase"),
    path("work/<int:purchase_id>/", views.work_page, name="work"),
    path("work/<int:purchase_id>/act/<str:action>/", views.work_act, name="act"),
    path("work/<int:purchase_id>/file/<str:kind>/", views.purchase_file, name="file"),
    path("owner/", views.owner_page, name="owner"),
    path("owner/create/", views.purchase_create, name="purchase_create"),
    path("owner/register/", views.owner_register, name="owner_register"),
    path("agency/", views.agency_workbench, name="agency"),
    path("agency/signup/<int:purchase_id>/", views.agency_signup, name="agency_signup"),
    path("agency/<str:what>/", views.agency_act, name="agency_act"),
    path("manage/", views.manage_page, name="manage"),
    path("manage/<str:what>/", views.manage_act, name="manage_act"),
    path("supervise/", views.supervise_page, name="supervise"),
    path("report/", views.approval_report, name="report"),
    path("supervise/<str:what>/", views.supervise_act, name="supervise_act"),
]
