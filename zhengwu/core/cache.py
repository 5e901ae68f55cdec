"""Django's Redis cache with one connection pool per process instead of one per thread.

Django keeps a cache backend instance per thread, and its Redis client keeps its connection pools on that
instance. Under ASGI every request runs its synchronous code on a thread of its own
(``ThreadSensitiveContext``), so each request that touched the cache — a guessing count, a page from the
page cache, a plan — opened a new TCP connection to Redis and dropped it at the end. Found with py-spy in
the HTTP load test (``benchmarks/load/``): ``redis.connection.Connection._connect`` under every progress
query. redis-py's ``ConnectionPool`` is thread-safe, so the pools are kept here per process, keyed by server
and options, and every backend instance of every thread takes its connections from them.
"""

from __future__ import annotations

import os
import threading

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

# Cache backends every app process shares, by class name (tests stand LocMemCache in for Redis by adding its
# name). Whatever is kept for all processes — whole public pages, progress answers, published plans — is kept
# only in one of these: a per-process cache would miss the other processes' invalidations, and the database
# cache would turn every hit into a query.
SHARED_BACKENDS = {"RedisCache", "SharedPoolRedisCache"}

_pools: dict[tuple, object] = {}
_lock = threading.Lock()


class SharedPoolRedisCacheClient(RedisCacheClient):
    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        # The process id too: a pool inherited across fork() must not be shared with the parent.
        key = (os.getpid(), self._servers[index], self._pool_class, tuple(sorted(map(str, self._pool_options.items()))))
        pool = _pools.get(key)
        if pool is None:
            with _lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(self._servers[index], **self._pool_options)
        return pool


class SharedPoolRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient


def is_shared(alias: str = "default") -> bool:
    """Is the cache ``alias`` one every app process shares (Redis)?"""
    return type(caches[alias]).__name__ in SHARED_BACKENDS
