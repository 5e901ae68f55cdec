"""Read replicas: reads that tolerate a little lag go to PostgreSQL hot standbys, everything else to the primary.

Which requests may read from a replica is declared here, in ``REPLICA_READS`` (method + path): the public
catalog and 办事指南, the 政务公开 pages, the dashboard and statistics, exports and the progress query's
lookup. Everything else reads the primary, and so does, always:

- a read inside a transaction on the primary (``select_for_update``, a service's re-read);
- a read right after the same client's own write: every write request (POST, PUT, PATCH, DELETE outside
  ``REPLICA_READS``) sets a cookie valid ``READ_YOUR_WRITES_SECONDS`` (default 5 s), and for a signed-in
  user a key in the shared cache, so their next pages read the primary on whichever node serves them;
- the tables a lagging copy must never answer for: sessions, accounts, the database cache, audit and
  idempotency records (``PRIMARY_ONLY_APPS``).

A replica is used only while it answers and its replay lag stays under ``REPLICA_MAX_LAG_SECONDS``
(default 10 s). Each process probes a replica at most every ``REPLICA_CHECK_SECONDS`` (default 5 s); a
replica that fails is left alone for ``REPLICA_RETRY_SECONDS`` (default 30 s). If a replica dies between
two probes, the request it broke is served again from the primary (only ``REPLICA_READS`` requests, which
change nothing, are ever repeated). ``GET /healthz`` reports the primary and every replica.

Configured by ``DATABASE_REPLICA_URLS`` (comma-separated): each becomes an alias ``replica_<n>`` and the
router below is installed. With none set, nothing here is active.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

# (methods, path pattern): requests whose reads may come from a replica. They change nothing in the
# database (the progress query's POST only carries the credential; its guessing counters are in the cache).
REPLICA_READS: tuple[tuple[frozenset[str], re.Pattern], ...] = tuple(
    (frozenset(methods), re.compile(pattern)) for methods, pattern in [
        # the public catalog and 办事指南
        (("GET", "HEAD"), r"^/$"),
        (("GET", "HEAD"), r"^/items/"),
        (("GET", "HEAD"), r"^/catalog/(bundles/|export\.xlsx$)"),
        (("GET", "HEAD"), r"^/api/catalog/(items|bundles)(/|$)"),
        (("GET", "HEAD"), r"^/api/catalog/export\.xlsx$"),
        (("GET", "HEAD"), r"^/api/intermediary/items/[^/]+/services$"),
        # 政务公开: the public portal (not an applicant's own pages nor the workbench)
        (("GET", "HEAD"), r"^/gk/(?!(my|work)/)"),
        (("GET", "HEAD"), r"^/api/disclosure/(bodies|publications/\d+$|reports/)"),
        # the dashboard, statistics and their exports
        (("GET", "HEAD"), r"^/kpi/$"),
        (("GET", "HEAD"), r"^/supervision/(dashboard/|report/)"),
        (("GET", "HEAD"), r"^/api/supervision/dashboard$"),
        (("GET", "HEAD"), r"^/hotline/reports/"),
        (("GET", "HEAD"), r"^/intermediary/report/"),
        # the progress query's lookup
        (("GET", "HEAD", "POST"), r"^/progress/$"),
        (("POST",), r"^/api/cases/progress$"),
    ]
)

# Never read from a replica: a lagging copy would log people out, miss a cache counter or chain audit rows
# to a stale predecessor.
PRIMARY_ONLY_APPS = frozenset({"sessions", "django_cache", "accounts", "auth", "contenttypes", "admin", "core"})

RYW_COOKIE = "zw_rw"


def replica_aliases() -> list[str]:
    return [a for a in settings.DATABASES if a.startswith("replica_")]


def replica_tolerant(method: str, path: str) -> bool:
    return any(method in methods and pattern.match(path) for methods, pattern in REPLICA_READS)


# -- per-request state ------------------------------------------------------------------------------------

@dataclass
class _Request:
    allowed: bool = False
    used: set[str] = field(default_factory=set)


_state: contextvars.ContextVar[_Request | None] = contextvars.ContextVar("zhengwu_replica_request", default=None)


# -- health -----------------------------------------------------------------------------------------------

@dataclass
class Health:
    ok: bool = False
    lag: float | None = None
    error: str = ""
    checked: float = 0.0  # time.monotonic() of the last probe; 0 = never


_health: dict[str, Health] = {}
_health_lock = threading.Lock()

# On the standby: 0 while it is streaming and has replayed all it received; else the age of the last
# replayed transaction (an idle, disconnected standby looks more and more behind, which is the safe side).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN (SELECT status FROM pg_stat_wal_receiver) = 'streaming'
                 AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 1e9)
       END
"""


def _probe(alias: str) -> Health:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            _recovering, lag = cursor.fetchone()
        lag = float(lag)
        limit = settings.REPLICA_MAX_LAG_SECONDS
        if lag > limit:
            return Health(ok=False, lag=lag, error=f"复制延迟 {lag:.1f} 秒，超过 {limit:g} 秒", checked=time.monotonic())
        return Health(ok=True, lag=lag, checked=time.monotonic())
    except Exception as exc:  # any failure to ask means: do not read there
        try:
            connections[alias].close()
        except Exception:  # noqa: S110 - the connection is already broken; closing is best effort
            pass
        log.warning("replica %s unavailable: %s", alias, exc)
        return Health(ok=False, error=f"无法连接只读副本（{type(exc).__name__}）", checked=time.monotonic())


def health(alias: str, *, fresh: bool = False) -> Health:
    """The replica's health as this process last saw it, probed again when stale (or when ``fresh``)."""
    now = time.monotonic()
    h = _health.get(alias)
    wait = settings.REPLICA_CHECK_SECONDS if h is None or h.ok else settings.REPLICA_RETRY_SECONDS
    if fresh or h is None or now - h.checked >= wait:
        h = _probe(alias)
        with _health_lock:
            _health[alias] = h
    return h


def mark_failed(alias: str, error: str) -> None:
    with _health_lock:
        _health[alias] = Health(ok=False, error=error, checked=time.monotonic())


def forget_health() -> None:
    """Drop what this process knows about replicas (tests; a configuration reload)."""
    with _health_lock:
        _health.clear()


_turn = 0


def pick_replica() -> str | None:
    """A healthy replica, taking turns; None when none is healthy."""
    global _turn
    aliases = replica_aliases()
    for i in range(len(aliases)):
        alias = aliases[(_turn + i) % len(aliases)]
        if health(alias).ok:
            _turn = (_turn + i + 1) % len(aliases)
            return alias
    return None


# -- the router -------------------------------------------------------------------------------------------

class ReplicaRouter:
    """Installed when ``DATABASE_REPLICA_URLS`` names replicas (settings)."""

    def db_for_read(self, model, **hints):
        st = _state.get()
        if st is None or not st.allowed or model._meta.app_label in PRIMARY_ONLY_APPS:
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        alias = pick_replica()
        if alias is None:
            return "default"
        st.used.add(alias)
        return alias

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


# -- the middleware ---------------------------------------------------------------------------------------

def _recent_write_key(user_id) -> str:
    return f"zw:rw:{user_id}"


def _wrote_recently(request) -> bool:
    until = request.COOKIES.get(RYW_COOKIE, "")
    try:
        if until and float(until) > time.time():
            return True
    except ValueError:
        pass
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from django.core.cache import cache

        return bool(cache.get(_recent_write_key(user.pk)))
    return False


class ReplicaReadMiddleware:
    """Marks replica-tolerant requests, keeps read-your-writes, and repeats on the primary a read a replica broke.

    After the authentication middleware (a signed-in user's recent writes are looked up by account)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.active = bool(replica_aliases())

    def __call__(self, request):
        if not self.active:
            return self.get_response(request)
        tolerant = replica_tolerant(request.method, request.path_info)
        st = _Request(allowed=tolerant and not _wrote_recently(request))
        token = _state.set(st)
        try:
            response = self.get_response(request)
            if st.used and response.status_code >= 500:
                # A replica failed mid-request (went down, a recovery conflict): ask again, on the primary.
                for alias in st.used:
                    health(alias, fresh=True)
                log.warning("request %s %s failed on replica %s; served from the primary",
                            request.method, request.path_info, ",".join(sorted(st.used)))
                _state.set(_Request(allowed=False))
                response = self.get_response(request)
        finally:
            _state.reset(token)
        if request.method not in SAFE and not tolerant:
            seconds = settings.READ_YOUR_WRITES_SECONDS
            response.set_cookie(RYW_COOKIE, f"{time.time() + seconds:.3f}", max_age=int(seconds) + 1,
                                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from django.core.cache import cache

                try:
                    cache.set(_recent_write_key(user.pk), 1, timeout=seconds)
                except Exception:  # the cookie still covers a browser; an API client falls back to lag
                    log.warning("read-your-writes mark not stored in the cache", exc_info=True)
        return response


# -- /healthz ---------------------------------------------------------------------------------------------

def health_report() -> tuple[int, dict]:
    """(HTTP status, body) for ``GET /healthz``: 200 while the primary answers, 503 when it does not."""
    body: dict = {"status": "ok", "primary": {"ok": True}, "replicas": [], "reads": "primary"}
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        body.update(status="down", message="主数据库不可用")
        body["primary"] = {"ok": False, "error": type(exc).__name__}
        return 503, body
    aliases = replica_aliases()
    healthy = 0
    for alias in aliases:
        h = health(alias, fresh=True)
        healthy += h.ok
        body["replicas"].append({"alias": alias, "ok": h.ok,
                                 "lag_seconds": None if h.lag is None else round(h.lag, 3),
                                 "error": h.error})
    if aliases:
        body["reads"] = "replicas" if healthy else "primary"
        if healthy < len(aliases):
            body["status"] = "degraded"
            body["message"] = ("只读副本全部不可用，读取已回退到主库" if not healthy
                               else "部分只读副本不可用，读取由其余副本和主库承担")
    return 200, body
