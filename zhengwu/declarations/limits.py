"""Rate limits of the public check, rating and report (pages and API alike), per client address.

A code check is a guess: counted before it is answered and given back when the code exists
(``core.throttle.attempt``/``forgive``, like the progress query). A rating or a report is counted as a use:
at most ``SUBMIT_LIMIT`` per client per hour."""

from __future__ import annotations

from zhengwu.core import throttle
from zhengwu.core.errors import DomainError

CHECK_SCOPE, CHECK_FAILURES, CHECK_WINDOW = "decl_check", 10, 600
SUBMIT_SCOPE, SUBMIT_LIMIT, SUBMIT_WINDOW = "decl_submit", 10, 3600


def check_attempt(request) -> str:
    who = throttle.client_key(request)
    throttle.attempt(CHECK_SCOPE, who, limit=CHECK_FAILURES, window=CHECK_WINDOW, what="备案码查询")
    return who


def check_found(who: str) -> None:
    throttle.forgive(CHECK_SCOPE, who)


def submit_use(request) -> None:
    """Count one public submission; refuse over the limit (the use stays counted)."""
    who = throttle.client_key(request)
    throttle.fail(SUBMIT_SCOPE, who, window=SUBMIT_WINDOW)
    if throttle.count(SUBMIT_SCOPE, who) > SUBMIT_LIMIT:
        raise DomainError("too_many_attempts", "提交过于频繁，请1小时后再试", status=429)
