"""Guessing counters: counted before the answer, given back when right, windows that do not restart.

Parallel guesses against two real workers are in ``test_serve_workers.py``.
"""

import datetime as dt
import time

import pytest
from django.core.cache import caches
from django.db import connection

from zhengwu.core import throttle
from zhengwu.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_only_wrong_attempts_stay_counted_and_the_one_past_the_limit_is_refused():
    for _ in range(3):
        throttle.attempt("t-right", "10.0.0.1", limit=3, window=600)
        throttle.forgive("t-right", "10.0.0.1")  # each one was right
    assert throttle.count("t-right", "10.0.0.1") == 0
    for _ in range(3):
        throttle.attempt("t-wrong", "10.0.0.1", limit=3, window=600)  # wrong: not forgiven
    with pytest.raises(DomainError) as refused:
        throttle.attempt("t-wrong", "10.0.0.1", limit=3, window=600)
    assert (refused.value.code, refused.value.status, refused.value.message) == (
        "too_many_attempts",
        429,
        "查询失败次数过多，请10分钟后再试",
    )
    assert throttle.count("t-right", "10.0.0.1") == 0
    assert throttle.count("t-wrong", "10.0.0.2") == 0  # another client


def test_the_database_cache_keeps_the_window_where_the_first_failure_started_it():
    """Django's DatabaseCache.incr rewrites the entry with the default timeout (300 s): a 15-minute sign-in
    lock would have lifted 5 minutes after the last failure."""
    if type(caches["default"]).__name__ != "DatabaseCache":
        pytest.skip("the database cache (REDIS_URL unset)")
    started = time.time()
    for _ in range(5):
        throttle.fail("t-window", "10.0.0.1", window=900)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT expires FROM zhengwu_cache WHERE cache_key LIKE %s", ["%zw:throttle:t-window:%"]
        )
        (expires,) = cursor.fetchone()
    assert throttle.count("t-window", "10.0.0.1") == 5
    if expires.tzinfo is None:  # SQLite hands back the stored UTC time naive
        expires = expires.replace(tzinfo=dt.UTC)
    assert 895 <= expires.timestamp() - started <= 905


def test_in_redis_one_step_keeps_the_window_and_a_late_give_back_creates_nothing():
    """On Redis a count or a give-back is one script (one round trip): the first count starts the window,
    later ones keep its end, a counter back at zero is removed, and giving back after the window ended
    leaves no counter behind (a key without expiry would lock the client out for good)."""
    if "RedisCache" not in type(caches["default"]).__name__:
        pytest.skip("Redis as the shared cache (REDIS_URL set)")
    backend = caches["default"]
    client = backend._cache.get_client(write=True)
    key = backend.make_and_validate_key(throttle._key("t-redis", "10.0.0.9"))
    throttle.fail("t-redis", "10.0.0.9", window=900)
    first_ttl = client.ttl(key)
    throttle.fail("t-redis", "10.0.0.9", window=60)  # a later count does not move the end of the window
    assert throttle.count("t-redis", "10.0.0.9") == 2
    assert 890 <= client.ttl(key) <= first_ttl <= 900
    throttle.forgive("t-redis", "10.0.0.9")
    throttle.forgive("t-redis", "10.0.0.9")
    assert throttle.count("t-redis", "10.0.0.9") == 0 and not client.exists(key)
    throttle.forgive("t-redis", "10.0.0.9")  # nothing counted any more
    assert not client.exists(key)
