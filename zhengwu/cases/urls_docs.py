"""Case documents (办件文书) and the central cashier (集中收费), mounted at ``/cases/``."""

from django.urls import path

from . import views_docs as v

app_name = "casedocs"

urlpatterns = [
    path("cashier/", v.cashier, name="cashier"),
    path("cashier/pay/", v.cashier_pay, name="cashier_pay"),
    path("cashier/waive/<int:line_id>/", v.cashier_waive, name="cashier_waive"),
    path("cashier/reconciliation/", v.reconciliation, name="reconciliation"),
    path("cashier/reconciliation.xlsx", v.reconciliation_xlsx, name="reconciliation_xlsx"),
    path("receipts/<str:receipt_no>/", v.receipt_page, name="receipt"),
    path("receipts/<str:receipt_no>.pdf", v.receipt_pdf, name="receipt_pdf"),
    path("<str:case_no>/docs/", v.document_index, name="documents"),
    path("<str:case_no>/docs/<slug:kind>/", v.document_page, name="document"),
    path("<str:case_no>/docs/<slug:kind>.pdf", v.document_pdf, name="document_pdf"),
]
