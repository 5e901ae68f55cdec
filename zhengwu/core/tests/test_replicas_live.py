"""Read replicas against a real PostgreSQL hot standby (streaming replication).

These need a standby of the database in ``DATABASE_URL`` named in ``DATABASE_REPLICA_URLS``: run
``scripts/replica_check.sh`` (``.ci/run`` does), which starts one with ``scripts/pg_standby.sh``, creates an
empty database on the primary and runs this file against it. They use that database as it is (not a test
copy: a standby cannot host one), so they are skipped in the ordinary suite.

The last test stops the standby.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.skipif(
    os.environ.get("ZHENGWU_REPLICA_CHECK") != "1",
    reason="需要流复制备库：scripts/replica_check.sh（.ci/run 会运行）",
)

ROOT = Path(__file__).resolve().parents[3]
ITEM_NAME = "只读副本测试事项"


@pytest.fixture(scope="module")
def live_db(django_db_blocker):
    """The real database of DATABASE_URL, migrated; its standby caught up."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0)
        yield
        for alias in connections:
            connections[alias].close()
            if alias.startswith("replica_"):
                connections[alias].close_pool()  # no reconnecting thread left behind


@pytest.fixture(autouse=True)
def fresh_health(settings, live_db):
    from zhengwu.core import replicas

    settings.REPLICA_CHECK_SECONDS = 0  # probe on every routing decision: the tests change the standby's state
    settings.REPLICA_RETRY_SECONDS = 0
    replicas.forget_health()
    yield
    replicas.forget_health()


def wait_caught_up(timeout: float = 30.0) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as c:
        c.execute("SELECT pg_current_wal_lsn()")
        target = c.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica_0"].cursor() as c:
            c.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if c.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("备库在 30 秒内未追上主库")


def catalog_queries(ctx: CaptureQueriesContext) -> int:
    return sum('"catalog_item"' in q["sql"] for q in ctx.captured_queries)


def make_item(impl_code: str, name: str) -> None:
    from zhengwu.catalog.tests import factories

    factories.item(impl_code=impl_code, name=name)


def test_public_catalog_reads_from_the_replica():
    make_item("11330100MB0001-01", ITEM_NAME)
    wait_caught_up()
    client = Client()
    with CaptureQueriesContext(connections["replica_0"]) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        r = client.get("/items/")
    assert r.status_code == 200
    assert ITEM_NAME in r.content.decode()
    assert catalog_queries(on_replica) >= 1
    assert catalog_queries(on_primary) == 0


def test_pages_outside_the_list_read_the_primary():
    client = Client()
    with CaptureQueriesContext(connections["replica_0"]) as on_replica:
        r = client.get("/api/catalog/items/11330100MB0001-01/materials-not-a-route")
        r2 = client.get("/hall/")
    assert r.status_code == 404 and r2.status_code in (200, 302)
    assert on_replica.captured_queries == []


def test_a_read_inside_a_transaction_goes_to_the_primary():
    from zhengwu.catalog.models import Item
    from zhengwu.core import replicas

    token = replicas._state.set(replicas._Request(allowed=True))
    try:
        assert replicas.ReplicaRouter().db_for_read(Item) == "replica_0"
        with transaction.atomic():
            assert replicas.ReplicaRouter().db_for_read(Item) == "default"
            assert Item.objects.filter(name=ITEM_NAME).exists()
    finally:
        replicas._state.reset(token)


def test_a_write_then_the_writers_reads_go_to_the_primary(settings):
    from zhengwu.catalog.tests import factories

    settings.READ_YOUR_WRITES_SECONDS = 2
    factories.user(username="rw_reader")
    client = Client()
    r = client.post("/login/", {"username": "rw_reader", "password": "pass-1234-word"})
    assert r.status_code == 302  # the login is a write (session, last login): on the primary
    assert "zw_rw" in r.cookies
    with CaptureQueriesContext(connections["replica_0"]) as on_replica:
        assert client.get("/items/").status_code == 200
    assert catalog_queries(on_replica) == 0  # read-your-writes: the primary for a few seconds
    time.sleep(2.2)
    client.cookies.pop("zw_rw", None)  # the browser drops the expired cookie
    with CaptureQueriesContext(connections["replica_0"]) as on_replica:
        assert client.get("/items/").status_code == 200
    assert catalog_queries(on_replica) >= 1


def test_a_lagging_replica_is_left_for_the_primary(settings):
    settings.REPLICA_MAX_LAG_SECONDS = 1
    subprocess.run([str(ROOT / "scripts/pg_standby.sh"), "pause"], check=True)
    try:
        make_item("11330100MB0002-01", "副本延迟期间新增的事项")
        time.sleep(1.5)
        client = Client()
        with CaptureQueriesContext(connections["replica_0"]) as on_replica:
            r = client.get("/items/")
        assert r.status_code == 200
        assert "副本延迟期间新增的事项" in r.content.decode()  # read on the primary
        assert catalog_queries(on_replica) == 0
        h = client.get("/healthz").json()
        assert h["status"] == "degraded" and h["reads"] == "primary"
        assert h["replicas"][0]["ok"] is False and h["replicas"][0]["lag_seconds"] > 1
        assert "复制延迟" in h["replicas"][0]["error"]
    finally:
        subprocess.run([str(ROOT / "scripts/pg_standby.sh"), "resume"], check=True)
    wait_caught_up()
    settings.REPLICA_MAX_LAG_SECONDS = 10  # caught up; other databases of the cluster may keep it a little behind
    h = Client().get("/healthz").json()
    lag = h["replicas"][0].pop("lag_seconds")
    assert h == {"status": "ok", "primary": {"ok": True}, "reads": "replicas",
                 "replicas": [{"alias": "replica_0", "ok": True, "error": ""}]}
    assert 0 <= lag < 10


def test_a_stopped_replica_falls_back_without_an_error_page(settings):
    from zhengwu.core import replicas

    assert replicas.health("replica_0").ok  # known healthy: the next request is routed there
    settings.REPLICA_CHECK_SECONDS = 3600  # …and not probed again before it is used
    settings.REPLICA_RETRY_SECONDS = 3600
    subprocess.run([str(ROOT / "scripts/pg_standby.sh"), "stop"], check=True)
    client = Client(raise_request_exception=False)  # as a real server: the view's error is a response
    r = client.get("/items/")  # fails on the replica mid-request, served again from the primary
    assert r.status_code == 200
    assert ITEM_NAME in r.content.decode()
    assert replicas.health("replica_0").ok is False
    r = client.get("/items/")  # now straight to the primary
    assert r.status_code == 200 and ITEM_NAME in r.content.decode()
    h = client.get("/healthz")
    assert h.status_code == 200
    body = h.json()
    assert body["status"] == "degraded" and body["reads"] == "primary"
    assert body["replicas"][0]["ok"] is False and "无法连接" in body["replicas"][0]["error"]
    assert body["message"] == "只读副本全部不可用，读取已回退到主库"
