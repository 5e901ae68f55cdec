"""The service hall: tickets issued and called per second through the service functions beside the
bare ORM doing the same writes, and the live board's delay from a call to 100 connected screens.

Run: .venv/bin/python benchmarks/bench_hall.py [--tickets 1000] [--boards 100] [--calls 20]
     (--boards 0: part 1 only)

Part 1 runs in this process on a throw-away SQLite database (or DATABASE_URL: an empty database,
created afresh for each run; the script migrates it and builds its hall, which a database left by an
earlier run already holds, so that run stops with an IntegrityError). Part 2 starts
``uvicorn zhengwu.asgi:application`` on 127.0.0.1 (a free port, loopback only) against the same
database, opens the board streams, calls through the API and times each screen's arrival; once
with one worker and the in-process broker, then (when Redis answers at REDIS_URL, default
redis://127.0.0.1:6379/15, on a channel prefix of its own) with two workers fanned out through
Redis. Every loop is bounded; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

from _setup import setup


def world():
    from zhengwu.hall.models import QueuePolicy
    from zhengwu.hall.policy import policy_invalidate
    from zhengwu.hall.tests import factories as fx

    w = fx.build_hall()
    QueuePolicy.objects.filter(hall__isnull=True).update(enforce_hours=False)  # any hour of the day
    policy_invalidate()  # a bulk update sends no signal: the services' in-process copy is dropped
    return w


# -- part 1: the service functions beside the bare ORM -------------------------------------------------


def bare_issue(hall, group):
    """The rows ``ticket_issue`` writes, without its checks, policy reads and board message."""
    import secrets

    from django.db import transaction

    from zhengwu.core import clock
    from zhengwu.hall.models import Ticket, TicketEvent
    from zhengwu.hall.services.tickets import _next_seq

    with transaction.atomic():
        now, day = clock.now(), clock.today()
        seq = _next_seq(group.pk, day)
        t = Ticket.objects.create(hall=hall, issued_group=group, group=group, day=day, seq=seq,
                                  number=f"{group.code}{seq:03d}", token=secrets.token_urlsafe(9), issued_at=now,
                                  queued_at=now)
        TicketEvent.objects.create(ticket=t, action="issue", at=now)
    return t


def bare_call(window, officer, group_ids):
    """Pick the next ticket of the groups, one guarded UPDATE, one event row."""
    from django.db import transaction
    from django.db.models import F

    from zhengwu.core import clock
    from zhengwu.hall.models import Ticket, TicketEvent

    t = (Ticket.objects.filter(group_id__in=group_ids, status="waiting", day=clock.today())
         .order_by("-priority", "queued_at", "id").first())
    if t is None:
        return None
    now = clock.now()
    with transaction.atomic():
        Ticket.objects.filter(pk=t.pk, row_version=t.row_version, status="waiting").update(
            status="called", window=window, officer=officer, called_at=now, last_called_at=now,
            wait_seconds=int((now - t.issued_at).total_seconds()), row_version=F("row_version") + 1)
        TicketEvent.objects.create(ticket=t, action="call", window=window, officer=officer, at=now)
    return t


def bare_finish(t, window, officer):
    from django.db import transaction
    from django.db.models import F

    from zhengwu.core import clock
    from zhengwu.hall.models import Ticket, TicketEvent

    now = clock.now()
    with transaction.atomic():
        Ticket.objects.filter(pk=t.pk, status="called").update(
            status="done", finished_at=now, started_at=now, service_seconds=0, row_version=F("row_version") + 1)
        TicketEvent.objects.create(ticket=t, action="finish", window=window, officer=officer, at=now)


def part1(w, n: int) -> None:
    """Service and bare ORM take turns, one operation each, so both see the same load on the machine."""
    from zhengwu.hall import services

    groups = [w.group_a, w.group_b]
    desks = [(w.w1, w.o1, [w.group_a.pk]), (w.w3, w.o3, [w.group_b.pk])]
    for window, officer, _ in desks:
        services.window_sign_in(window=window, officer=officer)
    spent = {k: 0.0 for k in ("svc_issue", "orm_issue", "svc_call", "orm_call", "svc_finish", "orm_finish")}

    def clocked(key, fn):
        t0 = time.perf_counter()
        out = fn()
        spent[key] += time.perf_counter() - t0
        return out

    for i in range(n):
        g = groups[i % 2]
        clocked("svc_issue", lambda g=g: services.ticket_issue(hall=w.hall, group=g))
        clocked("orm_issue", lambda g=g: bare_issue(w.hall, g))
    calls = 0
    for window, officer, gids in desks:
        for _ in range(n // 2):
            t = clocked("svc_call", lambda window=window, officer=officer: services.ticket_call_next(
                window=window, officer=officer))
            clocked("svc_finish", lambda t=t, window=window, officer=officer: services.ticket_finish(
                ticket=t, window=window, officer=officer))
            t = clocked("orm_call", lambda window=window, officer=officer, gids=gids: bare_call(window, officer, gids))
            clocked("orm_finish", lambda t=t, window=window, officer=officer: bare_finish(t, window, officer))
            calls += 1

    print(f"-- tickets through the service functions beside the bare ORM ({n} tickets each, 2 groups, 2 windows)")
    print(f"{'':28}{'service':>12}{'bare ORM':>12}{'ratio':>8}")
    for label, key, count in (("issued per second", "issue", n), ("called per second", "call", calls),
                              ("finished per second", "finish", calls)):
        a, b = count / spent[f"svc_{key}"], count / spent[f"orm_{key}"]
        print(f"{label:28}{a:12,.0f}{b:12,.0f}{a / b:8.2f}")
    print("  (service = checks, policy, guarded UPDATE, event row, board message on commit when a board listens;"
          " bare ORM = the same rows only)")
    print(f"  statements per action (transaction control included): {statements(w)}")


def statements(w) -> str:
    """Issue, call and finish once more through each path, counting the SQL statements each sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhengwu.hall import services

    counts = {}

    def count(key, fn):
        with CaptureQueriesContext(connection) as ctx:
            out = fn()
        counts[key] = len(ctx.captured_queries)
        return out

    count("svc_issue", lambda: services.ticket_issue(hall=w.hall, group=w.group_a))
    count("orm_issue", lambda: bare_issue(w.hall, w.group_a))
    t = count("svc_call", lambda: services.ticket_call_next(window=w.w1, officer=w.o1))
    count("svc_finish", lambda: services.ticket_finish(ticket=t, window=w.w1, officer=w.o1))
    t = count("orm_call", lambda: bare_call(w.w1, w.o1, [w.group_a.pk]))
    count("orm_finish", lambda: bare_finish(t, w.w1, w.o1))
    return ", ".join(f"{k} service {counts[f'svc_{k}']} / bare {counts[f'orm_{k}']}" for k in ("issue", "call", "finish"))


# -- part 2: the live board under 100 connections ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return url
    except Exception:
        return None


def start_server(port: int, workers: int, env_extra: dict) -> subprocess.Popen:
    env = {**os.environ, **env_extra, "DJANGO_SETTINGS_MODULE": "zhengwu.settings", "DEBUG": "0",
           "LOG_LEVEL": "WARNING"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "zhengwu.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--lifespan", "off", "--log-level", "warning", "--no-access-log"],
        cwd=root, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/hall/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except Exception:
            time.sleep(0.3)
        if proc.poll() is not None:
            raise RuntimeError("uvicorn exited early")
    proc.terminate()
    raise RuntimeError("uvicorn did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


class Board:
    """One screen: a raw HTTP/1.0 connection reading the event stream (no chunked framing)."""

    def __init__(self):
        self.snapshot = asyncio.Event()
        self.calls: dict[str, float] = {}
        self.arrived = asyncio.Condition()

    async def run(self, port: int, code: str, stop: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
        writer.write(f"GET /hall/{code}/events/ HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        try:
            while not stop.is_set():
                line = await reader.readline()
                if not line:
                    break
                if not line.startswith(b"data: "):
                    continue
                try:
                    msg = json.loads(line[6:])
                except ValueError:
                    continue
                now = time.perf_counter()
                if msg.get("type") == "snapshot":
                    self.snapshot.set()
                elif msg.get("type") == "call":
                    async with self.arrived:
                        self.calls.setdefault(msg["call"]["number"], now)
                        self.arrived.notify_all()
        finally:
            writer.close()


def post(port: int, path: str, token: str) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                                 data=b"{}")
    with urllib.request.urlopen(req, timeout=10) as r:
        if r.status != 200:
            raise RuntimeError(f"{path} answered {r.status}")
        return json.loads(r.read())


async def measure(port: int, hall_code: str, window_id: int, token: str, boards: int, calls: int) -> dict:
    stop = asyncio.Event()
    screens = [Board() for _ in range(boards)]
    tasks = [asyncio.create_task(s.run(port, hall_code, stop)) for s in screens]
    t_connect = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(s.snapshot.wait() for s in screens)), 60)
    connected = time.perf_counter() - t_connect
    delays, requests = [], []
    for _ in range(calls):
        t0 = time.perf_counter()
        number = (await asyncio.to_thread(post, port, f"/api/hall/windows/{window_id}/call-next", token))["number"]
        requests.append(time.perf_counter() - t0)
        for s in screens:  # wait for this call on every screen (bounded)
            async with s.arrived:
                await asyncio.wait_for(s.arrived.wait_for(lambda s=s, n=number: n in s.calls), 10)
        delays += [(s.calls[number] - t0) * 1000 for s in screens]
        await asyncio.to_thread(post, port, f"/api/hall/windows/{window_id}/finish", token)
    stop.set()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    delays.sort()
    return {"connected_s": connected, "p50": statistics.median(delays), "p95": delays[int(len(delays) * 0.95) - 1],
            "max": delays[-1], "mean": statistics.fmean(delays), "request_ms": statistics.median(requests) * 1000,
            "deliveries": len(delays)}


def part2(w, boards: int, calls: int) -> None:
    from zhengwu.accounts.models import ApiToken
    from zhengwu.hall import services

    services.window_sign_in(window=w.w1, officer=w.o1)
    _, token = ApiToken.issue(user=w.o1.user, name="bench")
    env = {"DATABASE_URL": os.environ["DATABASE_URL"]} if "DATABASE_URL" in os.environ else {
        "ZHENGWU_VAR_DIR": os.environ["ZHENGWU_VAR_DIR"]}
    runs = [("in-process broker, 1 uvicorn worker", 1, {})]
    url = redis_url()
    if url:
        runs.append(("Redis fan-out, 2 uvicorn workers", 2,
                     {"REDIS_URL": url, "ZHENGWU_HALL_CHANNEL_PREFIX": f"zhengwu-bench-{uuid.uuid4().hex[:8]}"}))
    else:
        print("  (Redis not reachable: the multi-process run is left out)")
    print(f"-- live board: delay from a call (API request sent) to each of {boards} connected screens, {calls} calls")
    for label, workers, extra in runs:
        for _ in range(calls):
            services.ticket_issue(hall=w.hall, group=w.group_a)
        port = free_port()
        proc = start_server(port, workers, {**env, **extra})
        try:
            r = asyncio.run(measure(port, w.hall.code, w.w1.pk, token, boards, calls))
        finally:
            stop_server(proc)
        print(f"{label}: {r['deliveries']} deliveries; all {boards} streams open in {r['connected_s']:.2f} s")
        print(f"  delay ms  p50 {r['p50']:7.1f}   p95 {r['p95']:7.1f}   max {r['max']:7.1f}   mean {r['mean']:7.1f}"
              f"   (call request itself: median {r['request_ms']:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--boards", type=int, default=100)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    vendor = setup()
    w = world()
    print(f"database: {vendor}")
    part1(w, args.tickets)
    if args.boards > 0:
        part2(w, args.boards, args.calls)


if __name__ == "__main__":
    main()
