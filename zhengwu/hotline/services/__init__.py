"""Every write of the hotline: one keyword-only function per step, each one transaction with its event row
and its supervised clocks. ``policy`` holds the time limits and settings as data."""

from .centre import (
    order_callback,
    order_extend_decide,
    order_reassign,
    order_reject_return,
    order_supervise,
    order_urge,
)
from .handling import (
    order_approve,
    order_extend_request,
    order_reply,
    order_return,
    order_send_back,
    order_sign,
)
from .knowledge import article_save
from .orders import dispatch_suggest, order_answer, order_create, order_dispatch, order_merge, order_transfer
from .policy import limit, limits_ensure, setting_get

__all__ = [
    "article_save",
    "dispatch_suggest",
    "limit",
    "limits_ensure",
    "order_answer",
    "order_approve",
    "order_callback",
    "order_create",
    "order_dispatch",
    "order_extend_decide",
    "order_extend_request",
    "order_merge",
    "order_reassign",
    "order_reject_return",
    "order_reply",
    "order_return",
    "order_send_back",
    "order_sign",
    "order_supervise",
    "order_transfer",
    "order_urge",
    "setting_get",
]
