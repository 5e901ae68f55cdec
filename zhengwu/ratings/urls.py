from django.urls import path

from . import views, views_invite

app_name = "ratings"

urlpatterns = [
    # the window pad and the people
    path("pad/<str:hall_code>/<str:window_number>/", views.pad, name="pad"),
    path("my/", views.my_ratings, name="my_ratings"),
    path("case/<str:case_no>/", views.rate_case, name="rate_case"),
    path("r/<str:token>/", views.invite, name="invite"),
    path("case/<str:case_no>/invite/", views_invite.invite_print, name="invite_print"),
    path("public/", views.public, name="public"),
    # staff
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path("rectifications/<int:pk>/<str:action>/", views.rectification_act, name="rectification_act"),
    path("mine/", views.staff_ratings, name="staff_ratings"),
    path("mine/<int:pk>/appeal/", views.appeal_file, name="appeal_file"),
    path("appeals/", views.appeal_queue, name="appeals"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("metrics/", views.metrics, name="metrics"),
]
