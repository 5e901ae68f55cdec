"""Errors reach people as Chinese pages and API clients as ``{code, message}``; never a traceback."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_debug_is_off_unless_asked_for():
    """Not only in production: the demo too (ZHENGWU_ENV unset) runs without DEBUG."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "ZHENGWU_ENV")}
    code = "import zhengwu.settings as s; print(s.DEBUG)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    env["DEBUG"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_an_unknown_api_path_is_json_in_chinese(client):
    r = client.get("/api/cases/")  # the trailing slash: not a route
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "未找到该页面或接口"}


def test_an_unknown_page_is_a_chinese_page(client):
    r = client.get("/no-such-page/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "页面不存在" in html and 'lang="zh-CN"' in html and "Traceback" not in html


def test_a_crash_is_a_chinese_500_without_a_traceback(client, settings):
    from django.urls import path

    from zhengwu import urls

    def boom(request):
        raise RuntimeError("secret detail")

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [path("boom/", boom), path("api/boom", boom)],
                                           "handler500": urls.handler500})
    client.raise_request_exception = False
    page = client.get("/boom/")
    assert page.status_code == 500 and "系统繁忙" in page.content.decode()
    assert "secret detail" not in page.content.decode()
    api = client.get("/api/boom")
    assert api.status_code == 500 and api.json()["code"] == "server_error"


def test_several_workers_are_refused_on_a_per_process_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(CommandError, match="只在单个进程内有效"):
        call_command("serve", "--workers", "2")


def test_without_redis_the_cache_is_shared_through_the_database(settings):
    import os

    from django.core.cache import caches

    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is set: the cache is Redis")
    cache = caches["default"]
    assert type(cache).__name__ == "DatabaseCache"
    cache.set("probe", 1)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM zhengwu_cache")
        assert cur.fetchone()[0] == 1  # a table every worker process reads
