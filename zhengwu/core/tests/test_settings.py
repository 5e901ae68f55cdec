"""Production configuration comes from the environment and refuses to start without a secret."""

import os
import subprocess
import sys

import pytest


def _import_settings(**env):
    full = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ZHENGWU_ENV", "DATABASE_URL"}}
    full.update(env)
    return subprocess.run([sys.executable, "-c", "import zhengwu.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"],
                          env=full, capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_without_secret():
    result = _import_settings(ZHENGWU_ENV="production")
    assert result.returncode != 0
    assert "生产环境必须设置环境变量 SECRET_KEY" in result.stderr


def test_production_reads_database_url_and_turns_debug_off():
    result = _import_settings(ZHENGWU_ENV="production", SECRET_KEY="x" * 50,
                              DATABASE_URL="postgres://u:p@db.example:5432/zw")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"]


@pytest.mark.django_db
def test_api_docs_are_served(client):
    resp = client.get("/api/docs")
    assert resp.status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "综合政务服务平台 API"
    assert "/api/workdays/add" in schema["paths"]
