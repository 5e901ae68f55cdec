"""Template side of ``zhengwu.core.formerrors``: the summary, a field's attributes and its message.
Registered as builtins (settings), like ``{% form_once %}``."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from zhengwu.core.formerrors import ERROR_ID, FIELD_ID

register = template.Library()


@register.simple_tag
def error_summary(errors, title: str = "") -> str:
    """The box at the top: how many problems, one link per field, any general error. Nothing when none."""
    if not errors:
        return ""
    return render_to_string("core/error_summary.html", {"errors": errors, "title": title})


@register.simple_tag
def field_id(*parts) -> str:
    return FIELD_ID.format(_name(parts))


def _name(parts) -> str:
    """A field's name from one or more parts: ``{% invalid errors "file_" m.pk %}``."""
    return "".join(str(p) for p in parts)


@register.simple_tag
def invalid(errors, *parts) -> str:
    """``id`` of the field, plus ``aria-invalid`` and ``aria-describedby`` when it is in error."""
    name = _name(parts)
    if errors and name in errors:
        return format_html(' id="{}" aria-invalid="true" aria-describedby="{}"', FIELD_ID.format(name),
                           ERROR_ID.format(name))
    return format_html(' id="{}"', FIELD_ID.format(name))


@register.simple_tag
def field_error(errors, *parts) -> str:
    err = errors.get(_name(parts)) if errors else None
    if err is None:
        return mark_safe("")
    return format_html('<span class="field-error" id="{}">{}</span>', err.error_id, err.message)
