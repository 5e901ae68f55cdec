"""Reads of the hall: board state, queue position and estimate, appointments, statistics and
presence, the guide and the cards. Each module is re-exported here (``selectors.board_snapshot``)."""

from .appointments import (
    appointment_find,
    appointment_get,
    appointment_slots,
    slot_capacity,
)
from .board import (
    WAITING_SHOWN,
    board_snapshot,
    call_text,
    groups_state,
    photo_url,
    presence_list,
    recent_calls,
    window_state,
    windows_state,
)
from .guide import agent_card, contact_card, hall_guide, post_cards
from .queue import (
    avg_service_minutes,
    group_for_item,
    hall_get,
    kiosk_items,
    pad_ticket,
    staffed_windows,
    ticket_get,
    ticket_position,
)
from .reports import away_seconds_in_service_hours, hall_stats, presence_report

__all__ = [
    "WAITING_SHOWN", "agent_card", "appointment_find", "appointment_get", "appointment_slots",
    "avg_service_minutes", "away_seconds_in_service_hours", "board_snapshot", "call_text", "contact_card",
    "group_for_item", "groups_state", "hall_get", "hall_guide", "hall_stats", "kiosk_items", "pad_ticket",
    "photo_url", "post_cards", "presence_list", "presence_report", "recent_calls", "slot_capacity",
    "staffed_windows", "ticket_get", "ticket_position", "window_state", "windows_state",
]
