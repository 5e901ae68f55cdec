"""Small display helpers for the public pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.375 → '37.5%'; ``None`` (nothing to divide by) → '—'."""
    if value is None:
        return "—"
    text = f"{value * 100:.{int(digits)}f}".rstrip("0").rstrip(".")
    return f"{text}%"
