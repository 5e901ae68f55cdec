"""A database with no free connection is a 503 with Retry-After, never a 500."""

import sqlite3

import pytest
from django.db import OperationalError
from django.urls import path
from psycopg_pool import PoolTimeout  # a dependency (psycopg[pool]): missing is a failure, not a skip

from zhengwu import urls


@pytest.mark.django_db
def test_an_exhausted_pool_is_a_503_with_retry_after(client, settings):

    def busy(request):
        try:
            raise PoolTimeout("couldn't get a connection after 5.00 sec")
        except PoolTimeout as exc:
            raise OperationalError(str(exc)) from exc  # how Django's wrapper hands it on

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [path("busy/", busy), path("api/busy", busy)],
                                           "handler500": urls.handler500})
    client.raise_request_exception = False
    api = client.get("/api/busy")
    assert (api.status_code, api["Retry-After"]) == (503, "5")
    assert api.json() == {"code": "busy", "message": "当前访问人数较多，请稍后再试"}
    page = client.get("/busy/")
    assert page.status_code == 503 and "当前访问人数较多" in page.content.decode()


@pytest.mark.django_db
def test_a_write_lock_held_past_sqlites_busy_timeout_is_a_503(client, settings):
    """SQLite's "database is locked" (another process kept the write lock for the whole busy timeout)
    is the embedded database's "busy", not a fault. The real-server burst is in test_serve_workers.py."""

    def locked(request):
        try:
            raise sqlite3.OperationalError("database is locked")
        except sqlite3.OperationalError as exc:
            raise OperationalError(str(exc)) from exc

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [path("api/locked", locked)],
                                           "handler500": urls.handler500})
    client.raise_request_exception = False
    r = client.get("/api/locked")
    assert (r.status_code, r["Retry-After"], r.json()) == (
        503, "5", {"code": "busy", "message": "当前访问人数较多，请稍后再试"})
