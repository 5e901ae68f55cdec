"""Every write of the hall, one keyword-only function per action (see each module)."""

from .appointments import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_mark_no_shows,
)
from .expiry import ticket_mark_expired
from .presence import presence_mark_away, presence_mark_back, window_sign_in, window_sign_out
from .ratings import ticket_rate
from .screens import may_manage_screens, screen_disable, screen_save
from .setup import window_groups_autocreate
from .staff import staff_photo_remove, staff_photo_set
from .tickets import (
    check_issue_hours,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_recall,
    ticket_skip,
    ticket_start,
    ticket_transfer,
)

__all__ = [
    "appointment_book", "appointment_cancel", "appointment_check_in", "appointment_mark_no_shows",
    "check_issue_hours", "may_manage_screens", "presence_mark_away", "screen_disable", "screen_save", "presence_mark_back", "staff_photo_remove", "staff_photo_set",
    "ticket_call_next", "ticket_finish", "ticket_issue", "ticket_mark_expired", "ticket_rate", "ticket_recall",
    "ticket_skip", "ticket_start", "ticket_transfer", "window_groups_autocreate", "window_sign_in",
    "window_sign_out",
]
