from django.urls import path  # noqa: F401

from . import urls_inspection

app_name = "joint"

urlpatterns: list = [
    *urls_inspection.urlpatterns,
]
