"""Pages of 联合踏勘 (included by joint/urls.py, namespace ``joint``), under /joint/<联办件编号>/inspections/."""

from django.urls import path

from . import views_inspection as v

P = "<str:joint_no>/inspections/"
R = P + "<int:rnd>/"

urlpatterns: list = [
    path(P, v.inspection_list, name="inspection_list"),
    path(P + "new/", v.inspection_new, name="inspection_new"),
    path(R, v.inspection_detail, name="inspection_detail"),
    path(R + "confirm/", v.inspection_confirm, name="inspection_confirm"),
    path(R + "record/", v.inspection_record, name="inspection_record"),
    path(R + "sign/", v.inspection_sign, name="inspection_sign"),
    path(R + "cancel/", v.inspection_cancel, name="inspection_cancel"),
    path(R + "sheet/", v.inspection_sheet, name="inspection_sheet"),
    path(R + "sheet.pdf", v.inspection_sheet, {"fmt": "pdf"}, name="inspection_sheet_pdf"),
    path(R + "notice/<int:dept>/", v.inspection_notice, name="inspection_notice"),
    path(R + "notice/<int:dept>.pdf", v.inspection_notice, {"fmt": "pdf"}, name="inspection_notice_pdf"),
]
