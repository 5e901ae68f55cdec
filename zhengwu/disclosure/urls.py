"""/gk/: the public portal of 政务公开, the applicant's pages and the staff workbench.

Body codes are letters and digits; ``search``, ``my`` and ``work`` are taken by the fixed pages.
"""

from django.urls import path

from .views import people, public, village, work

app_name = "disclosure"

urlpatterns = [
    path("", public.index, name="index"),
    path("search/", public.search, name="search"),
    # applicants
    path("my/", people.my_requests, name="my_requests"),
    path("my/<str:no>/", people.my_request, name="my_request"),
    path("my/<str:no>/supplement/", people.my_supplement, name="my_supplement"),
    path("my/<str:no>/withdraw/", people.my_withdraw, name="my_withdraw"),
    path("my/<str:no>/files/<int:att>/", people.my_attachment, name="my_attachment"),
    path("my/<str:no>/<str:kind>.pdf", people.my_letter, name="my_letter"),
    # staff
    path("work/", work.workbench, name="workbench"),
    path("work/record/<str:code>/", work.record, name="work_record"),
    path("work/requests/<str:no>/", work.request_detail, name="work_request"),
    path("work/requests/<str:no>/contact/", work.request_contact, name="work_request_contact"),
    path("work/requests/<str:no>/act/<str:action>/", work.request_act, name="work_request_act"),
    path("work/requests/<str:no>/files/<int:att>/", work.request_attachment, name="work_attachment"),
    path("work/requests/<str:no>/<str:kind>.pdf", work.staff_letter, name="work_letter"),
    path("work/publications/new/<str:code>/", work.publication_new, name="work_publication_new"),
    path("work/publications/<int:pk>/", work.publication_detail, name="work_publication"),
    path("work/publications/<int:pk>/act/<str:action>/", work.publication_act, name="work_publication_act"),
    path("work/reports/<str:code>/<int:year>/", work.report_edit, name="work_report"),
    # 村务公开/党务公开: the 文书's pages, the town's view
    path("work/village/", village.town_index, name="village_towns"),
    path("work/village/town/<str:code>/", village.town_view, name="village_town"),
    path("work/village/d/<int:pk>/", village.village_work_disclosure, name="village_work_disclosure"),
    path("work/village/d/<int:pk>/edit/", village.village_edit, name="village_edit"),
    path("work/village/d/<int:pk>/act/<str:action>/", village.village_work_act, name="village_work_act"),
    path("work/village/<str:code>/", village.village_work, name="village_work"),
    path("work/village/<str:code>/new/", village.village_new, name="village_new"),
    # a body's portal
    path("<str:code>/", public.body_home, name="body"),
    path("<str:code>/guide/", public.guide, name="guide"),
    path("<str:code>/catalog/", public.catalog, name="catalog"),
    path("<str:code>/p/<int:pk>/", public.publication, name="publication"),
    path("<str:code>/p/<int:pk>/files/<int:att>/", public.attachment_download, name="attachment"),
    path("<str:code>/apply/", people.apply, name="apply"),
    path("<str:code>/village/", village.village_home, name="village"),
    path("<str:code>/village/d/<int:pk>/", village.village_disclosure, name="village_disclosure"),
    path("<str:code>/village/board/<str:key>/", village.village_board, name="village_board"),
    path("<str:code>/reports/", public.reports, name="reports"),
    path("<str:code>/reports/<int:year>/", public.report, name="report"),
    path("<str:code>/reports/<int:year>.pdf", public.report_pdf, name="report_pdf"),
    path("<str:code>/reports/<int:year>.docx", public.report_docx, name="report_docx"),
]
