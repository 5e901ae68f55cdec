from django.urls import path

from . import views

app_name = "agency"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("new/", views.draft, name="new"),
    path("refer/", views.refer, name="refer"),
    path("mine/", views.mine, name="mine"),
    path("import-template.xlsx", views.import_template, name="import_template"),
    path("<str:agreement_no>/", views.detail, name="detail"),
    path("<str:agreement_no>/act/<str:action>/", views.act, name="act"),
    path("<str:agreement_no>/import/", views.import_steps, name="import"),
    path("<str:agreement_no>/agreement/", views.agreement_doc, name="agreement_doc"),
    path("<str:agreement_no>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("<str:agreement_no>/receipts/<int:pk>/", views.receipt_doc, name="receipt"),
    path("<str:agreement_no>/receipts/<int:pk>.pdf", views.receipt_pdf, name="receipt_pdf"),
]
