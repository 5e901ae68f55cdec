"""Counting failed attempts per client in the shared cache (Redis in production), to slow guessing.

Used where a public form answers "found / not found" for a secret pair (the progress query, a
check-in code): after ``limit`` failures within ``window`` seconds the client is refused until the
window ends; ``fail`` and ``count`` also count uses, for what must not be done too often (taking numbers).
"""

from __future__ import annotations

from django.core.cache import cache

from .errors import DomainError


def client_key(request) -> str:
    """The client's address. Behind a load balancer, ``zhengwu serve`` (uvicorn) puts the real
    client address here from X-Forwarded-For when FORWARDED_ALLOW_IPS names the balancer."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def check(scope: str, who: str, *, limit: int, window: int, what: str = "查询") -> None:
    """Refuse when ``who`` already failed ``limit`` times in ``scope`` within the window."""
    if (cache.get(f"zw:throttle:{scope}:{who}") or 0) >= limit:
        minutes = max(1, window // 60)
        raise DomainError("too_many_attempts", f"{what}失败次数过多，请{minutes}分钟后再试", status=429)


def fail(scope: str, who: str, *, window: int) -> None:
    key = f"zw:throttle:{scope}:{who}"
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)



def count(scope: str, who: str) -> int:
    """How many times ``who`` has been counted in ``scope`` within the current window."""
    return cache.get(f"zw:throttle:{scope}:{who}") or 0
