from django.urls import path

from . import views, views_knowledge, views_reports

app_name = "hotline"

urlpatterns = [
    path("", views.home, name="home"),
    path("intake/", views.intake, name="intake"),
    path("orders/", views.orders, name="orders"),
    path("orders/<str:no>/", views.order_detail, name="order"),
    path("orders/<str:no>/act/<str:action>/", views.order_act, name="act"),
    path("orders/<str:no>/notice/", views.supervise_notice, name="notice"),
    path("orders/<str:no>/files/<int:pk>/", views.attachment, name="attachment"),
    path("knowledge/", views_knowledge.knowledge, name="knowledge"),
    path("knowledge/new/", views_knowledge.article_form, name="article_new"),
    path("knowledge/<int:pk>/", views_knowledge.article_form, name="article"),
    path("knowledge/<int:pk>/<str:op>/", views_knowledge.article_state, name="article_state"),
    path("kpi/", views_reports.kpi_page, name="kpi"),
    path("progress/", views_reports.progress, name="progress"),
    path("public/", views_reports.public_list, name="public"),
    path("public/<str:no>/", views_reports.public_detail, name="public_detail"),
]
