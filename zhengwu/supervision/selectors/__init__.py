"""Reads of supervision that depend on who asks: each checks scope in the same call."""

from .cards import (
    attach_cards,
    card_counts_by_department,
    card_counts_by_kind,
    card_list_for_staff,
    card_scope_q,
    cards_for_cases,
    cards_for_subjects,
)
from .dashboard import dashboard_data, dashboard_region_for_staff
from .rates import OnTimeRate, on_time_rate, on_time_rates_by_department

__all__ = [
    "OnTimeRate", "attach_cards", "card_counts_by_department", "card_counts_by_kind", "cards_for_subjects", "card_list_for_staff", "card_scope_q",
    "cards_for_cases", "dashboard_data", "dashboard_region_for_staff", "on_time_rate", "on_time_rates_by_department",
]
