"""Against a real ``zhengwu serve`` with two worker processes: guessing limits hold whichever worker
answers, and a burst of submissions is answered 201 or 503, never 500.

The server runs on a database of its own (``server.py``): a SQLite file with the database cache, or
on PostgreSQL ``<name>_srv``; with ``REDIS_URL`` set in the test environment the guessing tests run a
second time against a server on the Redis cache. Each test pins its requests to both workers
(a connection that worker accepted, read from ``/proc``), so "the other worker did not know" cannot
pass unnoticed. The burst runs twice: with the settings' waits for a pooled connection or SQLite's
write lock, and against a server that waits only 0.2 s, so that the 503 path is really taken.

What costs the time is set up once per module and overlapped: the servers the module needs (database
cache, short waits, Redis) are started together and polled until each of their workers answers, and
stopped together. Migrating an empty database (about two minutes on a loaded 2-core machine) is done once
per schema: the migrated database is kept, keyed by a digest of the migration files, the project modules
they import, the settings and Django's version — on SQLite as a file in the user's cache directory
(``~/.cache/zhengwu-tests``, outside the checkout, so a fresh clone on the same machine finds it), on
PostgreSQL as the template database ``<name>_srv_tpl`` — and each run starts from a copy of it, on which
``migrate`` still runs (nothing left to apply; the post-migrate hooks run with today's code) before the seed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings

from zhengwu.accounts.views import PER_USER
from zhengwu.cases.selectors import PROGRESS_FAILURES
from zhengwu.core.views import BUSY, RETRY_AFTER_SECONDS

from .server import ROOT, Client, Server, ServerDatabase, migrate_and_seed, run, server_env

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="which worker answered is read from /proc"),
]

BURST = 200
POOL_MAX = "4"  # per worker: 2 workers hold at most 8 connections however many requests arrive
# How long a request waits for a pooled connection (PostgreSQL) or the write lock (SQLite) before its 503:
# the settings' defaults (5 s, 20 s), and short, so that a burst really runs the pool (or the lock) dry
# on any machine.
SHORT_WAIT = {"DB_POOL_TIMEOUT": "0.2", "SQLITE_BUSY_TIMEOUT": "0.2"}
APPLICANT = {"kind": "person", "name": "张三", "phone": "13812345678", "id_number": "11010519491231002X"}
WRONG_PASSWORD = "用户名或密码不正确"
USER_LOCKED = "该账号登录失败次数过多，请15分钟后再试"
PROGRESS_LOCKED = "查询失败次数过多，请10分钟后再试"


def _schema_digest(vendor: str) -> str:
    """What decides the migrated database: the migrations, the project modules they import, the settings,
    Django's version and the vendor."""
    import django

    h = hashlib.sha256(f"{django.__version__}|{vendor}".encode())
    files = {*ROOT.glob("zhengwu/*/migrations/*.py"), ROOT / "zhengwu" / "settings.py"}
    for module in {m.decode() for f in list(files) for m in re.findall(rb"\bzhengwu(?:\.\w+)+", f.read_bytes())}:
        parts = module.split(".")
        for n in range(len(parts), 1, -1):  # the longest prefix that is a module or a package
            path = ROOT.joinpath(*parts[:n])
            if path.with_suffix(".py").is_file():
                files.add(path.with_suffix(".py"))
                break
            if path.is_dir():
                files.update(p for p in path.rglob("*.py") if "tests" not in p.parts)
                break
    for f in sorted(files):
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _from_migrated(db: ServerDatabase, env: dict[str, str]) -> None:
    """Fill the server's empty database with the migrated schema: a copy of the kept one, or migrate now
    and keep it for the next run."""
    digest = _schema_digest(db.vendor)
    if db.vendor == "sqlite":
        # Outside the checkout (like pip's cache), so a fresh clone on the same machine, as CI's is, finds it
        kept_dir = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "zhengwu-tests" / "serve_workers"
        kept_dir.mkdir(parents=True, exist_ok=True)
        kept = kept_dir / f"migrated-{digest[:20]}.sqlite3"
        if kept.is_file():
            shutil.copyfile(kept, db.name)
            return
        run(["-m", "zhengwu.cli", "migrate", "--verbosity", "0"], env)
        for old in kept.parent.glob("migrated-*.sqlite3"):
            old.unlink(missing_ok=True)
        part = kept.with_suffix(f".{os.getpid()}.part")
        with closing(sqlite3.connect(db.name)) as src, closing(sqlite3.connect(part)) as dst:
            src.backup(dst)
        os.replace(part, kept)  # whole or not at all, should two runs race
        return
    template = f"{db.name}_tpl"
    with db._admin() as c:
        kept = c.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                         [template]).fetchone()
        if kept is not None and kept[0] == digest:
            c.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{db.name}" TEMPLATE "{template}"')
            return
    run(["-m", "zhengwu.cli", "migrate", "--verbosity", "0"], env)
    with db._admin() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{template}" TEMPLATE "{db.name}"')
        c.execute(f"COMMENT ON DATABASE \"{template}\" IS '{digest}'")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The server's database, migrated and seeded once for the module: (tmp, database, seed)."""
    tmp = tmp_path_factory.mktemp("served")
    db = ServerDatabase(settings.DATABASES["default"], tmp)
    db.create()
    try:
        env = server_env(var_dir=tmp / "var", database_url=db.url)
        _from_migrated(db, env)
        seed = migrate_and_seed(env)  # nothing left to apply: the post-migrate hooks, then the seed
        yield tmp, db, seed
    finally:
        db.drop()


def _server(tmp, db, name: str, redis_url: str = "", **env: str) -> Server:
    return Server(
        env=server_env(
            var_dir=tmp / "var", database_url=db.url, redis_url=redis_url, DB_POOL_MAX=POOL_MAX, **env
        ),
        log_path=tmp / f"{name}.log",
        workers=2,
    )


def _each(servers, method: str) -> list[BaseException | None]:
    """``method`` of every server at once (starting is mostly waiting for the workers' imports)."""
    with ThreadPoolExecutor(len(servers)) as pool:
        futures = [pool.submit(getattr(s, method)) for s in servers]
        return [f.exception() for f in futures]


@pytest.fixture(scope="module")
def servers(world):
    """Every server the module uses, started together: ``database_cache`` (no REDIS_URL: the guessing
    counters are in the database cache every worker shares), ``short_wait`` (the database cache, and a
    request waits 0.2 s for a connection or the write lock before its 503), and ``redis`` when REDIS_URL
    is set in the test environment."""
    tmp, db, _ = world
    started = {"database_cache": _server(tmp, db, "database-cache"),
               "short_wait": _server(tmp, db, "short-wait", **SHORT_WAIT)}
    url = os.environ.get("REDIS_URL", "")
    if url:
        import redis

        r = redis.Redis.from_url(url)
        for key in r.scan_iter("*zw:throttle:*"):  # counters left by an earlier run within their window
            r.delete(key)
        started["redis"] = _server(tmp, db, "redis", redis_url=url)
    try:
        failed = [e for e in _each(started.values(), "start") if e is not None]
        if failed:
            raise failed[0]
        yield started
    finally:
        _each(started.values(), "stop")


@pytest.fixture(scope="module")
def database_cache_server(servers):
    return servers["database_cache"]


@pytest.fixture(scope="module")
def short_wait_server(servers):
    return servers["short_wait"]


@pytest.fixture(scope="module")
def redis_server(servers):
    if "redis" not in servers:
        pytest.skip("REDIS_URL is not set")
    return servers["redis"]


@pytest.fixture(params=["database_cache", "redis"])
def served(request, world):
    server = request.getfixturevalue(f"{request.param}_server")
    yield server, world[1], world[2]
    assert "Traceback" not in server.log(), server.log()


def _workers(server: Server, client: Client) -> tuple[int, int]:
    """The pids of the two workers, each seen answering."""
    seen: set[int] = set()
    for _ in range(200):
        r = client.request("GET", "/api/workdays/add?start=2026-09-28&days=1")
        seen.add(r.worker)
        if len(seen - {None}) == 2:
            a, b = sorted(seen - {None})
            return a, b
    raise AssertionError(f"requests reached only {seen}")


def _sessions(db: ServerDatabase) -> int:
    return db.rows("SELECT COUNT(*) FROM django_session")[0][0]


def test_five_wrong_passwords_lock_the_account_on_every_worker(served):
    server, db, seed = served
    probe = Client(server, address="198.51.100.1")
    a, b = _workers(server, probe)

    def sign_in(client: Client, password: str, worker: int):
        client.request("GET", "/login/", worker=worker)  # the CSRF cookie
        return client.post_form(
            "/login/",
            {
                "username": seed["username"],
                "password": password,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
            worker=worker,
        )

    # Given the right password signs in (a success counts nothing)
    ok = sign_in(Client(server, address="198.51.100.2"), seed["password"], a)
    assert (ok.status, ok.headers["location"], ok.worker) == (302, "/me/", a)
    sessions = _sessions(db)

    # When five wrong passwords go to the two workers in turn
    guesser = Client(server, address="198.51.100.3")
    wrong = [sign_in(guesser, "wrong-password", (a, b)[i % 2]) for i in range(PER_USER)]
    assert [(r.status, WRONG_PASSWORD in r.text) for r in wrong] == [(200, True)] * PER_USER
    assert {r.worker for r in wrong} == {a, b}  # neither worker saw all five

    # Then the right password is refused eight times out of eight, on both workers, from any address
    right = [
        sign_in(Client(server, address=f"198.51.100.{10 + i}"), seed["password"], (b, a)[i % 2])
        for i in range(8)
    ]
    assert [
        (r.status, USER_LOCKED in r.text, "sessionid" in r.headers.get("set-cookie", "")) for r in right
    ] == [(429, True, False)] * 8
    assert {r.worker for r in right} == {a, b}
    assert _sessions(db) == sessions  # nobody signed in


def test_the_progress_query_answers_exactly_its_limit_across_workers(served):
    server, db, seed = served
    client = Client(server, address="198.51.100.50")
    a, b = _workers(server, client)
    right = {"case_no": seed["case_no"], "credential": seed["phone"]}

    # Given the right pair is answered (and costs nothing)
    first = client.post_json("/api/cases/progress", right, worker=a)
    assert (first.status, first.json()["case_no"]) == (200, seed["case_no"])

    # When 25 wrong pairs go to the two workers in turn
    guesses = [
        client.post_json(
            "/api/cases/progress",
            {"case_no": seed["case_no"], "credential": f"1390000{i:04d}"},
            worker=(b, a)[i % 2],
        )
        for i in range(25)
    ]

    # Then exactly the policy's ten are answered, five by each worker, and the rest refused
    assert [r.status for r in guesses] == [404] * PROGRESS_FAILURES + [429] * (25 - PROGRESS_FAILURES)
    assert Counter(r.worker for r in guesses[:PROGRESS_FAILURES]) == {a: 5, b: 5}
    assert {r.json()["code"] for r in guesses[PROGRESS_FAILURES:]} == {"too_many_attempts"}
    # and the right pair too, through the API on either worker and through the page that shares the count
    for worker in (a, b):
        r = client.post_json("/api/cases/progress", right, worker=worker)
        assert (r.status, r.json()["message"]) == (429, PROGRESS_LOCKED)
    client.request("GET", "/progress/", worker=b)
    page = client.post_form(
        "/progress/", {**right, "csrfmiddlewaretoken": client.cookies["csrftoken"]}, worker=a
    )
    assert (page.status, PROGRESS_LOCKED in page.text, first.json()["item_name"] in page.text) == (
        429,
        True,
        False,
    )


def _together(n: int, prepare, send) -> list:
    """``prepare(i)`` in each of ``n`` threads, then ``send(i, prepared)`` in all of them at once."""
    barrier = threading.Barrier(n, timeout=60)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            ready = prepare(i)
            barrier.wait()
            results[i] = send(i, ready)
        except Exception as exc:  # reported by the caller's assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_parallel_wrong_pairs_get_no_more_answers_than_the_progress_limit(served):
    """25 guesses sent at once, half to each worker, on their own connections: the count is raised before
    a guess is answered, so exactly the policy's ten are answered (19 were, when it was raised after)."""
    server, db, seed = served
    a, b = _workers(server, Client(server))

    def prepare(i):
        client = Client(server, address="198.51.100.60")
        client.pin((a, b)[i % 2])
        return client

    results = _together(
        25,
        prepare,
        lambda i, client: client.post_json(
            "/api/cases/progress",
            {"case_no": seed["case_no"], "credential": f"1370000{i:04d}"},
            worker=(a, b)[i % 2],
        ),
    )
    assert [r for r in results if not hasattr(r, "status")] == []
    assert Counter(r.status for r in results) == {404: PROGRESS_FAILURES, 429: 25 - PROGRESS_FAILURES}
    assert Counter(r.worker for r in results) == {a: 13, b: 12}
    right = Client(server, address="198.51.100.60").post_json(
        "/api/cases/progress", {"case_no": seed["case_no"], "credential": seed["phone"]}
    )
    assert right.status == 429


def test_parallel_wrong_passwords_get_no_more_checks_than_the_sign_in_limit(served):
    server, db, seed = served
    a, b = _workers(server, Client(server))
    name = seed["other_username"]

    def prepare(i):
        client = Client(server, address=f"198.51.100.{70 + i}")
        client.request("GET", "/login/", worker=(a, b)[i % 2])  # the CSRF cookie, on the pinned connection
        return client

    def send(i, client):
        return client.post_form(
            "/login/",
            {"username": name, "password": f"wrong-{i}", "csrfmiddlewaretoken": client.cookies["csrftoken"]},
            worker=(a, b)[i % 2],
        )

    results = _together(10, prepare, send)
    assert [r for r in results if not hasattr(r, "status")] == []
    assert Counter((r.status, WRONG_PASSWORD in r.text) for r in results) == {
        (200, True): PER_USER,
        (429, False): 10 - PER_USER,
    }
    assert {r.worker for r in results} == {a, b}
    sessions = _sessions(db)
    client = Client(server, address="198.51.100.90")
    client.request("GET", "/login/")
    right = client.post_form(
        "/login/",
        {"username": name, "password": seed["password"], "csrfmiddlewaretoken": client.cookies["csrftoken"]},
    )
    assert (right.status, USER_LOCKED in right.text) == (429, True)
    assert _sessions(db) == sessions


def _submission(seed) -> tuple[dict, dict]:
    return (
        {"item_code": seed["item_code"], "channel": "online", "applicant": APPLICANT},
        {"Authorization": f"Bearer {seed['token']}"},
    )


def _busy(r) -> tuple:
    return r.status, r.headers.get("retry-after"), r.headers.get("content-type"), r.json()


BUSY_503 = (503, str(RETRY_AFTER_SECONDS), "application/json", {"code": BUSY[0], "message": BUSY[1]})


def test_a_request_that_waits_out_the_sqlite_write_lock_is_a_503(short_wait_server, world):
    tmp, db, seed = world
    if db.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    body, auth = _submission(seed)
    before = db.rows("SELECT COUNT(*) FROM cases_case")
    with db.write_lock():  # another process writing for longer than SQLITE_BUSY_TIMEOUT
        r = Client(short_wait_server).post_json("/api/cases", body, headers=auth)
    assert _busy(r) == BUSY_503
    assert db.rows("SELECT COUNT(*) FROM cases_case") == before
    after = Client(short_wait_server).post_json("/api/cases", body, headers=auth)
    assert after.status == 201  # the lock released, the same request goes through


@pytest.mark.parametrize("waits", ["default", "short"])
def test_a_burst_of_submissions_is_answered_201_or_503_never_500(request, waits, world):
    tmp, db, seed = world
    server = request.getfixturevalue("database_cache_server" if waits == "default" else "short_wait_server")
    before = {no for (no,) in db.rows("SELECT case_no FROM cases_case")}
    body, auth = _submission(seed)
    started = time.monotonic()
    results = _together(
        BURST,
        lambda i: Client(server, timeout=90),
        lambda i, client: client.post_json("/api/cases", body, headers=auth),
    )
    elapsed = time.monotonic() - started

    errors = [r for r in results if not hasattr(r, "status")]
    assert errors == [], server.log()
    statuses = Counter(r.status for r in results)
    print(
        f"\n{db.vendor}: {BURST} concurrent submissions, 2 workers, DB_POOL_MAX={POOL_MAX}, {waits} waits: "
        f"{dict(statuses)} in {elapsed:.1f} s; by worker {dict(Counter(r.worker for r in results))}"
    )
    assert set(statuses) <= {201, 503}, (statuses, server.log())
    if waits == "short":
        assert statuses[503] > 0  # the pool (or the lock) really ran dry: the 503 path was taken
    assert all(_busy(r) == BUSY_503 for r in results if r.status == 503)
    created = [r.json()["case_no"] for r in results if r.status == 201]
    after = {no for (no,) in db.rows("SELECT case_no FROM cases_case")}
    assert len(set(created)) == len(created) == statuses[201]
    assert after - before == set(created)  # every 201 is a case, and every new case was answered 201
