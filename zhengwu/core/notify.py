"""Pluggable notifications (SMS, in-app …). The default backend writes to the log.

Set ``ZHENGWU_NOTIFIER`` to the dotted path of a class with ``send(message: Message)``
to use an SMS gateway; messages are sent after the surrounding transaction commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from zhengwu.core.validators import mask_phone

log = logging.getLogger("zhengwu.notify")


@dataclass(frozen=True)
class Message:
    to_phone: str
    text: str
    to_user_id: int | None = None
    kind: str = ""
    data: dict = field(default_factory=dict)


class ConsoleNotifier:
    """Writes each message to the log (the phone masked: logs are not a place for personal data; the
    text only in development, as it may carry one-use links and codes); keeps the last ones, whole,
    in memory for tests and the demo. Production plugs in a real SMS gateway instead."""

    sent: list[Message] = []

    def send(self, message: Message) -> None:
        self.send_many([message])

    def send_many(self, messages: list[Message]) -> None:
        ConsoleNotifier.sent.extend(messages[-1000:])
        del ConsoleNotifier.sent[:-1000]
        if log.isEnabledFor(logging.INFO):
            # The text may hold a one-use rating link or a check-in code: only development logs show it.
            show_text = getattr(settings, "NOTIFY_LOG_TEXT", False)
            for m in messages:
                to = mask_phone(m.to_phone) if m.to_phone else m.to_user_id
                log.info("通知 %s → %s：%s", m.kind, to, m.text if show_text else "（正文含链接或验证码，不记入日志）")


# Messages that carry a one-time code a person must type (认领验证码, 预约签到码).
ONE_TIME_CODE_KINDS = frozenset({"case_claim_code", "hall_appointment"})


class DemoConsoleNotifier(ConsoleNotifier):
    """The demo's notifier: as the console one, and a message with a one-time code is printed in a box
    that stands out in the terminal (there is no phone to receive it)."""

    out = None  # a text stream; sys.stdout when None

    def send_many(self, messages: list[Message]) -> None:
        super().send_many(messages)
        import sys

        out = DemoConsoleNotifier.out or sys.stdout
        for m in messages:
            if m.kind in ONE_TIME_CODE_KINDS:
                bar = "★" * 30
                out.write(f"\n{bar}\n  演示短信（未真正发送）→ {mask_phone(m.to_phone)}\n  {m.text}\n{bar}\n\n")
                out.flush()


_classes: dict[str, type] = {}


def notifier():
    path = getattr(settings, "ZHENGWU_NOTIFIER", "zhengwu.core.notify.ConsoleNotifier")
    cls = _classes.get(path)
    if cls is None:
        cls = _classes[path] = import_string(path)
    return cls()


def notify(message: Message) -> None:
    """Queue ``message`` to go out when the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: notifier().send(message))


def notify_many(messages: list[Message]) -> None:
    """Queue many messages behind one commit hook (a sweep may send hundreds of thousands:
    one hook per message would make Django's hook list the slowest part of the run)."""
    if not messages:
        return
    batch = list(messages)

    def send_all():
        n = notifier()
        send_many = getattr(n, "send_many", None)
        if send_many is not None:
            send_many(batch)
        else:
            for m in batch:
                n.send(m)

    transaction.on_commit(send_all)
