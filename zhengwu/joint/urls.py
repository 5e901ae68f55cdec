from django.urls import path

from . import urls_inspection, views, views_agent

app_name = "joint"

urlpatterns: list = [
    path("", views.joint_list, name="list"),
    path("apply/<str:code>/", views.bundle_apply, name="apply"),
    path("agent/", views_agent.agent_joint_list, name="agent_list"),
    path("agent/apply/<str:code>/", views_agent.agent_bundle_apply, name="agent_apply"),
    path("my/<str:case_no>/", views.my_joint, name="my_joint"),
    path("my/<str:case_no>/withdraw/", views.my_joint_withdraw, name="my_joint_withdraw"),
    path("<str:case_no>/", views.joint_page, name="detail"),
    path("<str:case_no>/act/<str:action>/", views.joint_act, name="act"),
    path("<str:case_no>/docs/<str:kind>/", views.document, name="document"),
    path("<str:case_no>/docs/<str:kind>.pdf", views.document, {"fmt": "pdf"}, name="document_pdf"),
    *urls_inspection.urlpatterns,
]
