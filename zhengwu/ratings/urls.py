from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("r/<str:token>/", views.invite, name="invite"),
]
