"""Reads of supervision that depend on who asks: each checks scope in the same call."""

from .cards import attach_cards, card_counts_by_department, card_list_for_staff, cards_for_cases

__all__ = ["attach_cards", "card_counts_by_department", "card_list_for_staff", "cards_for_cases"]
