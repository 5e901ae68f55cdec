"""The Redis cache keeps one connection pool per process: under ASGI each request's synchronous code runs
on a thread of its own, and Django keeps a cache backend per thread, so a pool per backend instance meant a
new TCP connection to Redis for every request (``zhengwu.core.cache``)."""

import os
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.core.cache import caches

from zhengwu.core.cache import SharedPoolRedisCache


def test_the_setting_uses_the_shared_pool_backend_with_redis():
    """settings.py read afresh with and without REDIS_URL (a new interpreter: settings are read once)."""
    code = ("import django.conf as c, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'zhengwu.settings'; "
            "print(c.settings.CACHES['default']['BACKEND'])")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    without = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    with_redis = subprocess.run([sys.executable, "-c", code], env={**env, "REDIS_URL": "redis://127.0.0.1:6379/15"},
                                capture_output=True, text=True, check=True)
    assert without.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"
    assert with_redis.stdout.strip() == "zhengwu.core.cache.SharedPoolRedisCache"
    if settings.REDIS_URL:  # and this process, when it was started with Redis
        assert isinstance(caches["default"], SharedPoolRedisCache)


def test_backends_of_other_threads_take_connections_from_one_pool():
    """Runs against the machine's Redis (CI has one); the backend's first command opens the connection."""
    location = getattr(settings, "REDIS_URL", "") or "redis://127.0.0.1:6379/15"
    pools, errors = [], []
    try:  # the process's pool may already hold connections other tests opened (50-thread tests, say)
        pool = SharedPoolRedisCache(location, {})._cache._get_connection_pool(True)
        before = len(pool._available_connections) + len(pool._in_use_connections)
    except Exception as exc:
        pytest.skip(f"no Redis at {location}: {exc}")

    def use():
        try:
            backend = SharedPoolRedisCache(location, {})  # what Django builds for each thread
            backend.set("zw:test:shared-pool", 1, 5)
            pools.append(backend._cache._get_connection_pool(True))
        except Exception as exc:  # Redis not running on this machine
            errors.append(exc)

    threads = [threading.Thread(target=use) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        pytest.skip(f"no Redis at {location}: {errors[0]}")
    assert len(pools) == 5 and {id(p) for p in pools} == {id(pool)}
    # at most one new connection per thread, and none when idle ones were there to take
    assert len(pool._available_connections) + len(pool._in_use_connections) <= max(before, 5)
