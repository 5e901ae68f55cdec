"""Display helpers for the 好差评 pages."""

from __future__ import annotations

from django import template

from zhengwu.ratings.models import Level

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.375 → '37.5%'; ``None`` (nothing to divide by) → '—'."""
    if value is None:
        return "—"
    text = f"{value * 100:.{int(digits)}f}".rstrip("0").rstrip(".")
    return f"{text}%"


@register.filter
def level_label(value) -> str:
    return "—" if value in (None, "") else Level(int(value)).label


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""
