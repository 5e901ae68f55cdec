"""Counting failed attempts per client in the shared cache (Redis, or the database cache), to slow guessing.

Used where a public form answers "found / not found" for a secret pair (sign-in, the progress query, a
check-in code): after ``limit`` failures within ``window`` seconds the client is refused until the
window ends.

A guess is counted *before* it is answered (``attempt``) and given back once it turns out right
(``forgive``). Reading the count first and raising it after a wrong answer let every guess sent in
parallel pass a count none of them had raised yet: against two real workers 25 parallel wrong progress
queries got 19 answers for a limit of 10, and 10 parallel wrong passwords all got checked for a limit of 5
(``core/tests/test_serve_workers.py``). The count is raised atomically in every cache: Redis' INCR, and
in the database cache a read and write under a lock (the write lock of SQLite's IMMEDIATE transactions, a
transaction-scoped advisory lock on PostgreSQL) that also keeps the window where it started (the
database cache's own ``incr`` is a read and a write that restarts the entry's life at the default
timeout). ``fail`` and ``count`` also count uses, for what must not be done too often (taking numbers).
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction

from .errors import DomainError

# The first key of PostgreSQL's two-key advisory locks taken here (the second is the counter's hash).
_LOCK_SPACE = int.from_bytes(hashlib.sha256(b"zhengwu.core.throttle").digest()[:4], "big", signed=True)


def _key(scope: str, who: str) -> str:
    return f"zw:throttle:{scope}:{who}"


def _read(key: str) -> int:
    value = cache.get(key)
    return value[0] if isinstance(value, tuple | list) else (value or 0)


# Redis: the whole step in one round trip (the cache API needs up to three: SET NX, EXISTS, INCRBY). A counter
# that comes back to zero is removed; a give-back on a counter that has expired changes nothing.
_REDIS_ADD = """
local n
if tonumber(ARGV[1]) > 0 then
  n = redis.call('INCRBY', KEYS[1], ARGV[1])
  if n == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
  return n
end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n <= 0 then redis.call('DEL', KEYS[1]) return 0 end
return n
"""
_redis_script = None  # redis-py's Script: EVALSHA, loading the script again where a server lacks it


def _add_in_redis(backend, key: str, delta: int, window: int) -> int:
    global _redis_script
    full = backend.make_and_validate_key(key)
    client = backend._cache.get_client(full, write=True)
    if _redis_script is None:
        _redis_script = client.register_script(_REDIS_ADD)
    return int(_redis_script(keys=[full], args=[delta, window], client=client))


def _add(key: str, delta: int, window: int) -> int:
    """Add ``delta`` to the counter atomically; the new count. A new counter lives ``window`` seconds."""
    backend = caches["default"]
    if isinstance(backend, DatabaseCache):
        return _add_in_database(backend, key, delta, window)
    if isinstance(backend, RedisCache):
        return _add_in_redis(backend, key, delta, window)
    if delta > 0 and cache.add(key, delta, window):
        return delta
    try:
        return cache.incr(key, delta)  # Redis INCRBY (keeps the key's expiry); LocMemCache under its lock
    except ValueError:  # expired since (or never counted, for a give-back)
        if delta > 0:
            cache.add(key, delta, window)
        return max(delta, 0)


def _add_in_database(backend: DatabaseCache, key: str, delta: int, window: int) -> int:
    """The database cache keeps (count, end of window) under the lock, so two processes cannot both read
    the same count, and the window ends where it began."""
    alias = router.db_for_write(backend.cache_model_class)
    conn = connections[alias]
    with transaction.atomic(using=alias):  # on SQLite BEGIN IMMEDIATE: the database's write lock
        if conn.vendor == "postgresql":
            lock = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, lock])
        now = time.time()
        value = backend.get(key)
        if isinstance(value, tuple | list):
            count, ends = value
        else:  # nothing counted yet (or a bare count from before the window was kept)
            count, ends = (value or 0), now + window
        if count + delta <= 0 and delta < 0:
            backend.delete(key)
            return 0
        count += delta
        backend.set(key, (count, ends), max(1, round(ends - now)))
        return count


def client_key(request) -> str:
    """The client's address. Behind a load balancer, ``zhengwu serve`` (uvicorn) puts the real
    client address here from X-Forwarded-For when FORWARDED_ALLOW_IPS names the balancer."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _refusal(window: int, what: str) -> DomainError:
    minutes = max(1, window // 60)
    return DomainError("too_many_attempts", f"{what}失败次数过多，请{minutes}分钟后再试", status=429)


def attempt(scope: str, who: str, *, limit: int, window: int, what: str = "查询") -> None:
    """Count one attempt by ``who`` before it is answered; refuse it when ``limit`` are already counted
    within the window. Call ``forgive`` when the attempt turns out right: only wrong ones stay counted."""
    if _add(_key(scope, who), 1, window) > limit:
        raise _refusal(window, what)


def forgive(scope: str, who: str) -> None:
    """Give back the attempt just counted: it was right (or was never made)."""
    _add(_key(scope, who), -1, 1)


def check(scope: str, who: str, *, limit: int, window: int, what: str = "查询") -> None:
    """Refuse when ``who`` already failed ``limit`` times in ``scope`` within the window (a read only:
    for guesses use ``attempt``, which parallel requests cannot slip past)."""
    if _read(_key(scope, who)) >= limit:
        raise _refusal(window, what)


def check_and_get(scope: str, who: str, keys: list[str], *, limit: int, window: int, what: str = "查询") -> dict:
    """``check`` and a read of other cache ``keys`` in one round trip (Redis MGET); the values found.

    For an answer kept in the cache: a client that is refused must not get it from there either, and a
    right answer read from the cache needs no ``attempt``/``forgive`` (it leaves the count as it was)."""
    counter = _key(scope, who)
    found = cache.get_many([counter, *keys])
    value = found.pop(counter, None)
    if (value[0] if isinstance(value, tuple | list) else (value or 0)) >= limit:
        raise _refusal(window, what)
    return found


def fail(scope: str, who: str, *, window: int) -> None:
    _add(_key(scope, who), 1, window)


def count(scope: str, who: str) -> int:
    """How many times ``who`` has been counted in ``scope`` within the current window."""
    return _read(_key(scope, who))
