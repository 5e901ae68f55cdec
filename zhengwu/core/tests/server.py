"""A real ``zhengwu serve`` (uvicorn, several worker processes) on its own database, for tests.

pytest-django's test database lives inside a transaction (or in memory) that another process cannot
see, so the server gets a database of its own: a SQLite file in a temporary directory, or on
PostgreSQL ``<settings name>_srv``, created and dropped here. It is migrated and seeded by
subprocesses with the project's own settings, the server is started with the environment a
deployment would give it (``ZHENGWU_VAR_DIR``, ``DATABASE_URL``, ``DB_POOL_MAX``, ``REDIS_URL`` or
none), polled until both workers answer, and always terminated.

Which worker answered is read from Linux's ``/proc``: the process holding the server side of the
request's TCP connection. ``Client`` can pin a request to a given worker, so a test knows that its
requests really went to both.

``python -m zhengwu.core.tests.server migrate-and-seed`` (run with the server's environment) migrates,
then builds the small county of ``cases/tests/factories.py``, an API token for its citizen, a second
citizen and one online case, and prints them as JSON.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[3]
HOST = "127.0.0.1"
CITIZEN_PASSWORD = "pass-123456"  # build_world's citizen
CASE_PHONE = "13812345678"  # factories.PERSON


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# -- the server's own database -------------------------------------------------------------------------------


class ServerDatabase:
    """A database only the server uses, created empty and dropped at the end."""

    def __init__(self, settings_dict: dict, tmp: Path):
        self.vendor = "postgresql" if "postgresql" in settings_dict["ENGINE"] else "sqlite"
        self.settings = settings_dict
        if self.vendor == "sqlite":
            self.name = str(tmp / "server.sqlite3")
            self.url = f"sqlite:///{self.name}"
        else:
            base = settings_dict["NAME"]
            self.name = f"{base}_srv"
            s = settings_dict
            auth = quote(s["USER"] or "", safe="") + (
                f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
            )
            self.url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{self.name}"

    def _admin(self):
        import psycopg

        s = self.settings
        return psycopg.connect(
            dbname="postgres",
            user=s["USER"] or None,
            password=s["PASSWORD"] or None,
            host=s["HOST"] or "127.0.0.1",
            port=s["PORT"] or 5432,
            autocommit=True,
        )

    def create(self) -> None:
        if self.vendor == "postgresql":
            with self._admin() as c:
                c.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                c.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with self._admin() as c:
                c.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    @contextlib.contextmanager
    def write_lock(self):
        """Hold SQLite's write lock meanwhile, as a long writer in another process would."""
        import sqlite3

        with contextlib.closing(sqlite3.connect(self.name, isolation_level=None)) as c:
            c.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                c.execute("ROLLBACK")

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the server's database directly (``%s`` placeholders on both vendors)."""
        if self.vendor == "sqlite":
            import sqlite3

            with contextlib.closing(sqlite3.connect(self.name, timeout=20)) as c:
                return c.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        s = self.settings
        with psycopg.connect(
            dbname=self.name,
            user=s["USER"] or None,
            password=s["PASSWORD"] or None,
            host=s["HOST"] or "127.0.0.1",
            port=s["PORT"] or 5432,
        ) as c:
            return c.execute(sql, params).fetchall()


def server_env(*, var_dir: Path, database_url: str, redis_url: str = "", **extra: str) -> dict[str, str]:
    """The environment a deployment gives the app: nothing inherited from the test process's Django."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "REDIS_URL",
            "DATABASE_URL",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "DB_POOL_MAX",
            "DB_POOL_MIN",
            "DB_POOL_TIMEOUT",
            "SQLITE_BUSY_TIMEOUT",
            "ZHENGWU_ENV",
            "WEB_CONCURRENCY",
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="zhengwu.settings",
        ZHENGWU_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def run(args: list[str], env: dict[str, str], *, timeout: float = 600) -> str:
    # The timeouts here only catch a hang: CI runs the SQLite and PostgreSQL suites side by side, and a
    # loaded machine once took more than two minutes to migrate.
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def migrate_and_seed(env: dict[str, str]) -> dict:
    """``migrate`` and ``seed`` in one subprocess (one Django start-up fewer)."""
    return json.loads(
        run(["-m", "zhengwu.core.tests.server", "migrate-and-seed"], env).strip().splitlines()[-1]
    )


# -- which worker holds a connection ---------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _server_side_inode(server_port: int, client_port: int) -> str | None:
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local, remote, inode = parts[1], parts[2], parts[9]
        if (
            int(local.rsplit(":", 1)[1], 16) == server_port
            and int(remote.rsplit(":", 1)[1], 16) == client_port
        ):
            return inode if inode != "0" else None
    return None


# -- the server ------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    worker: int | None = None

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Server:
    """``zhengwu serve --workers N`` in a subprocess, with its log in ``log_path``."""

    env: dict[str, str]
    log_path: Path
    workers: int = 2
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    def start(self, *, timeout: float = 180) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "zhengwu.cli",
                "serve",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        seen: set[int] = set()
        while time.monotonic() < deadline:  # ready when every worker has answered a request
            if self.proc.poll() is not None:
                raise RuntimeError(f"zhengwu serve exited with {self.proc.returncode}:\n{self.log()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                r = Client(self).request("GET", "/api/workdays/add?start=2026-09-28&days=1")
                if r.status == 200 and r.worker is not None:
                    seen.add(r.worker)
                    if len(seen) >= self.workers:
                        return
            time.sleep(0.1)
        raise RuntimeError(
            f"zhengwu serve did not answer from {self.workers} workers in {timeout} s "
            f"(answered: {sorted(seen)}):\n{self.log()}"
        )

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)  # the server's own session: uvicorn and its workers
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def log(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""

    def worker_of(self, sock: socket.socket, *, wait: float = 2.0) -> int | None:
        """The worker process that accepted this client socket's connection."""
        client_port = sock.getsockname()[1]
        deadline = time.monotonic() + wait
        while True:
            inode = _server_side_inode(self.port, client_port)
            if inode is not None:
                target = f"socket:[{inode}]"
                for pid in _children(self.proc.pid):
                    with contextlib.suppress(OSError):
                        for fd in os.listdir(f"/proc/{pid}/fd"):
                            with contextlib.suppress(OSError):
                                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                                    return pid
            if time.monotonic() > deadline:
                return None
            time.sleep(0.005)


class Client:
    """HTTP/1.1 to the server, with a cookie jar and an optional client address (X-Forwarded-For, which
    ``zhengwu serve`` honours from 127.0.0.1). ``worker=pid`` sends the request on a connection that
    worker accepted; otherwise each request goes on a new connection."""

    IDLE_SECONDS = 3.0  # uvicorn closes a kept-alive connection after 5 s idle

    def __init__(self, server: Server, *, address: str = "", timeout: float = 60):
        self.server, self.address, self.timeout = server, address, timeout
        self.cookies: dict[str, str] = {}
        self._pinned: dict[int, tuple[http.client.HTTPConnection, float]] = {}

    def _connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(HOST, self.server.port, timeout=self.timeout)
        conn.connect()
        return conn

    def _conn_to(self, pid: int) -> http.client.HTTPConnection:
        conn, used = self._pinned.pop(pid, (None, 0.0))
        if conn is not None and time.monotonic() - used < self.IDLE_SECONDS:
            return conn
        if conn is not None:
            conn.close()
        for _ in range(200):
            conn = self._connect()
            got = self.server.worker_of(conn.sock)
            if got == pid:
                return conn
            if got is not None and got not in self._pinned:
                self._pinned[got] = (conn, time.monotonic())  # keep it for a request to that worker
            else:
                conn.close()
        raise RuntimeError(f"no connection reached worker {pid}")

    def pin(self, pid: int) -> None:
        """Open a connection to worker ``pid`` now, for the next request sent with ``worker=pid``."""
        self._pinned[pid] = (self._conn_to(pid), time.monotonic())

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | str | None = None,
        headers: dict | None = None,
        worker: int | None = None,
    ) -> Response:
        conn = self._conn_to(worker) if worker is not None else self._connect()
        h = {"Host": f"{HOST}:{self.server.port}", **(headers or {})}
        if self.address:
            h["X-Forwarded-For"] = self.address
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            pid = self.server.worker_of(conn.sock) if conn.sock is not None else None
            data = resp.read()
        except BaseException:
            conn.close()
            raise
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if worker is not None and not resp.will_close:
            self._pinned[worker] = (conn, time.monotonic())
        else:
            conn.close()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, pid)

    def post_json(self, path: str, data: dict, **kw) -> Response:
        headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
        return self.request(
            "POST", path, body=json.dumps(data, ensure_ascii=False).encode(), headers=headers, **kw
        )

    def post_form(self, path: str, data: dict, **kw) -> Response:
        from urllib.parse import urlencode

        headers = {"Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})}
        return self.request("POST", path, body=urlencode(data).encode(), headers=headers, **kw)

    def close(self) -> None:
        for conn, _ in self._pinned.values():
            conn.close()
        self._pinned.clear()


# -- seeding (run in a subprocess with the server's environment) ------------------------------------------------


def migrate_and_seed_here() -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return seed()


def seed() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from zhengwu.accounts.models import ApiToken
    from zhengwu.cases import services
    from zhengwu.cases.tests.factories import applicant, build_world

    with transaction.atomic():
        w = build_world()
        other = get_user_model().objects.create_user(username="citizen2", password=CITIZEN_PASSWORD)
        _, token = ApiToken.issue(user=w.citizen, name="负载测试")
        case = services.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen)
    return {
        "username": w.citizen.username,
        "other_username": other.username,
        "password": CITIZEN_PASSWORD,
        "token": token,
        "item_code": w.item.impl_code,
        "case_no": case.case_no,
        "phone": CASE_PHONE,
    }


if __name__ == "__main__" and sys.argv[1:] == ["migrate-and-seed"]:
    print(json.dumps(migrate_and_seed_here(), ensure_ascii=False))
