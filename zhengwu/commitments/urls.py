from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:commitment_id>/", views.detail, name="detail"),
    path("screen/<str:hall_code>/", views.screen, name="screen"),
    path("work/", views.work, name="work"),
    path("work/start/", views.start, name="start"),
    path("work/v/<int:version_id>/", views.version, name="version"),
    path("work/v/<int:version_id>/act/<str:action>/", views.version_act, name="act"),
    path("work/breaches/", views.breaches, name="breaches"),
    path("work/breaches/<int:breach_id>/", views.breach, name="breach"),
]
