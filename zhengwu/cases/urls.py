from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    # people
    path("register/", views.register, name="register"),
    path("apply/<str:impl_code>/", views.apply, name="apply"),
    path("my/cases/", views.my_cases, name="my_cases"),
    # before my/cases/<case_no>/, which "claim" would otherwise match
    path("my/cases/claim/", views.my_claim, name="my_claim"),
    path("my/cases/claim/confirm/", views.my_claim_confirm, name="my_claim_confirm"),
    path("my/cases/claim/verified/", views.my_claim_verified, name="my_claim_verified"),
    path("my/cases/<str:case_no>/", views.my_case, name="my_case"),
    path("my/cases/<str:case_no>/supplement/", views.my_supplement, name="my_supplement"),
    path("my/cases/<str:case_no>/withdraw/", views.my_withdraw, name="my_withdraw"),
    path("my/cases/<str:case_no>/materials/<int:pk>/", views.my_material, name="my_material"),
    path("progress/", views.progress, name="progress"),
    # village agents
    path("agent/cases/", views.agent_cases, name="agent_cases"),
    path("agent/apply/<str:impl_code>/", views.agent_apply, name="agent_apply"),
    path("intake/", views.pick_item, name="pick_item"),
    # officers
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/new/<str:impl_code>/", views.window_apply, name="window_apply"),
    path("workbench/cases/<str:case_no>/", views.staff_case, name="staff_case"),
    path("workbench/cases/<str:case_no>/reveal/", views.reveal, name="reveal"),
    path("workbench/cases/<str:case_no>/act/<str:action>/", views.act, name="act"),
    path("workbench/cases/<str:case_no>/materials/<int:pk>/", views.staff_material, name="staff_material"),
]
