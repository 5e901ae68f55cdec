from django.urls import path

from . import views

app_name = "trading"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("projects/<str:code>/", views.project_page, name="project"),
    path("manage/", views.manage, name="manage"),
    path("manage/projects/new/", views.project_register, name="project_register"),
    path("manage/projects/<str:code>/retender/", views.project_retender, name="project_retender"),
    path("manage/tenders/<int:tender_id>/", views.manage_tender, name="round"),
    path("manage/tenders/<int:tender_id>/act/<str:action>/", views.manage_act, name="act"),
    path("bid/<int:tender_id>/", views.bid_page, name="bid"),
    path("bid/<int:tender_id>/<str:what>/", views.bid_act, name="bid_act"),
    path("expert/", views.expert_page, name="expert"),
    path("expert/<int:tender_id>/", views.expert_tender, name="expert_tender"),
    path("expert/<int:tender_id>/<str:what>/", views.expert_act, name="expert_act"),
    path("supervise/", views.supervise, name="supervise"),
    path("supervise/flags/<int:flag_id>/review/", views.flag_review, name="flag_review"),
    path("supervise/complaints/<int:complaint_id>/<str:what>/", views.complaint_handle, name="complaint_handle"),
]
