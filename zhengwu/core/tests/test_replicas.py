"""Which requests may read from a replica, the router's refusals, /livez and /healthz without replicas.

The routing against a real hot standby is in test_replicas_live.py (scripts/replica_check.sh)."""

from __future__ import annotations

import pytest

from zhengwu.core import replicas


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/"), ("GET", "/items/"), ("GET", "/items/11330100MB0001-01/"), ("GET", "/catalog/bundles/"),
    ("GET", "/catalog/export.xlsx"), ("GET", "/api/catalog/items"), ("GET", "/api/catalog/items/X-01"),
    ("GET", "/gk/"), ("GET", "/gk/D01/"), ("GET", "/gk/D01/reports/2025.pdf"), ("GET", "/gk/search/"),
    ("GET", "/api/disclosure/publications/3"), ("GET", "/kpi/"), ("GET", "/supervision/dashboard/"),
    ("GET", "/supervision/report/2026/Q1/xlsx/"), ("GET", "/api/supervision/dashboard"),
    ("GET", "/progress/"), ("POST", "/progress/"), ("POST", "/api/cases/progress"), ("HEAD", "/items/"),
])
def test_reads_that_tolerate_lag(method, path):
    assert replicas.replica_tolerant(method, path)


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/items/"), ("GET", "/me/"), ("GET", "/gk/my/"), ("GET", "/gk/my/GK2026-1/"),
    ("GET", "/gk/work/"), ("POST", "/api/disclosure/publications"), ("GET", "/api/cases"),
    ("GET", "/hall/"), ("GET", "/api/hall/halls/H1/board"), ("GET", "/supervision/"),
    ("GET", "/api/catalog/items-admin"), ("POST", "/api/cases/progress/x"), ("GET", "/login/"),
    ("POST", "/catalog/import/"), ("GET", "/admin/"), ("GET", "/healthz"),
])
def test_everything_else_reads_the_primary(method, path):
    assert not replicas.replica_tolerant(method, path)


def test_router_keeps_sessions_accounts_cache_and_audit_on_the_primary():
    from django.contrib.sessions.models import Session

    from zhengwu.accounts.models import User
    from zhengwu.core.models import AuditEvent, IdempotencyRecord

    router = replicas.ReplicaRouter()
    token = replicas._state.set(replicas._Request(allowed=True))
    try:
        for model in (Session, User, AuditEvent, IdempotencyRecord):
            assert router.db_for_read(model) == "default"
    finally:
        replicas._state.reset(token)
    assert router.db_for_write(User) == "default"
    assert router.allow_migrate("replica_0", "cases") is False
    assert router.allow_migrate("default", "cases") is True


def test_router_without_a_request_or_a_healthy_replica_reads_the_primary():
    from zhengwu.catalog.models import Item

    router = replicas.ReplicaRouter()
    assert router.db_for_read(Item) == "default"  # outside a request: jobs, commands, services
    token = replicas._state.set(replicas._Request(allowed=True))
    try:
        assert router.db_for_read(Item) == "default"  # no replica configured
    finally:
        replicas._state.reset(token)


@pytest.mark.django_db
def test_livez_is_a_fixed_answer(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        r = client.get("/livez")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_without_replicas(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "primary": {"ok": True}, "replicas": [], "reads": "primary"}
    assert r["Cache-Control"] == "no-store"
