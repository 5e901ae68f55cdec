from django.urls import path

from . import views

app_name = "projects"

urlpatterns: list = [
    path("", views.project_list, name="list"),
    path("new/", views.project_register, name="register"),
    path("<str:code>/", views.project_detail, name="detail"),
    path("<str:code>/link/", views.project_link, name="link"),
    path("<str:code>/refresh/", views.project_refresh, name="refresh"),
    path("<str:code>/close/", views.project_close, name="close"),
]
