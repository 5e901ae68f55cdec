"""Per-process copies of rows that are read all the time and change a few times a year, kept current across
app processes: the working-day calendars, the hotline's time limits, the halls' queue policies, the staff
that supervision's clocks name.

Each ``LocalMemo`` is a dict in this process plus a version in the shared cache (Redis, or the database
cache without it). A change (``invalidate``: a receiver of the rows' saves and deletes, or the caller of a
bulk ``update()``) empties this process's copy and writes a new version — at once and again when the
transaction commits, so no process keeps what it read between the two. Every process compares the version
with the one it last saw at most every ``recheck_seconds`` and empties its copy when it moved: a change shows
on this node at once and on the others within that time.

``keep`` stores a value only if nothing was forgotten since the caller took ``generation()`` before reading
the database (a read that raced an invalidation is not remembered); with ``committed_only`` it also refuses
inside a transaction, whose own uncommitted edit may yet roll back.
"""

from __future__ import annotations

import threading
import time

from django.core.cache import cache
from django.db import connections, transaction

_memos: list[LocalMemo] = []


class LocalMemo:
    def __init__(self, version_key: str, *, recheck_seconds: float = 30.0):
        self.version_key = version_key
        self.recheck_seconds = recheck_seconds
        self.data: dict = {}
        self.lock = threading.RLock()
        self._version = None
        self._checked = float("-inf")  # monotonic time can be smaller than recheck_seconds after a boot
        self._generation = 0
        _memos.append(self)

    def forget(self) -> None:
        """Empty this process's copy (other processes are not told)."""
        with self.lock:
            self.data.clear()
            self._generation += 1

    def _announce(self) -> None:
        self.forget()
        version = time.time_ns()
        try:
            cache.set(self.version_key, version, None)
        except Exception:  # a cache outage must not block saving the row
            return
        self._version = version  # our own change: nothing more to forget at the next check

    def invalidate(self, **_signal_kwargs) -> None:
        """The rows changed: forget them here and tell the other processes, now and once the current
        transaction commits (outside one, once)."""
        self._announce()
        if connections["default"].in_atomic_block:
            transaction.on_commit(self._announce)

    def fresh(self) -> dict:
        """This process's copy, emptied first if another process announced a change since the last check."""
        now = time.monotonic()
        if now - self._checked >= self.recheck_seconds:
            self._checked = now
            try:
                version = cache.get(self.version_key)
            except Exception:  # the cache is away: keep what we have
                return self.data
            if version != self._version:
                self._version = version
                self.forget()
        return self.data

    def generation(self) -> int:
        """Take before reading the database; pass to ``keep``."""
        return self._generation

    def keep(self, key, value, generation: int, *, committed_only: bool = False) -> bool:
        """Remember ``value`` under ``key`` unless the copy was emptied since ``generation`` was taken (or,
        with ``committed_only``, the default connection is inside a transaction). Whether it was kept."""
        if committed_only and connections["default"].in_atomic_block:
            return False
        with self.lock:
            if generation != self._generation:
                return False
            self.data[key] = value
            return True

    def reset(self) -> None:
        """Forget everything, the version seen included (tests: a new test starts from nothing)."""
        self.forget()
        self._version = None
        self._checked = float("-inf")  # monotonic time can be smaller than recheck_seconds after a boot


def reset_all() -> None:
    for memo in _memos:
        memo.reset()
