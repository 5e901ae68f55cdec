from django.urls import path

from .views import officer, pad, public, sse

app_name = "hall"

urlpatterns = [
    path("", public.index, name="index"),
    # tickets, screens and the pad (fixed prefixes first: hall codes are free text)
    path("t/<str:token>/", public.ticket_phone, name="ticket_phone"),
    path("t/<str:token>/print/", public.ticket_print, name="ticket_print"),
    path("window/<int:window_id>/screen/", public.window_screen, name="window_screen"),
    path("window/<int:window_id>/console/", officer.console, name="console"),
    path("window/<int:window_id>/console/<str:action>/", officer.console_act, name="console_act"),
    path("pad/<int:window_id>/", pad.pad, name="pad"),
    path("my/", officer.my_windows, name="my_windows"),
    path("my/presence/<str:action>/", officer.my_presence, name="my_presence"),
    path("my/photo/", officer.my_photo, name="my_photo"),
    path("staff/<int:staff_id>/photo/<str:key>/", public.staff_photo, name="staff_photo"),
    path("appointments/cancel/", public.appointment_cancel, name="appointment_cancel"),
    # one hall
    path("<str:code>/kiosk/", public.kiosk, name="kiosk"),
    path("<str:code>/kiosk/device/", public.kiosk_device, name="kiosk_device"),
    path("<str:code>/board/", public.board, name="board"),
    path("<str:code>/board/state/", public.board_state, name="board_state"),
    path("<str:code>/board/<str:screen>/", public.board, name="screen_board"),
    path("<str:code>/screens/", officer.screens, name="screens"),
    path("<str:code>/screens/<int:screen_id>/", officer.screen_edit, name="screen_edit"),
    path("<str:code>/events/", sse.hall_events, name="events"),
    path("<str:code>/presence/", public.presence_board, name="presence"),
    path("<str:code>/guide/", public.guide, name="guide"),
    path("<str:code>/appointments/", public.appointments, name="appointments"),
    path("<str:code>/appointments/done/", public.appointment_done, name="appointment_done"),
    path("<str:code>/cards/post/", public.card_post, name="card_post"),
    path("<str:code>/cards/agent/", public.card_agent, name="card_agent"),
    path("<str:code>/cards/contact/", public.card_contact, name="card_contact"),
    path("<str:code>/stats/", officer.stats, name="stats"),
]
