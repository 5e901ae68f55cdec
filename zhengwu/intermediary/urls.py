from django.urls import path

from . import views

app_name = "intermediary"

urlpatterns = views.urlpatterns_build(path)
