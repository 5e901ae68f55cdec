"""``{% form_once %}``: a one-time token in a form that creates or acts, so a resubmission writes nothing.

Registered as a template builtin (settings), so templates need no ``{% load %}``. The middleware in
``core/idempotency.py`` keeps the first submission's outcome under the token.
"""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html

from zhengwu.core.idempotency import FORM_FIELD

register = template.Library()


@register.simple_tag
def form_once() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, secrets.token_urlsafe(16))
