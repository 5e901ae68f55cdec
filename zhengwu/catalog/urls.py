from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("export.xlsx", views.export_xlsx, name="export"),
    path("template.xlsx", views.template_xlsx, name="template"),
    path("import/", views.import_xlsx, name="import"),
    path("bundles/", views.bundles, name="bundles"),
    path("bundles/<str:code>/", views.bundle_guide, name="bundle_guide"),
]
